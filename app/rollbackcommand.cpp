#include "commands.h"

#include "cloudsession.h"
#include "connectionoptions.h"
#include "graphcloudwriter.h"
#include "progressline.h"
#include "rollbackjob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>
#include <QUuid>

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
    ProgressLine::addQuietOption(parser);
    // Every connection option is accepted (one set for scan, apply and rollback); the
    // on-prem ones are needed only when the journal has on-prem rows to undo.
    ConnectionOptions connection(ConnectionOptions::OnPrem | ConnectionOptions::Cloud);
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
    // On-prem rows are undone over LDAP: the write bind is asked for only then.
    std::optional<LdapConfig> ldap;
    if (state.onPremToUndo > 0) {
        bool usage = false;
        ldap = connection.writeBind(parser, &error, &usage);
        if (!ldap) {
            err << "anchorfix rollback: ";
            if (usage)
                err << state.onPremToUndo
                    << " change(s) of this run wrote mS-DS-ConsistencyGuid in AD and are undone "
                       "over LDAP: ";
            err << error << " Nothing was changed.\n";
            return usage ? Usage : Error;
        }
    }
    QObject holder;
    CloudSession *session = connection.signIn(&holder, true, &error);
    if (session && !session->hasTenantDomains())
        error = session->tenantDomainsProblem();
    if (!session || !session->hasTenantDomains()) {
        err << "anchorfix rollback: " << error << "\n";
        return Error;
    }
    const TenantFacts tenant = session->tenant();
    RollbackSettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = session->operatorName();
    settings.identity.tenantId = tenant.id;
    settings.identity.graphUrl = connection.graphConfig().graphUrl.toString();
    settings.rollbackPath = parser.value(rollbackOption);
    settings.auditPath = parser.value(auditOption);
    settings.initialDomain = tenant.initialDomain;
    settings.federatedDomains = tenant.federatedDomains;
    settings.ldap = ldap;
    auto *writer = new GraphCloudWriter(session->client(), &holder);
    auto *job = new RollbackJob(settings, writer, &holder);
    job->setAutoDelete(false);

    ProgressLine(QString(), ProgressLine::isQuiet(parser)).runCancellable(job);
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
