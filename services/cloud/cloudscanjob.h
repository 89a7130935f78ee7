#pragma once

#include "clouduser.h"
#include "graphresult.h"
#include "job.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QString>

class GraphClient;
class GraphRequestJob;

// Reads the whole tenant into a CloudSnapshot: users ($select of every property the
// reconciler needs, $top=999, following @odata.nextLink), soft-deleted users, domains,
// organization, onPremisesSynchronization features, and the members of every activated
// directory role (GET /directoryRoles, /directoryRoles/{id}/members) → holdsAdminRole.
// Each page is parsed and appended as it arrives; progressChanged counts users read.
class CloudScanJob : public Job
{
    Q_OBJECT
public:
    enum Error { RequestFailed = UserDefinedError + 1 };

    explicit CloudScanJob(GraphClient *client);

    CloudSnapshot snapshot() const { return m_snapshot; }
    // The failed request when error() == RequestFailed.
    GraphResult failedRequest() const { return m_failed; }
    int pagesRead() const { return m_pages; }
    // Things the scan could not read but did not need to stop for (for the scan summary).
    QStringList warnings() const { return m_warnings; }
    // false when the tenant's sync feature flags could not be read (403): the snapshot's
    // flags are then the defaults, not the tenant's.
    bool tenantFlagsKnown() const { return m_flagsKnown; }
    // JSON bytes received and parsed.
    qint64 bytesRead() const { return m_bytes; }
    // $top for the user and recycle-bin pages (1..999; default 999).
    void setPageSize(int size) { m_pageSize = size; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    enum class Stage {
        Users,
        DeletedUsers,
        Domains,
        Organization,
        SyncFeatures,
        Roles,
        RoleMembers,
        Done
    };
    void runGet(const QString &pathOrNextLink, const char *permission);
    void onPage(GraphRequestJob *job);
    void nextStage();
    void consume(const QJsonObject &page);
    bool skippedWithoutId(const CloudUser &user); // true (and a warning) for a user with no id

    QPointer<GraphClient> m_client;
    QPointer<GraphRequestJob> m_current;
    Stage m_stage = Stage::Users;
    CloudSnapshot m_snapshot;
    QStringList m_roleIds;
    int m_roleIndex = 0;
    QHash<QString, int> m_userIndex; // id → index in m_snapshot.users
    QSet<QString> m_adminIds;
    GraphResult m_failed;
    int m_pages = 0;
    int m_pageSize = 999;
    qint64 m_bytes = 0;
    QStringList m_warnings;
    bool m_flagsKnown = false;
    bool m_withoutObjectIdentifier = false;
};
