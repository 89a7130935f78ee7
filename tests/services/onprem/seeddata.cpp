#include "seeddata.h"

#include <QCryptographicHash>

namespace SeedData {

QString baseDn()
{
    return QStringLiteral("DC=corp,DC=example,DC=test");
}

QString ouOf(int i)
{
    return i % 5 == 0 ? QStringLiteral("Contractors") : QStringLiteral("Staff");
}

OnPremUser expectedUser(int i)
{
    const QString number = QStringLiteral("%1").arg(i, 5, 10, QLatin1Char('0'));
    const QString name = QStringLiteral("user") + number;
    OnPremUser u;
    u.dn = QStringLiteral("CN=%1,OU=%2,%3").arg(name, ouOf(i), baseDn());
    u.samAccountName = name;
    u.upn = name + QStringLiteral("@corp.example.test");
    u.displayName =
        i % 11 == 0 ? QStringLiteral("Zoë Ünïcode ") + number : QStringLiteral("User ") + number;
    if (i % 10 != 3) {
        u.mail = name + QStringLiteral("@corp.example.test");
        u.proxyAddresses << QStringLiteral("SMTP:") + name + QStringLiteral("@corp.example.test")
                         << QStringLiteral("smtp:u") + number +
                                QStringLiteral("@alias.example.test");
        if (i % 4 == 0)
            u.proxyAddresses << QStringLiteral("SIP:") + name +
                                    QStringLiteral("@corp.example.test");
    }
    if (i % 3 == 0)
        u.consistencyGuid = QCryptographicHash::hash(
            QStringLiteral("anchorfix-cg-%1").arg(number).toUtf8(), QCryptographicHash::Md5);
    u.enabled = i % 7 != 0;
    return u;
}

int indexOf(const QString &samAccountName)
{
    if (!samAccountName.startsWith(u"user") || samAccountName.size() != 9)
        return 0;
    bool ok = false;
    const int i = samAccountName.mid(4).toInt(&ok);
    return ok ? i : 0;
}

} // namespace SeedData
