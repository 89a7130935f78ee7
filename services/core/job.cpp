#include "job.h"

#include <QTimer>

Job::Job(QObject *parent) : QObject(parent) {}

Job::~Job() = default;

void Job::start()
{
    if (m_started)
        return;
    m_started = true;
    // Queued, so that the caller can connect to finished() after start() as well.
    QTimer::singleShot(0, this, [this] {
        if (m_finished)
            return;
        if (m_cancelRequested) {
            fail(Cancelled, tr("Cancelled before it started."));
            emitResult();
            return;
        }
        doStart();
    });
}

void Job::cancel()
{
    if (m_finished || m_cancelRequested)
        return;
    m_cancelRequested = true;
    if (m_started)
        doCancel();
}

void Job::doCancel()
{
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void Job::fail(int error, const QString &text)
{
    m_error = error;
    m_errorString = text;
}

void Job::setProgress(qint64 done, qint64 total)
{
    m_progress.done = done;
    m_progress.total = total;
    Q_EMIT progressChanged(m_progress);
}

void Job::setProgress(const JobProgress &progress)
{
    m_progress = progress;
    Q_EMIT progressChanged(m_progress);
}

void Job::emitResult()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished(this);
    if (m_autoDelete)
        deleteLater();
}
