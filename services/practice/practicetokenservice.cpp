#include "practicetokenservice.h"

#include "practicedirectory.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUrl>
#include <QUuid>

#include <algorithm>

namespace {
QString randomToken(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString randomUserCode()
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString code;
    for (int i = 0; i < 9; ++i)
        code +=
            QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof alphabet) - 1)]);
    return code;
}

// application/x-www-form-urlencoded: '+' is a space.
QUrlQuery formBody(const QByteArray &body)
{
    return QUrlQuery(QString::fromUtf8(body).replace(QLatin1Char('+'), QStringLiteral("%20")));
}

bool isLoopbackRedirect(const QUrl &url)
{
    if (url.scheme() != QLatin1String("http"))
        return false;
    if (url.host() == QLatin1String("localhost"))
        return true;
    const QHostAddress a(url.host());
    return !a.isNull() && a.isLoopback();
}
} // namespace

PracticeTokenService::PracticeTokenService(PracticeDirectory &directory) : m_directory(directory) {}

void PracticeTokenService::setDeviceCodeTiming(int expiresInSeconds, int intervalSeconds)
{
    m_deviceExpiresS = expiresInSeconds;
    m_deviceIntervalS = intervalSeconds;
}

PracticeResponse PracticeTokenService::handle(const PracticeRequest &request,
                                              const QString &endpoint, qint64 nowMs)
{
    if (endpoint == QLatin1String("token") && request.method == "POST")
        return token(request, nowMs);
    if (endpoint == QLatin1String("devicecode") && request.method == "POST")
        return deviceCode(request, nowMs);
    if (endpoint == QLatin1String("authorize") && request.method == "GET")
        return authorize(request, nowMs);
    if (endpoint == QLatin1String("keys") && request.method == "GET")
        return PracticeResponse::json(200, jwks());
    return tokenError(405, QStringLiteral("invalid_request"), 900561,
                      QStringLiteral("The endpoint only accepts %1 requests.")
                          .arg(endpoint == QLatin1String("authorize") ? QLatin1String("GET")
                                                                      : QLatin1String("POST")));
}

PracticeResponse PracticeTokenService::tokenError(int status, const QString &error, int aadsts,
                                                  const QString &description) const
{
    const QString trace = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString correlation = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString timestamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss'Z'"));
    QJsonObject o;
    o.insert(QLatin1String("error"), error);
    o.insert(QLatin1String("error_description"),
             QStringLiteral("AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: %5")
                 .arg(aadsts)
                 .arg(description, trace, correlation, timestamp));
    o.insert(QLatin1String("error_codes"), QJsonArray{aadsts});
    o.insert(QLatin1String("timestamp"), timestamp);
    o.insert(QLatin1String("trace_id"), trace);
    o.insert(QLatin1String("correlation_id"), correlation);
    o.insert(QLatin1String("error_uri"),
             QString(m_baseUrl + QStringLiteral("/error?code=%1").arg(aadsts)));
    return PracticeResponse::json(status, o);
}

QStringList PracticeTokenService::grantedPermissions(const QString &scope,
                                                     const QStringList &allowed,
                                                     bool *offlineAccess) const
{
    QStringList granted;
    *offlineAccess = false;
    const QStringList parts = scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (QString s : parts) {
        if (s == QLatin1String("offline_access")) {
            *offlineAccess = true;
            continue;
        }
        if (s == QLatin1String("openid") || s == QLatin1String("profile") ||
            s == QLatin1String("email"))
            continue;
        const int slash = s.lastIndexOf(QLatin1Char('/'));
        if (slash >= 0)
            s = s.mid(slash + 1);
        if (s == QLatin1String(".default"))
            return allowed;
        for (const QString &a : allowed)
            if (a.compare(s, Qt::CaseInsensitive) == 0 && !granted.contains(a))
                granted.append(a);
    }
    return granted;
}

bool PracticeTokenService::asksOpenId(const QString &scope)
{
    return scope.split(QLatin1Char(' '), Qt::SkipEmptyParts).contains(QLatin1String("openid"));
}

