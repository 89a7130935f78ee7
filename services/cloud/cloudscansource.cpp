#include "cloudscansource.h"

#include "cloudscanjob.h"
#include "graphclient.h"

namespace CloudScanSource {

ValueJob<CloudScan> *graph(std::function<GraphClient *()> client, QObject *parent,
                           const CloudSnapshot &previous)
{
    return new ForwardingJob<CloudScan>(
        [client, previous]() -> Job * {
            GraphClient *c = client();
            if (!c)
                return nullptr;
            CloudScanJob *scan = c->scan();
            scan->setPrevious(previous);
            return scan;
        },
        [](Job *j) { return valueOf(*static_cast<CloudScanJob *>(j)); }, parent);
}

CloudScan valueOf(const CloudScanJob &job)
{
    CloudScan value;
    value.snapshot = job.snapshot();
    value.warnings = job.warnings();
    value.usersFromDelta = job.usersFromDelta();
    value.fullReadReason = job.fullReadReason();
    return value;
}

} // namespace CloudScanSource
