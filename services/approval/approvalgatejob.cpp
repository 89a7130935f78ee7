#include "approvalgatejob.h"

#include "approvalsfile.h"
#include "runfiles.h"
#include "sealcheckjob.h"

ApprovalGateJob::ApprovalGateJob(const QList<Finding> &rows, const QString &planPath,
                                 bool requireSealed,
                                 const std::optional<SealExpectations> &expected,
                                 const QUrl &authorityUrl, JwksCache *cache, QObject *parent)
    : ValueJob<ApprovalGate>(parent), m_rows(rows),
      m_approvalsPath(planPath.isEmpty() ? QString() : RunFiles::approvalsFor(planPath)),
      m_requireSealed(requireSealed), m_expected(expected), m_authorityUrl(authorityUrl),
      m_cache(cache)
{}

void ApprovalGateJob::doStart()
{
    std::optional<Approvals> approvals;
    QString error;
    // A small file: read here, like apply did before the gate was a job.
    if (!m_approvalsPath.isEmpty() && !ApprovalsFile::read(m_approvalsPath, &approvals, &error)) {
        fail(UnreadableApprovals, error);
        emitResult();
        return;
    }
    if (!approvals) {
        decide(approvals, QString());
        return;
    }
    if (!m_expected) {
        decide(approvals, tr("not verified (a dry run without sign-in)"));
        return;
    }
    auto *check = new SealCheckJob(approvals.value(), *m_expected, m_authorityUrl, m_cache, this);
    m_check = check;
    connect(check, &Job::finished, this, [this, check, approvals] {
        m_check = nullptr;
        decide(approvals, check->problem());
    });
    check->start();
}

void ApprovalGateJob::doCancel()
{
    if (m_check) {
        m_check->disconnect(this);
        m_check->cancel(); // no key fetch left running for a gate nobody waits for
    }
    Job::doCancel();
}

void ApprovalGateJob::decide(const std::optional<Approvals> &approvals, const QString &problem)
{
    ApprovalGate gate = ApprovalGate::decide(m_rows, approvals, problem, m_requireSealed);
    gate.approvalsPath = m_approvalsPath;
    setValue(std::move(gate));
    emitResult();
}
