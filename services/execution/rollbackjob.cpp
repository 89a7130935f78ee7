#include "rollbackjob.h"

#include "immutableid.h"
#include "ldapanchorreadjob.h"
#include "ldapanchorwritejob.h"
#include "recheck.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>
#include <climits>

namespace {

bool isPurgeRow(const RollbackEntry &e)
{
    return !e.onPrem && e.cloudUpn.isEmpty() && e.newImmutableId.isEmpty() &&
           !e.isObjectIdentifierClear();
}

// Changes no rollback can undo: they are reported, never sent again or reversed.
bool isIrreversibleRow(const RollbackEntry &e)
{
    return isPurgeRow(e) || e.isObjectIdentifierClear();
}

// Rows a rollback still has to look at. `failed` ones too: a journal of the first version
// could say `failed` for a write whose answer was lost but which landed; the read decides.
bool needsRollback(const RollbackEntry &e)
{
    switch (e.status) {
    case RollbackStatus::Pending:
    case RollbackStatus::Applied:
    case RollbackStatus::Failed:
    case RollbackStatus::RollbackFailed:
        return !isIrreversibleRow(e);
    case RollbackStatus::RolledBack:
        return false;
    }
    return false;
}

RollbackState stateOf(const QList<RollbackEntry> &entries)
{
    RollbackState s;
    for (const RollbackEntry &e : entries) {
        if (isPurgeRow(e))
            s.purges += e.status == RollbackStatus::Applied ? 1 : 0;
        else if (e.isObjectIdentifierClear())
            s.identifierClears += e.status == RollbackStatus::Applied ? 1 : 0;
        else if (e.status == RollbackStatus::RolledBack)
            ++s.rolledBack;
        else if (needsRollback(e)) {
            ++s.toUndo;
            s.onPremToUndo += e.onPrem ? 1 : 0;
        }
    }
    return s;
}

} // namespace

QString RollbackState::doneText() const
{
    QString text =
        rolledBack > 0
            ? QCoreApplication::translate("RollbackJob",
                                          "This run is already rolled back (%n change(s)); "
                                          "nothing was sent.",
                                          nullptr, rolledBack)
            : QCoreApplication::translate("RollbackJob",
                                          "Nothing to undo: no change of this run is in the "
                                          "tenant; nothing was sent.");
    if (purges > 0)
        text += u' ' + QCoreApplication::translate(
                           "RollbackJob", "%n recycle-bin purge(s) of the run cannot be undone.",
                           nullptr, purges);
    if (identifierClears > 0)
        text += u' ' + QCoreApplication::translate(
                           "RollbackJob",
                           "%n cleared onPremisesObjectIdentifier value(s) cannot be written "
                           "back (not reversible).",
                           nullptr, identifierClears);
    return text;
}

RollbackJob::RollbackJob(RollbackSettings settings, CloudWriter *writer, QObject *parent)
    : Job(parent), m_settings(std::move(settings)), m_writer(writer)
{}

bool RollbackJob::inspect(const QString &path, RollbackState *state, QString *error,
                          QString *warning)
{
    QList<RollbackEntry> entries;
    if (!RollbackJournal::read(path, &entries, error, warning))
        return false;
    *state = stateOf(entries);
    return true;
}

