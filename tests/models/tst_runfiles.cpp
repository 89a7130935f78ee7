// Where a run's files are (RunFiles): the names both front-ends use, derived in one place.
#include "runfiles.h"

#include <QTest>

class tst_RunFiles : public QObject
{
    Q_OBJECT
private slots:
    // The wizard's run folder: every file under its usual name, the script beside the journal.
    void inFolder()
    {
        const RunFiles f = RunFiles::inFolder(QStringLiteral("/runs/2026-12-01_10-00-00"));
        QCOMPARE(f.folder, QStringLiteral("/runs/2026-12-01_10-00-00"));
        QCOMPARE(f.auditCsv, QStringLiteral("/runs/2026-12-01_10-00-00/audit.csv"));
        QCOMPARE(f.rollbackCsv, QStringLiteral("/runs/2026-12-01_10-00-00/rollback.csv"));
        QCOMPARE(f.rollbackPs1, QStringLiteral("/runs/2026-12-01_10-00-00/rollback.ps1"));
        QCOMPARE(f.planCsv, QStringLiteral("/runs/2026-12-01_10-00-00/plan.csv"));
        QCOMPARE(f.adScript, QStringLiteral("/runs/2026-12-01_10-00-00/set-aduser.ps1"));
        QCOMPARE(f.rollbackPs1, RunFiles::rollbackScriptFor(f.rollbackCsv));
        QCOMPARE(RunFiles::approvalsFor(f.planCsv),
                 QStringLiteral("/runs/2026-12-01_10-00-00/plan.approvals.json"));
        QCOMPARE(RunFiles::planIn(QStringLiteral("/out")), QStringLiteral("/out/plan.csv"));
    }

    // The command line names rollback.csv; rollback.ps1 goes beside it.
    void rollbackScriptBesideTheCsv_data()
    {
        QTest::addColumn<QString>("csv");
        QTest::addColumn<QString>("ps1");
        QTest::newRow("csv") << "/tmp/x/rollback.csv"
                             << "/tmp/x/rollback.ps1";
        QTest::newRow("no extension") << "/tmp/x/undo"
                                      << "/tmp/x/undo.ps1";
        QTest::newRow("upper case") << "/tmp/x/Undo.CSV"
                                    << "/tmp/x/Undo.ps1";
    }
    void rollbackScriptBesideTheCsv()
    {
        QFETCH(QString, csv);
        QFETCH(QString, ps1);
        QCOMPARE(RunFiles::rollbackScriptFor(csv), ps1);
    }

    // plan.approvals.json beside the plan (anchorfix approve / apply, the wizard's review).
    void approvalsBesideThePlan()
    {
        QCOMPARE(RunFiles::approvalsFor(QStringLiteral("/tmp/plan.csv")),
                 QStringLiteral("/tmp/plan.approvals.json"));
        QCOMPARE(RunFiles::approvalsFor(QStringLiteral("runs/Plan.CSV")),
                 QStringLiteral("runs/Plan.approvals.json"));
        QCOMPARE(RunFiles::approvalsFor(QStringLiteral("plan")),
                 QStringLiteral("plan.approvals.json"));
    }
};

QTEST_GUILESS_MAIN(tst_RunFiles)
#include "tst_runfiles.moc"
