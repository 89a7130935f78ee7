// Reconciler throughput and memory: N on-prem users against N cloud users.
// Targets (issue 15): 500k x 500k in <= 0.4 s and <= 250 MiB above the input on 2 cores,
// >= 20x a Python dict join of the same classification. BM_FirstTouch is the floor under
// the time on this machine: what writing that much fresh memory costs before any work.
#include "immutableid.h"
#include "reconciler.h"

#include <benchmark/benchmark.h>

#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QTemporaryFile>

#include <cstdlib>
#include <cstring>

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

// The same input with every category's cause sprinkled in (admins, converted users,
// recycle-bin anchor holders, a federated domain, duplicate anchors and addresses).
ReconcileInput everyCategoryInput(int n)
{
    ReconcileInput in = syntheticInput(n);
    in.cloud.domains.append({QStringLiteral("fed.contoso.com"), true, false, false, true});
    for (int i = 0; i < n; ++i) {
        CloudUser &c = in.cloud.users[i];
        OnPremUser &u = in.onPrem[i];
        const int kind = i % 20;
        if (i % 97 == 3 && kind >= 14)
            c.holdsAdminRole = true;
        if (i % 89 == 5 && kind >= 17) {
            c.syncEnabled.reset();
            c.cloudManaged = true;
        }
        if (i % 83 == 7 && kind >= 14 && kind < 17) {
            CloudUser gone;
            gone.id = QStringLiteral("deleted-%1").arg(i);
            gone.immutableId = ImmutableId::base64Of(u.objectGuid);
            gone.deletedDateTime = QDateTime(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC);
            in.cloud.deletedUsers.append(gone);
        }
        if (i % 79 == 9 && kind >= 14 && kind < 17) {
            const QString upn = QStringLiteral("user%1@fed.contoso.com").arg(i);
            u.upn = c.upn = c.mail = u.mail = upn;
            u.proxyAddresses = {QStringLiteral("SMTP:") + upn};
            c.proxyAddresses = u.proxyAddresses;
        }
        if (i % 101 == 11 && i + 1 < n)
            u.objectGuid = guidFor(i + 1); // two on-prem users, one anchor
        if (i % 103 == 13 && kind < 14)
            c.proxyAddresses.append(QStringLiteral("smtp:user%1@contoso.com").arg(i + 2));
        if (i % 107 == 17 && kind == 19)
            c.upn = in.onPrem[(i + 3) % n].upn; // UPN and SMTP point at different users
    }
    return in;
}

// What bench_reconcile hands to tests/bench/reconcile_join.py (see there).
bool writeJoinInput(const ReconcileInput &in, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray out;
    const auto flush = [&] {
        f.write(out);
        out.clear();
    };
    for (const OnPremUser &u : in.onPrem) {
        out += "O\t" + u.dn.toUtf8() + '\t' + u.upn.toUtf8() + '\t' + u.mail.toUtf8() + '\t' +
               u.proxyAddresses.join(u';').toUtf8() + '\t' + u.anchor(in.anchorRule).toUtf8() +
               '\n';
        if (out.size() > (1 << 20))
            flush();
    }
    for (const CloudUser &c : in.cloud.users) {
        out += "C\t" + c.id.toUtf8() + '\t' + c.upn.toUtf8() + '\t' + c.mail.toUtf8() + '\t' +
               c.proxyAddresses.join(u';').toUtf8() + '\t' + c.immutableId.toUtf8() + '\t' +
               (c.syncEnabled ? (*c.syncEnabled ? "1" : "0") : "-") + '\t' +
               (c.holdsAdminRole ? "1" : "0") + '\t' +
               (c.cloudManaged.value_or(false) ? "1" : "0") + '\n';
        if (out.size() > (1 << 20))
            flush();
    }
    for (const CloudUser &d : in.cloud.deletedUsers)
        out += "D\t" + d.id.toUtf8() + '\t' + d.immutableId.toUtf8() + '\n';
    for (const CloudDomain &d : in.cloud.domains)
        if (d.federated)
            out += "F\t" + d.name.toUtf8() + '\n';
    flush();
    return f.error() == QFileDevice::NoError;
}

