#pragma once

#include <QString>
#include <QStringList>

#include <optional>

class AuditLog;
class CloudWriter;
class RollbackJournal;
struct LdapConfig;

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
    // The write bind for on-prem rows (adopt_cloud_anchor); nullptr = none given.
    const LdapConfig *ldap = nullptr;
    // Rows from a plan file: each row's category and allowed actions are re-derived from
    // the fresh read before it runs (Recheck); a row the tenant no longer agrees with is
    // stale. Rollback's own units are not plan rows and are not rechecked.
    bool recheckRows = false;
    std::optional<QStringList> federatedDomains; // nullopt = not known
};
