#pragma once

#include "jobprogress.h"

#include <QObject>
#include <QString>

// Job is the shape of every piece of asynchronous work in services/ (after KDE's KJob):
// start() only schedules the work, the job reports progress while it runs, and it
// finishes exactly once with either no error or an error code plus a message an admin
// can act on. By default a finished job deletes itself.
class Job : public QObject
{
    Q_OBJECT
public:
    enum Error {
        NoError = 0,
        Cancelled = 1,
        UserDefinedError = 100, // subclasses number their own errors from here
    };

    explicit Job(QObject *parent = nullptr);
    ~Job() override;

    // Queues the work on the event loop; a second call is ignored.
    void start();
    // Asks the job to stop. It still finishes once, with error() == Cancelled unless
    // it had already finished.
    void cancel();

    int error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    bool isCancelRequested() const { return m_cancelRequested; }

    bool isAutoDelete() const { return m_autoDelete; }
    void setAutoDelete(bool autoDelete) { m_autoDelete = autoDelete; }

    qint64 processedAmount() const { return m_progress.done; }
    qint64 totalAmount() const { return m_progress.total; }
    // The last progress reported.
    const JobProgress &progress() const { return m_progress; }

Q_SIGNALS:
    // Emitted once when the job is done, successfully or not.
    void finished(Job *job);
    // The one progress signal of every job: done/total in the job's own unit (entries,
    // users, changes; total 0 = unknown) and whatever detail the job has (JobProgress).
    void progressChanged(const JobProgress &progress);
    // A short status line for a progress display ("Page 3: 2,000 users").
    void infoMessage(const QString &text);

protected:
    virtual void doStart() = 0;
    // Called once by cancel(); the default finishes the job as Cancelled at once.
    // Jobs with work in flight override it and finish when the work has stopped.
    virtual void doCancel();

    void setError(int error) { m_error = error; }
    void setErrorText(const QString &text) { m_errorString = text; }
    void fail(int error, const QString &text);
    // Counts only (the detail of the last report stays).
    void setProgress(qint64 done, qint64 total);
    void setProgress(const JobProgress &progress);
    // Emits finished() (once) and schedules deletion when auto-delete is on.
    void emitResult();

private:
    int m_error = NoError;
    QString m_errorString;
    JobProgress m_progress;
    bool m_started = false;
    bool m_finished = false;
    bool m_cancelRequested = false;
    bool m_autoDelete = true;
};
