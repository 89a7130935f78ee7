#pragma once

#include "approvalgate.h"
#include "approvalseal.h"
#include "valuejob.h"

#include <QList>
#include <QPointer>
#include <QUrl>

#include <optional>

class JwksCache;

// The approval gate before a run (issue 17), one for `anchorfix apply` and the wizard:
// reads plan.approvals.json beside the plan, checks its seal (SealCheckJob: the ID token
// against the tenant's published keys, its claims, approver ≠ operator), and decides every
// flagged row (ApprovalGate::decide). The value is the gate; rows() are the rows with
// `approved` set as it decided. Fails only when the approvals file exists but cannot be
// read (UnreadableApprovals): a run must not go ahead on a guess then.
class ApprovalGateJob : public ValueJob<ApprovalGate>
{
    Q_OBJECT
public:
    enum Error { UnreadableApprovals = UserDefinedError + 1730 };

    // planPath empty: a plan from no file (a scan), so no approvals. expected nullopt: no
    // sign-in (a dry run): an approvals file is then not accepted, as it cannot be verified.
    // cache: the tenant's keys, kept by the caller (outlives the job).
    ApprovalGateJob(const QList<Finding> &rows, const QString &planPath, bool requireSealed,
                    const std::optional<SealExpectations> &expected, const QUrl &authorityUrl,
                    JwksCache *cache, QObject *parent = nullptr);

    const QList<Finding> &rows() const { return m_rows; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void decide(const std::optional<Approvals> &approvals, const QString &problem);

    QList<Finding> m_rows;
    QString m_approvalsPath;
    bool m_requireSealed;
    std::optional<SealExpectations> m_expected;
    QUrl m_authorityUrl;
    JwksCache *m_cache;
    QPointer<Job> m_check;
};
