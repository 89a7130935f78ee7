#pragma once

#include <onpremuser.h>

#include <QString>

// The users tests/samba/samba-dc.sh seeds (its users_ldif): user i = user%05d, i from 1.
// Computed here independently of the script so that a scan can be checked value by value.
namespace SeedData {

QString baseDn();
QString ouOf(int i);            // "Staff" or "Contractors" (every 5th)
OnPremUser expectedUser(int i); // everything but objectGuid (AD assigns it) and source
// i from a DN or sAMAccountName like user00042; 0 when it is not a seeded user.
int indexOf(const QString &samAccountName);

} // namespace SeedData
