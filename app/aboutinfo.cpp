#include "aboutinfo.h"

#include "anchorfixversion.h"
#include "ldaplibrary.h"

#include <QtGlobal>

AboutInfo anchorfixAboutInfo()
{
    AboutInfo info;
    info.version = QStringLiteral(ANCHORFIX_VERSION);
    info.licence = QStringLiteral(ANCHORFIX_LICENSE);
    info.homepage = QStringLiteral(ANCHORFIX_HOMEPAGE);
    info.libraries = {
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion()), QStringLiteral("LGPL-3.0")},
        {QStringLiteral("QtKeychain"), QStringLiteral(ANCHORFIX_QTKEYCHAIN_VERSION),
         QStringLiteral("BSD-2-Clause")},
        {QStringLiteral("OpenLDAP libldap"), LdapLibrary::version(),
         QStringLiteral("OpenLDAP Public License 2.8")},
    };
    return info;
}
