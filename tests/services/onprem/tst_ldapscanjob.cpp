// Integration tests of LdapScanJob / LdapTestConnectionJob against the real Samba AD DC of
// the ctest fixture samba_dc (tests/samba/samba-dc.sh, 5,000 seeded users).
#include "sambadc.h"
#include "seeddata.h"

#include <ldapcertificatecheck.h>
#include <ldapfilter.h>
#include <ldapscanjob.h>
#include <ldaptestconnectionjob.h>
#include <ldapworker.h>
#include <onpremfilejob.h>

#include <QHash>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using TlsMode = LdapConfig::TlsMode;
Q_DECLARE_METATYPE(LdapError)
Q_DECLARE_METATYPE(LdapConfig::TlsMode)

class tst_LdapScanJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void testConnection_data();
    void testConnection();
    void scanAllSeededUsers();
    void objectGuidMatchesLdapsearch();
    void ldapsearchExportReadsTheSame();
    void tls_data();
    void tls();
    void certificateDiagnosis_data();
    void certificateDiagnosis();
    void failures_data();
    void failures();
    void lockedAccount();
    void scopeAndFilter_data();
    void scopeAndFilter();
    void recreatedUserGetsNewAnchor();
    void cancelStopsWithinAPage();
    void eventLoopKeepsRunning();

private:
    // Runs a job to its end; the job is kept (not auto-deleted) for inspection.
    template <typename J> bool run(J *job)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        return spy.wait(300000);
    }
    QList<OnPremUser> scan(const LdapConfig &config, int *error = nullptr,
                           QString *message = nullptr);

    SambaDc m_dc;
};

void tst_LdapScanJob::initTestCase()
{
    QVERIFY2(m_dc.isValid(), qPrintable(m_dc.error()));
    QVERIFY2(!m_dc.adminPassword().isEmpty(), "the Administrator password file is empty");
    QCOMPARE(m_dc.userCount(), 5000);
}

QList<OnPremUser> tst_LdapScanJob::scan(const LdapConfig &config, int *error, QString *message)
{
    LdapScanJob job(config);
    if (!run(&job))
        return {};
    if (error)
        *error = job.error();
    if (message)
        *message = job.errorString();
    return job.users();
}

void tst_LdapScanJob::testConnection_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<TlsMode>("mode");
    QTest::newRow("ldaps") << QStringLiteral("ldaps://127.0.0.1") << TlsMode::StartTls;
    QTest::newRow("starttls") << QStringLiteral("ldap://127.0.0.1") << TlsMode::StartTls;
    QTest::newRow("ldaps-localhost-port")
        << QStringLiteral("ldaps://localhost:636") << TlsMode::None;
}

void tst_LdapScanJob::testConnection()
{
    QFETCH(QString, uri);
    QFETCH(TlsMode, mode);
    LdapConfig config = m_dc.ldapsConfig();
    config.uri = uri;
    config.tlsMode = mode;
    config.baseDn.clear(); // the connection test reads it from the rootDSE
    LdapTestConnectionJob job(config);
    QVERIFY(run(&job));
    QVERIFY2(job.error() == Job::NoError, qPrintable(job.errorString()));
    QCOMPARE(job.defaultNamingContext(), SeedData::baseDn());
    QCOMPARE(job.serverName().toLower(), QStringLiteral("dc1.corp.example.test"));
}

