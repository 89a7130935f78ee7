#include "changebatchjob.h"

#include "recheck.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <iterator>

namespace {

bool sameImmutableId(const QString &a, const QString &b)
{
    return a == b; // base64 is case-sensitive
}

bool sameUpn(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QString failureText(const CloudOperationResult &r)
{
    QString text = r.message;
    if (!r.code.isEmpty())
        text = QStringLiteral("%1: %2").arg(r.code, text);
    if (r.httpStatus > 0)
        text = QStringLiteral("HTTP %1 %2").arg(QString::number(r.httpStatus), text);
    return text.trimmed();
}

// The Microsoft Graph PowerShell line that puts a UPN back by hand.
QString upnRestoreCommand(const QString &userId, const QString &upn)
{
    // A single-quoted PowerShell literal: nothing in it is expanded; ' is doubled.
    const auto quoted = [](QString v) -> QString {
        return u'\'' + v.replace(u'\'', QStringLiteral("''")) + u'\'';
    };
    return QStringLiteral("Update-MgUser -UserId %1 -UserPrincipalName %2")
        .arg(quoted(userId), quoted(upn));
}

// The journal row of a clear of onPremisesObjectIdentifier: its own change of the user
// (column `change`), with no ImmutableId values; rollback reports it as not reversible.
RollbackEntry identifierEntry(const Finding &row, const QDateTime &at, RollbackStatus status)
{
    RollbackEntry e{row.cloudId, row.cloudUpn, QString(), QString(), at, status};
    e.change = QLatin1String(kObjectIdentifierClearChange);
    return e;
}

// Failed, or unknown when the answer was lost and could not be read back.
ChangeStatus notDone(const CloudOperationResult &r)
{
    return r.outcomeUnknown ? ChangeStatus::Unknown : ChangeStatus::Failed;
}

// A step before the stamp failed: the row stops there, with the step's answer and why.
template <typename Item>
void stopBeforeStamp(Item &item, const CloudOperationResult &r, const QString &why)
{
    item.live = false;
    item.outcome.status = notDone(r);
    item.outcome.httpStatus = r.httpStatus;
    item.outcome.requestId = r.requestId;
    item.outcome.errorString = why;
}

QString retryNote(const CloudOperationResult &r)
{
    if (r.attempts <= 1)
        return {};
    return QCoreApplication::translate("ChangeBatchJob", " (after %n retries)", nullptr,
                                       r.attempts - 1);
}

} // namespace

ChangeBatchJob::ChangeBatchJob(QList<ChangeUnit> units, RunContext *context, QObject *parent)
    : Job(parent), m_context(context)
{
    for (ChangeUnit &unit : units) {
        Item item;
        item.outcome.rowId = unit.row.rowId;
        item.outcome.cloudId = unit.row.cloudId;
        item.outcome.cloudUpn = unit.row.cloudUpn;
        item.outcome.action = unit.row.action;
        item.unit = std::move(unit);
        m_items.append(std::move(item));
    }
}

QList<ChangeOutcome> ChangeBatchJob::outcomes() const
{
    QList<ChangeOutcome> list;
    for (const Item &item : m_items)
        list.append(item.outcome);
    return list;
}

QList<RollbackScriptStep> ChangeBatchJob::undoSteps() const
{
    QList<RollbackScriptStep> steps;
    for (auto it = m_items.crbegin(); it != m_items.crend(); ++it) {
        const Item &item = *it;
        const Finding &row = item.unit.row;
        if (item.writeSent && !(item.write.ok == false && item.write.httpStatus >= 400 &&
                                item.write.httpStatus < 500)) {
            RollbackScriptStep s;
            s.kind = RollbackScriptStep::Kind::RestoreImmutableId;
            s.cloudId = row.cloudId;
            s.cloudUpn = row.cloudUpn;
            s.value = row.cloudImmutableId;
            s.wroteValue = item.unit.newImmutableId;
            steps.append(s);
        }
        if (item.switchSent && !(item.restoreSent && item.upnRestore.ok)) {
            RollbackScriptStep s;
            s.kind = RollbackScriptStep::Kind::RestoreUpn;
            s.cloudId = row.cloudId;
            s.cloudUpn = row.cloudUpn;
            s.value = row.cloudUpn;
            steps.append(s);
        }
        if (item.identifierSent &&
            !(item.identifierClear.ok == false && item.identifierClear.httpStatus >= 400 &&
              item.identifierClear.httpStatus < 500)) {
            RollbackScriptStep s;
            s.kind = RollbackScriptStep::Kind::ObjectIdentifierNotUndoable;
            s.cloudId = row.cloudId;
            s.cloudUpn = row.cloudUpn;
            steps.append(s);
        }
        if (item.purgeSent && item.purge.ok) {
            RollbackScriptStep s;
            s.kind = RollbackScriptStep::Kind::PurgeNotUndoable;
            s.cloudId = row.deletedHolderId;
            s.wroteValue = item.unit.newImmutableId;
            steps.append(s);
        }
    }
    return steps;
}

void ChangeBatchJob::doStart()
{
    setProgress(0, m_items.size());
    readBefore();
}

void ChangeBatchJob::runStep(const Step &step, const Handler &handler,
                             void (ChangeBatchJob::*next)())
{
    QList<CloudOperation> operations;
    QList<int> owners;
    for (int i = 0; i < m_items.size(); ++i) {
        if (auto op = step(m_items[i])) {
            operations.append(*op);
            owners.append(i);
        }
    }
    if (operations.isEmpty()) {
        (this->*next)();
        return;
    }
    m_context->writer->execute(
        operations, this, [this, owners, handler, next](const QList<CloudOperationResult> &rs) {
            for (int k = 0; k < owners.size(); ++k) {
                CloudOperationResult r = k < rs.size() ? rs.at(k) : CloudOperationResult{};
                if (k >= rs.size())
                    r.message = tr("No answer for this request in the batch.");
                handler(m_items[owners.at(k)], r);
            }
            (this->*next)();
        });
}

void ChangeBatchJob::readBefore()
{
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            return CloudOperation{CloudOperation::Kind::ReadUser, item.unit.row.cloudId, {}};
        },
        [this](Item &item, const CloudOperationResult &r) {
            const Finding &row = item.unit.row;
            QString why;
            if (!r.ok && r.httpStatus == 404) {
                why = tr("the cloud user no longer exists");
            } else if (!r.ok) {
                item.live = false;
                item.outcome.status = ChangeStatus::Failed;
                item.outcome.httpStatus = r.httpStatus;
                item.outcome.requestId = r.requestId;
                item.outcome.errorString =
                    tr("Could not re-read the user before the change: %1").arg(failureText(r));
                return;
            } else if (!sameImmutableId(r.immutableId, row.cloudImmutableId)) {
                why = tr("onPremisesImmutableId is now \"%1\", the plan saw \"%2\"")
                          .arg(r.immutableId, row.cloudImmutableId);
            } else if (!sameUpn(r.upn, row.cloudUpn)) {
                why = tr("the UPN is now %1, the plan saw %2").arg(r.upn, row.cloudUpn);
            } else if (r.syncEnabled.value_or(false)) {
                why = tr("the user is now synced from on-premises");
            }
            if (why.isEmpty() && m_context->recheckRows) {
                // The category and allowed actions the tenant gives the row now.
                CloudUserFacts facts;
                facts.upn = r.upn;
                facts.immutableId = r.immutableId;
                facts.syncEnabled = r.syncEnabled;
                if (m_context->federatedDomains)
                    facts.federated = Recheck::inDomain(r.upn, *m_context->federatedDomains);
                why = Recheck::staleReason(row, facts);
            }
            if (!why.isEmpty()) {
                item.live = false;
                item.outcome.status = ChangeStatus::Stale;
                item.outcome.httpStatus = r.httpStatus;
                item.outcome.requestId = r.requestId;
                item.outcome.errorString =
                    tr("Changed since the scan (%1); skipped rather than overwrite it. Scan "
                       "again to get a current plan.")
                        .arg(why);
            }
        },
        &ChangeBatchJob::journalPending);
}