// Issue 15: the reconciler against a plain Python dict join doing the same classification
// on the same data, in the same run (python3 tests/bench/reconcile_join.py). Counters:
// python_s (its join, reading excluded), speedup = python_s / our time, same_counts = both
// found the same number of rows per category.
//   bench_reconcile --benchmark_filter=BM_ReconcileVsPython
void BM_ReconcileVsPython(benchmark::State &state)
{
    const int n = int(state.range(0));
    const ReconcileInput input = everyCategoryInput(n);
    QMap<QString, qint64> ours;
    long peakExtraKb = 0;
    double seconds = 0;
    for (auto _ : state) {
        const long before = procStatusKb("VmRSS:");
        resetPeakRss();
        QElapsedTimer clock;
        clock.start();
        QList<Finding> rows = Reconciler::reconcile(input);
        seconds = clock.nsecsElapsed() / 1e9;
        benchmark::DoNotOptimize(rows.data());
        peakExtraKb = std::max(peakExtraKb, procStatusKb("VmHWM:") - before);
        state.PauseTiming();
        ours.clear();
        for (const Finding &f : rows)
            ++ours[categoryName(f.category)];
        rows = {};
        state.ResumeTiming();
    }
    QTemporaryFile data;
    if (!data.open() || !writeJoinInput(input, data.fileName())) {
        state.SkipWithError("could not write the join's input");
        return;
    }
    QProcess python;
    python.start(QStringLiteral("python3"),
                 {QStringLiteral(ANCHORFIX_BENCH_DIR "/reconcile_join.py"), data.fileName()});
    if (!python.waitForFinished(30 * 60 * 1000) || python.exitCode() != 0) {
        state.SkipWithError(python.readAllStandardError().constData());
        return;
    }
    QMap<QString, qint64> theirs;
    double pythonSeconds = 0;
    for (const QByteArray &line : python.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() != 2)
            continue;
        if (parts[0] == "seconds")
            pythonSeconds = parts[1].toDouble();
        else
            theirs[QString::fromUtf8(parts[0])] = parts[1].toLongLong();
    }
    state.counters["categories"] = double(ours.size());
    state.counters["same_counts"] = ours == theirs ? 1 : 0;
    state.counters["python_s"] = pythonSeconds;
    state.counters["ours_s"] = seconds;
    state.counters["speedup"] = seconds > 0 ? pythonSeconds / seconds : 0;
    state.counters["peak_extra_MiB"] = double(peakExtraKb) / 1024.0;
    state.counters["input_rss_MiB"] = double(procStatusKb("VmRSS:")) / 1024.0;
    if (ours != theirs)
        for (auto it = ours.cbegin(); it != ours.cend(); ++it)
            fprintf(stderr, "%s: ours %lld, python %lld\n", qPrintable(it.key()), it.value(),
                    theirs.value(it.key()));
}

// Writing N MiB of memory the process never touched: on a VM each new 4 KiB page is a
// fault into the hypervisor (about 12 us here), so a diff that needs that much new memory
// cannot take less than this, whatever it computes.
void BM_FirstTouch(benchmark::State &state)
{
    const size_t bytes = size_t(state.range(0)) << 20;
    for (auto _ : state) {
        char *memory = static_cast<char *>(std::malloc(bytes)); // mmap: fresh pages each time
        std::memset(memory, 1, bytes);
        benchmark::DoNotOptimize(memory);
        benchmark::ClobberMemory();
        state.PauseTiming();
        std::free(memory);
        state.ResumeTiming();
    }
    state.counters["MiB"] = double(state.range(0));
}

} // namespace

BENCHMARK(BM_FirstTouch)->Arg(250)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(BM_ReconcileVsPython)
    ->Arg(500'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

BENCHMARK(BM_Reconcile)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(500'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
