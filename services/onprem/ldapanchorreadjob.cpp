#include "ldapanchorreadjob.h"

#include "ldapworker.h"

LdapAnchorReadJob::LdapAnchorReadJob(LdapConfig config, QList<LdapAnchorChange> entries,
                                     QObject *parent)
    : Job(parent), m_config(std::move(config)), m_entries(std::move(entries))
{}

LdapAnchorReadJob::~LdapAnchorReadJob()
{
    LdapWorker::release(m_worker);
    m_config.password.fill(QChar(0));
}

void LdapAnchorReadJob::doStart()
{
    const QString problem = m_config.validate(false);
    if (!problem.isEmpty()) {
        fail(ldapJobError(LdapError::InvalidConfig), problem);
        emitResult();
        return;
    }
    m_worker = new LdapWorker(LdapWorker::Task::ReadAnchors, m_config, this);
    m_worker->setAnchorChanges(m_entries);
    m_config.password.fill(QChar(0));
    m_config.password.clear();
    connect(m_worker, &QThread::finished, this, &LdapAnchorReadJob::onWorkerFinished);
    Q_EMIT infoMessage(tr("Reading %n user(s) from %1…", nullptr, int(m_entries.size()))
                           .arg(m_config.uri.trimmed()));
    m_worker->start();
}

void LdapAnchorReadJob::doCancel()
{
    if (m_worker)
        m_worker->abort();
    else
        Job::doCancel();
}

void LdapAnchorReadJob::onWorkerFinished()
{
    const LdapFailure failure = m_worker->failure();
    m_states = m_worker->anchorStates();
    if (isCancelRequested())
        fail(Cancelled, tr("Reading the users was cancelled."));
    else if (failure.isError())
        fail(ldapJobError(failure.code), failure.message);
    emitResult();
}
