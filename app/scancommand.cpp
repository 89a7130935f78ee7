#include "commands.h"

#include "cloudscanjob.h"
#include "cloudsession.h"
#include "connectionoptions.h"
#include "durablefile.h"
#include "graphclient.h"
#include "ldapscanjob.h"
#include "onpremfilejob.h"
#include "plan.h"
#include "progressline.h"
#include "reconciler.h"
#include "saveplanjob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>

// anchorfix scan [connection options] --plan plan.csv: reads on-prem (LDAP or an export)
// and the tenant, reconciles them, writes plan.csv and prints one line per category.
int Commands::scan(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Scan on-prem AD and the Entra tenant, and write the findings to a plan.csv to "
        "review (and approve) before `anchorfix apply`."));
    parser.addHelpOption();
    const QCommandLineOption planOption(QStringLiteral("plan"),
                                        QStringLiteral("Where to write the plan (CSV)."),
                                        QStringLiteral("file"));
    const QCommandLineOption forceOption(
        QStringLiteral("force"),
        QStringLiteral("Replace an existing --plan file (it may hold your edits and approvals)."));
    parser.addOptions({planOption, forceOption});
    ProgressLine::addQuietOption(parser);
    ConnectionOptions connection(ConnectionOptions::OnPrem | ConnectionOptions::Cloud);
    connection.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix scan")} + args)) {
        err << "anchorfix scan: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Done;
    }
    QString error;
    if (!parser.isSet(planOption)) {
        err << "anchorfix scan: --plan FILE is required.\n";
        return Usage;
    }
    if (!connection.readOnPrem(parser, &error) || !connection.readCloud(parser, &error)) {
        err << "anchorfix scan: " << error << "\n";
        return Usage;
    }
    // Before the scan: an edited plan with its approvals is not replaced without a word.
    const QString planPath = parser.value(planOption);
    const QFileInfo planInfo(planPath);
    if ((planInfo.exists() || planInfo.isSymLink()) && !parser.isSet(forceOption)) {
        err << "anchorfix scan: " << planPath << " already exists and may hold your edits and "
            << "approvals. Nothing was scanned. Choose another --plan file, or add --force to "
            << "replace it.\n";
        return Error;
    }
    if (!DurableFile::checkReplaceable(planPath, &error)) {
        err << "anchorfix scan: " << error << "\n";
        return Error;
    }

    const bool quiet = ProgressLine::isQuiet(parser);
    // On-prem first: a wrong LDAP password should not cost a sign-in.
    ReconcileInput input;
    input.anchorRule = connection.anchorRule();
    if (connection.usesOnPremFile()) {
        OnPremFileJob job(connection.onPremFile());
        ProgressLine progress(QStringLiteral("on-prem file"), quiet);
        QObject::connect(&job, &Job::progressChanged, &job,
                         [&progress](qint64 done, qint64 total) { progress.update(done, total); });
        const int code = ConnectionOptions::waitFor(&job);
        progress.finish();
        if (code != 0) {
            err << "anchorfix scan: " << job.errorString() << "\n";
            return Error;
        }
        for (const QString &w : job.warnings())
            err << "warning: " << w << "\n";
        input.onPrem = job.users();
    } else {
        if (!connection.loadLdapPassword(&error)) {
            err << "anchorfix scan: " << error << "\n";
            return Error;
        }
        LdapScanJob job(connection.ldapConfig());
        ProgressLine progress(QStringLiteral("on-prem"), quiet);
        QObject::connect(&job, &Job::progressChanged, &job, [&progress](qint64 done, qint64 total) {
            progress.update(done, total, QStringLiteral("users read"));
        });
        const int code = ConnectionOptions::waitFor(&job);
        progress.finish();
        if (code != 0) {
            err << "anchorfix scan: " << job.errorString() << "\n";
            return Error;
        }
        for (const QString &w : job.warnings())
            err << "warning: " << w << "\n";
        input.onPrem = job.users();
        input.onPremScanScoped = job.isScoped();
    }

    QObject holder;
    CloudSession *session = connection.signIn(&holder, false, &error);
    if (!session) {
        err << "anchorfix scan: " << error << "\n";
        return Error;
    }
    CloudScanJob *cloud = session->client()->scan();
    cloud->setAutoDelete(false);
    ProgressLine progress(QStringLiteral("cloud"), quiet);
    QObject::connect(cloud, &Job::progressChanged, cloud, [&progress](qint64 done, qint64 total) {
        progress.update(done, total, QStringLiteral("users read"));
    });
    const int cloudCode = ConnectionOptions::waitFor(cloud);
    progress.finish();
    if (cloudCode != 0) {
        err << "anchorfix scan: " << cloud->errorString() << "\n";
        delete cloud;
        return Error;
    }
    input.cloud = cloud->snapshot();
    // What the cloud scan could not check is said, never a silent gap.
    for (const QString &w : cloud->warnings())
        err << "warning: " << w << "\n";
    delete cloud;

    Plan plan(Reconciler::reconcile(input));
    plan.setScan(input.cloud.tenantId, input.cloud.scannedAt); // apply checks both
    if (!SavePlanJob::write(plan, planPath, &error)) {
        err << "anchorfix scan: " << error << "\n";
        return Error;
    }

    out << "Scanned " << input.onPrem.size() << " on-prem users and " << input.cloud.users.size()
        << " cloud users (" << input.cloud.deletedUsers.size() << " in the recycle bin) of tenant "
        << input.cloud.tenantId << ".\n\n";
    out << QStringLiteral("%1 %2  %3  %4\n")
               .arg(QStringLiteral("category"), -26)
               .arg(QStringLiteral("rows"), 5)
               .arg(QStringLiteral("default action"), -16)
               .arg(QStringLiteral("approval"));
    for (Category c : allCategories()) {
        const int n = plan.countByCategory(c);
        if (n == 0)
            continue;
        out << QStringLiteral("%1 %2  %3  %4\n")
                   .arg(categoryName(c), -26)
                   .arg(n, 5)
                   .arg(actionName(defaultActionFor(c)), -16)
                   .arg(categoryNeedsApproval(c) ? QStringLiteral("needed") : QStringLiteral("-"));
    }
    const int withSyncErrors =
        int(std::count_if(plan.rows().cbegin(), plan.rows().cend(),
                          [](const Finding &f) { return !f.syncErrors.isEmpty(); }));
    if (withSyncErrors > 0)
        out << "\n"
            << withSyncErrors
            << " rows carry the sync engine's own errors (onPremisesProvisioningErrors): see "
               "the sync_errors column.\n";
    const QStringList preflight = Reconciler::tenantPreflight(input.cloud, plan.rows());
    if (!preflight.isEmpty()) {
        out << "\nPre-flight:\n";
        for (const QString &line : preflight)
            out << "  " << line << "\n";
    }
    const int changes = int(plan.executableRows().size());
    out << "\n"
        << plan.size() << " rows written to " << planPath << "; " << changes
        << " changes would run now. Review the plan, set approved=yes where needed, then:\n"
        << "  anchorfix apply --plan " << planPath
        << " --audit audit.csv --rollback rollback.csv --dry-run\n";
    return Done;
}
