#pragma once

#include <QString>
#include <QStringList>

// How to reach and read an Active Directory over LDAP. Plain data, copied into the worker
// thread that owns the connection. The password lives only in memory (keychain or
// ANCHORFIX_LDAP_PASSWORD); nothing here is ever written out with it.
struct LdapConfig
{
    enum class TlsMode {
        None,     // ldap:// without TLS: a simple bind is refused unless allowPlainBind
        StartTls, // ldap:// upgraded with the StartTLS extended operation
        Ldaps,    // ldaps:// (derived from the URI scheme)
    };

    static QString defaultFilter()
    {
        return QStringLiteral(
            "(&(objectCategory=person)(objectClass=user)(!(isCriticalSystemObject=TRUE)))");
    }

    QString uri;                         // ldap://dc1.corp.example:389 or ldaps://dc1.corp.example
    TlsMode tlsMode = TlsMode::StartTls; // for ldap://; an ldaps:// URI always means Ldaps
    QString bindDn;                      // a DN or a UPN (user@corp.example); empty = anonymous
    QString password;                    // memory only
    QString baseDn;                      // DC=corp,DC=example
    QStringList searchBases;             // OUs to scan; empty = baseDn
    QString filter = defaultFilter();
    QString caFile; // PEM file with the CA(s) to trust; empty = the system store
    // Lab only: accept any server certificate. Anyone on the path can then read the password.
    bool trustAnyCertificate = false;
    bool allowPlainBind = false; // allow a simple bind on ldap:// without TLS
    // Allow changing the directory over ldap:// without TLS (practice directories only).
    bool allowPlainWrite = false;
    int pageSize = 1000;     // RFC 2696 page size (AD's MaxPageSize is 1000)
    int timeoutSeconds = 30; // connect timeout and longest wait for one answer

    // The TLS mode in effect: Ldaps for an ldaps:// URI, else tlsMode (never Ldaps).
    TlsMode effectiveTlsMode() const;
    // True when the scan covers less than the whole domain (OUs or a non-default filter):
    // then an anchor missing on-prem may simply be out of scope.
    bool isScoped() const;
    // The bases that are searched: searchBases, or baseDn alone.
    QStringList effectiveSearchBases() const;
    // Empty when usable, else what to fix ("The LDAP URI must start with ldap:// …").
    // requireBaseDn is false for a connection test, which reads the base DN from the server.
    QString validate(bool requireBaseDn = true) const;
};
