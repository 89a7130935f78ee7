#pragma once

#include "auditlog.h"
#include "cloudwriter.h"
#include "executionreport.h"
#include "executor.h"
#include "job.h"
#include "ldapanchorchange.h"
#include "ldapconfig.h"
#include "rollbackjournal.h"

#include <QPointer>
#include <QStringList>

struct RollbackSettings
{
    RunIdentity identity;
    QString rollbackPath; // the journal to replay; the undo is recorded on its rows
    QString auditPath;
    QString initialDomain; // for the UPN switch a federated-domain user needs
    QStringList federatedDomains;
    int batchSize = 20;
    // The write bind for the journal's on-prem rows (adopt_cloud_anchor undone over LDAP).
    std::optional<LdapConfig> ldap;
};

// What a rollback.csv still asks of a rollback.
struct RollbackState
{
    int toUndo = 0;           // rows a rollback must still look at (applied, pending, failed,
                              // rollback_failed)
    int rolledBack = 0;       // rows already rolled back
    int purges = 0;           // recycle-bin purges: permanent, never undone
    int onPremToUndo = 0;     // of toUndo: on-prem rows (they need an LDAP write bind)
    int identifierClears = 0; // cleared onPremisesObjectIdentifier: never undone

    bool isDone() const { return toUndo == 0; }
    // "This run is already rolled back…" / "Nothing to undo…" for a journal that is done.
    QString doneText() const;
};

// Replays a rollback.csv (finished or crashed) in reverse, once: every row it settles is
// marked in the journal, `rolled_back` (the user is back at the value before the run,
// undone now or found so) or `rollback_failed` (it could not: a failed write, a user gone
// or changed by someone since), so a second rollback sends nothing and a rollback that
// stopped half way finishes the rest when run again. For every row left: read the user
// (a `pending` row after a crash is settled by this read); put a UPN left on the
// temporary initial-domain name back first (a crash in the middle of a federated
// switch); then, where the anchor is still the value Anchorfix wrote, write the old value
// back (with the same audit and verification as apply, and the UPN switch for
// federated-domain users). A value someone has changed since is left alone; a purge is
// reported as impossible to undo. Redo is never a side effect. On-prem rows
// (adopt_cloud_anchor) are undone first, over LDAP: read the AD user; where
// mS-DS-ConsistencyGuid is still the value Anchorfix wrote, put the old value back (or
// remove the attribute), read it back; a value changed since, or a user gone, is left alone.
class RollbackJob : public Job
{
    Q_OBJECT
public:
    enum Error { FileError = UserDefinedError + 1 };

    RollbackJob(RollbackSettings settings, CloudWriter *writer, QObject *parent = nullptr);

    // Reads a journal to tell whether anything is left to undo, before signing in.
    static bool inspect(const QString &path, RollbackState *state, QString *error,
                        QString *warning = nullptr);

    // Skipped rows first (as decided before any write), then the undo outcomes.
    ExecutionReport report() const { return m_report; }
    QString warning() const { return m_warning; }
    // True when the journal had nothing left to undo: nothing was read or sent.
    bool isAlreadyDone() const { return m_alreadyDone; }
    RollbackState state() const { return m_state; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void undoOnPrem();
    void onOnPremRead(const QList<LdapAnchorState> &states, const QString &readError);
    void onOnPremWritten(const QList<int> &owners, const QList<LdapAnchorOutcome> &outcomes,
                         const QString &writeError);
    void afterOnPrem();
    void readNext();
    void restoreUpns();
    void runUndo();
    void onExecutorFinished(Job *job);
    void markFailedUndos(const QList<ChangeOutcome> &outcomes);
    void stopWith(int error, const QString &text);
    void settle(const RollbackEntry &entry, RollbackStatus status, AuditResult result,
                const QString &message, const CloudOperationResult &read = {});

    RollbackSettings m_settings;
    CloudWriter *m_writer;
    AuditLog m_audit;
    RollbackJournal m_journal;
    QList<RollbackEntry> m_entries; // cloud rows to settle, newest first
    QList<RollbackEntry> m_onPrem;  // on-prem rows to settle (undone first: apply ran them last)
    bool m_onPremBusy = false;
    QList<RollbackEntry> m_purges; // not undoable (recycle-bin purges, identifier clears)
    QList<CloudOperationResult> m_current;
    QList<RollbackEntry> m_marks; // journal marks decided from the reads
    QPointer<Executor> m_executor;
    ExecutionReport m_report;
    RollbackState m_state;
    QString m_warning;
    bool m_alreadyDone = false;
};
