// `anchorfix verify` as an admin runs it after apply: the real binary against `anchorfix
// practice` in its own process, before and after a simulated Entra Connect sync cycle.
#include "auditlog.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

class tst_VerifyCommand : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    PracticeScenario m_scenario = PracticeScenario::build(5, 0, 0, 0);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);

private Q_SLOTS:
    void initTestCase();
    void usage_data();
    void usage();
    void applyThenVerifyBeforeAndAfterSync();
};

void tst_VerifyCommand::initTestCase()
{
    QString error;
    QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
}

void tst_VerifyCommand::usage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("errPart");
    QTest::newRow("no --audit") << QStringList{"verify"} << 2 << "--audit is required";
    QTest::newRow("missing file") << QStringList{"verify", "--audit", "/nonexistent/audit.csv"} << 2
                                  << "does not exist";
    QTest::newRow("unknown option")
        << QStringList{"verify", "--frobnicate"} << 2 << "Unknown option";
}

void tst_VerifyCommand::usage()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, errPart);
    const CliRun r = runAnchorfix(args, m_env);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(errPart), qPrintable(r.err));
}

void tst_VerifyCommand::applyThenVerifyBeforeAndAfterSync()
{
    const QString dir = m_dir.filePath(QStringLiteral("run"));
    QDir().mkpath(dir);
    const QString audit = dir + QStringLiteral("/audit.csv");
    QVERIFY(writePlan(dir + QStringLiteral("/plan.csv"), m_scenario.plan));
    const QStringList connection = m_practice.connectionArgs(PracticeScenario::clientId);
    CliRun r = runAnchorfix(QStringList{"apply", "--plan", dir + "/plan.csv", "--audit", audit,
                                        "--rollback", dir + "/rollback.csv"} +
                                connection,
                            m_env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("anchorfix verify --audit ") + audit),
             qPrintable(r.out));

    // Before the next sync cycle: nothing has joined yet → exit 3, one row per change.
    r = runAnchorfix(QStringList{"verify", "--audit", audit} + connection, m_env);
    QVERIFY2(r.exitCode == 3, qPrintable(r.err + r.out));
    QCOMPARE(r.out.count(QStringLiteral("waiting_for_sync\t")), 5);
    QVERIFY2(r.out.contains(u"0 joined, 5 waiting for sync, 0 with sync errors"),
             qPrintable(r.out));

    // The sync engine sees the planned anchors in AD: every stamped user joins.
    QList<QPair<QString, QString>> onPrem;
    for (const Finding &f : m_scenario.plan)
        onPrem.append({f.expectedImmutableId(), f.cloudUpn});
    // Graph's sync times have whole seconds: the cycle runs a minute after the change, as a
    // real one would (one in the same second would not count as "after").
    const QJsonObject cycle = m_practice.sync(onPrem, QDateTime::currentDateTimeUtc().addSecs(60));
    QCOMPARE(cycle.value(QStringLiteral("joined")).toArray().size(), 5);

    r = runAnchorfix(QStringList{"verify", "--audit", audit, "--quiet"} + connection, m_env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    QCOMPARE(r.out.count(QStringLiteral("joined\t")), 5);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));

    QList<AuditRecord> rows;
    QString error;
    QVERIFY2(AuditLog::read(audit, &rows, &error), qPrintable(error));
    int waiting = 0, joined = 0;
    for (const AuditRecord &row : rows) {
        waiting += row.result == AuditResult::WaitingForSync ? 1 : 0;
        joined += row.result == AuditResult::Joined ? 1 : 0;
        if (row.result == AuditResult::Joined) {
            QVERIFY(!row.requestId.isEmpty());
            // the same signed-in identity as apply's own rows
            QVERIFY(
                row.operatorName.startsWith(QStringLiteral("app:") + PracticeScenario::clientId));
            QCOMPARE(row.operatorName, rows.first().operatorName);
        }
    }
    QCOMPARE(waiting, 5);
    QCOMPARE(joined, 5);
}

QTEST_GUILESS_MAIN(tst_VerifyCommand)
#include "tst_verifycommand.moc"
