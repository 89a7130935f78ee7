// Crash safety: `anchorfix apply` is SIGKILLed many times, at random points of a run and
// at chosen moments: while a federated UPN switch is on the wire, and while the client
// reads back writes whose answer was lost (settling). After each kill every write the
// tenant received is in rollback.csv (pending or settled), and `anchorfix rollback` puts
// every user back as it was, UPNs included.
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

    // The faults of a kill mode: slow answers stretch the run so kills land in every step;
    // "upn switch" holds the answer to the temporary-UPN switch; "settling" loses the
    // answer to an anchor $batch and holds the answer to the read-back that settles it.
    QJsonObject faults(const QString &mode) const
    {
        QJsonObject f{{"delayMs", 8}};
        QJsonArray rules;
        if (mode == u"upn switch")
            rules.append(QJsonObject{
                {"effect", "slowReply"},
                {"method", "POST"},
                {"bodyContains", QString(QStringLiteral("@") + PracticeScenario::initialDomain +
                                         QStringLiteral("\""))},
                {"delayMs", 400},
                {"times", 1000}});
        if (mode == u"settling") {
            rules.append(QJsonObject{{"effect", "lostReply"},
                                     {"method", "POST"},
                                     {"bodyContains", "\"onPremisesImmutableId\":"},
                                     {"times", 3}});
            rules.append(QJsonObject{{"effect", "slowReply"},
                                     {"method", "POST"},
                                     {"bodyContains", "$select=id,onPremisesImmutableId\""},
                                     {"delayMs", 400},
                                     {"times", 1000}});
        }
        f.insert("rules", rules);
        return f;
    }

    // Waits until the tenant has received a request that the mode's slow rule holds.
    bool waitForHeldRequest(int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            for (const QJsonValue &r : m_practice.requests())
                if (r.toObject().value("fault").toString() == u"slowReply")
                    return true;
            QTest::qWait(5);
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
    }

    void killThenRollBack_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("seed");
        // Each row is one kill; seeds make a failure reproducible.
        for (int i = 1; i <= 12; ++i)
            QTest::addRow("random point, kill %d", i) << QStringLiteral("random") << i;
        for (int i = 1; i <= 8; ++i)
            QTest::addRow("during a UPN switch, kill %d", i) << QStringLiteral("upn switch") << i;
        for (int i = 1; i <= 8; ++i)
            QTest::addRow("while settling a lost reply, kill %d", i)
                << QStringLiteral("settling") << i;
    }
    void killThenRollBack()
    {
        QFETCH(QString, mode);
        QFETCH(int, seed);
        static qint64 fullRunMs = 0;
        QVERIFY(m_practice.reset());
        m_practice.setFaults(faults(mode));
        const QString dir = m_dir.filePath(QStringLiteral("kill-%1-%2").arg(mode).arg(seed));
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
            m_practice.setFaults(faults(mode));
            QFile::remove(dir + "/rollback.csv");
            QFile::remove(dir + "/rollback.ps1");
            QFile::remove(dir + "/audit.csv");
        }

        QRandomGenerator random{quint32(seed * 7919 + mode.size())};
        QProcess apply;
        apply.setProcessEnvironment(m_env);
        apply.start(QStringLiteral(ANCHORFIX_BINARY), args(dir, QStringLiteral("apply")));
        QVERIFY(apply.waitForStarted());
        int killAfterMs = 0;
        if (mode == u"random") {
            killAfterMs = int(random.bounded(qMax<qint64>(50, fullRunMs)));
            QTest::qWait(killAfterMs);
        } else {
            // The held answer is pending for 400 ms: kill somewhere inside that window.
            QVERIFY2(waitForHeldRequest(30000), "the step to kill in never came");
            killAfterMs = int(random.bounded(350));
            QTest::qWait(killAfterMs);
        }
        if (apply.state() != QProcess::NotRunning) {
            ::kill(pid_t(apply.processId()), SIGKILL);
            QVERIFY(apply.waitForFinished(10000));
        }
        m_practice.setFaults({}); // a held answer still on its way changes nothing more
        QTest::qWait(50);         // a request already on the wire still reaches the tenant

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
                     qPrintable(QStringLiteral("%1, kill after %2 ms: write to %3 not in the "
                                               "journal")
                                    .arg(mode)
                                    .arg(killAfterMs)
                                    .arg(target)));
        }

        int midSwitch = 0; // users caught on the temporary initial-domain UPN
        for (const auto &u : m_practice.users())
            midSwitch += u.first.endsWith(PracticeScenario::initialDomain);

        // Rollback restores every user, UPNs included.
        if (QFile::exists(dir + "/rollback.csv")) {
            const CliRun rollback = runAnchorfix(args(dir, QStringLiteral("rollback")), m_env);
            QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
        }
        const auto users = m_practice.users();
        for (auto it = m_scenario.original.cbegin(); it != m_scenario.original.cend(); ++it)
            QVERIFY2(users.value(it.key()) == it.value(),
                     qPrintable(QStringLiteral("%1, kill after %2 ms: %3 is %4 / %5")
                                    .arg(mode)
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
        qInfo("%s: killed after %d ms (full run ~%lld ms): %lld writes had landed, %d UPNs "
              "mid-switch",
              qPrintable(mode), killAfterMs, fullRunMs, qint64(writes.size()), midSwitch);
    }
};

QTEST_GUILESS_MAIN(tst_ApplyCrash)
#include "tst_applycrash.moc"
