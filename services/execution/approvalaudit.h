#pragma once

#include "approvalgate.h"
#include "auditlog.h"
#include "runcontext.h"

#include <QList>

// The audit rows of the approval gate (issue 17), written before a run by `anchorfix
// apply` and the wizard alike: one per flagged row, result `approved` (it runs) or
// `skipped` (the approval does not cover it), the operator in `operator`, and the verdict
// with `approver=…; seal=…; digest=…` in `message`.
namespace ApprovalAudit {

// rows: the plan's rows (for each flagged row's user, action and anchors).
QList<AuditRecord> records(const ApprovalGate &gate, const QList<Finding> &rows,
                           const RunIdentity &identity);
// Appends records() to the audit trail at auditPath when the gate audits rows
// (ApprovalGate::auditsRows); true when there was nothing to write. On failure, *error
// says why and the run must not start.
bool write(const QString &auditPath, const ApprovalGate &gate, const QList<Finding> &rows,
           const RunIdentity &identity, QString *error);

} // namespace ApprovalAudit