void ChangeBatchJob::journalPending()
{
    if (isCancelRequested()) {
        for (Item &item : m_items) {
            if (item.live) {
                item.live = false;
                item.outcome.status = ChangeStatus::Skipped;
                item.outcome.errorString = tr("Cancelled before it was sent.");
            }
        }
        recordOutcomes();
        return;
    }
    QList<RollbackEntry> entries;
    for (Item &item : m_items) {
        if (!item.live)
            continue;
        item.pendingJournaled = true;
        const Finding &row = item.unit.row;
        if (item.unit.kind == ChangeUnit::Kind::PurgeAndStamp)
            entries.append({row.deletedHolderId, QString(), item.unit.newImmutableId, QString(),
                            QDateTime(), RollbackStatus::Pending});
        if (item.unit.kind == ChangeUnit::Kind::ClearIdentifierAndStamp)
            entries.append(identifierEntry(row, QDateTime(), RollbackStatus::Pending));
        entries.append({row.cloudId, row.cloudUpn, row.cloudImmutableId, item.unit.newImmutableId,
                        QDateTime(), RollbackStatus::Pending});
    }
    if (!journal(entries))
        return;
    purge();
}

void ChangeBatchJob::skipUnstartedIfCancelled()
{
    if (!isCancelRequested())
        return;
    for (Item &item : m_items) {
        if (item.live && !item.purgeSent && !item.identifierSent && !item.switchSent &&
            !item.writeSent) {
            item.live = false;
            item.outcome.status = ChangeStatus::Skipped;
            item.outcome.errorString = tr("Cancelled before it was sent.");
        }
    }
}

