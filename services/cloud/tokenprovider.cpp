#include "tokenprovider.h"

#include "credentialstore.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

namespace {
QByteArray randomUrlSafe(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        raw[i] = char(QRandomGenerator::system()->bounded(256));
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// The advice for a failed sign-in, naming the command line's flags or the wizard's
// fields (GraphConfig::fieldName).
QString adviceFor(const QString &error, const QString &aadsts, const GraphConfig &config)
{
    using F = GraphConfig::Field;
    const auto name = [&config](F field) {
        return config.fieldName(field);
    };
    if (aadsts == QLatin1String("AADSTS7000215"))
        return TokenProvider::tr("The client secret is wrong: use the secret's Value (not its "
                                 "Secret ID) from the app registration's Certificates & "
                                 "secrets page, or create a new one.");
    if (aadsts == QLatin1String("AADSTS7000216"))
        return config.phrasing == GraphConfig::Phrasing::CommandLine
                   ? TokenProvider::tr("No client secret given: set ANCHORFIX_CLIENT_SECRET or "
                                       "store the secret in the keychain.")
                   : TokenProvider::tr("No client secret given: enter it under %1.")
                         .arg(name(F::ClientSecret));
    if (aadsts == QLatin1String("AADSTS700016"))
        return TokenProvider::tr("This client id is not registered in the tenant: check "
                                 "%1 and %2 (and that an admin consented to the app).")
            .arg(name(F::ClientId), name(F::Tenant));
    if (aadsts == QLatin1String("AADSTS90002"))
        return TokenProvider::tr("The tenant was not found: check %1 and the cloud (%2).")
            .arg(name(F::Tenant), name(F::AuthorityUrl));
    if (aadsts == QLatin1String("AADSTS65001"))
        return TokenProvider::tr("An admin has not consented to the permissions: grant admin "
                                 "consent in the app registration.");
    if (error == QLatin1String("expired_token"))
        return TokenProvider::tr("The sign-in code expired before it was used: start the sign-in "
                                 "again.");
    if (error == QLatin1String("authorization_declined"))
        return TokenProvider::tr("The sign-in was declined at the verification page.");
    if (error == QLatin1String("bad_verification_code"))
        return TokenProvider::tr("The sign-in code was not recognised: start the sign-in again.");
    if (error == QLatin1String("invalid_grant"))
        return TokenProvider::tr("The sign-in was refused (the code or refresh token is not "
                                 "valid): sign in again.");
    if (error == QLatin1String("network"))
        return TokenProvider::tr("The sign-in endpoint could not be reached: check the network "
                                 "and %1.")
            .arg(name(F::AuthorityUrl));
    return TokenProvider::tr("The sign-in failed (%1).").arg(error);
}
} // namespace

TokenProvider::TokenProvider(const GraphConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_network(new QNetworkAccessManager(this))
{
    m_network->setTransferTimeout(60000);
}

TokenProvider::~TokenProvider()
{
    stopFlows();
}

void TokenProvider::setCredentialStore(CredentialStore *store)
{
    m_store = store;
}

void TokenProvider::setIdentitySignIn(const QString &nonce, const QString &loginHint)
{
    m_identityOnly = true;
    m_nonce = nonce;
    m_loginHint = loginHint;
}

QStringList TokenProvider::requestedScopes() const
{
    if (m_identityOnly)
        return {QStringLiteral("openid"), QStringLiteral("profile")};
    if (m_config.signInMethod == SignInMethod::ClientSecret)
        return {m_config.defaultScope()};
    return m_write ? m_config.writeScopes() : m_config.readScopes();
}

bool TokenProvider::isSignedIn() const
{
    return !m_accessToken.isEmpty() && QDateTime::currentDateTimeUtc() < m_expiresAt;
}

void TokenProvider::stopFlows()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    if (m_pollTimer)
        m_pollTimer->stop();
    if (m_loopback) {
        m_loopback->close();
        m_loopback->deleteLater();
        m_loopback = nullptr;
    }
    m_deviceCode.clear();
    m_verifier.clear();
}

void TokenProvider::cancel()
{
    if (!m_running)
        return;
    stopFlows();
    SignInResult r;
    r.error = QStringLiteral("cancelled");
    r.message = tr("Sign-in cancelled.");
    finish(r);
}

void TokenProvider::signOut()
{
    stopFlows();
    m_running = false;
    m_accessToken.clear();
    m_refreshToken.clear();
    m_idToken.clear();
    m_expiresAt = {};
    Q_EMIT accessTokenChanged(QString());
    if (m_store)
        m_store->remove(CredentialStore::refreshTokenKey(m_config.tenant, m_config.clientId))
            ->start();
}

void TokenProvider::finish(const SignInResult &result)
{
    m_running = false;
    stopFlows();
    Q_EMIT signInFinished(result);
}

void TokenProvider::signIn()
{
    stopFlows();
    m_running = true;
    if (const QString problem = m_config.validate(); !problem.isEmpty()) {
        SignInResult r;
        r.error = QStringLiteral("configuration");
        r.message = problem;
        QTimer::singleShot(0, this, [this, r] { finish(r); });
        return;
    }
    if (m_config.signInMethod == SignInMethod::ClientSecret) {
        QTimer::singleShot(0, this, &TokenProvider::startClientCredentials);
        return;
    }
    if (!m_store || m_identityOnly) {
        QTimer::singleShot(0, this, &TokenProvider::startInteractive);
        return;
    }
    CredentialJob *job =
        m_store->read(CredentialStore::refreshTokenKey(m_config.tenant, m_config.clientId));
    connect(job, &Job::finished, this, [this, job] {
        if (!m_running)
            return;
        if (job->isFound() && !job->secret().isEmpty())
            tryRefreshToken(job->secret());
        else
            startInteractive();
    });
    job->start();
}

void TokenProvider::startInteractive()
{
    if (m_config.signInMethod == SignInMethod::BrowserPkce)
        startBrowser();
    else
        startDeviceCode();
}

QNetworkReply *TokenProvider::postForm(const QUrl &url,
                                       const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &f : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(f.first) + '=' + QUrl::toPercentEncoding(f.second);
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArray("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    // The body carries a client secret, a code or a refresh token: never re-sent to
    // wherever a redirect points (as for Graph requests).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    return m_network->post(request, body);
}

SignInResult TokenProvider::errorFromReply(const QByteArray &body, int status,
                                           const QString &networkError) const
{
    SignInResult r;
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    r.error = o.value(QLatin1String("error")).toString();
    const QJsonArray codes = o.value(QLatin1String("error_codes")).toArray();
    if (!codes.isEmpty())
        r.aadsts = QStringLiteral("AADSTS%1").arg(codes.first().toInteger());
    if (r.error.isEmpty()) {
        r.error = status == 0 ? QStringLiteral("network") : QStringLiteral("http_%1").arg(status);
        r.message =
            adviceFor(r.error, r.aadsts, m_config) +
            (networkError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(networkError));
        return r;
    }
    r.message = adviceFor(r.error, r.aadsts, m_config);
    if (!r.aadsts.isEmpty())
        r.message += QStringLiteral(" [%1]").arg(r.aadsts);
    return r;
}

void TokenProvider::startClientCredentials()
{
    if (!m_running)
        return;
    if (m_clientSecret.isEmpty()) {
        SignInResult r;
        r.error = QStringLiteral("invalid_client");
        r.aadsts = QStringLiteral("AADSTS7000216");
        r.message = adviceFor(r.error, r.aadsts, m_config) + QStringLiteral(" [%1]").arg(r.aadsts);
        finish(r);
        return;
    }
    Q_EMIT statusChanged(tr("Signing in with the app's client secret…"));
    m_reply = postForm(m_config.tokenUrl(),
                       {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                        {QStringLiteral("client_id"), m_config.clientId},
                        {QStringLiteral("client_secret"), m_clientSecret},
                        {QStringLiteral("scope"), m_config.defaultScope()}});
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onTokenReply(reply, false); });
}