QStringList PracticeTokenService::unconsentedPermissions(const QString &scope,
                                                         const QStringList &allowed)
{
    QStringList missing;
    const QStringList parts = scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString s = part.section(QLatin1Char('/'), -1);
        if (s == QLatin1String("offline_access") || s == QLatin1String("openid") ||
            s == QLatin1String("profile") || s == QLatin1String("email") ||
            s == QLatin1String(".default"))
            continue;
        const bool granted = std::any_of(allowed.cbegin(), allowed.cend(), [&s](const QString &a) {
            return a.compare(s, Qt::CaseInsensitive) == 0;
        });
        if (!granted)
            missing.append(s);
    }
    return missing;
}

PracticeResponse PracticeTokenService::tokenResponse(const PracticeCaller &caller, bool withRefresh,
                                                     qint64 nowMs, bool withIdToken,
                                                     const QString &nonce)
{
    QJsonObject o;
    o.insert(QLatin1String("token_type"), QStringLiteral("Bearer"));
    o.insert(QLatin1String("scope"), caller.permissions.join(QLatin1Char(' ')));
    o.insert(QLatin1String("expires_in"), m_tokenLifetimeS);
    o.insert(QLatin1String("ext_expires_in"), m_tokenLifetimeS);
    o.insert(QLatin1String("access_token"), issueAccessToken(caller, nowMs));
    // Entra adds an ID token when the delegated sign-in asked for openid.
    if (withIdToken && !caller.isAppOnly())
        o.insert(QLatin1String("id_token"), idToken(caller, nonce));
    if (withRefresh) {
        const QString rt = randomToken(48);
        m_refreshTokens.insert(rt, caller);
        o.insert(QLatin1String("refresh_token"), rt);
    }
    PracticeResponse r = PracticeResponse::json(200, o);
    r.setHeader("Cache-Control", "no-store, no-cache");
    return r;
}

QString PracticeTokenService::issueAccessToken(const PracticeCaller &caller, qint64 nowMs)
{
    // JWT-shaped, like Entra's tokens for Graph (v1.0 claims): clients read scp / roles,
    // upn and app_displayname from it. The signature is random: the service validates a
    // token by looking it up, as a client never verifies a Graph token itself.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims;
    claims.insert(QLatin1String("aud"), QStringLiteral("https://graph.microsoft.com"));
    claims.insert(QLatin1String("iss"),
                  QStringLiteral("https://sts.windows.net/%1/").arg(m_directory.tenantId));
    claims.insert(QLatin1String("iat"), now);
    claims.insert(QLatin1String("nbf"), now);
    claims.insert(QLatin1String("exp"), now + m_tokenLifetimeS);
    claims.insert(QLatin1String("ver"), QStringLiteral("1.0"));
    claims.insert(QLatin1String("tid"), m_directory.tenantId);
    claims.insert(QLatin1String("appid"), caller.clientId);
    if (const PracticeClient *client = m_directory.client(caller.clientId))
        claims.insert(QLatin1String("app_displayname"), client->displayName);
    claims.insert(QLatin1String("uti"), randomToken(16));
    if (caller.isAppOnly()) {
        claims.insert(QLatin1String("idtyp"), QStringLiteral("app"));
        claims.insert(QLatin1String("roles"), QJsonArray::fromStringList(caller.permissions));
    } else {
        claims.insert(QLatin1String("idtyp"), QStringLiteral("user"));
        claims.insert(QLatin1String("scp"), caller.permissions.join(QLatin1Char(' ')));
        claims.insert(QLatin1String("upn"), caller.userUpn);
        claims.insert(QLatin1String("unique_name"), caller.userUpn);
        const int i = m_directory.indexOfUser(caller.userUpn);
        if (i >= 0) {
            const QJsonObject &user = m_directory.users.at(i);
            claims.insert(QLatin1String("oid"), user.value(QLatin1String("id")));
            claims.insert(QLatin1String("name"), user.value(QLatin1String("displayName")));
        }
    }
    const QString token = jwt(claims);
    m_accessTokens.insert(token, {caller, nowMs + qint64(m_tokenLifetimeS) * 1000});
    return token;
}

QJsonObject PracticeTokenService::jwks()
{
    return {{QLatin1String("keys"), QJsonArray{m_signingKey.jwk()}}};
}

