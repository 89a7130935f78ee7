#pragma once

#include <QString>

class AuditLog;
class CloudWriter;
class RollbackJournal;

// Who runs what where: stamped on every audit row and into rollback.ps1.
struct RunIdentity
{
    QString runId;
    QString operatorName; // signed-in account, or app:<client id>
    QString tenantId;
    QString graphUrl = QStringLiteral("https://graph.microsoft.com");
};

// What the sub-jobs of a run share. Owned by the compound job.
struct RunContext
{
    RunIdentity identity;
    RollbackJournal *journal = nullptr;
    AuditLog *audit = nullptr;
    CloudWriter *writer = nullptr;
};
