#include "approvalgate.h"

#include <algorithm>

ApprovalGate ApprovalGate::decide(QList<Finding> &rows, const std::optional<Approvals> &approvals,
                                  const QString &problem, bool requireSealed)
{
    ApprovalGate gate;
    gate.requireSealed = requireSealed;
    gate.approvals = approvals;
    gate.problem = problem;
    gate.verdicts = ApprovalSeal::decide(rows, approvals, problem, requireSealed);
    return gate;
}

void ApprovalGate::applyTo(QList<Finding> &rows) const
{
    const QHash<int, const RowApproval *> byRowId = verdictsByRowId();
    // Writes only what changes: a write to a shared list copies every row first.
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const RowApproval *v = byRowId.value(rows.at(i).rowId);
        if (v && rows.at(i).approved != v->runs())
            rows[i].approved = v->runs();
    }
}

QHash<int, const RowApproval *> ApprovalGate::verdictsByRowId() const
{
    QHash<int, const RowApproval *> byRowId;
    byRowId.reserve(verdicts.size());
    for (const RowApproval &v : verdicts)
        byRowId.insert(v.rowId, &v);
    return byRowId;
}

const RowApproval *ApprovalGate::verdict(int rowId) const
{
    const auto it = std::find_if(verdicts.cbegin(), verdicts.cend(),
                                 [rowId](const RowApproval &v) { return v.rowId == rowId; });
    return it == verdicts.cend() ? nullptr : &*it;
}

int ApprovalGate::refusedCount() const
{
    return int(std::count_if(verdicts.cbegin(), verdicts.cend(),
                             [](const RowApproval &v) { return !v.runs(); }));
}

QString ApprovalGate::auditNote() const
{
    if (!approvals)
        return {};
    return QStringLiteral("; approver=%1; seal=%2; digest=%3")
        .arg(ApprovalSeal::approverText(*approvals),
             approvals->sealed ? QStringLiteral("sealed") : QStringLiteral("unsealed"),
             approvals->digest);
}
