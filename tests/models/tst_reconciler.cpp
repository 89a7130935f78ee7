#include "reconciler.h"
#include "scenario.h"

#include <QTest>

using namespace Scenario;

Q_DECLARE_METATYPE(ReconcileInput)
Q_DECLARE_METATYPE(Category)
Q_DECLARE_METATYPE(Action)

class tst_Reconciler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The first row is the on-prem user under test; each case names the rule it exercises.
    void firstRow_data()
    {
        QTest::addColumn<ReconcileInput>("input");
        QTest::addColumn<Category>("category");
        QTest::addColumn<Action>("action");
        QTest::addColumn<bool>("needsApproval");
        QTest::addColumn<QString>("reasonPart");

        const QString anna = QStringLiteral("anna@contoso.com");
        const auto annaOnPrem = onPrem(anna, 1, anna, {QStringLiteral("SMTP:anna@contoso.com")});

        QTest::newRow("in_sync: hard match")
            << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(1))})) << Category::InSync
            << Action::None << false << "hard match";
        QTest::newRow("in_sync: UPN differs, sync will update it")
            << input({annaOnPrem}, tenant({cloud("c1", "anna.old@contoso.com", anchor(1))}))
            << Category::InSync << Action::None << false << "next sync updates it";
        QTest::newRow("seed 003/004: soft match with blank ImmutableId")
            << input({annaOnPrem}, tenant({cloud("c1", anna)})) << Category::SoftMatchPending
            << Action::Stamp << false << "soft-matches";
        QTest::newRow("soft match on primary SMTP only")
            << input({onPrem("anna@corp.local", 1, {}, {"SMTP:anna@contoso.com"})},
                     tenant({cloud("c1", "anna@contoso.onmicrosoft.com", {}, "anna@contoso.com",
                                   {"SMTP:anna@contoso.com"})}))
            << Category::SoftMatchPending << Action::Stamp << false << "primary SMTP address";
        QTest::newRow("UPN matches case-insensitively")
            << input({onPrem("Anna@Contoso.COM", 1)}, tenant({cloud("c1", anna)}))
            << Category::SoftMatchPending << Action::Stamp << false << "UPN";
        QTest::newRow("UPN matches case-insensitively beyond ASCII")
            << input({onPrem("ZOË.Ångström@contoso.com", 1)},
                     tenant({cloud("c1", "zoë.ångström@contoso.com")}))
            << Category::SoftMatchPending << Action::Stamp << false << "UPN";
        QTest::newRow("seed 000/002: recreated account, anchor mismatch")
            << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(9))}))
            << Category::AnchorMismatch << Action::Stamp << true
            << anchor(9) + u"; the AD account was recreated";
        QTest::newRow("anchor compares case-sensitively")
            << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(1).toLower())}))
            << Category::AnchorMismatch << Action::Stamp << true << "recreated";
        {
            auto synced = cloud("c1", anna, anchor(9));
            synced.syncEnabled = true;
            QTest::newRow("synced_object: still synced with another anchor")
                << input({annaOnPrem}, tenant({synced})) << Category::SyncedObject << Action::None
                << true << "still synced";
        }
        {
            auto holder = cloud("d1", "anna-old@contoso.com", anchor(1));
            holder.deletedDateTime = QDateTime(QDate(2026, 11, 1), QTime(8, 0), Qt::UTC);
            QTest::newRow("seed 002: recycle-bin user holds the anchor (SourceAnchor uniqueness)")
                << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(9))}, {holder}))
                << Category::DeletedAnchorHolder << Action::PurgeDeleted << true
                << "Uniqueness violation. Property: SourceAnchor";
        }
        QTest::newRow("seed 003: conflicting proxyAddress held by another user")
            << input({onPrem(anna, 1, anna, {"SMTP:anna@contoso.com", "smtp:sales@contoso.com"})},
                     tenant({cloud("c1", anna),
                             cloud("c2", "bob@contoso.com", {}, {}, {"SMTP:Sales@contoso.com"})}))
            << Category::DuplicateAddress << Action::None << true << "sales@contoso.com";
        QTest::newRow("duplicate address beats a hard match")
            << input({onPrem(anna, 1, anna, {"smtp:sales@contoso.com"})},
                     tenant({cloud("c1", anna, anchor(1)),
                             cloud("c2", "bob@contoso.com", {}, "sales@contoso.com")}))
            << Category::DuplicateAddress << Action::None << true << "Linked to cloud user";
        QTest::newRow("duplicate address without any UPN/SMTP match")
            << input({onPrem("carl@contoso.com", 1, "carl@contoso.com")},
                     tenant({cloud("c2", "dave@contoso.com", {}, {}, {"smtp:carl@contoso.com"})}))
            << Category::DuplicateAddress << Action::None << true << "dave@contoso.com";
        QTest::newRow("ambiguous: UPN and SMTP point at different users")
            << input({onPrem(anna, 1, {}, {"SMTP:a.smith@contoso.com"})},
                     tenant({cloud("c1", anna),
                             cloud("c2", "asmith@contoso.com", {}, "a.smith@contoso.com",
                                   {"SMTP:a.smith@contoso.com"})}))
            << Category::AmbiguousMatch << Action::None << true << "asmith@contoso.com";
        QTest::newRow("no_cloud_match")
            << input({annaOnPrem}, tenant({cloud("c9", "zed@contoso.com")}))
            << Category::NoCloudMatch << Action::None << false << "creates one";
        {
            auto admin = cloud("c1", anna);
            admin.holdsAdminRole = true;
            QTest::newRow("admin_role beats soft match")
                << input({annaOnPrem}, tenant({admin})) << Category::AdminRole << Action::None
                << true << "admin role";
        }
        {
            auto admin = cloud("c1", anna, anchor(9));
            admin.holdsAdminRole = true;
            admin.roles = {{QStringLiteral("Global Administrator"), true}};
            QTest::newRow("admin_role: PIM-eligible Global Administrator beats anchor_mismatch")
                << input({annaOnPrem}, tenant({admin})) << Category::AdminRole << Action::None
                << true << "Global Administrator (eligible through PIM)";
            admin.roles = {{QStringLiteral("User Administrator"), false}};
            QTest::newRow("admin_role: the active role is named")
                << input({annaOnPrem}, tenant({admin})) << Category::AdminRole << Action::None
                << true << "User Administrator (active)";
        }
        {
            // Rule 6a: a source-of-authority conversion keeps the ImmutableId, drops
            // onPremisesSyncEnabled to null.
            auto converted = cloud("c1", anna, anchor(9));
            converted.syncEnabled.reset();
            converted.cloudManaged = true;
            QTest::newRow("cloud_managed: SOA moved to the cloud, not an anchor mismatch")
                << input({annaOnPrem}, tenant({converted})) << Category::CloudManaged
                << Action::None << true << "isCloudManaged = true";
            converted.holdsAdminRole = true;
            QTest::newRow("admin_role comes before cloud_managed")
                << input({annaOnPrem}, tenant({converted})) << Category::AdminRole << Action::None
                << true << "admin role";
            converted.holdsAdminRole = false;
            converted.cloudManaged = false;
            QTest::newRow("isCloudManaged false: still an anchor mismatch")
                << input({annaOnPrem}, tenant({converted})) << Category::AnchorMismatch
                << Action::Stamp << true << "recreated";
        }
        {
            auto snapshot = tenant({cloud("c1", anna)});
            DirectoryObject group;
            group.type = DirectoryObject::Type::Group;
            group.id = QStringLiteral("g-sales");
            group.displayName = QStringLiteral("Sales");
            group.mail = QStringLiteral("sales@contoso.com");
            group.proxyAddresses = {QStringLiteral("SMTP:sales@contoso.com")};
            snapshot.otherObjects = {group};
            const auto salesAnna =
                onPrem(anna, 1, anna, {"SMTP:anna@contoso.com", "smtp:Sales@contoso.com"});
            QTest::newRow("duplicate_address: a group holds a proxy address")
                << input({salesAnna}, snapshot) << Category::DuplicateAddress << Action::None
                << true << "group Sales (id g-sales) holds the address Sales@contoso.com";
            snapshot.otherObjects[0].type = DirectoryObject::Type::Contact;
            QTest::newRow("duplicate_address: a contact holds a proxy address")
                << input({salesAnna}, snapshot) << Category::DuplicateAddress << Action::None
                << true << "contact Sales (id g-sales)";
            snapshot.users[0].immutableId = anchor(1);
            QTest::newRow("duplicate_address: a contact beats a hard match")
                << input({salesAnna}, snapshot) << Category::DuplicateAddress << Action::None
                << true << "Linked to cloud user anna@contoso.com by its anchor, but the contact";
            snapshot.users[0].immutableId.clear();
            snapshot.otherObjects[0].type = DirectoryObject::Type::Group;
            snapshot.otherObjects[0].deleted = true;
            QTest::newRow("a deleted group alone does not block the sync")
                << input({salesAnna}, snapshot) << Category::SoftMatchPending << Action::Stamp
                << false << "soft-matches";
            snapshot.users[0].provisioningErrors = {{QStringLiteral("PropertyConflict"),
                                                     QStringLiteral("ProxyAddresses"),
                                                     QStringLiteral("smtp:sales@contoso.com"),
                                                     {}}};
            QTest::newRow("duplicate_address: a deleted group the sync engine reports")
                << input({salesAnna}, snapshot) << Category::DuplicateAddress << Action::None
                << true
                << "deleted group Sales (id g-sales) holds the address Sales@contoso.com of this "
                   "account; the next sync reports a duplicate attribute until it is removed "
                   "there. The sync "
                   "engine reports it too: PropertyConflict on ProxyAddresses: "
                   "smtp:sales@contoso.com on cloud user anna@contoso.com (id c1)";
        }
        {
            // The engine's own word confirms a conflict with a user the scan already sees.
            auto snapshot = tenant({cloud("c1", anna), cloud("c2", "bob@contoso.com", {}, {},
                                                             {"SMTP:sales@contoso.com"})});
            snapshot.users[0].provisioningErrors = {{QStringLiteral("PropertyConflict"),
                                                     QStringLiteral("ProxyAddresses"),
                                                     QStringLiteral("smtp:sales@contoso.com"),
                                                     {}}};
            QTest::newRow("duplicate_address confirmed by a provisioning error")
                << input({onPrem(anna, 1, anna, {"smtp:sales@contoso.com"})}, snapshot)
                << Category::DuplicateAddress << Action::None << true
                << "bob@contoso.com holds the address sales@contoso.com";
        }
        {
            // A provisioning error never changes a category by itself.
            auto snapshot = tenant({cloud("c1", anna)});
            snapshot.users[0].provisioningErrors = {{QStringLiteral("PropertyConflict"),
                                                     QStringLiteral("UserPrincipalName"),
                                                     anna,
                                                     {}}};
            QTest::newRow("a provisioning error alone keeps the category")
                << input({annaOnPrem}, snapshot) << Category::SoftMatchPending << Action::Stamp
                << false << "soft-matches";
        }
        {
            auto snapshot = tenant({cloud("c1", anna, anchor(9))});
            snapshot.domains[0].federated = true;
            QTest::newRow("federated_domain: stamp via the initial domain")
                << input({annaOnPrem}, snapshot) << Category::FederatedDomain << Action::Stamp
                << true << "anna@contoso.onmicrosoft.com";
            snapshot.users[0].upn = QStringLiteral("anna@emea.contoso.com");
            QTest::newRow("federated parent domain covers subdomains")
                << input({onPrem("anna@emea.contoso.com", 1)}, snapshot)
                << Category::FederatedDomain << Action::Stamp << true << "contoso.com";
        }
        {
            auto twin = onPrem("anna2@contoso.com", 2);
            twin.consistencyGuid = guid(1); // copied mS-DS-ConsistencyGuid
            QTest::newRow("duplicate_onprem_anchor")
                << input({annaOnPrem, twin}, tenant({cloud("c1", anna, anchor(1))}))
                << Category::DuplicateOnPremAnchor << Action::None << true << "2 on-prem accounts";
        }
    }
    void firstRow()
    {
        QFETCH(ReconcileInput, input);
        QFETCH(Category, category);
        QFETCH(Action, action);
        QFETCH(bool, needsApproval);
        QFETCH(QString, reasonPart);

        const QList<Finding> rows = Reconciler::reconcile(input);
        QVERIFY(!rows.isEmpty());
        const Finding &f = rows.first();
        QCOMPARE(categoryName(f.category), categoryName(category));
        QCOMPARE(actionName(f.action), actionName(action));
        QCOMPARE(f.requiresApproval, needsApproval);
        QVERIFY(f.allows(f.action));
        QVERIFY2(f.reason().contains(reasonPart, Qt::CaseInsensitive), qPrintable(f.reason()));
        QCOMPARE(f.onPremUpn, input.onPrem.first().upn);
        QCOMPARE(f.expectedImmutableId(), input.onPrem.first().anchor(input.anchorRule));
        QCOMPARE(f.onPremGuid(), ImmutableId::fromBytes(input.onPrem.first().objectGuid).toGuid());
        // The cheap emptiness checks agree with the worded values.
        QCOMPARE(f.hasOnPremGuid(), !f.onPremGuid().isEmpty());
        QCOMPARE(f.hasExpectedImmutableId(), !f.expectedImmutableId().isEmpty());
        QCOMPARE(f.rowId, 1);
        // A scanned row words its reason, GUID and anchor when read: kept as text (as
        // plan.csv keeps them) they read the same, and the rows are equal.
        Finding asText = f;
        asText.setReason(f.reason());
        asText.setOnPremGuid(f.onPremGuid());
        asText.setExpectedImmutableId(f.expectedImmutableId());
        QVERIFY(!asText.usesStandardReason());
        QCOMPARE(asText.reason(), f.reason());
        QVERIFY(asText == f);
        asText.setReason(f.reason() + u'.');
        QVERIFY(!(asText == f));
    }

    void unreferencedCloudUsersGetTheirOwnRows_data()
    {
        QTest::addColumn<bool>("scoped");
        QTest::newRow("full scan") << false;
        QTest::newRow("scoped scan") << true;
    }
    void unreferencedCloudUsersGetTheirOwnRows()
    {
        QFETCH(bool, scoped);
        auto in = input(
            {onPrem("anna@contoso.com", 1)},
            tenant({cloud("c1", "anna@contoso.com", anchor(1)),
                    cloud("c2", "zed@contoso.com", anchor(7)), cloud("c3", "guest@contoso.com")}));
        in.onPremScanScoped = scoped;
        const QList<Finding> rows = Reconciler::reconcile(in);
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[0].category, Category::InSync);
        QCOMPARE(rows[1].category, Category::OrphanedAnchor);
        QCOMPARE(rows[1].cloudId, QStringLiteral("c2"));
        QCOMPARE(rows[1].allowedActions, (QList<Action>{Action::None, Action::Clear}));
        QCOMPARE(rows[1].action, Action::None);
        QCOMPARE(rows[1].warnings.join(u' ').contains(u"limited to OUs"), scoped);
        QCOMPARE(rows[2].category, Category::CloudOnly);
        QCOMPARE(rows[2].rowId, 3);
        QCOMPARE(rows[2].onPremIndex, -1);
    }

    void clearIsNeverOfferedForFederatedUsers()
    {
        auto snapshot = tenant({cloud("c2", "zed@contoso.com", anchor(7))});
        snapshot.domains[0].federated = true;
        const QList<Finding> rows = Reconciler::reconcile(input({}, snapshot));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].category, Category::OrphanedAnchor);
        QVERIFY(!rows[0].allows(Action::Clear));
    }

    void anchorRuleChoosesTheAttribute_data()
    {
        QTest::addColumn<AnchorRule>("rule");
        QTest::addColumn<bool>("consistencySet");
        QTest::addColumn<int>("expectedSeed");
        QTest::newRow("default prefers consistency guid")
            << AnchorRule::ConsistencyGuidElseObjectGuid << true << 5;
        QTest::newRow("default falls back to objectGUID")
            << AnchorRule::ConsistencyGuidElseObjectGuid << false << 1;
        QTest::newRow("objectGUID ignores consistency guid") << AnchorRule::ObjectGuid << true << 1;
        QTest::newRow("consistency guid only") << AnchorRule::ConsistencyGuid << true << 5;
    }
    void anchorRuleChoosesTheAttribute()
    {
        QFETCH(AnchorRule, rule);
        QFETCH(bool, consistencySet);
        QFETCH(int, expectedSeed);
        auto u = onPrem("anna@contoso.com", 1);
        if (consistencySet)
            u.consistencyGuid = guid(5);
        auto in = input({u}, tenant({cloud("c1", "anna@contoso.com", anchor(expectedSeed))}));
        in.anchorRule = rule;
        const QList<Finding> rows = Reconciler::reconcile(in);
        QCOMPARE(rows[0].category, Category::InSync);
        QCOMPARE(rows[0].expectedImmutableId(), anchor(expectedSeed));
    }

    void noAnchorMeansNothingToStamp()
    {
        auto in = input({onPrem("anna@contoso.com", 1)}, tenant({cloud("c1", "anna@contoso.com")}));
        in.anchorRule = AnchorRule::ConsistencyGuid; // not set on this user
        const Finding f = Reconciler::reconcile(in).first();
        QCOMPARE(f.category, Category::SoftMatchPending);
        QVERIFY(!f.allows(Action::Stamp));
        QCOMPARE(f.action, Action::None);
        QVERIFY(f.warnings.join(u' ').contains(u"mS-DS-ConsistencyGuid"));
    }

    void preflightWarnings_data()
    {
        QTest::addColumn<bool>("objectIdentifierSet");
        QTest::addColumn<bool>("blockHardMatch");
        QTest::addColumn<bool>("blockSoftMatch");
        QTest::addColumn<QStringList>("expectedParts");
        QTest::newRow("none") << false << false << false << QStringList();
        QTest::newRow("onPremisesObjectIdentifier set")
            << true << false << false << QStringList{"onPremisesObjectIdentifier"};
        QTest::newRow("hard match takeover blocked")
            << false << true << false << QStringList{"InvalidHardMatch"};
        QTest::newRow("soft match blocked")
            << false << false << true << QStringList{"blocks soft match"};
        QTest::newRow("all") << true << true << true
                             << QStringList{"onPremisesObjectIdentifier", "InvalidHardMatch",
                                            "blocks soft match"};
    }
    void preflightWarnings()
    {
        QFETCH(bool, objectIdentifierSet);
        QFETCH(bool, blockHardMatch);
        QFETCH(bool, blockSoftMatch);
        QFETCH(QStringList, expectedParts);
        auto target = cloud("c1", "anna@contoso.com");
        if (objectIdentifierSet)
            target.onPremisesObjectIdentifier = QStringLiteral("S-1-5-21-1-2-3-1104");
        auto snapshot = tenant({target});
        snapshot.flags.blockCloudObjectTakeoverThroughHardMatch = blockHardMatch;
        snapshot.flags.blockSoftMatch = blockSoftMatch;
        const Finding f =
            Reconciler::reconcile(input({onPrem("anna@contoso.com", 1)}, snapshot)).first();
        QCOMPARE(f.category, Category::SoftMatchPending);
        QCOMPARE(f.warnings.size(), expectedParts.size());
        for (const QString &part : expectedParts)
            QVERIFY2(f.warnings.join(u' ').contains(part), qPrintable(f.warnings.join(u'|')));
        // A warning lifts an informational row so that it stands out in the review.
        QCOMPARE(f.severity, expectedParts.isEmpty() ? Severity::Info : Severity::Warning);
    }

    // adopt_cloud_anchor (DESIGN.md §3): anchor rule reads mS-DS-ConsistencyGuid, the cloud
    // user's ImmutableId is yielded by no scanned on-prem object, anchor_mismatch or
    // synced_object. Offered, never the default.
    void adoptCloudAnchorOffered_data()
    {
        QTest::addColumn<ReconcileInput>("input");
        QTest::addColumn<bool>("offered");
        const QString anna = QStringLiteral("anna@contoso.com");
        const auto annaOnPrem = onPrem(anna, 1, anna);
        QTest::newRow("anchor_mismatch, default rule")
            << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(9))})) << true;
        {
            auto synced = cloud("c1", anna, anchor(9));
            synced.syncEnabled = true;
            QTest::newRow("synced_object: the only fix")
                << input({annaOnPrem}, tenant({synced})) << true;
        }
        {
            auto in = input({annaOnPrem}, tenant({cloud("c1", anna, anchor(9))}));
            in.anchorRule = AnchorRule::ConsistencyGuid;
            QTest::newRow("rule mS-DS-ConsistencyGuid") << in << true;
            in.anchorRule = AnchorRule::ObjectGuid;
            QTest::newRow("rule objectGUID: AD's value would be ignored") << in << false;
        }
        {
            // another scanned account already yields the cloud anchor: writing it would
            // make two on-prem objects with one anchor
            auto other = onPrem("old.anna@contoso.com", 9);
            QTest::newRow("another on-prem account yields it")
                << input({annaOnPrem, other}, tenant({cloud("c1", anna, anchor(9))})) << false;
        }
        QTest::newRow("soft_match_pending: no cloud anchor to keep")
            << input({annaOnPrem}, tenant({cloud("c1", anna)})) << false;
        QTest::newRow("in_sync") << input({annaOnPrem}, tenant({cloud("c1", anna, anchor(1))}))
                                 << false;
        QTest::newRow("cloud anchor is not a source anchor")
            << input({annaOnPrem}, tenant({cloud("c1", anna, QStringLiteral("not-an-anchor"))}))
            << false;
    }
    void adoptCloudAnchorOffered()
    {
        QFETCH(ReconcileInput, input);
        QFETCH(bool, offered);
        const Finding f = Reconciler::reconcile(input).first();
        QCOMPARE(f.allows(Action::AdoptCloudAnchor), offered);
        QVERIFY(f.action != Action::AdoptCloudAnchor); // needs a person's choice
        if (offered) {
            QVERIFY(f.requiresApproval);
            QVERIFY2(f.reason().contains(u"adopt_cloud_anchor") &&
                         f.reason().contains(f.cloudImmutableId),
                     qPrintable(f.reason()));
        }
    }

    // Provisioning errors attach to the rows they concern: the row of the cloud user that
    // carries them, and the row of the on-prem user whose address is in conflict.
    void syncErrorsAttachToTheirRows()
    {
        const QString anna = QStringLiteral("anna@contoso.com");
        auto snapshot = tenant({cloud("c1", anna, anchor(1)), cloud("c3", "zed@contoso.com")});
        snapshot.users[1].provisioningErrors = {
            {QStringLiteral("PropertyConflict"), QStringLiteral("UserPrincipalName"),
             QStringLiteral("zed@contoso.com"),
             QDateTime(QDate(2026, 11, 20), QTime(8, 0), Qt::UTC)}};
        DirectoryObject contact;
        contact.type = DirectoryObject::Type::Contact;
        contact.id = QStringLiteral("k1");
        contact.displayName = QStringLiteral("Anna (external)");
        contact.provisioningErrors = {{QStringLiteral("PropertyConflict"),
                                       QStringLiteral("ProxyAddresses"),
                                       QStringLiteral("SMTP:Anna@Contoso.com"),
                                       {}}};
        snapshot.otherObjects = {contact};
        const QList<Finding> rows = Reconciler::reconcile(
            input({onPrem(anna, 1, anna), onPrem("bo@contoso.com", 2)}, snapshot));
        QCOMPARE(rows.size(), 3);
        // Anna is in sync; the contact's error names her address: shown, category kept.
        QCOMPARE(rows[0].category, Category::InSync);
        QCOMPARE(rows[0].syncErrors.size(), 1);
        QVERIFY2(rows[0].syncErrors[0].contains(u"contact Anna (external) (id k1)"),
                 qPrintable(rows[0].syncErrors[0]));
        QVERIFY(rows[1].syncErrors.isEmpty());
        QCOMPARE(rows[2].category, Category::CloudOnly);
        QCOMPARE(rows[2].syncErrors,
                 QStringList{QStringLiteral("PropertyConflict on UserPrincipalName: "
                                            "zed@contoso.com (2026-11-20T08:00:00Z) (reported on "
                                            "cloud user zed@contoso.com (id c3))")});
    }

    void cloudManagedWithoutOnPremMatch()
    {
        auto converted = cloud("c1", "zed@contoso.com", anchor(7));
        converted.syncEnabled.reset();
        converted.cloudManaged = true;
        const QList<Finding> rows = Reconciler::reconcile(input({}, tenant({converted})));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].category, Category::CloudManaged);
        QCOMPARE(rows[0].allowedActions, QList<Action>{Action::None});
        QVERIFY(rows[0].requiresApproval);
    }

    void tenantPreflight_data()
    {
        QTest::addColumn<bool>("known");
        QTest::addColumn<bool>("blockHardMatch");
        QTest::addColumn<bool>("blockSoftMatch");
        QTest::addColumn<bool>("objectIdentifier");
        QTest::addColumn<QStringList>("expectedParts");
        QTest::newRow("nothing in the way") << true << false << false << false << QStringList();
        QTest::newRow("flags unknown")
            << false << false << false << false << QStringList{"are unknown", "does not change"};
        QTest::newRow("takeover blocked: the stamps are counted")
            << true << true << false << false
            << QStringList{"2 planned stamp(s) will surface as InvalidHardMatch"};
        QTest::newRow("soft match blocked: the clears are counted")
            << true << false << true << false << QStringList{"1 planned clear(s) will not"};
        QTest::newRow("onPremisesObjectIdentifier on a stamp target")
            << true << false << false << true
            << QStringList{"1 planned stamp(s) target cloud users with "
                           "onPremisesObjectIdentifier"};
    }
    void tenantPreflight()
    {
        QFETCH(bool, known);
        QFETCH(bool, blockHardMatch);
        QFETCH(bool, blockSoftMatch);
        QFETCH(bool, objectIdentifier);
        QFETCH(QStringList, expectedParts);
        // Two soft matches (stamp), one mismatch set to clear.
        auto snapshot = tenant({cloud("c1", "a@contoso.com"), cloud("c2", "b@contoso.com"),
                                cloud("c3", "c@contoso.com", anchor(9))});
        if (objectIdentifier)
            snapshot.users[0].onPremisesObjectIdentifier = QStringLiteral("S-1-5-21-1-2-3-1104");
        snapshot.flags = {blockSoftMatch, blockHardMatch, known};
        QList<Finding> rows = Reconciler::reconcile(input(
            {onPrem("a@contoso.com", 1), onPrem("b@contoso.com", 2), onPrem("c@contoso.com", 3)},
            snapshot));
        rows[2].action = Action::Clear;
        const QStringList notes = Reconciler::tenantPreflight(snapshot, rows);
        for (const QString &part : expectedParts)
            QVERIFY2(notes.join(u' ').contains(part), qPrintable(notes.join(u'|')));
        QCOMPARE(notes.isEmpty(), expectedParts.isEmpty());
    }

    // clear_object_identifier is offered (never proposed) where a stamp target still has
    // onPremisesObjectIdentifier set, needs approval once chosen, and is not offered while
    // the tenant's temporary bypass flag lets Entra Connect update the identifier.
    void clearObjectIdentifierOffered_data()
    {
        QTest::addColumn<QString>("cloudAnchor"); // empty: soft_match_pending
        QTest::addColumn<bool>("federated");
        QTest::addColumn<bool>("bypass");
        QTest::addColumn<bool>("offered");
        QTest::addColumn<int>("category");
        QTest::newRow("soft match pending")
            << QString() << false << false << true << int(Category::SoftMatchPending);
        QTest::newRow("anchor mismatch")
            << anchor(9) << false << false << true << int(Category::AnchorMismatch);
        QTest::newRow("federated: the UPN switch is not combined with it")
            << QString() << true << false << false << int(Category::FederatedDomain);
        QTest::newRow("bypass flag on: nothing blocks the hard match")
            << anchor(9) << false << true << false << int(Category::AnchorMismatch);
    }
    void clearObjectIdentifierOffered()
    {
        QFETCH(QString, cloudAnchor);
        QFETCH(bool, federated);
        QFETCH(bool, bypass);
        QFETCH(bool, offered);
        QFETCH(int, category);
        const QString upn =
            federated ? QStringLiteral("a@fed.example") : QStringLiteral("a@contoso.com");
        auto target = cloud("c1", upn, cloudAnchor);
        target.onPremisesObjectIdentifier = QStringLiteral("S-1-5-21-1-2-3-1104");
        auto snapshot = tenant({target});
        snapshot.domains.append({QStringLiteral("fed.example"), true, false, false, true});
        snapshot.flags.known = true;
        snapshot.flags.allowOnPremUpdateOfObjectIdentifier = bypass;
        QList<Finding> rows = Reconciler::reconcile(input({onPrem(upn, 1)}, snapshot));
        Finding &f = rows[0];
        QCOMPARE(int(f.category), category);
        QCOMPARE(f.allows(Action::ClearObjectIdentifier), offered);
        QVERIFY(f.action != Action::ClearObjectIdentifier); // offered, never the default
        QCOMPARE(f.warnings.join(u' ').contains(u"onPremisesObjectIdentifier"), !bypass);
        if (!offered)
            return;
        QVERIFY(f.warnings.join(u' ').contains(u"cannot be undone"));
        // Chosen, it needs a person's approval even where the category does not.
        f.action = Action::ClearObjectIdentifier;
        f.approved = false;
        QVERIFY(f.needsApproval());
        QVERIFY(!f.isExecutable());
        f.approved = true;
        QVERIFY(f.isExecutable());
        QVERIFY(isIrreversibleAction(f.action));
        const QStringList notes = Reconciler::tenantPreflight(snapshot, rows);
        QVERIFY2(
            notes.join(u' ').contains(
                u"1 planned clear_object_identifier action(s) clear onPremisesObjectIdentifier"),
            qPrintable(notes.join(u'|')));
        QVERIFY(notes.join(u' ').contains(u"not reversible"));
    }

    // The temporary bypass flag is shown with what it means; its name is Graph's.
    void bypassFlagInThePreflight()
    {
        auto snapshot = tenant({cloud("c1", "a@contoso.com")});
        snapshot.flags.known = true;
        snapshot.flags.allowOnPremUpdateOfObjectIdentifier = true;
        const QList<Finding> rows =
            Reconciler::reconcile(input({onPrem("a@contoso.com", 1)}, snapshot));
        const QString notes = Reconciler::tenantPreflight(snapshot, rows).join(u' ');
        QVERIFY2(notes.contains(u"allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled"),
                 qPrintable(notes));
        QVERIFY(notes.contains(u"does not block the hard match"));
        QVERIFY(notes.contains(u"does not change tenant flags"));
        snapshot.flags.allowOnPremUpdateOfObjectIdentifier = false;
        QVERIFY(Reconciler::tenantPreflight(snapshot, rows).isEmpty());
    }

    // A role held through a role-assignable group makes its member admin_role, and the
    // reason names the group.
    void roleThroughGroupIsAdminRole()
    {
        auto member = cloud("c1", "a@contoso.com");
        member.holdsAdminRole = true;
        member.roles = {
            RoleGrant(QStringLiteral("Global Administrator"), true, QStringLiteral("g-admins"))};
        const QList<Finding> rows =
            Reconciler::reconcile(input({onPrem("a@contoso.com", 1)}, tenant({member})));
        QCOMPARE(rows[0].category, Category::AdminRole);
        QVERIFY2(rows[0].reason().contains(u"eligible through PIM") &&
                     rows[0].reason().contains(u"role-assignable group g-admins"),
                 qPrintable(rows[0].reason()));
    }

    void everyCategoryHasAStableNameAndRules()
    {
        QCOMPARE(allCategories().size(), CategoryCount);
        for (Category c : allCategories()) {
            QCOMPARE(categoryFromName(categoryName(c)), std::optional<Category>(c));
            QVERIFY(allowedActionsFor(c).contains(Action::None));
            QVERIFY(allowedActionsFor(c).contains(defaultActionFor(c)));
            QVERIFY(!categoryTitle(c).isEmpty());
        }
        QVERIFY(!allowedActionsFor(Category::FederatedDomain).contains(Action::Clear));
    }

    void manyUsersAreMatchedByIndexNotByOrder()
    {
        // Reverse order on one side: every user must still find its partner. Enough users
        // for the rows to be built in parallel slices (Slices::countFor).
        QList<OnPremUser> onPremUsers;
        QList<CloudUser> cloudUsers;
        const int n = 30000;
        for (int i = 0; i < n; ++i) {
            const QString upn = QStringLiteral("user%1@contoso.com").arg(i);
            onPremUsers << onPrem(upn, i);
            cloudUsers.prepend(
                cloud(QString::number(i), upn.toUpper(), i % 2 ? anchor(i) : QString()));
        }
        const QList<Finding> rows = Reconciler::reconcile(input(onPremUsers, tenant(cloudUsers)));
        QCOMPARE(rows.size(), n);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(rows[i].cloudId, QString::number(i));
            QCOMPARE(rows[i].category, i % 2 ? Category::InSync : Category::SoftMatchPending);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Reconciler)
#include "tst_reconciler.moc"
