// The on-prem write path end to end: `anchorfix apply` and `anchorfix rollback` as an admin
// runs them, against the real Samba AD DC of the ctest fixture samba_dc (over ldaps with the
// test CA) and `anchorfix practice` for the cloud side. Plan rows adopt the cloud user's
// ImmutableId into the AD user's mS-DS-ConsistencyGuid (adopt_cloud_anchor). Every outcome
// in AD is checked independently with ldapsearch. The users live in OU=AnchorApply and are
// deleted again; svc-reader (a plain user: it may read, not write, the attribute) is added
// on the first run against a DC.
#include "auditlog.h"
#include "changeunit.h"
#include "immutableid.h"
#include "practiceprocess.h"
#include "practicescenario.h"
#include "rollbackjournal.h"
#include "sambadc.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

QByteArray guidBytes(const QString &seed)
{
    return QCryptographicHash::hash(("anchorfix-apply-onprem-" + seed).toUtf8(),
                                    QCryptographicHash::Md5);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_ApplyOnPrem : public QObject
{
    Q_OBJECT

    struct User
    {
        QString name;
        QString dn;
        QByteArray objectGuid;
        QByteArray consistencyGuid; // before the run (empty = not set)
        QString cloudId;
        QString cloudAnchor; // the cloud user's ImmutableId, adopted into AD
    };

    SambaDc m_dc;
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    PracticeScenario m_scenario = PracticeScenario::build(0, 0, 0, 0);
    QList<User> m_users; // cloud users exist for all of them in the practice tenant
    // in_sync users anchored on objectGUID (the cloud anchor is their objectGUID): hygiene.
    QList<User> m_synced;
    static constexpr int SyncedCount = 4;
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);
    static constexpr int UserCount = 24;

    QString ou() const { return QStringLiteral("OU=AnchorApply,") + m_dc.baseDn(); }
    QString readerUpn() const { return QStringLiteral("svc-reader@corp.example.test"); }

    QString freshDir()
    {
        static int n = 0;
        const QString dir = m_dir.filePath(QStringLiteral("run%1").arg(++n));
        QDir().mkpath(dir);
        return dir;
    }

    // (Re)creates the AD user of m_users[i] as it was before any run.
    bool createUser(User &u)
    {
        m_dc.runTool(QStringLiteral("ldapdelete"), {u.dn});
        QByteArray entry = "dn: " + u.dn.toUtf8() +
                           "\nobjectClass: user\nsAMAccountName: " + u.name.toUtf8() +
                           "\nuserPrincipalName: " + u.name.toUtf8() +
                           "@corp.example.test\nuserAccountControl: 544\n";
        if (!u.consistencyGuid.isEmpty())
            entry += "mS-DS-ConsistencyGuid:: " + u.consistencyGuid.toBase64() + "\n";
        bool ok = false;
        QString err;
        m_dc.runTool(QStringLiteral("ldapadd"), {}, entry, &ok, &err);
        if (!ok) {
            qWarning("ldapadd %s: %s", qPrintable(u.dn), qPrintable(err));
            return false;
        }
        u.objectGuid = attribute(u.dn, "objectGUID");
        return u.objectGuid.size() == 16;
    }

    QByteArray attribute(const QString &dn, const QByteArray &name) const
    {
        return m_dc.binaryAttribute(dn, name);
    }
    QByteArray valueIn(const User &u) const { return attribute(u.dn, "mS-DS-ConsistencyGuid"); }

    void setValue(const User &u, const QByteArray &value)
    {
        const QByteArray ldif =
            "dn: " + u.dn.toUtf8() + "\nchangetype: modify\nreplace: " +
            "mS-DS-ConsistencyGuid\nmS-DS-ConsistencyGuid:: " + value.toBase64() + "\n-\n";
        bool ok = false;
        m_dc.runTool(QStringLiteral("ldapmodify"), {}, ldif, &ok);
        QVERIFY(ok);
    }

    // The plan row an admin gets for a recreated account who chose to keep the cloud anchor.
    Finding rowFor(int i) const
    {
        const User &u = m_users.at(i);
        Finding f;
        f.rowId = i + 1;
        f.category = Category::AnchorMismatch;
        f.severity = baseSeverityFor(f.category);
        f.onPremDn = u.dn;
        f.onPremUpn = u.name + QStringLiteral("@corp.example.test");
        f.setOnPremGuid(ImmutableId::fromBytes(u.objectGuid).toGuid());
        f.setExpectedImmutableId(
            ImmutableId::base64Of(u.consistencyGuid.isEmpty() ? u.objectGuid : u.consistencyGuid));
        f.cloudId = u.cloudId;
        f.cloudUpn = u.name + QStringLiteral("@contoso.com");
        f.cloudImmutableId = u.cloudAnchor;
        f.cloudSyncEnabled = false;
        f.allowedActions = allowedActionsFor(f.category);
        f.allowedActions.append(Action::AdoptCloudAnchor);
        f.action = Action::AdoptCloudAnchor;
        f.requiresApproval = true;
        f.approved = true;
        return f;
    }
    QList<Finding> plan(int count = UserCount) const
    {
        QList<Finding> rows;
        for (int i = 0; i < count; ++i)
            rows.append(rowFor(i));
        return rows;
    }

    QStringList ldapArgs(const QString &bindDn) const
    {
        return {QStringLiteral("--ldap-uri"), QStringLiteral("ldaps://127.0.0.1"),
                QStringLiteral("--bind-dn"),  bindDn,
                QStringLiteral("--base-dn"),  m_dc.baseDn(),
                QStringLiteral("--ca-file"),  m_dc.caFile()};
    }
    QProcessEnvironment envWith(const QString &ldapPassword) const
    {
        QProcessEnvironment env = m_env;
        env.insert(QStringLiteral("ANCHORFIX_LDAP_PASSWORD"), ldapPassword);
        return env;
    }
    QProcessEnvironment adminEnv() const { return envWith(m_dc.adminPassword()); }

    QStringList applyArgs(const QString &dir, const QString &bindDn = {},
                          const QString &rollback = QStringLiteral("rollback.csv")) const
    {
        return QStringList{QStringLiteral("apply"), QStringLiteral("--plan"),
                           dir + "/plan.csv",       QStringLiteral("--audit"),
                           dir + "/audit.csv",      QStringLiteral("--rollback"),
                           dir + u'/' + rollback} +
               m_practice.connectionArgs(PracticeScenario::clientId) +
               ldapArgs(bindDn.isEmpty() ? m_dc.adminUpn() : bindDn);
    }
    QStringList rollbackArgs(const QString &dir,
                             const QString &rollback = QStringLiteral("rollback.csv")) const
    {
        return QStringList{QStringLiteral("rollback"), QStringLiteral("--rollback"),
                           dir + u'/' + rollback, QStringLiteral("--audit"), dir + "/audit.csv"} +
               m_practice.connectionArgs(PracticeScenario::clientId) + ldapArgs(m_dc.adminUpn());
    }

    // Every user back as before the test (a test may have changed or deleted some).
    void restoreUsers()
    {
        for (User &u : m_users)
            if (valueIn(u) != u.consistencyGuid || u.objectGuid.isEmpty())
                QVERIFY(createUser(u));
    }

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init() { restoreUsers(); }

    void applyRollbackApplyAgain();
    void dryRunShowsLdapModifyAndPowerShell();
    void writeBindAskedForOnlyWithOnPremRows();
    void staleNothingWritten_data();
    void staleNothingWritten();
    void insufficientAccess();
    void hygieneCopiesObjectGuidAndRollsBack();
    void killDuringOnPremWrites_data();
    void killDuringOnPremWrites();
};

