// Unit tests of the LDAP helpers that need no server: RFC 4515 escaping, the error mapping
// (AD's "data 52e"…), and LdapConfig.
#include <ldapconfig.h>
#include <ldaperror.h>
#include <ldapfilter.h>

#include <job.h>

#include <QTest>

#include <ldap.h>

Q_DECLARE_METATYPE(LdapError)
Q_DECLARE_METATYPE(LdapConfig::TlsMode)

class tst_LdapHelpers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void escapeValue_data();
    void escapeValue();
    void escapeBytes();
    void equalityFilter();
    void failureMapping_data();
    void failureMapping();
    void writeFailureMapping_data();
    void writeFailureMapping();
    void jobErrorRoundTrip();
    void tlsMode_data();
    void tlsMode();
    void scoped_data();
    void scoped();
    void validate_data();
    void validate();
};

void tst_LdapHelpers::escapeValue_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("escaped");
    QTest::newRow("plain") << "ann@corp.example"
                           << "ann@corp.example";
    QTest::newRow("star") << "a*b"
                          << "a\\2ab";
    QTest::newRow("parentheses") << "Lee (IT)"
                                 << "Lee \\28IT\\29";
    QTest::newRow("backslash") << "CORP\\ann"
                               << "CORP\\5cann";
    QTest::newRow("NUL") << QString(QChar(0)) + QStringLiteral("x") << "\\00x";
    QTest::newRow("all specials") << "*()\\"
                                  << "\\2a\\28\\29\\5c";
    QTest::newRow("injection attempt") << "x)(objectClass=*"
                                       << "x\\29\\28objectClass=\\2a";
    QTest::newRow("UTF-8 kept") << "Zoë Ünïcode"
                                << "Zoë Ünïcode";
    QTest::newRow("empty") << ""
                           << "";
}

void tst_LdapHelpers::escapeValue()
{
    QFETCH(QString, value);
    QFETCH(QString, escaped);
    QCOMPARE(ldapEscapeFilterValue(value), escaped);
}

void tst_LdapHelpers::escapeBytes()
{
    const QByteArray guid = QByteArray::fromBase64("h9RUd8MfBkKelc4BLxWG5Q==");
    QCOMPARE(ldapEscapeFilterBytes(guid),
             QStringLiteral("\\87\\d4\\54\\77\\c3\\1f\\06\\42\\9e\\95\\ce\\01\\2f\\15\\86\\e5"));
    QCOMPARE(ldapEscapeFilterBytes(QByteArray("\x00(", 2)), QStringLiteral("\\00\\28"));
}

void tst_LdapHelpers::equalityFilter()
{
    QCOMPARE(ldapEqualityFilter(QStringLiteral("userPrincipalName"), QStringLiteral("a*(b)")),
             QStringLiteral("(userPrincipalName=a\\2a\\28b\\29)"));
}