void RollbackJob::doStart()
{
    QString error;
    QList<RollbackEntry> all;
    if (!RollbackJournal::read(m_settings.rollbackPath, &all, &error, &m_warning)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    m_state = stateOf(all);
    if (m_state.isDone()) {
        // Rolled back before (or nothing landed): nothing to read, nothing to send.
        m_alreadyDone = true;
        Q_EMIT infoMessage(m_state.doneText());
        emitResult();
        return;
    }
    std::reverse(all.begin(), all.end());
    for (const RollbackEntry &e : std::as_const(all)) {
        if (needsRollback(e) && e.onPrem)
            m_onPrem.append(e);
        else if (needsRollback(e))
            m_entries.append(e);
        else if (isIrreversibleRow(e) && e.status == RollbackStatus::Applied)
            m_purges.append(e);
    }
    if (!m_audit.open(m_settings.auditPath, &error) ||
        !m_journal.openForUndo(m_settings.rollbackPath, &error)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    AuditRecord started;
    started.runId = m_settings.identity.runId;
    started.operatorName = m_settings.identity.operatorName;
    started.tenantId = m_settings.identity.tenantId;
    started.action = AuditAction::Run;
    started.result = AuditResult::Started;
    started.message = tr("rollback of %1: %2 rows to undo, %3 already rolled back")
                          .arg(m_settings.rollbackPath)
                          .arg(m_entries.size() + m_onPrem.size())
                          .arg(m_state.rolledBack);
    if (!m_warning.isEmpty())
        started.message += QStringLiteral("; ") + m_warning;
    if (!m_audit.append(started, &error)) {
        stopWith(FileError, tr("Nothing was changed. %1").arg(error));
        return;
    }
    if (m_onPrem.isEmpty())
        readNext();
    else
        undoOnPrem();
}

namespace {

QString base64(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QString() : ImmutableId::base64Of(bytes);
}

QByteArray bytesOf(const QString &base64Value)
{
    return QByteArray::fromBase64(base64Value.toLatin1());
}

} // namespace

void RollbackJob::undoOnPrem()
{
    if (!m_settings.ldap) {
        for (const RollbackEntry &e : std::as_const(m_onPrem))
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Failed,
                   tr("mS-DS-ConsistencyGuid of %1 can only be restored over LDAP: give "
                      "--ldap-uri, --bind-dn and --base-dn (the password from "
                      "ANCHORFIX_LDAP_PASSWORD or the keychain).")
                       .arg(e.onPremDn));
        afterOnPrem();
        return;
    }
    QList<LdapAnchorChange> reads;
    for (const RollbackEntry &e : std::as_const(m_onPrem))
        reads.append({e.onPremDn, {}, {}, {}});
    m_onPremBusy = true;
    auto *job = new LdapAnchorReadJob(*m_settings.ldap, reads, this);
    connect(job, &Job::finished, this, [this, job] {
        onOnPremRead(job->states(), job->error() ? job->errorString() : QString());
    });
    job->start();
}

void RollbackJob::onOnPremRead(const QList<LdapAnchorState> &states, const QString &readError)
{
    QList<LdapAnchorChange> changes;
    QList<int> owners;
    for (int i = 0; i < m_onPrem.size(); ++i) {
        const RollbackEntry &e = m_onPrem.at(i);
        if (i >= states.size()) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Failed,
                   tr("Could not read %1: %2").arg(e.onPremDn, readError));
            continue;
        }
        const LdapAnchorState &now = states.at(i);
        if (now.failure.isError() || !now.exists) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Skipped,
                   now.failure.message.isEmpty() ? tr("%1 no longer exists.").arg(e.onPremDn)
                                                 : now.failure.message);
            continue;
        }
        const QString value = base64(now.consistencyGuid);
        if (value == e.oldImmutableId) {
            // Undone before, or a `pending`/`failed` write that never landed.
            settle(e, RollbackStatus::RolledBack, AuditResult::RolledBack,
                   tr("mS-DS-ConsistencyGuid of %1 is already at the value before the run; "
                      "nothing to undo.")
                       .arg(e.onPremDn));
            continue;
        }
        if (value != e.newImmutableId) {
            settle(
                e, RollbackStatus::RollbackFailed, AuditResult::Skipped,
                tr("mS-DS-ConsistencyGuid of %1 is now \"%2\", not the \"%3\" Anchorfix "
                   "wrote: someone changed it since, so it is left alone.")
                    .arg(e.onPremDn, value.isEmpty() ? tr("(not set)") : value, e.newImmutableId));
            continue;
        }
        // Same object (objectGUID), still our value: put the old one back or remove it.
        changes.append(
            {e.onPremDn, now.objectGuid, now.consistencyGuid, bytesOf(e.oldImmutableId)});
        owners.append(i);
    }
    if (changes.isEmpty() || isCancelRequested()) {
        afterOnPrem();
        return;
    }
    auto *job = new LdapAnchorWriteJob(*m_settings.ldap, changes, this);
    connect(job, &Job::finished, this, [this, job, owners] {
        onOnPremWritten(owners, job->outcomes(), job->error() ? job->errorString() : QString());
    });
    job->start();
}

