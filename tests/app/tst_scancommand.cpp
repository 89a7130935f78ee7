// `anchorfix scan` end to end: an on-prem LDIF export and `anchorfix practice`, then the
// plan it wrote goes straight into `anchorfix apply`.
#include "plan.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_ScanCommand : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    PracticeScenario m_scenario = PracticeScenario::build(6, 3, 0, 2);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);

    // The on-prem side of the scenario: one user per stamp and federated row, whose
    // objectGUID is the anchor the plan expects.
    QString writeLdif()
    {
        QString ldif = QStringLiteral("version: 1\n\n");
        for (const Finding &f : m_scenario.plan) {
            if (f.action == Action::Clear)
                continue; // their anchors are orphaned: nothing on-prem holds them
            const QString name = f.cloudUpn.section(u'@', 0, 0);
            ldif += QStringLiteral("dn: CN=%1,OU=Staff,DC=corp,DC=example\n"
                                   "objectClass: user\n"
                                   "sAMAccountName: %1\n"
                                   "userPrincipalName: %2\n"
                                   "objectGUID:: %3\n"
                                   "userAccountControl: 512\n\n")
                        .arg(name, f.cloudUpn, f.expectedImmutableId);
        }
        const QString path = m_dir.filePath(QStringLiteral("onprem.ldif"));
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(ldif.toUtf8());
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
    }

    void scanWritesAPlanThatApplies()
    {
        const QString planPath = m_dir.filePath(QStringLiteral("plan.csv"));
        const CliRun scan =
            runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                     writeLdif(), QStringLiteral("--plan"), planPath} +
                             m_practice.connectionArgs(PracticeScenario::clientId),
                         m_env);
        QVERIFY2(scan.exitCode == 0, qPrintable(scan.out + scan.err));
        QVERIFY(scan.out.contains(u"soft_match_pending"));
        QVERIFY(scan.out.contains(u"orphaned_anchor"));
        QVERIFY(scan.out.contains(u"federated_domain"));

        QFile file(planPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QTextStream in(&file);
        Plan plan;
        QString error;
        QVERIFY2(Plan::read(in, &plan, &error), qPrintable(error));
        QCOMPARE(plan.countByCategory(Category::SoftMatchPending), 6);
        QCOMPARE(plan.countByCategory(Category::OrphanedAnchor), 3);
        QCOMPARE(plan.countByCategory(Category::FederatedDomain), 2);
        // Only the soft matches run without approval.
        QCOMPARE(plan.executableRows().size(), 6);

        const CliRun apply = runAnchorfix(
            QStringList{QStringLiteral("apply"), QStringLiteral("--plan"), planPath,
                        QStringLiteral("--audit"), m_dir.filePath(QStringLiteral("audit.csv")),
                        QStringLiteral("--rollback"),
                        m_dir.filePath(QStringLiteral("rollback.csv"))} +
                m_practice.connectionArgs(PracticeScenario::clientId),
            m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        const auto users = m_practice.users();
        for (const Finding &f : m_scenario.plan)
            QCOMPARE(users.value(f.cloudId).second, f.category == Category::SoftMatchPending
                                                        ? f.expectedImmutableId
                                                        : f.cloudImmutableId);
    }

    void wrongSecretIsAnError()
    {
        const CliRun scan = runAnchorfix(
            QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"), writeLdif(),
                        QStringLiteral("--plan"), m_dir.filePath(QStringLiteral("p2.csv"))} +
                m_practice.connectionArgs(PracticeScenario::clientId),
            PracticeProcess::environment(QStringLiteral("not-the-secret")));
        QCOMPARE(scan.exitCode, 1);
        QVERIFY(scan.err.contains(u"Sign-in failed"));
        QVERIFY(!scan.err.contains(u"not-the-secret")); // secrets never echoed
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("p2.csv"))));
    }

    // A plan may hold edits and approvals: scan does not replace it without --force, and
    // says so before scanning. A new plan is readable by its owner only.
    void existingPlanNeedsForce()
    {
        const QString planPath = m_dir.filePath(QStringLiteral("edited.csv"));
        {
            QFile f(planPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("my edits\n");
        }
        QVERIFY(QFile::setPermissions(planPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                    QFileDevice::ReadGroup));
        const QStringList args =
            QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"), writeLdif(),
                        QStringLiteral("--plan"), planPath} +
            m_practice.connectionArgs(PracticeScenario::clientId);
        const CliRun refused = runAnchorfix(args, m_env);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(u"--force"), qPrintable(refused.err));
        QFile f(planPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("my edits\n"));
        f.close();

        const CliRun forced = runAnchorfix(args + QStringList{QStringLiteral("--force")}, m_env);
        QVERIFY2(forced.exitCode == 0, qPrintable(forced.out + forced.err));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readLine().startsWith("row_id,"));
        f.close();
        // A replaced file keeps its mode; a new one is 0600.
        QCOMPARE(int(QFile::permissions(planPath) & 0x0fff), 0x0640);
        const QString fresh = m_dir.filePath(QStringLiteral("fresh.csv"));
        const CliRun created =
            runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                     writeLdif(), QStringLiteral("--plan"), fresh} +
                             m_practice.connectionArgs(PracticeScenario::clientId),
                         m_env);
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        QCOMPARE(int(QFile::permissions(fresh) & 0x0fff), 0x0600);
    }
};

QTEST_GUILESS_MAIN(tst_ScanCommand)
#include "tst_scancommand.moc"