void tst_LdapScanJob::scanAllSeededUsers()
{
    LdapConfig config = m_dc.ldapsConfig();
    config.searchBases = {QStringLiteral("OU=Staff,") + m_dc.baseDn(),
                          QStringLiteral("OU=Contractors,") + m_dc.baseDn()};
    LdapScanJob job(config);
    QSignalSpy progress(&job, &Job::progressChanged);
    QSignalSpy info(&job, &Job::infoMessage);
    QVERIFY(run(&job));
    QVERIFY2(job.error() == Job::NoError, qPrintable(job.errorString()));
    const QList<OnPremUser> users = job.users();
    QCOMPARE(users.size(), 5000);
    // Samba does not cap unpaged results, so prove the paging: 4,000 + 1,000 entries in
    // pages of 1,000 make at least 5 pages, each reported.
    QVERIFY2(job.pages() >= 5, qPrintable(QString::number(job.pages())));
    QCOMPARE(progress.size(), job.pages());
    QCOMPARE(progress.last().at(0).value<JobProgress>().done, 5000);
    QCOMPARE(progress.last().at(0).value<JobProgress>().total, 0);
    QVERIFY(info.size() >= job.pages());
    QVERIFY(job.warnings().isEmpty());

    QSet<int> seen;
    QSet<QByteArray> guids;
    for (const OnPremUser &user : users) {
        const int i = SeedData::indexOf(user.samAccountName);
        QVERIFY2(i >= 1 && i <= 5000, qPrintable(user.dn));
        QVERIFY2(!seen.contains(i), qPrintable(user.dn));
        seen.insert(i);
        OnPremUser expected = SeedData::expectedUser(i);
        expected.objectGuid = user.objectGuid;
        expected.source = QStringLiteral("ldaps://127.0.0.1");
        QCOMPARE(user.objectGuid.size(), 16);
        guids.insert(user.objectGuid);
        QCOMPARE(user.dn, expected.dn);
        QCOMPARE(user.upn, expected.upn);
        QCOMPARE(user.mail, expected.mail);
        QCOMPARE(user.proxyAddresses, expected.proxyAddresses);
        QCOMPARE(user.displayName, expected.displayName);
        QCOMPARE(user.enabled, expected.enabled);
        QCOMPARE(user.consistencyGuid, expected.consistencyGuid);
        QCOMPARE(user, expected);
    }
    QCOMPARE(guids.size(), 5000);
}

void tst_LdapScanJob::objectGuidMatchesLdapsearch()
{
    bool ok = false;
    QString stderrText;
    const QByteArray ldif = m_dc.runTool(
        QStringLiteral("ldapsearch"),
        {QStringLiteral("-LLL"), QStringLiteral("-o"), QStringLiteral("ldif-wrap=no"),
         QStringLiteral("-E"), QStringLiteral("pr=1000/noprompt"), QStringLiteral("-b"),
         m_dc.baseDn(), QStringLiteral("(&(objectClass=user)(sAMAccountName=user*))"),
         QStringLiteral("objectGUID"), QStringLiteral("sAMAccountName")},
        {}, &ok, &stderrText);
    QVERIFY2(ok, qPrintable(stderrText));
    QHash<QString, QString> expected; // sAMAccountName -> base64 objectGUID from ldapsearch
    QString sam, guid;
    for (const QByteArray &raw : ldif.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(u"sAMAccountName: "))
            sam = line.mid(16);
        else if (line.startsWith(u"objectGUID:: "))
            guid = line.mid(13);
        else if (line.isEmpty() && !sam.isEmpty()) {
            expected.insert(sam, guid);
            sam.clear();
            guid.clear();
        }
    }
    if (!sam.isEmpty())
        expected.insert(sam, guid);
    QCOMPARE(expected.size(), 5000);

    LdapConfig config = m_dc.ldapsConfig();
    config.filter = QStringLiteral("(&(objectClass=user)(sAMAccountName=user*))");
    const QList<OnPremUser> users = scan(config);
    QCOMPARE(users.size(), 5000);
    for (const OnPremUser &user : users) {
        QVERIFY2(expected.contains(user.samAccountName), qPrintable(user.samAccountName));
        QCOMPARE(QString::fromLatin1(user.objectGuid.toBase64()),
                 expected.value(user.samAccountName));
        QCOMPARE(user.anchor(AnchorRule::ObjectGuid), expected.value(user.samAccountName));
    }
}