void RollbackJob::onOnPremWritten(const QList<int> &owners,
                                  const QList<LdapAnchorOutcome> &outcomes,
                                  const QString &writeError)
{
    QList<AuditRecord> records;
    for (int k = 0; k < owners.size(); ++k) {
        const RollbackEntry &e = m_onPrem.at(owners.at(k));
        if (k >= outcomes.size()) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Failed,
                   tr("Not sent: %1").arg(writeError));
            continue;
        }
        const LdapAnchorOutcome &o = outcomes.at(k);
        if (o.status == LdapAnchorStatus::Stale) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Skipped, o.message());
            continue;
        }
        if (o.status == LdapAnchorStatus::Failed && !o.outcomeUnknown) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Failed, o.message());
            continue;
        }
        ChangeOutcome out;
        out.rowId = int(owners.at(k) + 1);
        out.cloudId = e.cloudId;
        out.cloudUpn = e.cloudUpn;
        out.action = Action::AdoptCloudAnchor;
        AuditRecord a;
        a.runId = m_settings.identity.runId;
        a.operatorName = m_settings.identity.operatorName;
        a.tenantId = m_settings.identity.tenantId;
        a.rowId = QString::number(out.rowId);
        a.cloudId = e.cloudId;
        a.cloudUpn = e.cloudUpn;
        a.action = AuditAction::AdoptCloudAnchor;
        a.oldImmutableId = e.newImmutableId;
        a.newImmutableId = e.oldImmutableId;
        if (o.outcomeUnknown) {
            // No mark: the row keeps its status and the next rollback reads it again.
            out.status = ChangeStatus::Unknown;
            out.errorString = o.message();
            a.result = AuditResult::Unknown;
            a.message = tr("outcome unknown: %1").arg(o.message());
        } else {
            out.status = ChangeStatus::Applied;
            out.verified = base64(o.readBack) == e.oldImmutableId;
            RollbackEntry mark = e;
            mark.status = RollbackStatus::RolledBack;
            mark.appliedAtUtc = QDateTime::currentDateTimeUtc();
            m_marks.append(mark);
            a.result = AuditResult::RolledBack;
            a.message =
                tr("mS-DS-ConsistencyGuid of %1 back to %2 (read back)")
                    .arg(e.onPremDn, e.oldImmutableId.isEmpty() ? tr("not set") : e.oldImmutableId);
        }
        m_report.outcomes.append(out);
        records.append(a);
    }
    QString error;
    if (!m_audit.append(records, &error)) {
        stopWith(FileError, tr("Stopped: %1").arg(error));
        return;
    }
    afterOnPrem();
}

void RollbackJob::afterOnPrem()
{
    m_onPremBusy = false;
    if (isCancelRequested())
        m_entries.clear(); // nothing of the cloud part is read or sent; runUndo records the rest
    readNext();
}

void RollbackJob::doCancel()
{
    if (m_executor)
        m_executor->cancel();
    else if (m_onPremBusy)
        return; // the LDAP change in flight finishes; afterOnPrem() stops there
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
    QList<CloudOperation> ops;
    QList<qsizetype> owners;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const RollbackEntry &e = m_entries.at(i);
        const CloudOperationResult &cur = m_current.at(i);
        if (!cur.ok || e.cloudUpn.isEmpty() ||
            cur.upn.compare(e.cloudUpn, Qt::CaseInsensitive) == 0)
            continue;
        // Only a UPN that is our temporary switch goes back: same local part at the
        // initial domain. Any other rename was someone's decision.
        const QString temporary = ChangeUnit::temporaryUpnFor(e.cloudUpn, m_settings.initialDomain);
        if (temporary.isEmpty() || cur.upn.compare(temporary, Qt::CaseInsensitive) != 0)
            continue;
        // No journal line first: the row already names the UPN to restore, and a crash
        // here leaves it for the next rollback's read.
        ops.append({CloudOperation::Kind::SetUpn, e.cloudId, e.cloudUpn});
        owners.append(i);
    }
    if (ops.isEmpty()) {
        runUndo();
        return;
    }
    m_writer->execute(ops, this, [this, owners](const QList<CloudOperationResult> &rs) {
        QList<AuditRecord> records;
        for (qsizetype k = 0; k < owners.size(); ++k) {
            const CloudOperationResult r = k < rs.size() ? rs.at(k) : CloudOperationResult{};
            CloudOperationResult &cur = m_current[owners.at(k)];
            const RollbackEntry &e = m_entries.at(owners.at(k));
            AuditRecord a;
            a.runId = m_settings.identity.runId;
            a.operatorName = m_settings.identity.operatorName;
            a.tenantId = m_settings.identity.tenantId;
            a.rowId = QString::number(owners.at(k) + 1);
            a.cloudId = e.cloudId;
            a.cloudUpn = e.cloudUpn;
            a.action = AuditAction::UpnRestore;
            a.oldImmutableId = cur.immutableId;
            a.newImmutableId = cur.immutableId;
            a.result = r.ok ? AuditResult::Applied : AuditResult::Failed;
            a.httpStatus = r.httpStatus;
            a.requestId = r.requestId;
            a.message = tr("UPN %1 → %2").arg(cur.upn, e.cloudUpn);
            if (!r.ok)
                a.message += QStringLiteral(" ") + r.code + QStringLiteral(" ") + r.message;
            records.append(a);
            if (r.ok) {
                cur.upn = e.cloudUpn;
            } else {
                // runUndo() reports it: the UPN still differs, so nothing else is sent.
                cur.code = r.code;
                cur.message = tr("Could not put the UPN back to %1: %2 %3")
                                  .arg(e.cloudUpn, r.code, r.message);
                cur.httpStatus = r.httpStatus;
                cur.requestId = r.requestId;
                cur.ok = false;
                cur.found = true;
            }
        }
        QString error;
        if (!m_audit.append(records, &error)) {
            stopWith(FileError, tr("Stopped: %1").arg(error));
            return;
        }
        runUndo();
    });
}

