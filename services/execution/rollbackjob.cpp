#include "rollbackjob.h"

#include <QDateTime>

#include <algorithm>
#include <climits>

namespace {

QString domainOf(const QString &upn)
{
    const qsizetype at = upn.lastIndexOf(u'@');
    return at < 0 ? QString() : upn.mid(at + 1);
}

QString localPartOf(const QString &upn)
{
    const qsizetype at = upn.lastIndexOf(u'@');
    return at < 0 ? upn : upn.left(at);
}

bool isPurgeRow(const RollbackEntry &e)
{
    return e.cloudUpn.isEmpty() && e.newImmutableId.isEmpty();
}

} // namespace

RollbackJob::RollbackJob(RollbackSettings settings, CloudWriter *writer, QObject *parent)
    : Job(parent), m_settings(std::move(settings)), m_writer(writer)
{}

void RollbackJob::doStart()
{
    QString error;
    if (!RollbackJournal::read(m_settings.rollbackPath, &m_entries, &error, &m_warning)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    std::reverse(m_entries.begin(), m_entries.end());
    if (!m_audit.open(m_settings.auditPath, &error)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    AuditRecord started;
    started.runId = m_settings.identity.runId;
    started.operatorName = m_settings.identity.operatorName;
    started.tenantId = m_settings.identity.tenantId;
    started.action = QStringLiteral("run");
    started.result = QStringLiteral("started");
    started.message =
        tr("rollback of %1: %2 rows").arg(m_settings.rollbackPath).arg(m_entries.size());
    if (!m_warning.isEmpty())
        started.message += QStringLiteral("; ") + m_warning;
    if (!m_audit.append(started, &error)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    setProgress(0, m_entries.size());
    readNext();
}

void RollbackJob::doCancel()
{
    if (m_executor)
        m_executor->cancel();
    else if (m_current.size() < m_entries.size())
        stopWith(Cancelled, tr("Cancelled before any change was made."));
    // else: the UPN restores in flight finish first; the executor is not started.
}

void RollbackJob::readNext()
{
    if (m_current.size() >= m_entries.size()) {
        restoreUpns();
        return;
    }
    const qsizetype from = m_current.size();
    const int size = qMax(1, qMin(m_settings.batchSize, m_writer->maxBatchSize()));
    QList<CloudOperation> ops;
    for (qsizetype i = from; i < m_entries.size() && ops.size() < size; ++i)
        ops.append({CloudOperation::Kind::ReadUser, m_entries.at(i).cloudId, {}});
    const qsizetype count = ops.size();
    m_writer->execute(ops, this, [this, count](const QList<CloudOperationResult> &results) {
        for (qsizetype k = 0; k < count; ++k)
            m_current.append(k < results.size() ? results.at(k) : CloudOperationResult{});
        if (isCancelRequested()) {
            stopWith(Cancelled, tr("Cancelled before any change was made."));
            return;
        }
        readNext();
    });
}

void RollbackJob::restoreUpns()
{
    QList<RollbackEntry> pending;
    QList<CloudOperation> ops;
    QList<qsizetype> owners;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const RollbackEntry &e = m_entries.at(i);
        const CloudOperationResult &cur = m_current.at(i);
        if (isPurgeRow(e) || !cur.ok || e.cloudUpn.isEmpty() ||
            cur.upn.compare(e.cloudUpn, Qt::CaseInsensitive) == 0)
            continue;
        // Only a UPN that is our temporary switch goes back: same local part at the
        // initial domain. Any other rename was someone's decision.
        if (localPartOf(cur.upn).compare(localPartOf(e.cloudUpn), Qt::CaseInsensitive) != 0 ||
            domainOf(cur.upn).compare(m_settings.initialDomain, Qt::CaseInsensitive) != 0)
            continue;
        pending.append({e.cloudId, e.cloudUpn, cur.immutableId, cur.immutableId, QDateTime(),
                        RollbackStatus::Pending});
        ops.append({CloudOperation::Kind::SetUpn, e.cloudId, e.cloudUpn});
        owners.append(i);
    }
    if (ops.isEmpty()) {
        runUndo();
        return;
    }
    QString error;
    if (!m_journal.openForAppend(m_settings.rollbackPath, &error) ||
        !m_journal.append(pending, &error)) {
        stopWith(FileError, tr("Nothing was changed: the rollback journal could not be "
                               "written. %1")
                                .arg(error));
        return;
    }
    m_writer->execute(ops, this, [this, owners, pending](const QList<CloudOperationResult> &rs) {
        QList<RollbackEntry> done;
        QList<AuditRecord> records;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (qsizetype k = 0; k < owners.size(); ++k) {
            const CloudOperationResult r = k < rs.size() ? rs.at(k) : CloudOperationResult{};
            CloudOperationResult &cur = m_current[owners.at(k)];
            RollbackEntry e = pending.at(k);
            e.appliedAtUtc = now;
            e.status = r.ok ? RollbackStatus::Applied : RollbackStatus::Failed;
            done.append(e);
            AuditRecord a;
            a.runId = m_settings.identity.runId;
            a.operatorName = m_settings.identity.operatorName;
            a.tenantId = m_settings.identity.tenantId;
            a.rowId = QString::number(owners.at(k) + 1);
            a.cloudId = e.cloudId;
            a.cloudUpn = e.cloudUpn;
            a.action = QStringLiteral("upn_restore");
            a.oldImmutableId = cur.immutableId;
            a.newImmutableId = cur.immutableId;
            a.result = r.ok ? QStringLiteral("applied") : QStringLiteral("failed");
            a.httpStatus = r.httpStatus;
            a.requestId = r.requestId;
            a.message = tr("UPN %1 → %2").arg(cur.upn, e.cloudUpn);
            if (!r.ok)
                a.message += QStringLiteral(" ") + r.code + QStringLiteral(" ") + r.message;
            records.append(a);
            if (r.ok) {
                cur.upn = e.cloudUpn;
            } else {
                ChangeOutcome o;
                o.rowId = owners.at(k) + 1;
                o.cloudId = e.cloudId;
                o.cloudUpn = e.cloudUpn;
                o.status = ChangeStatus::Failed;
                o.httpStatus = r.httpStatus;
                o.requestId = r.requestId;
                o.errorString = tr("Could not put the UPN back to %1: %2 %3")
                                    .arg(e.cloudUpn, r.code, r.message);
                m_report.outcomes.append(o);
            }
        }
        QString error;
        if (!m_journal.append(done, &error) || !m_journal.compact(&error) ||
            !m_audit.append(records, &error)) {
            stopWith(FileError, tr("Stopped: %1").arg(error));
            return;
        }
        runUndo();
    });
}

void RollbackJob::runUndo()
{
    QList<ChangeUnit> units;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const RollbackEntry &e = m_entries.at(i);
        const CloudOperationResult &cur = m_current.at(i);
        const int rowId = int(i + 1);
        if (isPurgeRow(e)) {
            auditSkipped(e, tr("A purged recycle-bin user cannot be restored; this change "
                               "cannot be undone."));
            continue;
        }
        if (!cur.ok && cur.httpStatus == 404) {
            auditSkipped(e, tr("The user no longer exists."), cur);
            continue;
        }
        if (!cur.ok) {
            ChangeOutcome o;
            o.rowId = rowId;
            o.cloudId = e.cloudId;
            o.cloudUpn = e.cloudUpn;
            o.httpStatus = cur.httpStatus;
            o.requestId = cur.requestId;
            o.errorString = tr("Could not read the user: %1 %2").arg(cur.code, cur.message);
            m_report.outcomes.append(o);
            continue;
        }
        if (cur.upn.compare(e.cloudUpn, Qt::CaseInsensitive) != 0 &&
            cur.immutableId == e.newImmutableId && e.newImmutableId != e.oldImmutableId) {
            // Renamed by someone else since: the anchor undo would hit a changed user.
            auditSkipped(e, tr("The UPN is now %1, not %2; skipped.").arg(cur.upn, e.cloudUpn),
                         cur);
            continue;
        }
        if (cur.immutableId == e.oldImmutableId) {
            auditSkipped(e, tr("Already at the value before the run; nothing to undo."), cur);
            continue;
        }
        if (cur.immutableId != e.newImmutableId) {
            auditSkipped(e,
                         tr("onPremisesImmutableId is now \"%1\", not the \"%2\" Anchorfix "
                            "wrote: someone changed it since, so it is left alone.")
                             .arg(cur.immutableId, e.newImmutableId),
                         cur);
            continue;
        }
        ChangeUnit unit;
        unit.row.rowId = rowId;
        unit.row.cloudId = e.cloudId;
        unit.row.cloudUpn = e.cloudUpn;
        unit.row.cloudImmutableId = e.newImmutableId;
        unit.row.expectedImmutableId = e.oldImmutableId;
        unit.row.action = e.oldImmutableId.isEmpty() ? Action::Clear : Action::Stamp;
        unit.newImmutableId = e.oldImmutableId;
        const QString domain = domainOf(e.cloudUpn);
        const bool federated = std::any_of(
            m_settings.federatedDomains.cbegin(), m_settings.federatedDomains.cend(),
            [&](const QString &d) { return d.compare(domain, Qt::CaseInsensitive) == 0; });
        if (federated && !m_settings.initialDomain.isEmpty()) {
            unit.kind = ChangeUnit::Kind::FederatedStamp;
            unit.row.category = Category::FederatedDomain;
            unit.temporaryUpn = localPartOf(e.cloudUpn) + u'@' + m_settings.initialDomain;
        } else {
            unit.kind =
                e.oldImmutableId.isEmpty() ? ChangeUnit::Kind::Clear : ChangeUnit::Kind::Stamp;
            unit.row.category = Category::AnchorMismatch;
        }
        units.append(unit);
    }
    m_journal.close();
    if (units.isEmpty() || isCancelRequested()) {
        if (isCancelRequested() && !units.isEmpty())
            fail(Cancelled,
                 tr("Cancelled: %n change(s) were not undone.", nullptr, int(units.size())));
        onExecutorFinished(nullptr);
        return;
    }
    ExecutorSettings s;
    s.identity = m_settings.identity;
    s.rollbackPath = m_settings.rollbackPath;
    s.auditPath = m_settings.auditPath;
    s.initialDomain = m_settings.initialDomain;
    s.maxChanges = INT_MAX;
    s.batchSize = m_settings.batchSize;
    s.appendToJournal = true;
    s.writeScript = false;
    s.writeRunRows = false;
    m_audit.close(); // the executor appends to the same file
    auto *executor = new Executor(units, s, m_writer, this);
    m_executor = executor;
    connect(executor, &Job::finished, this, &RollbackJob::onExecutorFinished);
    connect(executor, &Executor::progressUpdated, this, &RollbackJob::progressUpdated);
    connect(executor, &Job::infoMessage, this, &Job::infoMessage);
    executor->start();
}

void RollbackJob::onExecutorFinished(Job *job)
{
    int error = this->error(); // Cancelled when the undo was not started
    QString errorText = errorString();
    if (auto *executor = qobject_cast<Executor *>(job)) {
        m_report.outcomes += executor->report().outcomes;
        error = executor->error();
        errorText = executor->errorString();
        m_executor = nullptr;
    }
    m_report.total = int(m_entries.size());
    QString fileError;
    if (!m_audit.isOpen() && !m_audit.open(m_settings.auditPath, &fileError)) {
        stopWith(FileError, fileError);
        return;
    }
    AuditRecord finished;
    finished.runId = m_settings.identity.runId;
    finished.operatorName = m_settings.identity.operatorName;
    finished.tenantId = m_settings.identity.tenantId;
    finished.action = QStringLiteral("run");
    finished.result = QStringLiteral("finished");
    finished.message =
        tr("rollback: %1 undone, %2 failed, %3 skipped")
            .arg(m_report.count(ChangeStatus::Applied))
            .arg(m_report.count(ChangeStatus::Failed) + m_report.count(ChangeStatus::Stale))
            .arg(m_report.count(ChangeStatus::Skipped));
    if (error != NoError)
        finished.message += QStringLiteral("; ") + errorText;
    if (!m_audit.append(finished, &fileError) && error == NoError) {
        error = FileError;
        errorText = fileError;
    }
    m_audit.close();
    setProgress(m_entries.size(), m_entries.size());
    if (error != NoError)
        fail(error == Executor::FileError ? int(FileError) : error, errorText);
    emitResult();
}

void RollbackJob::stopWith(int error, const QString &text)
{
    m_journal.close();
    m_audit.close();
    fail(error, text);
    emitResult();
}

void RollbackJob::auditSkipped(const RollbackEntry &e, const QString &message,
                               const CloudOperationResult &read)
{
    ChangeOutcome o;
    o.rowId = int(m_entries.indexOf(e) + 1);
    o.cloudId = e.cloudId;
    o.cloudUpn = e.cloudUpn;
    o.status = ChangeStatus::Skipped;
    o.errorString = message;
    o.httpStatus = read.httpStatus;
    o.requestId = read.requestId;
    m_report.outcomes.append(o);
    AuditRecord a;
    a.runId = m_settings.identity.runId;
    a.operatorName = m_settings.identity.operatorName;
    a.tenantId = m_settings.identity.tenantId;
    a.rowId = QString::number(o.rowId);
    a.cloudId = e.cloudId;
    a.cloudUpn = e.cloudUpn;
    a.action = isPurgeRow(e) ? QStringLiteral("purge_deleted")
                             : (e.oldImmutableId.isEmpty() ? QStringLiteral("clear")
                                                           : QStringLiteral("stamp"));
    a.oldImmutableId = e.newImmutableId;
    a.newImmutableId = e.oldImmutableId;
    a.result = QStringLiteral("skipped");
    a.httpStatus = read.httpStatus;
    a.requestId = read.requestId;
    a.message = message;
    QString error;
    m_audit.append(a, &error); // a failure here shows up at the next append
}