// The offline path: the same users exported by the real ldapsearch (full output with its
// comments, search references, paging trailers, base64 values and lines folded at 40
// columns) read by OnPremFileJob must equal what LdapScanJob reads live.
void tst_LdapScanJob::ldapsearchExportReadsTheSame()
{
    QStringList args{QStringLiteral("-o"),       QStringLiteral("ldif-wrap=40"),
                     QStringLiteral("-E"),       QStringLiteral("pr=1000/noprompt"),
                     QStringLiteral("-b"),       m_dc.baseDn(),
                     LdapConfig::defaultFilter()};
    args += LdapWorker::scanAttributes();
    bool ok = false;
    QString stderrText;
    const QByteArray ldif = m_dc.runTool(QStringLiteral("ldapsearch"), args, {}, &ok, &stderrText);
    QVERIFY2(ok, qPrintable(stderrText));
    QVERIFY(ldif.contains("# search reference"));
    QVERIFY(ldif.contains("\n "));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("export.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(ldif);
    file.close();

    OnPremFileJob fileJob(path);
    QVERIFY(run(&fileJob));
    QVERIFY2(fileJob.error() == Job::NoError, qPrintable(fileJob.errorString()));
    QVERIFY2(fileJob.warnings().isEmpty(), qPrintable(fileJob.warnings().join(u'\n')));
    QCOMPARE(fileJob.format().kind, OnPremFileFormat::Kind::Ldif);

    LdapScanJob scanJob(m_dc.ldapsConfig());
    QVERIFY(run(&scanJob));
    QVERIFY2(scanJob.error() == Job::NoError, qPrintable(scanJob.errorString()));
    QCOMPARE(fileJob.users().size(), 5004);
    QCOMPARE(fileJob.users().size(), scanJob.users().size());
    QHash<QString, OnPremUser> live;
    for (const OnPremUser &u : scanJob.users())
        live.insert(u.dn, u);
    for (OnPremUser u : fileJob.users()) {
        QCOMPARE(u.source, QStringLiteral("export.txt"));
        QVERIFY2(live.contains(u.dn), qPrintable(u.dn));
        u.source = live.value(u.dn).source;
        QCOMPARE(u, live.value(u.dn));
    }
}

void tst_LdapScanJob::tls_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("rightCa");
    QTest::addColumn<bool>("trustAny");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("ldaps, right CA")
        << "ldaps://127.0.0.1" << true << false << LdapError::None << QString();
    QTest::newRow("starttls, right CA")
        << "ldap://127.0.0.1" << true << false << LdapError::None << QString();
    QTest::newRow("ldaps, wrong CA")
        << "ldaps://127.0.0.1" << false << false << LdapError::CertificateUntrusted
        << QStringLiteral("issued by \"Anchorfix Test CA\"");
    QTest::newRow("starttls, wrong CA")
        << "ldap://127.0.0.1" << false << false << LdapError::CertificateUntrusted
        << QStringLiteral("not trusted by the CA file");
    QTest::newRow("ldaps, wrong CA, trust anyway")
        << "ldaps://127.0.0.1" << false << true << LdapError::None << QString();
}

void tst_LdapScanJob::tls()
{
    QFETCH(QString, uri);
    QFETCH(bool, rightCa);
    QFETCH(bool, trustAny);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    LdapConfig config = m_dc.ldapsConfig();
    config.uri = uri;
    config.tlsMode = TlsMode::StartTls;
    config.caFile = rightCa ? m_dc.caFile() : m_dc.otherCaFile();
    config.trustAnyCertificate = trustAny;
    config.searchBases = {QStringLiteral("OU=Contractors,") + m_dc.baseDn()};
    LdapScanJob job(config);
    QVERIFY(run(&job));
    QCOMPARE(job.ldapError(), expected);
    if (expected == LdapError::None) {
        QCOMPARE(job.users().size(), 1000);
    } else {
        QVERIFY2(job.errorString().contains(messagePart), qPrintable(job.errorString()));
        QVERIFY(job.users().isEmpty());
        qInfo() << job.errorString();
    }
}

// What the scan says about a rejected certificate, on the DC's real certificate (SAN
// IP:127.0.0.1, DNS:localhost, DNS:$(hostname), 10 years from provisioning).
void tst_LdapScanJob::certificateDiagnosis_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("daysFromNow");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("unknown CA") << "127.0.0.1" << 0 << LdapError::CertificateUntrusted
                                << QStringLiteral("issued by \"Anchorfix Test CA\"");
    QTest::newRow("unknown CA, DNS name")
        << "LOCALHOST" << 0 << LdapError::CertificateUntrusted << QStringLiteral("unknown CA");
    QTest::newRow("name mismatch, DNS")
        << "dc9.elsewhere.test" << 0 << LdapError::CertificateNameMismatch
        << QStringLiteral("does not name \"dc9.elsewhere.test\"");
    QTest::newRow("name mismatch, IP") << "127.0.0.2" << 0 << LdapError::CertificateNameMismatch
                                       << QStringLiteral("does not name \"127.0.0.2\": it is for");
    QTest::newRow("expired") << "127.0.0.1" << 20 * 366 << LdapError::CertificateExpired
                             << QStringLiteral("expired on");
    QTest::newRow("not yet valid")
        << "127.0.0.1" << -2 << LdapError::CertificateExpired << QStringLiteral("not valid before");
}

