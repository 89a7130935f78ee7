#pragma once

#include "ldapanchorchange.h"
#include "ldapconfig.h"
#include "ldaperror.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMultiHash>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

typedef struct ldap LDAP;
typedef struct ldapmsg LDAPMessage;

// One libldap connection: connect, TLS (ldaps or StartTLS, verified unless the config says
// otherwise), simple bind, and paged searches. It blocks, so it lives on a worker thread
// (LdapScanJob, LdapTestConnectionJob); `abort` is polled while waiting for the server, so
// a cancel takes effect within one poll interval (100 ms) and at the latest within a page.
class LdapConnection
{
public:
    explicit LdapConnection(LdapConfig config, const std::atomic_bool *abort = nullptr);
    ~LdapConnection();
    LdapConnection(const LdapConnection &) = delete;
    LdapConnection &operator=(const LdapConnection &) = delete;

    // Connects, secures and binds. false on failure (see failure()) or abort.
    bool open();
    bool isAborted() const { return m_abort && m_abort->load(); }
    LdapFailure failure() const { return m_failure; }

    // Reads attributes of the rootDSE (the entry with the empty DN).
    bool readRootDse(const QStringList &attributes, QMultiHash<QString, QString> *values);

    // One subtree search under base with the RFC 2696 paged-results control. For each
    // entry calls onEntry(ld, entry); after each page calls onPage(entriesInPage). Search
    // references are skipped (counted in skippedReferences()). false on failure or abort.
    using EntryHandler = std::function<void(LDAP *, LDAPMessage *)>;
    using PageHandler = std::function<void(int entriesInPage)>;
    bool searchPaged(const QString &base, const QString &filter, const QStringList &attributes,
                     const EntryHandler &onEntry, const PageHandler &onPage);
    int skippedReferences() const { return m_skippedReferences; }

    // Reads objectGUID and mS-DS-ConsistencyGuid of the entry at dn. When the DN is gone and
    // expectedGuid is given, looks the object up by its GUID to tell "moved" from "deleted".
    // Returns false only when the connection failed; a missing entry is a state with
    // exists == false and its failure set.
    bool readAnchorState(const QString &dn, const QByteArray &expectedGuid, LdapAnchorState *state);
    // Modify-replace of mS-DS-ConsistencyGuid with value, or delete of the attribute when
    // value is empty. false on failure (see failure(), mapped for a write).
    bool writeConsistencyGuid(const QString &dn, const QByteArray &value);

private:
    bool connectAndSecure(LDAP **ld, bool verify);
    bool configureHandle(LDAP *ld, bool verify);
    // After a TLS failure: reconnects without verification, reads the server certificate
    // and says what is wrong with it (expired, wrong name, unknown issuer).
    LdapFailure diagnoseCertificate(const LdapFailure &original);
    bool waitForResult(int msgid, LDAPMessage **result, const QString &operation,
                       const QString &subject);
    void setFailure(int rc, const QString &operation, const QString &subject);
    // A base-scope read of attributes at dn; *code is the LDAP result (32 = no such object).
    bool readBase(const QString &dn, const QStringList &attributes,
                  QHash<QString, QByteArray> *values, QString *entryDn, int *code);
    QString diagnosticMessage() const;

    LdapConfig m_config;
    const std::atomic_bool *m_abort = nullptr;
    LDAP *m_ld = nullptr;
    LdapFailure m_failure;
    int m_skippedReferences = 0;
};
