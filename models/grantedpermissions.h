#pragma once

#include <QString>
#include <QStringList>

// Microsoft Graph permission names, as tokens carry them and as advice texts name them.
namespace GraphPermission {
inline constexpr const char *UserRead = "User.Read.All";
inline constexpr const char *DomainRead = "Domain.Read.All";
inline constexpr const char *OrganizationRead = "Organization.Read.All";
inline constexpr const char *RoleRead = "RoleManagement.Read.Directory";
// GET /directory/onPremisesSynchronization (the tenant's blockSoftMatch and
// blockCloudObjectTakeoverThroughHardMatch flags) documents no other read permission.
inline constexpr const char *SyncRead = "OnPremDirectorySynchronization.Read.All";
inline constexpr const char *UserWrite = "User.ReadWrite.All";
// Permanent deletion from the recycle bin (delegated or application). Older docs: the
// delegated User.ReadWrite.All; an application's User.ReadWrite.All cannot purge.
inline constexpr const char *UserDeleteRestore = "User.DeleteRestore.All";
// Provisioning errors and addresses of groups and contacts, deleted groups.
inline constexpr const char *GroupRead = "Group.Read.All";
inline constexpr const char *ContactRead = "OrgContact.Read.All";
// GET /users/{id}/onPremisesSyncBehavior: Graph documents no read-only permission. Also
// clears onPremisesObjectIdentifier (PATCH /beta/users/{id}). Not a read scope.
inline constexpr const char *SyncBehaviorWrite = "User-OnPremisesSyncBehavior.ReadWrite.All";
} // namespace GraphPermission

// What an access token allows: delegated scopes (the `scp` claim) or application roles
// (the `roles` claim), short names without the resource ("User.ReadWrite.All").
struct GrantedPermissions
{
    QStringList scopes; // delegated
    QStringList roles;  // application (app-only token)
    bool appOnly = false;
    // false when the token did not say (not a JWT): then nothing is known to be missing.
    bool known = false;

    // Case-insensitive, in scopes (delegated) or roles (app-only).
    bool has(const QString &permission) const;
    QStringList all() const { return appOnly ? roles : scopes; }
    // "User.Read.All, Domain.Read.All (delegated)" or "none".
    QString describe() const;

    friend bool operator==(const GrantedPermissions &, const GrantedPermissions &) = default;
};