void TokenProvider::tryRefreshToken(const QString &refreshToken)
{
    Q_EMIT statusChanged(tr("Signing in with the saved sign-in…"));
    m_reply = postForm(m_config.tokenUrl(),
                       {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                        {QStringLiteral("client_id"), m_config.clientId},
                        {QStringLiteral("refresh_token"), refreshToken},
                        {QStringLiteral("scope"), requestedScopes().join(QLatin1Char(' '))}});
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onTokenReply(reply, true); });
}

void TokenProvider::onTokenReply(QNetworkReply *reply, bool fromRefresh)
{
    reply->deleteLater();
    if (m_reply == reply)
        m_reply = nullptr;
    if (!m_running)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString token = o.value(QLatin1String("access_token")).toString();
    if (status != 200 || token.isEmpty()) {
        if (fromRefresh) {
            // A stale refresh token is not a failure: sign in interactively.
            startInteractive();
            return;
        }
        finish(errorFromReply(body, status,
                              reply->error() == QNetworkReply::NoError ? QString()
                                                                       : reply->errorString()));
        return;
    }
    acceptTokens(o);

    SignInResult result;
    result.ok = true;
    result.fromRefreshToken = fromRefresh;
    result.message = tr("Signed in.");
    const QString refresh = o.value(QLatin1String("refresh_token")).toString();
    if (refresh.isEmpty() || !m_store) {
        finish(result);
        return;
    }
    CredentialJob *job = m_store->write(
        CredentialStore::refreshTokenKey(m_config.tenant, m_config.clientId), refresh);
    connect(job, &Job::finished, this, [this, job, result]() mutable {
        if (job->isSessionOnly())
            result.storageNote = job->note();
        if (m_running)
            finish(result);
    });
    job->start();
}