void ChangeBatchJob::purge()
{
    skipUnstartedIfCancelled();
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            if (!item.live || item.unit.kind != ChangeUnit::Kind::PurgeAndStamp)
                return std::nullopt;
            item.purgeSent = true;
            return CloudOperation{
                CloudOperation::Kind::PurgeDeleted, item.unit.row.deletedHolderId, {}};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.purge = r;
            if (!r.ok && r.httpStatus == 404) {
                // Already gone (purged by someone, or retention ended): the anchor is free.
                item.purge.ok = true;
                item.purge.message = tr("The recycle-bin user was already gone.");
                return;
            }
            if (!r.ok)
                stopBeforeStamp(
                    item, r,
                    tr("Could not purge the recycle-bin user %1 that holds the anchor, so the "
                       "stamp was not sent: %2")
                        .arg(item.unit.row.deletedHolderId, failureText(r)));
        },
        &ChangeBatchJob::clearIdentifier);
}

void ChangeBatchJob::clearIdentifier()
{
    skipUnstartedIfCancelled();
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            if (!item.live || item.unit.kind != ChangeUnit::Kind::ClearIdentifierAndStamp)
                return std::nullopt;
            item.identifierSent = true;
            return CloudOperation{
                CloudOperation::Kind::ClearObjectIdentifier, item.unit.row.cloudId, {}};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.identifierClear = r;
            if (!r.ok)
                stopBeforeStamp(
                    item, r,
                    tr("Could not clear onPremisesObjectIdentifier, so the stamp was not sent: "
                       "%1")
                        .arg(failureText(r)));
        },
        &ChangeBatchJob::switchUpn);
}

void ChangeBatchJob::switchUpn()
{
    skipUnstartedIfCancelled();
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            if (!item.live || item.unit.kind != ChangeUnit::Kind::FederatedStamp)
                return std::nullopt;
            item.switchSent = true;
            return CloudOperation{CloudOperation::Kind::SetUpn, item.unit.row.cloudId,
                                  item.unit.temporaryUpn};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.upnSwitch = r;
            if (!r.ok)
                stopBeforeStamp(
                    item, r,
                    tr("Could not move the UPN to %1 for the federated-domain stamp, so the "
                       "stamp was not sent: %2")
                        .arg(item.unit.temporaryUpn, failureText(r)));
        },
        &ChangeBatchJob::write);
}

void ChangeBatchJob::write()
{
    skipUnstartedIfCancelled();
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            if (!item.live)
                return std::nullopt;
            item.writeSent = true;
            return CloudOperation{CloudOperation::Kind::SetImmutableId, item.unit.row.cloudId,
                                  item.unit.newImmutableId};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.write = r;
            item.outcome.httpStatus = r.httpStatus;
            item.outcome.requestId = r.requestId;
            if (r.ok) {
                item.outcome.status = ChangeStatus::Applied;
                item.outcome.errorString.clear();
            } else {
                item.live = false;
                item.outcome.status = notDone(r);
                item.outcome.errorString = failureText(r);
            }
        },
        &ChangeBatchJob::restoreUpn);
}