void RollbackJob::runUndo()
{
    QList<ChangeUnit> units;
    for (const RollbackEntry &p : std::as_const(m_purges))
        settle(p, RollbackStatus::Applied, AuditResult::Skipped,
               p.isObjectIdentifierClear()
                   ? tr("onPremisesObjectIdentifier was cleared; it cannot be written back, so "
                        "this change is not reversible. The rest of the run is rolled back.")
                   : tr("A purged recycle-bin user cannot be restored; this change cannot be "
                        "undone."));
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const RollbackEntry &e = m_entries.at(i);
        const CloudOperationResult &cur = m_current.at(i);
        const int rowId = int(i + 1);
        if (!cur.ok && cur.httpStatus == 404) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Skipped,
                   tr("The user no longer exists."), cur);
            continue;
        }
        if (!cur.ok) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Failed,
                   cur.found ? cur.message
                             : tr("Could not read the user: %1 %2").arg(cur.code, cur.message),
                   cur);
            continue;
        }
        const bool upnMoved = cur.upn.compare(e.cloudUpn, Qt::CaseInsensitive) != 0;
        if (cur.immutableId == e.oldImmutableId) {
            // Undone before (a rollback stopped after the write), or a `pending` or
            // `failed` write that never landed: nothing to send.
            settle(e, RollbackStatus::RolledBack, AuditResult::RolledBack,
                   tr("Already at the value before the run; nothing to undo."), cur);
            continue;
        }
        if (upnMoved && cur.immutableId == e.newImmutableId) {
            // Renamed by someone else since: the anchor undo would hit a changed user.
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Skipped,
                   tr("The UPN is now %1, not %2; skipped.").arg(cur.upn, e.cloudUpn), cur);
            continue;
        }
        if (cur.immutableId != e.newImmutableId) {
            settle(e, RollbackStatus::RollbackFailed, AuditResult::Skipped,
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
        unit.row.setExpectedImmutableId(e.oldImmutableId);
        unit.row.action = e.oldImmutableId.isEmpty() ? Action::Clear : Action::Stamp;
        unit.newImmutableId = e.oldImmutableId;
        // The scan's rule (a subdomain of a federated domain is federated too).
        const bool federated = Recheck::inDomain(e.cloudUpn, m_settings.federatedDomains);
        if (federated && !m_settings.initialDomain.isEmpty()) {
            unit.kind = ChangeUnit::Kind::FederatedStamp;
            unit.row.category = Category::FederatedDomain;
            unit.temporaryUpn = ChangeUnit::temporaryUpnFor(e.cloudUpn, m_settings.initialDomain);
        } else {
            unit.kind =
                e.oldImmutableId.isEmpty() ? ChangeUnit::Kind::Clear : ChangeUnit::Kind::Stamp;
            unit.row.category = Category::AnchorMismatch;
        }
        units.append(unit);
    }
    QString error;
    if (!m_journal.append(m_marks, &error)) {
        stopWith(FileError, tr("Stopped before any undo was sent: %1").arg(error));
        return;
    }
    m_marks.clear();
    if (units.isEmpty() || isCancelRequested()) {
        if (!m_journal.compact(&error)) {
            stopWith(FileError, error);
            return;
        }
        if (isCancelRequested() && !units.isEmpty())
            fail(Cancelled,
                 tr("Cancelled: %n change(s) were not undone.", nullptr, int(units.size())));
        onExecutorFinished(nullptr);
        return;
    }
    m_journal.close();
    ExecutorSettings s;
    s.identity = m_settings.identity;
    s.rollbackPath = m_settings.rollbackPath;
    s.auditPath = m_settings.auditPath;
    s.initialDomain = m_settings.initialDomain;
    s.maxChanges = INT_MAX;
    s.batchSize = m_settings.batchSize;
    s.appendToJournal = true; // records the undo on the rows it undoes
    s.writeScript = false;
    s.writeRunRows = false;
    m_audit.close(); // the executor appends to the same file
    auto *executor = new Executor(units, s, m_writer, this);
    m_executor = executor;
    connect(executor, &Job::finished, this, &RollbackJob::onExecutorFinished);
    // The undo's progress is the executor's (one count, the current user, the waits).
    connect(executor, &Job::progressChanged, this,
            qOverload<const JobProgress &>(&RollbackJob::setProgress));
    connect(executor, &Job::infoMessage, this, &Job::infoMessage);
    executor->start();
}

