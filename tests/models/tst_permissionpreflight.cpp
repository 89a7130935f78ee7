// PermissionPreflight: which plan rows a token cannot carry out, before anything is sent.

#include "permissionpreflight.h"

#include <QTest>

namespace {

Finding row(int id, Category category, Action action, bool approved = true)
{
    Finding f;
    f.rowId = id;
    f.category = category;
    f.allowedActions = allowedActionsFor(category);
    f.action = action;
    f.requiresApproval = categoryNeedsApproval(category);
    f.approved = approved;
    f.cloudId = QStringLiteral("id-%1").arg(id);
    f.cloudUpn = QStringLiteral("user%1@contoso.com").arg(id);
    f.setExpectedImmutableId(QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA=="));
    f.deletedHolderId = action == Action::PurgeDeleted ? QStringLiteral("gone") : QString();
    return f;
}

GrantedPermissions token(bool appOnly, const QStringList &permissions, bool known = true)
{
    GrantedPermissions g;
    g.appOnly = appOnly;
    g.known = known;
    (appOnly ? g.roles : g.scopes) = permissions;
    return g;
}

const QString readAll = QStringLiteral("User.Read.All");
const QString writeAll = QStringLiteral("User.ReadWrite.All");
const QString purgeAll = QStringLiteral("User.DeleteRestore.All");

} // namespace

class tst_PermissionPreflight : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void check_data()
    {
        QTest::addColumn<GrantedPermissions>("granted");
        QTest::addColumn<QList<int>>("blocked"); // row ids, plan order
        QTest::addColumn<QStringList>("missingOfFirst");

        QTest::newRow("delegated write: everything runs")
            << token(false, {readAll, writeAll}) << QList<int>{} << QStringList{};
        QTest::newRow("delegated read only: every change blocked")
            << token(false, {readAll}) << QList<int>{1, 2, 3, 4} << QStringList{writeAll};
        QTest::newRow("app write: the purge cannot run")
            << token(true, {readAll, writeAll}) << QList<int>{4} << QStringList{purgeAll};
        QTest::newRow("app write + DeleteRestore: everything runs")
            << token(true, {readAll, writeAll, purgeAll}) << QList<int>{} << QStringList{};
        QTest::newRow("app DeleteRestore only: the stamp after the purge still needs write")
            << token(true, {readAll, purgeAll}) << QList<int>{1, 2, 3, 4} << QStringList{writeAll};
        QTest::newRow("case-insensitive names")
            << token(false, {QStringLiteral("user.readwrite.all")}) << QList<int>{}
            << QStringList{};
        QTest::newRow("unknown permissions (not a JWT): Graph answers for itself")
            << token(false, {}, false) << QList<int>{} << QStringList{};
    }
    void check()
    {
        QFETCH(GrantedPermissions, granted);
        QFETCH(QList<int>, blocked);
        QFETCH(QStringList, missingOfFirst);
        const QList<Finding> rows{
            row(1, Category::SoftMatchPending, Action::Stamp),
            row(2, Category::OrphanedAnchor, Action::Clear),
            row(3, Category::FederatedDomain, Action::Stamp),
            row(4, Category::DeletedAnchorHolder, Action::PurgeDeleted),
            row(5, Category::AnchorMismatch, Action::Stamp, false), // not approved: not run
            row(6, Category::InSync, Action::None),
        };
        const QList<UnpermittedRow> result = PermissionPreflight::check(rows, granted);
        QList<int> ids;
        for (const UnpermittedRow &u : result) {
            ids.append(u.rowId);
            QVERIFY(!u.reason.isEmpty());
            QVERIFY2(u.reason.contains(u.missing.first()), qPrintable(u.reason));
        }
        QCOMPARE(ids, blocked);
        if (!result.isEmpty())
            QCOMPARE(result.first().missing, missingOfFirst);
        // The rest runs: without the blocked rows, nothing is blocked.
        const QList<Finding> rest = PermissionPreflight::withoutRows(rows, result);
        QCOMPARE(rest.size(), rows.size() - blocked.size());
        QVERIFY(PermissionPreflight::check(rest, granted).isEmpty());
        QCOMPARE(PermissionPreflight::describe(result).size(), result.size());
    }

    // clear_object_identifier needs User-OnPremisesSyncBehavior.ReadWrite.All for the
    // clear and User.ReadWrite.All for the stamp after it; it is asked for at execute only
    // when an executable row chooses it.
    void clearObjectIdentifierNeedsSyncBehaviorWrite_data()
    {
        QTest::addColumn<GrantedPermissions>("granted");
        QTest::addColumn<QStringList>("missing");
        const QString behavior = QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All");
        QTest::newRow("write only: the clear cannot run")
            << token(false, {readAll, writeAll}) << QStringList{behavior};
        QTest::newRow("sync behavior only: the stamp after it cannot")
            << token(true, {readAll, behavior}) << QStringList{writeAll};
        QTest::newRow("both: it runs") << token(false, {writeAll, behavior}) << QStringList{};
    }
    void clearObjectIdentifierNeedsSyncBehaviorWrite()
    {
        QFETCH(GrantedPermissions, granted);
        QFETCH(QStringList, missing);
        Finding f = row(7, Category::SoftMatchPending, Action::ClearObjectIdentifier, false);
        f.allowedActions.append(Action::ClearObjectIdentifier);
        QVERIFY(!f.isExecutable()); // irreversible: approval first
        QVERIFY(PermissionPreflight::extraWritePermissions({f}).isEmpty());
        f.approved = true;
        QCOMPARE(PermissionPreflight::extraWritePermissions({f}),
                 QStringList{QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")});
        const QList<UnpermittedRow> result = PermissionPreflight::check({f}, granted);
        QCOMPARE(result.isEmpty(), missing.isEmpty());
        if (missing.isEmpty())
            return;
        QCOMPARE(result.first().missing, missing);
        QVERIFY2(result.first().reason.contains(missing.first()),
                 qPrintable(result.first().reason));
        QVERIFY(PermissionPreflight::extraWritePermissions(
                    {row(1, Category::SoftMatchPending, Action::Stamp)})
                    .isEmpty());
    }

    void purgeReasonNamesTheAppCase()
    {
        const QList<UnpermittedRow> result = PermissionPreflight::check(
            {row(4, Category::DeletedAnchorHolder, Action::PurgeDeleted)},
            token(true, {readAll, writeAll}));
        QCOMPARE(result.size(), 1);
        QVERIFY2(result.first().reason.contains(u"application's User.ReadWrite.All cannot purge"),
                 qPrintable(result.first().reason));
        QCOMPARE(result.first().user, QStringLiteral("user4@contoso.com"));
        QCOMPARE(result.first().action, Action::PurgeDeleted);
    }
};

QTEST_GUILESS_MAIN(tst_PermissionPreflight)
#include "tst_permissionpreflight.moc"
