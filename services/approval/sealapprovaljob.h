#pragma once

#include "approvals.h"
#include "finding.h"
#include "graphconfig.h"
#include "job.h"
#include "jwkscache.h"

#include <QList>
#include <QPointer>
#include <QString>
#include <QUrl>

// The approver's side of issue 17, shared by `anchorfix approve` and the wizard's review:
// from the decisions on a plan's flagged rows, the digest of the approved rows; the
// approver's sign-in with that digest as nonce (ApprovalSignInJob); the seal checked as a
// run will check it (SealCheckJob, no operator yet); then plan.approvals.json written.
// Nothing is written unless the seal holds (an unsealed device-code approval is written,
// marked unsealed). approvals() holds what was written.
class SealApprovalJob : public Job
{
    Q_OBJECT
public:
    enum Error { SignInFailed = UserDefinedError + 1720, NotSealed, CannotWrite, BadInput };

    // rows: the plan's rows (at least those decided); tenantId: the plan's.
    SealApprovalJob(const GraphConfig &config, const QString &tenantId, const QList<Finding> &rows,
                    const QList<ApprovalDecision> &decisions, const QString &approvalsPath,
                    const QString &loginHint, QObject *parent = nullptr);

    const Approvals &approvals() const { return m_approvals; }
    QString approvalsPath() const { return m_path; }

Q_SIGNALS:
    void browserSignInRequested(const QUrl &url);
    void deviceCodeIssued(const QString &userCode, const QUrl &verificationUri,
                          const QString &message, int expiresInSeconds);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onSignedIn(Job *signIn);
    void onChecked(Job *check);

    GraphConfig m_config;
    QList<Finding> m_approvedRows;
    QString m_path;
    QString m_loginHint;
    Approvals m_approvals;
    QString m_inputProblem;
    JwksCache m_keys;
    QPointer<Job> m_current;
};
