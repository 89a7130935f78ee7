#include "requestpreview.h"

#include "adcommand.h"
#include "rollbackscript.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace {

QString base(const QString &graphUrl)
{
    QString b = graphUrl;
    while (b.endsWith(u'/'))
        b.chop(1);
    return b + QStringLiteral("/v1.0");
}

QString json(const char *key, const QString &value)
{
    QJsonObject o;
    o.insert(QLatin1String(key),
             value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

QList<PreviewedRequest> RequestPreview::forUnits(const QList<ChangeUnit> &units,
                                                 const QString &graphUrl)
{
    QList<PreviewedRequest> list;
    for (const ChangeUnit &unit : units) {
        const Finding &row = unit.row;
        if (unit.isOnPrem()) {
            // An LDAP modify of the AD user, shown as LDIF (ldapmodify) and as the
            // ActiveDirectory module's Set-ADUser.
            const QByteArray value = ChangeUnit::anchorBytes(unit.newImmutableId);
            list.append({row.rowId, unit.user(), QStringLiteral("LDAP MODIFY"), row.onPremDn,
                         AdCommand::ldif(row.onPremDn, value),
                         AdCommand::setAdUser(row.onPremDn, value)});
            continue;
        }
        const QString userUrl = base(graphUrl) + QStringLiteral("/users/") + row.cloudId;
        const auto patch = [&](const char *key, const QString &value, const QString &ps) {
            list.append(
                {row.rowId, unit.user(), QStringLiteral("PATCH"), userUrl, json(key, value), ps});
        };
        if (unit.kind == ChangeUnit::Kind::PurgeAndStamp)
            list.append(
                {row.rowId, unit.user(), QStringLiteral("DELETE"),
                 base(graphUrl) + QStringLiteral("/directory/deletedItems/") + row.deletedHolderId,
                 QString(), RollbackScript::purgeDeletedCommand(graphUrl, row.deletedHolderId)});
        if (unit.kind == ChangeUnit::Kind::ClearIdentifierAndStamp) {
            QString beta = graphUrl;
            while (beta.endsWith(u'/'))
                beta.chop(1);
            list.append({row.rowId, unit.user(), QStringLiteral("PATCH"),
                         beta + QStringLiteral("/beta/users/") + row.cloudId,
                         json("onPremisesObjectIdentifier", QString()),
                         RollbackScript::clearObjectIdentifierCommand(graphUrl, row.cloudId) +
                             QStringLiteral("  # not reversible")});
        }
        if (unit.kind == ChangeUnit::Kind::FederatedStamp)
            patch("userPrincipalName", unit.temporaryUpn,
                  RollbackScript::patchUpnCommand(graphUrl, row.cloudId, unit.temporaryUpn));
        patch("onPremisesImmutableId", unit.newImmutableId,
              RollbackScript::patchImmutableIdCommand(graphUrl, row.cloudId, unit.newImmutableId));
        if (unit.kind == ChangeUnit::Kind::FederatedStamp)
            patch("userPrincipalName", row.cloudUpn,
                  RollbackScript::patchUpnCommand(graphUrl, row.cloudId, row.cloudUpn));
    }
    return list;
}

QString RequestPreview::toText(const QList<PreviewedRequest> &requests)
{
    QString text;
    int lastRow = -1;
    for (const PreviewedRequest &r : requests) {
        if (r.rowId != lastRow) {
            text += QStringLiteral("row %1  %2\n").arg(QString::number(r.rowId), r.user);
            lastRow = r.rowId;
        }
        text += QStringLiteral("  %1 %2").arg(r.method, r.url);
        if (r.body.contains(u'\n')) // LDIF: one line each, indented under the request
            text +=
                QStringLiteral("\n    ") + QString(r.body).replace(u'\n', QStringLiteral("\n    "));
        else if (!r.body.isEmpty())
            text += u' ' + r.body;
        text += QStringLiteral("\n    PS> ") + r.powershell + u'\n';
    }
    return text;
}
