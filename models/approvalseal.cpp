#include "approvalseal.h"

#include "approvaldigest.h"

#include <QCoreApplication>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ApprovalSeal", text);
}

constexpr qint64 ClockSkewS = 300; // tolerated between the approver's clock and Entra's

QString utc(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

QString ApprovalSeal::issuerFor(const QString &authorityUrl, const QString &tenantId)
{
    QString authority = authorityUrl;
    while (authority.endsWith(u'/'))
        authority.chop(1);
    return authority + u'/' + tenantId + QLatin1String("/v2.0");
}

QString ApprovalSeal::approverText(const Approvals &a)
{
    const QString who = a.approverUpn.isEmpty() ? a.approverName : a.approverUpn;
    return a.approverOid.isEmpty() ? who : tr("%1 (oid %2)").arg(who, a.approverOid);
}

QString ApprovalSeal::problem(const Approvals &a, const std::optional<Jwt> &token,
                              const QString &signatureProblem, const SealExpectations &e)
{
    if (!a.tenantId.isEmpty() && !e.tenantId.isEmpty() &&
        a.tenantId.compare(e.tenantId, Qt::CaseInsensitive) != 0)
        return tr("the approval is for tenant %1, not the tenant signed in to (%2)")
            .arg(a.tenantId, e.tenantId);
    QString approverOid = a.approverOid;
    if (a.sealed) {
        if (!token)
            return tr("the seal's ID token is not a valid JWT: %1").arg(signatureProblem);
        if (!signatureProblem.isEmpty())
            return tr("the seal's signature does not verify against the tenant's published keys "
                      "(%1): the ID token was not issued by the tenant, or was altered")
                .arg(signatureProblem);
        const Jwt &t = *token;
        if (t.claim("tid").compare(e.tenantId, Qt::CaseInsensitive) != 0)
            return tr("the seal was issued by tenant %1, not by the tenant signed in to (%2)")
                .arg(t.claim("tid"), e.tenantId);
        if (t.claim("iss") != e.issuer)
            return tr("the seal's issuer is %1, not %2").arg(t.claim("iss"), e.issuer);
        if (t.claim("aud") != e.clientId)
            return tr("the seal was issued to app %1, not to this app (%2)")
                .arg(t.claim("aud"), e.clientId);
        const auto iat = t.timeClaim("iat");
        const auto exp = t.timeClaim("exp");
        if (!iat || !exp)
            return tr("the seal has no issue or expiry time (iat, exp)");
        const qint64 at = a.approvedAtUtc.toSecsSinceEpoch();
        if (at > *exp)
            return tr("the seal had expired at the approval time (%1; the ID token expired at %2)")
                .arg(a.approvedAtUtc.toString(Qt::ISODate), utc(*exp));
        if (at + ClockSkewS < *iat)
            return tr("the approval time (%1) is before the seal was issued (%2)")
                .arg(a.approvedAtUtc.toString(Qt::ISODate), utc(*iat));
        if (e.nowUtc.isValid() && e.nowUtc.toSecsSinceEpoch() - *iat > qint64(e.maxAgeDays) * 86400)
            return tr("the approval is older than %1 days (sealed at %2): ask for a new approval")
                .arg(e.maxAgeDays)
                .arg(utc(*iat));
        if (t.claim("nonce").isEmpty())
            return tr("the seal carries no nonce: it does not bind any rows");
        if (t.claim("nonce") != a.digest)
            return tr("the seal's nonce is not the approvals file's digest: the file was "
                      "altered after signing");
        if (ApprovalDigest::sealDigest(a.tenantId, a.approvedRowDigests()) != a.digest)
            return tr("the approved rows in the approvals file are not the ones sealed: the "
                      "file was altered after signing");
        approverOid = t.claim("oid");
        if (approverOid.isEmpty() || approverOid != a.approverOid)
            return tr("the seal names approver %1, the approvals file %2")
                .arg(approverOid, a.approverOid);
    }
    if (!e.operatorOid.isEmpty() && approverOid.compare(e.operatorOid, Qt::CaseInsensitive) == 0)
        return tr("%1 approved the plan and is also the one running it: a second person must "
                  "approve")
            .arg(approverText(a));
    return {};
}

QList<RowApproval> ApprovalSeal::decide(QList<Finding> &rows,
                                        const std::optional<Approvals> &approvals,
                                        const QString &approvalProblem, bool requireSealed)
{
    QList<RowApproval> verdicts;
    // Read through a const row and write, last, only what changes: the rows are often
    // shared (the wizard's table), and a write to a shared list first copies every row
    // (leaving `row` on the old copy).
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const Finding &row = std::as_const(rows).at(i);
        if (!row.needsApproval() || row.action == Action::None)
            continue;
        std::optional<bool> decided;
        const auto setApproved = [&](bool approved) {
            decided = approved;
        };
        const auto commit = [&] {
            if (decided && *decided != std::as_const(rows).at(i).approved)
                rows[i].approved = *decided;
        };
        RowApproval v;
        v.rowId = row.rowId;
        const auto refuse = [&](const QString &why) {
            v.status = RowApprovalStatus::Refused;
            v.reason = why;
            setApproved(false);
        };
        if (!approvals) {
            if (requireSealed)
                refuse(tr("needs a second person's sealed approval (anchorfix approve), and the "
                          "plan has none"));
            else {
                v.status = RowApprovalStatus::PlanColumn;
                v.reason = row.approved ? tr("approved in plan.csv") : tr("not approved");
            }
            if (!v.runs() || row.approved)
                verdicts.append(v);
            commit();
            continue;
        }
        const Approvals &a = *approvals;
        const QString who = approverText(a);
        const ApprovalDecision *d = a.decision(row.rowId);
        if (!d)
            refuse(tr("not covered by the approval of %1 (the row was not reviewed)").arg(who));
        else if (!d->approved)
            refuse(d->reason.isEmpty() ? tr("rejected by %1").arg(who)
                                       : tr("rejected by %1: %2").arg(who, d->reason));
        else if (!approvalProblem.isEmpty())
            refuse(tr("the approval by %1 is not accepted: %2").arg(who, approvalProblem));
        else if (ApprovalDigest::rowDigest(row) != d->rowDigest)
            refuse(tr("the row changed after %1 approved it (its category, action, users or "
                      "values differ from what was approved): ask for a new approval")
                       .arg(who));
        else if (!a.sealed && requireSealed)
            refuse(tr("approved by %1 with a device-code sign-in, which cannot seal an "
                      "approval, and the policy requires a sealed approval")
                       .arg(who));
        else {
            v.status = a.sealed ? RowApprovalStatus::Sealed : RowApprovalStatus::Unsealed;
            v.reason = a.sealed ? tr("approved by %1, sealed (digest %2)").arg(who, a.digest)
                                : tr("approved by %1, unsealed (device-code sign-in)").arg(who);
            setApproved(true);
        }
        verdicts.append(v);
        commit();
    }
    return verdicts;
}
