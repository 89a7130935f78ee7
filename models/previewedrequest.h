#pragma once

#include <QString>

// One write a run would send, with its Microsoft Graph PowerShell equivalent: a row of
// the --dry-run output and of the wizard's "show requests" view (built by RequestPreview).
struct PreviewedRequest
{
    int rowId = 0;
    QString user;       // UPN (or id) of the user the request is for
    QString method;     // PATCH | DELETE | LDAP MODIFY (adopt_cloud_anchor)
    QString url;        // absolute; LDAP MODIFY: the AD user's DN
    QString body;       // compact JSON; empty for DELETE; LDAP MODIFY: the LDIF
    QString powershell; // Invoke-MgGraphRequest …, or Set-ADUser … for LDAP MODIFY
};
