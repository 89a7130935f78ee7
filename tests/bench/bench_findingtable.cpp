// The Review table at 200,000 findings (500,000 with ANCHORFIX_BENCH_ROWS=500000), and how long the
// wizard's event loop is ever blocked while it scans and executes.
//
// BM_Sort / BM_FilterText / BM_FilterCategory: one sort or one filter change of the
//   FindingFilterProxy over 200k rows, until the view shows it (goal: < 300 ms each).
// BM_LoadFindings: FindingTableModel::setFindings(200k) with the sorted proxy and a view
//   attached, as after a scan, until the proxy is sorted again (on its worker thread).
// Each reports max_block_ms: the longest the GUI thread's event loop was held meanwhile
//   (goal: <= 50 ms), measured with a 1 ms timer and a shown QTableView on the proxy.
// BM_WizardScan / BM_WizardExecute: the real wizard (offscreen) scans an LDIF export of
//   N users and a practice tenant (on its own thread) with N cloud users, reconciles,
//   shows the Review page; then executes M stamps. A 1 ms heartbeat timer on the GUI
//   thread measures the longest gap: max_block_ms (goal: <= 50 ms). At 200k users only
//   200 stamps are executed: the practice tenant checks every PATCH against all users
//   (a linear scan), which makes a big run slow on its side, not on the wizard's.
#include "anchorfixwizard.h"
#include "appwizardservices.h"
#include "connectpage.h"
#include "executepage.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "immutableid.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "wizardcontext.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QtEndian>

#include <functional>

namespace {

// ANCHORFIX_BENCH_ROWS=500000 for issue 15's 500k findings (default 200k).
const int Rows = qEnvironmentVariableIntValue("ANCHORFIX_BENCH_ROWS") > 0
                     ? qEnvironmentVariableIntValue("ANCHORFIX_BENCH_ROWS")
                     : 200000;

long residentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}

