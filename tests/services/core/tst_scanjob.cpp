#include "reconciler.h"
#include "scanjob.h"
#include "threadjob.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

namespace {

// A side that reports progress, then finishes after delayMs with its value or an error.
template <typename Result> class FakeSide : public ValueJob<Result>
{
public:
    FakeSide(Result value, int delayMs, QString error = {})
        : m_result(std::move(value)), m_delayMs(delayMs), m_error(std::move(error))
    {}
    bool wasCancelled = false;

protected:
    void doStart() override
    {
        this->setProgress(1, 2);
        QTimer::singleShot(m_delayMs, this, [this] {
            if (this->isFinished())
                return;
            this->setProgress(2, 2);
            if (m_error.isEmpty())
                this->setValue(m_result);
            else
                this->fail(Job::UserDefinedError, m_error);
            this->emitResult();
        });
    }
    void doCancel() override
    {
        wasCancelled = true;
        Job::doCancel();
    }

private:
    Result m_result;
    int m_delayMs;
    QString m_error;
};

OnPremScan onPremOf(int n)
{
    OnPremScan scan;
    for (int i = 0; i < n; ++i) {
        OnPremUser u;
        u.dn = QStringLiteral("CN=u%1,DC=corp").arg(i);
        u.objectGuid = QByteArray(16, char(i + 1));
        u.upn = QStringLiteral("u%1@corp.example").arg(i);
        scan.users << u;
    }
    scan.warnings << QStringLiteral("line 3: no objectGUID");
    return scan;
}

CloudScan cloudOf(int n)
{
    CloudScan scan;
    scan.snapshot.tenantId = QStringLiteral("tenant");
    for (int i = 0; i < n; ++i) {
        CloudUser u;
        u.id = QStringLiteral("id-%1").arg(i);
        u.upn = QStringLiteral("u%1@corp.example").arg(i);
        scan.snapshot.users << u;
    }
    return scan;
}

} // namespace

Q_DECLARE_METATYPE(ScanJob::Side)

