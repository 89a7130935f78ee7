#include "sealapprovaljob.h"

#include "approvaldigest.h"
#include "approvalsfile.h"
#include "approvalsigninjob.h"
#include "sealcheckjob.h"

SealApprovalJob::SealApprovalJob(const GraphConfig &config, const QString &tenantId,
                                 const QList<Finding> &rows,
                                 const QList<ApprovalDecision> &decisions,
                                 const QString &approvalsPath, const QString &loginHint,
                                 QObject *parent)
    : Job(parent), m_config(config), m_path(approvalsPath), m_loginHint(loginHint)
{
    m_approvals.tenantId = tenantId;
    if (tenantId.isEmpty())
        m_inputProblem = tr("The plan does not name the tenant it was scanned in (no tenant_id "
                            "column): it cannot be sealed. Ask the operator to scan again.");
    for (ApprovalDecision d : decisions) {
        const auto row = std::find_if(rows.cbegin(), rows.cend(),
                                      [&d](const Finding &f) { return f.rowId == d.rowId; });
        if (row == rows.cend()) {
            m_inputProblem = tr("Row %1 is not in the plan.").arg(d.rowId);
            continue;
        }
        d.rowDigest = d.approved ? ApprovalDigest::rowDigest(*row) : QString();
        if (d.approved)
            m_approvedRows.append(*row);
        m_approvals.decisions.append(d);
    }
    m_approvals.digest = ApprovalDigest::sealDigest(tenantId, m_approvedRows);
}

void SealApprovalJob::doStart()
{
    if (!m_inputProblem.isEmpty()) {
        fail(BadInput, m_inputProblem);
        emitResult();
        return;
    }
    auto *signIn = new ApprovalSignInJob(m_config, m_approvals.digest, m_loginHint, this);
    connect(signIn, &ApprovalSignInJob::browserSignInRequested, this,
            &SealApprovalJob::browserSignInRequested);
    connect(signIn, &ApprovalSignInJob::deviceCodeIssued, this, &SealApprovalJob::deviceCodeIssued);
    connect(signIn, &Job::infoMessage, this, &Job::infoMessage);
    connect(signIn, &Job::finished, this, &SealApprovalJob::onSignedIn);
    m_current = signIn;
    signIn->start();
}

void SealApprovalJob::doCancel()
{
    if (m_current)
        m_current->cancel();
    else
        Job::doCancel();
}

void SealApprovalJob::onSignedIn(Job *job)
{
    auto *signIn = static_cast<ApprovalSignInJob *>(job);
    if (signIn->error() != NoError) {
        fail(signIn->error() == Cancelled ? int(Cancelled) : int(SignInFailed),
             signIn->errorString() + u' ' + tr("Nothing was written."));
        emitResult();
        return;
    }
    QString why;
    const std::optional<Jwt> token = Jwt::parse(signIn->idToken(), &why);
    if (!token) {
        fail(NotSealed,
             tr("The sign-in's ID token is not usable: %1. Nothing was written.").arg(why));
        emitResult();
        return;
    }
    m_approvals.idToken = signIn->idToken();
    m_approvals.sealed = signIn->isSealed();
    m_approvals.approvedAtUtc = QDateTime::currentDateTimeUtc();
    m_approvals.approverUpn = token->claim("preferred_username");
    m_approvals.approverOid = token->claim("oid");
    m_approvals.approverName = token->claim("name");
    SealExpectations expected;
    expected.tenantId = m_approvals.tenantId;
    expected.clientId = m_config.clientId;
    expected.issuer =
        ApprovalSeal::issuerFor(m_config.authorityUrl.toString(), m_approvals.tenantId);
    expected.nowUtc = m_approvals.approvedAtUtc;
    auto *check = new SealCheckJob(m_approvals, expected, m_config.authorityUrl, &m_keys, this);
    connect(check, &Job::finished, this, &SealApprovalJob::onChecked);
    m_current = check;
    check->start();
}

void SealApprovalJob::onChecked(Job *job)
{
    const QString problem = static_cast<SealCheckJob *>(job)->problem();
    QString error;
    if (!problem.isEmpty())
        fail(NotSealed,
             tr("The approval could not be sealed: %1. Nothing was written.").arg(problem));
    else if (!ApprovalsFile::write(m_path, m_approvals, &error))
        fail(CannotWrite, error);
    emitResult();
}