void tst_LdapScanJob::certificateDiagnosis()
{
    QFETCH(QString, host);
    QFETCH(int, daysFromNow);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    QFile pem(m_dc.dir() + QStringLiteral("/tls/server.pem"));
    QVERIFY(pem.open(QIODevice::ReadOnly));
    QByteArray body = pem.readAll();
    body = body.mid(body.indexOf('\n') + 1);
    body = body.left(body.indexOf("-----END"));
    const QByteArray der = QByteArray::fromBase64(body);
    QVERIFY(der.size() > 500);
    const LdapFailure f = diagnoseServerCertificate(
        der, host, m_dc.otherCaFile(), QDateTime::currentDateTimeUtc().addDays(daysFromNow));
    QCOMPARE(f.code, expected);
    QVERIFY2(f.message.contains(messagePart), qPrintable(f.message));
    QVERIFY2(f.message.contains(u"Lab only"), qPrintable(f.message));
}

void tst_LdapScanJob::failures_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("bindDn");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("allowPlain");
    QTest::addColumn<QString>("base");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    const QString admin = m_dc.adminUpn();
    const QString pw = m_dc.adminPassword();
    const QString svcPw = m_dc.servicePassword();
    const QString contractors = QStringLiteral("OU=Contractors,") + m_dc.baseDn();

    QTest::newRow("wrong password (52e)")
        << "ldaps://127.0.0.1" << admin << QStringLiteral("not-the-password") << false
        << contractors << LdapError::WrongPassword
        << QStringLiteral("rejected the user name or password");
    QTest::newRow("wrong password, DN form")
        << "ldaps://127.0.0.1" << m_dc.value(QStringLiteral("SAMBA_DC_ADMIN_DN"))
        << QStringLiteral("nope") << false << contractors << LdapError::WrongPassword
        << QStringLiteral("data 52e");
    QTest::newRow("disabled account (533)")
        << "ldaps://127.0.0.1" << m_dc.value(QStringLiteral("SAMBA_DC_DISABLED_UPN")) << svcPw
        << false << contractors << LdapError::AccountDisabled << QStringLiteral("is disabled");
    QTest::newRow("expired account (701)")
        << "ldaps://127.0.0.1" << m_dc.value(QStringLiteral("SAMBA_DC_EXPIRED_UPN")) << svcPw
        << false << contractors << LdapError::AccountExpired << QStringLiteral("has expired");
    QTest::newRow("password must change (773)")
        << "ldaps://127.0.0.1" << m_dc.value(QStringLiteral("SAMBA_DC_MUSTCHANGE_UPN")) << svcPw
        << false << contractors << LdapError::PasswordExpired << QStringLiteral("must be changed");
    QTest::newRow("anonymous refused (00002020)")
        << "ldaps://127.0.0.1" << QString() << QString() << false << contractors
        << LdapError::AnonymousRefused << QStringLiteral("does not allow anonymous");
    QTest::newRow("plain bind refused")
        << "ldap://127.0.0.1" << admin << pw << false << contractors << LdapError::PlainBindRefused
        << QStringLiteral("unencrypted");
    QTest::newRow("plain bind allowed")
        << "ldap://127.0.0.1" << admin << pw << true << contractors << LdapError::None << QString();
    QTest::newRow("no such OU") << "ldaps://127.0.0.1" << admin << pw << false
                                << QStringLiteral("OU=Nowhere,") + m_dc.baseDn()
                                << LdapError::NoSuchBase << QStringLiteral("does not exist");
    QTest::newRow("server unreachable")
        << "ldaps://127.0.0.1:1" << admin << pw << false << contractors
        << LdapError::ServerUnreachable << QStringLiteral("Cannot reach");
    QTest::newRow("not an LDAP URI")
        << "https://127.0.0.1" << admin << pw << false << contractors << LdapError::InvalidConfig
        << QStringLiteral("ldap:// or ldaps://");
}

void tst_LdapScanJob::failures()
{
    QFETCH(QString, uri);
    QFETCH(QString, bindDn);
    QFETCH(QString, password);
    QFETCH(bool, allowPlain);
    QFETCH(QString, base);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    LdapConfig config = m_dc.ldapsConfig();
    config.uri = uri;
    config.tlsMode = TlsMode::None;
    config.bindDn = bindDn;
    config.password = password;
    config.allowPlainBind = allowPlain;
    config.searchBases = {base};
    LdapScanJob job(config);
    QVERIFY(run(&job));
    QCOMPARE(job.ldapError(), expected);
    QCOMPARE(job.error(), ldapJobError(expected));
    if (expected == LdapError::None) {
        QCOMPARE(job.users().size(), 1000);
    } else {
        QVERIFY2(job.errorString().contains(messagePart), qPrintable(job.errorString()));
        QVERIFY2(password.isEmpty() || !job.errorString().contains(password),
                 "the password must never appear in a message");
    }
}

