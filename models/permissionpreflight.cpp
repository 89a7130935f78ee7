#include "permissionpreflight.h"

#include <QCoreApplication>
#include <QSet>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PermissionPreflight", text);
}

QString name(const char *permission)
{
    return QLatin1String(permission);
}

bool canPurge(const GrantedPermissions &granted)
{
    return granted.has(name(GraphPermission::UserDeleteRestore)) ||
           (!granted.appOnly && granted.has(name(GraphPermission::UserWrite)));
}

} // namespace

QList<UnpermittedRow> PermissionPreflight::check(const QList<Finding> &rows,
                                                 const GrantedPermissions &granted)
{
    QList<UnpermittedRow> list;
    if (!granted.known)
        return list;
    const bool canWrite = granted.has(name(GraphPermission::UserWrite));
    for (const Finding &row : rows) {
        // On-prem writes go over LDAP: the write bind decides, not the Graph token.
        if (!row.isExecutable() || isOnPremAction(row.action))
            continue;
        UnpermittedRow u;
        u.rowId = row.rowId;
        u.user = row.cloudUpn.isEmpty() ? row.cloudId : row.cloudUpn;
        u.action = row.action;
        QStringList reasons;
        if (row.action == Action::PurgeDeleted && !canPurge(granted)) {
            u.missing.append(name(GraphPermission::UserDeleteRestore));
            reasons.append(granted.appOnly && granted.has(name(GraphPermission::UserWrite))
                               ? tr("purging the recycle-bin user needs User.DeleteRestore.All "
                                    "(an application's User.ReadWrite.All cannot purge)")
                               : tr("purging the recycle-bin user needs User.DeleteRestore.All "
                                    "(or the delegated User.ReadWrite.All)"));
        }
        if (row.action == Action::ClearObjectIdentifier &&
            !granted.has(name(GraphPermission::SyncBehaviorWrite))) {
            u.missing.append(name(GraphPermission::SyncBehaviorWrite));
            reasons.append(tr("clearing onPremisesObjectIdentifier needs "
                              "User-OnPremisesSyncBehavior.ReadWrite.All"));
        }
        if (!canWrite) {
            u.missing.append(name(GraphPermission::UserWrite));
            if (row.action == Action::Clear)
                reasons.append(tr("clearing the anchor needs User.ReadWrite.All"));
            else if (row.category == Category::FederatedDomain)
                reasons.append(tr("the temporary UPN switch and the stamp need "
                                  "User.ReadWrite.All"));
            else
                reasons.append(tr("stamping the anchor needs User.ReadWrite.All"));
        }
        if (u.missing.isEmpty())
            continue;
        u.reason =
            reasons.join(QLatin1String("; ")) + tr("; the token grants %1").arg(granted.describe());
        list.append(u);
    }
    return list;
}

QList<Finding> PermissionPreflight::withoutRows(const QList<Finding> &rows,
                                                const QList<UnpermittedRow> &unpermitted)
{
    if (unpermitted.isEmpty())
        return rows; // shared, not copied row by row
    QSet<int> skip;
    for (const UnpermittedRow &u : unpermitted)
        skip.insert(u.rowId);
    QList<Finding> kept;
    kept.reserve(rows.size());
    for (const Finding &row : rows)
        if (!skip.contains(row.rowId))
            kept.append(row);
    return kept;
}

QStringList PermissionPreflight::extraWritePermissions(const QList<Finding> &rows)
{
    for (const Finding &row : rows)
        if (row.isExecutable() && row.action == Action::ClearObjectIdentifier)
            return {name(GraphPermission::SyncBehaviorWrite)};
    return {};
}

QStringList PermissionPreflight::describe(const QList<UnpermittedRow> &unpermitted)
{
    QStringList lines;
    for (const UnpermittedRow &u : unpermitted)
        lines.append(tr("row %1 %2 (%3): %4")
                         .arg(QString::number(u.rowId), u.user, actionName(u.action), u.reason));
    return lines;
}
