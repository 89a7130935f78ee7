#include "executor.h"

#include "changebatchjob.h"
#include "onprembatchjob.h"
#include "runfiles.h"

#include <QCoreApplication>

#include <algorithm>

Executor::Executor(QList<Finding> rows, ExecutorSettings settings, CloudWriter *writer,
                   QObject *parent)
    : Job(parent), m_rows(std::move(rows)), m_settings(std::move(settings))
{
    m_context.identity = m_settings.identity;
    m_context.journal = &m_journal;
    m_context.audit = &m_audit;
    m_context.writer = writer;
    m_context.recheckRows = true;
    m_context.federatedDomains = m_settings.federatedDomains;
    if (m_settings.ldap)
        m_context.ldap = &*m_settings.ldap;
    if (writer)
        connect(writer, &CloudWriter::waitStarted, this, &Executor::onWaitStarted);
}

Executor::Executor(QList<ChangeUnit> units, ExecutorSettings settings, CloudWriter *writer,
                   QObject *parent)
    : Executor(QList<Finding>(), std::move(settings), writer, parent)
{
    m_units = std::move(units);
    m_unitsGiven = true;
    m_context.recheckRows = false;
}

Executor::~Executor() = default;

int Executor::changeCount(const QList<Finding> &rows)
{
    int n = 0;
    for (const Finding &row : rows)
        n += row.isExecutable() ? 1 : 0;
    return n;
}

bool Executor::hasOnPremChanges(const QList<Finding> &rows)
{
    return std::any_of(rows.cbegin(), rows.cend(), [](const Finding &row) {
        return row.isExecutable() && isOnPremAction(row.action);
    });
}

bool Executor::hasCloudChanges(const QList<Finding> &rows)
{
    return std::any_of(rows.cbegin(), rows.cend(), [](const Finding &row) {
        return row.isExecutable() && !isOnPremAction(row.action);
    });
}

QString Executor::tenantRefusal(const QString &planTenant, const QString &signedInTenant)
{
    if (planTenant.isEmpty() || signedInTenant.isEmpty() ||
        planTenant.compare(signedInTenant, Qt::CaseInsensitive) == 0)
        return {};
    return tr("This plan was scanned in tenant %1, but the connection is to tenant %2. Nothing "
              "was changed. Scan tenant %2 for a plan of its own, or connect to tenant %1.")
        .arg(planTenant, signedInTenant);
}

JobProgress Executor::snapshot() const
{
    JobProgress p;
    p.done = m_report.outcomes.size();
    p.total = m_units.size();
    p.currentUser = m_currentUser;
    p.currentRow = m_currentRow;
    p.paused = m_paused;
    // Wall-clock rate: every wait so far (throttling, quota, settling) is in it.
    const double minutes = m_clock.isValid() ? qMax<qint64>(1, m_clock.elapsed()) / 60000.0 : 0;
    if (p.done > 0 && minutes > 0) {
        p.perMinute = p.done / minutes;
        p.secondsLeft = qint64((p.total - p.done) / p.perMinute * 60.0 + 0.5);
    }
    if (!m_waitReason.isEmpty() && m_clock.isValid()) {
        const qint64 left = m_waitUntilMs < 0 ? -1 : m_waitUntilMs - m_clock.elapsed();
        if (m_waitUntilMs < 0 || left > 0) {
            p.waitReason = m_waitReason;
            p.waitSecondsLeft = left < 0 ? -1 : (left + 999) / 1000;
            p.secondsLeft = qMax(p.secondsLeft, p.waitSecondsLeft);
        }
    }
    if (p.total > 0 && p.done == p.total)
        p.secondsLeft = 0;
    return p;
}

void Executor::pause()
{
    if (m_paused || isFinished())
        return;
    m_paused = true;
    Q_EMIT pausedChanged(true);
    Q_EMIT infoMessage(tr("Pausing after the changes in flight…"));
    publishProgress(m_currentUser);
}

void Executor::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    Q_EMIT pausedChanged(false);
    publishProgress(m_currentUser);
    if (isStarted() && !isFinished() && m_journalOpen)
        startNextBatch();
}

