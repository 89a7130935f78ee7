#pragma once

#include "practicehttp.h"
#include "practicesigningkey.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

class PracticeDirectory;

// Who a bearer token speaks for.
struct PracticeCaller
{
    QString clientId;
    QString userUpn;         // empty for client-credentials (app-only) tokens
    QStringList permissions; // "User.Read.All", …
    bool isAppOnly() const { return userUpn.isEmpty(); }
};

// The practice tenant's Microsoft identity platform: /{tenant}/oauth2/v2.0/token,
// /devicecode and /authorize, with the documented grants (client_credentials,
// device_code, authorization_code + PKCE S256, refresh_token) and AADSTS error shapes.
// Access tokens are JWT-shaped like Entra's (scp for delegated, roles for app-only, upn,
// app_displayname); an ID token comes with a delegated sign-in that asked for openid.
// Tokens are kept in memory; a token is valid while the service knows it.
class PracticeTokenService
{
public:
    explicit PracticeTokenService(PracticeDirectory &directory);

    // endpoint: "token", "devicecode", "authorize" or "keys" (the JWKS). nowMs: monotonic
    // clock.
    PracticeResponse handle(const PracticeRequest &request, const QString &endpoint, qint64 nowMs);

    // Checks an Authorization header. On failure, *why says what Graph would.
    std::optional<PracticeCaller> validate(const QByteArray &authorization, qint64 nowMs,
                                           QString *why) const;

    // The practice way to complete a device code sign-in (what the user would do at
    // the verification page). upn empty = the tenant's operator. False: unknown code.
    bool approveDeviceCode(const QString &userCode, const QString &upn = QString());
    bool declineDeviceCode(const QString &userCode);
    QStringList pendingUserCodes() const;

    // Issues an access token directly (tests).
    QString issueAccessToken(const PracticeCaller &caller, qint64 nowMs);
    void expireAllAccessTokens();
    // Refresh tokens no longer redeem (what revoking the user's sessions does).
    void revokeRefreshTokens() { m_refreshTokens.clear(); }

    void setBaseUrl(const QString &baseUrl) { m_baseUrl = baseUrl; }
    void setDeviceCodeTiming(int expiresInSeconds, int intervalSeconds);
    void setAccessTokenLifetime(int seconds) { m_tokenLifetimeS = seconds; }
    void setIdTokenLifetime(int seconds) { m_idTokenLifetimeS = seconds; }

    // ID tokens are RS256-signed with the tenant's own key, published as a JWKS at
    // /{tenant}/discovery/v2.0/keys; a browser sign-in's nonce is carried into its ID token.
    QJsonObject jwks();
    // The claims of an ID token this tenant would issue to upn for clientId (tests).
    QJsonObject idTokenClaims(const QString &clientId, const QString &upn,
                              const QString &nonce) const;
    // Signs any claims with the tenant's key (tests: a well-signed token with wrong claims).
    QString signIdToken(const QJsonObject &claims) { return m_signingKey.signJwt(claims); }
    // Answer the next `count` device-code polls with slow_down whatever their timing.
    void setForcedSlowDowns(int count) { m_forcedSlowDowns = count; }
    int slowDownsIssued() const { return m_slowDownsIssued; }

private:
    struct DeviceCode
    {
        QString deviceCode, userCode, clientId;
        QStringList permissions;
        bool offlineAccess = false;
        bool openId = false;
        qint64 expiresAtMs = 0;
        qint64 lastPollMs = -1;
        int intervalS = 5;
        enum class State { Pending, Approved, Declined, Redeemed } state = State::Pending;
        QString upn;
    };
    struct AuthCode
    {
        QString clientId, redirectUri, challenge, upn, nonce;
        QStringList permissions;
        bool offlineAccess = false;
        bool openId = false;
        qint64 expiresAtMs = 0;
    };
    struct AccessToken
    {
        PracticeCaller caller;
        qint64 expiresAtMs = 0;
    };

    PracticeResponse token(const PracticeRequest &request, qint64 nowMs);
    PracticeResponse deviceCode(const PracticeRequest &request, qint64 nowMs);
    PracticeResponse authorize(const PracticeRequest &request, qint64 nowMs);
    PracticeResponse tokenResponse(const PracticeCaller &caller, bool withRefresh, qint64 nowMs,
                                   bool withIdToken = false, const QString &nonce = QString());
    QString idToken(const PracticeCaller &caller, const QString &nonce);
    static QString jwt(const QJsonObject &claims);
    static bool asksOpenId(const QString &scope);
    PracticeResponse tokenError(int status, const QString &error, int aadsts,
                                const QString &description) const;
    // Permissions a scope string asks for that the client was not consented to.
    static QStringList unconsentedPermissions(const QString &scope, const QStringList &allowed);
    // Permissions a scope string asks for, limited to what the client may get.
    QStringList grantedPermissions(const QString &scope, const QStringList &allowed,
                                   bool *offlineAccess) const;

    PracticeDirectory &m_directory;
    QString m_baseUrl;
    int m_deviceExpiresS = 900;
    int m_deviceIntervalS = 5;
    int m_tokenLifetimeS = 3600;
    int m_idTokenLifetimeS = 3600;
    PracticeSigningKey m_signingKey;
    int m_forcedSlowDowns = 0;
    int m_slowDownsIssued = 0;
    QHash<QString, DeviceCode> m_deviceCodes; // by device_code
    QHash<QString, AuthCode> m_authCodes;
    QHash<QString, AccessToken> m_accessTokens;
    QHash<QString, PracticeCaller> m_refreshTokens;
};
