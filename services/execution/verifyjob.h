#pragma once

#include "auditlog.h"
#include "runcontext.h"

#include <job.h>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QPointer>

class GraphClient;
class GraphBatchJob;

enum class VerifyResult { Joined, WaitingForSync, SyncError };
AuditResult auditResultFor(VerifyResult result);
QString verifyResultName(VerifyResult result); // joined | waiting_for_sync | sync_error

// One change from the audit trail and what the tenant shows for it now.
struct VerifyOutcome
{
    AuditRecord change; // the `applied` row
    VerifyResult result = VerifyResult::WaitingForSync;
    QString message;
    int httpStatus = 0;
    QString requestId;
};

struct VerifySettings
{
    RunIdentity identity;
    QString auditPath;
    int syncIntervalMinutes = 30; // Entra Connect's default scheduler interval
    QDateTime now;                // "now" for the next-sync estimate; empty = the clock
};

// `anchorfix verify` and the wizard's "Check results": after the next sync cycle, did each
// change take? Re-reads every user the audit trail says was changed (the last `applied`
// stamp, clear or adopt_cloud_anchor per cloud user, unless rolled back since) with
// $batch requests of 20 (inner 429s wait for their Retry-After, as in the scan), plus the
// organization's last sync time, and appends one audit row per change:
//   joined            a sync ran after the change (the user's or the tenant's
//                     onPremisesLastSyncDateTime is later than the change's audit time)
//                     and the user is synced with the planned anchor;
//   sync_error        its onPremisesProvisioningErrors (their text is the message);
//   waiting_for_sync  not yet; the message gives the tenant's last sync and the next one.
class VerifyJob : public Job
{
    Q_OBJECT
public:
    enum Error { AuditFileError = UserDefinedError + 1, ReadFailed };

    VerifyJob(GraphClient *client, VerifySettings settings, QObject *parent = nullptr);

    QList<VerifyOutcome> outcomes() const { return m_outcomes; }
    int count(VerifyResult result) const;
    bool allJoined() const { return count(VerifyResult::Joined) == m_outcomes.size(); }
    QDateTime tenantLastSync() const { return m_tenantLastSync; }

    // The changes an audit trail asks to verify, oldest first (pure; for tests too).
    static QList<AuditRecord> changesToVerify(const QList<AuditRecord> &audit);
    // What `user` (a Graph user with the verify $select; empty with status 404 when gone)
    // says about `change`.
    static VerifyOutcome evaluate(const AuditRecord &change, const QJsonObject &user,
                                  int httpStatus, const QDateTime &tenantLastSync,
                                  const QDateTime &now, int syncIntervalMinutes);
    static QString userSelect();

protected:
    void doStart() override;
    void doCancel() override;

private:
    void readOrganization();
    void nextBatch();
    void onBatchFinished(GraphBatchJob *job);
    void finishWithError(int error, const QString &text);

    QPointer<GraphClient> m_client;
    VerifySettings m_settings;
    AuditLog m_audit;
    QList<AuditRecord> m_changes;
    QList<VerifyOutcome> m_outcomes;
    QDateTime m_tenantLastSync;
    int m_next = 0;
    QPointer<Job> m_current;
};
