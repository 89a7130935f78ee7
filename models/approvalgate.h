#pragma once

#include "approvals.h"
#include "approvalseal.h"
#include "finding.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

// What the approval gate decided before a run (issue 17), the same for `anchorfix apply`
// and the wizard's Execute step: the policy, the approvals file found beside the plan (if
// any), why its seal does not hold (if it does not), and one verdict per flagged row.
// Pure: ApprovalGateJob (services/approval) reads the file and checks the seal.
struct ApprovalGate
{
    bool requireSealed = false;         // "flagged rows need a second person's sealed approval"
    QString approvalsPath;              // where plan.approvals.json was looked for (may be empty)
    std::optional<Approvals> approvals; // nullopt: no approvals file
    QString problem;                    // why the approval does not count; empty: it does
    QList<RowApproval> verdicts;        // one per flagged row (ApprovalSeal::decide)

    // Decides rows (sets `approved` as the approval and the policy say).
    static ApprovalGate decide(QList<Finding> &rows, const std::optional<Approvals> &approvals,
                               const QString &problem, bool requireSealed);

    // Sets `approved` on rows as the verdicts say, so that a refused row does not run:
    // what decide() did to the rows it was given, for a copy of them.
    void applyTo(QList<Finding> &rows) const;
    // The verdict of a flagged row; nullptr for a row the gate does not decide.
    const RowApproval *verdict(int rowId) const;
    // Every verdict by row id, for a lookup per row over many rows (verdict() searches);
    // the pointers are into `verdicts`.
    QHash<int, const RowApproval *> verdictsByRowId() const;
    int refusedCount() const;
    // Something to say about approvals: a policy, an approvals file or a verdict.
    bool hasNews() const { return requireSealed || approvals || !verdicts.isEmpty(); }
    // The audit gets one row per flagged row before the run (approver, operator, seal):
    // with an approvals file or the policy. A single admin's run keeps the audit as it was.
    bool auditsRows() const { return (approvals || requireSealed) && !verdicts.isEmpty(); }
    // "; approver=…; seal=sealed|unsealed; digest=…" for a flagged row's audit message
    // (empty without an approvals file).
    QString auditNote() const;
};
