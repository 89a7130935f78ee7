#pragma once

#include "cloudpreset.h"
#include "grantedpermissions.h" // GraphPermission names

#include <QString>
#include <QStringList>
#include <QUrl>

// Where and how to reach Microsoft Graph (DESIGN.md §5, §7).
enum class SignInMethod {
    DeviceCode,  // interactive default: show a code and a URL
    BrowserPkce, // authorization code + PKCE, loopback redirect on 127.0.0.1
    ClientSecret // client credentials, for scripted runs (secret from env or keychain)
};

struct GraphConfig
{
    QUrl authorityUrl = QUrl(QStringLiteral("https://login.microsoftonline.com")); // scheme+host
    QUrl graphUrl = QUrl(QStringLiteral("https://graph.microsoft.com"));           // scheme+host
    QString tenant;   // tenant id or a verified domain
    QString clientId; // application (client) id
    SignInMethod signInMethod = SignInMethod::DeviceCode;
    // Who reads the advice: the command line names its flags (--tenant), the wizard the
    // fields of its Connect page ("Tenant"). One source of advice, two phrasings.
    enum class Phrasing { CommandLine, Wizard };
    Phrasing phrasing = Phrasing::CommandLine;
    enum class Field { Tenant, ClientId, AuthorityUrl, GraphUrl, ClientSecret };
    QString fieldName(Field field) const; // "--tenant" or "Tenant", …

    static GraphConfig forCloud(CloudPreset preset);
    static QString cloudName(CloudPreset preset); // "Global", "US Gov", "US Gov DoD", "China"

    // Empty when usable, else a message an admin can act on: https required except for
    // loopback hosts (the practice tenant), URLs are scheme and host only, a tenant and
    // a client id are set.
    QString validate() const;

    QUrl tokenUrl() const;      // {authority}/{tenant}/oauth2/v2.0/token
    QUrl deviceCodeUrl() const; // {authority}/{tenant}/oauth2/v2.0/devicecode
    QUrl authorizeUrl() const;  // {authority}/{tenant}/oauth2/v2.0/authorize
    // {graph}/v1.0 + path; path starts with '/', may carry a query ("/users?$top=999").
    QUrl graphEndpoint(const QString &pathAndQuery) const;
    QString graphBase() const; // "{graph}/v1.0"

    // Delegated scopes (with the Graph resource prefix) for reading, and for executing.
    QStringList readScopes() const;
    QStringList writeScopes() const; // read scopes + User.ReadWrite.All + extraWritePermissions
    // Asked for with the write scopes when the plan needs more (e.g.
    // User-OnPremisesSyncBehavior.ReadWrite.All to clear onPremisesObjectIdentifier).
    QStringList extraWritePermissions;
    QString defaultScope() const; // "{graph}/.default" (client credentials)

    static bool isLoopbackHost(const QString &host);
};