QJsonObject PracticeTokenService::idTokenClaims(const QString &clientId, const QString &upn,
                                                const QString &nonce) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims;
    claims.insert(QLatin1String("aud"), clientId);
    claims.insert(QLatin1String("iss"),
                  QStringLiteral("%1/%2/v2.0").arg(m_baseUrl, m_directory.tenantId));
    claims.insert(QLatin1String("iat"), now);
    claims.insert(QLatin1String("nbf"), now);
    claims.insert(QLatin1String("exp"), now + m_idTokenLifetimeS);
    claims.insert(QLatin1String("ver"), QStringLiteral("2.0"));
    claims.insert(QLatin1String("tid"), m_directory.tenantId);
    claims.insert(QLatin1String("preferred_username"), upn);
    if (!nonce.isEmpty())
        claims.insert(QLatin1String("nonce"), nonce);
    const int i = m_directory.indexOfUser(upn);
    if (i >= 0) {
        const QJsonObject &user = m_directory.users.at(i);
        claims.insert(QLatin1String("oid"), user.value(QLatin1String("id")));
        claims.insert(QLatin1String("sub"), user.value(QLatin1String("id")));
        claims.insert(QLatin1String("name"), user.value(QLatin1String("displayName")));
    }
    return claims;
}

QString PracticeTokenService::idToken(const PracticeCaller &caller, const QString &nonce)
{
    // Signed with the tenant's own key, like Entra's: a client can verify it against
    // the published keys.
    return m_signingKey.signJwt(idTokenClaims(caller.clientId, caller.userUpn, nonce));
}

QString PracticeTokenService::jwt(const QJsonObject &claims)
{
    const auto part = [](const QJsonObject &o) {
        return QString::fromLatin1(
            QJsonDocument(o)
                .toJson(QJsonDocument::Compact)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    };
    const QJsonObject header{{QLatin1String("typ"), QStringLiteral("JWT")},
                             {QLatin1String("alg"), QStringLiteral("RS256")},
                             {QLatin1String("kid"), QStringLiteral("practice")}};
    return part(header) + QLatin1Char('.') + part(claims) + QLatin1Char('.') + randomToken(64);
}

void PracticeTokenService::expireAllAccessTokens()
{
    for (auto &t : m_accessTokens)
        t.expiresAtMs = 0;
}

std::optional<PracticeCaller> PracticeTokenService::validate(const QByteArray &authorization,
                                                             qint64 nowMs, QString *why) const
{
    if (!authorization.startsWith("Bearer ") || authorization.size() <= 7) {
        *why = QStringLiteral("Access token is empty.");
        return std::nullopt;
    }
    const QString token = QString::fromLatin1(authorization.mid(7).trimmed());
    const auto it = m_accessTokens.constFind(token);
    if (it == m_accessTokens.cend()) {
        *why = QStringLiteral("Access token validation failure. Invalid audience.");
        return std::nullopt;
    }
    if (it->expiresAtMs <= nowMs) {
        *why = QStringLiteral("Lifetime validation failed, the token is expired.");
        return std::nullopt;
    }
    return it->caller;
}

PracticeResponse PracticeTokenService::deviceCode(const PracticeRequest &request, qint64 nowMs)
{
    const QUrlQuery form = formBody(request.body);
    const QString clientId = form.queryItemValue(QStringLiteral("client_id"), QUrl::FullyDecoded);
    const PracticeClient *client = m_directory.client(clientId);
    if (!client)
        return tokenError(400, QStringLiteral("unauthorized_client"), 700016,
                          QStringLiteral("Application with identifier '%1' was not found in the "
                                         "directory '%2'.")
                              .arg(clientId, m_directory.tenantId));
    bool offline = false;
    const QStringList perms =
        grantedPermissions(form.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                           client->delegatedPermissions, &offline);
    DeviceCode dc;
    dc.deviceCode = randomToken(48);
    dc.userCode = randomUserCode();
    dc.clientId = clientId;
    dc.permissions = perms;
    dc.offlineAccess = offline;
    dc.openId = asksOpenId(form.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded));
    dc.expiresAtMs = nowMs + qint64(m_deviceExpiresS) * 1000;
    dc.intervalS = m_deviceIntervalS;
    m_deviceCodes.insert(dc.deviceCode, dc);

    const QString uri = m_baseUrl + QLatin1String("/_practice/devicelogin");
    QJsonObject o;
    o.insert(QLatin1String("device_code"), dc.deviceCode);
    o.insert(QLatin1String("user_code"), dc.userCode);
    o.insert(QLatin1String("verification_uri"), uri);
    o.insert(QLatin1String("expires_in"), m_deviceExpiresS);
    o.insert(QLatin1String("interval"), m_deviceIntervalS);
    o.insert(QLatin1String("message"),
             QStringLiteral("To sign in, use a web browser to open the page %1 and enter the "
                            "code %2 to authenticate.")
                 .arg(uri, dc.userCode));
    return PracticeResponse::json(200, o);
}

