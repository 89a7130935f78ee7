// `anchorfix scan` end to end: an on-prem LDIF export and `anchorfix practice`, then the
// plan it wrote goes straight into `anchorfix apply`.
#include "plan.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QFile>
#include <QJsonDocument>
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

    // The 2026 rules in `scan`: PIM eligibility, source of authority, the sync engine's
    // errors, and the tenant flags as a pre-flight, on the bundled demo.
    void scanShows2026Rules_data()
    {
        QTest::addColumn<bool>("grantSyncBehavior");
        QTest::addColumn<bool>("blockTakeover");
        QTest::newRow("every permission") << true << false;
        QTest::newRow("no User-OnPremisesSyncBehavior.ReadWrite.All") << false << false;
        QTest::newRow("takeover by hard match blocked") << true << true;
    }
    void scanShows2026Rules()
    {
        QFETCH(bool, grantSyncBehavior);
        QFETCH(bool, blockTakeover);
        QFile demo(QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-tenant.json"));
        QVERIFY(demo.open(QIODevice::ReadOnly));
        QJsonObject tenant = QJsonDocument::fromJson(demo.readAll()).object();
        QJsonObject client = tenant.value(u"clients").toArray().first().toObject();
        if (!grantSyncBehavior)
            client.insert(QStringLiteral("applicationPermissions"),
                          QJsonArray{"User.Read.All", "Domain.Read.All", "Organization.Read.All",
                                     "RoleManagement.Read.Directory",
                                     "OnPremDirectorySynchronization.Read.All", "Group.Read.All",
                                     "OrgContact.Read.All", "User.ReadWrite.All"});
        tenant.insert(QStringLiteral("clients"), QJsonArray{client});
        if (blockTakeover)
            tenant.insert(
                QStringLiteral("onPremisesSynchronization"),
                QJsonObject{{QStringLiteral("features"),
                             QJsonObject{{QStringLiteral("blockSoftMatchEnabled"), false},
                                         {QStringLiteral("blockCloudObjectTakeoverThroughHard"
                                                         "MatchEnabled"),
                                          true}}}});
        QTemporaryDir dir;
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(tenant, dir.path(), &error), qPrintable(error));
        const QString planPath = dir.filePath(QStringLiteral("plan.csv"));
        const CliRun scan =
            runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                     QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-onprem.ldif"),
                                     QStringLiteral("--plan"), planPath} +
                             practice.connectionArgs(client.value(u"clientId").toString()),
                         PracticeProcess::environment(client.value(u"clientSecret").toString()));
        QVERIFY2(scan.exitCode == 0, qPrintable(scan.out + scan.err));
        QVERIFY(scan.out.contains(u"admin_role"));
        QCOMPARE(scan.out.contains(u"cloud_managed"), grantSyncBehavior);
        // Never a silent gap: what was not checked is a warning naming the permission.
        QCOMPARE(scan.err.contains(u"warning: Source of authority not checked for 1 of 1 "
                                   u"user(s)"),
                 !grantSyncBehavior);
        QVERIFY(scan.err.contains(u"User-OnPremisesSyncBehavior.ReadWrite.All") ==
                !grantSyncBehavior);
        QVERIFY2(scan.out.contains(u"3 rows carry the sync engine's own errors"),
                 qPrintable(scan.out));
        QCOMPARE(scan.out.contains(u"will surface as InvalidHardMatch"), blockTakeover);
        // Carol's cloud user carries onPremisesObjectIdentifier: always a pre-flight note.
        QVERIFY(scan.out.contains(u"target cloud users with onPremisesObjectIdentifier"));
        QVERIFY(scan.out.contains(u"Anchorfix does not change tenant flags"));

        QFile file(planPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QTextStream in(&file);
        Plan plan;
        QVERIFY2(Plan::read(in, &plan, &error), qPrintable(error));
        QHash<QString, Finding> byUpn;
        for (const Finding &f : plan.rows())
            byUpn.insert(f.onPremUpn, f);
        const Finding nina = byUpn.value(QStringLiteral("nina@contoso.example"));
        QCOMPARE(nina.category, Category::AdminRole);
        QVERIFY(nina.reason.contains(u"Global Administrator (eligible through PIM)"));
        QCOMPARE(categoryName(byUpn.value(QStringLiteral("olga@contoso.example")).category),
                 grantSyncBehavior ? QStringLiteral("cloud_managed")
                                   : QStringLiteral("anchor_mismatch"));
        const Finding quinn = byUpn.value(QStringLiteral("quinn@contoso.example"));
        QCOMPARE(quinn.category, Category::DuplicateAddress);
        QVERIFY(quinn.reason.contains(u"the group Marketing (id "));
        QCOMPARE(quinn.syncErrors.size(), 1);
        QVERIFY(quinn.syncErrors.first().contains(u"smtp:marketing@contoso.example"));
        QVERIFY(byUpn.value(QStringLiteral("sam@contoso.example"))
                    .reason.contains(u"The deleted group Old Support (id "));
        QVERIFY(byUpn.value(QStringLiteral("rita@contoso.example"))
                    .syncErrors.value(0)
                    .contains(u"contact Rita Reyes (partner)"));
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
