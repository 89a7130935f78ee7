#include "rollbackscript.h"

#include "durablefile.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <QUrl>

#include <algorithm>

namespace {

// Characters PowerShell reads as a single quote (they open and close '…' literals and
// are doubled inside them).
bool isSingleQuote(QChar c)
{
    return c == u'\'' || c == QChar(0x2018) || c == QChar(0x2019) || c == QChar(0x201A) ||
           c == QChar(0x201B);
}

// Characters that would end a line or a comment, or that an editor shows as a line
// break: they never appear raw in the script.
bool isLineBreakOrControl(QChar c)
{
    const char16_t u = c.unicode();
    return u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0x9f) || u == 0x2028 || u == 0x2029;
}

QString base(const QString &graphUrl)
{
    QString b = graphUrl;
    while (b.endsWith(u'/'))
        b.chop(1);
    return b;
}

// An id as one path segment: a hostile "../x" or "a?b" cannot point the request elsewhere.
QString segment(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QString usersUri(const QString &graphUrl, const QString &cloudId)
{
    return base(graphUrl) + QStringLiteral("/v1.0/users/") + segment(cloudId);
}

QString nullOr(const QString &value)
{
    return value.isEmpty() ? QStringLiteral("$null") : RollbackScript::literal(value);
}

} // namespace

QString RollbackScript::quote(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'\'';
    for (const QChar c : text) {
        out += c;
        if (isSingleQuote(c))
            out += c;
    }
    out += u'\'';
    return out;
}

QString RollbackScript::literal(const QString &text)
{
    if (std::none_of(text.cbegin(), text.cend(), isLineBreakOrControl))
        return quote(text);
    // ('a' + [char]0x000A + 'b'): the value exactly, on one line, with nothing to expand.
    QStringList parts;
    QString run;
    for (const QChar c : text) {
        if (!isLineBreakOrControl(c)) {
            run += c;
            continue;
        }
        if (!run.isEmpty())
            parts.append(quote(run));
        run.clear();
        parts.append(QStringLiteral("[char]0x%1").arg(int(c.unicode()), 4, 16, QChar(u'0')));
    }
    if (!run.isEmpty())
        parts.append(quote(run));
    if (parts.first().startsWith(u"[char]"))
        parts.prepend(QStringLiteral("''")); // a string, not a char, to start the sum
    return u'(' + parts.join(QStringLiteral(" + ")) + u')';
}

QString RollbackScript::commentText(const QString &text)
{
    QString out = text;
    for (QChar &c : out)
        if (isLineBreakOrControl(c))
            c = u'?';
    return out;
}

QString RollbackScript::patchImmutableIdCommand(const QString &graphUrl, const QString &cloudId,
                                                const QString &value)
{
    return QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri %1 -ContentType "
                          "'application/json' -Body (@{ onPremisesImmutableId = %2 } | "
                          "ConvertTo-Json)")
        .arg(literal(usersUri(graphUrl, cloudId)), nullOr(value));
}

QString RollbackScript::patchUpnCommand(const QString &graphUrl, const QString &cloudId,
                                        const QString &upn)
{
    return QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri %1 -ContentType "
                          "'application/json' -Body (@{ userPrincipalName = %2 } | "
                          "ConvertTo-Json)")
        .arg(literal(usersUri(graphUrl, cloudId)), literal(upn));
}

QString RollbackScript::purgeDeletedCommand(const QString &graphUrl, const QString &deletedId)
{
    return QStringLiteral("Invoke-MgGraphRequest -Method DELETE -Uri %1")
        .arg(literal(base(graphUrl) + QStringLiteral("/v1.0/directory/deletedItems/") +
                     segment(deletedId)));
}

QString RollbackScript::clearObjectIdentifierCommand(const QString &graphUrl,
                                                     const QString &cloudId)
{
    return QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri %1 -ContentType "
                          "'application/json' -Body '{\"onPremisesObjectIdentifier\":null}'")
        .arg(literal(base(graphUrl) + QStringLiteral("/beta/users/") + segment(cloudId)));
}

QString RollbackScript::setConsistencyGuidCommand(const QString &dn, const QString &base64Value)
{
    const QByteArray bytes = QByteArray::fromBase64(base64Value.toLatin1());
    if (bytes.isEmpty())
        return QStringLiteral("Set-ADUser -Identity %1 -Clear 'mS-DS-ConsistencyGuid'")
            .arg(literal(dn));
    QStringList octets;
    for (const char b : bytes)
        octets << QStringLiteral("0x%1").arg(uint(uchar(b)), 2, 16, QLatin1Char('0'));
    return QStringLiteral(
               "Set-ADUser -Identity %1 -Replace @{'mS-DS-ConsistencyGuid' = [byte[]](%2)}")
        .arg(literal(dn), octets.join(u','));
}

