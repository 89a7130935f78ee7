#pragma once

#include "finding.h"
#include "jobprogress.h"

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
