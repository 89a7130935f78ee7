// Reading a big plan.csv (issue 14.11): a 1M-row plan with no changes took 17.7 s and
// 818 MB before apply said there was nothing to do. Target: <= 3 s and <= 400 MB of
// peak RSS on a 2-core machine, for what apply reads (Plan::Rows::Changes).
#include "csv.h"
#include "immutableid.h"
#include "plan.h"

#include <benchmark/benchmark.h>

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

namespace {

QByteArray guidFor(int i)
{
    QByteArray bytes(16, '\x5a');
    for (int b = 0; b < 4; ++b)
        bytes[b] = char((i >> (8 * b)) & 0xff);
    return bytes;
}

// Writes a plan of n rows as scan writes it, one row at a time (the writer's memory is
// not the reader's). Every changesEvery-th row is an approved stamp, the rest in sync.
QString writePlan(const QString &dir, int n, int changesEvery)
{
    const QString path = dir + QStringLiteral("/plan-%1-%2.csv").arg(n).arg(changesEvery);
    if (QFile::exists(path))
        return path;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    QTextStream out(&file);
    out.setEncoding(QStringConverter::Utf8);
    const QString tenant = QStringLiteral("11111111-2222-3333-4444-555555555555");
    const QDateTime scannedAt =
        QDateTime::fromString(QStringLiteral("2026-11-30T08:15:00Z"), Qt::ISODate);
    out << Csv::formatRecord(Plan::csvHeader());
    for (int i = 0; i < n; ++i) {
        Finding f;
        f.rowId = i + 1;
        const bool change = changesEvery > 0 && i % changesEvery == 0;
        f.category = change ? Category::AnchorMismatch : Category::InSync;
        f.severity = change ? Severity::Warning : Severity::Info;
        f.onPremDn = QStringLiteral("CN=user%1,OU=Staff,DC=corp,DC=contoso,DC=com").arg(i);
        f.onPremUpn = QStringLiteral("user%1@contoso.com").arg(i);
        const ImmutableId anchor = ImmutableId::fromBytes(guidFor(i));
        f.setOnPremGuid(anchor.toGuid());
        f.setExpectedImmutableId(anchor.toBase64());
        f.cloudId = QStringLiteral("00000000-0000-0000-0000-%1").arg(i, 12, 10, QLatin1Char('0'));
        f.cloudUpn = f.onPremUpn;
        f.cloudImmutableId =
            change ? ImmutableId::base64Of(guidFor(i + n)) : f.expectedImmutableId();
        f.cloudSyncEnabled = !change;
        f.allowedActions = allowedActionsFor(f.category);
        f.action = change ? Action::Stamp : Action::None;
        f.requiresApproval = categoryNeedsApproval(f.category);
        f.approved = change;
        f.useStandardReason(); // category in_sync
        out << Plan::csvRecord(f, tenant, scannedAt);
    }
    out.flush();
    return path;
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

QTemporaryDir &workDir()
{
    static QTemporaryDir dir;
    return dir;
}

// range(0): rows; range(1): 0 = Rows::Changes (apply), 1 = Rows::All (the wizard);
// range(2): every how many rows a change (0 = none).
void BM_ReadPlan(benchmark::State &state)
{
    const int n = int(state.range(0));
    const Plan::Rows mode = state.range(1) == 0 ? Plan::Rows::Changes : Plan::Rows::All;
    const QString path = writePlan(workDir().path(), n, int(state.range(2)));
    const double fileMiB = double(QFileInfo(path).size()) / (1024.0 * 1024.0);
    long peakKb = 0;
    qsizetype kept = 0;
    for (auto _ : state) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            state.SkipWithError("cannot open the plan");
            return;
        }
        resetPeakRss();
        Plan plan;
        QString error;
        qsizetype rows = 0;
        if (!Plan::read(&file, &plan, &error, mode, &rows) || rows != n) {
            state.SkipWithError(qPrintable(error));
            return;
        }
        kept = plan.size();
        peakKb = std::max(peakKb, procStatusKb("VmHWM:"));
        state.PauseTiming();
        plan = Plan(); // freeing is not part of reading
        state.ResumeTiming();
    }
    state.counters["rows"] = double(n);
    state.counters["rows_kept"] = double(kept);
    state.counters["file_MiB"] = fileMiB;
    state.counters["peak_rss_MiB"] = double(peakKb) / 1024.0;
    state.SetBytesProcessed(qint64(state.iterations()) * QFileInfo(path).size());
}

} // namespace

BENCHMARK(BM_ReadPlan)
    ->ArgNames({"rows", "all", "change_every"})
    ->Args({1'000'000, 0, 0})     // apply, nothing to do (the case)
    ->Args({1'000'000, 0, 1'000}) // apply, 1,000 changes
    ->Args({1'000'000, 1, 0})     // the wizard's import: every row as a Finding
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