void tst_ApplyOnPrem::initTestCase()
{
    QVERIFY2(m_dc.isValid(), qPrintable(m_dc.error()));
    const QString quoted = QStringLiteral("\"%1\"").arg(m_dc.servicePassword());
    const QByteArray utf16(reinterpret_cast<const char *>(quoted.utf16()), quoted.size() * 2);
    const QByteArray ldif = "dn: " + ou().toUtf8() + "\nobjectClass: organizationalUnit\n\n" +
                            "dn: CN=svc-reader,CN=Users," + m_dc.baseDn().toUtf8() +
                            "\nobjectClass: user\nsAMAccountName: svc-reader\nuserPrincipalName: " +
                            readerUpn().toUtf8() + "\nunicodePwd:: " + utf16.toBase64() +
                            "\nuserAccountControl: 512\n";
    QString err;
    m_dc.runTool(QStringLiteral("ldapadd"), {QStringLiteral("-c")}, ldif, nullptr, &err);
    QVERIFY2(err.isEmpty() || err.contains(u"Already exists"), qPrintable(err));

    QJsonArray cloudUsers = m_scenario.tenant.value("users").toArray();
    for (int i = 0; i < UserCount; ++i) {
        User u;
        u.name = QStringLiteral("apply-adopt-%1").arg(i);
        u.dn = QStringLiteral("CN=%1,%2").arg(u.name, ou());
        // Every third user already has a mS-DS-ConsistencyGuid of its own (Entra Connect
        // wrote it back): rollback must restore it, not remove it.
        if (i % 3 == 1)
            u.consistencyGuid = guidBytes(QStringLiteral("own-%1").arg(i));
        u.cloudId = QStringLiteral("abababab-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
        u.cloudAnchor = ImmutableId::base64Of(guidBytes(QStringLiteral("cloud-%1").arg(i)));
        QVERIFY(createUser(u));
        const QString cloudUpn = u.name + QStringLiteral("@contoso.com");
        cloudUsers.append(QJsonObject{{"id", u.cloudId},
                                      {"userPrincipalName", cloudUpn},
                                      {"displayName", u.name},
                                      {"mail", cloudUpn},
                                      {"accountEnabled", true},
                                      {"onPremisesImmutableId", u.cloudAnchor}});
        m_users.append(u);
    }
    for (int i = 0; i < SyncedCount; ++i) {
        User u;
        u.name = QStringLiteral("apply-hygiene-%1").arg(i);
        u.dn = QStringLiteral("CN=%1,%2").arg(u.name, ou());
        u.cloudId = QStringLiteral("cdcdcdcd-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
        QVERIFY(createUser(u));
        u.cloudAnchor = ImmutableId::base64Of(u.objectGuid);
        const QString cloudUpn = u.name + QStringLiteral("@contoso.com");
        cloudUsers.append(QJsonObject{{"id", u.cloudId},
                                      {"userPrincipalName", cloudUpn},
                                      {"displayName", u.name},
                                      {"accountEnabled", true},
                                      {"onPremisesSyncEnabled", true},
                                      {"onPremisesImmutableId", u.cloudAnchor}});
        m_synced.append(u);
    }
    m_scenario.tenant.insert("users", cloudUsers);
    QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &err), qPrintable(err));
}

