#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

// An app registration the practice tenant issues tokens to. The secret exists only in
// the practice tenant file (it guards nothing real).
struct PracticeClient
{
    QString clientId;
    QString clientSecret;
    QString displayName;
    QStringList applicationPermissions; // granted to client-credentials tokens
    QStringList delegatedPermissions;   // granted to signed-in users through this app
};

// One on-prem user as a simulated Entra Connect sync cycle sees it.
struct PracticeSyncedUser
{
    QString anchor;            // sourceAnchor, base64 (mS-DS-ConsistencyGuid or objectGUID)
    QString userPrincipalName; // also the primary SMTP address for soft matching
};

// What a simulated sync cycle did, by cloud user id.
struct PracticeSyncResult
{
    QStringList joined;    // hard match (or soft match) now synced
    QStringList conflicts; // PropertyConflict raised on them
    QStringList blocked;   // InvalidHardMatch: an admin, or onPremisesObjectIdentifier set
};

struct PracticeRole
{
    QString id;
    QString displayName;
    QString roleTemplateId;
    QStringList memberIds;
};

// The practice tenant's directory: the contents of a tenant JSON file and the rules
// Entra ID applies to writes. No HTTP here.
//
// Tenant file (JSON object):
//   tenantId, displayName, operator (UPN signed in by device code / browser),
//   organization {onPremisesSyncEnabled, onPremisesLastSyncDateTime},
//   onPremisesSynchronization {features {blockSoftMatchEnabled,
//                                         blockCloudObjectTakeoverThroughHardMatchEnabled}},
//   clients [{clientId, clientSecret, displayName, applicationPermissions,
//             delegatedPermissions}],
//   domains [{id, authenticationType, isInitial, isDefault, isVerified}],
//   users [{id, userPrincipalName, displayName, mail, proxyAddresses,
//           onPremisesImmutableId, onPremisesSyncEnabled, onPremisesObjectIdentifier,
//           accountEnabled, givenName, surname, …}],
//           onPremisesProvisioningErrors [{category, propertyCausingError, value,
//                                          occurredDateTime}],
//           onPremisesSyncBehavior {isCloudManaged}, …}],
//   deletedUsers [same + deletedDateTime],
//   directoryRoles [{id, displayName, roleTemplateId, members [user ids]}] (active),
//   roleDefinitions [{id, displayName, isPrivileged, isBuiltIn}] (optional: every
//                    directory role's template gets one, privileged per Entra's list),
//   roleEligibilitySchedules [{principalId, roleDefinitionId}] (PIM eligibility),
//   groups [{id, displayName, mail, mailEnabled, securityEnabled, proxyAddresses,
//            onPremisesSyncEnabled, onPremisesProvisioningErrors, isAssignableToRole,
//            members [user or group ids]}] (a role member or eligibility principal may
//            be a group id: a role-assignable group),
//   contacts [{id, displayName, mail, proxyAddresses, onPremisesSyncEnabled,
//              onPremisesProvisioningErrors}],
//   deletedGroups [as groups + deletedDateTime]
class PracticeDirectory
{
public:
    // Empty string on success, else what is wrong with the file.
    QString load(const QJsonObject &tenant);
    QString loadFile(const QString &path);
    QJsonObject toJson() const;

    QString tenantId;
    QString displayName;
    QString operatorUpn;
    QJsonObject organization;
    QJsonObject onPremisesSynchronization;
    QList<PracticeClient> clients;
    QList<QJsonObject> domains;
    QList<QJsonObject> users;
    QList<QJsonObject> deletedUsers;
    QList<PracticeRole> roles;
    QList<QJsonObject> roleDefinitions;
    QList<QJsonObject> roleEligibilitySchedules;
    QList<QJsonObject> groups;
    QList<QJsonObject> contacts;
    QList<QJsonObject> deletedGroups;

    // Active role assignments (unifiedRoleAssignment): one per directory role member.
    QList<QJsonObject> roleAssignments() const;

    // Index into users by id or (case-insensitive) UPN; -1 when absent.
    int indexOfUser(const QString &idOrUpn) const;
    int indexOfGroup(const QString &id) const;
    // The ids of the users in a group's `members` (ids of users or groups); transitive
    // follows nested groups (each once). Sorted, no duplicates.
    QStringList userMembersOf(const QString &groupId, bool transitive) const;
    // Users Entra treats as admins when matching (2026 rules): members of a directory role
    // (active), principals of a PIM eligibility for a privileged role, and the transitive
    // user members of groups that hold either.
    QSet<QString> matchBlockingAdmins() const;
    int indexOfDeletedUser(const QString &id) const;
    const PracticeClient *client(const QString &clientId) const;
    const QJsonObject *domain(const QString &name) const;
    bool isTenantName(const QString &name) const; // tenant id or one of its domains
    bool isFederatedUpn(const QString &upn) const;
    bool isVerifiedDomainOf(const QString &upn) const;
    QString initialDomain() const;

    // The id of another active or soft-deleted user holding this value; empty if none.
    // Answered from an index (value → holders), not a scan of every user.
    QString immutableIdHolder(const QString &value, const QString &exceptId) const;
    QString upnHolder(const QString &upn, const QString &exceptId) const;

    // One Entra Connect sync cycle at `at` (DESIGN.md §7 matching rules), for the tests of
    // `verify`: an active cloud user whose onPremisesImmutableId is a user's anchor is
    // joined (onPremisesSyncEnabled true, onPremisesLastSyncDateTime `at`, its provisioning
    // errors cleared); without one, a cloud user with the same UPN and no ImmutableId is
    // soft-matched (unless blockSoftMatch); one with another ImmutableId, or a deleted
    // user holding the anchor, gets a PropertyConflict in onPremisesProvisioningErrors, as
    // Graph documents it. Admins (matchBlockingAdmins(): active, PIM-eligible for a
    // privileged role, or through a group holding a role) are never matched, and neither
    // is a cloud user whose onPremisesObjectIdentifier is set (July 2026), unless the
    // tenant's allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled bypass is on; those
    // are listed in PracticeSyncResult::blocked (InvalidHardMatch). The organization's
    // onPremisesLastSyncDateTime becomes `at`.
    PracticeSyncResult simulateSync(const QList<PracticeSyncedUser> &onPrem, const QDateTime &at);

    // Call after changing users or deletedUsers directly (tests do): rebuilds the id and
    // uniqueness indexes. Adding or removing users is noticed on its own; a change of a
    // user in place is not, unless made through setUser().
    void reindex();
    // Replaces users[i], keeping the indexes right.
    void setUser(int i, const QJsonObject &user);
    // Removes deletedUsers[i] (a purge), keeping the indexes right.
    void removeDeletedUser(int i);

    // Adds count generated cloud-only users user00001@domain … (benchmarks, paging tests).
    void addSyntheticUsers(int count, const QString &domain);

private:
    void ensureHolderIndex() const;
    void indexHolder(const QJsonObject &user) const;
    void unindexHolder(const QJsonObject &user) const;
    // The active or deleted user with this id, if any.
    const QJsonObject *userById(const QString &id) const;

    QHash<QString, int> m_userById;
    QHash<QString, int> m_deletedById;
    // Uniqueness indexes: value → ids holding it (active and deleted). Lookups check each
    // candidate against the user itself, so an index entry can never invent a holder.
    mutable QHash<QString, QStringList> m_anchorHolders;
    mutable QHash<QString, QStringList> m_upnHolders; // key: UPN in lower case
    mutable qsizetype m_indexedUsers = -1;            // sizes when built; -1 = not built
    mutable qsizetype m_indexedDeleted = -1;
};
