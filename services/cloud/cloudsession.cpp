#include "cloudsession.h"

#include "accesstoken.h"
#include "clouduser.h"
#include "credentialstore.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "job.h"
#include "tokenprovider.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <functional>

// Sign-in, then who signed in (GET /me when no token names them), then the tenant's
// facts (GET /organization, GET /domains). The reads after the sign-in never fail the
// job: what they could not read is listed in the session's tenantProblems().
class CloudSignInJob : public Job
{
public:
    CloudSignInJob(CloudSession *session, const GraphConfig &config, const QString &secret,
                   bool writeAccess)
        : Job(session), m_session(session), m_config(config), m_secret(secret), m_write(writeAccess)
    {}

protected:
    void doStart() override
    {
        if (const QString problem = m_config.validate(); !problem.isEmpty()) {
            fail(UserDefinedError, problem);
            emitResult();
            return;
        }
        m_session->reset();
        auto *provider = new TokenProvider(m_config, m_session);
        m_provider = provider;
        m_session->m_tokens = provider;
        m_session->m_config = m_config;
        if (m_session->m_store)
            provider->setCredentialStore(m_session->m_store);
        provider->setWriteAccess(m_write);
        if (m_config.signInMethod == SignInMethod::ClientSecret)
            provider->setClientSecret(m_secret);
        connect(provider, &TokenProvider::deviceCodeReady, m_session,
                &CloudSession::deviceCodeIssued);
        connect(provider, &TokenProvider::browserSignInRequested, m_session,
                &CloudSession::browserSignInRequested);
        connect(provider, &TokenProvider::statusChanged, m_session, &CloudSession::statusChanged);
        connect(provider, &TokenProvider::statusChanged, this, &Job::infoMessage);
        connect(provider, &TokenProvider::signInFinished, this, [this](const SignInResult &r) {
            m_provider->disconnect(this);
            if (!r.ok) {
                fail(UserDefinedError, r.message.isEmpty() ? r.error : r.message);
                emitResult();
                return;
            }
            m_note = r.storageNote;
            m_session->adopt(m_provider, m_config);
            readIdentity();
        });
        provider->signIn();
    }
    void doCancel() override
    {
        if (m_provider) {
            m_provider->disconnect(this);
            m_provider->cancel();
        }
        if (m_read)
            m_read->disconnect(this);
        Job::doCancel();
    }

private:
    void get(const QString &path, const char *permission,
             std::function<void(const GraphResult &, const QString &error)> then)
    {
        GraphClient *client = m_session->client();
        if (!client) {
            then(GraphResult{}, tr("no session"));
            return;
        }
        GraphRequestJob *job =
            client->request("GET", path, std::nullopt, true, QLatin1String(permission));
        m_read = job;
        connect(job, &Job::finished, this, [this, job, then](Job *) {
            m_read = nullptr;
            then(job->result(), job->error() == NoError ? QString() : job->errorString());
        });
        job->start();
    }

    void readIdentity()
    {
        if (m_session->isAppOnly() || !m_session->operatorName().isEmpty()) {
            readOrganization();
            return;
        }
        // Neither token names the person: ask Graph who it is.
        get(QStringLiteral("/me?$select=userPrincipalName"), GraphPermission::UserRead,
            [this](const GraphResult &r, const QString &error) {
                const QString upn = r.body.value(QLatin1String("userPrincipalName")).toString();
                if (error.isEmpty() && !upn.isEmpty())
                    m_session->setOperator(upn);
                else
                    m_problems.append(
                        tr("Could not read who signed in (GET /me): %1")
                            .arg(error.isEmpty() ? tr("no userPrincipalName") : error));
                readOrganization();
            });
    }

    void readOrganization()
    {
        get(QStringLiteral("/organization?$select=id,displayName,verifiedDomains"),
            GraphPermission::OrganizationRead, [this](const GraphResult &r, const QString &error) {
                if (!error.isEmpty()) {
                    m_problems.append(tr("Could not read the tenant's name: %1").arg(error));
                } else {
                    const QJsonObject org =
                        r.body.value(QLatin1String("value")).toArray().first().toObject();
                    m_facts.id = org.value(QLatin1String("id")).toString();
                    m_facts.displayName = org.value(QLatin1String("displayName")).toString();
                    for (const QJsonValue &v :
                         org.value(QLatin1String("verifiedDomains")).toArray()) {
                        const QJsonObject d = v.toObject();
                        const QString name = d.value(QLatin1String("name")).toString();
                        m_facts.verifiedDomains.append(name);
                        if (d.value(QLatin1String("isInitial")).toBool())
                            m_facts.initialDomain = name;
                    }
                }
                readDomains();
            });
    }