void tst_ApplyOnPrem::cleanupTestCase()
{
    for (const User &u : m_users + m_synced)
        m_dc.runTool(QStringLiteral("ldapdelete"), {u.dn});
    // svc-reader too: the scan tests count every user under the domain root.
    m_dc.runTool(QStringLiteral("ldapdelete"),
                 {QStringLiteral("CN=svc-reader,CN=Users,") + m_dc.baseDn()});
}

// Hygiene (issue 12 item 3): copy_objectguid writes an in_sync user's objectGUID into its
// empty mS-DS-ConsistencyGuid, journalled and reversible like adopt_cloud_anchor; a user
// whose attribute was set meanwhile is stale and left alone.
void tst_ApplyOnPrem::hygieneCopiesObjectGuidAndRollsBack()
{
    const QString dir = freshDir();
    QList<Finding> rows;
    for (int i = 0; i < SyncedCount; ++i) {
        const User &u = m_synced.at(i);
        QCOMPARE(valueIn(u), QByteArray());
        Finding f;
        f.rowId = i + 1;
        f.category = Category::InSync;
        f.severity = baseSeverityFor(f.category);
        f.onPremDn = u.dn;
        f.onPremUpn = u.name + QStringLiteral("@corp.example.test");
        f.setOnPremGuid(ImmutableId::fromBytes(u.objectGuid).toGuid());
        f.setExpectedImmutableId(u.cloudAnchor);
        f.cloudId = u.cloudId;
        f.cloudUpn = u.name + QStringLiteral("@contoso.com");
        f.cloudImmutableId = u.cloudAnchor;
        f.cloudSyncEnabled = true;
        QVERIFY(f.canCopyObjectGuid());
        f.allowedActions = allowedActionsFor(f.category);
        f.allowedActions.append(Action::CopyObjectGuid);
        f.action = Action::CopyObjectGuid;
        QVERIFY(f.isExecutable()); // in_sync needs no approval
        rows.append(f);
    }
    QVERIFY(writePlan(dir + "/plan.csv", rows));
    const QByteArray someoneElses = guidBytes(QStringLiteral("hygiene-set-meanwhile"));
    setValue(m_synced.last(), someoneElses);

    const CliRun apply = runAnchorfix(applyArgs(dir), adminEnv(), 120000);
    QVERIFY2(apply.exitCode == 3, qPrintable(apply.out + apply.err));
    QVERIFY2(
        apply.out.contains(QStringLiteral("%1 applied, 0 failed, 1 stale").arg(SyncedCount - 1)),
        qPrintable(apply.out + apply.err));
    QVERIFY2(apply.err.contains(u"nothing to copy"), qPrintable(apply.err));
    for (int i = 0; i < SyncedCount - 1; ++i)
        QCOMPARE(valueIn(m_synced.at(i)), m_synced.at(i).objectGuid);
    QCOMPARE(valueIn(m_synced.last()), someoneElses);
    QVERIFY(m_practice.writes().isEmpty());
    QList<AuditRecord> audit;
    QString error;
    QVERIFY(AuditLog::read(dir + "/audit.csv", &audit, &error));
    QCOMPARE(std::count_if(audit.cbegin(), audit.cend(),
                           [](const AuditRecord &a) {
                               return a.action == AuditAction::CopyObjectGuid &&
                                      a.result == AuditResult::Verified;
                           }),
             SyncedCount - 1);
    QVERIFY(readAll(dir + "/rollback.ps1").contains("-Clear 'mS-DS-ConsistencyGuid'"));

    const CliRun rollback = runAnchorfix(rollbackArgs(dir), adminEnv(), 120000);
    QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
    for (int i = 0; i < SyncedCount - 1; ++i)
        QCOMPARE(valueIn(m_synced.at(i)), QByteArray());
    QCOMPARE(valueIn(m_synced.last()), someoneElses);
    m_dc.runTool(QStringLiteral("ldapmodify"), {},
                 "dn: " + m_synced.last().dn.toUtf8() +
                     "\nchangetype: modify\ndelete: mS-DS-ConsistencyGuid\n-\n");
}