void RollbackJob::markFailedUndos(const QList<ChangeOutcome> &outcomes)
{
    // An undo whose anchor write landed but whose UPN could not be put back is journaled
    // by the executor as written; the row is not done until the UPN is back too.
    QList<RollbackEntry> marks;
    for (const ChangeOutcome &o : outcomes) {
        if (o.status != ChangeStatus::Failed)
            continue;
        const auto it =
            std::find_if(m_entries.cbegin(), m_entries.cend(),
                         [&](const RollbackEntry &e) { return e.cloudId == o.cloudId; });
        if (it == m_entries.cend())
            continue;
        RollbackEntry e = *it;
        e.status = RollbackStatus::RollbackFailed;
        e.appliedAtUtc = QDateTime::currentDateTimeUtc();
        marks.append(e);
    }
    if (marks.isEmpty())
        return;
    QString error;
    RollbackJournal journal;
    if (!journal.openForUndo(m_settings.rollbackPath, &error) || !journal.append(marks, &error) ||
        !journal.compact(&error))
        m_warning += (m_warning.isEmpty() ? QString() : QStringLiteral(" ")) + error;
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
        markFailedUndos(executor->report().outcomes);
    }
    m_report.total = int(m_entries.size() + m_onPrem.size());
    QString fileError;
    if (!m_audit.isOpen() && !m_audit.open(m_settings.auditPath, &fileError)) {
        stopWith(FileError, fileError);
        return;
    }
    AuditRecord finished;
    finished.runId = m_settings.identity.runId;
    finished.operatorName = m_settings.identity.operatorName;
    finished.tenantId = m_settings.identity.tenantId;
    finished.action = AuditAction::Run;
    finished.result = AuditResult::Finished;
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

void RollbackJob::settle(const RollbackEntry &e, RollbackStatus status, AuditResult result,
                         const QString &message, const CloudOperationResult &read)
{
    ChangeOutcome o;
    o.rowId = int((e.onPrem ? m_onPrem.indexOf(e) : m_entries.indexOf(e)) + 1);
    o.cloudId = e.cloudId;
    o.cloudUpn = e.cloudUpn;
    o.status = result == AuditResult::Failed ? ChangeStatus::Failed : ChangeStatus::Skipped;
    o.errorString = message;
    o.httpStatus = read.httpStatus;
    o.requestId = read.requestId;
    m_report.outcomes.append(o);
    if (status != e.status) {
        RollbackEntry mark = e;
        mark.status = status;
        mark.appliedAtUtc = QDateTime::currentDateTimeUtc();
        m_marks.append(mark);
    }
    AuditRecord a;
    a.runId = m_settings.identity.runId;
    a.operatorName = m_settings.identity.operatorName;
    a.tenantId = m_settings.identity.tenantId;
    a.rowId = QString::number(o.rowId);
    a.cloudId = e.cloudId;
    a.cloudUpn = e.cloudUpn;
    a.action = e.onPrem                      ? AuditAction::AdoptCloudAnchor
               : isPurgeRow(e)               ? AuditAction::PurgeDeleted
               : e.isObjectIdentifierClear() ? AuditAction::ClearObjectIdentifier
               : e.oldImmutableId.isEmpty()  ? AuditAction::Clear
                                             : AuditAction::Stamp;
    a.oldImmutableId = e.newImmutableId;
    a.newImmutableId = e.oldImmutableId;
    a.result = result;
    a.httpStatus = read.httpStatus;
    a.requestId = read.requestId;
    a.message = message;
    QString error;
    m_audit.append(a, &error); // a failure here shows up at the next append
}
