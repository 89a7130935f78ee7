// `anchorfix scan` end to end: an on-prem LDIF export and `anchorfix practice`, then the
// plan it wrote goes straight into `anchorfix apply`.
#include "plan.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

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
                        .arg(name, f.cloudUpn, f.expectedImmutableId());
        }
        const QString path = m_dir.filePath(QStringLiteral("onprem.ldif"));
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(ldif.toUtf8());
        return path;
    }

    // The rows of a plan without what differs from scan to scan (row ids, scan time),
    // sorted: two scans of the same state give the same list.
    static QStringList planRows(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {QStringLiteral("cannot read ") + path};
        QTextStream in(&file);
        Plan plan;
        QString error;
        if (!Plan::read(in, &plan, &error))
            return {error};
        QStringList rows;
        for (Finding f : plan.rows()) {
            f.rowId = 0;
            rows << Plan::csvRecord(f, QString(), QDateTime());
        }
        rows.sort();
        return rows;
    }

    // Graph requests the practice tenant saw after the first `from` of them.
    static QStringList pathsSince(const QJsonArray &log, qsizetype from)
    {
        QStringList paths;
        for (qsizetype i = from; i < log.size(); ++i) {
            const QJsonObject r = log.at(i).toObject();
            paths << r.value(u"path").toString() + u'?' + r.value(u"query").toString();
        }
        return paths;
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
                                                        ? f.expectedImmutableId()
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
        QVERIFY(nina.reason().contains(u"Global Administrator (eligible through PIM)"));
        QCOMPARE(categoryName(byUpn.value(QStringLiteral("olga@contoso.example")).category),
                 grantSyncBehavior ? QStringLiteral("cloud_managed")
                                   : QStringLiteral("anchor_mismatch"));
        const Finding quinn = byUpn.value(QStringLiteral("quinn@contoso.example"));
        QCOMPARE(quinn.category, Category::DuplicateAddress);
        QVERIFY(quinn.reason().contains(u"the group Marketing (id "));
        QCOMPARE(quinn.syncErrors.size(), 1);
        QVERIFY(quinn.syncErrors.first().contains(u"smtp:marketing@contoso.example"));
        QVERIFY(byUpn.value(QStringLiteral("sam@contoso.example"))
                    .reason()
                    .contains(u"The deleted group Old Support (id "));
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
    // Issue 15: `scan --since-previous` reads only the users changed since the previous
    // scan (GET /users/delta, no /users paging), and its plan is a full scan's; an
    // expired (400 syncStateNotFound) or lost (410 Gone) delta link means a full read with
    // the reason in the output; a state of another tenant or $select is refused.
    void sincePreviousReadsOnlyChanges_data()
    {
        QTest::addColumn<QString>("fault"); // practice fault JSON before the rescan
        QTest::addColumn<QString>("said");  // in the output: a full read and why
        QTest::newRow("changes only") << QString() << QString();
        QTest::newRow("expired delta link")
            << QStringLiteral(R"({"deltaTokenLifetimeMs": 0})") << QStringLiteral("expired");
        QTest::newRow("410 Gone") << QStringLiteral(R"({"deltaResync": true})")
                                  << QStringLiteral("410 Gone");
    }
    void sincePreviousReadsOnlyChanges()
    {
        QFETCH(QString, fault);
        QFETCH(QString, said);
        QTemporaryDir dir;
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(m_scenario.tenant, dir.path(), &error), qPrintable(error));
        const QStringList connection = practice.connectionArgs(PracticeScenario::clientId);
        const QString ldif = writeLdif();
        const auto scan = [&](const QString &plan, const QStringList &extra) {
            return runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                            ldif, QStringLiteral("--plan"), dir.filePath(plan)} +
                                    extra + connection,
                                m_env);
        };
        const CliRun first = scan(QStringLiteral("first.csv"), {});
        QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
        const QString state = dir.filePath(QStringLiteral("first.rescan.json"));
        QCOMPARE(int(QFile::permissions(state) & 0x0fff), 0x0600);
        QFile stateFile(state);
        QVERIFY(stateFile.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(stateFile.readAll()).object();
        stateFile.close();
        QCOMPARE(saved.value(u"format").toString(), QStringLiteral("anchorfix-rescan-v1"));
        QCOMPARE(saved.value(u"tenantId").toString(), practice.tenantId());
        QVERIFY(saved.value(u"select").toString().contains(u"onPremisesImmutableId"));
        QVERIFY(saved.value(u"deltaLink").toString().contains(u"$deltatoken="));
        QVERIFY(!QJsonDocument(saved).toJson().contains(PracticeScenario::clientSecret.toUtf8()));

        // Changes: the soft matches get their anchors.
        const CliRun apply = runAnchorfix(
            QStringList{QStringLiteral("apply"), QStringLiteral("--plan"),
                        dir.filePath(QStringLiteral("first.csv")), QStringLiteral("--audit"),
                        dir.filePath(QStringLiteral("audit.csv")), QStringLiteral("--rollback"),
                        dir.filePath(QStringLiteral("rollback.csv"))} +
                connection,
            m_env);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
        if (!fault.isEmpty())
            QVERIFY(practice.setFaults(QJsonDocument::fromJson(fault.toUtf8()).object()));

        const qsizetype before = practice.requests().size();
        const CliRun again =
            scan(QStringLiteral("again.csv"),
                 {QStringLiteral("--since-previous"), dir.filePath(QStringLiteral("first.csv"))});
        QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
        const QStringList paths = pathsSince(practice.requests(), before);
        QVERIFY2(!paths.filter(QStringLiteral("/v1.0/users/delta?")).isEmpty(),
                 qPrintable(paths.join(u'\n')));
        int pages = 0; // of every user: /users without the provisioning-errors filter
        for (const QString &p : paths)
            pages += (p.startsWith(u"/v1.0/users?") || p.startsWith(u"/v1.0/users/$count")) &&
                     !p.contains(u"onPremisesProvisioningErrors");
        if (said.isEmpty()) {
            QCOMPARE(pages, 0);
            QVERIFY2(again.out.contains(u"read only the cloud users changed"),
                     qPrintable(again.out));
        } else {
            QVERIFY(pages > 0);
            QVERIFY2(again.out.contains(u"every cloud user was read again") &&
                         again.out.contains(said),
                     qPrintable(again.out));
            QVERIFY2(again.err.contains(said), qPrintable(again.err)); // and as a warning
        }
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("again.rescan.json"))));

        // The findings are a full scan's of the changed tenant.
        QVERIFY(practice.setFaults(QJsonObject()));
        const CliRun full = scan(QStringLiteral("full.csv"), {});
        QVERIFY2(full.exitCode == 0, qPrintable(full.out + full.err));
        const QStringList rescanned = planRows(dir.filePath(QStringLiteral("again.csv")));
        QCOMPARE(rescanned, planRows(dir.filePath(QStringLiteral("full.csv"))));
        QVERIFY(rescanned != planRows(dir.filePath(QStringLiteral("first.csv"))));
    }

    void sincePreviousRefusesAnotherTenantOrSelect_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("said");
        QTest::newRow("another tenant")
            << QStringLiteral("tenant") << QStringLiteral("fabrikam.onmicrosoft.com")
            << QStringLiteral("not ");
        QTest::newRow("another $select")
            << QStringLiteral("select") << QStringLiteral("id,userPrincipalName")
            << QStringLiteral("other properties");
    }
    void sincePreviousRefusesAnotherTenantOrSelect()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, said);
        const QStringList connection = m_practice.connectionArgs(PracticeScenario::clientId);
        const QString plan = m_dir.filePath(QStringLiteral("refuse-%1.csv").arg(key));
        const CliRun first =
            runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                     writeLdif(), QStringLiteral("--plan"), plan} +
                             connection,
                         m_env);
        QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
        const QString state = m_dir.filePath(QStringLiteral("refuse-%1.rescan.json").arg(key));
        QFile file(state);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        saved.insert(key, value);
        if (key == QLatin1String("tenant"))
            saved.insert(QStringLiteral("tenantId"), QStringLiteral("another-tenant-id"));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(saved).toJson());
        file.close();

        const qsizetype before = m_practice.requests().size();
        const CliRun refused =
            runAnchorfix(QStringList{QStringLiteral("scan"), QStringLiteral("--onprem-file"),
                                     writeLdif(), QStringLiteral("--plan"),
                                     m_dir.filePath(QStringLiteral("refused-%1.csv").arg(key)),
                                     QStringLiteral("--since-previous"), plan} +
                             connection,
                         m_env);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(u"refused") && refused.err.contains(said),
                 qPrintable(refused.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("refused-%1.csv").arg(key))));
        QCOMPARE(pathsSince(m_practice.requests(), before), QStringList()); // nothing read
    }
};

QTEST_GUILESS_MAIN(tst_ScanCommand)
#include "tst_scancommand.moc"
