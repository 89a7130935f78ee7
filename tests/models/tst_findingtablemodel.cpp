#include "findingfilterproxy.h"
#include "findingtablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

Finding makeFinding(int rowId, Category category, const QString &onPremUpn,
                    const QString &cloudUpn = {})
{
    Finding f;
    f.rowId = rowId;
    f.category = category;
    f.severity = baseSeverityFor(category);
    f.onPremUpn = onPremUpn;
    f.onPremDn =
        onPremUpn.isEmpty() ? QString() : u"CN=" + onPremUpn.section(u'@', 0, 0) + u",DC=corp";
    f.cloudUpn = cloudUpn;
    f.cloudId = cloudUpn.isEmpty() ? QString() : QStringLiteral("id-%1").arg(rowId);
    f.setExpectedImmutableId(onPremUpn.isEmpty() ? QString()
                                                 : QStringLiteral("exp%1==").arg(rowId));
    f.allowedActions = allowedActionsFor(category);
    f.action = defaultActionFor(category);
    f.requiresApproval = categoryNeedsApproval(category);
    f.setReason(QStringLiteral("reason for row %1").arg(rowId));
    return f;
}

// Rows 0..5: one of several categories each.
QList<Finding> sampleFindings()
{
    return {
        makeFinding(1, Category::InSync, "ann@corp.example", "ann@corp.example"),
        makeFinding(2, Category::SoftMatchPending, "bob@corp.example", "bob@corp.example"),
        makeFinding(3, Category::AnchorMismatch, "cat@corp.example", "cat@corp.example"),
        makeFinding(4, Category::DeletedAnchorHolder, "dan@corp.example", "dan@corp.example"),
        makeFinding(5, Category::NoCloudMatch, "eve@corp.example"),
        makeFinding(6, Category::OrphanedAnchor, {}, "zed@corp.example"),
    };
}

using Column = FindingTableModel::Column;

} // namespace

