// CloudSession against the practice tenant: sign-in by every method, who signed in,
// the permissions the token grants, the tenant's facts, write access on demand; and the
// practice tenant's JWT-shaped tokens and purge permission as Entra enforces it.

#include "accesstoken.h"
#include "cloudsession.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "job.h"
#include "practicetenant.h"
#include "practicetestsupport.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace PracticeTest;

Q_DECLARE_METATYPE(SignInMethod)
Q_DECLARE_METATYPE(GraphConfig::Phrasing)

namespace {

const QString adminUpn = QStringLiteral("admin@") + initialDomain;

// smallTenant() with the client's permissions replaced (empty list = keep the default).
QJsonObject tenantWith(const QStringList &delegated, const QStringList &application)
{
    QJsonObject tenant = smallTenant();
    QJsonArray clients = tenant.value(QLatin1String("clients")).toArray();
    QJsonObject client = clients.first().toObject();
    if (!delegated.isEmpty())
        client.insert(QLatin1String("delegatedPermissions"), QJsonArray::fromStringList(delegated));
    if (!application.isEmpty())
        client.insert(QLatin1String("applicationPermissions"),
                      QJsonArray::fromStringList(application));
    clients.replace(0, client);
    tenant.insert(QLatin1String("clients"), clients);
    return tenant;
}

} // namespace

class tst_CloudSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void signIn_data();
    void signIn();
    void permissionsInToken_data();
    void permissionsInToken();
    void tenantFactsWithoutDomainRead();
    void writeAccessOnDemand();
    void wrongSecretFails();
    void meIsDelegatedOnly();
    void purgePermission_data();
    void purgePermission();
    void adviceNamesTheFields_data();
    void adviceNamesTheFields();

private:
    GraphConfig config(SignInMethod method) const
    {
        GraphConfig c;
        c.authorityUrl = QUrl(m_tenant->baseUrl());
        c.graphUrl = QUrl(m_tenant->baseUrl());
        c.tenant = tenantId;
        c.clientId = clientId;
        c.signInMethod = method;
        return c;
    }
    // Approves device codes and follows browser sign-ins, then runs the sign-in.
    int runSignIn(CloudSession &session, SignInMethod method, const QString &secret = {},
                  bool write = false, QString *error = nullptr)
    {
        connect(&session, &CloudSession::deviceCodeIssued, this,
                [this](const QString &code) { m_tenant->approveDeviceCode(code); });
        connect(&session, &CloudSession::browserSignInRequested, this, [this](const QUrl &url) {
            QNetworkReply *reply = m_browser.get(QNetworkRequest(url));
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        });
        return runJob(session.signIn(config(method), secret, write), error);
    }
    static int runJob(Job *job, QString *error = nullptr)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        if (!job->isFinished() && !spy.wait(30000))
            return -1;
        const int code = job->error();
        if (error)
            *error = job->errorString();
        delete job;
        return code;
    }

    std::unique_ptr<PracticeTenant> m_tenant;
    QNetworkAccessManager m_browser; // stands in for the system browser
};

void tst_CloudSession::init()
{
    m_tenant = std::make_unique<PracticeTenant>();
    QCOMPARE(m_tenant->loadJson(smallTenant()), QString());
    QVERIFY(m_tenant->listen() != 0);
    m_tenant->tokens().setDeviceCodeTiming(900, 1);
}

void tst_CloudSession::cleanup()
{
    m_tenant.reset();
}

void tst_CloudSession::signIn_data()
{
    QTest::addColumn<SignInMethod>("method");
    QTest::addColumn<QString>("operatorName");
    QTest::addColumn<bool>("appOnly");
    QTest::newRow("device code") << SignInMethod::DeviceCode << adminUpn << false;
    QTest::newRow("browser + PKCE") << SignInMethod::BrowserPkce << adminUpn << false;
    QTest::newRow("client secret")
        << SignInMethod::ClientSecret << QString(u"app:" + clientId + u" (Anchorfix test)") << true;
}

