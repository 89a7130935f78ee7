#pragma once

#include "auditlog.h"
#include "changeunit.h"
#include "cloudwriter.h"
#include "executionreport.h"
#include "job.h"
#include "ldapconfig.h"
#include "rollbackjournal.h"
#include "rollbackscript.h"
#include "runcontext.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>

struct ExecutorSettings
{
    RunIdentity identity;
    QString rollbackPath;  // rollback.csv (journal); rollback.ps1 goes beside it
    QString auditPath;     // audit.csv (appended)
    QString initialDomain; // the tenant's *.onmicrosoft.com domain (federated stamps)
    // The tenant's federated domains, for re-deriving each row's category before it runs.
    std::optional<QStringList> federatedDomains;
    // The tenant the plan was scanned in (plan.csv tenant_id); a run in another tenant is
    // refused before anything is written. Empty = not known (an older plan).
    QString planTenantId;
    int maxChanges = 500; // refuse to start above this (Entra Connect's delete threshold)
    int batchSize = 20;   // capped by the writer's maxBatchSize()
    // Batches in flight at once (1 = strictly one after the other). Only batches of
    // plain and federated stamps overlap (each touches only its own users); clears and
    // purges run alone, so that a clear lands before a stamp that may need the anchor it
    // frees. With GraphCloudWriter the next batch reads its users while the previous
    // one waits for the write quota, on a wire that still carries one call at a time.
    int concurrentBatches = 2;
    QString startMessage; // extra text for the audit's run/started row (e.g. plan age)
    // Apply starts a new journal; rollback records its undo on the rows of the journal it
    // replays (RollbackJournal::openForUndo).
    bool appendToJournal = false;
    bool writeScript = true;  // rollback.ps1 (rollback keeps the one apply wrote)
    bool writeRunRows = true; // audit run/started and run/finished (rollback writes its own)
    // The write bind for on-prem rows (adopt_cloud_anchor); asked for only when the plan
    // has such rows. A plan that has them and no bind is refused before anything is sent.
    std::optional<LdapConfig> ldap;
};

// Runs a plan's executable rows (action not none, approved where approval is required)
// against the tenant, safely. Shaped like KDE's KSequentialCompoundJob: one
// ChangeBatchJob after the other, stop at the first error, one combined progress.
// Writes rollback.csv ahead of every change, audit.csv after it, rollback.ps1 at the end.
class Executor : public Job
{
    Q_OBJECT
public:
    enum Error {
        TooManyChanges = UserDefinedError + 1,
        FileError,   // journal, audit or script could not be opened or written
        InvalidPlan, // an executable row cannot be carried out as written
    };

    Executor(QList<Finding> rows, ExecutorSettings settings, CloudWriter *writer,
             QObject *parent = nullptr);
    // Runs prepared units as they are (rollback builds its own).
    Executor(QList<ChangeUnit> units, ExecutorSettings settings, CloudWriter *writer,
             QObject *parent = nullptr);
    ~Executor() override;

    ExecutionReport report() const { return m_report; }

    // Pause stops between batches (the batches in flight run to their end); resume goes on.
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }

    // Why a plan scanned in planTenant must not run in signedInTenant; empty if it may
    // (same tenant, or either unknown).
    static QString tenantRefusal(const QString &planTenant, const QString &signedInTenant);

    // How many changes a plan asks for (what --max-changes is compared with).
    static int changeCount(const QList<Finding> &rows);
    // Does the plan write to AD (adopt_cloud_anchor rows that will run)?
    static bool hasOnPremChanges(const QList<Finding> &rows);
    // Does it change the cloud? A plan that only writes to AD needs no cloud write access.
    static bool hasCloudChanges(const QList<Finding> &rows);

    // Progress (Job::progressChanged) carries the current user and row, the rate, the time
    // left, the pause and the wait Graph imposes.
Q_SIGNALS:
    // Each row's final outcome (journaled, audited and read back), as its batch settles,
    // in the order report() lists them.
    void outcomeSettled(const ChangeOutcome &outcome);
    void pausedChanged(bool paused);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void startNextBatch();
    void onBatchFinished(Job *job);
    void finishRun();
    void stopWith(int error, const QString &text);
    void publishProgress(const QString &currentUser);
    JobProgress snapshot() const;
    void onWaitStarted(const QString &reason, qint64 delayMs);

    QList<Finding> m_rows;
    ExecutorSettings m_settings;
    RunContext m_context;
    RollbackJournal m_journal;
    AuditLog m_audit;
    QList<ChangeUnit> m_units;
    qsizetype m_next = 0;
    QList<QPointer<Job>> m_batches; // ChangeBatchJob / OnPremBatchJob in flight
    bool m_inFlightOverlappable = true;
    QString m_fatalError;
    QList<RollbackScriptStep> m_undoSteps;
    ExecutionReport m_report;
    QElapsedTimer m_clock;
    QString m_currentUser;
    int m_currentRow = 0;
    QString m_waitReason;
    qint64 m_waitUntilMs = -1; // on m_clock; -1 = no known end
    bool m_paused = false;
    bool m_journalOpen = false;
    bool m_unitsGiven = false;
};
