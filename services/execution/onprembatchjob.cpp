#include "onprembatchjob.h"

#include "cloudwriter.h"
#include "immutableid.h"
#include "ldapanchorreadjob.h"
#include "ldapanchorwritejob.h"
#include "recheck.h"

#include <QCoreApplication>
#include <QDateTime>

namespace {

QString base64(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QString() : ImmutableId::base64Of(bytes);
}

QString shown(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QCoreApplication::translate("OnPremBatchJob", "(not set)")
                           : ImmutableId::base64Of(bytes);
}

} // namespace

OnPremBatchJob::OnPremBatchJob(QList<ChangeUnit> units, RunContext *context, QObject *parent)
    : Job(parent), m_context(context)
{
    for (ChangeUnit &unit : units) {
        Item item;
        item.outcome.rowId = unit.row.rowId;
        item.outcome.cloudId = unit.row.cloudId;
        item.outcome.cloudUpn = unit.row.cloudUpn;
        item.outcome.action = unit.row.action;
        item.newValue = ChangeUnit::anchorBytes(unit.newImmutableId);
        if (const auto guid = ImmutableId::parse(unit.row.onPremGuid()))
            item.objectGuid = guid->bytes();
        item.unit = std::move(unit);
        m_items.append(std::move(item));
    }
}

QList<ChangeOutcome> OnPremBatchJob::outcomes() const
{
    QList<ChangeOutcome> list;
    for (const Item &item : m_items)
        list.append(item.outcome);
    return list;
}

QList<RollbackScriptStep> OnPremBatchJob::undoSteps() const
{
    QList<RollbackScriptStep> steps;
    for (auto it = m_items.crbegin(); it != m_items.crend(); ++it) {
        // Written, or possibly written (answer lost): the script's guard reads it first.
        if (!it->written && !(it->sent && it->write.outcomeUnknown))
            continue;
        RollbackScriptStep s;
        s.kind = RollbackScriptStep::Kind::RestoreConsistencyGuid;
        s.cloudId = it->unit.row.cloudId;
        s.cloudUpn = it->unit.row.cloudUpn;
        s.onPremDn = it->unit.row.onPremDn;
        s.value = base64(it->before.consistencyGuid);
        s.wroteValue = base64(it->newValue);
        steps.append(s);
    }
    return steps;
}

void OnPremBatchJob::doStart()
{
    setProgress(0, m_items.size());
    if (!m_context->ldap) {
        for (Item &item : m_items)
            settle(item, ChangeStatus::Failed,
                   tr("No connection to the on-prem directory: adopt_cloud_anchor writes "
                      "mS-DS-ConsistencyGuid over LDAP. Give --ldap-uri, --bind-dn and "
                      "--base-dn (the password from %1 or the keychain).")
                       .arg(QStringLiteral("ANCHORFIX_LDAP_PASSWORD")));
        recordOutcomes();
        return;
    }
    readCloud();
}

void OnPremBatchJob::settle(Item &item, ChangeStatus status, const QString &message)
{
    item.live = false;
    item.outcome.status = status;
    item.outcome.errorString = message;
}

void OnPremBatchJob::readCloud()
{
    // The plan adopts the cloud user's anchor as it was scanned: if the cloud user has
    // another one now, writing the old one into AD would link the user to nothing.
    if (!m_context->writer) {
        readDirectory();
        return;
    }
    QList<CloudOperation> ops;
    for (const Item &item : std::as_const(m_items))
        ops.append({CloudOperation::Kind::ReadUser, item.unit.row.cloudId, {}});
    m_context->writer->execute(ops, this, [this](const QList<CloudOperationResult> &rs) {
        for (int i = 0; i < m_items.size(); ++i) {
            Item &item = m_items[i];
            const Finding &row = item.unit.row;
            const CloudOperationResult r = i < rs.size() ? rs.at(i) : CloudOperationResult{};
            if (!r.ok && r.httpStatus == 404) {
                settle(item, ChangeStatus::Stale,
                       tr("Changed since the scan (the cloud user no longer exists); skipped. "
                          "Scan again to get a current plan."));
                continue;
            }
            if (!r.ok) {
                item.outcome.httpStatus = r.httpStatus;
                item.outcome.requestId = r.requestId;
                settle(item, ChangeStatus::Failed,
                       tr("Could not re-read the cloud user before the change: %1 %2")
                           .arg(r.code, r.message)
                           .trimmed());
                continue;
            }
            QString why;
            if (r.immutableId != row.cloudImmutableId) {
                why = tr("the cloud user's onPremisesImmutableId is now \"%1\", the plan "
                         "adopts \"%2\"")
                          .arg(r.immutableId, row.cloudImmutableId);
            } else if (m_context->recheckRows) {
                CloudUserFacts facts;
                facts.upn = r.upn;
                facts.immutableId = r.immutableId;
                facts.syncEnabled = r.syncEnabled;
                if (m_context->federatedDomains)
                    facts.federated = Recheck::inDomain(r.upn, *m_context->federatedDomains);
                why = Recheck::staleReason(row, facts);
            }
            if (!why.isEmpty())
                settle(item, ChangeStatus::Stale,
                       tr("Changed since the scan (%1); skipped rather than write it. Scan "
                          "again to get a current plan.")
                           .arg(why));
        }
        readDirectory();
    });
}