// Records the longest gap between ticks of a 1 ms timer on the current thread.
class BlockMonitor
{
public:
    BlockMonitor()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_maxNs = qMax(m_maxNs, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_maxNs = 0;
        m_timer.start();
    }
    double stopMs()
    {
        m_timer.stop();
        return qMax(m_maxNs, m_clock.nsecsElapsed() - m_last) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_maxNs = 0;
};

// Until the proxy shows the order it was asked for (a large table sorts on a worker).
void settle(const FindingFilterProxy &proxy)
{
    while (proxy.isBusy())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

QList<Finding> makeFindings(int n)
{
    QList<Finding> rows;
    rows.reserve(n);
    QRandomGenerator rng(42);
    const QList<Category> categories = allCategories();
    for (int i = 0; i < n; ++i) {
        Finding f;
        f.rowId = i + 1;
        f.category = categories.at(int(rng.bounded(quint32(categories.size()))));
        f.severity = baseSeverityFor(f.category);
        const QString n6 = QStringLiteral("%1").arg(rng.bounded(1000000u), 6, 10, QLatin1Char('0'));
        f.onPremUpn = u"user" + n6 + u"@contoso.example";
        f.onPremDn = u"CN=User " + n6 + u",OU=Staff,DC=contoso,DC=example";
        f.cloudUpn = f.onPremUpn;
        f.cloudId =
            QStringLiteral("%1-0000-4000-8000-000000000000").arg(i, 8, 16, QLatin1Char('0'));
        QByteArray guid(16, Qt::Uninitialized);
        for (char &c : guid)
            c = char(rng.bounded(256));
        // As a scan keeps them: GUID and anchor as the user's bytes, common reasons worded later.
        f.setOnPremGuidBytes(guid);
        f.setExpectedAnchorBytes(guid);
        if (i % 3)
            f.cloudImmutableId = f.expectedImmutableId();
        f.allowedActions = allowedActionsFor(f.category);
        f.action = defaultActionFor(f.category);
        f.requiresApproval = categoryNeedsApproval(f.category);
        if (Finding::hasStandardReason(f.category))
            f.useStandardReason();
        else
            f.setReason(QStringLiteral("Synthetic finding %1").arg(i));
        rows.append(f);
    }
    return rows;
}

const QList<Finding> &findings()
{
    static const QList<Finding> rows = makeFindings(Rows);
    return rows;
}

// The Review page's table: the findings, the sorting and filtering proxy, and a shown
// table view on it, so that what a view does on each change counts too.
struct ReviewTable
{
    ReviewTable()
    {
        proxy.setSourceModel(&model);
        view.setModel(&proxy);
        view.resize(1200, 700);
        view.show();
    }
    FindingTableModel model;
    FindingFilterProxy proxy;
    QTableView view;
};

// Runs `change` (already begun on the GUI thread) until the proxy shows its result; returns
// the longest the event loop was held meanwhile (goal: <= 50 ms).
double blockWhile(BlockMonitor &monitor, const FindingFilterProxy &proxy,
                  const std::function<void()> &change)
{
    monitor.start();
    change();
    settle(proxy);
    return monitor.stopMs();
}

void reportBlock(benchmark::State &state, double maxBlockMs)
{
    state.counters["max_block_ms"] = maxBlockMs;
}

void BM_LoadFindings(benchmark::State &state)
{
    findings(); // built once, outside the timing
    ReviewTable table;
    table.proxy.sort(int(FindingTableModel::Column::Category));
    BlockMonitor monitor;
    double block = 0;
    for (auto _ : state) {
        block = qMax(
            block, blockWhile(monitor, table.proxy, [&] { table.model.setFindings(findings()); }));
        state.PauseTiming();
        table.model.setFindings({});
        settle(table.proxy);
        state.ResumeTiming();
    }
    table.model.setFindings(findings());
    settle(table.proxy);
    state.counters["rows"] = double(table.model.rowCount());
    state.counters["rss_MiB_holding_rows"] = double(residentKb()) / 1024.0;
    reportBlock(state, block);
    state.SetLabel("reset with a sorted proxy and a view, until sorted");
}

void BM_Sort(benchmark::State &state)
{
    ReviewTable table;
    table.model.setFindings(findings());
    const int column = int(state.range(0));
    table.proxy.sort(column); // the column's keys are built once per load (see BM_FirstSort)
    settle(table.proxy);
    BlockMonitor monitor;
    double block = 0;
    bool descending = true;
    for (auto _ : state) {
        block = qMax(block, blockWhile(monitor, table.proxy, [&] {
                         table.proxy.sort(column,
                                          descending ? Qt::DescendingOrder : Qt::AscendingOrder);
                     }));
        descending = !descending;
    }
    reportBlock(state, block);
    state.SetLabel(FindingTableModel::columnTitle(FindingTableModel::Column(column)).toStdString());
}

// The first sort by a column after a load also builds that column's keys.
void BM_FirstSort(benchmark::State &state)
{
    ReviewTable table;
    const int column = int(state.range(0));
    BlockMonitor monitor;
    double block = 0;
    for (auto _ : state) {
        state.PauseTiming();
        table.proxy.sort(-1);
        table.model.setFindings(findings());
        settle(table.proxy);
        state.ResumeTiming();
        block = qMax(block, blockWhile(monitor, table.proxy, [&] { table.proxy.sort(column); }));
    }
    reportBlock(state, block);
    state.SetLabel(FindingTableModel::columnTitle(FindingTableModel::Column(column)).toStdString() +
                   ", first sort after a load");
}

void BM_FilterText(benchmark::State &state)
{
    ReviewTable table;
    table.model.setFindings(findings());
    table.proxy.sort(int(FindingTableModel::Column::OnPremUpn));
    table.proxy.setSearchText(QStringLiteral("warm-up")); // the first search folds every row
    settle(table.proxy);
    BlockMonitor monitor;
    double block = 0;
    int i = 0;
    for (auto _ : state) {
        // A different needle each time, so no step is a no-op.
        block = qMax(block, blockWhile(monitor, table.proxy, [&] {
                         table.proxy.setSearchText(QStringLiteral("user%1").arg(i++ % 90 + 10));
                     }));
    }
    reportBlock(state, block);
    state.SetLabel("free text (sorted)");
}

// The first search after a scan also case-folds the searchable text of every row.
void BM_FirstSearch(benchmark::State &state)
{
    ReviewTable table;
    table.proxy.sort(int(FindingTableModel::Column::OnPremUpn));
    BlockMonitor monitor;
    double block = 0;
    for (auto _ : state) {
        state.PauseTiming();
        table.proxy.setSearchText({});
        table.model.setFindings(findings());
        settle(table.proxy);
        state.ResumeTiming();
        block = qMax(block, blockWhile(monitor, table.proxy, [&] {
                         table.proxy.setSearchText(QStringLiteral("user12"));
                     }));
    }
    reportBlock(state, block);
    state.SetLabel("first search after a load");
}

void BM_FilterCategory(benchmark::State &state)
{
    ReviewTable table;
    table.model.setFindings(findings());
    table.proxy.sort(int(FindingTableModel::Column::Category));
    settle(table.proxy);
    BlockMonitor monitor;
    double block = 0;
    bool on = false;
    for (auto _ : state) {
        on = !on;
        block = qMax(block, blockWhile(monitor, table.proxy, [&] {
                         table.proxy.setCategories(
                             on ? QSet<Category>{Category::AnchorMismatch, Category::CloudOnly}
                                : QSet<Category>{});
                     }));
    }
    reportBlock(state, block);
    state.SetLabel("category chip on/off (sorted)");
}

// A practice tenant with n synthetic users, serving from its own thread.
class ThreadedTenant
{
public:
    explicit ThreadedTenant(int users)
    {
        m_thread.start();
        m_anchor.moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            &m_anchor,
            [this, users] {
                m_tenant = new PracticeTenant;
                const QJsonObject t = QJsonDocument::fromJson(R"({
                    "tenantId": "11111111-2222-4333-8444-555555555555",
                    "displayName": "Bench", "operator": "admin@bench.onmicrosoft.com",
                    "clients": [{"clientId": "bench-client", "clientSecret": "bench-secret"}],
                    "domains": [
                      {"id": "bench.onmicrosoft.com", "authenticationType": "Managed",
                       "isInitial": true, "isVerified": true},
                      {"id": "contoso.example", "authenticationType": "Managed",
                       "isDefault": true, "isVerified": true}]})")
                                          .object();
                m_error = m_tenant->loadJson(t);
                m_tenant->directory().addSyntheticUsers(users, QStringLiteral("contoso.example"));
                if (m_error.isEmpty() && m_tenant->listen(0) == 0)
                    m_error = QStringLiteral("listen failed");
                m_baseUrl = m_tenant->baseUrl();
            },
            Qt::BlockingQueuedConnection);
    }
    ~ThreadedTenant()
    {
        QMetaObject::invokeMethod(
            &m_anchor, [this] { delete m_tenant; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    QString error() const { return m_error; }
    QString baseUrl() const { return m_baseUrl; }

private:
    QThread m_thread;
    QObject m_anchor;
    PracticeTenant *m_tenant = nullptr;
    QString m_error;
    QString m_baseUrl;
};

// An LDIF export with users user000001…: they soft-match the tenant's synthetic users.
bool writeLdif(const QString &path, int users)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray out = "version: 1\n\n";
    for (int i = 1; i <= users; ++i) {
        const QByteArray n = QByteArray::number(i).rightJustified(6, '0');
        QByteArray guid(16, 0);
        qToLittleEndian<quint32>(quint32(i), guid.data());
        guid[15] = char(0x5a);
        out += "dn: CN=User " + n +
               ",OU=Staff,DC=contoso,DC=example\nobjectClass: user\n"
               "userPrincipalName: user" +
               n + "@contoso.example\nmail: user" + n +
               "@contoso.example\nproxyAddresses: SMTP:user" + n +
               "@contoso.example\nobjectGUID:: " + guid.toBase64() +
               "\nuserAccountControl: 512\n\n";
        if (out.size() > (1 << 20)) {
            file.write(out);
            out.clear();
        }
    }
    file.write(out);
    return true;
}

struct WizardRun
{
    double scanBlockMs = 0, scanSeconds = 0, executeBlockMs = 0, executeSeconds = 0;
    int findings = 0, changes = 0, applied = 0;
    QString error;
};

WizardRun runWizard(int users, int changes)
{
    WizardRun result;
    QTemporaryDir dir;
    const QString ldif = dir.filePath(QStringLiteral("bench.ldif"));
    if (!writeLdif(ldif, users)) {
        result.error = QStringLiteral("cannot write the LDIF");
        return result;
    }
    ThreadedTenant tenant(users);
    if (!tenant.error().isEmpty()) {
        result.error = tenant.error();
        return result;
    }
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    AppWizardServices services;
    WizardContext context(&services, &settings);
    context.setOutputFolder(dir.filePath(QStringLiteral("out")));
    OnPremSettings onPrem;
    onPrem.source = OnPremSettings::Source::File;
    onPrem.filePath = ldif;
    CloudSettings cloud;
    cloud.cloud = CloudSettings::Cloud::Custom;
    cloud.authorityUrl = QUrl(tenant.baseUrl());
    cloud.graphUrl = QUrl(tenant.baseUrl());
    cloud.tenant = QStringLiteral("11111111-2222-4333-8444-555555555555");
    cloud.clientId = QStringLiteral("bench-client");
    cloud.signIn = CloudSettings::SignIn::ClientSecret;
    cloud.clientSecret = QStringLiteral("bench-secret");
    context.setOnPremSettings(onPrem);
    context.setCloudSettings(cloud);
    AnchorfixWizard wizard(&context);
    wizard.show();
    wizard.connectPage()->signIn();
    if (!QTest::qWaitFor([&] { return wizard.connectPage()->isComplete(); }, 30000)) {
        result.error = QStringLiteral("sign-in failed: ") + wizard.connectPage()->cloudStatus();
        return result;
    }

    BlockMonitor monitor;
    QElapsedTimer clock;
    monitor.start();
    clock.start();
    wizard.next(); // Scan
    if (!QTest::qWaitFor(
            [&] { return wizard.scanPage()->isComplete() || !wizard.scanPage()->isRunning(); },
            600000) ||
        !wizard.scanPage()->isComplete()) {
        result.error = QStringLiteral("scan failed: ") + wizard.scanPage()->statusText();
        return result;
    }
    wizard.next(); // Review
    QTest::qWait(50);
    result.scanSeconds = clock.elapsed() / 1000.0;
    result.scanBlockMs = monitor.stopMs();
    result.findings = context.findings()->rowCount();

    // Keep `changes` stamps, set the rest to no change.
    QList<int> rest;
    int kept = 0;
    for (int row = 0; row < context.findings()->rowCount(); ++row) {
        if (context.findings()->finding(row).isExecutable() && kept < changes)
            ++kept;
        else
            rest.append(row);
    }
    context.findings()->setActionForRows(rest, Action::None);
    result.changes = context.findings()->executableCount();

    wizard.next(); // Execute
    monitor.start();
    clock.restart();
    wizard.executePage()->startRun();
    if (!QTest::qWaitFor([&] { return wizard.executePage()->hasFinished(); }, 600000)) {
        result.error = QStringLiteral("execute did not finish");
        return result;
    }
    result.executeSeconds = clock.elapsed() / 1000.0;
    result.executeBlockMs = monitor.stopMs();
    result.applied = context.report().count(ChangeStatus::Applied);
    return result;
}

void BM_WizardScanAndExecute(benchmark::State &state)
{
    WizardRun run;
    for (auto _ : state) {
        run = runWizard(int(state.range(0)), int(state.range(1)));
        state.SetIterationTime(run.scanSeconds + run.executeSeconds);
    }
    if (!run.error.isEmpty()) {
        state.SkipWithError(run.error.toStdString().c_str());
        return;
    }
    state.counters["findings"] = run.findings;
    state.counters["scan_s"] = run.scanSeconds;
    state.counters["scan_max_block_ms"] = run.scanBlockMs;
    state.counters["changes"] = run.changes;
    state.counters["applied"] = run.applied;
    state.counters["execute_s"] = run.executeSeconds;
    state.counters["execute_max_block_ms"] = run.executeBlockMs;
}

} // namespace

BENCHMARK(BM_LoadFindings)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sort)
    ->Arg(int(FindingTableModel::Column::Category))
    ->Arg(int(FindingTableModel::Column::OnPremUpn))
    ->Arg(int(FindingTableModel::Column::ExpectedImmutableId))
    ->Arg(int(FindingTableModel::Column::Action))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstSort)
    ->Arg(int(FindingTableModel::Column::Category))
    ->Arg(int(FindingTableModel::Column::OnPremUpn))
    ->Arg(int(FindingTableModel::Column::ExpectedImmutableId))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstSearch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterCategory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WizardScanAndExecute)
    ->Args({20000, 1000})
    ->Args({200000, 200})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("AnchorfixBench"));
    if (Rows > 200000) // the whole wizard at ANCHORFIX_BENCH_ROWS users too
        benchmark::RegisterBenchmark("BM_WizardScanAndExecute", BM_WizardScanAndExecute)
            ->Args({Rows, 200})
            ->Iterations(1)
            ->UseManualTime()
            ->Unit(benchmark::kSecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
