#pragma once

#include "auditlog.h"
#include "changeunit.h"
#include "executionreport.h"
#include "job.h"
#include "ldapanchorchange.h"
#include "rollbackjournal.h"
#include "rollbackscript.h"
#include "runcontext.h"

#include <QList>
#include <QPointer>

// Carries out on-prem plan rows (adopt_cloud_anchor: the cloud user's ImmutableId into the
// AD user's mS-DS-ConsistencyGuid) with the same safety as ChangeBatchJob:
// re-read the cloud user (its anchor must still be the one the plan adopts) → read the AD
// user over LDAP (its anchor must still be the one the scan saw, else `stale` and nothing
// written) → journal `pending` with the old mS-DS-ConsistencyGuid (side=onprem, fsynced) →
// modify over LDAP on the worker thread (LdapAnchorWriteJob: checks the value once more,
// writes, reads back) → journal `applied`/`failed` → audit the change and its
// `verified`/`mismatch` read-back. A modify whose answer was lost and that could not be
// read back is `unknown`: its journal row stays `pending` and rollback reads it back.
// Fails (JournalError/AuditError) only when the journal or audit cannot be written.
class OnPremBatchJob : public Job
{
    Q_OBJECT
public:
    enum Error { JournalError = UserDefinedError + 1, AuditError };

    OnPremBatchJob(QList<ChangeUnit> units, RunContext *context, QObject *parent = nullptr);

    QList<ChangeOutcome> outcomes() const;
    // The rollback.ps1 steps for what this batch changed, newest first.
    QList<RollbackScriptStep> undoSteps() const;

protected:
    void doStart() override;
    void doCancel() override {} // checked before the journal and before the write

private:
    struct Item
    {
        ChangeUnit unit;
        bool live = true;
        ChangeOutcome outcome;
        QByteArray objectGuid; // from the plan; checked by every LDAP read
        QByteArray newValue;   // 16 bytes
        LdapAnchorState before;
        bool pendingJournaled = false;
        bool sent = false; // handed to the write job
        bool written = false;
        LdapAnchorOutcome write;
    };

    void readCloud();
    void readDirectory();
    void journalPending();
    void writeDirectory();
    void recordOutcomes();
    void settle(Item &item, ChangeStatus status, const QString &message);

    bool journal(const QList<RollbackEntry> &entries, RollbackJournal::Durability durability);
    bool audit(const QList<AuditRecord> &records);
    AuditRecord auditFor(const Item &item) const;
    RollbackEntry entryFor(const Item &item, RollbackStatus status) const;

    QList<Item> m_items;
    RunContext *m_context;
};