void tst_LdapHelpers::failureMapping_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("diagnostic");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    const QString ad = QStringLiteral(
        "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data %1, v4563");
    QTest::newRow("52e wrong password") << LDAP_INVALID_CREDENTIALS << ad.arg("52e")
                                        << LdapError::WrongPassword << "user name or password";
    QTest::newRow("525 unknown user") << LDAP_INVALID_CREDENTIALS << ad.arg("525")
                                      << LdapError::WrongPassword << "user name or password";
    QTest::newRow("49 without data") << LDAP_INVALID_CREDENTIALS << QString()
                                     << LdapError::WrongPassword << "Invalid credentials (49)";
    QTest::newRow("775 locked") << LDAP_INVALID_CREDENTIALS << ad.arg("775")
                                << LdapError::AccountLocked << "locked out";
    QTest::newRow("533 disabled") << LDAP_INVALID_CREDENTIALS << ad.arg("533")
                                  << LdapError::AccountDisabled << "is disabled";
    QTest::newRow("701 expired") << LDAP_INVALID_CREDENTIALS << ad.arg("701")
                                 << LdapError::AccountExpired << "has expired";
    QTest::newRow("532 password expired")
        << LDAP_INVALID_CREDENTIALS << ad.arg("532") << LdapError::PasswordExpired << "password of";
    QTest::newRow("773 must change") << LDAP_INVALID_CREDENTIALS << ad.arg("773")
                                     << LdapError::PasswordExpired << "must be changed";
    QTest::newRow("530 logon hours") << LDAP_INVALID_CREDENTIALS << ad.arg("530")
                                     << LdapError::LogonNotPermitted << "may not log on";
    QTest::newRow("anonymous 00002020")
        << LDAP_OPERATIONS_ERROR
        << QStringLiteral("00002020: Operation unavailable without authentication")
        << LdapError::AnonymousRefused << "anonymous";
    QTest::newRow("anonymous 000004DC")
        << LDAP_OPERATIONS_ERROR
        << QStringLiteral("000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this "
                          "operation a successful bind must be completed on the connection.")
        << LdapError::AnonymousRefused << "anonymous";
    QTest::newRow("server down") << LDAP_SERVER_DOWN << QString() << LdapError::ServerUnreachable
                                 << "Cannot reach the directory at ldaps://dc1";
    QTest::newRow("timeout") << LDAP_TIMEOUT << QString() << LdapError::Timeout << "in time";
    QTest::newRow("strong auth") << LDAP_STRONG_AUTH_REQUIRED
                                 << QStringLiteral("BindSimple: Transport encryption required.")
                                 << LdapError::TlsRequiredByServer << "StartTLS";
    QTest::newRow("size limit") << LDAP_SIZELIMIT_EXCEEDED << QString() << LdapError::SizeLimit
                                << "size limit";
    QTest::newRow("admin limit") << LDAP_ADMINLIMIT_EXCEEDED << QString() << LdapError::SizeLimit
                                 << "MaxPageSize";
    QTest::newRow("time limit") << LDAP_TIMELIMIT_EXCEEDED << QString() << LdapError::TimeLimit
                                << "time limit";
    QTest::newRow("referral") << LDAP_REFERRAL
                              << QStringLiteral("0000202B: RefErr → ldap://other.example/DC=other")
                              << LdapError::Referral << "ldap://other.example/DC=other";
    QTest::newRow("no such object")
        << LDAP_NO_SUCH_OBJECT << QString() << LdapError::NoSuchBase << "does not exist";
    QTest::newRow("insufficient access")
        << LDAP_INSUFFICIENT_ACCESS << QString() << LdapError::AccessDenied << "may not";
    QTest::newRow("bad filter") << LDAP_FILTER_ERROR << QString() << LdapError::BadFilter
                                << "filter";
    QTest::newRow("invalid DN") << LDAP_INVALID_DN_SYNTAX << QString() << LdapError::InvalidConfig
                                << "not a valid DN";
    QTest::newRow("other") << LDAP_UNWILLING_TO_PERFORM << QStringLiteral("nope")
                           << LdapError::ProtocolError << "nope";
    QTest::newRow("success") << LDAP_SUCCESS << QString() << LdapError::None << QString();
}

void tst_LdapHelpers::failureMapping()
{
    QFETCH(int, code);
    QFETCH(QString, diagnostic);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    const LdapFailure f = ldapFailureFor(code, diagnostic, QStringLiteral("search"),
                                         QStringLiteral("svc@corp.example"),
                                         QStringLiteral("ldaps://dc1.corp.example"));
    QCOMPARE(f.code, expected);
    QCOMPARE(f.isError(), expected != LdapError::None);
    QVERIFY2(f.message.contains(messagePart), qPrintable(f.message));
    if (expected != LdapError::None)
        QVERIFY(!ldapErrorName(expected).isEmpty());
}

void tst_LdapHelpers::writeFailureMapping_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    // Samba's and AD's diagnostics for a modify refused by the ACL
    QTest::newRow("insufficient access names the right")
        << LDAP_INSUFFICIENT_ACCESS << LdapError::WriteAccessDenied
        << "Grant it \"Write mS-DS-ConsistencyGuid\"";
    QTest::newRow("insufficient access names the account")
        << LDAP_INSUFFICIENT_ACCESS << LdapError::WriteAccessDenied
        << "\"svc@corp.example\" may not write";
    QTest::newRow("constraint violation")
        << LDAP_CONSTRAINT_VIOLATION << LdapError::ConstraintViolation << "16-byte";
    QTest::newRow("invalid syntax")
        << LDAP_INVALID_SYNTAX << LdapError::ConstraintViolation << "Nothing was written";
    QTest::newRow("no such object")
        << LDAP_NO_SUCH_OBJECT << LdapError::ObjectNotFound << "deleted or moved since the scan";
    QTest::newRow("unwilling") << LDAP_UNWILLING_TO_PERFORM << LdapError::UnwillingToPerform
                               << "unwilling";
    QTest::newRow("server down falls back")
        << LDAP_SERVER_DOWN << LdapError::ServerUnreachable << "Cannot reach";
}

void tst_LdapHelpers::writeFailureMapping()
{
    QFETCH(int, code);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    const QString dn = QStringLiteral("CN=Ann,OU=Staff,DC=corp,DC=example");
    const LdapFailure f = ldapWriteFailureFor(
        code, QStringLiteral("00002098: SecErr: DSID-03150F94"), dn,
        QStringLiteral("mS-DS-ConsistencyGuid"), QStringLiteral("svc@corp.example"),
        QStringLiteral("ldaps://dc1.corp.example"));
    QCOMPARE(f.code, expected);
    QVERIFY2(f.message.contains(messagePart), qPrintable(f.message));
    QVERIFY2(f.message.contains(dn) || expected == LdapError::ServerUnreachable,
             qPrintable(f.message));
    QVERIFY(!ldapErrorName(expected).isEmpty());
    QVERIFY(ldapErrorName(expected) != u"unknown");
}

