#include "appwizardservices.h"

#include "approvalgatejob.h"
#include "sealapprovaljob.h"
#include "sealcheckjob.h"

#include "adcommand.h"
#include "approvalaudit.h"
#include "atomicfile.h"
#include "cloudscanjob.h"
#include "cloudscansource.h"
#include "cloudsession.h"
#include "credentialstore.h"
#include "demoenvironment.h"
#include "executionrun.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "graphconfig.h"
#include "immutableid.h"
#include "ldapscanjob.h"
#include "ldaptestconnectionjob.h"
#include "loadplanjob.h"
#include "onpremfilejob.h"
#include "onpremscansource.h"
#include "permissionpreflight.h"
#include "practicetenant.h"
#include "rollbackjob.h"
#include "runfiles.h"
#include "runstartmessage.h"
#include "saveplanjob.h"
#include "threadjob.h"
#include "verifyjob.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUuid>

#include <memory>

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
    // make: the inner job, or null with *error (empty: not signed in).
    using Factory = std::function<Inner *(QString *error)>;
    using Prepare = std::function<Job *()>;
    // prepare: jobs that must succeed, one after the other, before anything is sent (the
    // plan's fingerprint, write access); a stage may return null to skip itself.
    ServiceRun(QList<Prepare> prepare, Factory make, QObject *parent)
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
    void doStart() override { prepareStage(0); }
    void prepareStage(qsizetype stage)
    {
        if (stage == m_prepare.size()) {
            startInner();
            return;
        }
        Job *prepare = m_prepare.at(stage)();
        if (!prepare) {
            prepareStage(stage + 1);
            return;
        }
        m_preparing = prepare;
        connect(prepare, &Job::infoMessage, this, &Job::infoMessage);
        connect(prepare, &Job::finished, this, [this, stage](Job *job) {
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
            prepareStage(stage + 1);
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
        QString error;
        Inner *inner = m_make(&error);
        if (!inner) {
            fail(UserDefinedError, error.isEmpty() ? tr("Sign in to the tenant first.") : error);
            emitResult();
            return;
        }
        m_inner = inner;
        connect(inner, &Job::progressChanged, this, [this](const JobProgress &p) {
            publishOutcomes();
            setProgress(p);
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

    QList<Prepare> m_prepare;
    Factory m_make;
    QPointer<Job> m_preparing;
    QPointer<Inner> m_inner;
    qsizetype m_published = 0;
    bool m_paused = false;
};

} // namespace

// The session's sign-in as the Connect page's job, plus what the demo needs: the
// practice tenant approves its own device codes after a short pause.
class SignInRun : public Job
{
public:
    SignInRun(AppWizardServices *services, const CloudSettings &settings)
        : Job(services), m_services(services), m_settings(settings)
    {}

protected:
    void doStart() override
    {
        CloudSession *session = m_services->m_session;
        Job *job = session->signIn(AppWizardServices::graphConfigFor(m_settings),
                                   m_settings.clientSecret, false);
        m_job = job;
        // The Connect page shows the code (a write-access sign-in shows its own on the
        // Execute page).
        connect(session, &CloudSession::deviceCodeIssued, this,
                [this](const QString &code, const QUrl &url, const QString &message) {
                    Q_EMIT m_services->deviceCodeIssued(code, url, message);
                    if (m_services->m_practice)
                        Q_EMIT infoMessage(tr("Demo: the practice tenant approves this code by "
                                              "itself in a moment."));
                });
        connect(job, &Job::infoMessage, this, &Job::infoMessage);
        connect(job, &Job::finished, this, [this](Job *j) {
            m_job = nullptr;
            if (j->error() != NoError)
                fail(j->error() == Cancelled ? int(Cancelled) : int(UserDefinedError),
                     j->errorString());
            else
                setErrorText(j->errorString()); // a note: the refresh token was not stored
            emitResult();
        });
        job->start();
    }
    void doCancel() override
    {
        if (m_job) {
            m_job->disconnect(this);
            m_job->cancel();
        }
        Job::doCancel();
    }

private:
    AppWizardServices *m_services;
    CloudSettings m_settings;
    QPointer<Job> m_job;
};

AppWizardServices::AppWizardServices(QObject *parent)
    : WizardServices(parent), m_store(new CredentialStore(QStringLiteral("Anchorfix"), this)),
      m_session(new CloudSession(this))
{
    // No refresh token goes to the keychain: nothing touches it unless "Remember in the
    // keychain" is ticked (a device-code sign-in and the demo never do).
    m_session->setCredentialStore(nullptr);
    connect(m_session, &CloudSession::deviceCodeIssued, this, [this](const QString &code) {
        if (PracticeTenant *practice = m_practice)
            QTimer::singleShot(m_autoApproveDelayMs, practice,
                               [practice, code] { practice->approveDeviceCode(code); });
    });
    connect(m_session, &CloudSession::browserSignInRequested, this,
            &WizardServices::browserSignInRequested);
}

AppWizardServices::~AppWizardServices() = default;

Job *AppWizardServices::requestWriteAccess()
{
    return m_session->requestWriteAccess();
}

CloudWriter *AppWizardServices::cloudWriter()
{
    if (!m_session->client())
        return nullptr;
    if (!m_writer)
        m_writer = new GraphCloudWriter(m_session->client(), this);
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
    c.phrasing = GraphConfig::Phrasing::Wizard; // advice names the Connect page's fields
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
    if (settings.source == OnPremSettings::Source::File)
        return OnPremScanSource::file(settings.filePath, this);
    return OnPremScanSource::ldap(ldapConfigFor(settings), this);
}

Job *AppWizardServices::signIn(const CloudSettings &settings)
{
    // The writer speaks through the session's client, which the new sign-in replaces.
    delete m_writer;
    m_writer = nullptr;
    m_session->reset();
    m_lastCloudScan = {}; // another tenant, perhaps: no delta rescan
    return new SignInRun(this, settings);
}

bool AppWizardServices::isSignedIn() const
{
    return m_session->isSignedIn();
}

ValueJob<CloudScan> *AppWizardServices::scanCloud(const CloudSettings &)
{
    // "Scan again": only the users changed since this session's last scan.
    ValueJob<CloudScan> *job =
        CloudScanSource::graph([this] { return m_session->client(); }, this, m_lastCloudScan);
    connect(job, &Job::finished, this, [this, job] {
        if (job->error() == Job::NoError)
            m_lastCloudScan = job->value().snapshot;
    });
    return job;
}

QString AppWizardServices::adScript(const QList<Finding> &rows, const QString &exportFile)
{
    QStringList lines{
        QStringLiteral("# Anchorfix: the Active Directory side of this run (adopt_cloud_anchor)."),
        QStringLiteral(
            "# Each command keeps the cloud user's anchor and writes it into the on-prem "
            "user's"),
        QStringLiteral("# mS-DS-ConsistencyGuid, so the next sync hard-matches the existing cloud "
                       "user."),
        QStringLiteral("# Anchorfix did not run them: the on-prem source was an export file (%1).")
            .arg(exportFile),
        QStringLiteral("# Run on a domain-joined machine as an account that may write "
                       "mS-DS-ConsistencyGuid."),
        QStringLiteral("# To be able to undo, note each user's value first (Get-ADUser line)."),
        QStringLiteral("Import-Module ActiveDirectory")};
    for (const Finding &f : rows) {
        const std::optional<ImmutableId> anchor = ImmutableId::parse(f.cloudImmutableId);
        if (!anchor)
            continue;
        lines << QString()
              << QStringLiteral("# %1: keep the cloud anchor %2 (GUID %3)")
                     .arg(f.cloudUpn.isEmpty() ? f.cloudId : f.cloudUpn, anchor->toBase64(),
                          anchor->toGuid())
              << QStringLiteral("Get-ADUser -Identity %1 -Properties %2")
                     .arg(AdCommand::psLiteral(f.onPremDn),
                          AdCommand::psLiteral(
                              QString::fromLatin1(AdCommand::ConsistencyGuidAttribute)))
              << AdCommand::setAdUser(f.onPremDn, anchor->bytes());
    }
    return lines.join(u'\n') + u'\n';
}

ValueJob<ApprovalGate> *AppWizardServices::checkApprovals(const Plan &plan, const QString &planPath,
                                                          bool requireSealed)
{
    if (!m_session->isSignedIn())
        return new FailedJob<ApprovalGate>(tr("Sign in to the tenant first."), this);
    return new ApprovalGateJob(plan.rows(), planPath, requireSealed,
                               SealCheckJob::expectationsFor(*m_session),
                               m_session->config().authorityUrl, &m_keys, this);
}

ExecutionRun *AppWizardServices::execute(const Plan &plan, const CloudSnapshot &snapshot,
                                         const RunFiles &files, const OnPremSettings &onPrem,
                                         const ApprovalGate &gate)
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
    const TenantFacts tenant = m_session->tenant();
    settings.identity.tenantId = snapshot.tenantId.isEmpty() ? tenant.id : snapshot.tenantId;
    settings.identity.graphUrl = m_session->config().graphUrl.toString(QUrl::StripTrailingSlash);
    settings.rollbackPath = files.rollbackCsv;
    settings.auditPath = files.auditCsv;
    settings.initialDomain = snapshot.initialDomain();
    settings.planTenantId = plan.tenantId();
    QStringList federated;
    for (const CloudDomain &d : snapshot.domains)
        if (d.federated)
            federated.append(d.name);
    settings.federatedDomains =
        snapshot.domains.isEmpty() ? m_session->tenant().federatedDomains : federated;
    // The run's first audit row names the plan by its SHA-256: 200k rows take a second or
    // two to write out and hash, so that happens on a pool thread before the run starts.
    auto fingerprint = std::make_shared<QString>();
    const auto fingerprintStage = [this, fingerprint, tenant, plan,
                                   planFile = files.planCsv]() -> Job * {
        auto *job = new ThreadJob<QString>(
            [tenant, plan, planFile](QString *) {
                return RunStartMessage::text(tenant, planFile, RunStartMessage::planContent(plan));
            },
            this);
        connect(job, &Job::finished, this, [job, fingerprint] { *fingerprint = job->value(); });
        return job;
    };
    // The person confirmed these changes on the Execute page: that is the threshold.
    settings.maxChanges = qMax(1, Executor::changeCount(plan.rows()));
    QList<Finding> rows = plan.rows();
    gate.applyTo(rows); // the rows the approval gate refuses never reach the executor
    if (onPrem.source == OnPremSettings::Source::Ldap && Executor::hasOnPremChanges(rows))
        settings.ldap = ldapConfigFor(onPrem); // the Execute page's write bind
    if (onPrem.source == OnPremSettings::Source::File) {
        // No directory to write to: the on-prem rows become a script for the admin.
        QList<Finding> adRows;
        for (qsizetype i = rows.size() - 1; i >= 0; --i)
            if (rows.at(i).isExecutable() && isOnPremAction(rows.at(i).action))
                adRows.prepend(rows.takeAt(i));
        if (!adRows.isEmpty()) {
            AtomicFile script(files.adScript);
            QString error;
            const QByteArray text = adScript(adRows, onPrem.filePath).toUtf8();
            if (!script.open(&error) || script.device()->write(text) != text.size() ||
                !script.commit(&error))
                qWarning("anchorfix: %s: %s", qPrintable(files.adScript), qPrintable(error));
            settings.startMessage +=
                QStringLiteral("; %1 on-prem row(s) not run (the on-prem source is an export "
                               "file): Set-ADUser commands in %2")
                    .arg(adRows.size())
                    .arg(files.adScript);
        }
    }
    const QStringList extra = PermissionPreflight::extraWritePermissions(rows);
    // Cloud write access only for cloud changes: a plan that only writes to AD reads the
    // tenant (each cloud anchor is checked before it is adopted) and writes nothing there.
    const bool writesCloud = Executor::hasCloudChanges(rows);
    return new ServiceRun<Executor>(
        {fingerprintStage,
         [this, extra, writesCloud]() -> Job * {
             return writesCloud ? m_session->requestWriteAccess(extra) : nullptr;
         }},
        [this, rows, settings, gate, fingerprint,
         planRows = plan.rows()](QString *error) mutable -> Executor * {
            CloudWriter *writer = cloudWriter();
            if (!writer)
                return nullptr;
            settings.startMessage.prepend(*fingerprint);
            settings.identity.operatorName = operatorName();
            // Approver, operator and seal of every flagged row, before anything is sent
            // (the same rows as apply's).
            if (!ApprovalAudit::write(settings.auditPath, gate, planRows, settings.identity,
                                      error)) {
                *error = tr("Nothing was changed: %1").arg(*error);
                return nullptr;
            }
            // With the token the run got: rows it may not carry out are not sent.
            const QList<UnpermittedRow> unpermitted =
                PermissionPreflight::check(rows, m_session->permissions());
            if (!unpermitted.isEmpty()) {
                QStringList ids;
                for (const UnpermittedRow &u : unpermitted)
                    ids.append(QString::number(u.rowId));
                settings.startMessage +=
                    QStringLiteral("; left out for lack of permission: rows %1")
                        .arg(ids.join(QLatin1String(", ")));
            }
            return new Executor(PermissionPreflight::withoutRows(rows, unpermitted), settings,
                                writer);
        },
        this);
}

RunPreview AppWizardServices::previewRun(const Plan &plan) const
{
    RunPreview preview;
    preview.tenant = m_session->tenant().describe();
    preview.account = m_session->operatorName();
    GrantedPermissions granted = m_session->permissions();
    // A delegated session asks for User.ReadWrite.All right before sending (execute()):
    // judge the plan by what it will hold then.
    if (granted.known && !granted.appOnly &&
        !granted.has(QLatin1String(GraphPermission::UserWrite)))
        granted.scopes.append(QLatin1String(GraphPermission::UserWrite));
    // … and the extra write permissions the plan's rows ask for with it.
    if (granted.known && !granted.appOnly)
        for (const QString &p : PermissionPreflight::extraWritePermissions(plan.rows()))
            if (!granted.has(p))
                granted.scopes.append(p);
    const QList<UnpermittedRow> unpermitted = PermissionPreflight::check(plan.rows(), granted);
    preview.unpermitted = PermissionPreflight::describe(unpermitted);
    for (const UnpermittedRow &u : unpermitted)
        preview.unpermittedRowIds.append(u.rowId);
    return preview;
}

ExecutionRun *AppWizardServices::rollback(const RunFiles &files, const OnPremSettings &onPrem)
{
    RollbackSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName();
    const TenantFacts tenant = m_session->tenant();
    settings.identity.tenantId = tenant.id;
    settings.identity.graphUrl = m_session->config().graphUrl.toString(QUrl::StripTrailingSlash);
    settings.rollbackPath = files.rollbackCsv;
    settings.auditPath = files.auditCsv;
    settings.federatedDomains = tenant.federatedDomains;
    settings.initialDomain = tenant.initialDomain;
    if (onPrem.source == OnPremSettings::Source::Ldap)
        settings.ldap = ldapConfigFor(onPrem); // used only when the journal has on-prem rows
    return new ServiceRun<RollbackJob>(
        {[this] {
            return requestWriteAccess();
        }},
        [this, settings](QString *error) mutable -> RollbackJob * {
            CloudWriter *writer = cloudWriter();
            if (!writer)
                return nullptr;
            // As `anchorfix rollback`: without the federated domains a UPN switch could
            // not be undone right.
            if (!m_session->hasTenantDomains()) {
                *error = tr("Nothing was changed: %1 Sign in again, then roll back.")
                             .arg(m_session->tenantDomainsProblem());
                return nullptr;
            }
            settings.identity.operatorName = operatorName();
            return new RollbackJob(settings, writer);
        },
        this);
}

Job *AppWizardServices::savePlan(const Plan &plan, const QString &path)
{
    return new SavePlanJob(plan, path, this);
}

ValueJob<Plan> *AppWizardServices::loadPlan(const QString &path)
{
    return new LoadPlanJob(path, this); // a ThreadJob<Plan>: the page's job as it is
}

ValueJob<Approvals> *AppWizardServices::sealApproval(const CloudSettings &settings,
                                                     const Plan &plan,
                                                     const QList<ApprovalDecision> &decisions,
                                                     const QString &planPath,
                                                     const QString &approver)
{
    GraphConfig config = graphConfigFor(settings);
    config.phrasing = GraphConfig::Phrasing::Wizard;
    config.signInMethod = SignInMethod::BrowserPkce; // only the browser flow can seal
    return new ForwardingJob<Approvals>(
        [=, this]() -> Job * {
            auto *job = new SealApprovalJob(config, plan.tenantId(), plan.rows(), decisions,
                                            RunFiles::approvalsFor(planPath), approver);
            connect(job, &SealApprovalJob::browserSignInRequested, this, [this](const QUrl &url) {
                if (!m_practice) {
                    Q_EMIT browserSignInRequested(url);
                    return;
                }
                // The demo's practice tenant signs the login_hint user in at once: its
                // "browser page" is a redirect, followed here.
                auto *browser = new QNetworkAccessManager(this);
                QNetworkReply *reply = browser->get(QNetworkRequest(url));
                connect(reply, &QNetworkReply::finished, browser, &QObject::deleteLater);
            });
            return job;
        },
        [](Job *j) { return static_cast<SealApprovalJob *>(j)->approvals(); }, this);
}

ValueJob<ResultCheck> *AppWizardServices::checkResults(const QString &auditPath)
{
    VerifySettings settings;
    settings.auditPath = auditPath;
    return new ForwardingJob<ResultCheck>(
        [this, settings]() mutable -> Job * {
            // A check is a run of its own in the audit trail, by whoever is signed in now.
            settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            settings.identity.operatorName = operatorName();
            settings.identity.tenantId = m_session->tenant().id;
            settings.identity.graphUrl =
                m_session->config().graphUrl.toString(QUrl::StripTrailingSlash);
            return new VerifyJob(m_session->client(), settings);
        },
        [auditPath](Job *j) {
            auto *verify = static_cast<VerifyJob *>(j);
            ResultCheck check;
            check.auditPath = auditPath;
            check.tenantLastSync = verify->tenantLastSync();
            for (const VerifyOutcome &o : verify->outcomes())
                check.changes.append(
                    {o.change.cloudUpn.isEmpty() ? o.change.cloudId : o.change.cloudUpn,
                     o.change.action, auditResultFor(o.result), o.message});
            return check;
        },
        this);
}

bool AppWizardServices::canSimulateSync() const
{
    return m_demo && m_practice;
}

// The demo's sync cycle: the demo directory's users with the anchor Entra Connect would
// take from them (the demo's anchor rule), posted to the practice tenant's
// /_practice/sync, which joins the users whose anchor now matches and raises
// provisioning errors for the conflicts. Nothing of it exists against a real tenant.
class DemoSyncRun : public Job
{
public:
    DemoSyncRun(OnPremSettings onPrem, QUrl syncUrl, QObject *parent)
        : Job(parent), m_onPrem(std::move(onPrem)), m_syncUrl(std::move(syncUrl))
    {}

protected:
    void doStart() override
    {
        auto *file = new OnPremFileJob(m_onPrem.filePath, this);
        connect(file, &Job::finished, this, [this, file] {
            if (file->error() != NoError) {
                fail(UserDefinedError, file->errorString());
                emitResult();
                return;
            }
            QJsonArray users;
            for (const OnPremUser &u : file->users())
                users.append(QJsonObject{{QStringLiteral("anchor"), u.anchor(m_onPrem.anchorRule)},
                                         {QStringLiteral("userPrincipalName"), u.upn}});
            // The cycle runs now, to the whole second as Graph reports sync times: rounded
            // up, so a change made in this same second counts as before it.
            const QDateTime now = QDateTime::currentDateTimeUtc();
            const QDateTime at = now.addMSecs(1000 - now.time().msec());
            post(QJsonDocument(QJsonObject{{QStringLiteral("users"), users},
                                           {QStringLiteral("at"), at.toString(Qt::ISODate)}})
                     .toJson());
        });
        file->start();
    }

private:
    void post(const QByteArray &body)
    {
        auto *network = new QNetworkAccessManager(this);
        QNetworkRequest request(m_syncUrl);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = network->post(request, body);
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
            if (reply->error() != QNetworkReply::NoError) {
                fail(UserDefinedError, tr("The practice tenant did not run the sync cycle: %1")
                                           .arg(reply->errorString()));
            } else {
                Q_EMIT infoMessage(
                    tr("Simulated sync cycle at %1: %2 user(s) joined, %3 with a sync error.")
                        .arg(answer.value(QLatin1String("at")).toString())
                        .arg(answer.value(QLatin1String("joined")).toArray().size())
                        .arg(answer.value(QLatin1String("conflicts")).toArray().size()));
            }
            emitResult();
        });
    }

    OnPremSettings m_onPrem;
    QUrl m_syncUrl;
};

