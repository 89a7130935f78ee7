// GraphConfig and TokenProvider against the practice tenant's identity endpoints.

#include "credentialstore.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "practicetenant.h"
#include "practicetestsupport.h"
#include "tokenprovider.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace PracticeTest;

Q_DECLARE_METATYPE(SignInResult)
Q_DECLARE_METATYPE(SignInMethod)

class tst_TokenProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void configValidation_data();
    void configValidation();
    void cloudPresets_data();
    void cloudPresets();
    void endpoints();

    void deviceCode_data();
    void deviceCode();
    void deviceCodeSlowDown();
    void leastPrivilege_data();
    void leastPrivilege();
    void clientCredentials_data();
    void clientCredentials();
    void browserPkce();
    void refreshTokenReused();
    void expiredTokenRenewedDuringRun_data();
    void expiredTokenRenewedDuringRun();

private:
    GraphConfig config(SignInMethod method) const
    {
        GraphConfig c;
        c.authorityUrl = QUrl(m_tenant.baseUrl());
        c.graphUrl = QUrl(m_tenant.baseUrl());
        c.tenant = tenantId;
        c.clientId = clientId;
        c.signInMethod = method;
        return c;
    }
    // Runs a sign-in to its end.
    SignInResult signIn(TokenProvider &provider)
    {
        QSignalSpy spy(&provider, &TokenProvider::signInFinished);
        provider.signIn();
        if (!spy.wait(30000))
            return {};
        return spy.first().first().value<SignInResult>();
    }

    PracticeTenant m_tenant;
};

void tst_TokenProvider::initTestCase()
{
    qRegisterMetaType<SignInResult>();
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
}

void tst_TokenProvider::init()
{
    m_tenant.tokens().setDeviceCodeTiming(900, 1);
    m_tenant.clearLogs();
}

void tst_TokenProvider::configValidation_data()
{
    QTest::addColumn<QString>("authority");
    QTest::addColumn<QString>("graph");
    QTest::addColumn<QString>("tenant");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("problem"); // a word the message must contain; empty = valid
    const QString login = QStringLiteral("https://login.microsoftonline.com");
    const QString graph = QStringLiteral("https://graph.microsoft.com");
    QTest::newRow("global") << login << graph << "contoso.com"
                            << "id" << QString();
    QTest::newRow("trailing slash") << login + "/" << graph + "/"
                                    << "contoso.com"
                                    << "id" << QString();
    QTest::newRow("practice 127.0.0.1") << "http://127.0.0.1:8400"
                                        << "http://127.0.0.1:8400"
                                        << "t"
                                        << "id" << QString();
    QTest::newRow("practice localhost") << "http://localhost:8400"
                                        << "http://localhost:8400"
                                        << "t"
                                        << "id" << QString();
    QTest::newRow("practice ::1") << "http://[::1]:8400"
                                  << "http://[::1]:8400"
                                  << "t"
                                  << "id" << QString();
    QTest::newRow("http to a remote host") << "http://login.microsoftonline.com" << graph << "t"
                                           << "id"
                                           << "https://";
    QTest::newRow("http graph remote") << login << "http://graph.microsoft.com"
                                       << "t"
                                       << "id"
                                       << "https://";
    QTest::newRow("http to a lookalike") << "http://127.0.0.1.evil.test" << graph << "t"
                                         << "id"
                                         << "https://";
    QTest::newRow("path given") << login << graph + "/v1.0"
                                << "t"
                                << "id"
                                << "scheme and host";
    QTest::newRow("ftp") << "ftp://login.microsoftonline.com" << graph << "t"
                         << "id"
                         << "https://";
    QTest::newRow("no tenant") << login << graph << ""
                               << "id"
                               << "--tenant";
    QTest::newRow("tenant is a url") << login << graph << "https://x/y"
                                     << "id"
                                     << "not a URL";
    QTest::newRow("no client") << login << graph << "t"
                               << ""
                               << "--client-id";
}

void tst_TokenProvider::configValidation()
{
    QFETCH(QString, authority);
    QFETCH(QString, graph);
    QFETCH(QString, tenant);
    QFETCH(QString, client);
    QFETCH(QString, problem);
    GraphConfig c;
    c.authorityUrl = QUrl(authority);
    c.graphUrl = QUrl(graph);
    c.tenant = tenant;
    c.clientId = client;
    const QString message = c.validate();
    if (problem.isEmpty())
        QCOMPARE(message, QString());
    else
        QVERIFY2(message.contains(problem), qPrintable(message));
}

