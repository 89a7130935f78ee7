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
#include <QThread>

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

// A practice tenant with `users` generated users, serving from its own thread.
class TenantThread
{
public:
    explicit TenantThread(int users, int every = 0)
    {
        QSemaphore ready;
        m_thread.reset(QThread::create([this, users, every, &ready] {
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
            tenant.loadJson(t);
            tenant.directory().addSyntheticUsers(users, QStringLiteral("bench.test"));
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

private:
    std::unique_ptr<QThread> m_thread;
    QEventLoop *m_loop = nullptr;
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

} // namespace

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
