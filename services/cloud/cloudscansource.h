#pragma once

#include "scanresult.h"
#include "valuejob.h"

#include <functional>

class CloudScanJob;
class GraphClient;

// The tenant side of a ScanJob as one typed job (CloudScanJob's snapshot and warnings):
// the one cloud scan builder the wizard and the command line use, so that what a scan
// reads (partitioned reads, the $count check, the delta link, roles) cannot drift.
// client() is asked when the side starts: a sign-in may have replaced the client since
// the job was made. No client (not signed in) fails the job.
namespace CloudScanSource {
// previous: a scan of the same tenant with its delta link (the wizard's "Scan again",
// `scan --since-previous`): only the users changed since are read; none = a full scan.
ValueJob<CloudScan> *graph(std::function<GraphClient *()> client, QObject *parent = nullptr,
                           const CloudSnapshot &previous = {});
// The value of a finished CloudScanJob.
CloudScan valueOf(const CloudScanJob &job);
} // namespace CloudScanSource