bool TokenProvider::acceptTokens(const QJsonObject &o)
{
    const QString token = o.value(QLatin1String("access_token")).toString();
    if (token.isEmpty())
        return false;
    m_accessToken = token;
    m_expiresAt = QDateTime::currentDateTimeUtc().addSecs(
        std::max(60, o.value(QLatin1String("expires_in")).toInt(3600)) - 30);
    m_scope = o.value(QLatin1String("scope")).toString();
    // A renewal by refresh token may come without a new ID token: keep the sign-in's.
    if (const QString id = o.value(QLatin1String("id_token")).toString(); !id.isEmpty())
        m_idToken = id;
    const QString refresh = o.value(QLatin1String("refresh_token")).toString();
    if (!refresh.isEmpty())
        m_refreshToken = refresh;
    Q_EMIT accessTokenChanged(m_accessToken);
    return true;
}

void TokenProvider::renew()
{
    if (m_renewReply)
        return;
    if (m_config.signInMethod == SignInMethod::ClientSecret && !m_clientSecret.isEmpty()) {
        m_renewReply =
            postForm(m_config.tokenUrl(),
                     {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                      {QStringLiteral("client_id"), m_config.clientId},
                      {QStringLiteral("client_secret"), m_clientSecret},
                      {QStringLiteral("scope"), m_config.defaultScope()}});
    } else if (!m_refreshToken.isEmpty()) {
        m_renewReply =
            postForm(m_config.tokenUrl(),
                     {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                      {QStringLiteral("client_id"), m_config.clientId},
                      {QStringLiteral("refresh_token"), m_refreshToken},
                      {QStringLiteral("scope"), requestedScopes().join(QLatin1Char(' '))}});
    } else {
        QTimer::singleShot(0, this, [this] {
            Q_EMIT renewFinished(false, tr("The sign-in expired and cannot be renewed without "
                                           "you: sign in again."));
        });
        return;
    }
    QNetworkReply *reply = m_renewReply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onRenewReply(reply); });
}