bool PracticeTokenService::approveDeviceCode(const QString &userCode, const QString &upn)
{
    for (auto &dc : m_deviceCodes) {
        if (dc.userCode.compare(userCode.trimmed(), Qt::CaseInsensitive) == 0 &&
            dc.state == DeviceCode::State::Pending) {
            dc.state = DeviceCode::State::Approved;
            dc.upn = upn.isEmpty() ? m_directory.operatorUpn : upn;
            if (dc.upn.isEmpty())
                dc.upn = QStringLiteral("operator@") + m_directory.initialDomain();
            return true;
        }
    }
    return false;
}

bool PracticeTokenService::declineDeviceCode(const QString &userCode)
{
    for (auto &dc : m_deviceCodes) {
        if (dc.userCode.compare(userCode.trimmed(), Qt::CaseInsensitive) == 0 &&
            dc.state == DeviceCode::State::Pending) {
            dc.state = DeviceCode::State::Declined;
            return true;
        }
    }
    return false;
}

QStringList PracticeTokenService::pendingUserCodes() const
{
    QStringList codes;
    for (const auto &dc : m_deviceCodes)
        if (dc.state == DeviceCode::State::Pending)
            codes.append(dc.userCode);
    return codes;
}

PracticeResponse PracticeTokenService::authorize(const PracticeRequest &request, qint64 nowMs)
{
    const QString clientId = request.queryItem(QStringLiteral("client_id"));
    const PracticeClient *client = m_directory.client(clientId);
    if (!client)
        return tokenError(400, QStringLiteral("unauthorized_client"), 700016,
                          QStringLiteral("Application with identifier '%1' was not found in the "
                                         "directory '%2'.")
                              .arg(clientId, m_directory.tenantId));
    const QUrl redirect(request.queryItem(QStringLiteral("redirect_uri")));
    if (!redirect.isValid() || !isLoopbackRedirect(redirect))
        return tokenError(400, QStringLiteral("invalid_request"), 50011,
                          QStringLiteral("The redirect URI '%1' specified in the request does not "
                                         "match the redirect URIs configured for the application "
                                         "'%2'. The practice tenant accepts loopback redirects "
                                         "(http://127.0.0.1:PORT/) only.")
                              .arg(redirect.toString(), clientId));
    const auto redirectError = [&](const QString &error, const QString &description) {
        QUrl target = redirect;
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("error"), error);
        q.addQueryItem(QStringLiteral("error_description"),
                       QString::fromLatin1(QUrl::toPercentEncoding(description)));
        q.addQueryItem(QStringLiteral("state"), request.queryItem(QStringLiteral("state")));
        target.setQuery(q);
        return PracticeResponse::redirect(target.toString(QUrl::FullyEncoded));
    };
    if (request.queryItem(QStringLiteral("response_type")) != QLatin1String("code"))
        return redirectError(QStringLiteral("unsupported_response_type"),
                             QStringLiteral("AADSTS700054: response_type must be 'code'."));
    const QString challenge = request.queryItem(QStringLiteral("code_challenge"));
    if (challenge.isEmpty() ||
        request.queryItem(QStringLiteral("code_challenge_method")) != QLatin1String("S256"))
        return redirectError(QStringLiteral("invalid_request"),
                             QStringLiteral("AADSTS9002325: Proof Key for Code Exchange is "
                                            "required for cross-origin authorization code "
                                            "redemption (use code_challenge_method=S256)."));
    AuthCode ac;
    ac.clientId = clientId;
    ac.redirectUri = redirect.toString();
    ac.challenge = challenge;
    ac.upn = request.queryItem(QStringLiteral("login_hint"));
    if (ac.upn.isEmpty())
        ac.upn = m_directory.operatorUpn;
    else if (m_directory.indexOfUser(ac.upn) < 0)
        return redirectError(QStringLiteral("invalid_request"),
                             QStringLiteral("AADSTS50034: The user account %1 does not exist in "
                                            "the %2 directory.")
                                 .arg(ac.upn, m_directory.tenantId));
    // The practice way to complete the browser step: the login_hint user signs in at once.
    ac.nonce = request.queryItem(QStringLiteral("nonce"));
    bool offline = false;
    ac.permissions = grantedPermissions(request.queryItem(QStringLiteral("scope")),
                                        client->delegatedPermissions, &offline);
    ac.offlineAccess = offline;
    ac.openId = asksOpenId(request.queryItem(QStringLiteral("scope")));
    ac.expiresAtMs = nowMs + 600 * 1000;
    const QString code = randomToken(48);
    m_authCodes.insert(code, ac);

    QUrl target = redirect;
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("code"), code);
    q.addQueryItem(QStringLiteral("state"), request.queryItem(QStringLiteral("state")));
    q.addQueryItem(QStringLiteral("session_state"),
                   QUuid::createUuid().toString(QUuid::WithoutBraces));
    target.setQuery(q);
    return PracticeResponse::redirect(target.toString(QUrl::FullyEncoded));
}

