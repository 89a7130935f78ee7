#pragma once

#include "job.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

class CredentialStore;
class QTimer;
namespace QKeychain {
class Job;
}

// One read, write or delete of a secret. Finishes once. A keychain that fails or does
// not answer within the store's timeout is not an error: the job finishes with
// isSessionOnly() true and note() saying so, and the secret lives in memory for this
// session only. error() is set only for a cancelled job.
class CredentialJob : public Job
{
    Q_OBJECT
public:
    enum class Operation { Read, Write, Remove };

    CredentialJob(CredentialStore *store, Operation operation, const QString &key,
                  const QString &secret = QString());

    Operation operation() const { return m_operation; }
    QString key() const { return m_key; }
    // Read: the secret; empty when none is stored (isFound() false).
    QString secret() const { return m_secret; }
    bool isFound() const { return m_found; }
    // The keychain was not used (it failed or timed out); the session store was.
    bool isSessionOnly() const { return m_sessionOnly; }
    // For the user, when isSessionOnly(): why, and what it means.
    QString note() const { return m_note; }
    // Read: older names to try, in order, when nothing is stored under key(); a secret
    // found under one of them is written under key() and the old entry removed.
    void setLegacyKeys(const QStringList &keys) { m_legacyKeys = keys; }
    // Read: the name the secret was found under (key() or a legacy one).
    QString foundUnder() const { return m_foundUnder; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void useSessionStore(const QString &why);
    void onKeychainFinished(QKeychain::Job *job);
    void onTimeout();
    void startKeychainJob(const QString &key);
    void finishRead(const QString &foundUnder);

    QPointer<CredentialStore> m_store;
    Operation m_operation;
    QString m_key;
    QString m_secret;
    bool m_found = false;
    bool m_sessionOnly = false;
    QString m_note;
    QStringList m_legacyKeys;
    QString m_currentKey;
    QString m_foundUnder;
    QTimer *m_timer = nullptr;
};

// Secrets (refresh tokens, an LDAP bind password) in the OS keychain through QtKeychain
// (libsecret on Linux, Keychain on macOS, Credential Manager on Windows), never on disk
// in plain text. Every keychain call has a timeout: on Linux with DISPLAY set and no
// session bus, QtKeychain waits forever (DESIGN.md §8). After the first failure or
// timeout the store stays session-only (QtKeychain runs its jobs one at a time, so a
// hung job would block every later one) and keeps secrets in memory.
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    explicit CredentialStore(const QString &service = QStringLiteral("Anchorfix"),
                             QObject *parent = nullptr);

    QString service() const { return m_service; }
    void setTimeout(int ms) { m_timeoutMs = ms; }
    int timeout() const { return m_timeoutMs; }

    // Jobs not yet started: connect to Job::finished, then start().
    CredentialJob *read(const QString &key);
    CredentialJob *write(const QString &key, const QString &secret);
    CredentialJob *remove(const QString &key);

    bool isSessionOnly() const { return m_sessionOnly; }
    QString sessionOnlyReason() const { return m_sessionOnlyReason; }
    // Do not touch the keychain at all (a --no-keychain choice, or a known-broken one).
    void setSessionOnly(const QString &reason) { switchToSessionOnly(reason); }

    // The key for a refresh token of one app in one tenant.
    static QString refreshTokenKey(const QString &tenant, const QString &clientId);
    // The keys of the secrets both front-ends keep (one place, so the command line reads
    // exactly what the wizard stored): "ldap-password:DN@URI", "client-secret:TENANT:CLIENT".
    static QString ldapPasswordKey(const QString &ldapUri, const QString &bindDn);
    static QString clientSecretKey(const QString &tenant, const QString &clientId);
    // Reads them; a secret stored under the name an older wizard used ("ldap:URI|DN",
    // "client:TENANT|CLIENT") is found too and moved to the current name.
    CredentialJob *readLdapPassword(const QString &ldapUri, const QString &bindDn);
    CredentialJob *readClientSecret(const QString &tenant, const QString &clientId);

Q_SIGNALS:
    // Emitted once, when the store falls back to session-only.
    void sessionOnlyChanged(const QString &reason);

private:
    friend class CredentialJob;
    void switchToSessionOnly(const QString &reason);

    QString m_service;
    int m_timeoutMs = 5000;
    bool m_sessionOnly = false;
    QString m_sessionOnlyReason;
    QHash<QString, QString> m_session; // in memory only
};