// The done-when of issue 12 on the command line: adopt, roll back, roll back again (nothing
// sent), adopt again; AD, rollback.csv, rollback.ps1 and audit.csv agree at every step.
void tst_ApplyOnPrem::applyRollbackApplyAgain()
{
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan()));
    const CliRun apply = runAnchorfix(applyArgs(dir), adminEnv(), 120000);
    QVERIFY2(apply.exitCode == 0, qPrintable(apply.out + apply.err));
    QVERIFY2(apply.out.contains(QStringLiteral("%1 applied, 0 failed").arg(UserCount)),
             qPrintable(apply.out));
    for (const User &u : std::as_const(m_users))
        QCOMPARE(valueIn(u), QByteArray::fromBase64(u.cloudAnchor.toLatin1()));
    QVERIFY(m_practice.writes().isEmpty()); // the cloud is not written

    QList<RollbackEntry> journal;
    QString error;
    QVERIFY2(RollbackJournal::read(dir + "/rollback.csv", &journal, &error), qPrintable(error));
    QCOMPARE(journal.size(), qsizetype(UserCount));
    for (const RollbackEntry &e : std::as_const(journal)) {
        const auto it = std::find_if(m_users.cbegin(), m_users.cend(),
                                     [&](const User &u) { return u.cloudId == e.cloudId; });
        QVERIFY(it != m_users.cend());
        QVERIFY(e.onPrem);
        QCOMPARE(e.onPremDn, it->dn);
        QCOMPARE(e.status, RollbackStatus::Applied);
        QCOMPARE(e.oldImmutableId, ImmutableId::base64Of(it->consistencyGuid));
        QCOMPARE(e.newImmutableId, it->cloudAnchor);
    }
    const QByteArray header = readAll(dir + "/rollback.csv").split('\n').first();
    QVERIFY(header.contains(",side,onprem_dn"));
    const QByteArray ps1 = readAll(dir + "/rollback.ps1");
    QVERIFY(ps1.contains("#Requires -Modules ActiveDirectory"));
    QVERIFY(!ps1.contains("Connect-MgGraph")); // nothing to undo in the cloud
    QVERIFY(ps1.contains("Set-ADUser -Identity 'CN=apply-adopt-0,OU=AnchorApply,"));
    QVERIFY(ps1.contains("-Clear 'mS-DS-ConsistencyGuid'"));
    QVERIFY(ps1.contains("-Replace @{'mS-DS-ConsistencyGuid' = [byte[]](0x"));

    QList<AuditRecord> audit;
    QVERIFY(AuditLog::read(dir + "/audit.csv", &audit, &error));
    int applied = 0, verified = 0;
    for (const AuditRecord &a : std::as_const(audit)) {
        if (a.action != AuditAction::AdoptCloudAnchor)
            continue;
        applied += a.result == AuditResult::Applied;
        verified += a.result == AuditResult::Verified;
        QVERIFY2(a.message.contains(u"OU=AnchorApply"), qPrintable(a.message));
    }
    QCOMPARE(applied, UserCount);
    QCOMPARE(verified, UserCount);

    const CliRun rollback = runAnchorfix(rollbackArgs(dir), adminEnv(), 120000);
    QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
    QVERIFY2(rollback.out.contains(QStringLiteral("%1 undone").arg(UserCount)),
             qPrintable(rollback.out));
    for (const User &u : std::as_const(m_users))
        QCOMPARE(valueIn(u), u.consistencyGuid);
    QVERIFY(RollbackJournal::read(dir + "/rollback.csv", &journal, &error));
    for (const RollbackEntry &e : std::as_const(journal))
        QCOMPARE(e.status, RollbackStatus::RolledBack);

    // Again: nothing to do, nothing read or sent, AD as it is.
    const qsizetype requests = m_practice.requests().size();
    const CliRun again = runAnchorfix(rollbackArgs(dir), adminEnv(), 120000);
    QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
    QVERIFY2(again.out.contains(u"already rolled back"), qPrintable(again.out));
    QCOMPARE(m_practice.requests().size(), requests);
    for (const User &u : std::as_const(m_users))
        QCOMPARE(valueIn(u), u.consistencyGuid);

    // The admin changes their mind once more: the same plan applies again.
    const CliRun redo =
        runAnchorfix(applyArgs(dir, {}, QStringLiteral("rollback2.csv")), adminEnv(), 120000);
    QVERIFY2(redo.exitCode == 0, qPrintable(redo.out + redo.err));
    for (const User &u : std::as_const(m_users))
        QCOMPARE(valueIn(u), QByteArray::fromBase64(u.cloudAnchor.toLatin1()));
}

