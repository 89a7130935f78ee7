// The command line on CloudSession: the permission pre-flight refuses a plan the token
// cannot carry out (exit 1, nothing sent) and --skip-unpermitted runs the rest; the
// practice tenant enforces the purge permission as Entra does.
#include "auditlog.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

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

// The scenario's tenant with the app's application permissions replaced.
QJsonObject withAppPermissions(QJsonObject tenant, const QStringList &permissions)
{
    QJsonArray clients = tenant.value(QLatin1String("clients")).toArray();
    QJsonObject client = clients.first().toObject();
    client.insert(QLatin1String("applicationPermissions"), QJsonArray::fromStringList(permissions));
    clients.replace(0, client);
    tenant.insert(QLatin1String("clients"), clients);
    return tenant;
}

QStringList writeMethods(const QJsonArray &writes)
{
    QStringList methods;
    for (const QJsonValue &w : writes)
        methods.append(w.toObject().value(QLatin1String("method")).toString());
    return methods;
}

} // namespace

class tst_CliSession : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    // Two stamps and two purge-then-stamp rows.
    PracticeScenario m_scenario = PracticeScenario::build(2, 0, 2, 0);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);
    const QStringList m_readWrite{
        QStringLiteral("User.Read.All"), QStringLiteral("User.ReadWrite.All"),
        QStringLiteral("Domain.Read.All"), QStringLiteral("Organization.Read.All")};

    QString freshDir()
    {
        static int n = 0;
        const QString dir = m_dir.filePath(QStringLiteral("run%1").arg(++n));
        QDir().mkpath(dir);
        return dir;
    }
    QList<int> purgeRows() const
    {
        QList<int> ids;
        for (const Finding &f : m_scenario.plan)
            if (f.action == Action::PurgeDeleted)
                ids.append(f.rowId);
        return ids;
    }

private Q_SLOTS:
    void preflightRefusesUnpermittedRows()
    {
        // An application's User.ReadWrite.All cannot purge (DESIGN.md §7).
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(withAppPermissions(m_scenario.tenant, m_readWrite), m_dir.path(),
                                &error),
                 qPrintable(error));
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));

        const CliRun refused = runAnchorfix(applyArgs(practice, dir), m_env);
        QCOMPARE(refused.exitCode, 1);
        for (int id : purgeRows())
            QVERIFY2(refused.err.contains(QStringLiteral("cannot run: row %1 ").arg(id)),
                     qPrintable(refused.err));
        QVERIFY2(refused.err.contains(u"User.DeleteRestore.All"), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(u"--skip-unpermitted"), qPrintable(refused.err));
        QVERIFY(practice.writes().isEmpty()); // nothing was sent
        QVERIFY(!QFile::exists(dir + "/rollback.csv"));

        // --skip-unpermitted: the stamps run, the purge rows are not sent at all.
        const CliRun rest = runAnchorfix(applyArgs(practice, dir, {"--skip-unpermitted"}), m_env);
        QVERIFY2(rest.exitCode == 0, qPrintable(rest.out + rest.err));
        QVERIFY2(rest.out.contains(u"2 applied"), qPrintable(rest.out));
        QCOMPARE(writeMethods(practice.writes()), QStringList({"PATCH", "PATCH"}));
        QList<AuditRecord> records;
        QVERIFY2(AuditLog::read(dir + "/audit.csv", &records, &error), qPrintable(error));
        QVERIFY2(records.first().message.contains(u"left out for lack of permission: rows"),
                 qPrintable(records.first().message));
        for (const AuditRecord &r : std::as_const(records))
            QVERIFY(!purgeRows().contains(r.rowId.toInt()));
    }

    void purgeRoleRunsEverything()
    {
        // With User.DeleteRestore.All the pre-flight passes and the tenant lets it purge.
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(withAppPermissions(m_scenario.tenant,
                                                   m_readWrite + QStringList{QStringLiteral(
                                                                     "User.DeleteRestore.All")}),
                                m_dir.path(), &error),
                 qPrintable(error));
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan));
        const CliRun run = runAnchorfix(applyArgs(practice, dir), m_env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY(!run.err.contains(u"cannot run"));
        const QStringList methods = writeMethods(practice.writes());
        QCOMPARE(methods.count(QStringLiteral("DELETE")), 2);
        QCOMPARE(methods.count(QStringLiteral("PATCH")), 4);
    }

    void everyConnectionOptionIsAccepted()
    {
        // One set of connection options for scan, apply and rollback (DESIGN.md §5):
        // apply and rollback ignore the on-prem ones instead of refusing them (exit 2).
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", m_scenario.plan.mid(0, 2)));
        const QStringList onPrem{"--ldap-uri",    "ldaps://dc1.corp.example",
                                 "--bind-dn",     "svc@corp.example",
                                 "--base-dn",     "DC=corp,DC=example",
                                 "--ldap-filter", "(objectClass=user)",
                                 "--anchor",      "objectGUID",
                                 "--ca-file",     dir + "/ca.pem"};
        const CliRun apply = runAnchorfix(applyArgs(practice, dir, onPrem), m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        QVERIFY(apply.out.contains(u"2 applied"));
        const CliRun rollback =
            runAnchorfix(QStringList{"rollback", "--rollback", dir + "/rollback.csv", "--audit",
                                     dir + "/audit.csv", "--onprem-file", dir + "/users.ldif"} +
                             practice.connectionArgs(PracticeScenario::clientId) + onPrem,
                         m_env);
        QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
        QVERIFY(rollback.out.contains(u"2 undone"));
    }

    void progressOnStderr_data()
    {
        QTest::addColumn<bool>("quiet");
        QTest::newRow("a line per 10 %") << false;
        QTest::newRow("--quiet") << true;
    }
    void progressOnStderr()
    {
        // Work longer than a second shows progress; stderr is a pipe here, so a line per
        // 10 % (no \r); --quiet shows none.
        QFETCH(bool, quiet);
        const PracticeScenario big = PracticeScenario::build(40, 0, 0, 0);
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(big.tenant, m_dir.path(), &error), qPrintable(error));
        QVERIFY(practice.setFaults({{"delayMs", 500}}));
        const QString dir = freshDir();
        QVERIFY(writePlan(dir + "/plan.csv", big.plan));
        const QStringList extra = quiet ? QStringList{"--quiet"} : QStringList{};
        const CliRun apply = runAnchorfix(applyArgs(practice, dir, extra), m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        QVERIFY(!apply.err.contains(u'\r'));
        const QRegularExpression progressLine(QStringLiteral("^(\\d+)/40\\b"),
                                              QRegularExpression::MultilineOption);
        QList<int> counts;
        for (auto it = progressLine.globalMatch(apply.err); it.hasNext();)
            counts.append(it.next().captured(1).toInt());
        if (quiet) {
            QVERIFY2(counts.isEmpty(), qPrintable(apply.err));
            return;
        }
        QVERIFY2(!counts.isEmpty() && counts.size() <= 11, qPrintable(apply.err));
        QCOMPARE(counts.last(), 40);
        for (qsizetype i = 1; i < counts.size(); ++i) // one line per decile, rising
            QVERIFY(counts.at(i) * 10 / 40 > counts.at(i - 1) * 10 / 40);
    }
};

QTEST_GUILESS_MAIN(tst_CliSession)
#include "tst_clisession.moc"
