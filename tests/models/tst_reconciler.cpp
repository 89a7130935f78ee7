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
        QVERIFY2(f.reason.contains(reasonPart, Qt::CaseInsensitive), qPrintable(f.reason));
        QCOMPARE(f.onPremUpn, input.onPrem.first().upn);
        QCOMPARE(f.expectedImmutableId, input.onPrem.first().anchor(input.anchorRule));
        QCOMPARE(f.rowId, 1);
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
        QCOMPARE(rows[0].expectedImmutableId, anchor(expectedSeed));
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
            QVERIFY2(f.reason.contains(u"adopt_cloud_anchor") &&
                         f.reason.contains(f.cloudImmutableId),
                     qPrintable(f.reason));
        }
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
        // Reverse order on one side: every user must still find its partner.
        QList<OnPremUser> onPremUsers;
        QList<CloudUser> cloudUsers;
        const int n = 2000;
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
