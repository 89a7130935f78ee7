#include "commands.h"

#include "connectionoptions.h"
#include "durablefile.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "graphrequestjob.h"
#include "plan.h"
#include "requestpreview.h"
#include "rollbackjob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace {

std::atomic_bool interrupted{false};

void onInterrupt(int)
{
    interrupted = true;
}

// Runs an executor-like job with a progress line on a terminal and Ctrl+C as cancel.
template <typename J> void runWithProgress(J *job)
{
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    QTextStream err(stderr);
    int lastWidth = 0;
    if (terminal)
        QObject::connect(job, &J::progressUpdated, job, [&](const ExecutionProgress &p) {
            const QString line = p.toText();
            err << '\r' << line << QString(qMax(0, lastWidth - int(line.size())), u' ');
            err.flush();
            lastWidth = int(line.size());
        });
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, job, [job] {
        if (interrupted.exchange(false)) {
            QTextStream(stderr) << "\nStopping after the changes in flight…\n";
            job->cancel();
        }
    });
    poll.start(100);
    ConnectionOptions::waitFor(job);
    poll.stop();
    std::signal(SIGINT, previous);
    if (terminal && lastWidth > 0)
        err << '\n';
}

// The signed-in tenant's id (GET /organization), to compare with the plan's.
bool readTenantId(GraphClient *client, QString *tenantId, QString *error)
{
    GraphRequestJob *job =
        client->request("GET", QStringLiteral("/organization?$select=id"), std::nullopt, true,
                        QLatin1String(GraphPermission::OrganizationRead));
    const int code = ConnectionOptions::waitFor(job);
    const GraphResult result = job->result();
    const QString text = job->errorString();
    delete job;
    if (code != 0) {
        *error = QStringLiteral("Could not read the tenant's id: %1").arg(text);
        return false;
    }
    const QJsonArray values = result.body.value(QLatin1String("value")).toArray();
    *tenantId = values.isEmpty() ? QString()
                                 : values.first().toObject().value(QLatin1String("id")).toString();
    return true;
}

// rollback.csv and the rollback.ps1 beside it: an existing one may be the only undo of an
// earlier run, so it is replaced only with --force; and the folder must take both.
bool checkRunFiles(const QString &rollbackPath, bool force, QString *error)
{
    const QString script = RollbackScript::pathFor(rollbackPath);
    for (const QString &path : {rollbackPath, script}) {
        const QFileInfo info(path);
        if (!force && (info.exists() || info.isSymLink()) &&
            !(path == rollbackPath && info.size() == 0)) {
            *error = QStringLiteral("%1 already exists and may hold the undo of an earlier run. "
                                    "Nothing was changed. Choose another --rollback file, or "
                                    "add --force to replace it.")
                         .arg(path);
            return false;
        }
        if (!DurableFile::checkReplaceable(path, error)) {
            *error = QStringLiteral("Nothing was changed: %1").arg(*error);
            return false;
        }
    }
    return true;
}

bool removeRunFiles(const QString &rollbackPath, QString *error)
{
    for (const QString &path : {rollbackPath, RollbackScript::pathFor(rollbackPath)}) {
        QFile file(path);
        if ((file.exists() || QFileInfo(path).isSymLink()) && !file.remove()) {
            *error = QStringLiteral("Nothing was changed: cannot replace %1: %2.")
                         .arg(path, file.errorString());
            return false;
        }
    }
    return true;
}

} // namespace

