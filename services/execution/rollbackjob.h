#pragma once

#include "auditlog.h"
#include "cloudwriter.h"
#include "executionreport.h"
#include "executor.h"
#include "job.h"
#include "rollbackjournal.h"

#include <QPointer>
#include <QStringList>

struct RollbackSettings
{
    RunIdentity identity;
    QString rollbackPath; // the journal to replay; the undo is journaled into it too
    QString auditPath;
    QString initialDomain; // for the UPN switch a federated-domain user needs
    QStringList federatedDomains;
    int batchSize = 20;
};

// Replays a rollback.csv (finished or crashed) in reverse. For every change: read the
// user; put a UPN left on the temporary initial-domain name back first (a crash in the
// middle of a federated switch); then, where the anchor is still the value Anchorfix
// wrote, write the old value back (with the same journal, audit and verification as
// apply, and the UPN switch for federated-domain users). A value someone has changed
// since is skipped; a purge is reported as impossible to undo.
class RollbackJob : public Job
{
    Q_OBJECT
public:
    enum Error { FileError = UserDefinedError + 1 };

    RollbackJob(RollbackSettings settings, CloudWriter *writer, QObject *parent = nullptr);

    // Skipped rows first (as decided before any write), then the undo outcomes.
    ExecutionReport report() const { return m_report; }
    QString warning() const { return m_warning; }

Q_SIGNALS:
    void progressUpdated(const ExecutionProgress &progress);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void readNext();
    void restoreUpns();
    void runUndo();
    void onExecutorFinished(Job *job);
    void stopWith(int error, const QString &text);
    void auditSkipped(const RollbackEntry &entry, const QString &message,
                      const CloudOperationResult &read = {});

    RollbackSettings m_settings;
    CloudWriter *m_writer;
    AuditLog m_audit;
    RollbackJournal m_journal;
    QList<RollbackEntry> m_entries; // newest first
    QList<CloudOperationResult> m_current;
    QList<ChangeUnit> m_units;
    QPointer<Executor> m_executor;
    ExecutionReport m_report;
    QString m_warning;
};