void ChangeBatchJob::restoreUpn()
{
    // Every switched UPN comes back, whatever happened to the stamp.
    runStep(
        [](Item &item) -> std::optional<CloudOperation> {
            // A switch refused outright changed nothing; one without a clear answer may
            // have landed, and putting the original UPN back is harmless.
            const bool refused = !item.upnSwitch.ok && item.upnSwitch.httpStatus >= 400 &&
                                 item.upnSwitch.httpStatus < 500;
            if (!item.switchSent || item.restoreSent || refused)
                return std::nullopt;
            item.restoreSent = true;
            return CloudOperation{CloudOperation::Kind::SetUpn, item.unit.row.cloudId,
                                  item.unit.row.cloudUpn};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.upnRestore = r;
            const Finding &row = item.unit.row;
            if (r.ok) {
                if (item.outcome.status == ChangeStatus::Unknown && !item.writeSent) {
                    // The switch's answer was lost, the stamp was never sent, and the UPN
                    // is back: the tenant is as it was.
                    item.outcome.status = ChangeStatus::Failed;
                    item.outcome.errorString +=
                        u' ' + tr("The stamp was not sent and the UPN was put back to %1, so "
                                  "nothing changed.")
                                   .arg(row.cloudUpn);
                }
                return;
            }
            const QString command = upnRestoreCommand(row.cloudId, row.cloudUpn);
            const QString note =
                r.outcomeUnknown
                    ? tr("Whether the UPN was put back from the temporary %1 to %2 is unknown "
                         "(%3). If it still reads %1, restore it with: %4 (Microsoft Graph "
                         "PowerShell), or run anchorfix rollback.")
                          .arg(item.unit.temporaryUpn, row.cloudUpn, failureText(r), command)
                    : tr("The UPN is still the temporary %1 and could not be put back to %2 "
                         "(%3). Restore it with: %4 (Microsoft Graph PowerShell), or run "
                         "anchorfix rollback.")
                          .arg(item.unit.temporaryUpn, row.cloudUpn, failureText(r), command);
            item.outcome.errorString =
                item.outcome.errorString.isEmpty() ? note : item.outcome.errorString + u' ' + note;
            if (r.outcomeUnknown)
                item.outcome.status = ChangeStatus::Unknown; // the journal keeps it pending
            else if (item.outcome.status == ChangeStatus::Applied)
                item.outcome.status = ChangeStatus::Failed; // the anchor is in, the UPN is not
        },
        &ChangeBatchJob::recordOutcomes);
}

