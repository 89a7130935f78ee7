#include "credentialstore.h"

#include <QTimer>
#include <qt6keychain/keychain.h>

CredentialStore::CredentialStore(const QString &service, QObject *parent)
    : QObject(parent), m_service(service)
{}

CredentialJob *CredentialStore::read(const QString &key)
{
    return new CredentialJob(this, CredentialJob::Operation::Read, key);
}

CredentialJob *CredentialStore::write(const QString &key, const QString &secret)
{
    return new CredentialJob(this, CredentialJob::Operation::Write, key, secret);
}

CredentialJob *CredentialStore::remove(const QString &key)
{
    return new CredentialJob(this, CredentialJob::Operation::Remove, key);
}

QString CredentialStore::refreshTokenKey(const QString &tenant, const QString &clientId)
{
    return QStringLiteral("refresh-token/%1/%2").arg(tenant.toLower(), clientId.toLower());
}

QString CredentialStore::ldapPasswordKey(const QString &ldapUri, const QString &bindDn)
{
    return QStringLiteral("ldap-password:%1@%2").arg(bindDn, ldapUri);
}

QString CredentialStore::clientSecretKey(const QString &tenant, const QString &clientId)
{
    return QStringLiteral("client-secret:%1:%2").arg(tenant, clientId);
}

CredentialJob *CredentialStore::readLdapPassword(const QString &ldapUri, const QString &bindDn)
{
    CredentialJob *job = read(ldapPasswordKey(ldapUri, bindDn));
    job->setLegacyKeys({u"ldap:" + ldapUri + u'|' + bindDn}); // the wizard's name until 2026-12
    return job;
}

CredentialJob *CredentialStore::readClientSecret(const QString &tenant, const QString &clientId)
{
    CredentialJob *job = read(clientSecretKey(tenant, clientId));
    job->setLegacyKeys({u"client:" + tenant + u'|' + clientId});
    return job;
}

void CredentialStore::switchToSessionOnly(const QString &reason)
{
    if (m_sessionOnly)
        return;
    m_sessionOnly = true;
    m_sessionOnlyReason = reason;
    Q_EMIT sessionOnlyChanged(reason);
}

CredentialJob::CredentialJob(CredentialStore *store, Operation operation, const QString &key,
                             const QString &secret)
    : Job(store), m_store(store), m_operation(operation), m_key(key), m_secret(secret)
{}

void CredentialJob::doStart()
{
    if (!m_store) {
        fail(UserDefinedError, tr("The credential store is gone."));
        emitResult();
        return;
    }
    if (m_store->isSessionOnly()) {
        useSessionStore(m_store->sessionOnlyReason());
        return;
    }
    startKeychainJob(m_key);
}

void CredentialJob::startKeychainJob(const QString &key)
{
    m_currentKey = key;
    QKeychain::Job *job = nullptr;
    switch (m_operation) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(m_store->service());
        break;
    case Operation::Write: {
        auto *w = new QKeychain::WritePasswordJob(m_store->service());
        w->setTextData(m_secret);
        job = w;
        break;
    }
    case Operation::Remove:
        job = new QKeychain::DeletePasswordJob(m_store->service());
        break;
    }
    // No parent: a keychain job that never answers must not be deleted under
    // libsecret's pending callback. It deletes itself if it ever finishes.
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    QPointer<CredentialJob> self(this);
    QObject::connect(job, &QKeychain::Job::finished, job, [self](QKeychain::Job *j) {
        if (self)
            self->onKeychainFinished(j);
    });
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, &CredentialJob::onTimeout);
    }
    m_timer->start(m_store->timeout());
    job->start();
}

void CredentialJob::doCancel()
{
    if (m_timer)
        m_timer->stop();
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void CredentialJob::onTimeout()
{
    if (isFinished())
        return;
    const QString reason =
        tr("The system keychain did not answer within %1 s (on Linux: no unlocked secret "
           "service on the session bus).")
            .arg(m_store ? m_store->timeout() / 1000.0 : 0.0, 0, 'f', 1);
    if (m_store)
        m_store->switchToSessionOnly(reason);
    useSessionStore(reason);
}

void CredentialJob::onKeychainFinished(QKeychain::Job *job)
{
    if (isFinished())
        return;
    if (m_timer)
        m_timer->stop();
    const QKeychain::Error error = job->error();
    if (error == QKeychain::NoError) {
        if (m_operation == Operation::Read) {
            m_secret = static_cast<QKeychain::ReadPasswordJob *>(job)->textData();
            finishRead(m_currentKey);
            return;
        }
        emitResult();
        return;
    }
    if (error == QKeychain::EntryNotFound) {
        // Not found is an answer, not a failure: nothing stored (or nothing to delete).
        if (m_operation == Operation::Read) {
            const qsizetype next =
                m_currentKey == m_key ? 0 : m_legacyKeys.indexOf(m_currentKey) + 1;
            if (next < m_legacyKeys.size()) {
                startKeychainJob(m_legacyKeys.at(next));
                return;
            }
            m_secret.clear();
        }
        m_found = false;
        emitResult();
        return;
    }
    const QString reason = tr("The system keychain refused (%1).").arg(job->errorString());
    if (m_store)
        m_store->switchToSessionOnly(reason);
    useSessionStore(reason);
}

void CredentialJob::finishRead(const QString &foundUnder)
{
    m_found = true;
    m_foundUnder = foundUnder;
    if (foundUnder != m_key && m_store) {
        // Found under an older name: keep it under the current one from now on.
        CredentialJob *write = m_store->write(m_key, m_secret);
        const QString old = foundUnder;
        QPointer<CredentialStore> store = m_store;
        connect(write, &Job::finished, write, [store, old](Job *j) {
            if (store && j->error() == NoError && !static_cast<CredentialJob *>(j)->isSessionOnly())
                store->remove(old)->start();
        });
        write->start();
    }
    emitResult();
}

void CredentialJob::useSessionStore(const QString &why)
{
    m_sessionOnly = true;
    // Say what happened to this operation, without talking of a secret where none is kept.
    switch (m_operation) {
    case Operation::Write:
        m_note = why + QLatin1Char(' ') +
                 tr("It is kept in memory for this session only; you will be asked again "
                    "next time.");
        break;
    case Operation::Read:
        m_note = why + QLatin1Char(' ') +
                 tr("Nothing could be read from it; what you enter is kept for this session "
                    "only.");
        break;
    case Operation::Remove:
        m_note = why + QLatin1Char(' ') +
                 tr("Nothing was removed from it; the value is forgotten for this session only.");
        break;
    }
    if (m_store) {
        switch (m_operation) {
        case Operation::Read:
            m_found = m_store->m_session.contains(m_key);
            m_secret = m_store->m_session.value(m_key);
            m_foundUnder = m_found ? m_key : QString();
            for (qsizetype i = 0; !m_found && i < m_legacyKeys.size(); ++i) {
                m_found = m_store->m_session.contains(m_legacyKeys.at(i));
                m_secret = m_store->m_session.value(m_legacyKeys.at(i));
                m_foundUnder = m_found ? m_legacyKeys.at(i) : QString();
            }
            break;
        case Operation::Write:
            m_store->m_session.insert(m_key, m_secret);
            break;
        case Operation::Remove:
            m_store->m_session.remove(m_key);
            break;
        }
    }
    emitResult();
}