void TokenProvider::onRenewReply(QNetworkReply *reply)
{
    reply->deleteLater();
    m_renewReply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (status != 200 || !acceptTokens(o)) {
        const SignInResult r = errorFromReply(body, status, reply->errorString());
        Q_EMIT renewFinished(false, r.message);
        return;
    }
    const QString refresh = o.value(QLatin1String("refresh_token")).toString();
    if (!refresh.isEmpty() && m_store)
        m_store
            ->write(CredentialStore::refreshTokenKey(m_config.tenant, m_config.clientId), refresh)
            ->start();
    Q_EMIT renewFinished(true, tr("Sign-in renewed."));
}

void TokenProvider::startDeviceCode()
{
    Q_EMIT statusChanged(tr("Requesting a sign-in code…"));
    m_reply = postForm(m_config.deviceCodeUrl(),
                       {{QStringLiteral("client_id"), m_config.clientId},
                        {QStringLiteral("scope"), requestedScopes().join(QLatin1Char(' '))}});
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (m_reply == reply)
            m_reply = nullptr;
        if (!m_running)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        m_deviceCode = o.value(QLatin1String("device_code")).toString();
        if (status != 200 || m_deviceCode.isEmpty()) {
            finish(errorFromReply(body, status, reply->errorString()));
            return;
        }
        m_intervalS = std::max(1, o.value(QLatin1String("interval")).toInt(5));
        const int expiresIn = o.value(QLatin1String("expires_in")).toInt(900);
        m_deviceExpiresAt = QDateTime::currentDateTimeUtc().addSecs(expiresIn);
        Q_EMIT deviceCodeReady(o.value(QLatin1String("user_code")).toString(),
                               QUrl(o.value(QLatin1String("verification_uri")).toString()),
                               o.value(QLatin1String("message")).toString(), expiresIn);
        if (!m_pollTimer) {
            m_pollTimer = new QTimer(this);
            m_pollTimer->setSingleShot(true);
            m_pollTimer->setTimerType(Qt::PreciseTimer);
            connect(m_pollTimer, &QTimer::timeout, this, &TokenProvider::pollDeviceCode);
        }
        m_pollTimer->start(m_intervalS * 1000);
    });
}

void TokenProvider::pollDeviceCode()
{
    if (!m_running || m_deviceCode.isEmpty())
        return;
    m_reply = postForm(m_config.tokenUrl(),
                       {{QStringLiteral("grant_type"),
                         QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")},
                        {QStringLiteral("client_id"), m_config.clientId},
                        {QStringLiteral("device_code"), m_deviceCode}});
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        if (!m_running)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            onTokenReply(reply, false);
            return;
        }
        reply->deleteLater();
        if (m_reply == reply)
            m_reply = nullptr;
        const QByteArray body = reply->readAll();
        const QString error =
            QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toString();
        if (error == QLatin1String("authorization_pending") ||
            error == QLatin1String("slow_down")) {
            if (error == QLatin1String("slow_down"))
                m_intervalS += 5;
            if (QDateTime::currentDateTimeUtc() >= m_deviceExpiresAt.addSecs(m_intervalS)) {
                SignInResult r;
                r.error = QStringLiteral("expired_token");
                r.message = adviceFor(r.error, {}, m_config);
                finish(r);
                return;
            }
            Q_EMIT statusChanged(tr("Waiting for the sign-in to be completed in the browser…"));
            m_pollTimer->start(m_intervalS * 1000);
            return;
        }
        finish(errorFromReply(body, status, reply->errorString()));
    });
}