void ChangeBatchJob::recordOutcomes()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<RollbackEntry> entries;
    QList<AuditRecord> records;
    for (const Item &item : std::as_const(m_items)) {
        const Finding &row = item.unit.row;
        const bool journaled =
            item.purgeSent || item.identifierSent || item.switchSent || item.writeSent;
        if (item.pendingJournaled && !journaled) {
            // Journaled, then cancelled before anything was sent: close the journal entry
            // (and the purge's, which was journaled with it) so no `pending` row remains.
            if (item.unit.kind == ChangeUnit::Kind::PurgeAndStamp)
                entries.append({row.deletedHolderId, QString(), item.unit.newImmutableId, QString(),
                                now, RollbackStatus::Failed});
            if (item.unit.kind == ChangeUnit::Kind::ClearIdentifierAndStamp)
                entries.append(identifierEntry(row, now, RollbackStatus::Failed));
            entries.append({row.cloudId, row.cloudUpn, row.cloudImmutableId,
                            item.unit.newImmutableId, now, RollbackStatus::Failed});
        }
        if (item.purgeSent) {
            if (!item.purge.outcomeUnknown) // unknown: the purge stays `pending`
                entries.append({row.deletedHolderId, QString(), item.unit.newImmutableId, QString(),
                                now,
                                item.purge.ok ? RollbackStatus::Applied : RollbackStatus::Failed});
            AuditRecord a = auditFor(item, AuditAction::PurgeDeleted, item.purge);
            a.cloudId = row.deletedHolderId;
            a.cloudUpn.clear();
            a.oldImmutableId = item.unit.newImmutableId;
            a.newImmutableId.clear();
            records.append(a);
        }
        if (item.identifierSent) {
            if (!item.identifierClear.outcomeUnknown) // unknown: it stays `pending`
                entries.append(identifierEntry(row, now,
                                               item.identifierClear.ok ? RollbackStatus::Applied
                                                                       : RollbackStatus::Failed));
            AuditRecord a =
                auditFor(item, AuditAction::ClearObjectIdentifier, item.identifierClear);
            a.oldImmutableId.clear();
            a.newImmutableId.clear();
            const QString what =
                tr("onPremisesObjectIdentifier cleared (PATCH /beta/users/%1); not reversible: "
                   "the old value cannot be written back.")
                    .arg(row.cloudId);
            a.message = item.identifierClear.ok
                            ? what + (item.identifierClear.note.isEmpty()
                                          ? QString()
                                          : u' ' + item.identifierClear.note)
                            : tr("Clearing onPremisesObjectIdentifier (not reversible) failed: %1")
                                  .arg(failureText(item.identifierClear));
            a.message += retryNote(item.identifierClear);
            records.append(a);
        }
        if (item.switchSent) {
            AuditRecord a = auditFor(item, AuditAction::UpnSwitch, item.upnSwitch);
            a.message = tr("UPN %1 → %2").arg(row.cloudUpn, item.unit.temporaryUpn) +
                        (item.upnSwitch.ok ? QString() : u' ' + failureText(item.upnSwitch)) +
                        (item.upnSwitch.note.isEmpty() ? QString() : u' ' + item.upnSwitch.note);
            records.append(a);
        }
        if (journaled || item.outcome.status != ChangeStatus::Applied) {
            // The row's own change: applied, failed, stale or skipped.
            const bool wroteAnchor = item.writeSent && item.write.ok;
            // A UPN switch that could not be put back is a change in the tenant too:
            // `applied`, so that rollback puts the UPN back (cloud_upn is the original).
            const bool upnLeftSwitched =
                item.restoreSent && !item.upnRestore.ok && !item.upnRestore.outcomeUnknown;
            if (journaled && item.outcome.status != ChangeStatus::Unknown) {
                // Settled: the tenant shows the change made (applied) or not made (failed).
                // An unknown outcome adds no row: the change stays `pending`, and rollback
                // reads the user back before undoing it.
                entries.append({row.cloudId, row.cloudUpn, row.cloudImmutableId,
                                item.unit.newImmutableId, now,
                                wroteAnchor || upnLeftSwitched ? RollbackStatus::Applied
                                                               : RollbackStatus::Failed});
            }
            const AuditAction action =
                item.unit.kind == ChangeUnit::Kind::PurgeAndStamp ||
                        item.unit.kind == ChangeUnit::Kind::ClearIdentifierAndStamp
                    ? AuditAction::Stamp
                    : auditActionFor(row.action);
            AuditRecord a = auditFor(item, action, item.write);
            // The anchor write's own result: the UPN steps have rows of their own.
            a.result = auditResultFor(wroteAnchor ? ChangeStatus::Applied : item.outcome.status);
            if (item.outcome.status == ChangeStatus::Applied && !wroteAnchor)
                a.result = AuditResult::Failed;
            a.httpStatus = item.outcome.httpStatus;
            a.requestId = item.outcome.requestId;
            a.message = item.outcome.errorString;
            if (!item.write.note.isEmpty())
                a.message =
                    a.message.isEmpty() ? item.write.note : a.message + u' ' + item.write.note;
            a.message += retryNote(item.write);
            records.append(a);
        }
        if (item.restoreSent) {
            AuditRecord a = auditFor(item, AuditAction::UpnRestore, item.upnRestore);
            a.message = tr("UPN %1 → %2").arg(item.unit.temporaryUpn, row.cloudUpn) +
                        (item.upnRestore.ok ? QString() : u' ' + failureText(item.upnRestore)) +
                        (item.upnRestore.note.isEmpty() ? QString() : u' ' + item.upnRestore.note);
            records.append(a);
        }
    }
    // The outcome rows need no fsync of their own: the next batch's pending rows (or
    // compact() at the end) make them durable, and until then the pending row is safe.
    if (!entries.isEmpty() && !journal(entries, RollbackJournal::Durability::Flushed))
        return;
    // The audit rows of settled changes are on disk before anything else is sent.
    if (!audit(records, AuditDurability::Synced))
        return;
    verify();
}

namespace {

// Pauses before reading a written value again (replication delay); then it is a mismatch.
constexpr int kVerifyRetryDelaysMs[] = {300, 1000};

bool awaitsReadBack(bool writeOk, bool verified)
{
    return writeOk && !verified;
}

} // namespace

