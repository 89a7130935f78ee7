#include "ldapanchorwritejob.h"

#include "ldapworker.h"

LdapAnchorWriteJob::LdapAnchorWriteJob(LdapConfig config, QList<LdapAnchorChange> changes,
                                       QObject *parent)
    : Job(parent), m_config(std::move(config)), m_changes(std::move(changes))
{
    qRegisterMetaType<LdapAnchorOutcome>();
}

LdapAnchorWriteJob::~LdapAnchorWriteJob()
{
    LdapWorker::release(m_worker);
    m_config.password.fill(QChar(0));
}

void LdapAnchorWriteJob::doStart()
{
    const QString problem = m_config.validate(false);
    if (!problem.isEmpty()) {
        fail(ldapJobError(LdapError::InvalidConfig), problem);
        emitResult();
        return;
    }
    m_worker = new LdapWorker(LdapWorker::Task::WriteAnchors, m_config, this);
    m_worker->setAnchorChanges(m_changes);
    m_config.password.fill(QChar(0));
    m_config.password.clear();
    connect(m_worker, &LdapWorker::anchorChangeFinished, this,
            &LdapAnchorWriteJob::onChangeFinished);
    connect(m_worker, &QThread::finished, this, &LdapAnchorWriteJob::onWorkerFinished);
    setProgress(0, m_changes.size());
    Q_EMIT infoMessage(tr("Connecting to %1…").arg(m_config.uri.trimmed()));
    m_worker->start();
}

void LdapAnchorWriteJob::doCancel()
{
    if (m_worker)
        m_worker->abort(); // the change in flight completes (and is reported) first
    else
        Job::doCancel();
}

void LdapAnchorWriteJob::onChangeFinished(const LdapAnchorOutcome &outcome, int index)
{
    m_outcomes << outcome;
    setProgress(m_outcomes.size(), m_changes.size());
    Q_EMIT changeFinished(outcome, index);
}

void LdapAnchorWriteJob::onWorkerFinished()
{
    const LdapFailure failure = m_worker->failure();
    if (isCancelRequested())
        fail(Cancelled, tr("Cancelled after %n change(s).", nullptr, int(m_outcomes.size())));
    else if (failure.isError())
        fail(ldapJobError(failure.code), failure.message);
    emitResult();
}
