#include "ldapconfig.h"

#include <QCoreApplication>
#include <QUrl>

LdapConfig::TlsMode LdapConfig::effectiveTlsMode() const
{
    if (uri.trimmed().startsWith(u"ldaps://", Qt::CaseInsensitive))
        return TlsMode::Ldaps;
    return tlsMode == TlsMode::Ldaps ? TlsMode::StartTls : tlsMode;
}

bool LdapConfig::isScoped() const
{
    if (filter.trimmed().compare(defaultFilter(), Qt::CaseInsensitive) != 0)
        return true;
    for (const QString &base : searchBases)
        if (base.trimmed().compare(baseDn.trimmed(), Qt::CaseInsensitive) != 0)
            return true;
    return false;
}

QStringList LdapConfig::effectiveSearchBases() const
{
    QStringList bases;
    for (const QString &base : searchBases)
        if (!base.trimmed().isEmpty())
            bases << base.trimmed();
    if (bases.isEmpty())
        bases << baseDn.trimmed();
    bases.removeDuplicates();
    return bases;
}

QString LdapConfig::validate(bool requireBaseDn) const
{
    const QString u = uri.trimmed();
    if (!u.startsWith(u"ldap://", Qt::CaseInsensitive) &&
        !u.startsWith(u"ldaps://", Qt::CaseInsensitive))
        return QCoreApplication::translate(
                   "LdapConfig", "The directory address \"%1\" must start with ldap:// or ldaps:// "
                                 "(for example ldaps://dc1.corp.example).")
            .arg(u);
    const QUrl url(u);
    if (!url.isValid() || url.host().isEmpty())
        return QCoreApplication::translate("LdapConfig",
                                           "The directory address \"%1\" has no server name.")
            .arg(u);
    if (requireBaseDn && effectiveSearchBases().join(QString()).isEmpty())
        return QCoreApplication::translate(
            "LdapConfig", "Enter the base DN to scan (for example DC=corp,DC=example), or use "
                          "\"Test connection\" to read it from the server.");
    if (filter.trimmed().isEmpty() || !filter.trimmed().startsWith(u'('))
        return QCoreApplication::translate(
                   "LdapConfig", "The LDAP filter \"%1\" must be enclosed in parentheses.")
            .arg(filter);
    if (pageSize < 1)
        return QCoreApplication::translate("LdapConfig", "The page size must be at least 1.");
    return {};
}