Job *AppWizardServices::simulateSync()
{
    if (!canSimulateSync())
        return nullptr;
    return new DemoSyncRun(m_demo->onPremSettings(),
                           QUrl(m_practice->baseUrl() + QStringLiteral("/_practice/sync")), this);
}

ValueJob<QString> *AppWizardServices::readSecret(const SecretRef &secret)
{
    return new ForwardingJob<QString>(
        [this, secret]() -> Job * {
            return secret.kind == SecretRef::Kind::LdapPassword
                       ? m_store->readLdapPassword(secret.server, secret.account)
                       : m_store->readClientSecret(secret.server, secret.account);
        },
        [](Job *j) { return static_cast<CredentialJob *>(j)->secret(); }, this);
}

ValueJob<QString> *AppWizardServices::writeSecret(const SecretRef &ref, const QString &secret)
{
    const QString key = ref.kind == SecretRef::Kind::LdapPassword
                            ? CredentialStore::ldapPasswordKey(ref.server, ref.account)
                            : CredentialStore::clientSecretKey(ref.server, ref.account);
    return new ForwardingJob<QString>(
        [this, key, secret]() -> Job * { return m_store->write(key, secret); },
        [](Job *j) { return static_cast<CredentialJob *>(j)->note(); }, this);
}

QString AppWizardServices::operatorName() const
{
    return m_session->operatorName();
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