int Commands::apply(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Carry out the approved rows of a plan.csv against the tenant: write-ahead "
        "rollback journal, append-only audit trail, read-back verification.\n"
        "Exit codes: 0 done, 1 error or refusal, 2 usage, 3 finished with rows that failed, "
        "were stale or did not verify."));
    parser.addHelpOption();
    const QCommandLineOption planOption(QStringLiteral("plan"), QStringLiteral("The plan (CSV)."),
                                        QStringLiteral("file"));
    const QCommandLineOption auditOption(QStringLiteral("audit"),
                                         QStringLiteral("Audit trail (CSV), appended to."),
                                         QStringLiteral("file"));
    const QCommandLineOption rollbackOption(
        QStringLiteral("rollback"),
        QStringLiteral("Rollback journal (CSV) to create; rollback.ps1 goes beside it."),
        QStringLiteral("file"));
    const QCommandLineOption dryRunOption(
        QStringLiteral("dry-run"),
        QStringLiteral("Print the requests and their PowerShell equivalent; send and write "
                       "nothing."));
    const QCommandLineOption maxOption(
        QStringLiteral("max-changes"),
        QStringLiteral("Refuse to run more changes than this (default 500)."), QStringLiteral("n"),
        QStringLiteral("500"));
    const QCommandLineOption forceOption(
        QStringLiteral("force"),
        QStringLiteral("Replace an existing --rollback file and the .ps1 beside it (they may "
                       "hold the undo of an earlier run)."));
    parser.addOptions(
        {planOption, auditOption, rollbackOption, dryRunOption, maxOption, forceOption});
    ConnectionOptions connection(ConnectionOptions::Cloud);
    connection.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix apply")} + args)) {
        err << "anchorfix apply: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Done;
    }
    const bool dryRun = parser.isSet(dryRunOption);
    if (!parser.isSet(planOption) ||
        (!dryRun && (!parser.isSet(auditOption) || !parser.isSet(rollbackOption)))) {
        err << "anchorfix apply: --plan, --audit and --rollback are required (only --plan "
               "with --dry-run).\n";
        return Usage;
    }
    bool maxOk = false;
    const int maxChanges = parser.value(maxOption).toInt(&maxOk);
    if (!maxOk || maxChanges < 0) {
        err << "anchorfix apply: --max-changes must be a whole number of 0 or more.\n";
        return Usage;
    }
    QString error;
    // Found before anything is read, signed in or sent: an earlier run's undo is not
    // replaced without --force, and the script's place must take it.
    if (!dryRun &&
        !checkRunFiles(parser.value(rollbackOption), parser.isSet(forceOption), &error)) {
        err << "anchorfix apply: " << error << "\n";
        return Error;
    }
    const bool haveCloud = connection.hasCloud(parser);
    if ((haveCloud || !dryRun) && !connection.readCloud(parser, &error)) {
        err << "anchorfix apply: " << error << "\n";
        return Usage;
    }

    const QString planPath = parser.value(planOption);
    QFile planFile(planPath);
    if (!planFile.open(QIODevice::ReadOnly)) {
        err << "anchorfix apply: cannot read " << planPath << ": " << planFile.errorString()
            << "\n";
        return Error;
    }
    // Only the rows that change something are kept: a big plan reads fast and lean.
    Plan plan;
    if (!Plan::read(&planFile, &plan, &error, Plan::Rows::Changes)) {
        err << "anchorfix apply: " << planPath << ": " << error << "\n";
        return Error;
    }
    for (const QString &note : plan.notes())
        err << "warning: " << planPath << ": " << note << "\n";
    const int changes = Executor::changeCount(plan.rows());
    if (changes > maxChanges) {
        err << "anchorfix apply: the plan asks for " << changes << " changes, more than the "
            << "limit of " << maxChanges << ". Nothing was changed. Check the plan; if it is "
            << "right, run again with --max-changes " << changes << ".\n";
        return Error;
    }
    // The plan's age is its scan's (scanned_at_utc); a plan written before that column
    // falls back to the file's modification time (an edit only makes it look younger,
    // and every row is re-read before it is written anyway).
    QString ageNote;
    const bool scanTimeKnown = plan.scannedAt().isValid();
    const QDateTime planTime =
        scanTimeKnown ? plan.scannedAt() : QFileInfo(planPath).lastModified();
    const qint64 ageHours = planTime.secsTo(QDateTime::currentDateTime()) / 3600;
    if (ageHours >= 24) {
        ageNote = QStringLiteral("%1 %2 h ago (%3)")
                      .arg(scanTimeKnown ? QStringLiteral("plan scanned")
                                         : QStringLiteral("plan file last written"))
                      .arg(ageHours)
                      .arg(planTime.toUTC().toString(Qt::ISODate));
        err << "warning: " << planPath << " was " << (scanTimeKnown ? "scanned " : "last written ")
            << ageHours
            << " hours ago. The tenant may have changed since; rows that did are skipped as "
               "stale. Consider scanning again.\n";
    }

    QObject session;
    GraphClient *client = nullptr;
    QString operatorName;
    TenantDomains domains;
    QString tenantId;
    if (!dryRun || haveCloud) {
        client = connection.signIn(&session, !dryRun, &operatorName, &error);
        if (!client || !readTenantDomains(client, &domains, &error) ||
            !readTenantId(client, &tenantId, &error)) {
            err << "anchorfix apply: " << error << "\n";
            return Error;
        }
        // A plan scanned in another tenant is refused before anything is sent.
        if (const QString refusal = Executor::tenantRefusal(plan.tenantId(), tenantId);
            !refusal.isEmpty()) {
            err << "anchorfix apply: " << planPath << ": " << refusal << "\n";
            return Error;
        }
    }

    if (dryRun) {
        QStringList problems;
        const QString initial = domains.initialDomain.isEmpty() ? QStringLiteral("{initial-domain}")
                                                                : domains.initialDomain;
        const QList<ChangeUnit> units = ChangeUnit::fromRows(plan.rows(), initial, &problems);
        for (const QString &p : std::as_const(problems))
            err << "error: " << p << "\n";
        const QString graphUrl = connection.graphConfig().graphUrl.toString();
        out << "Dry run: " << units.size() << " changes; nothing is sent or written. Each user "
            << "is also read before (stale check) and after (verification).\n\n"
            << RequestPreview::toText(RequestPreview::forUnits(units, graphUrl));
        return problems.isEmpty() ? Done : Error;
    }

    ExecutorSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName;
    settings.identity.tenantId = tenantId.isEmpty() ? connection.graphConfig().tenant : tenantId;
    settings.planTenantId = plan.tenantId();
    settings.federatedDomains = domains.federatedDomains;
    settings.identity.graphUrl = connection.graphConfig().graphUrl.toString();
    settings.rollbackPath = parser.value(rollbackOption);
    settings.auditPath = parser.value(auditOption);
    settings.initialDomain = domains.initialDomain;
    settings.maxChanges = maxChanges;
    settings.startMessage = QStringLiteral("plan %1").arg(planPath);
    if (!ageNote.isEmpty())
        settings.startMessage += QStringLiteral("; ") + ageNote;
    if (parser.isSet(forceOption) && !removeRunFiles(settings.rollbackPath, &error)) {
        err << "anchorfix apply: " << error << "\n";
        return Error;
    }
    auto *writer = new GraphCloudWriter(client, &session);
    auto *executor = new Executor(plan.rows(), settings, writer, &session);
    executor->setAutoDelete(false);
    runWithProgress(executor);
    const ExecutionReport report = executor->report();
    for (const ChangeOutcome &o : report.outcomes) {
        if (o.status == ChangeStatus::Applied && o.verified)
            continue;
        err << "row " << o.rowId << " " << o.cloudUpn << ": " << changeStatusName(o.status)
            << (o.status == ChangeStatus::Applied ? " but not verified" : "") << ": "
            << o.errorString << "\n";
    }
    out << "Run " << settings.identity.runId << ": " << report.count(ChangeStatus::Applied)
        << " applied, " << report.count(ChangeStatus::Failed) << " failed, "
        << report.count(ChangeStatus::Stale) << " stale, " << report.count(ChangeStatus::Skipped)
        << " skipped, " << report.mismatches() << " not verified"
        << (report.count(ChangeStatus::Unknown)
                ? QStringLiteral(", %1 outcome unknown (kept pending: rollback reads them back)")
                      .arg(report.count(ChangeStatus::Unknown))
                : QString())
        << ".
";
    // The undo hint only for a journal this run wrote (a refused run wrote none).
    RollbackState journaled;
    if (RollbackJob::inspect(settings.rollbackPath, &journaled, nullptr) &&
        journaled.toUndo + journaled.purges > 0)
        out << "Audit: " << settings.auditPath << "  Undo: anchorfix rollback --rollback "
            << settings.rollbackPath << " --audit " << settings.auditPath << " (or "
            << RollbackScript::pathFor(settings.rollbackPath) << ")
"
            << "After the next sync cycle: anchorfix verify --audit " << settings.auditPath << "
";
    else if (QFile::exists(settings.auditPath))
        out << "Audit: " << settings.auditPath << "  Nothing was changed, so there is nothing "
            << "to undo.
";
    if (executor->error() != Job::NoError) {
        err << "anchorfix apply: " << executor->errorString() << "\n";
        return Error;
    }
    const bool clean =
        report.count(ChangeStatus::Applied) == report.outcomes.size() && report.mismatches() == 0;
    return clean ? Done : FinishedWithFailures;
}
