#pragma once

#include <QList>
#include <QString>

// One part of a job with its own count (a scan's on-prem and cloud sides).
struct JobPartProgress
{
    qint64 done = 0;
    qint64 total = 0; // 0 = not known yet
};

// The one progress shape every job reports (Job::progressChanged) and every front-end
// reads, whatever the work: a scan, a run, a rollback, a check of results. done/total
// are in the job's own unit (users, changes); the rest is detail a job fills when it has it.
struct JobProgress
{
    qint64 done = 0;
    qint64 total = 0; // 0 = not known yet
    QString currentUser;
    int currentRow = 0;      // plan row id of the change being worked on (0 = none)
    double perMinute = 0;    // units finished per minute so far
    qint64 secondsLeft = -1; // -1 = not known yet; includes a wait in progress
    bool paused = false;
    // Why the job waits right now, in plain words ("Graph asked to slow down", "retrying
    // after a lost reply", "keeping to the write quota"); empty = not waiting.
    QString waitReason;
    qint64 waitSecondsLeft = -1; // -1 = as long as that step takes
    // A job made of parts reports each part's count (in its own documented order) and
    // which part this update is about (-1 = the job as a whole).
    QList<JobPartProgress> parts;
    int part = -1;

    // "12/40 · alice@contoso.com · 85/min · 0:20 left"
    // + " · Graph asked to slow down: next request in 8 s" while waiting.
    QString toText() const;
};
