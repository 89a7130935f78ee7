#pragma once

#include "clouduser.h"
#include "finding.h"
#include "onpremuser.h"

#include <QList>
#include <QStringList>

// What a scan of one side read, and what it could not use (line numbers, missing
// permissions…), to show beside the result.
struct OnPremScan
{
    QList<OnPremUser> users;
    QStringList warnings;
    bool scoped = false; // an OU or filter limited the LDAP scan (orphaned anchors may not be)
};

struct CloudScan
{
    CloudSnapshot snapshot;
    QStringList warnings;
    // A rescan: whether only the users changed since the previous scan were read, and if
    // not, why every user was read (an expired or refused delta link).
    bool usersFromDelta = false;
    QString fullReadReason;
};

// Both sides and the findings the Reconciler made of them (ScanJob's value).
struct ScanResult
{
    OnPremScan onPrem;
    CloudScan cloud;
    QList<Finding> findings;
};