PracticeResponse PracticeTokenService::token(const PracticeRequest &request, qint64 nowMs)
{
    const QUrlQuery form = formBody(request.body);
    const auto field = [&](const char *key) {
        return form.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
    };
    const QString grant = field("grant_type");
    const QString clientId = field("client_id");
    const PracticeClient *client = m_directory.client(clientId);
    if (!client)
        return tokenError(400, QStringLiteral("unauthorized_client"), 700016,
                          QStringLiteral("Application with identifier '%1' was not found in the "
                                         "directory '%2'. This can happen if the application has "
                                         "not been installed by the administrator of the tenant.")
                              .arg(clientId, m_directory.tenantId));

    if (grant == QLatin1String("client_credentials")) {
        const QString secret = field("client_secret");
        if (secret.isEmpty())
            return tokenError(401, QStringLiteral("invalid_client"), 7000216,
                              QStringLiteral("'client_assertion', 'client_secret' or 'request' is "
                                             "required for the 'client_credentials' grant type."));
        if (client->clientSecret.isEmpty() || secret != client->clientSecret)
            return tokenError(401, QStringLiteral("invalid_client"), 7000215,
                              QStringLiteral("Invalid client secret provided. Ensure the secret "
                                             "being sent in the request is the client secret "
                                             "value, not the client secret ID, for a secret added "
                                             "to app '%1'.")
                                  .arg(clientId));
        const QString scope = field("scope");
        if (!scope.endsWith(QLatin1String("/.default")))
            return tokenError(400, QStringLiteral("invalid_scope"), 1002012,
                              QStringLiteral("The provided value for scope %1 is not valid. Client "
                                             "credential flows must have a scope value with "
                                             "/.default suffixed to the resource identifier "
                                             "(application ID URI).")
                                  .arg(scope));
        PracticeCaller caller{clientId, {}, client->applicationPermissions};
        return tokenResponse(caller, false, nowMs);
    }

    if (grant == QLatin1String("urn:ietf:params:oauth:grant-type:device_code")) {
        auto it = m_deviceCodes.find(field("device_code"));
        if (it == m_deviceCodes.end() || it->clientId != clientId)
            return tokenError(400, QStringLiteral("bad_verification_code"), 70019,
                              QStringLiteral("The device code is not recognised."));
        DeviceCode &dc = *it;
        if (dc.state == DeviceCode::State::Redeemed)
            return tokenError(400, QStringLiteral("invalid_grant"), 70000,
                              QStringLiteral("The device code was already redeemed."));
        if (nowMs >= dc.expiresAtMs)
            return tokenError(400, QStringLiteral("expired_token"), 70020,
                              QStringLiteral("The provided value for the input parameter "
                                             "'device_code' is not valid. This device code has "
                                             "expired."));
        if (dc.state == DeviceCode::State::Declined)
            return tokenError(400, QStringLiteral("authorization_declined"), 70000,
                              QStringLiteral("The user declined the sign-in request."));
        const bool tooSoon =
            dc.lastPollMs >= 0 && nowMs - dc.lastPollMs < qint64(dc.intervalS) * 1000 - 500;
        dc.lastPollMs = nowMs;
        if (m_forcedSlowDowns > 0 && dc.state == DeviceCode::State::Pending) {
            --m_forcedSlowDowns;
            // From now on this code's polling interval is 5 s longer (RFC 8628 §3.5).
            dc.intervalS += 5;
            ++m_slowDownsIssued;
            return tokenError(400, QStringLiteral("slow_down"), 70016,
                              QStringLiteral("Polling too often; slow down."));
        }
        if (tooSoon) {
            dc.intervalS += 5;
            ++m_slowDownsIssued;
            return tokenError(400, QStringLiteral("slow_down"), 70016,
                              QStringLiteral("Polling faster than the interval; slow down."));
        }
        if (dc.state == DeviceCode::State::Pending)
            return tokenError(400, QStringLiteral("authorization_pending"), 70016,
                              QStringLiteral("OAuth 2.0 device flow error. Authorization is "
                                             "pending. Continue polling."));
        dc.state = DeviceCode::State::Redeemed;
        return tokenResponse({clientId, dc.upn, dc.permissions}, dc.offlineAccess, nowMs,
                             dc.openId);
    }

    if (grant == QLatin1String("authorization_code")) {
        const QString code = field("code");
        const auto it = m_authCodes.constFind(code);
        if (it == m_authCodes.cend() || it->clientId != clientId || it->expiresAtMs <= nowMs)
            return tokenError(400, QStringLiteral("invalid_grant"), 70008,
                              QStringLiteral("The provided authorization code or refresh token "
                                             "has expired due to inactivity or is not valid."));
        const AuthCode ac = *it;
        m_authCodes.erase(it); // single use, even when the verifier is wrong
        const QUrl sent(field("redirect_uri"));
        const QUrl expected(ac.redirectUri);
        // Loopback redirects match whatever the port.
        if (sent.scheme() != expected.scheme() || sent.host() != expected.host() ||
            sent.path() != expected.path())
            return tokenError(400, QStringLiteral("invalid_grant"), 50148,
                              QStringLiteral("The redirect_uri does not match the one used in "
                                             "the authorization request."));
        const QByteArray verifier = field("code_verifier").toLatin1();
        const QByteArray computed =
            QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        if (verifier.isEmpty() || QString::fromLatin1(computed) != ac.challenge)
            return tokenError(400, QStringLiteral("invalid_grant"), 501481,
                              QStringLiteral("The Code_Verifier does not match the "
                                             "code_challenge supplied in the authorization "
                                             "request."));
        return tokenResponse({clientId, ac.upn, ac.permissions}, ac.offlineAccess, nowMs, ac.openId,
                             ac.nonce);
    }

    if (grant == QLatin1String("refresh_token")) {
        const auto it = m_refreshTokens.constFind(field("refresh_token"));
        if (it == m_refreshTokens.cend() || it->clientId != clientId)
            return tokenError(400, QStringLiteral("invalid_grant"), 70008,
                              QStringLiteral("The provided authorization code or refresh token "
                                             "has expired due to inactivity or is not valid."));
        PracticeCaller caller = *it;
        bool offline = false;
        const QString scope = field("scope");
        // As Entra: a refresh token redeems for any scope the app is consented to, not
        // only those of the first sign-in; for any other the user must sign in again.
        if (const QStringList missing = unconsentedPermissions(scope, client->delegatedPermissions);
            !missing.isEmpty())
            return tokenError(400, QStringLiteral("invalid_grant"), 65001,
                              QStringLiteral("The user or administrator has not consented to use "
                                             "the application with ID '%1' for %2. Send an "
                                             "interactive authorization request for this user "
                                             "and resource.")
                                  .arg(clientId, missing.join(QLatin1String(", "))));
        if (!scope.isEmpty()) {
            const QStringList asked =
                grantedPermissions(scope, client->delegatedPermissions, &offline);
            if (!asked.isEmpty())
                caller.permissions = asked;
        }
        return tokenResponse(caller, true, nowMs, asksOpenId(scope));
    }

    return tokenError(
        400, QStringLiteral("unsupported_grant_type"), 70003,
        QStringLiteral("The app requested an unsupported grant type '%1'.").arg(grant));
}
