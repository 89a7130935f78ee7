#include "clouduser.h"

#include "onpremuser.h"

#include <QCoreApplication>

QString CloudUser::primarySmtp() const
{
    return primarySmtpOf(mail, proxyAddresses);
}

QString CloudSnapshot::initialDomain() const
{
    for (const CloudDomain &domain : domains)
        if (domain.initial)
            return domain.name;
    return {};
}

QString ProvisioningError::text() const
{
    QString out = QCoreApplication::translate("CloudUser", "%1 on %2: %3")
                      .arg(category, propertyCausingError, value);
    if (occurredDateTime.isValid())
        out += QStringLiteral(" (%1)").arg(occurredDateTime.toUTC().toString(Qt::ISODate));
    return out;
}

QString DirectoryObject::typeName() const
{
    const char *name = "group";
    switch (type) {
    case Type::User:
        name = deleted ? QT_TRANSLATE_NOOP("CloudUser", "deleted user")
                       : QT_TRANSLATE_NOOP("CloudUser", "user");
        break;
    case Type::Group:
        name = deleted ? QT_TRANSLATE_NOOP("CloudUser", "deleted group")
                       : QT_TRANSLATE_NOOP("CloudUser", "group");
        break;
    case Type::Contact:
        name = deleted ? QT_TRANSLATE_NOOP("CloudUser", "deleted contact")
                       : QT_TRANSLATE_NOOP("CloudUser", "contact");
        break;
    }
    return QCoreApplication::translate("CloudUser", name);
}

QString DirectoryObject::describe() const
{
    const QString name = !displayName.isEmpty() ? displayName : !upn.isEmpty() ? upn : mail;
    return QCoreApplication::translate("CloudUser", "%1 %2 (id %3)").arg(typeName(), name, id);
}
