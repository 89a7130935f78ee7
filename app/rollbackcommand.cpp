#include "commands.h"

#include "connectionoptions.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "rollbackjob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
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

} // namespace

int Commands::rollback(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Undo an apply run from its rollback.csv (finished or interrupted), newest change "
        "first. A value changed by someone since is left alone; a purge cannot be undone. "
        "What was undone is marked in the file: running it again sends nothing, and a "
        "rollback that stopped half way finishes the rest.\n"
        "Exit codes: 0 done, 1 error, 2 usage, 3 finished with rows that failed."));
    parser.addHelpOption();
    const QCommandLineOption rollbackOption(QStringLiteral("rollback"),
                                            QStringLiteral("The rollback journal (CSV)."),
                                            QStringLiteral("file"));
    const QCommandLineOption auditOption(QStringLiteral("audit"),
                                         QStringLiteral("Audit trail (CSV), appended to."),
                                         QStringLiteral("file"));
    parser.addOptions({rollbackOption, auditOption});
    ConnectionOptions connection(ConnectionOptions::Cloud);
    connection.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix rollback")} + args)) {
        err << "anchorfix rollback: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Done;
    }
    QString error;
    if (!parser.isSet(rollbackOption) || !parser.isSet(auditOption)) {
        err << "anchorfix rollback: --rollback and --audit are required.\n";
        return Usage;
    }
    if (!connection.readCloud(parser, &error)) {
        err << "anchorfix rollback: " << error << "\n";
        return Usage;
    }
    // A run already rolled back (or with nothing that landed) needs no sign-in: nothing
    // is read or sent.
    RollbackState state;
    QString warning;
    if (!RollbackJob::inspect(parser.value(rollbackOption), &state, &error, &warning)) {
        err << "anchorfix rollback: Nothing was changed. " << error << "\n";
        return Error;
    }
    if (state.isDone()) {
        if (!warning.isEmpty())
            err << "warning: " << warning << "\n";
        out << state.doneText() << "\n";
        return Done;
    }
    QObject session;
    QString operatorName;
    TenantDomains domains;
    GraphClient *client = connection.signIn(&session, true, &operatorName, &error);
    if (!client || !readTenantDomains(client, &domains, &error)) {
        err << "anchorfix rollback: " << error << "\n";
        return Error;
    }
    RollbackSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName;
    settings.identity.tenantId = connection.graphConfig().tenant;
    settings.identity.graphUrl = connection.graphConfig().graphUrl.toString();
    settings.rollbackPath = parser.value(rollbackOption);
    settings.auditPath = parser.value(auditOption);
    settings.initialDomain = domains.initialDomain;
    settings.federatedDomains = domains.federatedDomains;
    auto *writer = new GraphCloudWriter(client, &session);
    auto *job = new RollbackJob(settings, writer, &session);
    job->setAutoDelete(false);

    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    if (terminal)
        QObject::connect(job, &RollbackJob::progressUpdated, job,
                         [&err](const ExecutionProgress &p) {
                             err << '\r' << p.toText() << "   ";
                             err.flush();
                         });
    auto previous = std::signal(SIGINT, onInterrupt);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, job, [job] {
        if (interrupted.exchange(false))
            job->cancel();
    });
    poll.start(100);
    ConnectionOptions::waitFor(job);
    std::signal(SIGINT, previous);
    if (terminal)
        err << '\n';
    if (!job->warning().isEmpty())
        err << "warning: " << job->warning() << "\n";
    if (job->isAlreadyDone()) {
        out << job->state().doneText() << "\n";
        return Done;
    }
    const ExecutionReport report = job->report();
    for (const ChangeOutcome &o : report.outcomes)
        if (o.status != ChangeStatus::Applied || !o.verified)
            err << o.cloudId << " " << o.cloudUpn << ": " << changeStatusName(o.status) << ": "
                << o.errorString << "\n";
    out << "Rollback " << settings.identity.runId << ": " << report.count(ChangeStatus::Applied)
        << " undone, " << report.count(ChangeStatus::Failed) << " failed, "
        << report.count(ChangeStatus::Skipped) << " skipped.\n";
    if (job->error() != Job::NoError) {
        err << "anchorfix rollback: " << job->errorString() << "\n";
        return Error;
    }
    return report.count(ChangeStatus::Failed) + report.count(ChangeStatus::Stale) +
                       report.count(ChangeStatus::Unknown) + report.mismatches() >
                   0
               ? FinishedWithFailures
               : Done;
}
