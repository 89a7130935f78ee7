#pragma once

#include "approvals.h"
#include "approvalseal.h"
#include "job.h"

#include <QPointer>
#include <QUrl>

class CloudSession;
class JwksCache;

// Checks an approvals file before a run (issue 17): a sealed approval's ID token against
// the tenant's published keys (IdTokenVerifyJob), then its claims and the approver/operator
// rule (ApprovalSeal::problem). The job itself always finishes without error once done;
// problem() is empty when the approval counts and otherwise says why it does not.
class SealCheckJob : public Job
{
    Q_OBJECT
public:
    SealCheckJob(const Approvals &approvals, const SealExpectations &expected,
                 const QUrl &authorityUrl, JwksCache *cache, QObject *parent = nullptr);

    QString problem() const { return m_problem; }

    // What a run signed in as session expects of an approval: the session's tenant id,
    // client id and issuer, and the operator's object id (the oid claim of the sign-in).
    static SealExpectations expectationsFor(const CloudSession &session);

protected:
    void doStart() override;

private:
    Approvals m_approvals;
    SealExpectations m_expected;
    QUrl m_authorityUrl;
    JwksCache *m_cache;
    QString m_problem;
};
