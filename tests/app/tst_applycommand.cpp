// `anchorfix apply` and `anchorfix rollback` as an admin runs them: the real binary
// against `anchorfix practice` in its own process, signed in with client credentials.
#include "auditlog.h"
#include "plan.h"
#include "practiceprocess.h"
#include "practicescenario.h"
#include "rollbackjournal.h"

#include <QDir>
#include <QFile>
#include <QProcess>

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <csignal>

namespace {

bool writePlanFile(const QString &path, const Plan &plan)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QTextStream out(&file);
    out.setEncoding(QStringConverter::Utf8);
    plan.write(out);
    return true;
}

QStringList applyArgs(const PracticeProcess &p, const QString &dir, const QStringList &extra = {})
{
    return QStringList{QStringLiteral("apply"),
                       QStringLiteral("--plan"),
                       dir + QStringLiteral("/plan.csv"),
                       QStringLiteral("--audit"),
                       dir + QStringLiteral("/audit.csv"),
                       QStringLiteral("--rollback"),
                       dir + QStringLiteral("/rollback.csv")} +
           p.connectionArgs(PracticeScenario::clientId) + extra;
}

QStringList rollbackArgs(const PracticeProcess &p, const QString &dir)
{
    return QStringList{QStringLiteral("rollback"), QStringLiteral("--rollback"),
                       dir + QStringLiteral("/rollback.csv"), QStringLiteral("--audit"),
                       dir + QStringLiteral("/audit.csv")} +
           p.connectionArgs(PracticeScenario::clientId);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_ApplyCommand : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    // Client credentials cannot purge (no application permission), so no purge rows.
    PracticeScenario m_scenario = PracticeScenario::build(6, 3, 0, 3);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);

    QString freshDir()
    {
        static int n = 0;
        const QString dir = m_dir.filePath(QStringLiteral("run%1").arg(++n));
        QDir().mkpath(dir);
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
    }
    void init() { QVERIFY(m_practice.reset()); }

    void applyThenRollback()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        const CliRun apply = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        QVERIFY(apply.out.contains(QStringLiteral("%1 applied").arg(m_scenario.plan.size())));
        QVERIFY(apply.err.isEmpty()); // not a terminal: no progress line
        const auto after = m_practice.users();
        for (const Finding &f : m_scenario.plan)
            QCOMPARE(after.value(f.cloudId), qMakePair(f.cloudUpn, f.expectedImmutableId()));
        QCOMPARE(m_practice.writes().size(), m_scenario.expectedWrites());
        const QByteArray ps1 = readAll(dir + "/rollback.ps1");
        QVERIFY(ps1.contains("Invoke-MgGraphRequest -Method PATCH"));
        QVERIFY(ps1.contains("onPremisesImmutableId = $null"));

        const CliRun rollback = runAnchorfix(rollbackArgs(m_practice, dir), m_env);
        QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
        const auto restored = m_practice.users();
        for (auto it = m_scenario.original.cbegin(); it != m_scenario.original.cend(); ++it)
            QCOMPARE(restored.value(it.key()), it.value());
        QVERIFY(rollback.out.contains(QStringLiteral("%1 undone").arg(m_scenario.plan.size())));
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY(RollbackJournal::read(dir + "/rollback.csv", &journal, &error));
        QCOMPARE(journal.size(), m_scenario.plan.size());
        for (const RollbackEntry &e : journal)
            QCOMPARE(e.status, RollbackStatus::RolledBack);

        // Run again (the admin is unsure the first one worked): no sign-in, no request,
        // nothing changed, exit 0.
        const qsizetype requestsBefore = m_practice.requests().size();
        const qsizetype writesBefore = m_practice.writes().size();
        const CliRun again = runAnchorfix(rollbackArgs(m_practice, dir), m_env);
        QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
        QVERIFY2(again.out.contains(u"already rolled back"), qPrintable(again.out));
        QCOMPARE(m_practice.requests().size(), requestsBefore);
        QCOMPARE(m_practice.writes().size(), writesBefore);
        QCOMPARE(m_practice.users(), restored);
    }

    // An earlier run's undo beside --rollback is never replaced without --force; found
    // before signing in, so nothing is sent.
    void existingUndoFilesNeedForce_data()
    {
        QTest::addColumn<QString>("existing");
        QTest::newRow("rollback.ps1") << QStringLiteral("rollback.ps1");
        QTest::newRow("rollback.csv") << QStringLiteral("rollback.csv");
    }
    void existingUndoFilesNeedForce()
    {
        QFETCH(QString, existing);
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        const QByteArray earlier = "an earlier run's undo\n";
        {
            QFile f(dir + u'/' + existing);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(earlier);
        }
        const CliRun refused = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(existing) && refused.err.contains(u"--force"),
                 qPrintable(refused.err));
        QVERIFY(!refused.out.contains(u"Undo:"));
        QVERIFY(m_practice.requests().isEmpty());
        QCOMPARE(readAll(dir + u'/' + existing), earlier);

        const CliRun forced =
            runAnchorfix(applyArgs(m_practice, dir, {QStringLiteral("--force")}), m_env);
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.out + forced.err));
        QVERIFY(readAll(dir + "/rollback.ps1").contains("Invoke-MgGraphRequest"));
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY2(RollbackJournal::read(dir + "/rollback.csv", &journal, &error), qPrintable(error));
        QCOMPARE(journal.size(), m_scenario.plan.size());
    }

    void unwritableScriptIsFoundBeforeAnyChange_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("without --force") << QStringList{};
        QTest::newRow("with --force") << QStringList{QStringLiteral("--force")};
    }
    void unwritableScriptIsFoundBeforeAnyChange()
    {
        QFETCH(QStringList, extra);
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        QVERIFY(QDir().mkpath(dir + "/rollback.ps1/keep")); // a folder cannot be replaced
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir, extra), m_env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"rollback.ps1"), qPrintable(run.err));
        QVERIFY(m_practice.writes().isEmpty());
        QVERIFY(!QFile::exists(dir + "/rollback.csv"));
        QVERIFY(!run.out.contains(u"Undo:"));
    }

    // A run the executor refuses writes no journal, so it points at no undo.
    void refusedRunPrintsNoUndoHint()
    {
        const QString dir = freshDir();
        QList<Finding> plan = m_scenario.plan;
        plan.first().setExpectedImmutableId(QString()); // a stamp with nothing to stamp
        QVERIFY(writePlan(dir + "/plan.csv", plan));
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY(m_practice.writes().isEmpty());
        QVERIFY2(!run.out.contains(u"Undo:") && !run.err.contains(u"Undo:"),
                 qPrintable(run.out + run.err));
        QVERIFY(!QFile::exists(dir + "/rollback.csv"));
    }

    void lostBatchReplyAfterTheWritesIsApplied()
    {
        // The case from issue 9: one $batch of 11 changes whose connection closes after
        // the tenant made them, three times in a row (QNetworkAccessManager re-sends twice
        // on its own). The client reads the users back: all applied, and the journal,
        // the audit and the tenant say so.
        const QString dir = freshDir();
        const QList<Finding> plan = m_scenario.plan.mid(0, 11);
        QVERIFY(writePlan(dir + "/plan.csv", plan));
        const QJsonObject lost{{"effect", "lostReply"},
                               {"method", "POST"},
                               {"pathContains", "$batch"},
                               {"bodyContains", "\"onPremisesImmutableId\":"},
                               {"times", 3}};
        QVERIFY(m_practice.setFaults({{"rules", QJsonArray{lost}}}));
        const CliRun apply = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        QVERIFY2(apply.out.contains(u"11 applied, 0 failed"), qPrintable(apply.out));

        // The fault happened: the $batch and Qt's silent re-sends of it (up to two) were
        // answered by a closed connection.
        const QJsonArray requests = m_practice.requests();
        int lostReplies = 0;
        for (const QJsonValue &r : requests)
            lostReplies += r.toObject().value("fault").toString() == u"lostReply";
        QVERIFY2(lostReplies >= 1 && lostReplies <= 3, qPrintable(QString::number(lostReplies)));

        const auto users = m_practice.users();
        QList<RollbackEntry> journal;
        QList<AuditRecord> audit;
        QString error;
        QVERIFY2(RollbackJournal::read(dir + "/rollback.csv", &journal, &error), qPrintable(error));
        QVERIFY2(AuditLog::read(dir + "/audit.csv", &audit, &error), qPrintable(error));
        QCOMPARE(journal.size(), plan.size());
        for (const Finding &f : plan) {
            QCOMPARE(users.value(f.cloudId), qMakePair(f.cloudUpn, f.expectedImmutableId()));
            const auto row =
                std::find_if(journal.cbegin(), journal.cend(),
                             [&](const RollbackEntry &e) { return e.cloudId == f.cloudId; });
            QVERIFY(row != journal.cend());
            QCOMPARE(row->status, RollbackStatus::Applied);
            const auto change =
                std::find_if(audit.cbegin(), audit.cend(), [&](const AuditRecord &a) {
                    return a.rowId == QString::number(f.rowId) &&
                           a.action == auditActionFor(f.action);
                });
            QVERIFY(change != audit.cend());
            QCOMPARE(change->result, AuditResult::Applied);
            QVERIFY2(change->message.contains(u"read") && change->message.contains(u"lost"),
                     qPrintable(change->message));
        }
        // Each anchor change reached the tenant from one request (the re-sends of it included).
        QHash<QString, QSet<QString>> sends;
        for (const QJsonValue &w : m_practice.writes()) {
            const QJsonObject o = w.toObject();
            if (o.value("body").toObject().contains("onPremisesImmutableId"))
                sends[o.value("targetId").toString()].insert(o.value("clientRequestId").toString());
        }
        QCOMPARE(sends.size(), plan.size());
        for (const auto &ids : std::as_const(sends))
            QCOMPARE(ids.size(), 1);
    }

    void dryRunSendsAndWritesNothing()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        const CliRun run =
            runAnchorfix(applyArgs(m_practice, dir, {QStringLiteral("--dry-run")}), m_env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(u"PATCH " + m_practice.baseUrl() + u"/v1.0/users/" +
                                 m_scenario.plan.first().cloudId));
        QVERIFY(run.out.contains(u"Invoke-MgGraphRequest -Method PATCH"));
        QVERIFY(
            run.out.contains(u"\"userPrincipalName\":\"f.0@" + PracticeScenario::initialDomain));
        QVERIFY(run.out.contains(u"\"onPremisesImmutableId\":null"));
        QVERIFY(m_practice.writes().isEmpty());
        QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{"plan.csv"});
    }

    void refusesMoreThanMaxChanges_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("limit below the plan") << QStringList{"--max-changes", "5"} << 1;
        QTest::newRow("limit raised explicitly") << QStringList{"--max-changes", "12"} << 0;
    }
    void refusesMoreThanMaxChanges()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir, extra), m_env);
        QCOMPARE(run.exitCode, exitCode);
        if (exitCode == 1) {
            QVERIFY(run.err.contains(u"--max-changes 12"));
            QVERIFY(m_practice.writes().isEmpty());
            QVERIFY(!QFile::exists(dir + "/rollback.csv"));
            QVERIFY(!QFile::exists(dir + "/audit.csv"));
        } else {
            QCOMPARE(m_practice.writes().size(), m_scenario.expectedWrites());
        }
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("apply without --plan") << QStringList{"apply", "--audit", "a.csv"};
        QTest::newRow("apply with a bad --max-changes")
            << QStringList{"apply", "--plan", "p.csv", "--dry-run", "--max-changes", "many"};
        QTest::newRow("apply with an unknown option") << QStringList{"apply", "--frobnicate"};
        QTest::newRow("rollback without --audit") << QStringList{"rollback", "--rollback", "r.csv"};
        QTest::newRow("scan without --plan") << QStringList{"scan", "--onprem-file", "x.ldif"};
        QTest::newRow("apply with a secret on the command line")
            << QStringList{"apply", "--plan", "p.csv", "--dry-run", "--client-secret", "s"};
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        const CliRun run = runAnchorfix(args, m_env);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(!run.err.isEmpty());
    }

    void failedRowsExitThree()
    {
        // A stamp of an anchor another user holds is refused (ObjectConflict).
        QList<Finding> plan{m_scenario.plan.at(0), m_scenario.plan.at(1)};
        plan[1].setExpectedImmutableId(m_scenario.plan.at(6).cloudImmutableId); // a clear row's
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", plan));
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(run.err.contains(u"failed"));
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY(RollbackJournal::read(dir + "/rollback.csv", &journal, &error));
        QCOMPARE(journal.size(), 2);
        QCOMPARE(journal.at(0).status, RollbackStatus::Applied);
        QCOMPARE(journal.at(1).status, RollbackStatus::Failed);
    }

    void staleRowsAreSkipped()
    {
        const QString dir = freshDir();
        QList<Finding> plan{m_scenario.plan.at(0)};
        plan[0].cloudImmutableId = PracticeScenario::anchor(777); // not what the tenant has
        // A row with a cloud anchor is an anchor_mismatch (plan.csv refuses a soft match
        // whose cells say otherwise).
        plan[0].category = Category::AnchorMismatch;
        plan[0].allowedActions = allowedActionsFor(plan[0].category);
        plan[0].requiresApproval = true;
        plan[0].approved = true;
        QVERIFY(writePlan(dir + "/plan.csv", plan));
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(run.err.contains(u"stale"));
        QVERIFY(m_practice.writes().isEmpty());
    }

    void auditIsAppendOnly()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan.mid(0, 2)));
        QCOMPARE(runAnchorfix(applyArgs(m_practice, dir), m_env).exitCode, 0);
        const QByteArray first = readAll(dir + "/audit.csv");
        QVERIFY(first.startsWith("timestamp_utc,run_id,operator,tenant_id,row_id,cloud_id,"));
        // A second run (the rows are stale now) with another rollback file.
        QStringList args = applyArgs(m_practice, dir);
        args[args.indexOf(dir + "/rollback.csv")] = dir + "/rollback2.csv";
        QCOMPARE(runAnchorfix(args, m_env).exitCode, 3);
        const QByteArray second = readAll(dir + "/audit.csv");
        QVERIFY(second.size() > first.size());
        QVERIFY(second.startsWith(first)); // never rewritten
        QCOMPARE(second.count("timestamp_utc,"), 1);
        QList<AuditRecord> records;
        QString error;
        QVERIFY2(AuditLog::read(dir + "/audit.csv", &records, &error), qPrintable(error));
        QSet<QString> runs;
        for (const AuditRecord &r : records)
            runs.insert(r.runId);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(records.last().result, AuditResult::Finished);
        // DESIGN.md §4: app:<client id> (<app display name>) for an app-only sign-in.
        QCOMPARE(records.last().operatorName,
                 QString(u"app:" + PracticeScenario::clientId + u" (Anchorfix tests)"));
        // The run-start row names the tenant and the plan file's SHA-256.
        QCOMPARE(records.first().result, AuditResult::Started);
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(readAll(dir + "/plan.csv"), QCryptographicHash::Sha256)
                .toHex());
        QVERIFY2(records.first().message.contains(u"tenant Contoso (practice) (") &&
                     records.first().message.contains(u"sha256 " + sha),
                 qPrintable(records.first().message));
    }

    void oldPlanWarns()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan.mid(0, 1)));
        QFile plan(dir + "/plan.csv");
        QVERIFY(plan.open(QIODevice::ReadWrite));
        QVERIFY(plan.setFileTime(QDateTime::currentDateTime().addSecs(-25 * 3600),
                                 QFileDevice::FileModificationTime));
        plan.close();
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.err.contains(u"25 hours ago"));
        QList<AuditRecord> records;
        QString error;
        QVERIFY(AuditLog::read(dir + "/audit.csv", &records, &error));
        QVERIFY(records.first().message.contains(u"last written 25 h ago"));
    }

    // Issue 14.8: a plan knows its tenant; applying it to another is refused up front.
    void planFromAnotherTenantIsRefused()
    {
        const QString dir = freshDir();
        Plan plan(m_scenario.plan);
        plan.setScan(QStringLiteral("99999999-0000-4000-8000-000000000009"),
                     QDateTime::currentDateTimeUtc());
        QVERIFY(writePlanFile(dir + "/plan.csv", plan));
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"scanned in tenant 99999999-0000-4000-8000-000000000009") &&
                     run.err.contains(u"0c0ffee0-0000-4000-8000-000000000001"),
                 qPrintable(run.err));
        QVERIFY(m_practice.writes().isEmpty());
        QVERIFY(!QFile::exists(dir + "/rollback.csv"));
        QVERIFY(!QFile::exists(dir + "/audit.csv"));
    }

    // The plan's age is its scan time, not the file's: an edit does not make it younger.
    void scanTimeGivesThePlanAge()
    {
        const QString dir = freshDir();
        Plan plan(m_scenario.plan.mid(0, 1));
        plan.setScan(QStringLiteral("0c0ffee0-0000-4000-8000-000000000001"),
                     QDateTime::currentDateTimeUtc().addSecs(-30 * 3600));
        QVERIFY(writePlanFile(dir + "/plan.csv", plan)); // the file itself is new
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains(u"scanned 30 hours ago"), qPrintable(run.err));
        QList<AuditRecord> records;
        QString error;
        QVERIFY(AuditLog::read(dir + "/audit.csv", &records, &error));
        QVERIFY(records.first().message.contains(u"plan scanned 30 h ago"));
    }

    void interruptFinishesTheChangesInFlight()
    {
        // Ctrl+C while federated stamps run: the batch in flight ends (UPNs back), the
        // rest is not started, the journal is compacted and the exit code says error.
        const PracticeScenario many = PracticeScenario::build(0, 0, 0, 60);
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(many.tenant, freshDir(), &error), qPrintable(error));
        QVERIFY(practice.setFaults({{"delayMs", 40}}));
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", many.plan));
        QProcess apply;
        apply.setProcessEnvironment(m_env);
        apply.start(QStringLiteral(ANCHORFIX_BINARY), applyArgs(practice, dir));
        QVERIFY(apply.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(!practice.writes().isEmpty(), 20000);
        ::kill(pid_t(apply.processId()), SIGINT);
        QVERIFY(apply.waitForFinished(30000));
        const QString err = QString::fromUtf8(apply.readAllStandardError());
        QCOMPARE(apply.exitCode(), 1);
        QVERIFY2(err.contains(u"Cancelled"), qPrintable(err));
        QList<RollbackEntry> rows;
        QVERIFY(RollbackJournal::readRows(dir + "/rollback.csv", &rows, &error));
        QVERIFY(!rows.isEmpty());
        QVERIFY(rows.size() < many.plan.size());
        for (const RollbackEntry &e : rows)
            QVERIFY(e.status != RollbackStatus::Pending);
        const auto users = practice.users();
        for (const Finding &f : many.plan)
            QCOMPARE(users.value(f.cloudId).first, f.cloudUpn);
    }

    void progressLineOnATerminal()
    {
        // script(1) (util-linux, always on Debian) gives anchorfix a terminal.
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        QString command = QStringLiteral(ANCHORFIX_BINARY);
        for (const QString &arg : applyArgs(m_practice, dir))
            command +=
                QStringLiteral(" '") + QString(arg).replace(u'\'', QStringLiteral("'\\''")) + u'\'';
        const CliRun run =
            runAnchorfix({}, m_env, 60000, QStringLiteral("script"),
                         {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
        QCOMPARE(run.exitCode, 0);
        const QString total = QString::number(m_scenario.plan.size());
        QVERIFY2(run.out.contains(u'\r') && run.out.contains(u'/' + total), qPrintable(run.out));
        QVERIFY(run.out.contains(total + u'/' + total));
    }

    void refusesANonAuditFile()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan.mid(0, 1)));
        QFile other(dir + "/audit.csv");
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("name,value\r\nkeep,me\r\n");
        other.close();
        const CliRun run = runAnchorfix(applyArgs(m_practice, dir), m_env);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(readAll(dir + "/audit.csv"), QByteArray("name,value\r\nkeep,me\r\n"));
        QVERIFY(m_practice.writes().isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_ApplyCommand)
#include "tst_applycommand.moc"
