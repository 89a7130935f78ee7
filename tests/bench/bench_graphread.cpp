// Reads 100,000 users (and the rest of a tenant) from the practice tenant with
// CloudScanJob, as the Scan page does: $select of every needed property, $top=999,
// following @odata.nextLink. The tenant serves from its own thread, so the numbers are
// end to end (users/s, MB/s of JSON received and parsed, wall clock: bounded by the
// tenant's own serialisation), the client's share per CPU second, and the process's
// peak RSS (run one benchmark per process for a clean peak: --benchmark_filter=…/999).
// The third argument makes every Nth user a source-of-authority candidate (an ImmutableId,
// no onPremisesSyncEnabled: one onPremisesSyncBehavior read each, in $batch of 20) and
// gives every 10Nth a provisioning error naming an address no one else holds (a holder
// lookup each); 0 = none. The counters count the requests and batches the scan sent.
//
//   bench_graphread [--benchmark_filter=…]    (Release build recommended)

#include "cloudscanjob.h"
#include "graphclient.h"
#include "practicetenant.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QSemaphore>
#include <QSet>
#include <QThread>

#include <functional>
#include <limits>

#include <sys/resource.h>
#include <time.h>

namespace {

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double rssMb(bool peak)
{
    if (peak) {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return usage.ru_maxrss / 1024.0; // kB on Linux
    }
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return 0;
}

// Name-like userPrincipalNames (first names spread over the alphabet as unevenly as real
// ones) for the latency benchmark: partitions by first character are uneven, as in a tenant.
QJsonArray namedUsers(int count)
{
    static const char *const first[] = {
        "james",     "john",     "robert",   "michael", "william",  "david",    "richard",
        "joseph",    "thomas",   "charles",  "mary",    "patricia", "jennifer", "linda",
        "elizabeth", "barbara",  "susan",    "jessica", "sarah",    "karen",    "nancy",
        "lisa",      "betty",    "margaret", "sandra",  "ashley",   "kimberly", "emily",
        "donna",     "michelle", "anna",     "oliver",  "noah",     "liam",     "emma",
        "olivia",    "ava",      "isabella", "sophia",  "mia",      "lucas",    "henry",
        "alexander", "benjamin", "zoe",      "yusuf",   "quinn",    "xavier",   "victor",
        "ursula",    "ingrid",   "fatima",   "gabriel", "hugo",     "kevin",    "pierre",
        "wei",       "omar",     "diego",    "ivan",    "yuki",     "chen",     "raj",
        "priya",     "tom",      "fred",     "greta",   "paul",     "carl",     "dana",
        "olga",      "nina",     "8ball",    "_svc",    "0xadmin",  "1stline"};
    constexpr int names = int(sizeof(first) / sizeof(first[0]));
    QJsonArray users;
    for (int i = 0; i < count; ++i) {
        const QString upn =
            QStringLiteral("%1.user%2@bench.test").arg(QLatin1String(first[i % names])).arg(i);
        users.append(QJsonObject{
            {QStringLiteral("id"),
             QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'))},
            {QStringLiteral("userPrincipalName"), upn},
            {QStringLiteral("displayName"), upn.section(QLatin1Char('@'), 0, 0)},
            {QStringLiteral("mail"), upn},
            {QStringLiteral("proxyAddresses"), QJsonArray{QString(QStringLiteral("SMTP:") + upn)}},
            {QStringLiteral("onPremisesImmutableId"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("onPremisesSyncEnabled"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("accountEnabled"), true}});
    }
    return users;
}

// A practice tenant with `users` generated users, serving from its own thread.
class TenantThread
{
public:
    // pageDelayMs > 0: name-like users, Graph's page latency and read budget.
    explicit TenantThread(int users, int every = 0, int pageDelayMs = 0)
    {
        QSemaphore ready;
        m_thread.reset(QThread::create([this, users, every, pageDelayMs, &ready] {
            PracticeTenant tenant;
            QJsonObject t;
            t.insert(QStringLiteral("tenantId"), QStringLiteral("bench-tenant"));
            t.insert(QStringLiteral("clients"), QJsonArray{QJsonObject{{QStringLiteral("clientId"),
                                                                        QStringLiteral("bench")}}});
            t.insert(QStringLiteral("domains"),
                     QJsonArray{QJsonObject{
                         {QStringLiteral("id"), QStringLiteral("bench.test")},
                         {QStringLiteral("authenticationType"), QStringLiteral("Managed")},
                         {QStringLiteral("isInitial"), true}}});
            if (pageDelayMs > 0)
                t.insert(QStringLiteral("users"), namedUsers(users));
            tenant.loadJson(t);
            if (pageDelayMs > 0) {
                PracticeFaultSettings faults;
                faults.pageDelayMs = pageDelayMs;
                faults.readBudget = -1; // Graph's quota for the tenant's size
                tenant.setFaults(faults);
            } else {
                tenant.directory().addSyntheticUsers(users, QStringLiteral("bench.test"));
            }
            for (int i = 0; every > 0 && i < users; i += every) {
                QJsonObject &u = tenant.directory().users[i];
                QByteArray anchor(16, '\0');
                for (int b = 0; b < 4; ++b)
                    anchor[b] = char((i >> (8 * b)) & 0xff);
                u.insert(QStringLiteral("onPremisesImmutableId"),
                         QString::fromLatin1(anchor.toBase64()));
                u.insert(QStringLiteral("onPremisesSyncBehavior"),
                         QJsonObject{{QStringLiteral("isCloudManaged"), i % (2 * every) == 0}});
                if (i % (10 * every) == 0)
                    u.insert(QStringLiteral("onPremisesProvisioningErrors"),
                             QJsonArray{QJsonObject{
                                 {QStringLiteral("category"), QStringLiteral("PropertyConflict")},
                                 {QStringLiteral("propertyCausingError"),
                                  QStringLiteral("ProxyAddresses")},
                                 {QStringLiteral("value"),
                                  QStringLiteral("smtp:lost%1@bench.test").arg(i)}}});
            }
            m_tenant = &tenant;
            m_port = tenant.listen();
            m_token = tenant.issueAccessToken();
            ready.release();
            QEventLoop loop;
            m_loop = &loop;
            loop.exec();
        }));
        m_thread->start();
        ready.acquire();
    }
    ~TenantThread()
    {
        QMetaObject::invokeMethod(m_loop, &QEventLoop::quit, Qt::QueuedConnection);
        m_thread->wait();
    }
    quint16 port() const { return m_port; }
    QString token() const { return m_token; }
    // Runs change on the tenant's thread and waits for it.
    void inTenant(const std::function<void(PracticeTenant &)> &change)
    {
        QMetaObject::invokeMethod(
            m_loop, [this, &change] { change(*m_tenant); }, Qt::BlockingQueuedConnection);
    }

private:
    std::unique_ptr<QThread> m_thread;
    QEventLoop *m_loop = nullptr;
    PracticeTenant *m_tenant = nullptr;
    quint16 m_port = 0;
    QString m_token;
};

void BM_CloudScan(benchmark::State &state)
{
    const int users = int(state.range(0));
    const int pageSize = int(state.range(1));
    TenantThread tenant(users, int(state.range(2)));
    GraphConfig config;
    config.authorityUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(tenant.port()));
    config.graphUrl = config.authorityUrl;
    config.tenant = QStringLiteral("bench-tenant");
    config.clientId = QStringLiteral("bench");
    GraphClient client(config);
    client.setAccessToken(tenant.token());
    const double rssBefore = rssMb(false);

    qint64 bytes = 0;
    qint64 read = 0;
    qint64 requests = 0;
    qint64 batches = 0;
    const double cpuStart = threadCpuSeconds();
    for (auto _ : state) {
        CloudScanJob *job = client.scan();
        job->setPageSize(pageSize);
        job->setAutoDelete(false);
        QEventLoop loop;
        QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
        job->start();
        loop.exec();
        if (job->error() != Job::NoError) {
            state.SkipWithError(qPrintable(job->errorString()));
            delete job;
            break;
        }
        bytes += job->bytesRead();
        requests += job->requestsSent();
        batches += job->batchesSent();
        read += job->snapshot().users.size();
        benchmark::DoNotOptimize(job->snapshot().users.constData());
        delete job;
    }
    // The client's own cost: CPU seconds of this thread (the tenant serves from another).
    const double clientCpu = threadCpuSeconds() - cpuStart;
    state.counters["client_users_per_cpu_s"] = double(read) / clientCpu;
    state.counters["client_MB_per_cpu_s"] = double(bytes) / 1e6 / clientCpu;
    state.counters["users/s"] = benchmark::Counter(double(read), benchmark::Counter::kIsRate);
    state.counters["MB/s"] = benchmark::Counter(double(bytes) / 1e6, benchmark::Counter::kIsRate);
    state.counters["MB_per_scan"] = double(bytes) / 1e6 / double(state.iterations());
    state.counters["gets_per_scan"] = double(requests) / double(state.iterations());
    state.counters["batches_per_scan"] = double(batches) / double(state.iterations());
    state.counters["rss_before_MB"] = rssBefore;
    state.counters["peak_rss_MB"] = rssMb(true);
}

// Issue 15: a tenant whose Graph answers a page in pageDelayMs (real Graph: about a second
// per 999 users), read page by page (partitioned = 0) or in partitions (1). Wall clock of
// the whole scan; complete = every user read exactly once.
//   bench_graphread --benchmark_filter=BM_ScanLatency
void BM_ScanLatency(benchmark::State &state)
{
    const int users = int(state.range(0));
    const int pageDelayMs = int(state.range(1));
    const bool partitioned = state.range(2) != 0;
    TenantThread tenant(users, 0, pageDelayMs);
    GraphConfig config;
    config.authorityUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(tenant.port()));
    config.graphUrl = config.authorityUrl;
    config.tenant = QStringLiteral("bench-tenant");
    config.clientId = QStringLiteral("bench");
    GraphClient client(config);
    client.setAccessToken(tenant.token());
    for (auto _ : state) {
        CloudScanJob *job = client.scan();
        if (!partitioned)
            job->setPartitionThreshold(std::numeric_limits<qint64>::max());
        job->setAutoDelete(false);
        QEventLoop loop;
        QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
        job->start();
        loop.exec();
        if (job->error() != Job::NoError) {
            state.SkipWithError(qPrintable(job->errorString()));
            delete job;
            break;
        }
        QSet<QString> ids;
        for (const CloudUser &u : job->snapshot().users)
            ids.insert(u.id);
        state.counters["users"] = double(job->snapshot().users.size());
        state.counters["complete"] =
            ids.size() == users && job->snapshot().users.size() == users ? 1 : 0;
        state.counters["gets"] = job->requestsSent();
        state.counters["pages"] = job->pagesRead();
        state.counters["partitions"] = job->partitionsRead();
        state.counters["warnings"] = double(job->warnings().size());
        delete job;
    }
}

// Issue 15: "Scan again" after 20 changes in the tenant (new anchors), at pageDelayMs per
// page: the users from the previous scan's delta link, everything else read again.
//   bench_graphread --benchmark_filter=BM_DeltaRescan
void BM_DeltaRescan(benchmark::State &state)
{
    const int users = int(state.range(0));
    TenantThread tenant(users, 0, int(state.range(1)));
    GraphConfig config;
    config.authorityUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(tenant.port()));
    config.graphUrl = config.authorityUrl;
    config.tenant = QStringLiteral("bench-tenant");
    config.clientId = QStringLiteral("bench");
    GraphClient client(config);
    client.setAccessToken(tenant.token());
    const auto scan = [&client](const CloudSnapshot *previous) {
        CloudScanJob *job = client.scan();
        if (previous)
            job->setPrevious(*previous);
        job->setAutoDelete(false);
        QEventLoop loop;
        QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
        job->start();
        loop.exec();
        return std::unique_ptr<CloudScanJob>(job);
    };
    const std::unique_ptr<CloudScanJob> first = scan(nullptr);
    if (first->error() != Job::NoError) {
        state.SkipWithError(qPrintable(first->errorString()));
        return;
    }
    const CloudSnapshot previous = first->snapshot();
    for (auto _ : state) {
        state.PauseTiming();
        tenant.inTenant([users](PracticeTenant &t) {
            for (int k = 0; k < 20; ++k) {
                const int i = (k * 9973) % users;
                QJsonObject u = t.directory().users.at(i);
                u.insert(
                    QStringLiteral("onPremisesImmutableId"),
                    QStringLiteral("CHANGED%1AAAAAAAAAAAAA==").arg(k, 2, 10, QLatin1Char('0')));
                t.directory().setUser(i, u);
            }
        });
        state.ResumeTiming();
        const std::unique_ptr<CloudScanJob> again = scan(&previous);
        if (again->error() != Job::NoError) {
            state.SkipWithError(qPrintable(again->errorString()));
            break;
        }
        int changed = 0;
        for (const CloudUser &u : again->snapshot().users)
            changed += u.immutableId.startsWith(QLatin1String("CHANGED"));
        state.counters["users"] = double(again->snapshot().users.size());
        state.counters["changed_seen"] = changed;
        state.counters["from_delta"] = again->usersFromDelta() ? 1 : 0;
        state.counters["gets"] = again->requestsSent();
    }
}

} // namespace

BENCHMARK(BM_DeltaRescan)
    ->Args({200000, 1000})
    ->Args({200000, 250})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK(BM_ScanLatency)
    ->Args({200000, 1000, 0})
    ->Args({200000, 1000, 1})
    ->Args({200000, 250, 0})
    ->Args({200000, 250, 1})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK(BM_CloudScan)
    ->Args({100000, 999, 0})
    ->Args({100000, 100, 0})
    ->Args({100000, 999, 10}) // 10,000 SOA candidates, 1,000 provisioning errors
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
