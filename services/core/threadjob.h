#pragma once

#include "valuejob.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>

// The one way to run work off the GUI thread: a ValueJob whose work runs on a pool thread
// and whose value (or error) comes back on the job's thread. The work gets its inputs by
// value (it must not touch the job or anything the job's thread owns); it returns the
// value, or sets *error to fail the job with that message. Cancelling cannot stop work
// already running: the job finishes at once as Cancelled and the work's result is dropped.
template <typename Result> class ThreadJob : public ValueJob<Result>
{
public:
    using Work = std::function<Result(QString *error)>;
    enum Error { WorkFailed = Job::UserDefinedError + 50 };

    explicit ThreadJob(Work work, QObject *parent = nullptr)
        : ValueJob<Result>(parent), m_work(std::move(work))
    {}

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
            QString error;
        };
        auto *watcher = new QFutureWatcher<Outcome>(this);
        QObject::connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
            const Outcome outcome = watcher->result();
            watcher->deleteLater();
            if (this->isFinished())
                return; // cancelled meanwhile
            if (!outcome.error.isEmpty())
                this->fail(WorkFailed, outcome.error);
            else
                this->setValue(outcome.value);
            this->emitResult();
        });
        watcher->setFuture(QtConcurrent::run([work = m_work] {
            Outcome outcome;
            outcome.value = work(&outcome.error);
            return outcome;
        }));
    }

private:
    Work m_work;
};
