#include "ldapscanjob.h"

#include "ldapworker.h"
#include "secret.h"

#include <QLocale>

LdapScanJob::LdapScanJob(LdapConfig config, QObject *parent)
    : Job(parent), m_config(std::move(config))
{
    m_source = m_config.uri.trimmed();
    m_scoped = m_config.isScoped();
}

LdapScanJob::~LdapScanJob()
{
    LdapWorker::release(m_worker); // never blocks for long, even in a TCP connect
    wipeSecret(m_config.password);
}

void LdapScanJob::doStart()
{
    const QString problem = m_config.validate();
    if (!problem.isEmpty()) {
        fail(ldapJobError(LdapError::InvalidConfig), problem);
        emitResult();
        return;
    }
    m_worker = new LdapWorker(LdapWorker::Task::Scan, m_config, this);
    wipeSecret(m_config.password);
    connect(m_worker, &LdapWorker::pageRead, this, &LdapScanJob::onPageRead);
    connect(m_worker, &QThread::finished, this, &LdapScanJob::onWorkerFinished);
    Q_EMIT infoMessage(tr("Connecting to %1…").arg(m_source));
    m_worker->start();
}

void LdapScanJob::doCancel()
{
    if (m_worker)
        m_worker->abort(); // finishes as Cancelled when the thread has stopped
    else
        Job::doCancel();
}

void LdapScanJob::onPageRead(const QList<OnPremUser> &users, int page)
{
    m_users.append(users);
    m_pages = page;
    setProgress(m_users.size(), 0);
    Q_EMIT infoMessage(tr("Page %1: %2 users").arg(page).arg(QLocale().toString(m_users.size())));
}

void LdapScanJob::onWorkerFinished()
{
    const LdapFailure failure = m_worker->failure();
    m_warnings = m_worker->warnings();
    m_pagesAfterCancel = m_worker->pagesReadAfterAbort();
    m_referencesSkipped = m_worker->searchReferencesSkipped();
    if (isCancelRequested()) {
        fail(Cancelled, tr("Scan cancelled after %1 users.").arg(m_users.size()));
    } else if (failure.isError()) {
        fail(ldapJobError(failure.code), failure.message);
    } else {
        Q_EMIT infoMessage(tr("Read %1 users in %2 pages from %3.")
                               .arg(QLocale().toString(m_users.size()))
                               .arg(m_pages)
                               .arg(m_source));
    }
    emitResult();
}