void OnPremBatchJob::readDirectory()
{
    QList<LdapAnchorChange> reads;
    QList<int> owners;
    for (int i = 0; i < m_items.size(); ++i) {
        if (!m_items.at(i).live)
            continue;
        reads.append({m_items.at(i).unit.row.onPremDn, m_items.at(i).objectGuid, {}, {}});
        owners.append(i);
    }
    if (reads.isEmpty()) {
        recordOutcomes();
        return;
    }
    auto *job = new LdapAnchorReadJob(*m_context->ldap, reads, this);
    connect(job, &Job::finished, this, [this, job, owners] {
        const QList<LdapAnchorState> states = job->states();
        for (int k = 0; k < owners.size(); ++k) {
            Item &item = m_items[owners.at(k)];
            const Finding &row = item.unit.row;
            if (k >= states.size()) {
                // The directory could not be read at all (bind refused, TLS, unreachable).
                settle(item, ChangeStatus::Failed,
                       tr("Nothing was written: %1").arg(job->errorString()));
                continue;
            }
            item.before = states.at(k);
            if (item.before.failure.isError() || !item.before.exists) {
                // Deleted, moved or replaced since the scan: the plan's DN is out of date.
                settle(item, ChangeStatus::Stale,
                       tr("Changed since the scan: %1").arg(item.before.failure.message));
                continue;
            }
            // The anchor the AD user yields now, by the rule the row was scanned with.
            const QByteArray &guid = item.before.consistencyGuid;
            const QString anchorNow = guid.isEmpty() && row.hasExpectedImmutableId()
                                          ? base64(item.before.objectGuid)
                                          : base64(guid);
            if (item.unit.kind == ChangeUnit::Kind::CopyObjectGuid && !guid.isEmpty()) {
                settle(item, ChangeStatus::Stale,
                       tr("Changed since the scan (mS-DS-ConsistencyGuid of %1 is set now, to "
                          "%2); nothing to copy, skipped.")
                           .arg(row.onPremDn, shown(guid)));
                continue;
            }
            if (anchorNow != row.expectedImmutableId()) {
                settle(item, ChangeStatus::Stale,
                       tr("Changed since the scan (the anchor of %1 is now \"%2\", the plan "
                          "saw \"%3\"; mS-DS-ConsistencyGuid is %4); skipped rather than "
                          "overwrite it. Scan again to get a current plan.")
                           .arg(row.onPremDn, anchorNow, row.expectedImmutableId(), shown(guid)));
            }
        }
        journalPending();
    });
    job->start();
}

void OnPremBatchJob::journalPending()
{
    if (isCancelRequested()) {
        for (Item &item : m_items)
            if (item.live)
                settle(item, ChangeStatus::Skipped, tr("Cancelled before it was sent."));
        recordOutcomes();
        return;
    }
    // The old value, as just read, is on disk before the modify is sent.
    QList<RollbackEntry> entries;
    for (Item &item : m_items) {
        if (!item.live)
            continue;
        item.pendingJournaled = true;
        entries.append(entryFor(item, RollbackStatus::Pending));
    }
    if (!journal(entries, RollbackJournal::Durability::Synced))
        return;
    writeDirectory();
}

void OnPremBatchJob::writeDirectory()
{
    QList<LdapAnchorChange> changes;
    QList<int> owners;
    for (int i = 0; i < m_items.size(); ++i) {
        Item &item = m_items[i];
        if (!item.live)
            continue;
        changes.append({item.unit.row.onPremDn, item.before.objectGuid, item.before.consistencyGuid,
                        item.newValue});
        owners.append(i);
    }
    if (changes.isEmpty()) {
        recordOutcomes();
        return;
    }
    auto *job = new LdapAnchorWriteJob(*m_context->ldap, changes, this);
    connect(job, &LdapAnchorWriteJob::changeFinished, this,
            [this, owners](const LdapAnchorOutcome &o, int index) {
                if (index < 0 || index >= owners.size())
                    return;
                Item &item = m_items[owners.at(index)];
                item.sent = true;
                item.write = o;
                item.live = false;
                switch (o.status) {
                case LdapAnchorStatus::Applied:
                    item.written = true;
                    item.outcome.status = ChangeStatus::Applied;
                    item.outcome.verified = o.readBack == item.newValue;
                    item.outcome.errorString.clear();
                    break;
                case LdapAnchorStatus::Stale:
                    item.outcome.status = ChangeStatus::Stale;
                    item.outcome.errorString =
                        tr("Changed since it was read: %1").arg(o.failure.message);
                    break;
                case LdapAnchorStatus::Failed:
                    item.outcome.status =
                        o.outcomeUnknown ? ChangeStatus::Unknown : ChangeStatus::Failed;
                    item.outcome.errorString =
                        o.outcomeUnknown ? tr("outcome unknown: %1").arg(o.failure.message)
                                         : o.failure.message;
                    break;
                }
                setProgress(std::count_if(m_items.cbegin(), m_items.cend(),
                                          [](const Item &i) { return i.sent; }),
                            m_items.size());
            });
    connect(job, &Job::finished, this, [this, job] {
        for (Item &item : m_items) {
            if (!item.live)
                continue;
            // Not attempted: the connection was refused or lost before its turn.
            settle(item, isCancelRequested() ? ChangeStatus::Skipped : ChangeStatus::Failed,
                   job->error() == Job::Cancelled || isCancelRequested()
                       ? tr("Cancelled before it was sent.")
                       : tr("Not sent: %1").arg(job->errorString()));
        }
        recordOutcomes();
    });
    if (isCancelRequested()) {
        delete job;
        for (Item &item : m_items)
            if (item.live)
                settle(item, ChangeStatus::Skipped, tr("Cancelled before it was sent."));
        recordOutcomes();
        return;
    }
    job->start();
}

