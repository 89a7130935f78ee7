// Crash safety: `anchorfix apply` is SIGKILLed at random points, many times. After each
// kill every write the tenant received is in rollback.csv (pending or applied), and
// `anchorfix rollback` puts the tenant back as it was.
#include "practiceprocess.h"
#include "practicescenario.h"
#include "rollbackjournal.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class tst_ApplyCrash : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    PracticeScenario m_scenario = PracticeScenario::build(40, 10, 0, 10);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);

    QStringList args(const QString &dir, const QString &command) const
    {
        QStringList a{command, QStringLiteral("--audit"), dir + QStringLiteral("/audit.csv"),
                      QStringLiteral("--rollback"), dir + QStringLiteral("/rollback.csv")};
        if (command == u"apply")
            a << QStringLiteral("--plan") << dir + QStringLiteral("/plan.csv");
        return a + m_practice.connectionArgs(PracticeScenario::clientId);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
    }

    void killAtRandomPointsThenRollBack_data()
    {
        QTest::addColumn<int>("seed");
        // Each row is one kill; seeds make a failure reproducible.
        for (int i = 1; i <= 30; ++i)
            QTest::addRow("kill %d", i) << i;
    }
    void killAtRandomPointsThenRollBack()
    {
        QFETCH(int, seed);
        static qint64 fullRunMs = 0;
        QVERIFY(m_practice.reset());
        // Slow answers stretch the run so that kills land inside it, in every step.
        m_practice.setFaults({{"delayMs", 8}});
        const QString dir = m_dir.filePath(QStringLiteral("kill%1").arg(seed));
        QDir().mkpath(dir);
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));

        if (fullRunMs == 0) {
            // Measure one uninterrupted run to know where "random points" are.
            QElapsedTimer t;
            t.start();
            const CliRun run = runAnchorfix(args(dir, QStringLiteral("apply")), m_env);
            fullRunMs = t.elapsed();
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            QVERIFY(m_practice.reset());
            m_practice.setFaults({{"delayMs", 8}});
            QFile::remove(dir + "/rollback.csv");
            QFile::remove(dir + "/rollback.ps1");
            QFile::remove(dir + "/audit.csv");
        }

        QRandomGenerator random{quint32(seed)};
        const int killAfterMs = int(random.bounded(qMax<qint64>(50, fullRunMs)));
        QProcess apply;
        apply.setProcessEnvironment(m_env);
        apply.start(QStringLiteral(ANCHORFIX_BINARY), args(dir, QStringLiteral("apply")));
        QVERIFY(apply.waitForStarted());
        QTest::qWait(killAfterMs);
        if (apply.state() != QProcess::NotRunning) {
            ::kill(pid_t(apply.processId()), SIGKILL);
            QVERIFY(apply.waitForFinished(10000));
        }
        QTest::qWait(50); // a request already on the wire still reaches the tenant

        // Every write the tenant received is in the journal.
        const QJsonArray writes = m_practice.writes();
        QList<RollbackEntry> rows;
        QString error;
        if (!writes.isEmpty())
            QVERIFY2(RollbackJournal::readRows(dir + "/rollback.csv", &rows, &error),
                     qPrintable(error));
        QSet<QString> journaled;
        for (const RollbackEntry &e : rows)
            journaled.insert(e.cloudId);
        for (const QJsonValue &w : writes) {
            const QString target = w.toObject().value("targetId").toString();
            QVERIFY2(journaled.contains(target),
                     qPrintable(QStringLiteral("kill after %1 ms: write to %2 not in the journal")
                                    .arg(killAfterMs)
                                    .arg(target)));
        }

        int midSwitch = 0; // users caught on the temporary initial-domain UPN
        for (const auto &u : m_practice.users())
            midSwitch += u.first.endsWith(PracticeScenario::initialDomain);

        // Rollback restores the tenant.
        m_practice.setFaults({});
        if (QFile::exists(dir + "/rollback.csv")) {
            const CliRun rollback = runAnchorfix(args(dir, QStringLiteral("rollback")), m_env);
            QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
        }
        const auto users = m_practice.users();
        for (auto it = m_scenario.original.cbegin(); it != m_scenario.original.cend(); ++it)
            QVERIFY2(users.value(it.key()) == it.value(),
                     qPrintable(QStringLiteral("kill after %1 ms: %2 is %3 / %4")
                                    .arg(killAfterMs)
                                    .arg(it.key(), users.value(it.key()).first,
                                         users.value(it.key()).second)));
        // A second rollback of the same journal sends nothing.
        if (QFile::exists(dir + "/rollback.csv")) {
            const qsizetype sent = m_practice.writes().size();
            const CliRun again = runAnchorfix(args(dir, QStringLiteral("rollback")), m_env);
            QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
            QCOMPARE(m_practice.writes().size(), sent);
        }
        qInfo("killed after %d ms of ~%lld ms: %lld writes had landed, %d UPNs mid-switch",
              killAfterMs, fullRunMs, qint64(writes.size()), midSwitch);
    }
};

QTEST_GUILESS_MAIN(tst_ApplyCrash)
#include "tst_applycrash.moc"
