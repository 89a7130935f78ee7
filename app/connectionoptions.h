#pragma once

#include "graphconfig.h"
#include "ldapconfig.h"
#include "onpremuser.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class CloudSession;
class Job;
class QObject;

// The command line's connection options (DESIGN.md §5) and what they turn into:
// an LdapConfig or an on-prem export file, a GraphConfig, the secrets (environment
// first, then the keychain — never argv), and a signed-in CloudSession.
class ConnectionOptions
{
public:
    // The parts a command uses; it accepts every connection option all the same.
    enum Part { OnPrem = 1, Cloud = 2 };

    static inline const char *ldapPasswordVariable = "ANCHORFIX_LDAP_PASSWORD";
    static inline const char *clientSecretVariable = "ANCHORFIX_CLIENT_SECRET";

    explicit ConnectionOptions(int parts);

    void addTo(QCommandLineParser &parser) const;

    // After parsing. false with a usage message when an option is malformed or missing.
    bool readOnPrem(const QCommandLineParser &parser, QString *error);
    bool readCloud(const QCommandLineParser &parser, QString *error);
    bool hasCloud(const QCommandLineParser &parser) const;

    bool usesOnPremFile() const { return !m_onPremFile.isEmpty(); }
    QString onPremFile() const { return m_onPremFile; }
    LdapConfig ldapConfig() const { return m_ldap; }
    AnchorRule anchorRule() const { return m_anchorRule; }
    GraphConfig graphConfig() const { return m_graph; }

    // Reads the LDAP password (environment, then keychain). false with a message.
    bool loadLdapPassword(QString *error);
    // The LDAP write bind for changes in AD (adopt_cloud_anchor, copy_objectguid and their
    // undo): LDAP options, not an export file, and the password. Nothing when it fails:
    // *error says what to give, and *usage is true when options are missing (exit 2).
    std::optional<LdapConfig> writeBind(const QCommandLineParser &parser, QString *error,
                                        bool *usage);
    // Signs in (client credentials when a secret is found, else device code on the
    // terminal) and returns the session (signed-in identity, granted permissions, tenant
    // facts, a client that renews its token), owned by parent. nullptr + message.
    // extraWritePermissions are asked for with the write scopes (delegated sign-in).
    CloudSession *signIn(QObject *parent, bool writeAccess, QString *error,
                         const QStringList &extraWritePermissions = {});

    // Runs a job to its end on a local event loop (command line only) and returns
    // its error code.
    static int waitFor(Job *job);

private:
    enum class SecretKind { LdapPassword, ClientSecret };
    QString secretFromKeychain(SecretKind kind, QString *note) const;

    int m_parts; // the parts the command uses (for a future need; all options are accepted)
    QList<QCommandLineOption> m_options;
    QString m_onPremFile;
    LdapConfig m_ldap;
    AnchorRule m_anchorRule = AnchorRule::ConsistencyGuidElseObjectGuid;
    GraphConfig m_graph;
};