void OnPremBatchJob::recordOutcomes()
{
    QList<RollbackEntry> entries;
    QList<AuditRecord> records;
    for (const Item &item : std::as_const(m_items)) {
        // Settled: written (applied) or not (failed). An unknown outcome stays `pending`.
        if (item.pendingJournaled && item.outcome.status != ChangeStatus::Unknown)
            entries.append(
                entryFor(item, item.written ? RollbackStatus::Applied : RollbackStatus::Failed));
        records.append(auditFor(item));
        if (item.written) {
            AuditRecord v = auditFor(item);
            v.oldImmutableId = base64(item.newValue);       // what the check expected …
            v.newImmutableId = base64(item.write.readBack); // … and what it read
            v.result = item.outcome.verified ? AuditResult::Verified : AuditResult::Mismatch;
            v.message = item.outcome.verified
                            ? tr("mS-DS-ConsistencyGuid of %1 read back as written.")
                                  .arg(item.unit.row.onPremDn)
                            : tr("mS-DS-ConsistencyGuid of %1 reads back as %2; expected %3.")
                                  .arg(item.unit.row.onPremDn, shown(item.write.readBack),
                                       shown(item.newValue));
            records.append(v);
        }
    }
    if (!entries.isEmpty() && !journal(entries, RollbackJournal::Durability::Flushed))
        return;
    if (!audit(records))
        return;
    setProgress(m_items.size(), m_items.size());
    emitResult();
}

RollbackEntry OnPremBatchJob::entryFor(const Item &item, RollbackStatus status) const
{
    RollbackEntry e;
    e.cloudId = item.unit.row.cloudId;
    e.cloudUpn = item.unit.row.cloudUpn;
    e.oldImmutableId = base64(item.before.consistencyGuid);
    e.newImmutableId = base64(item.newValue);
    e.appliedAtUtc =
        status == RollbackStatus::Pending ? QDateTime() : QDateTime::currentDateTimeUtc();
    e.status = status;
    e.onPrem = true;
    e.onPremDn = item.unit.row.onPremDn;
    return e;
}

AuditRecord OnPremBatchJob::auditFor(const Item &item) const
{
    const Finding &row = item.unit.row;
    AuditRecord a;
    a.runId = m_context->identity.runId;
    a.operatorName = m_context->identity.operatorName;
    a.tenantId = m_context->identity.tenantId;
    a.rowId = QString::number(row.rowId);
    a.cloudId = row.cloudId;
    a.cloudUpn = row.cloudUpn;
    a.action = auditActionFor(row.action);
    // The audit's value columns hold mS-DS-ConsistencyGuid for an on-prem change; the
    // message names the AD user (audit.csv has no DN column).
    a.oldImmutableId = base64(item.before.consistencyGuid);
    a.newImmutableId = base64(item.newValue);
    a.result = auditResultFor(item.outcome.status);
    a.httpStatus = item.outcome.httpStatus;
    a.requestId = item.outcome.requestId;
    const QString target = tr("mS-DS-ConsistencyGuid of %1").arg(row.onPremDn);
    a.message = item.outcome.errorString.isEmpty()
                    ? tr("%1: %2 → %3")
                          .arg(target, shown(item.before.consistencyGuid), shown(item.newValue))
                    : target + QStringLiteral(": ") + item.outcome.errorString;
    return a;
}

bool OnPremBatchJob::journal(const QList<RollbackEntry> &entries,
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

bool OnPremBatchJob::audit(const QList<AuditRecord> &records)
{
    if (records.isEmpty())
        return true;
    QString error;
    if (m_context->audit->append(records, &error) && m_context->audit->sync(&error))
        return true;
    fail(AuditError, tr("Stopped: the audit file could not be written. %1").arg(error));
    emitResult();
    return false;
}
