#include "commands.h"

#include "cloudscanjob.h"
#include "cloudscansource.h"
#include "cloudsession.h"
#include "connectionoptions.h"
#include "durablefile.h"
#include "onpremscansource.h"
#include "plan.h"
#include "progressline.h"
#include "reconciler.h"
#include "rescanstate.h"
#include "saveplanjob.h"
#include "scanjob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <optional>

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
    const QCommandLineOption hygieneOption(
        QStringLiteral("hygiene"),
        QStringLiteral("Also plan copy_objectguid for in_sync users anchored on objectGUID whose "
                       "mS-DS-ConsistencyGuid is empty (what Entra Connect's ConsistencyGuid "
                       "writeback does): the link then survives a forest move or a move to "
                       "Cloud Sync. Off by default; apply writes it over LDAP, journalled and "
                       "reversible."));
    const QCommandLineOption sincePreviousOption(
        QStringLiteral("since-previous"),
        QStringLiteral("Read only the cloud users changed since the scan that wrote this plan "
                       "(or its .rescan.json, kept beside every plan): seconds instead of a full "
                       "read in a big tenant. An expired or refused delta link means a full read, "
                       "and the output says why. The on-prem side is read in full."),
        QStringLiteral("previous-plan"));
    parser.addOptions({planOption, forceOption, hygieneOption, sincePreviousOption});
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

    // A rescan: what the previous scan kept, for this tenant and this version's $select.
    std::optional<RescanState> previous;
    if (parser.isSet(sincePreviousOption)) {
        RescanState state;
        const QString statePath = RescanStateFile::pathFor(parser.value(sincePreviousOption));
        QString why;
        if (!RescanStateFile::read(statePath, &state, &error)) {
            err << "anchorfix scan: " << error << "\n";
            return Error;
        }
        if (!RescanStateFile::usableFor(state, connection.graphConfig().tenant,
                                        CloudScanJob::userSelects(), &why)) {
            err << "anchorfix scan: " << statePath << " refused: " << why << "\n";
            return Error;
        }
        previous = state;
    }

    const bool quiet = ProgressLine::isQuiet(parser);
    if (!connection.usesOnPremFile() && !connection.loadLdapPassword(&error)) {
        err << "anchorfix scan: " << error << "\n";
        return Error;
    }
    // The wizard's ScanJob, on-prem first: a wrong LDAP password should not cost a sign-in.
    QObject holder;
    CloudSession *session = nullptr;
    std::optional<ProgressLine> onPremProgress;
    std::optional<ProgressLine> cloudProgress;
    onPremProgress.emplace(connection.usesOnPremFile() ? QStringLiteral("on-prem file")
                                                       : QStringLiteral("on-prem"),
                           quiet);
    ScanJob scan(
        [&connection]() {
            return connection.usesOnPremFile() ? OnPremScanSource::file(connection.onPremFile())
                                               : OnPremScanSource::ldap(connection.ldapConfig());
        },
        [&]() -> ValueJob<CloudScan> * {
            QString signInError;
            session = connection.signIn(&holder, false, &signInError);
            if (!session)
                return new FailedJob<CloudScan>(signInError);
            cloudProgress.emplace(QStringLiteral("cloud"), quiet);
            return CloudScanSource::graph([session] { return session->client(); }, nullptr,
                                          previous ? previous->toSnapshot() : CloudSnapshot());
        },
        connection.anchorRule());
    scan.setOrder(ScanJob::Order::OnPremFirst);
    QObject::connect(&scan, &Job::progressChanged, &scan, [&](const JobProgress &p) {
        if (p.part < 0)
            return;
        const JobPartProgress &side = p.parts.at(p.part);
        if (p.part == int(ScanJob::Side::Cloud) && cloudProgress)
            cloudProgress->update(side.done, side.total, QStringLiteral("users read"));
        else if (p.part == int(ScanJob::Side::OnPrem) && connection.usesOnPremFile())
            onPremProgress->update(side.done, side.total);
        else if (p.part == int(ScanJob::Side::OnPrem))
            onPremProgress->update(side.done, side.total, QStringLiteral("users read"));
    });
    QObject::connect(&scan, &ScanJob::sideFinished, &scan, [&](ScanJob::Side side) {
        const bool onPremSide = side == ScanJob::Side::OnPrem;
        if (onPremSide)
            onPremProgress->finish();
        else if (cloudProgress)
            cloudProgress->finish();
        if (scan.sideError(side) != Job::NoError)
            return;
        // What a side could not read or check is said, never a silent gap.
        for (const QString &w : onPremSide ? scan.onPremScan().warnings : scan.cloudScan().warnings)
            err << "warning: " << w << "\n";
        err.flush();
    });
    if (ConnectionOptions::waitFor(&scan) != 0) {
        err << "anchorfix scan: " << scan.errorString() << "\n";
        return Error;
    }
    const ScanResult &result = scan.value();
    const CloudSnapshot &cloud = result.cloud.snapshot;

    QList<Finding> rows = result.findings;
    int hygiene = 0;
    if (parser.isSet(hygieneOption)) {
        // Only where the scan saw the attribute empty: a value already there is left alone.
        const QList<OnPremUser> &onPremUsers = result.onPrem.users;
        for (Finding &f : rows) {
            if (!f.canCopyObjectGuid() || f.onPremIndex < 0 ||
                f.onPremIndex >= onPremUsers.size() ||
                !onPremUsers.at(f.onPremIndex).consistencyGuid.isEmpty())
                continue;
            f.allowedActions.append(Action::CopyObjectGuid);
            f.action = Action::CopyObjectGuid;
            ++hygiene;
        }
    }
    Plan plan(rows);
    plan.setScan(cloud.tenantId, cloud.scannedAt); // apply checks both
    if (!SavePlanJob::write(plan, planPath, &error)) {
        err << "anchorfix scan: " << error << "\n";
        return Error;
    }

    // What the next `scan --since-previous` needs, beside the plan (none without a delta
    // link: an old one would answer for another scan).
    const QString statePath = RescanStateFile::pathFor(planPath);
    if (!cloud.usersDeltaLink.isEmpty()) {
        if (!RescanStateFile::write(
                statePath, RescanState::fromSnapshot(cloud, connection.graphConfig().tenant),
                &error))
            err << "warning: " << error << " A rescan of this plan will read every user.\n";
    } else {
        QFile::remove(statePath);
    }

    if (previous) {
        if (result.cloud.usersFromDelta)
            out << "Rescan: read only the cloud users changed since the previous scan ("
                << previous->scannedAt.toString(Qt::ISODate) << ").\n";
        else
            out << "Rescan: every cloud user was read again. " << result.cloud.fullReadReason
                << "\n";
    }
    if (parser.isSet(hygieneOption))
        out << "Hygiene: " << hygiene << " in_sync user(s) get copy_objectguid (objectGUID into "
            << "their empty mS-DS-ConsistencyGuid).\n";
    out << "Scanned " << result.onPrem.users.size() << " on-prem users and " << cloud.users.size()
        << " cloud users (" << cloud.deletedUsers.size() << " in the recycle bin) of tenant "
        << cloud.tenantId << ".\n\n";
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
    const QStringList preflight = Reconciler::tenantPreflight(cloud, plan.rows());
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
