#include "job.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

namespace {

// Finishes after a short timer, or at once with Cancelled when cancelled.
class TimerJob : public Job
{
public:
    using Job::Job;
    int starts = 0;

protected:
    void doStart() override
    {
        ++starts;
        QTimer::singleShot(20, this, [this] {
            if (!isFinished())
                emitResult();
        });
    }
};

} // namespace

class tst_Job : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startIsQueuedAndFinishesOnce()
    {
        auto *job = new TimerJob;
        QSignalSpy finished(job, &Job::finished);
        job->start();
        job->start();
        QCOMPARE(job->starts, 0); // nothing runs inside start()
        QVERIFY(finished.wait());
        QCOMPARE(job->starts, 1);
        QCOMPARE(job->error(), int(Job::NoError));
        QTest::qWait(50);
        QCOMPARE(finished.count(), 1);
    }

    void cancelFinishesWithCancelled()
    {
        TimerJob job;
        job.setAutoDelete(false);
        QSignalSpy finished(&job, &Job::finished);
        job.start();
        QTRY_COMPARE(job.starts, 1);
        job.cancel();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(job.error(), int(Job::Cancelled));
        QVERIFY(!job.errorString().isEmpty());
    }

    void cancelBeforeStartNeverRunsTheWork()
    {
        TimerJob job;
        job.setAutoDelete(false);
        QSignalSpy finished(&job, &Job::finished);
        job.cancel();
        job.start();
        QVERIFY(finished.wait());
        QCOMPARE(job.starts, 0);
        QCOMPARE(job.error(), int(Job::Cancelled));
    }

    void autoDeleteDeletesAfterFinish()
    {
        QPointer<TimerJob> job = new TimerJob;
        job->start();
        QTRY_VERIFY(job.isNull());
    }
};

QTEST_GUILESS_MAIN(tst_Job)
#include "tst_job.moc"