    void readDomains()
    {
        get(QStringLiteral("/domains"), GraphPermission::DomainRead,
            [this](const GraphResult &r, const QString &error) {
                QString domainsProblem;
                if (!error.isEmpty()) {
                    domainsProblem = tr("Could not read the tenant's domains: %1").arg(error);
                    m_problems.append(domainsProblem);
                } else {
                    QStringList verified;
                    for (const QJsonValue &v : r.body.value(QLatin1String("value")).toArray()) {
                        const QJsonObject d = v.toObject();
                        const QString name = d.value(QLatin1String("id")).toString();
                        if (d.value(QLatin1String("isVerified")).toBool(true))
                            verified.append(name);
                        if (d.value(QLatin1String("isInitial")).toBool())
                            m_facts.initialDomain = name;
                        if (CloudDomain::isFederated(
                                d.value(QLatin1String("authenticationType")).toString()))
                            m_facts.federatedDomains.append(name);
                    }
                    m_facts.verifiedDomains = verified;
                }
                if (m_facts.id.isEmpty())
                    m_facts.id = AccessToken::claims(m_session->tokenProvider()
                                                         ? m_session->tokenProvider()->accessToken()
                                                         : QString())
                                     .value(QLatin1String("tid"))
                                     .toString();
                if (m_facts.id.isEmpty())
                    m_facts.id = m_config.tenant;
                m_session->setTenant(m_facts, domainsProblem, m_problems);
                if (!m_note.isEmpty())
                    setErrorText(m_note);
                emitResult();
            });
    }

    CloudSession *m_session;
    GraphConfig m_config;
    QString m_secret;
    bool m_write;
    QPointer<TokenProvider> m_provider;
    QPointer<Job> m_read;
    QString m_note;
    TenantFacts m_facts;
    QStringList m_problems;
};

namespace {

bool grantsWrite(const CloudSession *session)
{
    return session->isSignedIn() &&
           session->permissions().has(QLatin1String(GraphPermission::UserWrite));
}

bool grantsAll(const CloudSession *session, const QStringList &extra)
{
    return grantsWrite(session) &&
           std::all_of(extra.cbegin(), extra.cend(),
                       [session](const QString &p) { return session->permissions().has(p); });
}

} // namespace

// User.ReadWrite.All right before changes are sent (the wizard signs in with read
// scopes). First silently, by redeeming the session's refresh token for the write scopes
// too; when the tenant refuses (no refresh token, revoked, consent needed), a new
// interactive sign-in whose device code is reported as an info message.
class WriteAccessJob : public Job
{
public:
    WriteAccessJob(CloudSession *session, const QStringList &extra)
        : Job(session), m_session(session), m_extra(extra)
    {}

protected:
    void doStart() override
    {
        m_provider = m_session->tokenProvider();
        if (!m_provider || m_session->isAppOnly() || grantsAll(m_session, m_extra)) {
            emitResult(); // no session: the run itself says to sign in
            return;
        }
        m_provider->setWriteAccess(true);
        m_provider->setExtraWritePermissions(m_extra);
        Q_EMIT infoMessage(
            tr("Asking the tenant for write access (%1)…")
                .arg((QStringList{QLatin1String(GraphPermission::UserWrite)} + m_extra)
                         .join(QLatin1String(", "))));
        connect(m_provider, &TokenProvider::renewFinished, this, [this](bool ok, const QString &) {
            if (ok &&
                (grantsAll(m_session, m_extra) || (m_renewedAgain && grantsWrite(m_session)))) {
                m_provider->disconnect(this);
                Q_EMIT infoMessage(tr("Write access granted."));
                emitResult();
            } else if (ok && !m_renewedAgain) {
                // A renewal that was already running asked for the read scopes only.
                m_renewedAgain = true;
                m_provider->renew();
            } else {
                m_provider->disconnect(this);
                startInteractive();
            }
        });
        m_provider->renew();
    }
    void doCancel() override
    {
        if (m_provider) {
            m_provider->disconnect(this);
            if (m_interactive)
                m_provider->cancel();
        }
        Job::doCancel();
    }

private:
    void startInteractive()
    {
        m_interactive = true;
        const QString need = tr("Executing needs User.ReadWrite.All; sign in again to grant it.");
        Q_EMIT infoMessage(need);
        connect(m_provider, &TokenProvider::deviceCodeReady, this,
                [this, need](const QString &code, const QUrl &url) {
                    // (The session passes the code on too: deviceCodeIssued.)
                    Q_EMIT infoMessage(
                        need + u' ' +
                        tr("Open %1 on any device and enter the code %2. Nothing has been "
                           "changed yet.")
                            .arg(url.toString(), code));
                });
        connect(m_provider, &TokenProvider::browserSignInRequested, this, [this, need] {
            // (The session passes the URL on: browserSignInRequested.)
            Q_EMIT infoMessage(need + u' ' +
                               tr("Finish the sign-in in your browser. Nothing has been "
                                  "changed yet."));
        });
        connect(m_provider, &TokenProvider::signInFinished, this, [this](const SignInResult &r) {
            m_provider->disconnect(this);
            if (!r.ok) {
                fail(UserDefinedError,
                     tr("Nothing was changed: write access was not granted (%1). Sign in with "
                        "an account that may change users and run again.")
                         .arg(r.message.isEmpty() ? r.error : r.message));
            } else if (!grantsWrite(m_session)) {
                fail(UserDefinedError,
                     tr("Nothing was changed: the sign-in did not grant User.ReadWrite.All. Ask "
                        "an admin to consent to it for the app registration, then run again."));
            } else {
                // The write sign-in may be another account: the audit names who changed.
                m_session->identityFromTokens();
                Q_EMIT infoMessage(tr("Write access granted."));
            }
            emitResult();
        });
        m_provider->signIn();
    }

