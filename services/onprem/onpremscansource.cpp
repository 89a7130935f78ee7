#include "onpremscansource.h"

#include "ldapscanjob.h"
#include "onpremfilejob.h"

namespace OnPremScanSource {

ValueJob<OnPremScan> *ldap(const LdapConfig &config, QObject *parent)
{
    return new ForwardingJob<OnPremScan>(
        [config]() -> Job * { return new LdapScanJob(config); },
        [](Job *j) {
            auto *scan = static_cast<LdapScanJob *>(j);
            return OnPremScan{scan->users(), scan->warnings(), scan->isScoped()};
        },
        parent);
}

ValueJob<OnPremScan> *file(const QString &path, QObject *parent)
{
    return new ForwardingJob<OnPremScan>([path]() -> Job * { return new OnPremFileJob(path); },
                                         [](Job *j) {
                                             auto *file = static_cast<OnPremFileJob *>(j);
                                             return OnPremScan{file->users(), file->warnings()};
                                         },
                                         parent);
}

} // namespace OnPremScanSource
