#include "commands.h"

#include "cloudsession.h"
#include "connectionoptions.h"
#include "graphclient.h"
#include "progressline.h"
#include "verifyjob.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>
#include <QUuid>

int Commands::verify(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "After the next sync cycle: did each change take? Re-reads every user the audit file "
        "says was changed and appends one row per change: joined, waiting_for_sync or "
        "sync_error.\n"
        "Exit codes: 0 all joined, 1 error, 2 usage, 3 some not joined (yet)."));
    parser.addHelpOption();
    const QCommandLineOption auditOption(
        QStringLiteral("audit"), QStringLiteral("Audit trail (CSV) of the run, appended to."),
        QStringLiteral("file"));
    parser.addOption(auditOption);
    ProgressLine::addQuietOption(parser);
    // Every connection option is accepted (one set serves scan, apply, rollback, verify);
    // verify reads the cloud only.
    ConnectionOptions connection(ConnectionOptions::OnPrem | ConnectionOptions::Cloud);
    connection.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix verify")} + args)) {
        err << "anchorfix verify: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Done;
    }
    if (!parser.isSet(auditOption)) {
        err << "anchorfix verify: --audit is required (the audit.csv of the run to check).\n";
        return Usage;
    }
    const QString auditPath = parser.value(auditOption);
    if (!QFileInfo(auditPath).isFile()) {
        err << "anchorfix verify: " << auditPath
            << " does not exist. Give the audit.csv that apply wrote.\n";
        return Usage;
    }
    QString error;
    if (!connection.readCloud(parser, &error)) {
        err << "anchorfix verify: " << error << "\n";
        return Usage;
    }
    QObject holder;
    CloudSession *session = connection.signIn(&holder, false, &error);
    if (!session) {
        err << "anchorfix verify: " << error << "\n";
        return Error;
    }
    GraphClient *client = session->client();
    const QString operatorName = session->operatorName();
    VerifySettings settings;
    settings.identity.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    settings.identity.operatorName = operatorName;
    settings.identity.tenantId =
        session->tenant().id.isEmpty() ? connection.graphConfig().tenant : session->tenant().id;
    settings.identity.graphUrl = connection.graphConfig().graphUrl.toString();
    settings.auditPath = auditPath;
    auto *job = new VerifyJob(client, settings, &holder);
    job->setAutoDelete(false);
    ProgressLine progress(QStringLiteral("verify"), ProgressLine::isQuiet(parser));
    progress.watch(job, QStringLiteral("changes checked"));
    ConnectionOptions::waitFor(job);
    progress.finish();
    for (const VerifyOutcome &o : job->outcomes())
        out << verifyResultName(o.result) << "\t"
            << (o.change.cloudUpn.isEmpty() ? o.change.cloudId : o.change.cloudUpn) << "\t"
            << auditActionName(o.change.action) << "\t" << o.message << "\n";
    if (job->error() != Job::NoError) {
        err << "anchorfix verify: " << job->errorString() << "\n";
        return Error;
    }
    out << "Verify " << settings.identity.runId << ": " << job->count(VerifyResult::Joined)
        << " joined, " << job->count(VerifyResult::WaitingForSync) << " waiting for sync, "
        << job->count(VerifyResult::SyncError) << " with sync errors.\n";
    return job->allJoined() ? Done : FinishedWithFailures;
}