void Executor::doStart()
{
    if (const QString refusal =
            tenantRefusal(m_settings.planTenantId, m_settings.identity.tenantId);
        !refusal.isEmpty()) {
        stopWith(InvalidPlan, refusal);
        return;
    }
    QStringList problems;
    if (!m_unitsGiven)
        m_units = ChangeUnit::fromRows(m_rows, m_settings.initialDomain, &problems);
    m_report.total = m_units.size();
    const int count = m_unitsGiven ? int(m_units.size()) : changeCount(m_rows);
    if (count > m_settings.maxChanges) {
        stopWith(TooManyChanges,
                 tr("The plan asks for %1 changes, more than the limit of %2. Nothing was "
                    "changed. Check the plan, then raise the limit explicitly "
                    "(--max-changes %1) if it is right.")
                     .arg(count)
                     .arg(m_settings.maxChanges));
        return;
    }
    if (!problems.isEmpty()) {
        stopWith(InvalidPlan, tr("Nothing was changed; fix these plan rows first: %1")
                                  .arg(problems.join(QStringLiteral("; "))));
        return;
    }
    if (!m_context.writer) {
        stopWith(InvalidPlan, tr("No connection to the tenant."));
        return;
    }
    const auto onPremUnits = std::count_if(m_units.cbegin(), m_units.cend(),
                                           [](const ChangeUnit &u) { return u.isOnPrem(); });
    if (onPremUnits > 0 && !m_context.ldap) {
        stopWith(InvalidPlan,
                 tr("Nothing was changed: %n row(s) write mS-DS-ConsistencyGuid in AD "
                    "(adopt_cloud_anchor), which needs an LDAP bind that may write it. Give "
                    "--ldap-uri, --bind-dn and --base-dn (the password from "
                    "ANCHORFIX_LDAP_PASSWORD or the keychain), or set those rows to none.",
                    nullptr, int(onPremUnits)));
        return;
    }
    QString error;
    m_audit.setRollbackRun(m_settings.appendToJournal); // a rollback records `rolled_back`
    if (!m_audit.open(m_settings.auditPath, &error) ||
        !(m_settings.appendToJournal ? m_journal.openForUndo(m_settings.rollbackPath, &error)
                                     : m_journal.create(m_settings.rollbackPath, &error))) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    m_journalOpen = true;
    AuditRecord started;
    started.runId = m_settings.identity.runId;
    started.operatorName = m_settings.identity.operatorName;
    started.tenantId = m_settings.identity.tenantId;
    started.action = AuditAction::Run;
    started.result = AuditResult::Started;
    started.message = tr("%1 changes planned").arg(m_units.size());
    if (!m_settings.startMessage.isEmpty())
        started.message += QStringLiteral("; ") + m_settings.startMessage;
    if (m_settings.writeRunRows && !m_audit.append(started, &error)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    m_clock.start();
    startNextBatch(); // reports the first progress, with the first user
}

void Executor::doCancel()
{
    // The batches in flight decide what is still safe to skip; we stop after them.
    if (m_batches.isEmpty()) {
        if (m_journalOpen)
            finishRun();
        else
            Job::doCancel();
        return;
    }
    for (const QPointer<Job> &batch : std::as_const(m_batches))
        if (batch)
            batch->cancel();
}

namespace {

bool overlappable(const QList<ChangeUnit> &units)
{
    return std::all_of(units.cbegin(), units.cend(), [](const ChangeUnit &u) {
        return u.kind == ChangeUnit::Kind::Stamp || u.kind == ChangeUnit::Kind::FederatedStamp;
    });
}

} // namespace

void Executor::startNextBatch()
{
    if (isFinished())
        return;
    const bool stopping = isCancelRequested() || !m_fatalError.isEmpty();
    if (stopping || m_next >= m_units.size()) {
        if (m_batches.isEmpty()) {
            if (!m_fatalError.isEmpty()) {
                m_journal.close();
                m_audit.close();
                stopWith(FileError, m_fatalError);
            } else {
                finishRun();
            }
        }
        return;
    }
    const int size = qMax(1, qMin(m_settings.batchSize, m_context.writer->maxBatchSize()));
    while (!m_paused && m_next < m_units.size() &&
           m_batches.size() < qMax(1, m_settings.concurrentBatches)) {
        // A batch is all cloud or all on-prem (they run through different writers).
        QList<ChangeUnit> units;
        const bool onPrem = m_units.at(m_next).isOnPrem();
        for (qsizetype i = m_next; i < m_units.size() && units.size() < size; ++i) {
            if (m_units.at(i).isOnPrem() != onPrem)
                break;
            units.append(m_units.at(i));
        }
        const bool canOverlap = overlappable(units);
        if (!m_batches.isEmpty() && !(canOverlap && m_inFlightOverlappable))
            return; // wait for the batches in flight
        m_inFlightOverlappable =
            m_batches.isEmpty() ? canOverlap : (m_inFlightOverlappable && canOverlap);
        m_next += units.size();
        Job *batch = onPrem ? static_cast<Job *>(new OnPremBatchJob(units, &m_context, this))
                            : new ChangeBatchJob(units, &m_context, this);
        m_batches.append(batch);
        connect(batch, &Job::finished, this, &Executor::onBatchFinished);
        m_currentRow = units.first().row.rowId;
        publishProgress(units.first().user());
        batch->start();
    }
}

void Executor::onBatchFinished(Job *job)
{
    m_batches.removeAll(job);
    m_batches.removeAll(nullptr);
    QList<ChangeOutcome> outcomes;
    if (auto *cloud = qobject_cast<ChangeBatchJob *>(job)) {
        outcomes = cloud->outcomes();
        m_undoSteps = cloud->undoSteps() + m_undoSteps;
    } else if (auto *onPrem = qobject_cast<OnPremBatchJob *>(job)) {
        outcomes = onPrem->outcomes();
        m_undoSteps = onPrem->undoSteps() + m_undoSteps;
    }
    m_report.outcomes += outcomes;
    const Job *batch = job;
    for (const ChangeOutcome &o : outcomes)
        Q_EMIT outcomeSettled(o);
    m_waitReason.clear(); // what the batch waited for is over
    publishProgress(QString());
    if (batch->error() != NoError && m_fatalError.isEmpty()) {
        // The journal or the audit cannot be written: no further change is safe.
        m_fatalError = batch->errorString();
    }
    startNextBatch();
}

void Executor::finishRun()
{
    QString error;
    bool ok = m_journal.compact(&error);
    if (ok && m_settings.writeScript) {
        const QString script =
            RollbackScript::render(m_settings.identity.graphUrl, m_settings.identity.tenantId,
                                   m_settings.identity.runId, m_undoSteps);
        ok = RollbackScript::write(RunFiles::rollbackScriptFor(m_settings.rollbackPath), script,
                                   &error);
    }
    AuditRecord finished;
    finished.runId = m_settings.identity.runId;
    finished.operatorName = m_settings.identity.operatorName;
    finished.tenantId = m_settings.identity.tenantId;
    finished.action = AuditAction::Run;
    finished.result = AuditResult::Finished;
    finished.message = tr("%1 applied, %2 failed, %3 stale, %4 skipped, %5 not verified")
                           .arg(m_report.count(ChangeStatus::Applied))
                           .arg(m_report.count(ChangeStatus::Failed))
                           .arg(m_report.count(ChangeStatus::Stale))
                           .arg(m_report.count(ChangeStatus::Skipped))
                           .arg(m_report.mismatches());
    if (const int unknown = m_report.count(ChangeStatus::Unknown))
        finished.message += tr("; %1 outcome unknown (kept pending)").arg(unknown);
    const qsizetype notStarted = m_units.size() - m_report.outcomes.size();
    if (isCancelRequested())
        finished.message += tr("; cancelled, %1 changes not started").arg(notStarted);
    if (!ok)
        finished.message += u"; " + error;
    QString auditError;
    if (m_settings.writeRunRows && !m_audit.append(finished, &auditError) && ok) {
        ok = false;
        error = auditError;
    }
    m_audit.close();
    m_journalOpen = false;
    if (isCancelRequested()) {
        stopWith(Cancelled, tr("Cancelled after %1 of %2 changes; the rest were not started.")
                                .arg(m_report.outcomes.size())
                                .arg(m_units.size()));
        return;
    }
    if (!ok) {
        stopWith(FileError, error);
        return;
    }
    emitResult();
}

void Executor::stopWith(int error, const QString &text)
{
    fail(error, text);
    emitResult();
}

void Executor::onWaitStarted(const QString &reason, qint64 delayMs)
{
    if (!isStarted() || isFinished() || !m_clock.isValid())
        return;
    m_waitReason = reason;
    m_waitUntilMs = delayMs > 0 ? m_clock.elapsed() + delayMs : -1;
    publishProgress(QString());
}

void Executor::publishProgress(const QString &currentUser)
{
    if (!currentUser.isNull())
        m_currentUser = currentUser;
    const JobProgress p = snapshot();
    setProgress(p);
    Q_EMIT infoMessage(p.toText());
}
