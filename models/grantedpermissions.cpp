#include "grantedpermissions.h"

#include <QCoreApplication>

bool GrantedPermissions::has(const QString &permission) const
{
    return all().contains(permission, Qt::CaseInsensitive);
}

QString GrantedPermissions::describe() const
{
    if (!known)
        return QCoreApplication::translate("GrantedPermissions", "not stated in the token");
    const QStringList list = all();
    const QString kind = appOnly ? QCoreApplication::translate("GrantedPermissions", "application")
                                 : QCoreApplication::translate("GrantedPermissions", "delegated");
    return list.isEmpty() ? QCoreApplication::translate("GrantedPermissions", "none (%1)").arg(kind)
                          : QStringLiteral("%1 (%2)").arg(list.join(QLatin1String(", ")), kind);
}
