#include "commands.h"

#include "approvalaudit.h"
#include "approvalgatejob.h"
#include "approvalseal.h"
#include "jwkscache.h"
#include "sealcheckjob.h"

#include "cloudsession.h"
#include "connectionoptions.h"
#include "durablefile.h"
#include "executor.h"
#include "graphcloudwriter.h"
#include "permissionpreflight.h"
#include "plan.h"
#include "progressline.h"
#include "requestpreview.h"
#include "rollbackjob.h"
#include "runfiles.h"
#include "runstartmessage.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTextStream>
#include <QUuid>

namespace {

// rollback.csv and the rollback.ps1 beside it: an existing one may be the only undo of an
// earlier run, so it is replaced only with --force; and the folder must take both.
bool checkRunFiles(const QString &rollbackPath, bool force, QString *error)
{
    const QString script = RunFiles::rollbackScriptFor(rollbackPath);
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
    for (const QString &path : {rollbackPath, RunFiles::rollbackScriptFor(rollbackPath)}) {
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
    const QCommandLineOption skipUnpermittedOption(
        QStringLiteral("skip-unpermitted"),
        QStringLiteral("Run the rows the sign-in may carry out and leave out those it may not "
                       "(without it, such a plan is refused and nothing is sent)."));
    const QCommandLineOption sealedOption(
        QStringLiteral("require-sealed-approval"),
        QStringLiteral("Flagged rows run only with a second person's approval sealed by Entra ID "
                       "(anchorfix approve, plan.approvals.json beside the plan). Without it, "
                       "plan.csv's approved column is enough when there is no approvals file."));
    parser.addOptions({planOption, auditOption, rollbackOption, dryRunOption, maxOption,
                       forceOption, skipUnpermittedOption, sealedOption});
    ProgressLine::addQuietOption(parser);
    // Every connection option is accepted (one set for scan, apply and rollback); the
    // on-prem ones are needed only for adopt_cloud_anchor rows (the LDAP write bind).
    ConnectionOptions connection(ConnectionOptions::OnPrem | ConnectionOptions::Cloud);
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
    const QByteArray planBytes = planFile.readAll(); // hashed for the audit's run-start row
    QBuffer planBuffer;
    planBuffer.setData(planBytes);
    planBuffer.open(QIODevice::ReadOnly);
    if (!Plan::read(&planBuffer, &plan, &error, Plan::Rows::Changes)) {
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

    // The write bind is asked for only when the plan writes to AD (like User.ReadWrite.All
    // for cloud writes); found before anything is signed in to or sent.
    std::optional<LdapConfig> ldap;
    if (!dryRun && Executor::hasOnPremChanges(plan.rows())) {
        bool usage = false;
        ldap = connection.writeBind(parser, &error, &usage);
        if (!ldap) {
            err << "anchorfix apply: "
                << (usage ? "the plan has rows that write mS-DS-ConsistencyGuid in AD over LDAP "
                            "(adopt_cloud_anchor, copy_objectguid): "
                          : "")
                << error << " Nothing was changed.\n";
            return usage ? Usage : Error;
        }
    }

    QObject holder;
    CloudSession *session = nullptr;
    TenantFacts tenant;
    if (!dryRun || haveCloud) {
        // Write access only for cloud changes: an AD-only plan reads the tenant (to check
        // each cloud anchor is still the one adopted) and writes nothing there.
        session =
            connection.signIn(&holder, !dryRun && Executor::hasCloudChanges(plan.rows()), &error,
                              PermissionPreflight::extraWritePermissions(plan.rows()));
        if (session && !session->hasTenantDomains())
            error = session->tenantDomainsProblem();
        if (!session || !session->hasTenantDomains()) {
            err << "anchorfix apply: " << error << "\n";
            return Error;
        }
        tenant = session->tenant();
        // A plan scanned in another tenant is refused before anything is sent.
        if (const QString refusal = Executor::tenantRefusal(plan.tenantId(), tenant.id);
            !refusal.isEmpty()) {
            err << "anchorfix apply: " << planPath << ": " << refusal << "\n";
            return Error;
        }
    }

    // Second-person approval (issue 17): with plan.approvals.json beside the plan, it alone
    // approves the flagged rows, and its seal is checked first; the policy refuses flagged
    // rows without a sealed approval. The same gate as the wizard's (ApprovalGateJob).
    const bool requireSealed = parser.isSet(sealedOption);
    std::optional<SealExpectations> expected; // none in a dry run without sign-in
    if (session)
        expected = SealCheckJob::expectationsFor(*session);
    JwksCache keys;
    auto *gateJob = new ApprovalGateJob(plan.rows(), planPath, requireSealed, expected,
                                        connection.graphConfig().authorityUrl, &keys, &holder);
    gateJob->setAutoDelete(false);
    ConnectionOptions::waitFor(gateJob);
    if (gateJob->error() != Job::NoError) {
        err << "anchorfix apply: " << gateJob->errorString() << " Nothing was changed.\n";
        return Error;
    }
    const ApprovalGate gate = gateJob->value();
    QList<Finding> rows = gateJob->rows();
    if (gate.hasNews()) {
        out << (requireSealed ? "Approval policy: flagged rows need a second person's sealed "
                                "approval (--require-sealed-approval).\n"
                              : "Approval policy: single admin (plan.csv's approvals count unless "
                                "an approvals file is present).\n");
        if (gate.approvals)
            out << "Approvals: " << gate.approvalsPath << " by "
                << ApprovalSeal::approverText(*gate.approvals)
                << (gate.approvals->sealed ? ", sealed" : ", unsealed (device-code sign-in)")
                << (gate.problem.isEmpty() ? QString()
                                           : QStringLiteral(" — not accepted: ") + gate.problem)
                << "\n";
    }
    for (const RowApproval &v : gate.verdicts)
        if (!v.runs())
            err << (dryRun ? "would not run: row " : "not run: row ") << v.rowId << ": " << v.reason
                << "\n";

    // Permission pre-flight: compare each row with what the token grants before anything
    // is sent; a row that would fail for lack of permission is not sent at all.
    QList<UnpermittedRow> unpermitted;
    if (session)
        unpermitted = PermissionPreflight::check(rows, session->permissions());
    if (!unpermitted.isEmpty()) {
        const QStringList lines = PermissionPreflight::describe(unpermitted);
        for (const QString &line : lines)
            err << (dryRun ? "would not run: " : "cannot run: ") << line << "\n";
        if (!dryRun && !parser.isSet(skipUnpermittedOption)) {
            err << "anchorfix apply: " << unpermitted.size()
                << " row(s) need permissions the sign-in (" << session->operatorName()
                << ") does not grant. Nothing was changed. Grant the permissions to the app "
                   "(admin consent) and sign in again, or run again with --skip-unpermitted "
                   "to run the other rows.\n";
            return Error;
        }
        rows = PermissionPreflight::withoutRows(rows, unpermitted);
    }

    if (dryRun) {
        QStringList problems;
        const QString initial = tenant.initialDomain.isEmpty() ? QStringLiteral("{initial-domain}")
                                                               : tenant.initialDomain;
        const QList<ChangeUnit> units = ChangeUnit::fromRows(rows, initial, &problems);
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
    settings.identity.operatorName = session->operatorName();
    settings.identity.tenantId = tenant.id.isEmpty() ? connection.graphConfig().tenant : tenant.id;
    settings.planTenantId = plan.tenantId();
    settings.federatedDomains = tenant.federatedDomains;
    settings.identity.graphUrl = connection.graphConfig().graphUrl.toString();
    settings.rollbackPath = parser.value(rollbackOption);
    settings.auditPath = parser.value(auditOption);
    settings.initialDomain = tenant.initialDomain;
    settings.maxChanges = maxChanges;
    settings.ldap = ldap;
    if (ldap)
        settings.startMessage =
            QStringLiteral("LDAP write bind %1 at %2; ").arg(ldap->bindDn, ldap->uri);
    settings.startMessage += RunStartMessage::text(tenant, planPath, planBytes);
    if (!unpermitted.isEmpty()) {
        QStringList ids;
        for (const UnpermittedRow &u : std::as_const(unpermitted))
            ids.append(QString::number(u.rowId));
        settings.startMessage += QStringLiteral("; left out for lack of permission: rows %1")
                                     .arg(ids.join(QLatin1String(", ")));
    }
    if (!ageNote.isEmpty())
        settings.startMessage += QStringLiteral("; ") + ageNote;
    if (parser.isSet(forceOption) && !removeRunFiles(settings.rollbackPath, &error)) {
        err << "anchorfix apply: " << error << "\n";
        return Error;
    }
    // The audit names approver, operator and seal for every flagged row before the run:
    // result `approved` (it runs) or `skipped` (the approval does not cover it). A single
    // admin's run (no approvals file, no policy) keeps the audit as it was.
    if (!ApprovalAudit::write(settings.auditPath, gate, rows, settings.identity, &error)) {
        err << "anchorfix apply: " << error << " Nothing was changed.\n";
        return Error;
    }
    auto *writer = new GraphCloudWriter(session->client(), &holder);
    auto *executor = new Executor(rows, settings, writer, &holder);
    executor->setAutoDelete(false);
    ProgressLine(QString(), ProgressLine::isQuiet(parser))
        .runCancellable(executor, QStringLiteral("Stopping after the changes in flight…"));
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
        << ".\n";
    // The undo hint only for a journal this run wrote (a refused run wrote none).
    RollbackState journaled;
    if (RollbackJob::inspect(settings.rollbackPath, &journaled, nullptr) &&
        journaled.toUndo + journaled.purges > 0)
        out << "Audit: " << settings.auditPath << "  Undo: anchorfix rollback --rollback "
            << settings.rollbackPath << " --audit " << settings.auditPath << " (or "
            << RunFiles::rollbackScriptFor(settings.rollbackPath) << ")\n"
            << "After the next sync cycle: anchorfix verify --audit " << settings.auditPath << "\n";
    else if (QFile::exists(settings.auditPath))
        out << "Audit: " << settings.auditPath << "  Nothing was changed, so there is nothing "
            << "to undo.\n";
    if (executor->error() != Job::NoError) {
        err << "anchorfix apply: " << executor->errorString() << "\n";
        return Error;
    }
    const bool clean =
        report.count(ChangeStatus::Applied) == report.outcomes.size() && report.mismatches() == 0;
    return clean ? Done : FinishedWithFailures;
}
