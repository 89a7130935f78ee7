#pragma once

#include "clouduser.h"
#include "graphclient.h"
#include "graphresult.h"
#include "job.h"

#include <QHash>
#include <QJsonArray>
#include <QPointer>
#include <QSet>
#include <QString>

class GraphBatchJob;
class GraphRequestJob;
class PartitionedUserReadJob;

// Reads the whole tenant into a CloudSnapshot (DESIGN.md §3, §7), each page parsed and
// appended as it arrives; progressChanged counts users read. The users (or, on a rescan,
// their changes) and the small collections below are read at the same time: the small
// ones do not depend on the users and each costs a page's latency, so read one after the
// other they took longer than a rescan's delta. What needs the users (role groups,
// address holders, the source of authority) follows once everything else is in.
//  - users and soft-deleted users ($select of every property the reconciler needs,
//    $top=999, @odata.nextLink), in parallel partitions checked against $count when the
//    tenant is big (PartitionedUserReadJob); domains, organization,
//    onPremisesSynchronization features;
//  - Entra roles: role definitions (beta, for isPrivileged; v1.0 if beta refuses), active
//    role assignments and PIM eligibility schedules → holdsAdminRole and roles (any active
//    role, or eligibility for a privileged one); a principal that is a role-assignable
//    group passes its roles to its transitive user members
//    (/groups/{id}/transitiveMembers/microsoft.graph.user; a 404 = not a group);
//  - the sync engine's onPremisesProvisioningErrors of users, groups and contacts (the
//    advanced $filter …/any(…) with ConsistencyLevel: eventual and $count=true), deleted
//    groups, and the groups and contacts that hold a conflicting address (looked up in
//    $batch of 20);
//  - onPremisesSyncBehavior.isCloudManaged of the users a source-of-authority conversion
//    can have produced (no onPremisesSyncEnabled, an ImmutableId), in $batch of 20.
// What it cannot read without stopping (a missing permission for PIM, groups, contacts or
// the source of authority; isPrivileged) is a warning that says what to grant.
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
    // Requests sent: plain GETs (each page one) and $batch POSTs.
    int requestsSent() const { return m_requests; }
    int batchesSent() const { return m_batches; }
    // A rescan: the users are the previous scan's with the changes since its delta link
    // (GET /users/delta), everything else is read again. An expired or refused delta link
    // means a full read, and a warning says why. Call before start().
    void setPrevious(const CloudSnapshot &previous) { m_previous = previous; }
    // The $select lists the users are read with (with onPremisesObjectIdentifier, and
    // without it for a Graph that refuses it): a delta link taken with another one does
    // not answer for the properties this version reads.
    static QStringList userSelects();
    // Whether the users came from a delta read of the previous scan.
    bool usersFromDelta() const { return m_usersFromDelta; }
    // Why a rescan read every user after all (an expired or refused delta link); empty
    // when it read only the changes or was no rescan.
    QString fullReadReason() const { return m_fullReadReason; }
    // Requests in flight at once while reading users (default 6: QNetworkAccessManager
    // opens at most six connections to one host).
    void setMaxInFlight(int requests) { m_maxInFlight = requests; }
    // Tenants with more users than this are read in partitions (default: two pages).
    void setPartitionThreshold(qint64 users) { m_partitionThreshold = users; }
    // Whether the users were read in partitions (checked against $count), and how many.
    bool usersPartitioned() const { return m_usersPartitioned; }
    int partitionsRead() const { return m_partitionsRead; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    enum class Stage {
        UsersDeltaLink, // /users/delta?$deltatoken=latest before a full read
        UsersDelta,     // a rescan: the changes since the previous scan's delta link
        Users,
        DeletedUsers,
        Domains,
        Organization,
        SyncFeatures,
        RoleDefinitions,
        RoleAssignments,
        RoleEligibility,
        RoleGroups, // members of groups that hold a role (role-assignable groups)
        UserErrors,
        GroupErrors,
        ContactErrors,
        DeletedGroups,
        Holders,
        SyncBehavior,
        Done
    };
    void readUsers(bool deleted);
    void startUsers();
    void startFacts(); // every small collection, in parallel with the users
    QString usersSelect() const;
    void mergeDelta(const QJsonArray &values);
    void fullReadAfterDelta(const QString &why);
    void onUsersRead(PartitionedUserReadJob *job, bool deleted);
    void runGet(Stage stage, const QString &pathOrNextLink);
    void onPage(Stage stage, GraphRequestJob *job);
    // A stage that may fail without stopping the scan: true when handled (warning added).
    bool tolerate(Stage stage, const GraphResult &result);
    void stageDone(Stage stage);
    void afterFacts(); // users and small collections in: what needs both
    void consume(Stage stage, const QJsonObject &page);
    bool skippedWithoutId(const CloudUser &user); // true (and a warning) for a user with no id
    void applyUserErrors();
    void applyGrants();
    void finishRoles();
    void failWith(const GraphResult &result, const QString &message);
    void cancelAll();
    void startHolderLookups();
    void startSyncBehaviorReads();
    QList<GraphBatchRequest> requestsFor(const QStringList &batch) const;
    void runBatch(const QList<GraphBatchRequest> &requests);
    void onBatch(GraphBatchJob *job);
    void finish();

    QPointer<GraphClient> m_client;
    QList<QPointer<GraphRequestJob>> m_gets; // in flight
    QPointer<GraphBatchJob> m_currentBatch;
    QPointer<PartitionedUserReadJob> m_userRead;
    QPointer<PartitionedUserReadJob> m_deletedRead;
    CloudSnapshot m_previous;
    bool m_usersFromDelta = false;
    QString m_fullReadReason;
    bool m_usersDone = false;
    QList<Stage> m_factsRunning; // small collections not finished yet
    bool m_deltaLinkRetried = false;
    int m_maxInFlight = 6;
    qint64 m_partitionThreshold = -1;
    bool m_usersPartitioned = false;
    int m_partitionsRead = 0;
    Stage m_stage = Stage::Users; // after the facts: RoleGroups, Holders, SyncBehavior, Done
    CloudSnapshot m_snapshot;
    QHash<QString, int> m_userIndex;       // id → index in m_snapshot.users
    QHash<QString, QString> m_roleNames;   // role definition id → display name
    QHash<QString, bool> m_rolePrivileged; // role definition id → isPrivileged (beta)
    bool m_privilegeKnown = false;
    bool m_rolesFromBeta = true;
    QHash<QString, QList<RoleGrant>> m_grants; // principal id → roles
    // Pages kept until what they need is in: assignments and eligibility need the role
    // definitions, provisioning errors the users.
    QList<QJsonArray> m_assignmentPages;
    QList<QJsonArray> m_eligibilityPages;
    QList<QJsonArray> m_userErrorPages;
    // RoleGroups: principals that are no user (a group, or a service principal), read one
    // by one; the one being read; roles its members hold through it.
    QStringList m_roleGroupQueue;
    QString m_roleGroup;
    QHash<QString, QList<RoleGrant>> m_groupGrants; // member user id → roles via groups
    void nextRoleGroup();
    QList<QStringList> m_pendingBatches; // Holders: values; SyncBehavior: user ids
    int m_batchIndex = 0;
    int m_behaviorDenied = 0;
    int m_behaviorFailed = 0;
    int m_holderLookupsFailed = 0; // refused for another reason than a missing permission
    QString m_holderLookupAnswer;  // the first such answer, for the warning
    int m_behaviorRead = 0;
    GraphResult m_failed;
    int m_pages = 0;
    int m_pageSize = 999;
    int m_requests = 0;
    int m_batches = 0;
    qint64 m_bytes = 0;
    QStringList m_warnings;
    bool m_flagsKnown = false;
    bool m_withoutObjectIdentifier = false;
};