void tst_TokenProvider::cloudPresets_data()
{
    QTest::addColumn<CloudPreset>("preset");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("users");
    QTest::newRow("Global") << CloudPreset::Global
                            << "https://login.microsoftonline.com/t/oauth2/v2.0/token"
                            << "https://graph.microsoft.com/v1.0/users";
    QTest::newRow("US Gov") << CloudPreset::UsGov
                            << "https://login.microsoftonline.us/t/oauth2/v2.0/token"
                            << "https://graph.microsoft.us/v1.0/users";
    QTest::newRow("US Gov DoD") << CloudPreset::UsGovDoD
                                << "https://login.microsoftonline.us/t/oauth2/v2.0/token"
                                << "https://dod-graph.microsoft.us/v1.0/users";
    QTest::newRow("China") << CloudPreset::China
                           << "https://login.chinacloudapi.cn/t/oauth2/v2.0/token"
                           << "https://microsoftgraph.chinacloudapi.cn/v1.0/users";
}

void tst_TokenProvider::cloudPresets()
{
    QFETCH(CloudPreset, preset);
    QFETCH(QString, token);
    QFETCH(QString, users);
    GraphConfig c = GraphConfig::forCloud(preset);
    c.tenant = QStringLiteral("t");
    c.clientId = QStringLiteral("id");
    QCOMPARE(c.validate(), QString());
    QCOMPARE(c.tokenUrl().toString(), token);
    QCOMPARE(c.graphEndpoint(QStringLiteral("/users")).toString(), users);
    QVERIFY(c.defaultScope().endsWith(QLatin1String("/.default")));
    QVERIFY(c.readScopes().first().startsWith(users.section(QLatin1Char('/'), 0, 2)));
}

void tst_TokenProvider::endpoints()
{
    GraphConfig c;
    c.authorityUrl = QUrl(QStringLiteral("https://login.microsoftonline.com/"));
    c.tenant = QStringLiteral("contoso.onmicrosoft.com");
    QCOMPARE(c.deviceCodeUrl().toString(),
             QStringLiteral("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/"
                            "devicecode"));
    const QStringList read = c.readScopes();
    QVERIFY(read.contains(QStringLiteral("https://graph.microsoft.com/User.Read.All")));
    QVERIFY(
        read.contains(QStringLiteral("https://graph.microsoft.com/RoleManagement.Read.Directory")));
    QVERIFY(read.contains(
        QStringLiteral("https://graph.microsoft.com/OnPremDirectorySynchronization.Read.All")));
    QVERIFY(!read.join(QLatin1Char(' ')).contains(QLatin1String("ReadWrite")));
    QVERIFY(
        c.writeScopes().contains(QStringLiteral("https://graph.microsoft.com/User.ReadWrite.All")));
}

void tst_TokenProvider::deviceCode_data()
{
    QTest::addColumn<QString>("user"); // approve | decline | nothing
    QTest::addColumn<int>("expiresIn");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("error");
    QTest::newRow("approved") << "approve" << 900 << true << QString();
    QTest::newRow("declined") << "decline" << 900 << false << "authorization_declined";
    QTest::newRow("expired") << "nothing" << 2 << false << "expired_token";
}

void tst_TokenProvider::deviceCode()
{
    QFETCH(QString, user);
    QFETCH(int, expiresIn);
    QFETCH(bool, ok);
    QFETCH(QString, error);
    m_tenant.tokens().setDeviceCodeTiming(expiresIn, 1);
    TokenProvider provider(config(SignInMethod::DeviceCode));
    QString shownCode;
    QUrl shownUri;
    connect(&provider, &TokenProvider::deviceCodeReady, this,
            [&](const QString &code, const QUrl &uri, const QString &message, int) {
                shownCode = code;
                shownUri = uri;
                QVERIFY(message.contains(code));
                if (user == QLatin1String("approve"))
                    QVERIFY(m_tenant.approveDeviceCode(code));
                else if (user == QLatin1String("decline"))
                    QVERIFY(m_tenant.declineDeviceCode(code));
            });
    const SignInResult r = signIn(provider);
    QVERIFY(!shownCode.isEmpty());
    QCOMPARE(shownUri.toString(), m_tenant.baseUrl() + QStringLiteral("/_practice/devicelogin"));
    QCOMPARE(r.ok, ok);
    QCOMPARE(r.error, error);
    QCOMPARE(provider.isSignedIn(), ok);
    if (!ok) {
        QVERIFY(!r.message.isEmpty());
        QVERIFY(provider.accessToken().isEmpty());
        return;
    }
    // The token works on Graph.
    GraphClient client(config(SignInMethod::DeviceCode));
    client.setAccessToken(provider.accessToken());
    GraphRequestJob *job = client.getUser(QStringLiteral("cloud"));
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    QVERIFY(spy.wait());
    QVERIFY(job->result().ok);
    delete job;
}

