#include "ldaptestconnectionjob.h"

#include "ldapworker.h"
#include "secret.h"

LdapTestConnectionJob::LdapTestConnectionJob(LdapConfig config, QObject *parent)
    : Job(parent), m_config(std::move(config))
{}

LdapTestConnectionJob::~LdapTestConnectionJob()
{
    LdapWorker::release(m_worker);
    wipeSecret(m_config.password);
}

void LdapTestConnectionJob::doStart()
{
    const QString problem = m_config.validate(false);
    if (!problem.isEmpty()) {
        fail(ldapJobError(LdapError::InvalidConfig), problem);
        emitResult();
        return;
    }
    m_worker = new LdapWorker(LdapWorker::Task::TestConnection, m_config, this);
    wipeSecret(m_config.password);
    connect(m_worker, &QThread::finished, this, &LdapTestConnectionJob::onWorkerFinished);
    Q_EMIT infoMessage(tr("Connecting to %1…").arg(m_config.uri.trimmed()));
    m_worker->start();
}

void LdapTestConnectionJob::doCancel()
{
    if (m_worker)
        m_worker->abort();
    else
        Job::doCancel();
}

void LdapTestConnectionJob::onWorkerFinished()
{
    const LdapFailure failure = m_worker->failure();
    if (isCancelRequested()) {
        fail(Cancelled, tr("Connection test cancelled."));
    } else if (failure.isError()) {
        fail(ldapJobError(failure.code), failure.message);
    } else {
        m_defaultNamingContext = m_worker->defaultNamingContext();
        m_serverName = m_worker->serverInfo();
        if (m_defaultNamingContext.isEmpty())
            fail(ldapJobError(LdapError::ProtocolError),
                 tr("Connected to %1, but its rootDSE has no defaultNamingContext: is it an "
                    "Active Directory domain controller?")
                     .arg(m_config.uri.trimmed()));
        else
            Q_EMIT infoMessage(tr("Connected to %1; domain %2.")
                                   .arg(m_config.uri.trimmed(), m_defaultNamingContext));
    }
    emitResult();
}
