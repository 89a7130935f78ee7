#include "cloudscansource.h"

#include "cloudscanjob.h"
#include "graphclient.h"

namespace CloudScanSource {

ValueJob<CloudScan> *graph(std::function<GraphClient *()> client, QObject *parent)
{
    return new ForwardingJob<CloudScan>(
        [client]() -> Job * {
            GraphClient *c = client();
            return c ? c->scan() : nullptr;
        },
        [](Job *j) {
            auto *scan = static_cast<CloudScanJob *>(j);
            return CloudScan{scan->snapshot(), scan->warnings()};
        },
        parent);
}

} // namespace CloudScanSource
