// Reconciler throughput and memory: N on-prem users against N cloud users.
// Target (issue 2): 500k x 500k in <= 1 s and <= 1 GiB on a 2-core machine.
#include "immutableid.h"
#include "reconciler.h"

#include <benchmark/benchmark.h>

#include <QFile>

namespace {

QByteArray guidFor(int i)
{
    QByteArray bytes(16, '\x5a');
    for (int b = 0; b < 4; ++b)
        bytes[b] = char((i >> (8 * b)) & 0xff);
    return bytes;
}

// A realistic mix: most users in sync, some pending soft matches, recreated accounts,
// on-prem users without a cloud account and cloud-only users.
ReconcileInput syntheticInput(int n)
{
    ReconcileInput in;
    in.onPrem.reserve(n);
    in.cloud.users.reserve(n);
    in.cloud.domains = {{QStringLiteral("contoso.com"), false, false, true, true},
                        {QStringLiteral("contoso.onmicrosoft.com"), false, true, false, true}};
    for (int i = 0; i < n; ++i) {
        const QString upn = QStringLiteral("user%1@contoso.com").arg(i);
        OnPremUser u;
        u.dn = QStringLiteral("CN=user%1,OU=Staff,DC=corp,DC=contoso,DC=com").arg(i);
        u.upn = upn;
        u.mail = upn;
        u.proxyAddresses = {QStringLiteral("SMTP:") + upn,
                            QStringLiteral("smtp:u%1@contoso.mail.onmicrosoft.com").arg(i)};
        u.objectGuid = guidFor(i);
        in.onPrem.append(u);

        CloudUser c;
        c.id = QStringLiteral("00000000-0000-0000-0000-%1").arg(i, 12, 10, QLatin1Char('0'));
        const int kind = i % 20;
        c.upn = kind == 19 ? QStringLiteral("cloud%1@contoso.com").arg(i) : upn;
        c.mail = c.upn;
        c.proxyAddresses = {QStringLiteral("SMTP:") + c.upn};
        if (kind < 14)
            c.immutableId = ImmutableId::base64Of(guidFor(i)); // in sync
        else if (kind < 17)
            c.immutableId = QString(); // soft match pending
        else
            c.immutableId = ImmutableId::base64Of(guidFor(i + n)); // recreated on-prem
        c.syncEnabled = !c.immutableId.isEmpty();
        if (kind >= 17)
            c.syncEnabled = false;
        in.cloud.users.append(c);
    }
    return in;
}

long procStatusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLong();
    return -1;
}

void resetPeakRss()
{
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    if (clearRefs.open(QIODevice::WriteOnly))
        clearRefs.write("5"); // resets VmHWM to the current RSS
}

void BM_Reconcile(benchmark::State &state)
{
    const ReconcileInput input = syntheticInput(int(state.range(0)));
    long peakExtraKb = 0;
    for (auto _ : state) {
        const long before = procStatusKb("VmRSS:");
        resetPeakRss();
        QList<Finding> rows = Reconciler::reconcile(input);
        benchmark::DoNotOptimize(rows.data());
        peakExtraKb = std::max(peakExtraKb, procStatusKb("VmHWM:") - before);
        state.PauseTiming();
        rows = {}; // freeing the result is not part of reconciling
        state.ResumeTiming();
    }
    state.counters["users_per_side"] = double(state.range(0));
    state.counters["peak_extra_MiB"] = double(peakExtraKb) / 1024.0;
    state.counters["input_rss_MiB"] = double(procStatusKb("VmRSS:")) / 1024.0;
    state.SetItemsProcessed(state.iterations() * state.range(0) * 2);
}

} // namespace

BENCHMARK(BM_Reconcile)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(500'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