void tst_ApplyOnPrem::dryRunShowsLdapModifyAndPowerShell()
{
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan(2)));
    const CliRun run = runAnchorfix(QStringList{QStringLiteral("apply"), QStringLiteral("--plan"),
                                                dir + "/plan.csv", QStringLiteral("--dry-run")},
                                    m_env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const User &u = m_users.first();
    QVERIFY2(run.out.contains(QStringLiteral("LDAP MODIFY ") + u.dn), qPrintable(run.out));
    QVERIFY(run.out.contains(u"changetype: modify"));
    QVERIFY(run.out.contains(QStringLiteral("mS-DS-ConsistencyGuid:: ") + u.cloudAnchor));
    QVERIFY(run.out.contains(QStringLiteral("PS> Set-ADUser -Identity '%1' -Replace").arg(u.dn)));
    for (const User &user : std::as_const(m_users))
        QCOMPARE(valueIn(user), user.consistencyGuid);
    QVERIFY(!QFile::exists(dir + "/rollback.csv"));
}

// No LDAP options: refused before anything is signed in to or sent, saying what to give.
void tst_ApplyOnPrem::writeBindAskedForOnlyWithOnPremRows()
{
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan(1)));
    const qsizetype requests = m_practice.requests().size();
    const CliRun run =
        runAnchorfix(QStringList{QStringLiteral("apply"), QStringLiteral("--plan"),
                                 dir + "/plan.csv", QStringLiteral("--audit"), dir + "/audit.csv",
                                 QStringLiteral("--rollback"), dir + "/rollback.csv"} +
                         m_practice.connectionArgs(PracticeScenario::clientId),
                     m_env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(u"--ldap-uri") && run.err.contains(u"Nothing was changed"),
             qPrintable(run.err));
    QCOMPARE(m_practice.requests().size(), requests);
    QCOMPARE(valueIn(m_users.first()), m_users.first().consistencyGuid);
    // No password anywhere: said so, nothing sent.
    QProcessEnvironment env = m_env;
    env.remove(QStringLiteral("ANCHORFIX_LDAP_PASSWORD"));
    env.insert(QStringLiteral("HOME"), dir); // no keychain entry there
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    env.remove(QStringLiteral("DISPLAY"));
    const CliRun noPassword = runAnchorfix(applyArgs(dir), env, 60000);
    QCOMPARE(noPassword.exitCode, 1);
    QVERIFY2(noPassword.err.contains(u"ANCHORFIX_LDAP_PASSWORD"), qPrintable(noPassword.err));
    QCOMPARE(m_practice.requests().size(), requests);
}

