#include "appwizardservices.h"

#include "cloudscanjob.h"
#include "credentialstore.h"
#include "demoenvironment.h"
#include "executionrun.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "ldapscanjob.h"
#include "ldaptestconnectionjob.h"
#include "onpremfilejob.h"
#include "practicetenant.h"
#include "rollbackjob.h"
#include "tokenprovider.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTextStream>
#include <QThreadPool>
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
    ServiceRun(Factory make, QObject *parent) : ExecutionRun(parent), m_make(std::move(make)) {}

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
    void doCancel() override
    {
        if (m_inner)
            m_inner->cancel();
        else
            ExecutionRun::doCancel();
    }

private:
    void publishOutcomes()
    {
        if (!m_inner)
            return;
        const ExecutionReport report = m_inner->report();
        for (qsizetype i = m_published; i < report.outcomes.size(); ++i)
            Q_EMIT outcomeReported(report.outcomes.at(i));
        m_published = report.outcomes.size();
    }

    Factory m_make;
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

} // namespace

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
        provider->setWriteAccess(true); // one sign-in for scan and execute
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
    m_operator = nameInToken(m_accessToken);
    if (m_operator.isEmpty())
        m_operator = settings.signIn == CloudSettings::SignIn::ClientSecret
                         ? u"app:" + settings.clientId
                         : tr("signed-in user of %1").arg(settings.tenant);
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
    // The plan as executed, beside its rollback file: a record, which nothing waits for,
    // written on a worker thread (200k rows take longer than a frame).
    const QString planPath = files.planCsv;
    QThreadPool::globalInstance()->start([plan, planPath] {
        QSaveFile planFile(planPath);
        if (planFile.open(QIODevice::WriteOnly | QIODevice::Text)) {
            QTextStream out(&planFile);
            plan.write(out);
            out.flush();
            planFile.commit();
        }
    });
    ExecutorSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName();
    settings.identity.tenantId = snapshot.tenantId.isEmpty() ? m_tenantId : snapshot.tenantId;
    settings.identity.graphUrl = m_graphUrl;
    settings.rollbackPath = files.rollbackCsv;
    settings.auditPath = files.auditCsv;
    settings.initialDomain = snapshot.initialDomain();
    // The person confirmed these changes on the Execute page: that is the threshold.
    settings.maxChanges = qMax(1, Executor::changeCount(plan.rows()));
    const QList<Finding> rows = plan.rows();
    return new ServiceRun<Executor>(
        [this, rows, settings]() -> Executor * {
            CloudWriter *writer = cloudWriter();
            return writer ? new Executor(rows, settings, writer) : nullptr;
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
    return new ServiceRun<RollbackJob>(
        [this, settings]() -> RollbackJob * {
            CloudWriter *writer = cloudWriter();
            return writer ? new RollbackJob(settings, writer) : nullptr;
        },
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
    *outputFolder = m_demo->outputFolder();
    return {};
}

PracticeTenant *AppWizardServices::practiceTenant() const
{
    return m_practice;
}
