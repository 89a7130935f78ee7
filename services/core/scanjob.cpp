#include "scanjob.h"

#include "reconciler.h"
#include "threadjob.h"

ScanJob::ScanJob(OnPremFactory onPrem, CloudFactory cloud, AnchorRule anchorRule, QObject *parent)
    : ValueJob<ScanResult>(parent), m_makeOnPrem(std::move(onPrem)), m_makeCloud(std::move(cloud)),
      m_anchorRule(anchorRule)
{}

void ScanJob::doStart()
{
    startSide(Side::OnPrem);
    if (m_order == Order::Parallel && !isFinished())
        startSide(Side::Cloud);
}

void ScanJob::startSide(Side side)
{
    Job *job = side == Side::OnPrem ? static_cast<Job *>(m_makeOnPrem())
                                    : static_cast<Job *>(m_makeCloud());
    if (!job) {
        SideState &s = m_sides[int(side)];
        s.done = true;
        s.error = UserDefinedError;
        s.errorString = tr("This service is not available.");
        Q_EMIT sideFinished(side);
        onSideFinished(side, nullptr);
        return;
    }
    watch(side, job);
    job->start();
}

void ScanJob::watch(Side side, Job *job)
{
    m_sides[int(side)].job = job;
    connect(job, &Job::progressChanged, this, [this, side](const JobProgress &p) {
        m_sides[int(side)].progress = {p.done, p.total};
        publishProgress(side);
    });
    connect(job, &Job::infoMessage, this,
            [this, side](const QString &text) { Q_EMIT sideInfoMessage(side, text); });
    connect(job, &Job::finished, this, [this, side](Job *j) { onSideFinished(side, j); });
}

void ScanJob::publishProgress(Side moved)
{
    const JobPartProgress &a = m_sides[int(Side::OnPrem)].progress;
    const JobPartProgress &b = m_sides[int(Side::Cloud)].progress;
    JobProgress p;
    p.done = a.done + b.done;
    // A side that does not know its total yet makes the whole total unknown.
    p.total = a.total > 0 && b.total > 0 ? a.total + b.total : 0;
    p.parts = {a, b};
    p.part = int(moved);
    setProgress(p);
}

void ScanJob::onSideFinished(Side side, Job *job)
{
    SideState &s = m_sides[int(side)];
    s.job = nullptr;
    if (job) {
        s.done = true;
        s.error = job->error();
        s.errorString = job->errorString();
        if (s.error == NoError) {
            if (side == Side::OnPrem)
                m_result.onPrem = static_cast<ValueJob<OnPremScan> *>(job)->value();
            else
                m_result.cloud = static_cast<ValueJob<CloudScan> *>(job)->value();
        }
        Q_EMIT sideFinished(side);
    }
    const Side other = side == Side::OnPrem ? Side::Cloud : Side::OnPrem;
    if (s.error != NoError) {
        // Nothing to compare any more: stop the other side. Its finished() comes back
        // through here (inside cancel(), or later) and ends the scan.
        SideState &o = m_sides[int(other)];
        if (o.job && !o.done) {
            if (s.error != Cancelled || !isCancelRequested())
                o.stoppedByOther = true;
            o.job->cancel();
            return;
        }
    } else if (side == Side::OnPrem && m_order == Order::OnPremFirst &&
               !m_sides[int(Side::Cloud)].done && !m_sides[int(Side::Cloud)].job) {
        if (isCancelRequested()) {
            m_sides[int(Side::Cloud)].done = true;
            m_sides[int(Side::Cloud)].error = Cancelled;
        } else {
            startSide(Side::Cloud);
            return;
        }
    }
    maybeReconcile();
}

void ScanJob::maybeReconcile()
{
    const SideState &a = m_sides[int(Side::OnPrem)];
    const SideState &b = m_sides[int(Side::Cloud)];
    // In OnPremFirst order a failed on-prem side never starts the cloud one.
    const bool cloudNeverStarted = !b.done && !b.job && a.done && a.error != NoError;
    if (m_ended || !a.done || (!b.done && !cloudNeverStarted))
        return;
    m_ended = true;
    if (a.error != NoError || b.error != NoError) {
        // The side that failed first speaks; a side stopped because of it does not.
        const SideState &first = a.error != NoError && !a.stoppedByOther   ? a
                                 : b.error != NoError && !b.stoppedByOther ? b
                                                                           : a;
        fail(isCancelRequested() ? int(Cancelled) : first.error, first.errorString);
        emitResult();
        return;
    }
    Q_EMIT reconcileStarted();
    ReconcileInput input;
    input.onPrem = m_result.onPrem.users;
    input.cloud = m_result.cloud.snapshot;
    input.anchorRule = m_anchorRule;
    input.onPremScanScoped = m_result.onPrem.scoped; // the scan's own word (LdapConfig::isScoped)
    // The diff of 200k users takes longer than a frame: a worker thread does it.
    auto *job = new ThreadJob<QList<Finding>>(
        [input](QString *) { return Reconciler::reconcile(input); }, this);
    m_reconcile = job;
    connect(job, &Job::finished, this, [this](Job *j) {
        m_reconcile = nullptr;
        if (j->error() != NoError) {
            fail(j->error(), j->errorString());
        } else {
            m_result.findings = static_cast<ThreadJob<QList<Finding>> *>(j)->value();
            setValue(m_result);
        }
        emitResult();
    });
    job->start();
}

void ScanJob::doCancel()
{
    bool running = false;
    for (SideState &s : m_sides) {
        if (s.job && !s.done) {
            running = true;
            s.job->cancel(); // finishes it → onSideFinished → the scan ends as Cancelled
        }
    }
    if (m_reconcile) {
        m_reconcile->cancel();
        return;
    }
    if (!running && !isFinished())
        Job::doCancel();
}
