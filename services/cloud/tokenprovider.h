#pragma once

#include "graphconfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

class CredentialStore;
class QNetworkAccessManager;
class QNetworkReply;
class QTcpServer;
class QTimer;

// The outcome of a sign-in. A value: the UI, the CLI and the audit trail read it alike.
struct SignInResult
{
    bool ok = false;
    QString error;       // OAuth error: "expired_token", "invalid_client", "network", …
    QString aadsts;      // "AADSTS7000215" when the identity platform said one
    QString message;     // what happened and what to do, for an admin
    QString storageNote; // set when the refresh token could not go to the keychain
    bool fromRefreshToken = false;
};

// Signs in to the Microsoft identity platform (v2.0 endpoints) and holds the access
// token in memory only. Methods (GraphConfig::signInMethod):
//  - DeviceCode: POST /devicecode, emit deviceCodeReady (the UI shows the code and URL),
//    poll /token every `interval` s; authorization_pending continues, slow_down adds 5 s,
//    expired_token / authorization_declined / bad_verification_code end it.
//  - BrowserPkce: a one-shot listener on 127.0.0.1:<free port>, emit
//    browserSignInRequested(url) (the UI opens the system browser), receive the code on
//    the loopback redirect, redeem it with the PKCE (S256) verifier.
//  - ClientSecret: client credentials with setClientSecret() (from the environment or
//    the keychain, never from argv), scope {graph}/.default; no refresh token.
// Delegated sign-ins ask for offline_access; the refresh token goes to the keychain
// through CredentialStore (when one is set) and the next signIn() tries it first.
class TokenProvider : public QObject
{
    Q_OBJECT
public:
    explicit TokenProvider(const GraphConfig &config, QObject *parent = nullptr);
    ~TokenProvider() override;

    void setCredentialStore(CredentialStore *store);
    void setClientSecret(const QString &secret) { m_clientSecret = secret; }
    // Ask for User.ReadWrite.All too (only when executing a plan).
    void setWriteAccess(bool write) { m_write = write; }
    // Permissions asked for with the write scopes (GraphConfig::extraWritePermissions).
    void setExtraWritePermissions(const QStringList &permissions)
    {
        m_config.extraWritePermissions = permissions;
    }
    bool hasWriteAccess() const { return m_write; }
    // An identity-only sign-in that seals an approval (issue 17): scopes "openid profile",
    // the nonce the ID token must carry (browser sign-in only: the device code flow has
    // none), the account to suggest (login_hint, may be empty). No saved sign-in is used
    // or stored: the person must sign in now.
    void setIdentitySignIn(const QString &nonce, const QString &loginHint);

    // Starts a sign-in; finishes with signInFinished. A running sign-in is cancelled.
    void signIn();
    void cancel();
    // Forgets the tokens and removes the refresh token from the keychain.
    void signOut();
    // A fresh access token without asking anyone (the old one expired during a long
    // run): client credentials again, or this session's refresh token. Finishes with
    // renewFinished (and accessTokenChanged on success). A renewal already running is
    // not started twice.
    void renew();
    bool isRenewing() const { return !m_renewReply.isNull(); }

    bool isSignedIn() const;
    QString accessToken() const { return m_accessToken; }
    QDateTime expiresAt() const { return m_expiresAt; }
    QString grantedScope() const { return m_scope; }
    // The OpenID Connect ID token of a delegated sign-in (names the person), or empty.
    QString idToken() const { return m_idToken; }
    QStringList requestedScopes() const;

    // The loopback redirect URI in use (BrowserPkce), for display and tests.
    QUrl redirectUri() const { return m_redirectUri; }

Q_SIGNALS:
    // Device code: show userCode and verificationUri (message is Microsoft's sentence).
    void deviceCodeReady(const QString &userCode, const QUrl &verificationUri,
                         const QString &message, int expiresInSeconds);
    // Browser sign-in: open this URL in the system browser.
    void browserSignInRequested(const QUrl &url);
    void statusChanged(const QString &text);
    void accessTokenChanged(const QString &accessToken);
    void signInFinished(const SignInResult &result);
    void renewFinished(bool ok, const QString &message);

private:
    void startInteractive();
    void startDeviceCode();
    void pollDeviceCode();
    void startBrowser();
    void onLoopbackConnection();
    void redeemCode(const QString &code);
    void startClientCredentials();
    void tryRefreshToken(const QString &refreshToken);
    QNetworkReply *postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields);
    void onTokenReply(QNetworkReply *reply, bool fromRefresh);
    void onRenewReply(QNetworkReply *reply);
    // Takes the token response; false when it holds no access token.
    bool acceptTokens(const QJsonObject &response);
    void finish(const SignInResult &result);
    void stopFlows();
    SignInResult errorFromReply(const QByteArray &body, int status,
                                const QString &networkError) const;

    GraphConfig m_config;
    QPointer<CredentialStore> m_store;
    QString m_clientSecret;
    bool m_write = false;
    bool m_identityOnly = false;
    QString m_nonce;
    QString m_loginHint;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    bool m_running = false;

    QString m_accessToken;
    QDateTime m_expiresAt;
    QString m_scope;
    QString m_idToken;
    QString m_refreshToken; // this session's, in memory (the keychain has a copy)
    QPointer<QNetworkReply> m_renewReply;

    // device code
    QString m_deviceCode;
    int m_intervalS = 5;
    QDateTime m_deviceExpiresAt;
    QTimer *m_pollTimer = nullptr;

    // browser + PKCE
    QTcpServer *m_loopback = nullptr;
    QByteArray m_verifier;
    QString m_state;
    QUrl m_redirectUri;
};
