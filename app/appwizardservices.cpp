#include "appwizardservices.h"

#include "cloudscanjob.h"
#include "credentialstore.h"
#include "demoenvironment.h"
#include "executionrun.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "graphconfig.h"
#include "ldapscanjob.h"
#include "ldaptestconnectionjob.h"
#include "loadplanjob.h"
#include "onpremfilejob.h"
#include "practicetenant.h"
#include "rollbackjob.h"
#include "saveplanjob.h"
#include "tokenprovider.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUuid>

namespace {

LdapConfig ldapConfigFor(const OnPremSettings &s)
{
    LdapConfig c;
    c.uri = s.ldapUri;
    switch (s.tlsMode) {
    case OnPremSettings::TlsMode::None:
        c.tlsMode = LdapConfig::TlsMode::None;
        c.allowPlainBind = true; // the page labels this choice "test labs only"
        break;
    case OnPremSettings::TlsMode::StartTls:
        c.tlsMode = LdapConfig::TlsMode::StartTls;
        break;
    case OnPremSettings::TlsMode::Ldaps:
        c.tlsMode = LdapConfig::TlsMode::Ldaps;
        break;
    }
    c.bindDn = s.bindDn;
    c.password = s.password;
    c.baseDn = s.baseDn;
    c.searchBases = s.ous;
    if (!s.filter.trimmed().isEmpty())
        c.filter = s.filter.trimmed();
    c.caFile = s.caFile;
    return c;
}

// Runs an Executor or a RollbackJob and reports it the way the pages want it: every
// outcome as soon as its batch is done, progress, pause, the report at the end.
template <typename Inner> class ServiceRun : public ExecutionRun
{
public:
    using Factory = std::function<Inner *()>;
    using Prepare = std::function<Job *()>;
    // prepare: a job that must succeed before anything is sent (write access), or null.
    ServiceRun(Prepare prepare, Factory make, QObject *parent)
        : ExecutionRun(parent), m_prepare(std::move(prepare)), m_make(std::move(make))
    {}

    void setPaused(bool paused) override
    {
        m_paused = paused;
        if constexpr (std::is_same_v<Inner, Executor>) {
            if (m_inner)
                paused ? m_inner->pause() : m_inner->resume();
        }
    }
    bool isPaused() const override { return m_paused; }

protected:
    void doStart() override
    {
        Job *prepare = m_prepare ? m_prepare() : nullptr;
        if (!prepare) {
            startInner();
            return;
        }
        m_preparing = prepare;
        connect(prepare, &Job::infoMessage, this, &Job::infoMessage);
        connect(prepare, &Job::finished, this, [this](Job *job) {
            m_preparing = nullptr;
            if (job->error() == NoError && isCancelRequested()) {
                fail(Cancelled, tr("Cancelled before anything was changed."));
                emitResult();
                return;
            }
            if (job->error() != NoError) {
                fail(job->error(), job->error() == Cancelled
                                       ? tr("Cancelled before anything was changed.")
                                       : job->errorString());
                emitResult();
                return;
            }
            startInner();
        });
        prepare->start();
    }
    void doCancel() override
    {
        if (m_preparing)
            m_preparing->cancel();
        else if (m_inner)
            m_inner->cancel();
        else
            ExecutionRun::doCancel();
    }

private:
    void startInner()
    {
        Inner *inner = m_make();
        if (!inner) {
            fail(UserDefinedError, tr("Sign in to the tenant first."));
            emitResult();
            return;
        }
        m_inner = inner;
        connect(inner, &Inner::progressUpdated, this, [this](const ExecutionProgress &p) {
            publishOutcomes();
            Q_EMIT progressReported(p);
        });
        connect(inner, &Job::infoMessage, this, &Job::infoMessage);
        connect(inner, &Job::finished, this, [this](Job *job) {
            publishOutcomes();
            setReport(m_inner ? m_inner->report() : ExecutionReport{});
            if (job->error() != NoError)
                fail(job->error(), job->errorString());
            emitResult();
        });
        if constexpr (std::is_same_v<Inner, Executor>) {
            if (m_paused)
                inner->pause();
        }
        inner->start();
    }
    void publishOutcomes()
    {
        if (!m_inner)
            return;
        const ExecutionReport report = m_inner->report();
        for (qsizetype i = m_published; i < report.outcomes.size(); ++i)
            Q_EMIT outcomeReported(report.outcomes.at(i));
        m_published = report.outcomes.size();
    }

    Prepare m_prepare;
    Factory m_make;
    QPointer<Job> m_preparing;
    QPointer<Inner> m_inner;
    qsizetype m_published = 0;
    bool m_paused = false;
};

// The name in the access token (upn / preferred_username), or empty. Display only: the
// token is not verified here, the service does that.
QString nameInToken(const QString &token)
{
    const QStringList parts = token.split(u'.');
    if (parts.size() != 3)
        return {};
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QJsonObject claims = QJsonDocument::fromJson(payload).object();
    for (const char *claim : {"upn", "preferred_username", "unique_name"})
        if (const QString v = claims.value(QLatin1StringView(claim)).toString(); !v.isEmpty())
            return v;
    return {};
}

// True when the token the provider holds carries User.ReadWrite.All. The granted scope
// may name the resource ("https://graph.microsoft.com/User.ReadWrite.All") or not.
bool grantsWrite(const TokenProvider *provider)
{
    if (!provider || !provider->isSignedIn())
        return false;
    const QStringList granted = provider->grantedScope().split(u' ', Qt::SkipEmptyParts);
    for (const QString &scope : granted)
        if (scope.section(u'/', -1).compare(QLatin1StringView(GraphPermission::UserWrite),
                                            Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace

// Write access (User.ReadWrite.All) for the session, right before changes are sent: the
// Connect page's sign-in asks for read scopes only. First silently, by redeeming the
// session's refresh token for the write scopes too; when the tenant refuses (no refresh
// token, revoked, consent needed), a new interactive sign-in for write access whose
// device code is reported as an info message for the page that runs the changes.
// App-only sign-ins (client secret, .default) already hold what the app was granted.
class WriteAccessRun : public Job
{
public:
    explicit WriteAccessRun(AppWizardServices *services) : Job(services), m_services(services) {}

protected:
    void doStart() override
    {
        m_provider = m_services->m_tokens;
        if (!m_provider || m_services->m_appOnly || grantsWrite(m_provider)) {
            emitResult(); // no session: the run itself says to sign in
            return;
        }
        m_provider->setWriteAccess(true);
        Q_EMIT infoMessage(tr("Asking the tenant for write access (User.ReadWrite.All)…"));
        connect(m_provider, &TokenProvider::renewFinished, this, [this](bool ok, const QString &) {
            if (ok && grantsWrite(m_provider)) {
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
                [this, need](const QString &code, const QUrl &url, const QString &) {
                    Q_EMIT infoMessage(
                        need + u' ' +
                        tr("Open %1 on any device and enter the code %2. Nothing has been "
                           "changed yet.")
                            .arg(url.toString(), code));
                    if (PracticeTenant *practice = m_services->m_practice)
                        QTimer::singleShot(m_services->m_autoApproveDelayMs, practice,
                                           [practice, code] { practice->approveDeviceCode(code); });
                });
        connect(m_provider, &TokenProvider::browserSignInRequested, this,
                [this, need](const QUrl &url) {
                    // The sign-in's own connection passes the URL on to the wizard,
                    // which opens the browser.
                    Q_UNUSED(url);
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
            } else if (!grantsWrite(m_provider)) {
                fail(UserDefinedError,
                     tr("Nothing was changed: the sign-in did not grant User.ReadWrite.All. Ask "
                        "an admin to consent to it for the app registration, then run again."));
            } else {
                m_services->onWriteAccess(m_provider);
                Q_EMIT infoMessage(tr("Write access granted."));
            }
            emitResult();
        });
        m_provider->signIn();
    }

    AppWizardServices *m_services;
    QPointer<TokenProvider> m_provider;
    bool m_interactive = false;
    bool m_renewedAgain = false;
};

// One sign-in with the TokenProvider, as a Job for the Connect page.
class SignInRun : public Job
{
public:
    SignInRun(AppWizardServices *services, const CloudSettings &settings)
        : Job(services), m_services(services), m_settings(settings)
    {}

protected:
    void doStart() override
    {
        const GraphConfig config = AppWizardServices::graphConfigFor(m_settings);
        if (const QString problem = config.validate(); !problem.isEmpty()) {
            fail(UserDefinedError, problem);
            emitResult();
            return;
        }
        delete m_services->m_tokens;
        auto *provider = new TokenProvider(config, m_services);
        m_services->m_tokens = provider;
        m_provider = provider;
        provider->setCredentialStore(m_services->m_store);
        // Read scopes only: write access is asked for when a plan runs (WriteAccessRun).
        provider->setWriteAccess(false);
        if (m_settings.signIn == CloudSettings::SignIn::ClientSecret)
            provider->setClientSecret(m_settings.clientSecret);
        connect(provider, &TokenProvider::deviceCodeReady, this,
                [this](const QString &code, const QUrl &url, const QString &message) {
                    Q_EMIT m_services->deviceCodeIssued(code, url, message);
                    if (PracticeTenant *practice = m_services->m_practice) {
                        Q_EMIT infoMessage(tr("Demo: the practice tenant approves this code by "
                                              "itself in a moment."));
                        QTimer::singleShot(m_services->m_autoApproveDelayMs, practice,
                                           [practice, code] { practice->approveDeviceCode(code); });
                    }
                });
        connect(provider, &TokenProvider::browserSignInRequested, m_services,
                &WizardServices::browserSignInRequested);
        connect(provider, &TokenProvider::statusChanged, this, &Job::infoMessage);
        connect(provider, &TokenProvider::signInFinished, this,
                [this, config](const SignInResult &r) {
                    if (!r.ok) {
                        fail(UserDefinedError, r.message.isEmpty() ? r.error : r.message);
                    } else {
                        m_services->onSignedIn(m_provider, config, m_settings);
                        if (!r.storageNote.isEmpty())
                            setErrorText(r.storageNote);
                    }
                    emitResult();
                });
        provider->signIn();
    }
    void doCancel() override
    {
        if (m_provider) {
            m_provider->disconnect(this);
            m_provider->cancel();
        }
        Job::doCancel();
    }

private:
    AppWizardServices *m_services;
    CloudSettings m_settings;
    QPointer<TokenProvider> m_provider;
};

AppWizardServices::AppWizardServices(QObject *parent)
    : WizardServices(parent), m_store(new CredentialStore(QStringLiteral("Anchorfix"), this))
{}

AppWizardServices::~AppWizardServices() = default;

void AppWizardServices::onSignedIn(TokenProvider *provider, const GraphConfig &config,
                                   const CloudSettings &settings)
{
    delete m_writer;
    m_writer = nullptr;
    delete m_client;
    m_client = new GraphClient(config, this);
    m_accessToken = provider->accessToken();
    m_client->setAccessToken(m_accessToken);
    connect(provider, &TokenProvider::accessTokenChanged, m_client, [this](const QString &token) {
        m_accessToken = token;
        if (m_client)
            m_client->setAccessToken(token);
    });
    m_graphUrl = config.graphUrl.toString(QUrl::StripTrailingSlash);
    m_appOnly = settings.signIn == CloudSettings::SignIn::ClientSecret;
    m_operator = nameInToken(m_accessToken);
    if (m_operator.isEmpty())
        m_operator = settings.signIn == CloudSettings::SignIn::ClientSecret
                         ? u"app:" + settings.clientId
                         : tr("signed-in user of %1").arg(settings.tenant);
}

void AppWizardServices::onWriteAccess(TokenProvider *provider)
{
    // The write sign-in may be another account: the audit trail names who made the change.
    if (const QString name = nameInToken(provider->accessToken()); !name.isEmpty())
        m_operator = name;
}

Job *AppWizardServices::requestWriteAccess()
{
    return new WriteAccessRun(this);
}

CloudWriter *AppWizardServices::cloudWriter()
{
    if (!m_client)
        return nullptr;
    if (!m_writer)
        m_writer = new GraphCloudWriter(m_client, this);
    return m_writer;
}

void AppWizardServices::setPracticeTenant(PracticeTenant *tenant, int autoApproveDelayMs)
{
    m_practice = tenant;
    m_autoApproveDelayMs = autoApproveDelayMs;
}

GraphConfig AppWizardServices::graphConfigFor(const CloudSettings &s)
{
    GraphConfig c;
    switch (s.cloud) {
    case CloudSettings::Cloud::Global:
        c = GraphConfig::forCloud(CloudPreset::Global);
        break;
    case CloudSettings::Cloud::UsGov:
        c = GraphConfig::forCloud(CloudPreset::UsGov);
        break;
    case CloudSettings::Cloud::UsGovDoD:
        c = GraphConfig::forCloud(CloudPreset::UsGovDoD);
        break;
    case CloudSettings::Cloud::China:
        c = GraphConfig::forCloud(CloudPreset::China);
        break;
    case CloudSettings::Cloud::Custom:
        break;
    }
    c.authorityUrl = s.authorityUrl;
    c.graphUrl = s.graphUrl;
    c.tenant = s.tenant;
    c.clientId = s.clientId;
    switch (s.signIn) {
    case CloudSettings::SignIn::DeviceCode:
        c.signInMethod = SignInMethod::DeviceCode;
        break;
    case CloudSettings::SignIn::Browser:
        c.signInMethod = SignInMethod::BrowserPkce;
        break;
    case CloudSettings::SignIn::ClientSecret:
        c.signInMethod = SignInMethod::ClientSecret;
        break;
    }
    return c;
}

ValueJob<ConnectionCheck> *AppWizardServices::testOnPremConnection(const OnPremSettings &settings)
{
    if (settings.source == OnPremSettings::Source::File) {
        // Reading the whole file is the honest test of an export.
        const QString path = settings.filePath;
        return new ForwardingJob<ConnectionCheck>(
            [path]() -> Job * { return new OnPremFileJob(path); },
            [](Job *j) {
                auto *file = static_cast<OnPremFileJob *>(j);
                ConnectionCheck check;
                check.summary =
                    QObject::tr("%n user(s) in the %1 file", nullptr, int(file->users().size()))
                        .arg(OnPremFileFormat::kindName(file->format().kind));
                if (!file->warnings().isEmpty())
                    check.summary += QObject::tr(" (%n line(s) skipped, see the scan)", nullptr,
                                                 int(file->warnings().size()));
                return check;
            },
            this);
    }
    const LdapConfig config = ldapConfigFor(settings);
    return new ForwardingJob<ConnectionCheck>(
        [config]() -> Job * { return new LdapTestConnectionJob(config); },
        [](Job *j) {
            auto *t = static_cast<LdapTestConnectionJob *>(j);
            return ConnectionCheck{t->serverName(), t->defaultNamingContext()};
        },
        this);
}

ValueJob<OnPremScan> *AppWizardServices::scanOnPrem(const OnPremSettings &settings)
{
    if (settings.source == OnPremSettings::Source::File) {
        const QString path = settings.filePath;
        return new ForwardingJob<OnPremScan>([path]() -> Job * { return new OnPremFileJob(path); },
                                             [](Job *j) {
                                                 auto *file = static_cast<OnPremFileJob *>(j);
                                                 return OnPremScan{file->users(), file->warnings()};
                                             },
                                             this);
    }
    const LdapConfig config = ldapConfigFor(settings);
    return new ForwardingJob<OnPremScan>([config]() -> Job * { return new LdapScanJob(config); },
                                         [](Job *j) {
                                             auto *scan = static_cast<LdapScanJob *>(j);
                                             return OnPremScan{scan->users(), scan->warnings()};
                                         },
                                         this);
}

Job *AppWizardServices::signIn(const CloudSettings &settings)
{
    m_accessToken.clear();
    return new SignInRun(this, settings);
}

bool AppWizardServices::isSignedIn() const
{
    return !m_accessToken.isEmpty();
}

ValueJob<CloudScan> *AppWizardServices::scanCloud(const CloudSettings &)
{
    return new ForwardingJob<CloudScan>(
        [this]() -> Job * { return m_client ? m_client->scan() : nullptr; },
        [this](Job *j) {
            CloudSnapshot snapshot = static_cast<CloudScanJob *>(j)->snapshot();
            m_tenantId = snapshot.tenantId;
            m_initialDomain = snapshot.initialDomain();
            m_federatedDomains.clear();
            for (const CloudDomain &d : std::as_const(snapshot.domains))
                if (d.federated)
                    m_federatedDomains.append(d.name);
            return CloudScan{snapshot, static_cast<CloudScanJob *>(j)->warnings()};
        },
        this);
}

ExecutionRun *AppWizardServices::execute(const Plan &plan, const CloudSnapshot &snapshot,
                                         const RunFiles &files)
{
    // The plan as executed, beside its rollback file: a record that nothing waits for,
    // saved off the GUI thread like an exported plan.
    auto *savePlan = new SavePlanJob(plan, files.planCsv, this);
    connect(savePlan, &Job::finished, this, [](Job *job) {
        if (job->error() != Job::NoError)
            qWarning("anchorfix: %s", qPrintable(job->errorString()));
    });
    savePlan->start();
    ExecutorSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName();
    settings.identity.tenantId = snapshot.tenantId.isEmpty() ? m_tenantId : snapshot.tenantId;
    settings.identity.graphUrl = m_graphUrl;
    settings.rollbackPath = files.rollbackCsv;
    settings.auditPath = files.auditCsv;
    settings.initialDomain = snapshot.initialDomain();
    settings.planTenantId = plan.tenantId();
    QStringList federated;
    for (const CloudDomain &d : snapshot.domains)
        if (d.federated)
            federated.append(d.name);
    settings.federatedDomains = snapshot.domains.isEmpty() ? m_federatedDomains : federated;
    // The person confirmed these changes on the Execute page: that is the threshold.
    settings.maxChanges = qMax(1, Executor::changeCount(plan.rows()));
    const QList<Finding> rows = plan.rows();
    return new ServiceRun<Executor>([this] { return requestWriteAccess(); },
                                    [this, rows, settings]() mutable -> Executor * {
                                        CloudWriter *writer = cloudWriter();
                                        settings.identity.operatorName = operatorName();
                                        return writer ? new Executor(rows, settings, writer)
                                                      : nullptr;
                                    },
                                    this);
}

ExecutionRun *AppWizardServices::rollback(const RunFiles &files)
{
    RollbackSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName();
    settings.identity.tenantId = m_tenantId;
    settings.identity.graphUrl = m_graphUrl;
    settings.rollbackPath = files.rollbackCsv;
    settings.auditPath = files.auditCsv;
    settings.federatedDomains = m_federatedDomains;
    settings.initialDomain = m_initialDomain;
    return new ServiceRun<RollbackJob>([this] { return requestWriteAccess(); },
                                       [this, settings]() mutable -> RollbackJob * {
                                           CloudWriter *writer = cloudWriter();
                                           settings.identity.operatorName = operatorName();
                                           return writer ? new RollbackJob(settings, writer)
                                                         : nullptr;
                                       },
                                       this);
}

Job *AppWizardServices::savePlan(const Plan &plan, const QString &path)
{
    return new SavePlanJob(plan, path, this);
}

ValueJob<Plan> *AppWizardServices::loadPlan(const QString &path)
{
    return new ForwardingJob<Plan>([path]() -> Job * { return new LoadPlanJob(path); },
                                   [](Job *j) { return static_cast<LoadPlanJob *>(j)->plan(); },
                                   this);
}

ValueJob<QString> *AppWizardServices::readSecret(const QString &key)
{
    return new ForwardingJob<QString>(
        [this, key]() -> Job * { return m_store->read(key); },
        [](Job *j) { return static_cast<CredentialJob *>(j)->secret(); }, this);
}

ValueJob<QString> *AppWizardServices::writeSecret(const QString &key, const QString &secret)
{
    return new ForwardingJob<QString>(
        [this, key, secret]() -> Job * { return m_store->write(key, secret); },
        [](Job *j) { return static_cast<CredentialJob *>(j)->note(); }, this);
}

QString AppWizardServices::operatorName() const
{
    return m_operator;
}

QString AppWizardServices::startDemo(OnPremSettings *onPrem, CloudSettings *cloud,
                                     QString *outputFolder)
{
    if (!m_demo) {
        auto *demo = new DemoEnvironment(this);
        if (const QString error = demo->start(); !error.isEmpty()) {
            delete demo;
            return error;
        }
        m_demo = demo;
        setPracticeTenant(demo->tenant());
    }
    *onPrem = m_demo->onPremSettings();
    *cloud = m_demo->cloudSettings();
    // The demo's runs go where every run goes (the temporary demo folder is deleted when
    // the wizard closes; run files never are).
    outputFolder->clear();
    return {};
}

PracticeTenant *AppWizardServices::practiceTenant() const
{
    return m_practice;
}
