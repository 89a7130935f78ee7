#include "rollbackscript.h"

#include "durablefile.h"

#include <QDir>
#include <QFileInfo>

namespace {

QString usersUri(const QString &graphUrl, const QString &cloudId)
{
    QString base = graphUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return base + QStringLiteral("/v1.0/users/") + cloudId;
}

} // namespace

QString RollbackScript::quote(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'\'';
    for (const QChar c : text) {
        out += c;
        if (c == u'\'' || c == QChar(0x2018) || c == QChar(0x2019) || c == QChar(0x201A) ||
            c == QChar(0x201B))
            out += c;
    }
    out += u'\'';
    return out;
}

QString RollbackScript::patchImmutableIdCommand(const QString &graphUrl, const QString &cloudId,
                                                const QString &value)
{
    const QString v = value.isEmpty() ? QStringLiteral("$null") : quote(value);
    return QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri %1 -ContentType "
                          "'application/json' -Body (@{ onPremisesImmutableId = %2 } | "
                          "ConvertTo-Json)")
        .arg(quote(usersUri(graphUrl, cloudId)), v);
}

QString RollbackScript::patchUpnCommand(const QString &graphUrl, const QString &cloudId,
                                        const QString &upn)
{
    return QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri %1 -ContentType "
                          "'application/json' -Body (@{ userPrincipalName = %2 } | "
                          "ConvertTo-Json)")
        .arg(quote(usersUri(graphUrl, cloudId)), quote(upn));
}

QString RollbackScript::purgeDeletedCommand(const QString &graphUrl, const QString &deletedId)
{
    QString base = graphUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return QStringLiteral("Invoke-MgGraphRequest -Method DELETE -Uri %1")
        .arg(quote(base + QStringLiteral("/v1.0/directory/deletedItems/") + deletedId));
}

QString RollbackScript::render(const QString &graphUrl, const QString &tenantId,
                               const QString &runId, const QList<RollbackScriptStep> &steps)
{
    QString s;
    s += QStringLiteral("# Anchorfix rollback for run %1 (tenant %2).\n").arg(runId, tenantId);
    s += QStringLiteral(
        "# Undoes the run's changes with Microsoft Graph PowerShell, newest first.\n"
        "# Each step first reads the user and skips it when the value is no longer the one\n"
        "# Anchorfix wrote (someone changed it since). Review before running.\n"
        "# Invoke-MgGraphRequest is used because Update-MgUser sends \"\" instead of null.\n"
        "#Requires -Modules Microsoft.Graph.Authentication\n"
        "$ErrorActionPreference = 'Stop'\n");
    s += QStringLiteral("Connect-MgGraph -TenantId %1 -Scopes 'User.ReadWrite.All' -NoWelcome\n")
             .arg(quote(tenantId));
    s += QStringLiteral("function Get-AnchorfixUser($Id) {\n"
                        "    Invoke-MgGraphRequest -Method GET -Uri (%1 + $Id + "
                        "'?$select=id,userPrincipalName,onPremisesImmutableId')\n"
                        "}\n\n")
             .arg(quote(usersUri(graphUrl, QString())));
    for (const RollbackScriptStep &step : steps) {
        switch (step.kind) {
        case RollbackScriptStep::Kind::PurgeNotUndoable:
            s += QStringLiteral("# %1: a recycle-bin user purged by Anchorfix (it held %2).\n"
                                "# A purge is permanent and CANNOT be undone; nothing to run.\n\n")
                     .arg(step.cloudId, step.wroteValue.isEmpty() ? QStringLiteral("the anchor")
                                                                  : step.wroteValue);
            break;
        case RollbackScriptStep::Kind::RestoreImmutableId:
            s += QStringLiteral("# %1 (%2): onPremisesImmutableId back to %3\n")
                     .arg(step.cloudId, step.cloudUpn,
                          step.value.isEmpty() ? QStringLiteral("null (cleared)") : step.value);
            s += QStringLiteral("$u = Get-AnchorfixUser %1\n").arg(quote(step.cloudId));
            s +=
                QStringLiteral("if ($u.onPremisesImmutableId -eq %1) {\n    %2\n} else {\n"
                               "    Write-Warning \"%3: value changed since Anchorfix wrote "
                               "it; skipped.\"\n}\n\n")
                    .arg(step.wroteValue.isEmpty() ? QStringLiteral("$null")
                                                   : quote(step.wroteValue),
                         patchImmutableIdCommand(graphUrl, step.cloudId, step.value), step.cloudId);
            break;
        case RollbackScriptStep::Kind::RestoreUpn:
            s += QStringLiteral("# %1: userPrincipalName back to %2\n")
                     .arg(step.cloudId, step.cloudUpn);
            s += QStringLiteral("$u = Get-AnchorfixUser %1\n").arg(quote(step.cloudId));
            s += QStringLiteral("if ($u.userPrincipalName -ne %1) {\n    %2\n}\n\n")
                     .arg(quote(step.value), patchUpnCommand(graphUrl, step.cloudId, step.value));
            break;
        }
    }
    s += QStringLiteral("Write-Host 'Anchorfix rollback script finished.'\n");
    return s;
}

QString RollbackScript::pathFor(const QString &rollbackCsvPath)
{
    const QFileInfo info(rollbackCsvPath);
    QString name = info.fileName();
    if (name.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        name.chop(4);
    return info.dir().filePath(name + QStringLiteral(".ps1"));
}

bool RollbackScript::write(const QString &path, const QString &script, QString *error)
{
    return DurableFile::replaceAtomically(path, script.toUtf8(), error);
}
