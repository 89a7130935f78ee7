#include "approvalgate.h"

#include <QHash>

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
    QHash<int, bool> runs;
    runs.reserve(verdicts.size());
    for (const RowApproval &v : verdicts)
        runs.insert(v.rowId, v.runs());
    // Writes only what changes: a write to a shared list copies every row first.
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const auto it = runs.constFind(rows.at(i).rowId);
        if (it != runs.cend() && rows.at(i).approved != it.value())
            rows[i].approved = it.value();
    }
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
