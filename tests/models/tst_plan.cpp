#include "csv.h"
#include "plan.h"
#include "reconciler.h"
#include "scenario.h"

#include <QBuffer>
#include <QTest>

using namespace Scenario;

namespace {

QString written(const Plan &plan)
{
    QString text;
    QTextStream out(&text);
    plan.write(out);
    out.flush();
    return text;
}

bool readText(const QString &text, Plan *plan, QString *error)
{
    QString copy = text;
    QTextStream in(&copy);
    return Plan::read(in, plan, error);
}

QList<QStringList> records(const QString &text)
{
    QString copy = text;
    QTextStream in(&copy);
    Csv::Reader reader(in);
    QList<QStringList> out;
    QStringList cells;
    while (reader.readRecord(&cells))
        out << cells;
    return out;
}

// A plan whose cells try everything: quotes, commas, newlines, formulas, UTF-8.
Plan hostilePlan()
{
    auto anna = onPrem(QStringLiteral("=cmd|' /C calc'!A0@contoso.com"), 1);
    anna.dn =
        QStringLiteral("CN=Smith\\, \"Anna\",OU=Zoë Ångström 山田,DC=corp,DC=example,DC=test");
    auto bob = onPrem(QStringLiteral("bob@contoso.com"), 2);
    auto carl = onPrem(QStringLiteral("carl@contoso.com"), 3);
    auto in = input({anna, bob, carl},
                    tenant({cloud("c1", anna.upn, anchor(9)), cloud("c2", "bob@contoso.com"),
                            cloud("c3", "+carl@contoso.com", anchor(8)),
                            cloud("c4", "-x@contoso.com", "@odd value, with comma")}));
    QList<Finding> rows = Reconciler::reconcile(in);
    rows[0].appendToReason(QStringLiteral("\nsecond line with \"quotes\""));
    rows[1].syncErrors = {QStringLiteral("=PropertyConflict on UserPrincipalName: bob@contoso.com"),
                          QStringLiteral("PropertyConflict on ProxyAddresses: smtp:x@contoso.com "
                                         "(reported on group Sales, id g1)")};
    return Plan(rows);
}

using Edits = QList<QPair<QString, QString>>; // column, new value

// Replaces one cell of the row with row_id rowId (by column name) in a written plan.
QString withCell(const QString &text, int rowId, const QString &column, const QString &value)
{
    const QList<QStringList> rows = records(text);
    const int c = int(rows.first().indexOf(column));
    QString out;
    for (QStringList row : rows) {
        if (row.first() == QString::number(rowId))
            row[c] = value;
        out += Csv::formatRecord(row);
    }
    return out;
}

// Cloud users of a tenant with a federated domain: an orphaned anchor in it and one outside.
ReconcileInput federatedOrphans()
{
    CloudSnapshot t = tenant({cloud("f1", "olga@fed.example.com", anchor(41)),
                              cloud("m1", "mia@contoso.com", anchor(42))});
    t.domains.append({QStringLiteral("fed.example.com"), true, false, false, true});
    return input({}, t);
}

// The rows of a plan apply would run.
QList<int> executableRowIds(const Plan &plan)
{
    QList<int> ids;
    for (const Finding &f : plan.executableRows())
        ids << f.rowId;
    return ids;
}

} // namespace

