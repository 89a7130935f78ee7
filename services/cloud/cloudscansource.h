#pragma once

#include "scanresult.h"
#include "valuejob.h"

#include <functional>

class GraphClient;

// The tenant side of a ScanJob as one typed job (CloudScanJob's snapshot and warnings).
// client() is asked when the side starts: a sign-in may have replaced the client since
// the job was made. No client (not signed in) fails the job.
namespace CloudScanSource {
ValueJob<CloudScan> *graph(std::function<GraphClient *()> client, QObject *parent = nullptr);
} // namespace CloudScanSource
