#pragma once

#include "approvals.h"
#include "finding.h"
#include "jwt.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

// What execution expects of a second person's approval (issue 17).
struct SealExpectations
{
    QString tenantId;    // the tenant the operator is signed in to (its id)
    QString clientId;    // this app: the ID token's audience
    QString issuer;      // "{authority}/{tenant id}/v2.0"
    QString operatorOid; // the operator's object id (empty for an app-only sign-in)
    QString operatorName;
    QDateTime nowUtc;
    int maxAgeDays = 30; // an approval older than this is stale
};

// How one flagged row stands with the approval.
enum class RowApprovalStatus {
    PlanColumn, // no approvals file and no policy: plan.csv's approved column decides
    Sealed,     // approved, sealed, row unchanged: runs
    Unsealed,   // approved with a device-code sign-in (no seal), allowed by the policy: runs
    Refused,    // not run: see reason
};

struct RowApproval
{
    int rowId = 0;
    RowApprovalStatus status = RowApprovalStatus::Refused;
    QString reason; // for Refused: why it is not run; otherwise who approved it and how
    bool runs() const { return status != RowApprovalStatus::Refused; }

    friend bool operator==(const RowApproval &, const RowApproval &) = default;
};

// Pure checks of an approval: the claims of its ID token (whose RS256 signature the
// caller has verified against the tenant's published keys), and each flagged row against
// the approval. No I/O.
namespace ApprovalSeal {

// Empty when the approval counts (sealed or not), else why not: a sealed approval needs
// a verified token (signatureProblem empty) from the expected issuer and tenant, for this
// app, with nonce = the file's digest = the digest of the approved rows' digests, issued
// no later than and not expired at the approval time, not older than maxAgeDays, naming
// the file's approver; and the approver must not be the operator.
QString problem(const Approvals &approvals, const std::optional<Jwt> &token,
                const QString &signatureProblem, const SealExpectations &expected);

// Decides every flagged row (requires approval, action not none) of rows: sets `approved`
// as the approval says and returns one verdict per flagged row. approvals = nullopt: no
// approvals file. approvalProblem: problem() (or why the file could not be read).
// requireSealed: the policy "flagged rows need a second person's sealed approval".
QList<RowApproval> decide(QList<Finding> &rows, const std::optional<Approvals> &approvals,
                          const QString &approvalProblem, bool requireSealed);

// The issuer of the tenant's v2.0 ID tokens: "{authority}/{tenant id}/v2.0".
QString issuerFor(const QString &authorityUrl, const QString &tenantId);

// "alice@contoso.com (oid 1234…)" for messages and the audit.
QString approverText(const Approvals &approvals);

} // namespace ApprovalSeal