void tst_LdapHelpers::jobErrorRoundTrip()
{
    for (int i = int(LdapError::None); i <= int(LdapError::UnwillingToPerform); ++i) {
        const auto e = LdapError(i);
        QCOMPARE(ldapErrorFromJobError(ldapJobError(e)), e);
    }
    QCOMPARE(ldapJobError(LdapError::None), int(Job::NoError));
    QCOMPARE(ldapErrorFromJobError(Job::Cancelled), LdapError::None);
    QCOMPARE(ldapJobError(LdapError::InvalidConfig), int(Job::UserDefinedError) + 1);
}

void tst_LdapHelpers::tlsMode_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<LdapConfig::TlsMode>("configured");
    QTest::addColumn<LdapConfig::TlsMode>("effective");
    using M = LdapConfig::TlsMode;
    QTest::newRow("ldaps wins") << "ldaps://dc1" << M::None << M::Ldaps;
    QTest::newRow("LDAPS upper case") << "LDAPS://dc1:636" << M::StartTls << M::Ldaps;
    QTest::newRow("ldap + starttls") << "ldap://dc1" << M::StartTls << M::StartTls;
    QTest::newRow("ldap plain") << "ldap://dc1" << M::None << M::None;
    QTest::newRow("ldap cannot be ldaps") << "ldap://dc1" << M::Ldaps << M::StartTls;
}

void tst_LdapHelpers::tlsMode()
{
    QFETCH(QString, uri);
    QFETCH(LdapConfig::TlsMode, configured);
    QFETCH(LdapConfig::TlsMode, effective);
    LdapConfig c;
    c.uri = uri;
    c.tlsMode = configured;
    QCOMPARE(c.effectiveTlsMode(), effective);
}

void tst_LdapHelpers::scoped_data()
{
    QTest::addColumn<QStringList>("bases");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("scoped");
    QTest::addColumn<QStringList>("effectiveBases");
    const QString base = QStringLiteral("DC=corp,DC=example");
    QTest::newRow("whole domain") << QStringList() << LdapConfig::defaultFilter() << false
                                  << QStringList{base};
    QTest::newRow("base listed as the only OU")
        << QStringList{base} << LdapConfig::defaultFilter() << false << QStringList{base};
    QTest::newRow("two OUs") << QStringList{"OU=A," + base, " OU=B," + base + " ", ""}
                             << LdapConfig::defaultFilter() << true
                             << QStringList{"OU=A," + base, "OU=B," + base};
    QTest::newRow("own filter") << QStringList() << "(objectClass=user)" << true
                                << QStringList{base};
}

void tst_LdapHelpers::scoped()
{
    QFETCH(QStringList, bases);
    QFETCH(QString, filter);
    QFETCH(bool, scoped);
    QFETCH(QStringList, effectiveBases);
    LdapConfig c;
    c.baseDn = QStringLiteral("DC=corp,DC=example");
    c.searchBases = bases;
    c.filter = filter;
    QCOMPARE(c.isScoped(), scoped);
    QCOMPARE(c.effectiveSearchBases(), effectiveBases);
}

void tst_LdapHelpers::validate_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("baseDn");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("requireBase");
    QTest::addColumn<QString>("problem"); // empty = valid
    const QString f = LdapConfig::defaultFilter();
    QTest::newRow("ok") << "ldaps://dc1"
                        << "DC=a" << f << true << QString();
    QTest::newRow("http") << "http://dc1"
                          << "DC=a" << f << true << "ldap:// or ldaps://";
    QTest::newRow("no host") << "ldap://"
                             << "DC=a" << f << true << "no server name";
    QTest::newRow("no base") << "ldap://dc1"
                             << "" << f << true << "base DN";
    QTest::newRow("no base for a test") << "ldap://dc1"
                                        << "" << f << false << QString();
    QTest::newRow("filter without parentheses") << "ldap://dc1"
                                                << "DC=a"
                                                << "objectClass=user" << true << "parentheses";
}

void tst_LdapHelpers::validate()
{
    QFETCH(QString, uri);
    QFETCH(QString, baseDn);
    QFETCH(QString, filter);
    QFETCH(bool, requireBase);
    QFETCH(QString, problem);
    LdapConfig c;
    c.uri = uri;
    c.baseDn = baseDn;
    c.filter = filter;
    const QString result = c.validate(requireBase);
    if (problem.isEmpty())
        QVERIFY2(result.isEmpty(), qPrintable(result));
    else
        QVERIFY2(result.contains(problem), qPrintable(result));
}

QTEST_GUILESS_MAIN(tst_LdapHelpers)
#include "tst_ldaphelpers.moc"
