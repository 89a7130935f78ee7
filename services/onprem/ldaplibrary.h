#pragma once

#include <QString>

// The libldap this process runs with (not the headers it was built against).
namespace LdapLibrary {

// The vendor's version, e.g. "2.5.13" for OpenLDAP 2.5.13; empty if libldap does not say.
QString version();

} // namespace LdapLibrary