void tst_CloudSession::signIn()
{
    QFETCH(SignInMethod, method);
    QFETCH(QString, operatorName);
    QFETCH(bool, appOnly);
    CloudSession session;
    QVERIFY(!session.isSignedIn());
    QString error;
    QCOMPARE(runSignIn(session, method, clientSecret, false, &error), int(Job::NoError));
    QVERIFY(session.isSignedIn());
    QVERIFY(session.client());
    QCOMPARE(session.isAppOnly(), appOnly);
    QCOMPARE(session.operatorName(), operatorName);

    // Tenant facts: GET /organization and GET /domains.
    const TenantFacts tenant = session.tenant();
    QCOMPARE(tenant.id, tenantId);
    QCOMPARE(tenant.displayName, QStringLiteral("Contoso test"));
    QCOMPARE(tenant.initialDomain, initialDomain);
    QCOMPARE(tenant.federatedDomains, QStringList{QStringLiteral("fed.contoso.test")});
    QCOMPARE(tenant.verifiedDomains.size(), 3);
    QCOMPARE(tenant.describe(), QStringLiteral("Contoso test (%1)").arg(initialDomain));
    QVERIFY(session.hasTenantDomains());
    QCOMPARE(session.tenantProblems(), QStringList());

    // Permissions from the token's scp (delegated: read scopes only) or roles claim.
    const GrantedPermissions granted = session.permissions();
    QVERIFY(granted.known);
    QCOMPARE(granted.appOnly, appOnly);
    QVERIFY(granted.has(QStringLiteral("user.read.all")));
    QCOMPARE(granted.has(QStringLiteral("User.ReadWrite.All")), appOnly);
    QCOMPARE(appOnly ? granted.scopes.isEmpty() : granted.roles.isEmpty(), true);

    // The client carries the session's token.
    GraphRequestJob *me = session.client()->request("GET", QStringLiteral("/organization"),
                                                    std::nullopt, true, QStringLiteral("x"));
    QCOMPARE(runJob(me), int(Job::NoError));
}

void tst_CloudSession::permissionsInToken_data()
{
    QTest::addColumn<SignInMethod>("method");
    QTest::addColumn<QStringList>("configured");
    QTest::addColumn<QString>("permission");
    QTest::addColumn<bool>("granted");
    const QStringList reads{QStringLiteral("User.Read.All"), QStringLiteral("Domain.Read.All"),
                            QStringLiteral("Organization.Read.All")};
    const QStringList purge = reads + QStringList{QStringLiteral("User.DeleteRestore.All")};
    QTest::newRow("delegated read only: no write")
        << SignInMethod::DeviceCode << reads << QStringLiteral("User.ReadWrite.All") << false;
    QTest::newRow("app read only: no write")
        << SignInMethod::ClientSecret << reads << QStringLiteral("User.ReadWrite.All") << false;
    QTest::newRow("app with purge role")
        << SignInMethod::ClientSecret << purge << QStringLiteral("User.DeleteRestore.All") << true;
    QTest::newRow("app without sync read")
        << SignInMethod::ClientSecret << reads
        << QStringLiteral("OnPremDirectorySynchronization.Read.All") << false;
}

void tst_CloudSession::permissionsInToken()
{
    QFETCH(SignInMethod, method);
    QFETCH(QStringList, configured);
    QFETCH(QString, permission);
    QFETCH(bool, granted);
    QCOMPARE(m_tenant->loadJson(tenantWith(configured, configured)), QString());
    CloudSession session;
    QCOMPARE(runSignIn(session, method, clientSecret), int(Job::NoError));
    QCOMPARE(session.permissions().has(permission), granted);
    // What the token says is what the tenant enforces.
    const GrantedPermissions fromToken =
        AccessToken::permissions(session.tokenProvider()->accessToken());
    QCOMPARE(fromToken, session.permissions());
}

void tst_CloudSession::tenantFactsWithoutDomainRead()
{
    // An app that may read users but not the tenant: the sign-in works, and says what
    // it could not read.
    QCOMPARE(m_tenant->loadJson(tenantWith({}, {QStringLiteral("User.Read.All")})), QString());
    CloudSession session;
    QCOMPARE(runSignIn(session, SignInMethod::ClientSecret, clientSecret), int(Job::NoError));
    QVERIFY(session.isSignedIn());
    QVERIFY(!session.hasTenantDomains());
    QVERIFY2(session.tenantDomainsProblem().contains(u"domains"),
             qPrintable(session.tenantDomainsProblem()));
    QCOMPARE(session.tenantProblems().size(), 2); // organization and domains
    QCOMPARE(session.tenant().id, tenantId);      // from the token's tid
    QCOMPARE(session.tenant().describe(), tenantId);
}

void tst_CloudSession::writeAccessOnDemand()
{
    CloudSession session;
    QCOMPARE(runSignIn(session, SignInMethod::DeviceCode), int(Job::NoError));
    QVERIFY(!session.permissions().has(QStringLiteral("User.ReadWrite.All")));
    QSignalSpy codes(&session, &CloudSession::deviceCodeIssued);
    // Through the refresh token: no new sign-in.
    QCOMPARE(runJob(session.requestWriteAccess()), int(Job::NoError));
    QVERIFY(session.permissions().has(QStringLiteral("User.ReadWrite.All")));
    QCOMPARE(codes.size(), 0);
    QCOMPARE(session.operatorName(), adminUpn);
    // Asked again: nothing to do.
    QCOMPARE(runJob(session.requestWriteAccess()), int(Job::NoError));
}

void tst_CloudSession::wrongSecretFails()
{
    CloudSession session;
    QString error;
    QCOMPARE(runSignIn(session, SignInMethod::ClientSecret, QStringLiteral("wrong"), false, &error),
             int(Job::UserDefinedError));
    QVERIFY2(error.contains(u"client secret"), qPrintable(error));
    QVERIFY(!session.isSignedIn());
    QVERIFY(session.operatorName().isEmpty());
}

