#pragma once

#include "valuejob.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <functional>
#include <memory>

// What work on a pool thread reports besides its value, and how it learns of a cancel.
struct ThreadWorkStatus
{
    QString error; // set to fail the job with this message
    int code = 0;  // the job's error number for it (0 = ThreadJob's WorkFailed)
    std::shared_ptr<const std::atomic_bool> abort; // raised by cancel()

    bool isAborted() const { return abort && abort->load(); }
};

// The one way to run work off the GUI thread: a ValueJob whose work runs on a pool thread
// and whose value (or error) comes back on the job's thread. The work gets its inputs by
// value (it must not touch the job or anything the job's thread owns); it returns the
// value, or sets an error to fail the job with that message. The value is kept on failure
// too (a file's warnings, say).
//
// Two kinds of work:
// - Work(QString *error): cancelling cannot stop it; the job finishes at once as Cancelled
//   and the work's result is dropped.
// - StatusWork(ThreadWorkStatus *): cancel() raises status->abort, which the work may poll;
//   the job finishes as Cancelled (with cancelText()) only once the work has returned, so
//   what it did to a file is settled by then.
template <typename Result> class ThreadJob : public ValueJob<Result>
{
public:
    using Work = std::function<Result(QString *error)>;
    using StatusWork = std::function<Result(ThreadWorkStatus *status)>;
    enum Error { WorkFailed = Job::UserDefinedError + 50 };

    explicit ThreadJob(Work work, QObject *parent = nullptr)
        : ValueJob<Result>(parent),
          m_work([work = std::move(work)](ThreadWorkStatus *s) { return work(&s->error); }),
          m_waitsForWork(false)
    {}
    explicit ThreadJob(StatusWork work, QObject *parent = nullptr)
        : ValueJob<Result>(parent), m_work(std::move(work)), m_waitsForWork(true)
    {}

    // The message of a cancelled StatusWork job.
    void setCancelText(const QString &text) { m_cancelText = text; }
    QString cancelText() const { return m_cancelText; }

    // Runs the work on this thread (for a command-line tool that waits anyway); the job
    // does not finish or emit anything. Returns false with *error on failure.
    static bool runHere(const Work &work, Result *value, QString *error)
    {
        QString text;
        *value = work(&text);
        if (error)
            *error = text;
        return text.isEmpty();
    }

protected:
    void doStart() override
    {
        struct Outcome
        {
            Result value;
            ThreadWorkStatus status;
        };
        auto *watcher = new QFutureWatcher<Outcome>(this);
        QObject::connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
            Outcome outcome = watcher->result();
            watcher->deleteLater();
            if (this->isFinished())
                return; // cancelled meanwhile (Work)
            this->setValue(std::move(outcome.value));
            if (this->isCancelRequested())
                this->fail(Job::Cancelled,
                           m_cancelText.isEmpty() ? QObject::tr("Cancelled.") : m_cancelText);
            else if (!outcome.status.error.isEmpty())
                this->fail(outcome.status.code ? outcome.status.code : int(WorkFailed),
                           outcome.status.error);
            workReturned();
            this->emitResult();
        });
        watcher->setFuture(QtConcurrent::run([work = m_work, abort = m_abort] {
            Outcome outcome;
            outcome.status.abort = abort;
            outcome.value = work(&outcome.status);
            return outcome;
        }));
    }
    // Back on the job's thread, value and error set, just before finished().
    virtual void workReturned() {}
    void doCancel() override
    {
        *m_abort = true;
        if (!m_waitsForWork)
            Job::doCancel(); // finishes now; the work's result is dropped
    }

private:
    StatusWork m_work;
    bool m_waitsForWork;
    std::shared_ptr<std::atomic_bool> m_abort = std::make_shared<std::atomic_bool>(false);
    QString m_cancelText;
};
