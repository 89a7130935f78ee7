#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One entry of an object's onPremisesProvisioningErrors: a conflict the sync engine
// recorded (DESIGN.md §3 "The sync engine's own word").
struct ProvisioningError
{
    QString category;             // "PropertyConflict"
    QString propertyCausingError; // "ProxyAddresses" | "UserPrincipalName"
    QString value;                // the conflicting value ("smtp:sales@contoso.com")
    QDateTime occurredDateTime;

    // "PropertyConflict on ProxyAddresses: smtp:sales@contoso.com (2026-11-20)"
    QString text() const;

    friend bool operator==(const ProvisioningError &, const ProvisioningError &) = default;
};

// An Entra role a user holds: an active assignment, or eligibility through PIM.
struct RoleGrant
{
    RoleGrant() = default;
    RoleGrant(const QString &role, bool isEligible, const QString &groupId = {})
        : roleName(role), eligible(isEligible), viaGroupId(groupId)
    {}

    QString roleName; // "Global Administrator"
    bool eligible = false;
    // Held through a role-assignable group the user is a (transitive) member of: the
    // group's id; empty for a role assigned to the user itself.
    QString viaGroupId;

    friend bool operator==(const RoleGrant &, const RoleGrant &) = default;
};

// A user in Entra ID as read through Microsoft Graph (active or in the recycle bin).
struct CloudUser
{
    QString id;  // Graph object id
    QString upn; // userPrincipalName
    QString displayName;
    QString mail;
    QStringList proxyAddresses;
    QString immutableId;                // onPremisesImmutableId; empty = none
    std::optional<bool> syncEnabled;    // onPremisesSyncEnabled (null = never synced)
    QString onPremisesObjectIdentifier; // set = hard match blocked (since July 2026)
    // Holds an Entra role that blocks matching: any active assignment, or PIM eligibility
    // for a privileged role (2026 rules). roles names them (may be empty when only the
    // flag is known).
    bool holdsAdminRole = false;
    QList<RoleGrant> roles;
    // onPremisesSyncBehavior.isCloudManaged; read only for users that can be
    // source-of-authority converted (no onPremisesSyncEnabled, an ImmutableId).
    std::optional<bool> cloudManaged;
    QList<ProvisioningError> provisioningErrors;
    bool accountEnabled = true;
    QDateTime deletedDateTime; // set only for users in the recycle bin

    QString primarySmtp() const;

    friend bool operator==(const CloudUser &, const CloudUser &) = default;
};

// A directory object other than an active user that can hold an address: a group or a
// contact (they soft-match on proxy addresses too), or a deleted group or user.
struct DirectoryObject
{
    enum class Type { User, Group, Contact };
    Type type = Type::Group;
    QString id;
    QString displayName;
    QString mail;
    QStringList proxyAddresses;
    QString upn; // users only
    bool deleted = false;
    QList<ProvisioningError> provisioningErrors;

    // "group", "contact", "deleted group", "deleted user", …
    QString typeName() const;
    // "group Sales (id 1234…)"
    QString describe() const;

    friend bool operator==(const DirectoryObject &, const DirectoryObject &) = default;
};

struct CloudDomain
{
    QString name;
    bool federated = false; // authenticationType == "Federated"
    bool initial = false;   // the tenant's *.onmicrosoft.com domain
    bool isDefault = false;
    bool verified = true;

    // A domain's authenticationType as Graph spells it ("Federated" / "Managed"), in any case.
    static bool isFederated(QStringView authenticationType)
    {
        return authenticationType.compare(QLatin1String("Federated"), Qt::CaseInsensitive) == 0;
    }

    friend bool operator==(const CloudDomain &, const CloudDomain &) = default;
};

// Tenant-wide Entra Connect switches that change what a clear or stamp achieves.
struct TenantFlags
{
    bool blockSoftMatch = false;
    bool blockCloudObjectTakeoverThroughHardMatch = false;
    bool known = false; // read from the tenant (false: defaults, the scan could not read them)
    // features.allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled: the temporary bypass
    // of the July 2026 block; while true, Entra Connect may update
    // onPremisesObjectIdentifier, so a set value does not block a hard match.
    bool allowOnPremUpdateOfObjectIdentifier = false;

    friend bool operator==(const TenantFlags &, const TenantFlags &) = default;
};

// Everything a cloud scan yields.
struct CloudSnapshot
{
    QString tenantId;
    QList<CloudUser> users;
    QList<CloudUser> deletedUsers;
    QList<CloudDomain> domains;
    // Groups and contacts with provisioning errors or holding a conflicting address,
    // and deleted groups (DESIGN.md §3, "The sync engine's own word").
    QList<DirectoryObject> otherObjects;
    TenantFlags flags;
    std::optional<bool> directorySyncEnabled; // organization.onPremisesSyncEnabled
    QDateTime lastSyncDateTime;
    QDateTime scannedAt;
    // GET /users/delta's @odata.deltaLink taken when the users were read: a rescan reads
    // only what changed since (CloudScanJob::setPrevious). Empty = none.
    QString usersDeltaLink;
    // The $select that link was taken with: a delta answers only these properties.
    QString usersDeltaSelect;

    // The tenant's initial (*.onmicrosoft.com) domain, or empty.
    QString initialDomain() const;

    friend bool operator==(const CloudSnapshot &, const CloudSnapshot &) = default;
};