void ChangeBatchJob::verify()
{
    const bool again = m_verifyRound > 0;
    runStep(
        [again](Item &item) -> std::optional<CloudOperation> {
            // An unknown outcome was already read back (and could not be); no verdict on it.
            if (!item.writeSent || item.write.outcomeUnknown ||
                (again && !awaitsReadBack(item.write.ok, item.outcome.verified)))
                return std::nullopt;
            ++item.verifyReads;
            return CloudOperation{CloudOperation::Kind::ReadUser, item.unit.row.cloudId, {}};
        },
        [](Item &item, const CloudOperationResult &r) {
            item.verify = r;
            const bool upnOk = !item.switchSent || sameUpn(r.upn, item.unit.row.cloudUpn);
            item.outcome.verified = r.ok && r.found &&
                                    sameImmutableId(r.immutableId, item.unit.newImmutableId) &&
                                    upnOk;
        },
        &ChangeBatchJob::verifyAgainOrFinish);
}

void ChangeBatchJob::verifyAgainOrFinish()
{
    const bool pending = std::any_of(m_items.cbegin(), m_items.cend(), [](const Item &item) {
        return item.writeSent && awaitsReadBack(item.write.ok, item.outcome.verified);
    });
    if (pending && m_verifyRound < int(std::size(kVerifyRetryDelaysMs))) {
        QTimer::singleShot(kVerifyRetryDelaysMs[m_verifyRound++], this, &ChangeBatchJob::verify);
        return;
    }
    finish();
}

void ChangeBatchJob::finish()
{
    QList<AuditRecord> records;
    for (const Item &item : std::as_const(m_items)) {
        if (!item.writeSent || item.write.outcomeUnknown)
            continue;
        const Finding &row = item.unit.row;
        const bool thenStamp = item.unit.kind == ChangeUnit::Kind::PurgeAndStamp ||
                               item.unit.kind == ChangeUnit::Kind::ClearIdentifierAndStamp;
        AuditRecord a = auditFor(item, thenStamp ? AuditAction::Stamp : auditActionFor(row.action),
                                 item.verify);
        a.oldImmutableId = item.unit.newImmutableId; // what the check expected …
        a.newImmutableId = item.verify.immutableId;  // … and what it read
        a.result = item.outcome.verified ? AuditResult::Verified : AuditResult::Mismatch;
        if (item.outcome.verified && item.verifyReads > 1)
            a.message =
                tr("Read back as written on read %1 (replication delay).").arg(item.verifyReads);
        else if (!item.verify.ok)
            a.message = tr("Could not read the user back: %1").arg(failureText(item.verify));
        else if (!item.outcome.verified)
            a.message = tr("Read back onPremisesImmutableId \"%1\" and UPN %2; expected \"%3\" "
                           "and %4.")
                            .arg(item.verify.immutableId, item.verify.upn, item.unit.newImmutableId,
                                 row.cloudUpn);
        records.append(a);
    }
    if (!audit(records))
        return;
    setProgress(m_items.size(), m_items.size());
    emitResult();
}

bool ChangeBatchJob::journal(const QList<RollbackEntry> &entries,
                             RollbackJournal::Durability durability)
{
    QString error;
    if (m_context->journal->append(entries, &error, durability))
        return true;
    fail(JournalError, tr("Stopped: the rollback journal could not be written, so no further "
                          "change is safe. %1")
                           .arg(error));
    emitResult();
    return false;
}

bool ChangeBatchJob::audit(const QList<AuditRecord> &records, AuditDurability durability)
{
    if (records.isEmpty())
        return true;
    QString error;
    if (m_context->audit->append(records, &error) &&
        (durability == AuditDurability::Flushed || m_context->audit->sync(&error)))
        return true;
    fail(AuditError, tr("Stopped: the audit file could not be written. %1").arg(error));
    emitResult();
    return false;
}

AuditRecord ChangeBatchJob::auditFor(const Item &item, AuditAction action,
                                     const CloudOperationResult &result) const
{
    const Finding &row = item.unit.row;
    AuditRecord a;
    a.runId = m_context->identity.runId;
    a.operatorName = m_context->identity.operatorName;
    a.tenantId = m_context->identity.tenantId;
    a.rowId = QString::number(row.rowId);
    a.cloudId = row.cloudId;
    a.cloudUpn = row.cloudUpn;
    a.action = action;
    a.oldImmutableId = row.cloudImmutableId;
    a.newImmutableId = item.unit.newImmutableId;
    a.result = auditResultFor(result.ok ? ChangeStatus::Applied : notDone(result));
    a.httpStatus = result.httpStatus;
    a.requestId = result.requestId;
    a.message = result.ok ? result.note : failureText(result);
    a.message += retryNote(result);
    return a;
}