void tst_ApplyOnPrem::staleNothingWritten_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("says");
    QTest::newRow("value set since the scan") << QStringLiteral("set") << QStringLiteral("saw");
    QTest::newRow("user deleted since the scan")
        << QStringLiteral("delete") << QStringLiteral("no longer exists");
    QTest::newRow("user renamed since the scan")
        << QStringLiteral("rename") << QStringLiteral("moved or renamed");
    QTest::newRow("user recreated (new objectGUID)")
        << QStringLiteral("recreate") << QStringLiteral("objectGUID");
    QTest::newRow("cloud anchor changed") << QStringLiteral("cloud") << QStringLiteral("adopts");
}

void tst_ApplyOnPrem::staleNothingWritten()
{
    QFETCH(QString, change);
    QFETCH(QString, says);
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan(3)));
    User &target = m_users[2]; // no value of its own (2 % 3 != 1)
    const QByteArray someoneElses = guidBytes(QStringLiteral("someone-else"));
    if (change == u"set") {
        setValue(target, someoneElses);
    } else if (change == u"delete") {
        m_dc.runTool(QStringLiteral("ldapdelete"), {target.dn});
    } else if (change == u"rename") {
        bool ok = false;
        m_dc.runTool(QStringLiteral("ldapmodrdn"),
                     {QStringLiteral("-r"), target.dn, QStringLiteral("CN=apply-renamed")}, {},
                     &ok);
        QVERIFY(ok);
    } else if (change == u"recreate") {
        const QByteArray oldGuid = target.objectGuid;
        QVERIFY(createUser(target));
        QVERIFY(target.objectGuid != oldGuid);
    } else {
        QVERIFY(m_practice.reset()); // a clean tenant first
        // Someone stamps the cloud user meanwhile: writing the planned anchor would link AD
        // to a value the cloud no longer has.
        QJsonArray users = m_scenario.tenant.value("users").toArray();
        QJsonObject tenant = m_scenario.tenant;
        for (int i = 0; i < users.size(); ++i) {
            QJsonObject o = users.at(i).toObject();
            if (o.value("id").toString() == target.cloudId)
                o.insert("onPremisesImmutableId", PracticeScenario::anchor(9999));
            users[i] = o;
        }
        tenant.insert("users", users);
        PracticeProcess other;
        QString err;
        QVERIFY2(other.start(tenant, freshDir(), &err), qPrintable(err));
        QStringList args = applyArgs(dir);
        const QStringList mine = m_practice.connectionArgs(PracticeScenario::clientId);
        const QStringList theirs = other.connectionArgs(PracticeScenario::clientId);
        for (int i = 0; i < mine.size(); ++i)
            args.replaceInStrings(mine.at(i), theirs.at(i));
        const CliRun run = runAnchorfix(args, adminEnv(), 120000);
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(u"stale") && run.err.contains(says), qPrintable(run.err));
        QCOMPARE(valueIn(target), QByteArray());
        QCOMPARE(valueIn(m_users[0]), QByteArray::fromBase64(m_users[0].cloudAnchor.toLatin1()));
        return;
    }
    const CliRun run = runAnchorfix(applyArgs(dir), adminEnv(), 120000);
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.out.contains(u"2 applied, 0 failed, 1 stale"), qPrintable(run.out));
    QVERIFY2(run.err.contains(u"stale") && run.err.contains(says), qPrintable(run.err));
    // The changed user is as someone left it; the others were adopted.
    const QString renamed = QStringLiteral("CN=apply-renamed,") + ou();
    if (change == u"set")
        QCOMPARE(valueIn(target), someoneElses);
    else if (change == u"delete")
        QCOMPARE(valueIn(target), QByteArray("-"));
    else if (change == u"rename")
        QCOMPARE(attribute(renamed, "mS-DS-ConsistencyGuid"), QByteArray());
    else
        QCOMPARE(valueIn(target), QByteArray());
    QCOMPARE(valueIn(m_users[0]), QByteArray::fromBase64(m_users[0].cloudAnchor.toLatin1()));
    // The stale row was never journaled: rollback touches only the two others.
    QList<RollbackEntry> journal;
    QString error;
    QVERIFY(RollbackJournal::read(dir + "/rollback.csv", &journal, &error));
    QCOMPARE(journal.size(), 2);
    QVERIFY(std::none_of(journal.cbegin(), journal.cend(),
                         [&](const RollbackEntry &e) { return e.cloudId == target.cloudId; }));
    const CliRun rollback = runAnchorfix(rollbackArgs(dir), adminEnv(), 120000);
    QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
    QCOMPARE(valueIn(m_users[0]), m_users[0].consistencyGuid);
    QCOMPARE(valueIn(m_users[1]), m_users[1].consistencyGuid);
    if (change == u"set")
        QCOMPARE(valueIn(target), someoneElses);
    if (change == u"rename")
        m_dc.runTool(QStringLiteral("ldapdelete"), {renamed});
    if (change == u"delete" || change == u"rename")
        QVERIFY(createUser(target));
}