// svc-locked has its own password policy (lockout after two bad passwords): lock it, then
// even the right password gives AD's "data 775".
void tst_LdapScanJob::lockedAccount()
{
    LdapConfig config = m_dc.ldapsConfig();
    config.bindDn = m_dc.value(QStringLiteral("SAMBA_DC_LOCKOUT_UPN"));
    config.searchBases = {QStringLiteral("OU=Contractors,") + m_dc.baseDn()};
    config.password = QStringLiteral("wrong-1");
    for (int attempt = 0; attempt < 3; ++attempt) {
        LdapScanJob job(config);
        QVERIFY(run(&job));
        if (job.ldapError() == LdapError::AccountLocked)
            break;
        QCOMPARE(job.ldapError(), LdapError::WrongPassword);
    }
    config.password = m_dc.servicePassword();
    LdapScanJob job(config);
    QVERIFY(run(&job));
    QCOMPARE(job.ldapError(), LdapError::AccountLocked);
    QVERIFY2(job.errorString().contains(u"is locked out"), qPrintable(job.errorString()));
    QVERIFY2(job.errorString().contains(u"data 775"), qPrintable(job.errorString()));
}

void tst_LdapScanJob::scopeAndFilter_data()
{
    QTest::addColumn<QStringList>("bases");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("scoped");
    QTest::addColumn<bool>("references"); // the search returns search references to skip
    const QString base = SeedData::baseDn();
    // From the domain root: 5,000 seeded users + 4 svc-* accounts (Administrator, Guest and
    // krbtgt are critical system objects); the root search also returns search references.
    QTest::newRow("domain root, default filter")
        << QStringList() << LdapConfig::defaultFilter() << 5004 << false << true;
    QTest::newRow("one OU") << QStringList{QStringLiteral("OU=Contractors,") + base}
                            << LdapConfig::defaultFilter() << 1000 << true << false;
    QTest::newRow("overlapping bases counted once")
        << QStringList{base, QStringLiteral("OU=Contractors,") + base}
        << LdapConfig::defaultFilter() << 5004 << true << true;
    QTest::newRow("wildcard filter")
        << QStringList() << QStringLiteral("(sAMAccountName=user0004*)") << 10 << true << true;
    QTest::newRow("escaped value is literal")
        << QStringList()
        << ldapEqualityFilter(QStringLiteral("sAMAccountName"), QStringLiteral("user0004*")) << 0
        << true << true;
    QTest::newRow("escaped exact value")
        << QStringList()
        << ldapEqualityFilter(QStringLiteral("sAMAccountName"), QStringLiteral("user00042")) << 1
        << true << true;
    int disabledInStaff = 0;
    for (int i = 1; i <= 5000; ++i)
        if (!SeedData::expectedUser(i).enabled && SeedData::ouOf(i) == u"Staff")
            ++disabledInStaff;
    QTest::newRow("disabled users only")
        << QStringList{QStringLiteral("OU=Staff,") + base}
        << QStringLiteral("(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))")
        << disabledInStaff << true << false;
}

void tst_LdapScanJob::scopeAndFilter()
{
    QFETCH(QStringList, bases);
    QFETCH(QString, filter);
    QFETCH(int, count);
    QFETCH(bool, scoped);
    QFETCH(bool, references);
    LdapConfig config = m_dc.ldapsConfig();
    config.searchBases = bases;
    config.filter = filter;
    QCOMPARE(config.isScoped(), scoped);
    LdapScanJob job(config);
    QVERIFY(run(&job));
    QVERIFY2(job.error() == Job::NoError, qPrintable(job.errorString()));
    QCOMPARE(job.isScoped(), scoped);
    // From the domain root Samba returns references (DomainDnsZones, Configuration…).
    QCOMPARE(job.searchReferencesSkipped() > 0, references);
    const QList<OnPremUser> users = job.users();
    QCOMPARE(users.size(), count);
    QSet<QString> dns;
    for (const OnPremUser &user : users) {
        QVERIFY2(!dns.contains(user.dn.toLower()), qPrintable(user.dn));
        dns.insert(user.dn.toLower());
        if (filter.contains(u"803:=2"))
            QVERIFY(!user.enabled);
        if (bases.size() == 1)
            QVERIFY(user.dn.endsWith(bases.first()));
    }
}

