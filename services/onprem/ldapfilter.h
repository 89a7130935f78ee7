#pragma once

#include <QByteArray>
#include <QString>

// RFC 4515 escaping for values built into LDAP filters: * ( ) \ and NUL become \2a \28 \29
// \5c \00; everything else (UTF-8 included) is left as it is.
QString ldapEscapeFilterValue(const QString &value);
// Binary values (objectGUID, mS-DS-ConsistencyGuid): every byte as \hh.
QString ldapEscapeFilterBytes(const QByteArray &bytes);
// (attribute=value) with value escaped; attribute must be a plain attribute name.
QString ldapEqualityFilter(const QString &attribute, const QString &value);