void TokenProvider::startBrowser()
{
    m_loopback = new QTcpServer(this);
    if (!m_loopback->listen(QHostAddress::LocalHost, 0)) {
        SignInResult r;
        r.error = QStringLiteral("loopback");
        r.message = tr("Cannot listen on 127.0.0.1 for the browser sign-in (%1): use the "
                       "device code sign-in instead.")
                        .arg(m_loopback->errorString());
        finish(r);
        return;
    }
    connect(m_loopback, &QTcpServer::newConnection, this, &TokenProvider::onLoopbackConnection);
    m_redirectUri = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_loopback->serverPort()));
    m_verifier = randomUrlSafe(32);
    const QByteArray challenge =
        QCryptographicHash::hash(m_verifier, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    m_state = QString::fromLatin1(randomUrlSafe(16));
    QUrl url = m_config.authorizeUrl();
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("client_id"), m_config.clientId);
    q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    q.addQueryItem(QStringLiteral("redirect_uri"),
                   QString::fromLatin1(QUrl::toPercentEncoding(m_redirectUri.toString())));
    q.addQueryItem(QStringLiteral("response_mode"), QStringLiteral("query"));
    q.addQueryItem(QStringLiteral("scope"), QString::fromLatin1(QUrl::toPercentEncoding(
                                                requestedScopes().join(QLatin1Char(' ')))));
    q.addQueryItem(QStringLiteral("state"), m_state);
    q.addQueryItem(QStringLiteral("code_challenge"), QString::fromLatin1(challenge));
    q.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    if (!m_nonce.isEmpty())
        q.addQueryItem(QStringLiteral("nonce"), m_nonce);
    if (!m_loginHint.isEmpty())
        q.addQueryItem(QStringLiteral("login_hint"),
                       QString::fromLatin1(QUrl::toPercentEncoding(m_loginHint)));
    url.setQuery(q);
    Q_EMIT statusChanged(tr("Complete the sign-in in your browser…"));
    Q_EMIT browserSignInRequested(url);
}

void TokenProvider::onLoopbackConnection()
{
    while (m_loopback && m_loopback->hasPendingConnections()) {
        QTcpSocket *socket = m_loopback->nextPendingConnection();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            QByteArray buffered = socket->property("buffer").toByteArray() + socket->readAll();
            socket->setProperty("buffer", buffered);
            if (!buffered.contains("\r\n\r\n"))
                return;
            const QList<QByteArray> line = buffered.left(buffered.indexOf("\r\n")).split(' ');
            const QUrl target(QString::fromLatin1(line.value(1)));
            const QUrlQuery q(target);
            const QString code = q.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
            const QString error = q.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
            const QString state = q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
            const bool relevant = !code.isEmpty() || !error.isEmpty();
            const QByteArray page =
                relevant ? QByteArray("<html><body><p>Anchorfix: sign-in received. You can close "
                                      "this window and return to Anchorfix.</p></body></html>")
                         : QByteArray("<html><body>Not found</body></html>");
            socket->write((relevant ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
                          QByteArray("Content-Type: text/html; charset=utf-8\r\nContent-Length: ") +
                          QByteArray::number(page.size()) + "\r\nConnection: close\r\n\r\n" + page);
            socket->disconnectFromHost();
            if (!relevant || !m_running || m_verifier.isEmpty())
                return;
            if (state != m_state) {
                SignInResult r;
                r.error = QStringLiteral("state_mismatch");
                r.message = tr("The browser returned a sign-in for another request (state "
                               "mismatch): start the sign-in again.");
                finish(r);
                return;
            }
            if (!error.isEmpty()) {
                SignInResult r;
                r.error = error;
                const QString description =
                    q.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
                static const QRegularExpression aadsts(QStringLiteral("AADSTS\\d+"));
                r.aadsts = aadsts.match(description).captured(0);
                r.message = adviceFor(error, r.aadsts, m_config) + QLatin1Char(' ') + description;
                finish(r);
                return;
            }
            redeemCode(code);
        });
    }
}

void TokenProvider::redeemCode(const QString &code)
{
    if (m_loopback) {
        m_loopback->close();
    }
    m_reply = postForm(m_config.tokenUrl(),
                       {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                        {QStringLiteral("client_id"), m_config.clientId},
                        {QStringLiteral("code"), code},
                        {QStringLiteral("redirect_uri"), m_redirectUri.toString()},
                        {QStringLiteral("code_verifier"), QString::fromLatin1(m_verifier)},
                        {QStringLiteral("scope"), requestedScopes().join(QLatin1Char(' '))}});
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onTokenReply(reply, false); });
}
