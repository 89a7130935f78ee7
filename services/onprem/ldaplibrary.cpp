#include "ldaplibrary.h"

#include <ldap.h>

QString LdapLibrary::version()
{
    LDAPAPIInfo info{};
    info.ldapai_info_version = LDAP_API_INFO_VERSION;
    if (ldap_get_option(nullptr, LDAP_OPT_API_INFO, &info) != LDAP_OPT_SUCCESS)
        return {};
    // ldapai_vendor_version is major * 10000 + minor * 100 + patch (LDAP_VENDOR_VERSION).
    const int v = info.ldapai_vendor_version;
    const QString result =
        QStringLiteral("%1.%2.%3").arg(v / 10000).arg(v / 100 % 100).arg(v % 100);
    ldap_memfree(info.ldapai_vendor_name);
    ldap_memvfree(reinterpret_cast<void **>(info.ldapai_extensions));
    return result;
}