class tst_ScanJob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Both sides read, then the findings are exactly what the Reconciler makes of them.
    void bothSidesThenFindings_data()
    {
        QTest::addColumn<int>("order");
        QTest::addColumn<int>("onPremDelay");
        QTest::addColumn<int>("cloudDelay");
        QTest::newRow("parallel, on-prem last") << int(ScanJob::Order::Parallel) << 40 << 5;
        QTest::newRow("parallel, cloud last") << int(ScanJob::Order::Parallel) << 5 << 40;
        QTest::newRow("on-prem first") << int(ScanJob::Order::OnPremFirst) << 5 << 5;
    }

    void bothSidesThenFindings()
    {
        QFETCH(int, order);
        QFETCH(int, onPremDelay);
        QFETCH(int, cloudDelay);
        bool cloudMadeBeforeOnPremDone = false;
        ScanJob *job = nullptr;
        job = new ScanJob([&] { return new FakeSide<OnPremScan>(onPremOf(3), onPremDelay); },
                          [&] {
                              cloudMadeBeforeOnPremDone = !job->isSideDone(ScanJob::Side::OnPrem);
                              return new FakeSide<CloudScan>(cloudOf(2), cloudDelay);
                          },
                          AnchorRule::ObjectGuid);
        job->setAutoDelete(false);
        job->setOrder(ScanJob::Order(order));
        QSignalSpy sides(job, &ScanJob::sideFinished);
        QSignalSpy compare(job, &ScanJob::reconcileStarted);
        QSignalSpy progress(job, &Job::progressChanged); // one per side update
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(finished.wait(5000));
        QCOMPARE(job->error(), int(Job::NoError));
        QCOMPARE(sides.count(), 2);
        QCOMPARE(compare.count(), 1);
        QVERIFY(progress.count() >= 4); // each side: 1 of 2, 2 of 2
        QCOMPARE(cloudMadeBeforeOnPremDone, order == int(ScanJob::Order::Parallel));
        ReconcileInput input;
        input.onPrem = onPremOf(3).users;
        input.cloud = cloudOf(2).snapshot;
        input.anchorRule = AnchorRule::ObjectGuid;
        QCOMPARE(job->value().findings, Reconciler::reconcile(input));
        QCOMPARE(job->value().onPrem.warnings, onPremOf(3).warnings);
        QCOMPARE(job->value().cloud.snapshot.tenantId, QStringLiteral("tenant"));
        QCOMPARE(job->totalAmount(), qint64(4)); // both sides' totals added up
        delete job;
    }

    // One side fails: the other is stopped (nothing to compare), the scan fails with the
    // failing side's message, and the stopped side says it was stopped by the other.
    void aFailedSideStopsTheOther_data()
    {
        QTest::addColumn<bool>("onPremFails");
        QTest::newRow("on-prem fails") << true;
        QTest::newRow("cloud fails") << false;
    }

    void aFailedSideStopsTheOther()
    {
        QFETCH(bool, onPremFails);
        FakeSide<OnPremScan> *onPrem = nullptr;
        FakeSide<CloudScan> *cloud = nullptr;
        ScanJob job(
            [&] {
                return onPrem = new FakeSide<OnPremScan>(
                           onPremOf(1), onPremFails ? 5 : 5000,
                           onPremFails ? QStringLiteral("bind refused") : QString());
            },
            [&] {
                return cloud =
                           new FakeSide<CloudScan>(cloudOf(1), onPremFails ? 5000 : 5,
                                                   onPremFails ? QString() : QStringLiteral("403"));
            },
            AnchorRule::ObjectGuid);
        job.setAutoDelete(false);
        QSignalSpy finished(&job, &Job::finished);
        QSignalSpy compare(&job, &ScanJob::reconcileStarted);
        job.start();
        QVERIFY(finished.wait(3000)); // well before the slow side would have finished
        QCOMPARE(job.error(), int(Job::UserDefinedError));
        QCOMPARE(job.errorString(),
                 onPremFails ? QStringLiteral("bind refused") : QStringLiteral("403"));
        const ScanJob::Side failed = onPremFails ? ScanJob::Side::OnPrem : ScanJob::Side::Cloud;
        const ScanJob::Side other = onPremFails ? ScanJob::Side::Cloud : ScanJob::Side::OnPrem;
        QCOMPARE(job.sideError(failed), int(Job::UserDefinedError));
        QVERIFY(!job.sideStoppedByOther(failed));
        QCOMPARE(job.sideError(other), int(Job::Cancelled));
        QVERIFY(job.sideStoppedByOther(other));
        QCOMPARE(compare.count(), 0);
    }

    // On-prem first: a failed on-prem side never starts the tenant side (no sign-in).
    void onPremFirstNeverStartsTheCloudAfterAFailure()
    {
        int cloudMade = 0;
        ScanJob job(
            [] { return new FakeSide<OnPremScan>({}, 5, QStringLiteral("wrong password")); },
            [&] {
                ++cloudMade;
                return new FakeSide<CloudScan>(cloudOf(1), 5);
            },
            AnchorRule::ObjectGuid);
        job.setAutoDelete(false);
        job.setOrder(ScanJob::Order::OnPremFirst);
        QSignalSpy finished(&job, &Job::finished);
        job.start();
        QVERIFY(finished.wait(3000));
        QCOMPARE(job.errorString(), QStringLiteral("wrong password"));
        QCOMPARE(cloudMade, 0);
    }

    // A side that cannot even begin (a failed sign-in) fails the scan with its message.
    void aSideThatCannotBegin()
    {
        ScanJob job([] { return new FakeSide<OnPremScan>(onPremOf(1), 5); },
                    [] { return new FailedJob<CloudScan>(QStringLiteral("Sign-in failed: x")); },
                    AnchorRule::ObjectGuid);
        job.setAutoDelete(false);
        job.setOrder(ScanJob::Order::OnPremFirst);
        QSignalSpy finished(&job, &Job::finished);
        job.start();
        QVERIFY(finished.wait(3000));
        QCOMPARE(job.errorString(), QStringLiteral("Sign-in failed: x"));
        QCOMPARE(job.sideError(ScanJob::Side::OnPrem), int(Job::NoError));
    }

    // Cancel stops both reads; neither side is "stopped by the other", the scan is Cancelled.
    void cancelStopsBoth()
    {
        ScanJob job([] { return new FakeSide<OnPremScan>(onPremOf(1), 5000); },
                    [] { return new FakeSide<CloudScan>(cloudOf(1), 5000); },
                    AnchorRule::ObjectGuid);
        job.setAutoDelete(false);
        QSignalSpy finished(&job, &Job::finished);
        QSignalSpy sides(&job, &ScanJob::sideFinished);
        job.start();
        QTRY_VERIFY(job.processedAmount() > 0);
        job.cancel();
        QVERIFY(finished.count() == 1 || finished.wait(3000));
        QCOMPARE(job.error(), int(Job::Cancelled));
        QCOMPARE(sides.count(), 2);
        QVERIFY(!job.sideStoppedByOther(ScanJob::Side::OnPrem));
        QVERIFY(!job.sideStoppedByOther(ScanJob::Side::Cloud));
    }

    // ThreadJob: the work runs on another thread, its value or message comes back here.
    void threadJobRunsOffThisThread()
    {
        const Qt::HANDLE here = QThread::currentThreadId();
        auto *job =
            new ThreadJob<bool>([here](QString *) { return QThread::currentThreadId() != here; });
        job->setAutoDelete(false);
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(finished.wait(3000));
        QCOMPARE(job->error(), int(Job::NoError));
        QVERIFY(job->value());
        delete job;
        auto *failing = new ThreadJob<int>([](QString *error) {
            *error = QStringLiteral("cannot read plan.csv");
            return 0;
        });
        failing->setAutoDelete(false);
        QSignalSpy failed(failing, &Job::finished);
        failing->start();
        QVERIFY(failed.wait(3000));
        QCOMPARE(failing->error(), int(ThreadJob<int>::WorkFailed));
        QCOMPARE(failing->errorString(), QStringLiteral("cannot read plan.csv"));
        delete failing;
    }
};

QTEST_GUILESS_MAIN(tst_ScanJob)
#include "tst_scanjob.moc"
