#pragma once

#include "auditlog.h"
#include "changeunit.h"
#include "cloudwriter.h"
#include "executionreport.h"
#include "job.h"
#include "rollbackjournal.h"
#include "rollbackscript.h"
#include "runcontext.h"

#include <QList>

// Carries out up to one Graph $batch worth of plan rows, step by step across the batch:
// re-read every user (a row changed since the scan is skipped as stale) → journal
// `pending` (fsynced) → purge recycle-bin holders → clear onPremisesObjectIdentifier
// (clear_object_identifier: not reversible, journaled as its own change) → switch
// federated UPNs to the initial
// domain → write the anchors → put the UPNs back (also when the write failed) → journal
// `applied`/`failed` → audit → read back and audit `verified`/`mismatch` (a written value
// that does not read back yet is read again after 0.3 s and 1 s: Entra ID replicates
// writes, and a read can briefly return the old value).
// A cancel lets the request in flight finish; changes that have not sent anything yet
// are skipped, changes that have (a purge, a UPN switch) run to their end, so a cancel
// never leaves a federated UPN switch half done.
// A write whose answer was lost is settled by the writer (read back); one it cannot settle
// is `unknown`: no applied/failed journal row (it stays `pending`, which rollback reads
// back), an audit row with result `unknown` and a message "outcome unknown: …". The
// audit rows of a batch's settled changes are fsynced before the batch goes on.
// Fails (JournalError/AuditError) only when the journal or audit cannot be written.
class ChangeBatchJob : public Job
{
    Q_OBJECT
public:
    enum Error { JournalError = UserDefinedError + 1, AuditError };

    ChangeBatchJob(QList<ChangeUnit> units, RunContext *context, QObject *parent = nullptr);

    QList<ChangeOutcome> outcomes() const;
    // The rollback.ps1 steps for what this batch changed, newest first.
    QList<RollbackScriptStep> undoSteps() const;

protected:
    void doStart() override;
    void doCancel() override {} // checked at the one point where stopping is safe

private:
    struct Item
    {
        ChangeUnit unit;
        bool live = true; // still going: not stale, no step failed
        ChangeOutcome outcome;
        CloudOperationResult purge, identifierClear, upnSwitch, write, upnRestore, verify;
        bool purgeSent = false, identifierSent = false, switchSent = false, writeSent = false,
             restoreSent = false;
        bool pendingJournaled = false;
        int verifyReads = 0;
    };
    using Step = std::function<std::optional<CloudOperation>(Item &)>;
    using Handler = std::function<void(Item &, const CloudOperationResult &)>;

    // Runs one operation for every item that step() returns one for, then handler() on
    // each answer, then next().
    void runStep(const Step &step, const Handler &handler, void (ChangeBatchJob::*next)());

    // After a cancel: items that have sent nothing yet are skipped; an item that has
    // (a purge, a UPN switch) runs to its end, so no change is left half done.
    void skipUnstartedIfCancelled();
    void readBefore();
    void journalPending();
    void purge();
    void clearIdentifier();
    void switchUpn();
    void write();
    void restoreUpn();
    void recordOutcomes();
    void verify();
    void verifyAgainOrFinish();
    void finish();

    bool journal(const QList<RollbackEntry> &entries,
                 RollbackJournal::Durability durability = RollbackJournal::Durability::Synced);
    enum class AuditDurability { Flushed, Synced };
    bool audit(const QList<AuditRecord> &records,
               AuditDurability durability = AuditDurability::Flushed);
    AuditRecord auditFor(const Item &item, AuditAction action,
                         const CloudOperationResult &result) const;

    QList<Item> m_items;
    RunContext *m_context;
    int m_verifyRound = 0;
};