void tst_TokenProvider::deviceCodeSlowDown()
{
    // The first poll is told slow_down; the tenant then refuses (with another slow_down)
    // any poll that comes sooner than interval + 5 s. One slow_down in total means the
    // client honoured it.
    const int before = m_tenant.tokens().slowDownsIssued();
    m_tenant.tokens().setForcedSlowDowns(1);
    TokenProvider provider(config(SignInMethod::DeviceCode));
    QString code;
    connect(&provider, &TokenProvider::deviceCodeReady, this,
            [&](const QString &userCode) { code = userCode; });
    QSignalSpy done(&provider, &TokenProvider::signInFinished);
    provider.signIn();
    QTRY_COMPARE_WITH_TIMEOUT(m_tenant.tokens().slowDownsIssued(), before + 1, 10000);
    QVERIFY(m_tenant.approveDeviceCode(code));
    QVERIFY(done.wait(20000));
    QVERIFY(done.first().first().value<SignInResult>().ok);
    QCOMPARE(m_tenant.tokens().slowDownsIssued(), before + 1);
}

void tst_TokenProvider::leastPrivilege_data()
{
    QTest::addColumn<bool>("write");
    QTest::addColumn<int>("status");
    QTest::newRow("scan only: no write permission") << false << 403;
    QTest::newRow("executing: User.ReadWrite.All") << true << 204;
}

void tst_TokenProvider::leastPrivilege()
{
    QFETCH(bool, write);
    QFETCH(int, status);
    TokenProvider provider(config(SignInMethod::DeviceCode));
    provider.setWriteAccess(write);
    connect(&provider, &TokenProvider::deviceCodeReady, this,
            [&](const QString &code) { m_tenant.approveDeviceCode(code); });
    QVERIFY(signIn(provider).ok);
    QCOMPARE(provider.grantedScope().contains(QLatin1String("User.ReadWrite.All")), write);
    GraphClient client(config(SignInMethod::DeviceCode));
    client.setAccessToken(provider.accessToken());
    GraphRequestJob *job =
        client.setUserPrincipalName(QStringLiteral("cloud"), QStringLiteral("cloud@contoso.test"));
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    QVERIFY(spy.wait());
    QCOMPARE(job->result().httpStatus, status);
    if (status == 403)
        QVERIFY(job->result().advice.contains(QLatin1String("User.ReadWrite.All")));
    delete job;
}

void tst_TokenProvider::clientCredentials_data()
{
    QTest::addColumn<QString>("secret");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("aadsts");
    QTest::newRow("right secret") << clientSecret << true << QString();
    QTest::newRow("wrong secret") << "not-the-secret" << false << "AADSTS7000215";
    QTest::newRow("no secret") << QString() << false << "AADSTS7000216";
}

void tst_TokenProvider::clientCredentials()
{
    QFETCH(QString, secret);
    QFETCH(bool, ok);
    QFETCH(QString, aadsts);
    TokenProvider provider(config(SignInMethod::ClientSecret));
    provider.setClientSecret(secret);
    const SignInResult r = signIn(provider);
    QCOMPARE(r.ok, ok);
    QCOMPARE(r.aadsts, aadsts);
    if (!secret.isEmpty())
        QVERIFY(!r.message.contains(secret)); // the secret never appears in messages
    if (!ok) {
        QVERIFY(r.message.contains(aadsts));
        if (aadsts == QLatin1String("AADSTS7000216"))
            QVERIFY(m_tenant.requestLog().isEmpty()); // nothing was sent without a secret
        return;
    }
    QVERIFY(provider.isSignedIn());
    QVERIFY(r.storageNote.isEmpty());
}

void tst_TokenProvider::browserPkce()
{
    TokenProvider provider(config(SignInMethod::BrowserPkce));
    QNetworkAccessManager browser; // stands in for the system browser
    QUrl opened;
    connect(&provider, &TokenProvider::browserSignInRequested, this, [&](const QUrl &url) {
        opened = url;
        QNetworkReply *reply = browser.get(QNetworkRequest(url)); // follows the redirect
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    });
    const SignInResult r = signIn(provider);
    QVERIFY2(r.ok, qPrintable(r.message));
    const QUrlQuery q(opened);
    QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
    QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
    QCOMPARE(provider.redirectUri().host(), QStringLiteral("127.0.0.1"));
    QVERIFY(provider.isSignedIn());
}