void tst_LdapScanJob::recreatedUserGetsNewAnchor()
{
    const QString dn = QStringLiteral("CN=recreate-me,OU=Staff,") + m_dc.baseDn();
    const QByteArray entry = "dn: " + dn.toUtf8() +
                             "\nobjectClass: user\nsAMAccountName: recreate-me\n"
                             "userPrincipalName: recreate-me@corp.example.test\n"
                             "userAccountControl: 544\n";
    m_dc.runTool(QStringLiteral("ldapdelete"), {dn}); // left over from an earlier run
    bool ok = false;
    QString err;
    m_dc.runTool(QStringLiteral("ldapadd"), {}, entry, &ok, &err);
    QVERIFY2(ok, qPrintable(err));

    LdapConfig config = m_dc.ldapsConfig();
    config.filter = ldapEqualityFilter(QStringLiteral("userPrincipalName"),
                                       QStringLiteral("recreate-me@corp.example.test"));
    const QList<OnPremUser> before = scan(config);
    QCOMPARE(before.size(), 1);

    m_dc.runTool(QStringLiteral("ldapdelete"), {dn}, {}, &ok, &err);
    QVERIFY2(ok, qPrintable(err));
    QCOMPARE(scan(config).size(), 0);
    m_dc.runTool(QStringLiteral("ldapadd"), {}, entry, &ok, &err);
    QVERIFY2(ok, qPrintable(err));
    const QList<OnPremUser> after = scan(config);
    QCOMPARE(after.size(), 1);

    QCOMPARE(after.first().upn, before.first().upn);
    QCOMPARE(after.first().objectGuid.size(), 16);
    QVERIFY(after.first().objectGuid != before.first().objectGuid);
    QVERIFY(after.first().anchor(AnchorRule::ConsistencyGuidElseObjectGuid) !=
            before.first().anchor(AnchorRule::ConsistencyGuidElseObjectGuid));
    m_dc.runTool(QStringLiteral("ldapdelete"), {dn}, {}, &ok, &err);
    QVERIFY2(ok, qPrintable(err));
}

void tst_LdapScanJob::cancelStopsWithinAPage()
{
    LdapConfig config = m_dc.ldapsConfig();
    config.pageSize = 100;
    auto *job = new LdapScanJob(config);
    QPointer<LdapScanJob> alive(job);
    job->setAutoDelete(false);
    QSignalSpy finished(job, &Job::finished);
    qint64 atCancel = -1;
    connect(job, &Job::progressChanged, job, [&](const JobProgress &p) {
        if (atCancel < 0) {
            atCancel = p.done;
            job->cancel();
        }
    });
    job->start();
    QVERIFY(finished.wait(120000));
    QCOMPARE(job->error(), int(Job::Cancelled));
    QCOMPARE(atCancel, 100);
    // The worker finished at most the page it was reading when cancel() came.
    QVERIFY2(job->pagesReadAfterCancel() <= 1,
             qPrintable(QString::number(job->pagesReadAfterCancel())));
    QVERIFY(job->users().size() < 5000);
    QVERIFY(job->users().size() <= (job->pages()) * 100);
    delete job;
}

void tst_LdapScanJob::eventLoopKeepsRunning()
{
    LdapScanJob job(m_dc.ldapsConfig());
    job.setAutoDelete(false);
    QSignalSpy finished(&job, &Job::finished);
    int ticks = 0;
    int ticksMidScan = 0; // ticks while some but not all users were read
    QTimer timer;
    timer.setInterval(1);
    connect(&timer, &QTimer::timeout, this, [&] {
        ++ticks;
        if (job.processedAmount() > 0 && !job.isFinished())
            ++ticksMidScan;
    });
    timer.start();
    job.start();
    QVERIFY(finished.wait(120000));
    timer.stop();
    QVERIFY2(job.error() == Job::NoError, qPrintable(job.errorString()));
    QCOMPARE(job.users().size(), 5004);
    QVERIFY2(ticks > 0, "the event loop did not run while the scan was going on");
    QVERIFY2(ticksMidScan > 0, "no timer tick between the first page and the end of the scan");
}

QTEST_GUILESS_MAIN(tst_LdapScanJob)
#include "tst_ldapscanjob.moc"
