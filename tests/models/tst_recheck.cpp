#include "recheck.h"

#include <QTest>

Q_DECLARE_METATYPE(Finding)
Q_DECLARE_METATYPE(CloudUserFacts)

namespace {

const QString NewAnchor = QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q==");
const QString OldAnchor = QStringLiteral("AAECAwQFBgcICQoLDA0ODw==");

// A plan row as the reconciler writes it for an on-prem user matched to cloud user c1.
Finding row(Category category, Action action, const QString &cloudAnchor = OldAnchor)
{
    Finding f;
    f.rowId = 7;
    f.category = category;
    f.onPremDn = QStringLiteral("CN=Anna,DC=corp,DC=example,DC=test");
    f.onPremUpn = QStringLiteral("anna@contoso.com");
    f.setExpectedImmutableId(NewAnchor);
    f.cloudId = QStringLiteral("c1");
    f.cloudUpn = QStringLiteral("anna@contoso.com");
    f.cloudImmutableId = cloudAnchor;
    f.cloudSyncEnabled = false;
    f.allowedActions = allowedActionsFor(category);
    f.action = action;
    return f;
}

// A cloud user no on-prem row refers to.
Finding cloudRow(Category category, Action action, QList<Action> allowed)
{
    Finding f;
    f.rowId = 9;
    f.category = category;
    f.cloudId = QStringLiteral("c9");
    f.cloudUpn = QStringLiteral("olga@fed.example.com");
    f.cloudImmutableId = OldAnchor;
    f.allowedActions = allowed;
    f.action = action;
    return f;
}

CloudUserFacts facts(const QString &immutableId, std::optional<bool> sync = false,
                     std::optional<bool> federated = false,
                     std::optional<bool> admin = std::nullopt)
{
    CloudUserFacts f;
    f.upn = QStringLiteral("anna@contoso.com");
    f.immutableId = immutableId;
    f.syncEnabled = sync;
    f.federated = federated;
    f.holdsAdminRole = admin;
    return f;
}

} // namespace