// svc-reader may bind and read but not write the attribute: result 50 on the modify. The
// message names the right to grant; nothing is written; the journal closes each row failed,
// so there is nothing to roll back.
void tst_ApplyOnPrem::insufficientAccess()
{
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan(2)));
    const CliRun run =
        runAnchorfix(applyArgs(dir, readerUpn()), envWith(m_dc.servicePassword()), 120000);
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.out.contains(u"0 applied, 2 failed"), qPrintable(run.out));
    QVERIFY2(run.err.contains(u"may not write mS-DS-ConsistencyGuid") &&
                 run.err.contains(u"Write mS-DS-ConsistencyGuid") && run.err.contains(u"dsacls"),
             qPrintable(run.err));
    QCOMPARE(valueIn(m_users[0]), m_users[0].consistencyGuid);
    QCOMPARE(valueIn(m_users[1]), m_users[1].consistencyGuid);
    QList<RollbackEntry> journal;
    QString error;
    QVERIFY(RollbackJournal::read(dir + "/rollback.csv", &journal, &error));
    QCOMPARE(journal.size(), 2);
    for (const RollbackEntry &e : std::as_const(journal))
        QCOMPARE(e.status, RollbackStatus::Failed);
}

void tst_ApplyOnPrem::killDuringOnPremWrites_data()
{
    QTest::addColumn<int>("seed");
    for (int i = 1; i <= 8; ++i)
        QTest::addRow("kill %d", i) << i;
}

