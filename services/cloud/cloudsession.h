#pragma once

#include "credentialstore.h"
#include "grantedpermissions.h"
#include "graphclient.h"
#include "graphconfig.h"
#include "tenantfacts.h"
#include "tokenprovider.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

class Job;

// One signed-in connection to a tenant, shared by the command line and the wizard:
// sign-in by any method (device code, browser + PKCE, client credentials — through
// TokenProvider), token renewal, the permissions the access token grants (scp / roles),
// who signed in (the audit's operator) and the tenant's facts (GET /organization,
// GET /domains). The jobs it hands out have not started yet; connect to Job::finished,
// then start().
class CloudSession : public QObject
{
    Q_OBJECT
public:
    explicit CloudSession(QObject *parent = nullptr);
    ~CloudSession() override;

    // Where a delegated sign-in's refresh token is kept; null (the default) = nowhere
    // beyond this session. Takes effect at the next signIn().
    void setCredentialStore(CredentialStore *store) { m_store = store; }

    // Signs in, replacing any earlier session, then reads who signed in and the tenant's
    // facts. clientSecret is used for SignInMethod::ClientSecret. writeAccess asks for
    // User.ReadWrite.All at once (the command line's apply and rollback); otherwise read
    // scopes only, and requestWriteAccess() before changes are sent. The job fails only
    // when the sign-in fails; facts it could not read are in tenantProblems(). Its
    // errorString() after success is a note (the refresh token could not be stored).
    Job *signIn(const GraphConfig &config, const QString &clientSecret = QString(),
                bool writeAccess = false);
    // User.ReadWrite.All for the session, right before changes are sent: silently
    // through the refresh token, else an interactive sign-in (its device code reported
    // as an info message). Finishes at once when the token grants it already, for an
    // app-only session (it holds what the app was granted) and without a session.
    // extraPermissions are asked for too (a plan that clears onPremisesObjectIdentifier
    // needs User-OnPremisesSyncBehavior.ReadWrite.All); a sign-in that does not grant
    // them still succeeds: the permission pre-flight leaves the rows that need them out.
    Job *requestWriteAccess(const QStringList &extraPermissions = {});
    void cancelSignIn();
    // Forgets the tokens and removes the refresh token from the keychain.
    void signOut();
    // Forgets tokens, client, identity and facts; the keychain is left as it is.
    void reset();

    bool isSignedIn() const;
    bool isAppOnly() const { return m_config.signInMethod == SignInMethod::ClientSecret; }
    GraphConfig config() const { return m_config; }
    // The client with the session's token (renewed on 401); null before a sign-in.
    GraphClient *client() const { return m_client; }
    TokenProvider *tokenProvider() const { return m_tokens; }

    // The signed-in person's UPN (ID token preferred_username / upn, else GET /me), or
    // "app:<client id> (<app display name>)" for an app-only sign-in (DESIGN.md §4).
    QString operatorName() const { return m_operator; }
    // What the current access token grants (its scp or roles claim).
    GrantedPermissions permissions() const;
    TenantFacts tenant() const { return m_tenant; }
    // The domains were read (initial and federated domains are known), else why not.
    bool hasTenantDomains() const { return isSignedIn() && m_domainsProblem.isEmpty(); }
    QString tenantDomainsProblem() const { return m_domainsProblem; }
    // What could not be read about the tenant ("Could not read the tenant's domains: …").
    QStringList tenantProblems() const { return m_tenantProblems; }

    // "app:<client id> (<app display name>)", or "app:<client id>" without a name.
    static QString appOperatorName(const QString &clientId, const QString &appDisplayName);

Q_SIGNALS:
    // Device code: show userCode and verificationUri (message is Microsoft's sentence).
    void deviceCodeIssued(const QString &userCode, const QUrl &verificationUri,
                          const QString &message, int expiresInSeconds);
    // Browser sign-in: open this URL in the system browser.
    void browserSignInRequested(const QUrl &url);
    void statusChanged(const QString &text);
    // A new access token (renewal, write access): permissions() may have changed.
    void accessTokenChanged();

private:
    friend class CloudSignInJob;
    friend class WriteAccessJob;
    void adopt(TokenProvider *provider, const GraphConfig &config);
    void identityFromTokens();
    void setOperator(const QString &name) { m_operator = name; }
    void setTenant(const TenantFacts &facts, const QString &domainsProblem,
                   const QStringList &problems);

    QPointer<CredentialStore> m_store;
    GraphConfig m_config;
    QPointer<TokenProvider> m_tokens;
    QPointer<GraphClient> m_client;
    QString m_operator;
    TenantFacts m_tenant;
    QString m_domainsProblem = QStringLiteral("not signed in");
    QStringList m_tenantProblems;
};