QString RollbackScript::render(const QString &graphUrl, const QString &tenantId,
                               const QString &runId, const QList<RollbackScriptStep> &steps)
{
    // Everything from the tenant is a single-quoted literal (literal()); in comments it is
    // reduced to one line (commentText()). No double-quoted string: PowerShell expands $()
    // and backticks in them.
    QString s;
    s += QStringLiteral("# Anchorfix rollback for run %1 (tenant %2).\n")
             .arg(commentText(runId), commentText(tenantId));
    s += QStringLiteral(
        "# Undoes the run's changes with Microsoft Graph PowerShell, newest first.\n"
        "# Each step first reads the user and skips it when the value is no longer the one\n"
        "# Anchorfix wrote (someone changed it since). Review before running.\n"
        "# Invoke-MgGraphRequest is used because Update-MgUser sends an empty string instead "
        "of null.\n");
    const bool onPrem = std::any_of(steps.cbegin(), steps.cend(), [](const RollbackScriptStep &st) {
        return st.kind == RollbackScriptStep::Kind::RestoreConsistencyGuid;
    });
    const bool cloud = std::any_of(steps.cbegin(), steps.cend(), [](const RollbackScriptStep &st) {
        return st.kind != RollbackScriptStep::Kind::RestoreConsistencyGuid;
    });
    if (!onPrem || cloud)
        s += QStringLiteral("#Requires -Modules Microsoft.Graph.Authentication\n");
    if (onPrem)
        s += QStringLiteral("# On-prem steps use the ActiveDirectory module (RSAT) with an "
                            "account that may write mS-DS-ConsistencyGuid.\n"
                            "#Requires -Modules ActiveDirectory\n");
    s += QStringLiteral("$ErrorActionPreference = 'Stop'\n");
    if (!onPrem || cloud)
        s +=
            QStringLiteral("Connect-MgGraph -TenantId %1 -Scopes 'User.ReadWrite.All' -NoWelcome\n")
                .arg(literal(tenantId));
    s += QStringLiteral("function Get-AnchorfixUser($Id) {\n"
                        "    Invoke-MgGraphRequest -Method GET -Uri (%1 + $Id + "
                        "'?$select=id,userPrincipalName,onPremisesImmutableId')\n"
                        "}\n\n")
             .arg(literal(usersUri(graphUrl, QString())));
    for (const RollbackScriptStep &step : steps) {
        switch (step.kind) {
        case RollbackScriptStep::Kind::PurgeNotUndoable:
            s += QStringLiteral("# %1: a recycle-bin user purged by Anchorfix (it held %2).\n"
                                "# A purge is permanent and CANNOT be undone; nothing to run.\n\n")
                     .arg(commentText(step.cloudId), step.wroteValue.isEmpty()
                                                         ? QStringLiteral("the anchor")
                                                         : commentText(step.wroteValue));
            break;
        case RollbackScriptStep::Kind::ObjectIdentifierNotUndoable:
            s += QStringLiteral("# %1 (%2): onPremisesObjectIdentifier cleared by Anchorfix.\n"
                                "# Clearing it is NOT reversible (Graph cannot write a value "
                                "back); nothing to run.\n\n")
                     .arg(commentText(step.cloudId), commentText(step.cloudUpn));
            break;
        case RollbackScriptStep::Kind::RestoreImmutableId:
            s += QStringLiteral("# %1 (%2): onPremisesImmutableId back to %3\n")
                     .arg(commentText(step.cloudId), commentText(step.cloudUpn),
                          step.value.isEmpty() ? QStringLiteral("null (cleared)")
                                               : commentText(step.value));
            s += QStringLiteral("$u = Get-AnchorfixUser %1\n").arg(literal(segment(step.cloudId)));
            s += QStringLiteral("if ($u.onPremisesImmutableId -eq %1) {\n    %2\n} else {\n"
                                "    Write-Warning (%3 + ': value changed since Anchorfix wrote "
                                "it; skipped.')\n}\n\n")
                     .arg(nullOr(step.wroteValue),
                          patchImmutableIdCommand(graphUrl, step.cloudId, step.value),
                          literal(step.cloudId));
            break;
        case RollbackScriptStep::Kind::RestoreConsistencyGuid:
            s += QStringLiteral("# %1 (%2): mS-DS-ConsistencyGuid of %3 back to %4\n")
                     .arg(commentText(step.cloudId), commentText(step.cloudUpn),
                          commentText(step.onPremDn),
                          step.value.isEmpty() ? QStringLiteral("not set (cleared)")
                                               : commentText(step.value));
            s += QStringLiteral("$g = (Get-ADUser -Identity %1 -Properties "
                                "'mS-DS-ConsistencyGuid').'mS-DS-ConsistencyGuid'\n")
                     .arg(literal(step.onPremDn));
            s += QStringLiteral("if ($g -and [Convert]::ToBase64String([byte[]]$g) -eq %1) {\n"
                                "    %2\n} else {\n"
                                "    Write-Warning (%3 + ': value changed since Anchorfix wrote "
                                "it; skipped.')\n}\n\n")
                     .arg(literal(step.wroteValue),
                          setConsistencyGuidCommand(step.onPremDn, step.value),
                          literal(step.onPremDn));
            break;
        case RollbackScriptStep::Kind::RestoreUpn:
            s += QStringLiteral("# %1: userPrincipalName back to %2\n")
                     .arg(commentText(step.cloudId), commentText(step.value));
            s += QStringLiteral("$u = Get-AnchorfixUser %1\n").arg(literal(segment(step.cloudId)));
            s += QStringLiteral("if ($u.userPrincipalName -ne %1) {\n    %2\n}\n\n")
                     .arg(literal(step.value), patchUpnCommand(graphUrl, step.cloudId, step.value));
            break;
        }
    }
    s += QStringLiteral("Write-Host 'Anchorfix rollback script finished.'\n");
    return s;
}

bool RollbackScript::write(const QString &path, const QString &script, QString *error)
{
    return DurableFile::replaceAtomically(path, script.toUtf8(), error);
}
