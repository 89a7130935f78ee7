#include "approvalaudit.h"

#include <algorithm>

QList<AuditRecord> ApprovalAudit::records(const ApprovalGate &gate, const QList<Finding> &rows,
                                          const RunIdentity &identity)
{
    QList<AuditRecord> records;
    const QString note = gate.auditNote();
    for (const RowApproval &v : gate.verdicts) {
        const auto row = std::find_if(rows.cbegin(), rows.cend(),
                                      [&v](const Finding &f) { return f.rowId == v.rowId; });
        AuditRecord r;
        r.runId = identity.runId;
        r.operatorName = identity.operatorName;
        r.tenantId = identity.tenantId;
        r.rowId = QString::number(v.rowId);
        if (row != rows.cend()) {
            r.cloudId = row->cloudId;
            r.cloudUpn = row->cloudUpn;
            r.action = auditActionFor(row->action);
            r.oldImmutableId = row->cloudImmutableId;
            r.newImmutableId = row->expectedImmutableId();
        }
        r.result = v.runs() ? AuditResult::Approved : AuditResult::Skipped;
        r.message = v.reason + note;
        records.append(r);
    }
    return records;
}

bool ApprovalAudit::write(const QString &auditPath, const ApprovalGate &gate,
                          const QList<Finding> &rows, const RunIdentity &identity, QString *error)
{
    if (!gate.auditsRows())
        return true;
    AuditLog audit;
    if (!audit.open(auditPath, error) || !audit.append(records(gate, rows, identity), error) ||
        !audit.sync(error))
        return false;
    audit.close();
    return true;
}
