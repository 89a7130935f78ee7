#pragma once

#include <QByteArray>
#include <QString>

// The on-prem side of adopt_cloud_anchor as an admin would type it: one LDAP modify of
// mS-DS-ConsistencyGuid, shown as LDIF (ldapmodify) and as ActiveDirectory-module
// PowerShell. Used by --dry-run, the review's details pane and rollback.ps1.
namespace AdCommand {

inline constexpr char ConsistencyGuidAttribute[] = "mS-DS-ConsistencyGuid";

// A PowerShell single-quoted literal ('' doubles a quote; so do the typographic single
// quotes PowerShell also treats as quotes), so a DN cannot break out of it.
QString psLiteral(const QString &text);

// Set-ADUser -Identity '<dn>' -Replace @{'mS-DS-ConsistencyGuid' = [byte[]](0x87,…)}
// or, for an empty value, Set-ADUser -Identity '<dn>' -Clear 'mS-DS-ConsistencyGuid'.
QString setAdUser(const QString &dn, const QByteArray &value);

// dn: …\nchangetype: modify\nreplace: mS-DS-ConsistencyGuid\nmS-DS-ConsistencyGuid:: <b64>\n-
// (or delete: for an empty value). A DN that is not printable ASCII is written base64.
QString ldif(const QString &dn, const QByteArray &value);

} // namespace AdCommand