void tst_CloudSession::meIsDelegatedOnly()
{
    // GET /me answers for the signed-in person; an app-only token gets Graph's 400.
    for (const QString &upn : {adminUpn, QString()}) {
        GraphClient client(config(SignInMethod::DeviceCode));
        client.setAccessToken(m_tenant->issueAccessToken({}, upn));
        GraphRequestJob *job =
            client.request("GET", QStringLiteral("/me?$select=userPrincipalName"), std::nullopt,
                           true, QStringLiteral("User.Read"));
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        QVERIFY(spy.wait(10000));
        if (upn.isEmpty()) {
            QCOMPARE(job->result().httpStatus, 400);
        } else {
            QCOMPARE(job->error(), int(Job::NoError));
            QCOMPARE(job->result().body.value(QLatin1String("userPrincipalName")).toString(), upn);
        }
        delete job;
    }
}

void tst_CloudSession::purgePermission_data()
{
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<bool>("delegated");
    QTest::addColumn<int>("status");
    const QString write = QStringLiteral("User.ReadWrite.All");
    const QString purge = QStringLiteral("User.DeleteRestore.All");
    QTest::newRow("app User.ReadWrite.All: refused") << QStringList{write} << false << 403;
    QTest::newRow("app User.DeleteRestore.All") << QStringList{purge} << false << 204;
    QTest::newRow("delegated User.ReadWrite.All (older docs)") << QStringList{write} << true << 204;
    QTest::newRow("delegated User.DeleteRestore.All") << QStringList{purge} << true << 204;
    QTest::newRow("delegated read only: refused")
        << QStringList{QStringLiteral("User.Read.All")} << true << 403;
}

void tst_CloudSession::purgePermission()
{
    QFETCH(QStringList, permissions);
    QFETCH(bool, delegated);
    QFETCH(int, status);
    GraphClient client(config(SignInMethod::DeviceCode));
    client.setAccessToken(
        m_tenant->issueAccessToken(permissions, delegated ? adminUpn : QString()));
    // The token says what it grants, as Entra's do.
    const GrantedPermissions granted = AccessToken::permissions(client.accessToken());
    QCOMPARE(granted.appOnly, !delegated);
    QCOMPARE(granted.all(), permissions);
    GraphRequestJob *job = client.purgeDeletedItem(QStringLiteral("gone"));
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    QVERIFY(spy.wait(10000));
    QCOMPARE(job->result().httpStatus, status);
    if (status == 403)
        QCOMPARE(job->result().code, QStringLiteral("Authorization_RequestDenied"));
    delete job;
}

void tst_CloudSession::adviceNamesTheFields_data()
{
    QTest::addColumn<GraphConfig::Phrasing>("phrasing");
    QTest::addColumn<QString>("problem"); // empty-tenant | unknown-client
    QTest::addColumn<QString>("named");
    QTest::addColumn<QString>("notNamed");
    const auto cli = GraphConfig::Phrasing::CommandLine;
    const auto wizard = GraphConfig::Phrasing::Wizard;
    QTest::newRow("cli: no tenant") << cli << "empty-tenant"
                                    << "--tenant"
                                    << "under Tenant";
    QTest::newRow("wizard: no tenant") << wizard << "empty-tenant"
                                       << "under Tenant"
                                       << "--";
    QTest::newRow("cli: unknown client id") << cli << "unknown-client"
                                            << "--client-id"
                                            << "Client id";
    QTest::newRow("wizard: unknown client id") << wizard << "unknown-client"
                                               << "Client id"
                                               << "--";
    QTest::newRow("wizard: bad sign-in endpoint") << wizard << "bad-authority"
                                                  << "Sign-in endpoint"
                                                  << "--";
    QTest::newRow("cli: bad sign-in endpoint") << cli << "bad-authority"
                                               << "--authority-url"
                                               << "Sign-in endpoint";
}

void tst_CloudSession::adviceNamesTheFields()
{
    // One source of advice, two phrasings: the CLI names its flags, the wizard its fields.
    QFETCH(GraphConfig::Phrasing, phrasing);
    QFETCH(QString, problem);
    QFETCH(QString, named);
    QFETCH(QString, notNamed);
    GraphConfig c = config(SignInMethod::ClientSecret);
    c.phrasing = phrasing;
    if (problem == u"empty-tenant")
        c.tenant.clear();
    else if (problem == u"unknown-client")
        c.clientId = QStringLiteral("11111111-2222-4333-8444-555555555555");
    else
        c.authorityUrl = QUrl(QStringLiteral("http://login.example.com"));
    CloudSession session;
    Job *job = session.signIn(c, clientSecret);
    QString error;
    QCOMPARE(runJob(job, &error), int(Job::UserDefinedError));
    QVERIFY2(error.contains(named), qPrintable(error));
    QVERIFY2(!error.contains(notNamed), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_CloudSession)
#include "tst_cloudsession.moc"
