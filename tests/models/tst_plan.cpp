#include "csv.h"
#include "plan.h"
#include "reconciler.h"
#include "scenario.h"

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
    rows[0].reason += QStringLiteral("\nsecond line with \"quotes\"");
    return Plan(rows);
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
            QCOMPARE(b.onPremGuid, a.onPremGuid);
            QCOMPARE(b.expectedImmutableId, a.expectedImmutableId);
            QCOMPARE(b.cloudId, a.cloudId);
            QCOMPARE(b.cloudUpn, a.cloudUpn);
            QCOMPARE(b.cloudImmutableId, a.cloudImmutableId);
            QCOMPARE(b.cloudSyncEnabled, a.cloudSyncEnabled);
            QCOMPARE(b.action, a.action);
            QCOMPARE(b.requiresApproval, a.requiresApproval);
            QCOMPARE(b.approved, a.approved);
            QVERIFY(b.reason.startsWith(a.reason));
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
        QVERIFY(text.startsWith(Plan::csvHeader().join(u',') + u"\r\n"));
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
        const QString header = Plan::csvHeader().join(u',') + u"\n";
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

    void handEditedPlanIsAccepted()
    {
        // Reordered columns, true/1 for yes, a GUID where base64 belongs, CRLF, a BOM and a
        // trailing blank line, as a spreadsheet might leave them.
        QStringList header = Plan::csvHeader();
        header.move(header.indexOf(QStringLiteral("reason")), 0);
        const QString text = QChar(0xfeff) + header.join(u',') +
                             QStringLiteral("\r\n\"note, edited\",1,anchor_mismatch,warning,CN=a,"
                                            "a@x.com,,7754d487-1fc3-4206-9e95-ce012f1586e5,c1,"
                                            "a@x.com,old,FALSE,,Stamp,no,1\r\n\r\n");
        Plan plan;
        QString error;
        QVERIFY2(readText(text, &plan, &error), qPrintable(error));
        QCOMPARE(plan.size(), 1);
        QCOMPARE(plan.at(0).expectedImmutableId, QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
        QCOMPARE(plan.at(0).action, Action::Stamp);
        QCOMPARE(plan.at(0).approved, true);
        QCOMPARE(plan.at(0).cloudSyncEnabled, std::optional<bool>(false));
        QCOMPARE(plan.at(0).reason, QStringLiteral("note, edited"));
        // "requires_approval: no" cannot lift what the category demands.
        QCOMPARE(plan.at(0).requiresApproval, true);
        QVERIFY(plan.at(0).isExecutable());
    }
};

QTEST_GUILESS_MAIN(tst_Plan)
#include "tst_plan.moc"
