#pragma once

#include "finding.h"

#include <QList>
#include <QString>

enum class ChangeStatus { Applied, Stale, Skipped, Failed };

QString changeStatusName(ChangeStatus status); // applied | stale | skipped | failed

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
    qint64 secondsLeft = -1; // -1 = not known yet
    bool paused = false;

    QString toText() const; // "12/40 · alice@contoso.com · 85/min · 0:20 left"
};
