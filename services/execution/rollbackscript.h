#pragma once

#include <QList>
#include <QString>

// What a rollback.ps1 line undoes.
struct RollbackScriptStep
{
    enum class Kind {
        RestoreImmutableId, // PATCH the old value back (null when it was empty)
        RestoreUpn,         // PATCH userPrincipalName back
        PurgeNotUndoable,   // a purged recycle-bin user: a comment only
        // a cleared onPremisesObjectIdentifier: a comment only (it cannot be written back)
        ObjectIdentifierNotUndoable,
        // mS-DS-ConsistencyGuid of onPremDn back (Set-ADUser -Replace, or -Clear when it
        // was not set): the undo of adopt_cloud_anchor.
        RestoreConsistencyGuid,
    };
    Kind kind = Kind::RestoreImmutableId;
    QString cloudId;
    QString cloudUpn;   // for comments and RestoreUpn
    QString value;      // the value to restore; empty = null
    QString wroteValue; // what Anchorfix wrote, for the guard and the comment
    QString onPremDn;   // RestoreConsistencyGuid: the AD user
};

// rollback.ps1: the undo of a run as Microsoft Graph PowerShell, for admins without
// Anchorfix. Uses Invoke-MgGraphRequest -Method PATCH because Update-MgUser sends "" for
// $null and cannot clear onPremisesImmutableId.
namespace RollbackScript {

// PowerShell single-quoted string literal ('' doubles the quote; so do the typographic
// single quotes PowerShell also accepts as quotes).
QString quote(const QString &text);
// quote(), for any value from the tenant: one that holds a line break or another control
// character (CR, LF, NEL U+0085, U+2028, U+2029…) becomes a sum of literals and
// [char]0x… on one line, so no value can start a line of the script.
QString literal(const QString &text);
// A value for a # comment: line breaks and control characters become '?'.
QString commentText(const QString &text);

// One command, as printed by --dry-run too. graphUrl is scheme and host.
QString patchImmutableIdCommand(const QString &graphUrl, const QString &cloudId,
                                const QString &value);
QString patchUpnCommand(const QString &graphUrl, const QString &cloudId, const QString &upn);
QString purgeDeletedCommand(const QString &graphUrl, const QString &deletedId);
// PATCH {graph}/beta/users/{id} {"onPremisesObjectIdentifier": null}: beta only.
QString clearObjectIdentifierCommand(const QString &graphUrl, const QString &cloudId);
// Set-ADUser -Identity '<dn>' -Replace @{'mS-DS-ConsistencyGuid' = [byte[]](0x87,…)}, or
// -Clear 'mS-DS-ConsistencyGuid' for an empty value (base64 in, as rollback.csv holds it).
QString setConsistencyGuidCommand(const QString &dn, const QString &base64Value);

// The whole script; steps are in the order they must run (newest change first).
QString render(const QString &graphUrl, const QString &tenantId, const QString &runId,
               const QList<RollbackScriptStep> &steps);

// Writes it atomically, at RunFiles::rollbackScriptFor(rollback.csv).
bool write(const QString &path, const QString &script, QString *error);

} // namespace RollbackScript
