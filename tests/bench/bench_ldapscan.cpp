// LDAP scan throughput: LdapScanJob reading 10,000 users from the Samba AD DC, timed beside
// `ldapsearch -E pr=1000/noprompt` of the same attributes, filter and base on the same
// server in the same run. Goal (issue 3): at least 0.9x ldapsearch's throughput.
//
// The benchmark starts its own DC (tests/samba/samba-dc.sh start BUILD/samba-dc-bench 10000;
// the first run provisions and seeds it, ~5 minutes, later runs restore a snapshot) and stops
// it at the end. It uses the fixed LDAP ports, so do not run it while ctest runs.
#include <ldapscanjob.h>
#include <ldapworker.h>

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <cstdio>

namespace {

const int Users = 10000;
QString g_dir;
QString g_script;
QHash<QString, QString> g_env;
double g_jobSeconds = 0;
double g_ldapsearchSeconds = 0;
int g_jobRuns = 0;
int g_ldapsearchRuns = 0;

bool startDc()
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(g_script, {QStringLiteral("start"), g_dir, QString::number(Users)});
    if (!p.waitForFinished(1800000) || p.exitCode() != 0)
        return false;
    for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            g_env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return g_env.value(QStringLiteral("SAMBA_DC_USERS")).toInt() == Users;
}

void stopDc()
{
    QProcess::execute(g_script, {QStringLiteral("stop"), g_dir});
}

QString password()
{
    QFile f(g_env.value(QStringLiteral("SAMBA_DC_PASSWORD_FILE")));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void BM_LdapScanJob(benchmark::State &state)
{
    LdapConfig config;
    config.uri = QStringLiteral("ldaps://127.0.0.1");
    config.bindDn = g_env.value(QStringLiteral("SAMBA_DC_ADMIN_UPN"));
    config.password = password();
    config.baseDn = g_env.value(QStringLiteral("SAMBA_DC_BASE_DN"));
    config.caFile = g_env.value(QStringLiteral("SAMBA_DC_CA"));
    qint64 users = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        auto *job = new LdapScanJob(config);
        job->setAutoDelete(false);
        QEventLoop loop;
        QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
        job->start();
        loop.exec();
        if (job->error() != Job::NoError) {
            state.SkipWithError(job->errorString().toUtf8().constData());
            delete job;
            break;
        }
        users = job->users().size();
        delete job;
        g_jobSeconds += timer.nsecsElapsed() / 1e9;
        ++g_jobRuns;
    }
    state.counters["users"] = double(users);
    state.counters["users_per_s"] =
        benchmark::Counter(double(users) * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Ldapsearch(benchmark::State &state)
{
    QStringList args{
        QStringLiteral("-LLL"),     QStringLiteral("-x"),
        QStringLiteral("-H"),       QStringLiteral("ldaps://127.0.0.1"),
        QStringLiteral("-D"),       g_env.value(QStringLiteral("SAMBA_DC_ADMIN_UPN")),
        QStringLiteral("-y"),       g_env.value(QStringLiteral("SAMBA_DC_PASSWORD_FILE")),
        QStringLiteral("-E"),       QStringLiteral("pr=1000/noprompt"),
        QStringLiteral("-b"),       g_env.value(QStringLiteral("SAMBA_DC_BASE_DN")),
        LdapConfig::defaultFilter()};
    args += LdapWorker::scanAttributes();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LDAPTLS_CACERT"), g_env.value(QStringLiteral("SAMBA_DC_CA")));
    qint64 entries = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("ldapsearch"), args);
        QByteArray out;
        while (p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(1000);
            out += p.readAllStandardOutput();
        }
        out += p.readAllStandardOutput();
        if (p.exitCode() != 0) {
            state.SkipWithError(p.readAllStandardError().constData());
            break;
        }
        g_ldapsearchSeconds += timer.nsecsElapsed() / 1e9;
        ++g_ldapsearchRuns;
        entries = out.count("\ndn: ") + (out.startsWith("dn: ") ? 1 : 0);
    }
    state.counters["users"] = double(entries);
    state.counters["users_per_s"] = benchmark::Counter(double(entries) * double(state.iterations()),
                                                       benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Ldapsearch)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_LdapScanJob)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // This file lives in tests/bench; the script in tests/samba.
    g_script = QFileInfo(QStringLiteral(__FILE__))
                   .absoluteDir()
                   .filePath(QStringLiteral("../samba/samba-dc.sh"));
    g_dir = QDir(QCoreApplication::applicationDirPath())
                .absoluteFilePath(QStringLiteral("../../samba-dc-bench"));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    std::fprintf(stderr, "Starting the Samba AD DC with %d users in %s…\n", Users,
                 qPrintable(QDir::cleanPath(g_dir)));
    if (!startDc()) {
        std::fprintf(stderr, "Could not start the DC (%s)\n", qPrintable(g_script));
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    stopDc();
    if (g_jobRuns && g_ldapsearchRuns) {
        const double job = g_jobSeconds / g_jobRuns;
        const double search = g_ldapsearchSeconds / g_ldapsearchRuns;
        std::printf("\nmean wall time per scan: LdapScanJob %.3f s, ldapsearch %.3f s\n"
                    "throughput ratio LdapScanJob / ldapsearch = %.2f (goal >= 0.90)\n",
                    job, search, search / job);
    }
    return 0;
}