    CloudSession *m_session;
    QPointer<TokenProvider> m_provider;
    QStringList m_extra;
    bool m_interactive = false;
    bool m_renewedAgain = false;
};

CloudSession::CloudSession(QObject *parent) : QObject(parent) {}

CloudSession::~CloudSession() = default;

Job *CloudSession::signIn(const GraphConfig &config, const QString &clientSecret, bool writeAccess)
{
    return new CloudSignInJob(this, config, clientSecret, writeAccess);
}

Job *CloudSession::requestWriteAccess(const QStringList &extraPermissions)
{
    return new WriteAccessJob(this, extraPermissions);
}

void CloudSession::cancelSignIn()
{
    if (m_tokens)
        m_tokens->cancel();
}

void CloudSession::reset()
{
    delete m_client;
    delete m_tokens;
    m_operator.clear();
    m_tenant = {};
    m_domainsProblem = tr("not signed in");
    m_tenantProblems.clear();
}

void CloudSession::signOut()
{
    if (m_tokens)
        m_tokens->signOut();
    reset();
}

bool CloudSession::isSignedIn() const
{
    return m_client && m_tokens && !m_tokens->accessToken().isEmpty();
}

GrantedPermissions CloudSession::permissions() const
{
    if (!m_tokens)
        return {};
    GrantedPermissions granted = AccessToken::permissions(m_tokens->accessToken());
    if (!granted.known && !m_tokens->grantedScope().isEmpty()) {
        // Not a JWT: the token response's scope says what was granted.
        granted.known = true;
        for (const QString &scope : m_tokens->grantedScope().split(u' ', Qt::SkipEmptyParts))
            granted.scopes.append(scope.section(u'/', -1));
        granted.appOnly = isAppOnly();
        if (granted.appOnly)
            std::swap(granted.scopes, granted.roles);
    }
    return granted;
}

QString CloudSession::appOperatorName(const QString &clientId, const QString &appDisplayName)
{
    return appDisplayName.isEmpty() ? u"app:" + clientId
                                    : QStringLiteral("app:%1 (%2)").arg(clientId, appDisplayName);
}

void CloudSession::adopt(TokenProvider *provider, const GraphConfig &config)
{
    delete m_client;
    auto *client = new GraphClient(config, this);
    client->setTokenProvider(provider);
    m_client = client;
    connect(provider, &TokenProvider::accessTokenChanged, this, &CloudSession::accessTokenChanged);
    identityFromTokens();
}

void CloudSession::identityFromTokens()
{
    if (!m_tokens)
        return;
    const QString access = m_tokens->accessToken();
    if (isAppOnly()) {
        m_operator = appOperatorName(
            m_config.clientId,
            AccessToken::claims(access).value(QLatin1String("app_displayname")).toString());
        return;
    }
    QString name = AccessToken::userName(m_tokens->idToken());
    if (name.isEmpty())
        name = AccessToken::userName(access);
    if (!name.isEmpty())
        m_operator = name;
}

void CloudSession::setTenant(const TenantFacts &facts, const QString &domainsProblem,
                             const QStringList &problems)
{
    m_tenant = facts;
    m_domainsProblem = domainsProblem;
    m_tenantProblems = problems;
}