// Re-deriving a plan row from a fresh read of its cloud user (issue 14, "What to build"):
// a row whose category or allowed actions no longer match the file is stale.
class tst_Recheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void staleReason_data()
    {
        QTest::addColumn<Finding>("planRow");
        QTest::addColumn<CloudUserFacts>("fresh");
        QTest::addColumn<QString>(
            "expected"); // empty = still as planned; else a part of the reason

        const auto None = Action::None;
        const auto Stamp = Action::Stamp;
        const auto Clear = Action::Clear;
        QTest::newRow("anchor_mismatch unchanged")
            << row(Category::AnchorMismatch, Stamp) << facts(OldAnchor) << QString();
        QTest::newRow("soft_match_pending unchanged")
            << row(Category::SoftMatchPending, Stamp, {}) << facts({}) << QString();
        QTest::newRow("relabelled: file says soft_match_pending, tenant anchor_mismatch")
            << row(Category::SoftMatchPending, Stamp, {}) << facts(OldAnchor)
            << "now anchor_mismatch, the plan says soft_match_pending";
        QTest::newRow("relabelled: file says anchor_mismatch, tenant soft_match_pending")
            << row(Category::AnchorMismatch, Clear) << facts({})
            << "now soft_match_pending, the plan says anchor_mismatch";
        QTest::newRow("stamped meanwhile: in_sync")
            << row(Category::AnchorMismatch, Stamp) << facts(NewAnchor) << "now in_sync";
        QTest::newRow("synced meanwhile") << row(Category::AnchorMismatch, Stamp)
                                          << facts(OldAnchor, true) << "now synced_object";
        QTest::newRow("sync unknown counts as not synced")
            << row(Category::AnchorMismatch, Stamp) << facts(OldAnchor, std::nullopt) << QString();
        QTest::newRow("domain federated meanwhile")
            << row(Category::AnchorMismatch, Stamp) << facts(OldAnchor, false, true)
            << "now federated_domain";
        QTest::newRow("federated_domain unchanged")
            << row(Category::FederatedDomain, Stamp) << facts(OldAnchor, false, true) << QString();
        QTest::newRow("federated_domain, domain now managed")
            << row(Category::FederatedDomain, Stamp) << facts(OldAnchor, false, false)
            << "now anchor_mismatch";
        QTest::newRow("federation not read: the file's word stands")
            << row(Category::FederatedDomain, Stamp) << facts(OldAnchor, false, std::nullopt)
            << QString();
        QTest::newRow("admin role found")
            << row(Category::AnchorMismatch, Stamp) << facts(OldAnchor, false, false, true)
            << "now admin_role";
        Finding deleted = row(Category::DeletedAnchorHolder, Action::PurgeDeleted);
        deleted.deletedHolderId = QStringLiteral("d1");
        QTest::newRow("deleted_anchor_holder unchanged")
            << deleted << facts(OldAnchor) << QString();
        QTest::newRow("deleted_anchor_holder, user now synced")
            << deleted << facts(OldAnchor, true) << "now synced_object";
        Finding noAnchor = row(Category::SoftMatchPending, None, {});
        noAnchor.setExpectedImmutableId(QString());
        noAnchor.allowedActions = {None};
        QTest::newRow("nothing to stamp, and the file agrees")
            << noAnchor << facts({}) << QString();
        noAnchor.allowedActions = {None, Stamp};
        noAnchor.action = Stamp;
        QTest::newRow("nothing to stamp, file says stamp")
            << noAnchor << facts({}) << "stamp is no longer allowed";

        QTest::newRow("orphaned anchor, managed domain, clear")
            << cloudRow(Category::OrphanedAnchor, Clear, {None, Clear})
            << facts(OldAnchor, false, false) << QString();
        QTest::newRow("orphaned anchor, domain federated, clear")
            << cloudRow(Category::OrphanedAnchor, Clear, {None, Clear})
            << facts(OldAnchor, false, true) << "clear is no longer allowed";
        QTest::newRow("orphaned anchor, domain federated, file allows clear, action none")
            << cloudRow(Category::OrphanedAnchor, None, {None, Clear})
            << facts(OldAnchor, false, true) << "the tenant now allows only none";
        QTest::newRow("orphaned anchor, file narrowed to none")
            << cloudRow(Category::OrphanedAnchor, None, {None}) << facts(OldAnchor, false, false)
            << QString();
        QTest::newRow("orphaned anchor cleared meanwhile")
            << cloudRow(Category::OrphanedAnchor, Clear, {None, Clear}) << facts({})
            << "now cloud_only";
        QTest::newRow("whole-tenant category: nothing to re-derive")
            << row(Category::DuplicateAddress, None) << facts({}) << QString();
    }
    void staleReason()
    {
        QFETCH(Finding, planRow);
        QFETCH(CloudUserFacts, fresh);
        QFETCH(QString, expected);
        const QString reason = Recheck::staleReason(planRow, fresh);
        if (expected.isEmpty())
            QVERIFY2(reason.isEmpty(), qPrintable(reason));
        else
            QVERIFY2(reason.contains(expected), qPrintable(reason));
    }

    void inDomain_data()
    {
        QTest::addColumn<QString>("upn");
        QTest::addColumn<bool>("expected");
        QTest::newRow("exact") << "a@fed.example.com" << true;
        QTest::newRow("case") << "a@FED.Example.com" << true;
        QTest::newRow("subdomain") << "a@eu.fed.example.com" << true;
        QTest::newRow("other") << "a@example.com" << false;
        QTest::newRow("suffix only") << "a@notfed.example.com" << false;
        QTest::newRow("no at") << "fed.example.com" << false;
    }
    void inDomain()
    {
        QFETCH(QString, upn);
        QFETCH(bool, expected);
        QCOMPARE(Recheck::inDomain(upn, {QStringLiteral("fed.example.com")}), expected);
    }
};

QTEST_GUILESS_MAIN(tst_Recheck)
#include "tst_recheck.moc"
