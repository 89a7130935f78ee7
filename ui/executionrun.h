#pragma once

#include "executionreport.h"
#include "job.h"

// A run of the executor (or of a rollback) as the Execute and Summary pages see it:
// per-row outcomes and progress (Job::progressChanged, with the current user, rate and
// waits) as they happen, pause/resume, and the report at the end.
class ExecutionRun : public Job
{
    Q_OBJECT
public:
    using Job::Job;

    virtual void setPaused(bool paused) = 0;
    virtual bool isPaused() const = 0;
    ExecutionReport report() const { return m_report; }

Q_SIGNALS:
    void outcomeReported(const ChangeOutcome &outcome);

protected:
    void setReport(ExecutionReport report) { m_report = std::move(report); }

private:
    ExecutionReport m_report;
};