class tst_Plan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripKeepsEveryCell()
    {
        Plan plan = hostilePlan();
        QVERIFY(plan.setAction(0, Action::Clear));
        plan.setApproved(0, true);
        const QString first = written(plan);

        Plan back;
        QString error;
        QVERIFY2(readText(first, &back, &error), qPrintable(error));
        QCOMPARE(back.size(), plan.size());
        for (int i = 0; i < plan.size(); ++i) {
            const Finding &a = plan.at(i);
            const Finding &b = back.at(i);
            QCOMPARE(b.rowId, a.rowId);
            QCOMPARE(b.category, a.category);
            QCOMPARE(b.severity, a.severity);
            QCOMPARE(b.onPremDn, a.onPremDn);
            QCOMPARE(b.onPremUpn, a.onPremUpn);
            QCOMPARE(b.onPremGuid(), a.onPremGuid());
            QCOMPARE(b.expectedImmutableId(), a.expectedImmutableId());
            QCOMPARE(b.cloudId, a.cloudId);
            QCOMPARE(b.cloudUpn, a.cloudUpn);
            QCOMPARE(b.cloudImmutableId, a.cloudImmutableId);
            QCOMPARE(b.cloudSyncEnabled, a.cloudSyncEnabled);
            QCOMPARE(b.action, a.action);
            QCOMPARE(b.requiresApproval, a.requiresApproval);
            QCOMPARE(b.approved, a.approved);
            QCOMPARE(b.allowedActions, a.allowedActions);
            QVERIFY(b.reason().startsWith(a.reason()));
            QCOMPARE(b.syncErrors, a.syncErrors);
        }
        QCOMPARE(written(back), first); // stable: a second round trip changes nothing
    }

    void formulaCellsAreGuarded()
    {
        const QString text = written(hostilePlan());
        const QList<QStringList> rows = records(text);
        QVERIFY(rows.size() > 3);
        for (const QStringList &row : rows)
            for (const QString &cell : row)
                QVERIFY2(!QStringLiteral("=+-@").contains(cell.left(1)) || cell.isEmpty(),
                         qPrintable(cell));
        QVERIFY(text.contains(u"'=cmd|"));
        QVERIFY(text.contains(u"'+carl@contoso.com"));
        QVERIFY(text.contains(u"\"'@odd value, with comma\""));
        QCOMPARE(Plan::csvHeader().last(), QStringLiteral("sync_errors"));
        QVERIFY(text.startsWith(Plan::csvHeader().join(u',') + u"\r\n"));
        QVERIFY(text.contains(u"'=PropertyConflict"));
    }

    // sync_errors is an appended column: a plan without it still reads.
    void withoutSyncErrorsColumn()
    {
        const QString text = written(hostilePlan());
        QList<QStringList> rows = records(text);
        QString stripped;
        for (QStringList &row : rows) {
            row.removeLast();
            stripped += Csv::formatRecord(row);
        }
        Plan back;
        QString error;
        QVERIFY2(readText(stripped, &back, &error), qPrintable(error));
        QCOMPARE(back.size(), hostilePlan().size());
        for (const Finding &f : back.rows())
            QVERIFY(f.syncErrors.isEmpty());
    }

    void guardIsExactlyReversible_data()
    {
        QTest::addColumn<QString>("cell");
        for (const char *cell : {"=1+1", "+x", "-5", "@SUM(A1)", "'=already", "'plain", "''", "'",
                                 "plain", "", "\tindent"})
            QTest::newRow(cell) << QString::fromUtf8(cell);
    }
    void guardIsExactlyReversible()
    {
        QFETCH(QString, cell);
        QCOMPARE(Csv::unguardCell(Csv::guardCell(cell)), cell);
    }

    void actionMustBeAllowed()
    {
        Plan plan = hostilePlan();
        const int inSync = 1; // bob: soft match pending → stamp/none only
        QString error;
        QVERIFY(!plan.setAction(inSync, Action::PurgeDeleted, &error));
        QVERIFY2(error.contains(u"allows only"), qPrintable(error));
        QCOMPARE(plan.at(inSync).action, Action::Stamp);
    }

    void adoptCloudAnchorRoundTrips()
    {
        Plan plan = hostilePlan();
        QVERIFY(plan.at(0).allows(Action::AdoptCloudAnchor)); // anna: recreated, cloud anchor 9
        QString error;
        QVERIFY2(plan.setAction(0, Action::AdoptCloudAnchor, &error), qPrintable(error));
        plan.setApproved(0, true);
        QVERIFY(!plan.setAction(1, Action::AdoptCloudAnchor, &error)); // soft match: none to keep
        Plan back;
        QVERIFY2(readText(written(plan), &back, &error), qPrintable(error));
        QCOMPARE(back.at(0).action, Action::AdoptCloudAnchor);
        QVERIFY(back.at(0).approved);
        QCOMPARE(back.at(0).cloudImmutableId, anchor(9));
        QVERIFY(back.executableRows().contains(back.at(0)));
    }

    // clear_object_identifier in plan.csv: written and read back by name, allowed where
    // the scan offered it, and never run without an approval, whatever the file says.
    void clearObjectIdentifierRoundTrips()
    {
        auto target = cloud("c1", "dora@contoso.com"); // soft match: no approval by category
        target.onPremisesObjectIdentifier = QStringLiteral("S-1-5-21-1-2-3-1104");
        Plan plan(Reconciler::reconcile(input({onPrem("dora@contoso.com", 1)}, tenant({target}))));
        QString error;
        QVERIFY2(plan.setAction(0, Action::ClearObjectIdentifier, &error), qPrintable(error));
        QVERIFY(plan.executableRows().isEmpty()); // not approved
        const QString text = written(plan);
        QVERIFY2(text.contains(u",clear_object_identifier,yes,no,"), qPrintable(text));
        Plan back;
        QVERIFY2(readText(text, &back, &error), qPrintable(error));
        QCOMPARE(back.at(0).action, Action::ClearObjectIdentifier);
        QVERIFY(back.at(0).allows(Action::ClearObjectIdentifier));
        QVERIFY(back.at(0).needsApproval());
        QVERIFY(back.executableRows().isEmpty());
        // A hand edit cannot lift the approval: requires_approval "no" is read as yes.
        Plan edited;
        QVERIFY2(
            readText(withCell(withCell(text, 1, "requires_approval", "no"), 1, "approved", "no"),
                     &edited, &error),
            qPrintable(error));
        QVERIFY(edited.at(0).requiresApproval);
        QVERIFY(edited.executableRows().isEmpty());
        QVERIFY2(readText(withCell(text, 1, "approved", "yes"), &edited, &error),
                 qPrintable(error));
        QCOMPARE(edited.executableRows().size(), 1);
        // Where the scan did not offer it (allowed_actions), the file cannot choose it.
        const QString narrowed = withCell(text, 1, "allowed_actions", "none stamp");
        QVERIFY(!readText(narrowed, &edited, &error));
        QVERIFY2(error.contains(u"clear_object_identifier"), qPrintable(error));
    }

    void executableRowsNeedApproval()
    {
        Plan plan = hostilePlan();
        // Row 0 is an anchor mismatch: stamp by default, but flagged.
        QCOMPARE(plan.at(0).category, Category::AnchorMismatch);
        QVERIFY(!plan.executableRows().contains(plan.at(0)));
        plan.setApproved(0, true);
        QVERIFY(plan.executableRows().contains(plan.at(0)));
    }

    void readReportsLineAndColumn_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString header = Plan::csvHeader().mid(0, 16).join(u',') + u"\n";
        const QString good = QStringLiteral(
            "1,anchor_mismatch,warning,CN=a,a@x.com,,h9RUd8MfBkKelc4BLxWG5Q==,c1,a@x.com,old,no,,"
            "stamp,yes,yes,why\n");
        QTest::newRow("empty file") << QString() << "line 1: the file is empty";
        QTest::newRow("missing column")
            << QStringLiteral("row_id,category\n") << "the column \"severity\" is missing";
        QTest::newRow("unknown action")
            << header + QString(good).replace(QStringLiteral(",stamp,"), QStringLiteral(",stmp,"))
            << "line 2, column 13";
        QTest::newRow("action not allowed")
            << header + QString(good).replace(QStringLiteral(",stamp,"),
                                              QStringLiteral(",purge_deleted,"))
            << "not allowed for anchor_mismatch";
        QTest::newRow("adopt without a cloud anchor to keep")
            << header + QString(good).replace(QStringLiteral(",stamp,"),
                                              QStringLiteral(",adopt_cloud_anchor,"))
            << "not allowed for anchor_mismatch";
        QTest::newRow("adopt for a soft match")
            << header +
                   QString(good)
                       .replace(QStringLiteral(",stamp,"), QStringLiteral(",adopt_cloud_anchor,"))
                       .replace(QStringLiteral("anchor_mismatch,warning"),
                                QStringLiteral("soft_match_pending,info"))
                       .replace(QStringLiteral(",old,"),
                                QStringLiteral(",h9RUd8MfBkKelc4BLxWG5Q==,"))
            << "not allowed for soft_match_pending";
        QTest::newRow("unknown category")
            << header + QString(good).replace(QStringLiteral("anchor_mismatch"),
                                              QStringLiteral("mismatch"))
            << "line 2, column 2";
        QTest::newRow("bad yes/no") << header + QString(good).replace(QStringLiteral("yes,yes"),
                                                                      QStringLiteral("yes,maybe"))
                                    << "line 2, column 15";
        QTest::newRow("bad anchor (seed 000 typo)")
            << header + QString(good).replace(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="),
                                              QStringLiteral("3WyOMyLejk2wiReWLQSGw=="))
            << "line 2, column 7";
        QTest::newRow("too few cells")
            << header + QStringLiteral("1,in_sync\n") << "expected 16 cells";
        QTest::newRow("duplicate row id")
            << header + good + good << "line 3, column 1: row_id 1 appears twice";
        QTest::newRow("unclosed quote on line 3")
            << header + good + QStringLiteral("2,in_sync,info,\"CN=a\n")
            << "starts at line 3, column 16";
        QTest::newRow("stray quote")
            << header + QStringLiteral("1,in\"sync\n") << "line 2, column 5";
    }
    void readReportsLineAndColumn()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        Plan plan;
        QString error;
        QVERIFY(!readText(text, &plan, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    // Issue 14.3: relabelling a row in plan.csv must never lift the approval its real
    // category needs. Each edit is either refused with a message or leaves the row
    // waiting for approval.
    void relabelledRowKeepsItsApproval_data()
    {
        QTest::addColumn<Edits>("edits");
        QTest::addColumn<int>("rowId");
        const QString cat = QStringLiteral("category");
        const QString req = QStringLiteral("requires_approval");
        const QString sm = QStringLiteral("soft_match_pending");
        // Row 1 (anna) is an anchor_mismatch; row 4 (dave) a duplicate_address.
        QTest::newRow("category only") << Edits{{cat, sm}} << 1;
        QTest::newRow("category and requires_approval") << Edits{{cat, sm}, {req, "no"}} << 1;
        QTest::newRow("category, requires_approval and the cloud anchor blanked")
            << Edits{{cat, sm}, {req, "no"}, {"cloud_immutable_id", ""}, {"severity", "info"}} << 1;
        QTest::newRow("duplicate_address relabelled, action stamp")
            << Edits{{cat, sm}, {req, "no"}, {"action", "stamp"}, {"allowed_actions", "none stamp"}}
            << 4;
        QTest::newRow("requires_approval only") << Edits{{req, "no"}} << 1;
    }
    void relabelledRowKeepsItsApproval()
    {
        QFETCH(Edits, edits);
        QFETCH(int, rowId);
        auto anna = onPrem(QStringLiteral("anna@contoso.com"), 1);
        auto dave = onPrem(QStringLiteral("dave@contoso.com"), 4);
        auto in = input({anna, onPrem("bob@contoso.com", 2), onPrem("carl@contoso.com", 3), dave},
                        tenant({cloud("c1", "anna@contoso.com", anchor(9)),
                                cloud("c2", "bob@contoso.com"), cloud("c4", "dave@contoso.com"),
                                cloud("c5", "other@contoso.com", {}, "other@contoso.com")}));
        in.cloud.users[3].proxyAddresses = {QStringLiteral("smtp:dave@contoso.com")};
        Plan plan(Reconciler::reconcile(in));
        QCOMPARE(plan.at(0).category, Category::AnchorMismatch);
        QCOMPARE(plan.at(3).category, Category::DuplicateAddress);
        QVERIFY(!executableRowIds(plan).contains(rowId));

        QString text = written(plan);
        for (const auto &[column, value] : edits)
            text = withCell(text, rowId, column, value);
        Plan back;
        QString error;
        if (!readText(text, &back, &error)) {
            QVERIFY2(error.contains(u"line") && error.contains(u"category"), qPrintable(error));
            return; // refused with a message: nothing runs
        }
        const int i = back.indexOfRow(rowId);
        QVERIFY(i >= 0);
        QVERIFY(back.at(i).requiresApproval);
        QVERIFY(!executableRowIds(back).contains(rowId));
        // Approving it by hand is what lets it run.
        back.setApproved(i, true);
        QCOMPARE(executableRowIds(back).contains(rowId), back.at(i).action != Action::None);
    }

    // An unedited plan keeps the approvals it had: a soft match stamps without one.
    void untouchedRowsNeedNoExtraApproval()
    {
        Plan plan = hostilePlan();
        const QList<int> before = executableRowIds(plan);
        QVERIFY(!before.isEmpty());
        Plan back;
        QString error;
        QVERIFY2(readText(written(plan), &back, &error), qPrintable(error));
        QCOMPARE(executableRowIds(back), before);
    }

    // Issue 14.4: the reconciler withholds clear from a federated orphaned anchor; the
    // plan file must keep that restriction.
    void allowedActionsRoundTrip()
    {
        const Plan plan(Reconciler::reconcile(federatedOrphans()));
        QCOMPARE(plan.size(), 2);
        QCOMPARE(plan.at(0).category, Category::OrphanedAnchor);
        QCOMPARE(plan.at(0).allowedActions, QList<Action>{Action::None});
        QCOMPARE(plan.at(1).allowedActions, (QList<Action>{Action::None, Action::Clear}));
        const QString text = written(plan);
        Plan back;
        QString error;
        QVERIFY2(readText(text, &back, &error), qPrintable(error));
        QCOMPARE(back.at(0).allowedActions, QList<Action>{Action::None});
        QCOMPARE(back.at(1).allowedActions, (QList<Action>{Action::None, Action::Clear}));
        QVERIFY(!back.setAction(0, Action::Clear));
        QVERIFY(back.setAction(1, Action::Clear));

        // A hand edit that sets the action anyway is refused with its line and column.
        QVERIFY(!readText(withCell(text, 1, "action", "clear"), &back, &error));
        QVERIFY2(error.contains(u"line 2, column 13") && error.contains(u"not allowed"),
                 qPrintable(error));
        // Widening the list itself: never beyond the category; within it, the row's check
        // fails, so it runs only once approved (and apply re-derives it from the tenant).
        QVERIFY(!readText(withCell(text, 1, "allowed_actions", "none stamp"), &back, &error));
        QVERIFY2(error.contains(u"only narrow"), qPrintable(error));
        QString widened = withCell(text, 1, "allowed_actions", "none clear");
        widened = withCell(widened, 1, "action", "clear");
        widened = withCell(widened, 1, "approved", "no");
        QVERIFY2(readText(widened, &back, &error), qPrintable(error));
        QVERIFY(back.at(0).requiresApproval);
        QVERIFY(!back.at(0).isExecutable());
    }

    // A plan without the appended columns (written before them) still reads.
    void olderPlanWithoutAppendedColumnsReads()
    {
        const QString text = Plan::csvHeader().mid(0, 16).join(u',') +
                             QStringLiteral("\n1,anchor_mismatch,warning,CN=a,a@x.com,,"
                                            "h9RUd8MfBkKelc4BLxWG5Q==,c1,a@x.com,old,no,,stamp,"
                                            "yes,yes,why\n");
        Plan plan;
        QString error;
        QVERIFY2(readText(text, &plan, &error), qPrintable(error));
        QCOMPARE(plan.size(), 1);
        QVERIFY(plan.tenantId().isEmpty());
        QVERIFY(!plan.scannedAt().isValid());
        QVERIFY(plan.at(0).isExecutable());
        QCOMPARE(plan.at(0).allowedActions,
                 (QList<Action>{Action::None, Action::Stamp, Action::Clear}));
        // Without allowed_actions the clear of onPremisesObjectIdentifier is allowed only
        // where the row chose it.
        QString chosen = text;
        chosen.replace(QStringLiteral(",stamp,yes,yes,"),
                       QStringLiteral(",clear_object_identifier,yes,yes,"));
        QVERIFY2(readText(chosen, &plan, &error), qPrintable(error));
        QCOMPARE(plan.at(0).action, Action::ClearObjectIdentifier);
        QVERIFY(plan.at(0).isExecutable());
    }

    // Issue 14.8: the plan knows its tenant and when it was scanned.
    void tenantAndScanTimeRoundTrip()
    {
        Plan plan = hostilePlan();
        const QDateTime when(QDate(2026, 11, 30), QTime(8, 15, 7), Qt::UTC);
        plan.setScan(QStringLiteral("11111111-2222-3333-4444-555555555555"), when);
        const QString text = written(plan);
        Plan back;
        QString error;
        QVERIFY2(readText(text, &back, &error), qPrintable(error));
        QCOMPARE(back.tenantId(), QStringLiteral("11111111-2222-3333-4444-555555555555"));
        QCOMPARE(back.scannedAt(), when);
        QCOMPARE(written(back), text);

        // Rows of two tenants, or a broken time, are refused.
        QVERIFY(!readText(withCell(text, 2, "tenant_id", "other"), &back, &error));
        QVERIFY2(error.contains(u"line 4, column 19") && error.contains(u"one tenant"),
                 qPrintable(error));
        QVERIFY(!readText(withCell(withCell(text, 1, "scanned_at_utc", "yesterday"), 2,
                                   "scanned_at_utc", "yesterday"),
                          &back, &error));
        QVERIFY2(error.contains(u"column 20") && error.contains(u"yesterday"), qPrintable(error));
    }

    // Apply reads only the rows that change something; the others are still checked.
    void changesOnlyKeepsActionableRows()
    {
        const Plan plan = hostilePlan();
        QString text = written(plan);
        QByteArray bytes = text.toUtf8();
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::ReadOnly);
        Plan back;
        QString error;
        qsizetype count = 0;
        QVERIFY2(Plan::read(&buffer, &back, &error, Plan::Rows::Changes, &count),
                 qPrintable(error));
        QCOMPARE(count, qsizetype(plan.size()));
        QList<int> expected;
        for (const Finding &f : plan.rows())
            if (f.action != Action::None)
                expected << f.rowId;
        QList<int> got;
        for (const Finding &f : back.rows())
            got << f.rowId;
        QCOMPARE(got, expected);
        // A broken row with action none is still an error.
        bytes = withCell(text, 4, "category", "nonsense").toUtf8();
        QBuffer broken(&bytes);
        broken.open(QIODevice::ReadOnly);
        QVERIFY(!Plan::read(&broken, &back, &error, Plan::Rows::Changes));
        QVERIFY2(error.contains(u", column 2: \"nonsense\""), qPrintable(error));
    }

    // Issue 14.5: a row with an action but no cloud_id is refused on its own; the rest of
    // the plan still reads and runs.
    void rowWithoutCloudIdIsRefusedAlone()
    {
        const Plan plan = hostilePlan();
        QCOMPARE(plan.at(1).category, Category::SoftMatchPending);
        const QList<int> before = executableRowIds(plan);
        QVERIFY(before.contains(2));
        const QString text = withCell(written(plan), 2, "cloud_id", "");
        for (Plan::Rows mode : {Plan::Rows::All, Plan::Rows::Changes}) {
            QByteArray bytes = text.toUtf8();
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::ReadOnly);
            Plan back;
            QString error;
            QVERIFY2(Plan::read(&buffer, &back, &error, mode), qPrintable(error));
            QList<int> expected = before;
            expected.removeAll(2);
            QCOMPARE(executableRowIds(back), expected);
            QCOMPARE(back.notes().size(), 1);
            QVERIFY2(back.notes().first().contains(u"Row 2 (line 4)") &&
                         back.notes().first().contains(u"cloud_id"),
                     qPrintable(back.notes().first()));
        }
    }

    // A plan saved by a spreadsheet as UTF-16 ("Unicode text") reads like its UTF-8 self.
    void utf16PlanReads()
    {
        const Plan plan = hostilePlan();
        const QString text = written(plan);
        QByteArray bytes("\xff\xfe");
        bytes.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::ReadOnly);
        Plan back;
        QString error;
        QVERIFY2(Plan::read(&buffer, &back, &error), qPrintable(error));
        QCOMPARE(written(back), text);
    }

    void handEditedPlanIsAccepted()
    {
        // Reordered columns, true/1 for yes, a GUID where base64 belongs, CRLF, a BOM and a
        // trailing blank line, as a spreadsheet might leave them.
        QStringList header =
            Plan::csvHeader().mid(0, 16); // a plan from before the appended columns
        header.move(header.indexOf(QStringLiteral("reason")), 0);
        const QString text = QChar(0xfeff) + header.join(u',') +
                             QStringLiteral("\r\n\"note, edited\",1,anchor_mismatch,warning,CN=a,"
                                            "a@x.com,,7754d487-1fc3-4206-9e95-ce012f1586e5,c1,"
                                            "a@x.com,old,FALSE,,Stamp,no,1\r\n\r\n");
        Plan plan;
        QString error;
        QVERIFY2(readText(text, &plan, &error), qPrintable(error));
        QCOMPARE(plan.size(), 1);
        QCOMPARE(plan.at(0).expectedImmutableId(), QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
        QCOMPARE(plan.at(0).action, Action::Stamp);
        QCOMPARE(plan.at(0).approved, true);
        QCOMPARE(plan.at(0).cloudSyncEnabled, std::optional<bool>(false));
        QCOMPARE(plan.at(0).reason(), QStringLiteral("note, edited"));
        // "requires_approval: no" cannot lift what the category demands.
        QCOMPARE(plan.at(0).requiresApproval, true);
        QVERIFY(plan.at(0).isExecutable());
    }
};

QTEST_GUILESS_MAIN(tst_Plan)
#include "tst_plan.moc"
