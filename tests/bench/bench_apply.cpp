// 3,000 stamps through the Executor against the practice tenant, with Graph's identity
// write quota (3,000 writes per 150 s per app and tenant) scaled down in time.
//
// quota_fraction: the writes the tenant accepted over the most a sliding window of
// Q writes per W admits while the run was writing: Q × (1 + T/W), T = first to last
// accepted write (burst of Q, then Q per W). 100 % = perfectly paced.
// rate_fraction: the same run's write rate over the quota's rate Q/W (for a run
// that fits in one window this is what "using the quota" can mean).
// retry_after_violations: requests that reached the tenant while a Retry-After the
// client had received was still running (must be 0). throttled: 429 answers received.
// lost: $batch answers lost after the tenant made the writes (each three times, past
// Qt's silent re-sends), which the client settles by reading the users back; the
// settling reads and Qt's re-sends count like any other request.
#include "../services/execution/practicescenario.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "practicetenant.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>

namespace {

struct Hold
{
    double fromMs, untilMs;
};

void BM_ApplyStamps(benchmark::State &state)
{
    const int stamps = int(state.range(0));
    const int quota = int(state.range(1));
    const int windowMs = int(state.range(2));
    const bool pace = state.range(3) != 0;
    const int lost = int(state.range(4));
    const PracticeScenario scenario = PracticeScenario::build(stamps, 0, 0, 0);
    double fraction = 0, rateFraction = 0, seconds = 0;
    int violations = 0, throttled = 0, applied = 0, settled = 0;
    for (auto _ : state) {
        state.PauseTiming();
        // The tenant runs on its own thread, as Graph runs on its own servers: its
        // emulation cost does not slow the client's event loop.
        QThread serverThread;
        serverThread.start();
        auto *server = new PracticeTenant;
        server->moveToThread(&serverThread);
        bool started = false;
        QMetaObject::invokeMethod(
            server,
            [&] { started = server->loadJson(scenario.tenant).isEmpty() && server->listen() != 0; },
            Qt::BlockingQueuedConnection);
        if (!started) {
            QMetaObject::invokeMethod(
                server, [&] { delete server; }, Qt::BlockingQueuedConnection);
            serverThread.quit();
            serverThread.wait();
            state.SkipWithError("practice tenant did not start");
            return;
        }
        PracticeTenant &tenant = *server;
        GraphConfig config;
        config.graphUrl = QUrl(tenant.baseUrl());
        config.tenant = tenant.tenantId();
        config.clientId = PracticeScenario::clientId;
        GraphClient client(config);
        QString token;
        QMetaObject::invokeMethod(
            server, [&] { token = tenant.issueAccessToken(); }, Qt::BlockingQueuedConnection);
        client.setAccessToken(token);
        GraphCloudWriter writer(&client);
        if (pace)
            writer.setWriteQuota(quota, windowMs);
        QList<Hold> holds;
        QObject::connect(
            client.network(), &QNetworkAccessManager::finished, &client, [&](QNetworkReply *reply) {
                const double now = tenant.nowMs();
                double s = reply->hasRawHeader("Retry-After")
                               ? reply->rawHeader("Retry-After").toDouble()
                               : -1;
                const QJsonArray inner =
                    QJsonDocument::fromJson(reply->isOpen() ? reply->peek(1 << 24) : QByteArray())
                        .object()
                        .value(QLatin1String("responses"))
                        .toArray();
                for (const QJsonValue &v : inner) {
                    const QJsonObject o = v.toObject();
                    if (o.value(QLatin1String("status")).toInt() == 429)
                        ++throttled;
                    const QJsonObject h = o.value(QLatin1String("headers")).toObject();
                    if (h.contains(QLatin1String("Retry-After")))
                        s = qMax(s, h.value(QLatin1String("Retry-After")).toString().toDouble());
                }
                if (s >= 0)
                    holds.append({now, now + s * 1000.0});
            });
        PracticeFaultSettings faults;
        faults.writeQuota = quota;
        faults.writeWindowMs = windowMs;
        for (int i = 0; i < lost; ++i) {
            PracticeFaultRule rule;
            rule.effect = PracticeFaultRule::Effect::LostReply;
            rule.method = "POST";
            rule.bodyContains = QStringLiteral("\"PATCH\"");
            rule.skip = 10 + i * (stamps / 20 / qMax(1, lost));
            rule.times = 3;
            faults.rules.append(rule);
        }
        QMetaObject::invokeMethod(
            server, [&] { tenant.setFaults(faults); }, Qt::BlockingQueuedConnection);
        QTemporaryDir dir;
        ExecutorSettings settings;
        settings.identity = {QStringLiteral("bench"), QStringLiteral("app:bench"),
                             tenant.tenantId(), tenant.baseUrl()};
        settings.rollbackPath = dir.filePath(QStringLiteral("rollback.csv"));
        settings.auditPath = dir.filePath(QStringLiteral("audit.csv"));
        settings.maxChanges = stamps;
        auto *executor = new Executor(scenario.plan, settings, &writer);
        executor->setAutoDelete(false);
        QEventLoop loop;
        QObject::connect(executor, &Job::finished, &loop, &QEventLoop::quit);
        state.ResumeTiming();
        executor->start();
        loop.exec();
        state.PauseTiming();
        applied = executor->report().count(ChangeStatus::Applied);
        delete executor;
        QList<PracticeWrite> writes;
        QList<PracticeRequestRecord> requests;
        QMetaObject::invokeMethod(
            server,
            [&] {
                writes = tenant.writeLog();
                requests = tenant.requestLog();
                delete server;
            },
            Qt::BlockingQueuedConnection);
        serverThread.quit();
        serverThread.wait();
        QSet<QString> stamped;
        for (const PracticeWrite &w : std::as_const(writes))
            stamped.insert(w.targetId);
        settled = 0;
        for (const PracticeRequestRecord &r : std::as_const(requests))
            settled += r.query.isEmpty() && r.fault == u"lostReply";
        if (stamped.size() != stamps || applied != stamps) {
            state.SkipWithError("not every stamp landed");
            return;
        }
        const double spanMs = writes.last().atMs - writes.first().atMs;
        seconds = spanMs / 1000.0;
        fraction = double(writes.size()) / (double(quota) * (1.0 + spanMs / windowMs));
        rateFraction = spanMs > 0 ? (writes.size() / spanMs) / (double(quota) / windowMs) : 0;
        violations = 0;
        for (const PracticeRequestRecord &r : requests)
            for (const Hold &h : holds)
                violations += (r.atMs > h.fromMs && r.atMs < h.untilMs) ? 1 : 0;
        state.ResumeTiming();
    }
    state.counters["stamps"] = applied;
    state.counters["write_span_s"] = seconds;
    state.counters["quota_fraction_pct"] = 100.0 * fraction;
    state.counters["rate_fraction_pct"] = 100.0 * rateFraction;
    state.counters["throttled"] = throttled;
    state.counters["retry_after_violations"] = violations;
    state.counters["lost_replies"] = settled;
}

} // namespace

// stamps, quota Q, window W ms, client pacing on/off.
// 150 s → 3 s: the documented 3,000 per window; the whole run fits in one window.
// 150 s → 0.3 s with Q scaled alike (300 per 300 ms, the same rate): ten windows' worth.
// 150 s → 1.5 s, Q 300: a fifth of that rate, so the tenant's own latency (not scaled
// down with the window) weighs five times less.
BENCHMARK(BM_ApplyStamps)
    ->Args({3000, 3000, 3000, 1, 0})
    ->Args({3000, 300, 300, 1, 0})
    ->Args({3000, 300, 300, 0, 0})
    ->Args({3000, 300, 1500, 1, 0})
    ->Args({3000, 300, 300, 1, 5})
    ->Args({3000, 300, 1500, 1, 5})
    ->ArgNames({"stamps", "quota", "window_ms", "paced", "lost"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
