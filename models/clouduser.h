#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

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
    bool holdsAdminRole = false;        // member of an Entra directory role
    bool accountEnabled = true;
    QDateTime deletedDateTime; // set only for users in the recycle bin

    QString primarySmtp() const;

    friend bool operator==(const CloudUser &, const CloudUser &) = default;
};

struct CloudDomain
{
    QString name;
    bool federated = false; // authenticationType == "Federated"
    bool initial = false;   // the tenant's *.onmicrosoft.com domain
    bool isDefault = false;
    bool verified = true;

    friend bool operator==(const CloudDomain &, const CloudDomain &) = default;
};

// Tenant-wide Entra Connect switches that change what a clear or stamp achieves.
struct TenantFlags
{
    bool blockSoftMatch = false;
    bool blockCloudObjectTakeoverThroughHardMatch = false;

    friend bool operator==(const TenantFlags &, const TenantFlags &) = default;
};

// Everything a cloud scan yields.
struct CloudSnapshot
{
    QString tenantId;
    QList<CloudUser> users;
    QList<CloudUser> deletedUsers;
    QList<CloudDomain> domains;
    TenantFlags flags;
    std::optional<bool> directorySyncEnabled; // organization.onPremisesSyncEnabled
    QDateTime lastSyncDateTime;
    QDateTime scannedAt;

    // The tenant's initial (*.onmicrosoft.com) domain, or empty.
    QString initialDomain() const;

    friend bool operator==(const CloudSnapshot &, const CloudSnapshot &) = default;
};