void tst_TokenProvider::refreshTokenReused()
{
    CredentialStore store(QStringLiteral("AnchorfixTest"));
    store.setSessionOnly(QStringLiteral("Test: no keychain."));
    int prompts = 0;
    {
        TokenProvider first(config(SignInMethod::DeviceCode));
        first.setCredentialStore(&store);
        connect(&first, &TokenProvider::deviceCodeReady, this, [&](const QString &code) {
            ++prompts;
            m_tenant.approveDeviceCode(code);
        });
        const SignInResult r = signIn(first);
        QVERIFY(r.ok);
        QVERIFY(!r.fromRefreshToken);
        QVERIFY(r.storageNote.contains(QLatin1String("this session only")));
    }
    TokenProvider second(config(SignInMethod::DeviceCode));
    second.setCredentialStore(&store);
    connect(&second, &TokenProvider::deviceCodeReady, this, [&](const QString &code) {
        ++prompts;
        m_tenant.approveDeviceCode(code);
    });
    const SignInResult r = signIn(second);
    QVERIFY(r.ok);
    QVERIFY(r.fromRefreshToken);
    QCOMPARE(prompts, 1);

    // After signing out the saved sign-in is gone: the next sign-in prompts again.
    second.signOut();
    QVERIFY(!second.isSignedIn());
    TokenProvider third(config(SignInMethod::DeviceCode));
    third.setCredentialStore(&store);
    connect(&third, &TokenProvider::deviceCodeReady, this, [&](const QString &code) {
        ++prompts;
        m_tenant.approveDeviceCode(code);
    });
    QVERIFY(signIn(third).ok);
    QCOMPARE(prompts, 2);
}

void tst_TokenProvider::expiredTokenRenewedDuringRun_data()
{
    QTest::addColumn<SignInMethod>("method");
    QTest::addColumn<bool>("revokeSecret");
    QTest::addColumn<bool>("ok");
    QTest::newRow("client credentials again") << SignInMethod::ClientSecret << false << true;
    QTest::newRow("refresh token") << SignInMethod::DeviceCode << false << true;
    QTest::newRow("secret revoked: sign in again") << SignInMethod::ClientSecret << true << false;
}

void tst_TokenProvider::expiredTokenRenewedDuringRun()
{
    QFETCH(SignInMethod, method);
    QFETCH(bool, revokeSecret);
    QFETCH(bool, ok);
    TokenProvider provider(config(method));
    provider.setClientSecret(clientSecret);
    connect(&provider, &TokenProvider::deviceCodeReady, this,
            [&](const QString &code) { m_tenant.approveDeviceCode(code); });
    QVERIFY(signIn(provider).ok);
    const QString first = provider.accessToken();

    GraphClient client(config(method));
    client.setTokenProvider(&provider);
    QCOMPARE(client.accessToken(), first);
    m_tenant.tokens().expireAllAccessTokens(); // an hour later…
    m_tenant.clearLogs();
    if (revokeSecret)
        m_tenant.directory().clients[0].clientSecret = QStringLiteral("rotated");

    // Two requests meet the 401 together; one renewal serves both.
    QList<GraphRequestJob *> jobs{client.getUser(QStringLiteral("cloud")),
                                  client.getUser(QStringLiteral("holder"))};
    int finished = 0;
    for (GraphRequestJob *job : jobs) {
        job->setAutoDelete(false);
        connect(job, &Job::finished, this, [&finished] { ++finished; });
        job->start();
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, 2, 20000);
    for (GraphRequestJob *job : jobs) {
        const GraphResult r = job->result();
        QCOMPARE(r.ok, ok);
        if (ok) {
            QCOMPARE(r.attempts, 2);
        } else {
            QCOMPARE(r.httpStatus, 401);
            QCOMPARE(r.advice, GraphAdvice::signInAgain());
        }
        delete job;
    }
    if (revokeSecret)
        m_tenant.directory().clients[0].clientSecret = clientSecret;
    QCOMPARE(provider.accessToken() != first, ok);
    QCOMPARE(client.accessToken(), provider.accessToken());
    int tokenRequests = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        tokenRequests += r.path.endsWith(QLatin1String("/token")) ? 1 : 0;
    QCOMPARE(tokenRequests, 1); // one renewal for both requests
}

QTEST_GUILESS_MAIN(tst_TokenProvider)
#include "tst_tokenprovider.moc"
