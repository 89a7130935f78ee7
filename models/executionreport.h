#pragma once

#include "finding.h"

#include <QList>
#include <QString>

// Unknown: a write was sent, its answer was lost and the tenant could not be read back
// to tell; the journal keeps the change `pending` and rollback reads it back first.
enum class ChangeStatus { Applied, Stale, Skipped, Failed, Unknown };

QString changeStatusName(ChangeStatus status); // applied | stale | skipped | failed | unknown

// What happened to one plan row (or one rollback row).
struct ChangeOutcome
{
    int rowId = 0;
    QString cloudId;
    QString cloudUpn;
    Action action = Action::None;
    ChangeStatus status = ChangeStatus::Failed;
    bool verified = false; // the read-back showed the intended value
    int httpStatus = 0;
    QString requestId;
    QString errorString; // empty when applied

    friend bool operator==(const ChangeOutcome &, const ChangeOutcome &) = default;
};

struct ExecutionReport
{
    QList<ChangeOutcome> outcomes;
    int total = 0; // changes the run set out to make

    int count(ChangeStatus status) const
    {
        int n = 0;
        for (const ChangeOutcome &o : outcomes)
            n += o.status == status ? 1 : 0;
        return n;
    }
    int mismatches() const
    {
        int n = 0;
        for (const ChangeOutcome &o : outcomes)
            n += o.status == ChangeStatus::Applied && !o.verified ? 1 : 0;
        return n;
    }
};

// A progress snapshot for a progress bar or the CLI's progress line.
struct ExecutionProgress
{
    qint64 done = 0;
    qint64 total = 0;
    QString currentUser;
    double perMinute = 0;    // changes finished per minute so far
    qint64 secondsLeft = -1; // -1 = not known yet; includes a wait in progress
    bool paused = false;
    int currentRow = 0; // plan row id of the change being worked on (0 = none)
    // Why the run waits right now, in plain words ("Graph asked to slow down", "retrying
    // after a lost reply", "keeping to the write quota"); empty = not waiting.
    QString waitReason;
    qint64 waitSecondsLeft = -1; // -1 = as long as that step takes

    // "12/40 · alice@contoso.com · 85/min · 0:20 left"
    // + " · Graph asked to slow down: next request in 8 s" while waiting.
    QString toText() const;
};