// SIGKILL at a random moment of an on-prem run: every AD user whose value changed has a
// journal row (pending or applied) with its old value, and rollback restores every value.
void tst_ApplyOnPrem::killDuringOnPremWrites()
{
    QFETCH(int, seed);
    static qint64 fullRunMs = 0;
    const QString dir = freshDir();
    QVERIFY(writePlan(dir + "/plan.csv", plan()));
    if (fullRunMs == 0) {
        QElapsedTimer t;
        t.start();
        const CliRun run = runAnchorfix(applyArgs(dir), adminEnv(), 120000);
        fullRunMs = t.elapsed();
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        restoreUsers();
        QFile::remove(dir + "/rollback.csv");
        QFile::remove(dir + "/rollback.ps1");
        QFile::remove(dir + "/audit.csv");
    }
    QRandomGenerator random{quint32(seed * 7919)};
    // Sign-in and the cloud re-read come first: kill in the later part, where LDAP writes go.
    const int killAfterMs =
        int(fullRunMs / 3 + random.bounded(qMax<qint64>(50, fullRunMs * 2 / 3)));
    QProcess apply;
    apply.setProcessEnvironment(adminEnv());
    apply.start(QStringLiteral(ANCHORFIX_BINARY), applyArgs(dir));
    QVERIFY(apply.waitForStarted());
    QTest::qWait(killAfterMs);
    if (apply.state() != QProcess::NotRunning) {
        ::kill(pid_t(apply.processId()), SIGKILL);
        QVERIFY(apply.waitForFinished(10000));
    }
    QTest::qWait(100); // a modify already on the wire still lands

    QList<RollbackEntry> rows;
    QString error;
    int changed = 0;
    if (QFile::exists(dir + "/rollback.csv"))
        QVERIFY2(RollbackJournal::readRows(dir + "/rollback.csv", &rows, &error),
                 qPrintable(error));
    for (const User &u : std::as_const(m_users)) {
        if (valueIn(u) == u.consistencyGuid)
            continue;
        ++changed;
        const bool journaled = std::any_of(rows.cbegin(), rows.cend(), [&](const RollbackEntry &e) {
            return e.onPrem && e.onPremDn == u.dn &&
                   e.oldImmutableId == ImmutableId::base64Of(u.consistencyGuid) &&
                   e.newImmutableId == u.cloudAnchor;
        });
        QVERIFY2(journaled, qPrintable(QStringLiteral("kill after %1 ms: %2 changed but not in "
                                                      "the journal")
                                           .arg(killAfterMs)
                                           .arg(u.dn)));
    }
    if (QFile::exists(dir + "/rollback.csv")) {
        const CliRun rollback = runAnchorfix(rollbackArgs(dir), adminEnv(), 120000);
        QVERIFY2(rollback.exitCode == 0, qPrintable(rollback.out + rollback.err));
    }
    for (const User &u : std::as_const(m_users))
        QVERIFY2(
            valueIn(u) == u.consistencyGuid,
            qPrintable(
                QStringLiteral("kill after %1 ms: %2 not restored").arg(killAfterMs).arg(u.dn)));
    qInfo("killed after %d ms (full run ~%lld ms): %d of %d AD users had changed", killAfterMs,
          fullRunMs, changed, UserCount);
}

QTEST_GUILESS_MAIN(tst_ApplyOnPrem)
#include "tst_applyonprem.moc"