class tst_FindingTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void passesModelTester()
    {
        FindingTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFindings(sampleFindings());
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), int(Column::Count));
        model.setAction(2, Action::Clear);
        model.setApproved(2, true);
        model.setActionForRows({0, 1, 2, 3, 4, 5}, Action::None);
        model.setFindings({});
        QCOMPARE(model.rowCount(), 0);
    }

    void proxyPassesModelTester()
    {
        FindingTableModel model;
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFindings(sampleFindings());
        proxy.sort(int(Column::OnPremUpn));
        proxy.setCategories({Category::AnchorMismatch, Category::InSync});
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setSearchText("cat@");
        QCOMPARE(proxy.rowCount(), 1);
        model.setAction(2, Action::None);
        proxy.setCategories({});
        proxy.setSearchText({});
        QCOMPARE(proxy.rowCount(), 6);
    }

    void displayAndRoles_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("role");
        QTest::addColumn<QVariant>("expected");
        QTest::newRow("category title") << 2 << int(Column::Category) << int(Qt::DisplayRole)
                                        << QVariant(categoryTitle(Category::AnchorMismatch));
        QTest::newRow("category raw")
            << 2 << int(Column::Category) << FindingTableModel::UnderlyingDataRole
            << QVariant(int(Category::AnchorMismatch));
        QTest::newRow("on-prem upn") << 1 << int(Column::OnPremUpn) << int(Qt::DisplayRole)
                                     << QVariant(QStringLiteral("bob@corp.example"));
        QTest::newRow("cloud upn empty")
            << 4 << int(Column::CloudUpn) << int(Qt::DisplayRole) << QVariant(QString());
        QTest::newRow("expected id") << 0 << int(Column::ExpectedImmutableId)
                                     << int(Qt::DisplayRole) << QVariant(QStringLiteral("exp1=="));
        QTest::newRow("action raw")
            << 1 << int(Column::Action) << FindingTableModel::UnderlyingDataRole
            << QVariant(int(Action::Stamp));
        QTest::newRow("action title")
            << 3 << int(Column::Action) << int(Qt::DisplayRole)
            << QVariant(FindingTableModel::actionTitle(Action::PurgeDeleted));
        QTest::newRow("flagged unchecked") << 2 << int(Column::Approval) << int(Qt::CheckStateRole)
                                           << QVariant(int(Qt::Unchecked));
        QTest::newRow("unflagged has no checkbox")
            << 1 << int(Column::Approval) << int(Qt::CheckStateRole) << QVariant();
        QTest::newRow("row id") << 5 << int(Column::CloudUpn) << FindingTableModel::RowIdRole
                                << QVariant(6);
        QTest::newRow("allowed actions")
            << 2 << int(Column::Action) << FindingTableModel::AllowedActionsRole
            << QVariant::fromValue(
                   QList<int>{int(Action::None), int(Action::Stamp), int(Action::Clear)});
        QTest::newRow("severity") << 3 << int(Column::OnPremUpn) << FindingTableModel::SeverityRole
                                  << QVariant(int(Severity::Conflict));
        QTest::newRow("reason tooltip") << 3 << int(Column::Category) << int(Qt::ToolTipRole)
                                        << QVariant(QStringLiteral("reason for row 4"));
    }
    void displayAndRoles()
    {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(int, role);
        QFETCH(QVariant, expected);
        FindingTableModel model;
        model.setFindings(sampleFindings());
        QVariant actual = model.data(model.index(row, column), role);
        if (expected.typeId() == QMetaType::Int && actual.isValid())
            actual = actual.toInt(); // Qt::CheckState → int
        QCOMPARE(actual, expected);
    }

    void flags_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("editable");
        QTest::addColumn<bool>("checkable");
        QTest::newRow("in_sync action fixed") << 0 << int(Column::Action) << false << false;
        QTest::newRow("soft match action editable") << 1 << int(Column::Action) << true << false;
        QTest::newRow("mismatch approval checkable") << 2 << int(Column::Approval) << false << true;
        QTest::newRow("soft match no approval") << 1 << int(Column::Approval) << false << false;
        QTest::newRow("upn read-only") << 2 << int(Column::OnPremUpn) << false << false;
        QTest::newRow("no cloud match fixed") << 4 << int(Column::Action) << false << false;
    }
    void flags()
    {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(bool, editable);
        QFETCH(bool, checkable);
        FindingTableModel model;
        model.setFindings(sampleFindings());
        const Qt::ItemFlags f = model.flags(model.index(row, column));
        QCOMPARE(f.testFlag(Qt::ItemIsEditable), editable);
        QCOMPARE(f.testFlag(Qt::ItemIsUserCheckable), checkable);
        QVERIFY(f.testFlag(Qt::ItemIsEnabled));
    }

    void setActionOnlyAllowed_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<int>("expectedAction");
        QTest::newRow("stamp→clear on mismatch")
            << 2 << QVariant(int(Action::Clear)) << true << int(Action::Clear);
        QTest::newRow("by name") << 2 << QVariant(QStringLiteral("none")) << true
                                 << int(Action::None);
        QTest::newRow("clear refused on soft match")
            << 1 << QVariant(int(Action::Clear)) << false << int(Action::Stamp);
        QTest::newRow("stamp refused on in_sync")
            << 0 << QVariant(int(Action::Stamp)) << false << int(Action::None);
        QTest::newRow("purge on deleted holder")
            << 3 << QVariant(int(Action::None)) << true << int(Action::None);
        QTest::newRow("clear on orphan")
            << 5 << QVariant(QStringLiteral("clear")) << true << int(Action::Clear);
        QTest::newRow("garbage name")
            << 2 << QVariant(QStringLiteral("delete")) << false << int(Action::Stamp);
        QTest::newRow("out of range") << 2 << QVariant(42) << false << int(Action::Stamp);
    }
    void setActionOnlyAllowed()
    {
        QFETCH(int, row);
        QFETCH(QVariant, value);
        QFETCH(bool, accepted);
        QFETCH(int, expectedAction);
        FindingTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFindings(sampleFindings());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QModelIndex index = model.index(row, int(Column::Action));
        QCOMPARE(model.setData(index, value, Qt::EditRole), accepted);
        QCOMPARE(model.data(index, FindingTableModel::UnderlyingDataRole).toInt(), expectedAction);
        QCOMPARE(int(model.finding(row).action), expectedAction);
        if (accepted) {
            QCOMPARE(changed.count(), 1);
            const QModelIndex topLeft = changed.first().at(0).toModelIndex();
            const QModelIndex bottomRight = changed.first().at(1).toModelIndex();
            QCOMPARE(topLeft.row(), row);
            QCOMPARE(bottomRight.row(), row);
            QCOMPARE(topLeft.column(), int(Column::Action));
            const auto roles = changed.first().at(2).value<QList<int>>();
            QVERIFY(roles.contains(Qt::DisplayRole));
            QVERIFY(roles.contains(FindingTableModel::UnderlyingDataRole));
        } else {
            QCOMPARE(changed.count(), 0);
        }
    }

    // The table keeps no rules of its own: for every category and every action, choosing
    // through the table and through Plan gives the same answer, the same message and the
    // same row; approval follows DESIGN.md §3's "needs approval" column.
    void agreesWithPlan_data()
    {
        QTest::addColumn<int>("category");
        QTest::addColumn<int>("action");
        QTest::addColumn<bool>("needsApproval");
        // DESIGN.md §3, "needs approval".
        const QList<Category> approved{
            Category::AnchorMismatch,      Category::SyncedObject,
            Category::DeletedAnchorHolder, Category::DuplicateAddress,
            Category::AmbiguousMatch,      Category::FederatedDomain,
            Category::OrphanedAnchor,      Category::DuplicateOnPremAnchor,
            Category::AdminRole,           Category::CloudManaged};
        for (Category c : allCategories())
            for (Action a : allActions())
                QTest::addRow("%s x %s", qPrintable(categoryName(c)), qPrintable(actionName(a)))
                    << int(c) << int(a) << approved.contains(c);
    }

    void agreesWithPlan()
    {
        QFETCH(int, category);
        QFETCH(int, action);
        QFETCH(bool, needsApproval);
        const Category c = Category(category);
        const Action a = Action(action);
        Finding row = makeFinding(7, c, "amy@corp.example", "amy@corp.example");
        // adopt_cloud_anchor is offered row by row (DESIGN.md §3): offer it where it may be.
        if ((c == Category::AnchorMismatch || c == Category::SyncedObject) &&
            !row.allowedActions.contains(Action::AdoptCloudAnchor))
            row.allowedActions.append(Action::AdoptCloudAnchor);
        QCOMPARE(row.requiresApproval, needsApproval);
        row.approved = row.requiresApproval; // so that a withdrawn approval shows

        FindingTableModel model;
        QAbstractItemModelTester tester(&model);
        model.setFindings({row});
        Plan plan({row});
        QString modelError, planError;
        const bool modelTook = model.setAction(0, a, &modelError);
        QCOMPARE(modelTook, plan.setAction(0, a, &planError));
        QCOMPARE(modelTook, row.allows(a));
        QCOMPARE(modelError, planError);
        QCOMPARE(model.finding(0), plan.at(0));
        QCOMPARE(model.plan().rows(), plan.rows());

        // Approval: the same answer and row, and the table offers a check box exactly where
        // Plan takes an approval.
        for (bool approve : {true, false}) {
            modelError.clear();
            planError.clear();
            QCOMPARE(model.setApproved(0, approve, &modelError),
                     plan.setApproved(0, approve, &planError));
            QCOMPARE(modelError, planError);
            QCOMPARE(model.finding(0), plan.at(0));
            QCOMPARE(model.pendingApprovalCount(), Plan::awaitsApproval(plan.at(0)) ? 1 : 0);
            QCOMPARE(model.executableCount(), int(plan.executableRows().size()));
        }
        QCOMPARE(bool(model.flags(model.index(0, int(Column::Approval))) & Qt::ItemIsUserCheckable),
                 Plan::takesApproval(plan.at(0)));
        QCOMPARE(Plan::takesApproval(plan.at(0)), needsApproval);
    }

    void refusalExplainsItself()
    {
        FindingTableModel model;
        model.setFindings(sampleFindings());
        QString error;
        QVERIFY(!model.setAction(1, Action::Clear, &error));
        QVERIFY2(error.contains(FindingTableModel::actionTitle(Action::Stamp)), qPrintable(error));
        QVERIFY(!model.setApproved(1, true, &error));
        QVERIFY2(error.contains(u"needs no approval"), qPrintable(error));
    }

    void approvalGatesExecution()
    {
        FindingTableModel model;
        model.setFindings(sampleFindings());
        // bob (soft match, stamp) runs; cat (mismatch) and dan (purge) wait for approval.
        QCOMPARE(model.executableCount(), 1);
        QCOMPARE(model.pendingApprovalCount(), 2);
        QSignalSpy choices(&model, &FindingTableModel::choicesChanged);
        const QModelIndex approval = model.index(2, int(Column::Approval));
        // As the view's check box sends it: a Qt::CheckState in the QVariant.
        QVERIFY(model.setData(approval, QVariant::fromValue(Qt::Checked), Qt::CheckStateRole));
        QCOMPARE(model.data(approval, Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(model.executableCount(), 2);
        QCOMPARE(model.countByAction(Action::Stamp), 2);
        QCOMPARE(choices.count(), 1);
        // A new action withdraws the approval given for the old one.
        QVERIFY(model.setAction(2, Action::Clear));
        QVERIFY(!model.finding(2).approved);
        QCOMPARE(model.executableCount(), 1);
        QCOMPARE(model.plan().rows().at(2).action, Action::Clear);
    }

    void bulkChanges()
    {
        FindingTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFindings(sampleFindings());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        // Only rows 2 (mismatch) and 5 (orphan) allow clear.
        QCOMPARE(model.setActionForRows({0, 1, 2, 3, 4, 5}, Action::Clear), 2);
        QCOMPARE(model.finding(2).action, Action::Clear);
        QCOMPARE(model.finding(5).action, Action::Clear);
        QCOMPARE(model.finding(1).action, Action::Stamp);
        QCOMPARE(changed.count(), 2); // rows 2 and 5 are not adjacent
        changed.clear();
        QCOMPARE(model.setApprovedForRows({1, 2, 3, 4, 5}, true), 3);
        QCOMPARE(changed.count(), 2); // rows 2-3, then row 5
        QCOMPARE(model.pendingApprovalCount(), 0);
    }

    void countsPerCategory()
    {
        FindingTableModel model;
        QList<Finding> rows = sampleFindings();
        rows.append(makeFinding(7, Category::AnchorMismatch, "fay@corp.example", "fay@x"));
        model.setFindings(rows);
        QCOMPARE(model.countByCategory(Category::AnchorMismatch), 2);
        QCOMPARE(model.countByCategory(Category::InSync), 1);
        QCOMPARE(model.countByCategory(Category::AdminRole), 0);
        model.setFindings({});
        QCOMPARE(model.countByCategory(Category::AnchorMismatch), 0);
    }

    void filter_data()
    {
        QTest::addColumn<QList<int>>("categories");
        QTest::addColumn<QList<int>>("severities");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("expectedRowIds");
        QTest::newRow("all") << QList<int>{} << QList<int>{} << QString()
                             << QList<int>{1, 2, 3, 4, 5, 6};
        QTest::newRow("one category") << QList<int>{int(Category::AnchorMismatch)} << QList<int>{}
                                      << QString() << QList<int>{3};
        QTest::newRow("conflicts")
            << QList<int>{} << QList<int>{int(Severity::Conflict)} << QString() << QList<int>{4};
        QTest::newRow("info") << QList<int>{} << QList<int>{int(Severity::Info)} << QString()
                              << QList<int>{1, 2, 5};
        QTest::newRow("text in cloud upn")
            << QList<int>{} << QList<int>{} << "ZED@" << QList<int>{6};
        QTest::newRow("text in dn") << QList<int>{} << QList<int>{} << "cn=eve" << QList<int>{5};
        QTest::newRow("text in immutable id")
            << QList<int>{} << QList<int>{} << "exp3=" << QList<int>{3};
        QTest::newRow("category name")
            << QList<int>{} << QList<int>{} << "orphaned_anchor" << QList<int>{6};
        QTest::newRow("text and category disagree")
            << QList<int>{int(Category::InSync)} << QList<int>{} << "bob" << QList<int>{};
        QTest::newRow("whitespace ignored")
            << QList<int>{} << QList<int>{} << "  dan@ " << QList<int>{4};
    }
    void filter()
    {
        QFETCH(QList<int>, categories);
        QFETCH(QList<int>, severities);
        QFETCH(QString, text);
        QFETCH(QList<int>, expectedRowIds);
        FindingTableModel model;
        model.setFindings(sampleFindings());
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        QSet<Category> cats;
        for (int c : categories)
            cats.insert(Category(c));
        QSet<Severity> sevs;
        for (int s : severities)
            sevs.insert(Severity(s));
        QSignalSpy filterChanged(&proxy, &FindingFilterProxy::filterChanged);
        proxy.setCategories(cats);
        proxy.setSeverities(sevs);
        proxy.setSearchText(text);
        QList<int> rowIds;
        for (int r = 0; r < proxy.rowCount(); ++r)
            rowIds.append(proxy.index(r, 0).data(FindingTableModel::RowIdRole).toInt());
        QCOMPARE(rowIds, expectedRowIds);
        QCOMPARE(filterChanged.count(),
                 int(!cats.isEmpty()) + int(!sevs.isEmpty()) + int(!text.trimmed().isEmpty()));
    }

    void executableOnly()
    {
        FindingTableModel model;
        model.setFindings(sampleFindings());
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setExecutableOnly(true);
        QCOMPARE(proxy.rowCount(), 1);
        model.setApproved(2, true); // dynamic filter picks it up
        QCOMPARE(proxy.rowCount(), 2);
    }

    // The "Has sync error" chip: rows with onPremisesProvisioningErrors, with any category.
    void syncErrorsOnly()
    {
        QList<Finding> rows = sampleFindings();
        rows[1].syncErrors = {QStringLiteral("PropertyConflict on ProxyAddresses: smtp:x")};
        rows[5].syncErrors = {QStringLiteral("PropertyConflict on UserPrincipalName: zed")};
        FindingTableModel model;
        model.setFindings(rows);
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        QSignalSpy filterChanged(&proxy, &FindingFilterProxy::filterChanged);
        proxy.setSyncErrorsOnly(true);
        QVERIFY(proxy.isSyncErrorsOnly());
        QCOMPARE(filterChanged.count(), 1);
        QCOMPARE(proxy.sourceRows({proxy.index(0, 0), proxy.index(1, 0)}), (QList<int>{1, 5}));
        proxy.setCategories({Category::OrphanedAnchor}); // combines with the categories
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setCategories({});
        proxy.setSyncErrorsOnly(false);
        QCOMPARE(proxy.rowCount(), 6);
    }

    void sort_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QList<int>>("expectedRowIds");
        QTest::newRow("on-prem upn asc")
            << int(Column::OnPremUpn) << int(Qt::AscendingOrder) << QList<int>{6, 1, 2, 3, 4, 5};
        QTest::newRow("on-prem upn desc")
            << int(Column::OnPremUpn) << int(Qt::DescendingOrder) << QList<int>{5, 4, 3, 2, 1, 6};
        // Conflicts first, then warnings, then info; within a severity, category order.
        QTest::newRow("category asc")
            << int(Column::Category) << int(Qt::AscendingOrder) << QList<int>{4, 3, 6, 1, 2, 5};
        QTest::newRow("action asc")
            << int(Column::Action) << int(Qt::AscendingOrder) << QList<int>{1, 5, 6, 2, 3, 4};
        QTest::newRow("approval asc")
            << int(Column::Approval) << int(Qt::AscendingOrder) << QList<int>{3, 4, 6, 1, 2, 5};
    }
    void sort()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QList<int>, expectedRowIds);
        FindingTableModel model;
        model.setFindings(sampleFindings());
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(column, Qt::SortOrder(order));
        QList<int> rowIds;
        for (int r = 0; r < proxy.rowCount(); ++r)
            rowIds.append(proxy.index(r, 0).data(FindingTableModel::RowIdRole).toInt());
        QCOMPARE(rowIds, expectedRowIds);
    }

    void cachesFollowAReset()
    {
        FindingTableModel model;
        model.setFindings(sampleFindings());
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(int(Column::OnPremUpn));
        proxy.setSearchText("corp.example");
        QCOMPARE(proxy.rowCount(), 6);
        // New rows, other order: the ranks and the search text are rebuilt.
        model.setFindings(
            {makeFinding(10, Category::InSync, "zoe@corp.example", "zoe@corp.example"),
             makeFinding(11, Category::InSync, "amy@other.example", "amy@x"),
             makeFinding(12, Category::InSync, "max@corp.example", "max@corp.example")});
        QList<int> rowIds;
        for (int r = 0; r < proxy.rowCount(); ++r)
            rowIds.append(proxy.index(r, 0).data(FindingTableModel::RowIdRole).toInt());
        QCOMPARE(rowIds, (QList<int>{12, 10}));
        proxy.setSearchText({});
        rowIds.clear();
        for (int r = 0; r < proxy.rowCount(); ++r)
            rowIds.append(proxy.index(r, 0).data(FindingTableModel::RowIdRole).toInt());
        QCOMPARE(rowIds, (QList<int>{11, 12, 10}));
    }

    // A large table is sorted and searched on the worker: the view keeps its rows (and a
    // selection keeps its row) until the new order comes in one layout change.
    void largeTableSortsAndSearchesOnTheWorker()
    {
        FindingTableModel model;
        FindingFilterProxy proxy;
        proxy.setBackgroundThreshold(3); // sampleFindings() has 6 rows
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto rowIds = [&proxy] {
            QList<int> ids;
            for (int r = 0; r < proxy.rowCount(); ++r)
                ids.append(proxy.index(r, 0).data(FindingTableModel::RowIdRole).toInt());
            return ids;
        };
        proxy.sort(int(Column::OnPremUpn), Qt::DescendingOrder);
        model.setFindings(sampleFindings());
        QVERIFY(proxy.isBusy());
        QCOMPARE(rowIds(), (QList<int>{1, 2, 3, 4, 5, 6})); // model order meanwhile
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(proxy.sortColumn(), int(Column::OnPremUpn));
        QCOMPARE(proxy.sortOrder(), Qt::DescendingOrder);
        QCOMPARE(rowIds(), (QList<int>{5, 4, 3, 2, 1, 6}));

        const QPersistentModelIndex eve = proxy.index(0, int(Column::CloudUpn));
        QSignalSpy layouts(&proxy, &QAbstractItemModel::layoutChanged);
        proxy.sort(int(Column::OnPremUpn), Qt::AscendingOrder);
        QCOMPARE(eve.row(), 0); // not yet
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(layouts.count(), 1);
        QCOMPARE(rowIds(), (QList<int>{6, 1, 2, 3, 4, 5}));
        QCOMPARE(eve.row(), 5);
        QCOMPARE(eve.column(), int(Column::CloudUpn));
        QCOMPARE(eve.data(FindingTableModel::RowIdRole).toInt(), 5);

        proxy.setSearchText(QStringLiteral("CAT@"));
        QCOMPARE(proxy.rowCount(), 6);
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(rowIds(), (QList<int>{3}));
        QVERIFY(!eve.isValid()); // filtered away

        // While a search is on, new rows wait for it rather than show unsearched.
        model.setFindings(sampleFindings());
        QCOMPARE(proxy.rowCount(), 0);
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(rowIds(), (QList<int>{3}));
    }

    // The worker reads the rows in place while the person edits choices, even when the
    // rows are shared (a plan kept elsewhere) and an edit moves them: every answer matches
    // the rows as they are, and nothing is read after it moved or was freed.
    void editsWhileTheWorkerRuns()
    {
        QList<Finding> rows;
        const int n = 30000;
        for (int i = 1; i <= n; ++i)
            rows.append(makeFinding(i, i % 2 ? Category::SoftMatchPending : Category::InSync,
                                    QStringLiteral("user%1@corp.example").arg(n - i),
                                    QStringLiteral("user%1@corp.example").arg(i)));
        auto model = std::make_unique<FindingTableModel>();
        model->setFindings(rows);
        FindingFilterProxy proxy;
        proxy.setSourceModel(model.get());
        proxy.setExecutableOnly(true);
        for (int round = 0; round < 6; ++round) {
            const Plan kept = model->plan(); // shares the rows: the next edit moves them
            proxy.sort(round % 2 ? int(Column::OnPremUpn) : int(Column::CloudUpn));
            proxy.setSearchText(round % 3 ? QStringLiteral("user1") : QString());
            model->setAction(round * 2 + 1, Action::None); // a soft-match row stops running
            QVERIFY(model->findings().isDetached());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isBusy(), 20000);
        int expected = 0;
        for (const Finding &f : model->findings())
            expected += f.isExecutable() &&
                                (f.onPremUpn.contains(u"user1") || f.cloudUpn.contains(u"user1"))
                            ? 1
                            : 0;
        QCOMPARE(proxy.rowCount(), expected);
        QString previous;
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const QString upn = proxy.index(r, int(Column::OnPremUpn)).data().toString();
            QVERIFY(upn.contains(u"user1") ||
                    proxy.index(r, int(Column::CloudUpn)).data().toString().contains(u"user1"));
            QVERIFY2(previous <= upn, qPrintable(previous + u" > " + upn));
            previous = upn;
        }
        proxy.sort(int(Column::CloudUpn));
        model.reset(); // freed while the worker may be reading
        QCOMPARE(proxy.rowCount(), 0);
    }

    // Enough rows for ranking and search text to be built in parallel slices: every row
    // lands where it belongs.
    void bigModelSortsAndSearchesInSlices()
    {
        QList<Finding> rows;
        const int n = 30000;
        for (int i = n; i >= 1; --i)
            rows.append(makeFinding(i, Category::InSync,
                                    QStringLiteral("User%1@corp.example").arg(i),
                                    QStringLiteral("user%1@corp.example").arg(i)));
        FindingTableModel model;
        model.setFindings(rows);
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(int(Column::OnPremUpn));
        QTRY_VERIFY(!proxy.isBusy()); // 30k rows: sorted on the worker
        QCOMPARE(proxy.rowCount(), n);
        QString previous;
        for (int r = 0; r < n; ++r) {
            const QString upn = proxy.index(r, int(Column::OnPremUpn)).data().toString().toLower();
            QVERIFY2(previous <= upn, qPrintable(previous + u" > " + upn));
            previous = upn;
        }
        proxy.setSearchText(QStringLiteral("USER12345@"));
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FindingTableModel::RowIdRole).toInt(), 12345);
        proxy.setSearchText(QStringLiteral("reason for row 29999"));
        QTRY_VERIFY(!proxy.isBusy());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FindingTableModel::RowIdRole).toInt(), 29999);
    }

    void sourceRowsOfSelection()
    {
        FindingTableModel model;
        model.setFindings(sampleFindings());
        FindingFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(int(Column::OnPremUpn), Qt::DescendingOrder);
        const QModelIndexList selection{proxy.index(0, 0), proxy.index(0, 3), proxy.index(1, 2)};
        QCOMPARE(proxy.sourceRows(selection), (QList<int>{4, 3}));
    }
};

QTEST_GUILESS_MAIN(tst_FindingTableModel)
#include "tst_findingtablemodel.moc"
