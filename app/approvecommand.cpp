#include "commands.h"

#include "approvaldigest.h"
#include "approvals.h"
#include "approvalseal.h"
#include "approvalsfile.h"
#include "connectionoptions.h"
#include "findingdetails.h"
#include "plan.h"
#include "runfiles.h"
#include "sealapprovaljob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

namespace {

// One decision typed on the terminal: y/n, then the reason. nullopt at the end of input.
std::optional<ApprovalDecision> askDecision(const Finding &row, QTextStream &in, QTextStream &err)
{
    ApprovalDecision d;
    d.rowId = row.rowId;
    for (;;) {
        err << "Approve row " << row.rowId << "? [y/n] " << Qt::flush;
        const QString answer = in.readLine();
        if (answer.isNull())
            return std::nullopt;
        const QString a = answer.trimmed().toLower();
        if (a == u"y" || a == u"yes") {
            d.approved = true;
            break;
        }
        if (a == u"n" || a == u"no")
            break;
        err << "Answer y (approve) or n (reject).\n";
    }
    err << "Reason (one line): " << Qt::flush;
    const QString reason = in.readLine();
    if (reason.isNull())
        return std::nullopt;
    d.reason = reason.trimmed();
    if (d.approved)
        d.rowDigest = ApprovalDigest::rowDigest(row);
    return d;
}

} // namespace

int Commands::approve(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QTextStream in(stdin);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Review the flagged rows of a plan as a second person: approve or reject each with a "
        "reason, then sign in so that Entra ID seals the approval (the ID token's nonce is "
        "the SHA-256 of the approved rows). Writes plan.approvals.json beside the plan.\n"
        "Exit codes: 0 done, 1 error or refusal, 2 usage."));
    parser.addHelpOption();
    const QCommandLineOption planOption(QStringLiteral("plan"), QStringLiteral("The plan (CSV)."),
                                        QStringLiteral("file"));
    const QCommandLineOption approverOption(
        QStringLiteral("approver"),
        QStringLiteral("The account to suggest at sign-in (login_hint)."), QStringLiteral("upn"));
    const QCommandLineOption deviceCodeOption(
        QStringLiteral("device-code"),
        QStringLiteral("Sign in with a device code instead of the browser. The approval then "
                       "names you but is not sealed, and a run that requires a sealed approval "
                       "refuses it."));
    const QCommandLineOption noBrowserOption(
        QStringLiteral("no-browser"),
        QStringLiteral("Print the sign-in address instead of opening a browser."));
    const QCommandLineOption forceOption(QStringLiteral("force"),
                                         QStringLiteral("Replace an existing approvals file."));
    parser.addOptions({planOption, approverOption, deviceCodeOption, noBrowserOption, forceOption});
    ConnectionOptions connection(ConnectionOptions::Cloud);
    connection.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix approve")} + args)) {
        err << "anchorfix approve: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Done;
    }
    if (!parser.isSet(planOption)) {
        err << "anchorfix approve: --plan is required.\n";
        return Usage;
    }
    QString error;
    if (!connection.readCloud(parser, &error)) {
        err << "anchorfix approve: " << error << "\n";
        return Usage;
    }
    const QString planPath = parser.value(planOption);
    const QString approvalsPath = RunFiles::approvalsFor(planPath);
    if (QFileInfo::exists(approvalsPath) && !parser.isSet(forceOption)) {
        err << "anchorfix approve: " << approvalsPath << " already exists (an earlier "
            << "approval). Nothing was changed. Add --force to review the plan again and "
               "replace it.\n";
        return Error;
    }
    QFile planFile(planPath);
    if (!planFile.open(QIODevice::ReadOnly)) {
        err << "anchorfix approve: cannot read " << planPath << ": " << planFile.errorString()
            << "\n";
        return Error;
    }
    Plan plan;
    if (!Plan::read(&planFile, &plan, &error)) {
        err << "anchorfix approve: " << planPath << ": " << error << "\n";
        return Error;
    }
    // The digest binds the tenant: a plan that does not name it cannot be sealed.
    if (plan.tenantId().isEmpty()) {
        err << "anchorfix approve: " << planPath << " does not name the tenant it was scanned "
            << "in (no tenant_id column). Ask the operator to scan again with this version.\n";
        return Error;
    }
    QList<Finding> flagged;
    for (const Finding &row : plan.rows())
        if (row.needsApproval() && row.action != Action::None)
            flagged.append(row);
    if (flagged.isEmpty()) {
        out << planPath << " has no flagged rows that change anything: nothing to approve.\n";
        return Done;
    }

    // The review: every flagged row with its reason and the PowerShell it stands for.
    GraphConfig graph = connection.graphConfig();
    err << flagged.size() << " flagged row(s) in " << planPath << " need a second person's "
        << "decision.\n";
    Approvals approvals;
    for (const Finding &row : std::as_const(flagged)) {
        err << "\nRow " << row.rowId << "  " << categoryName(row.category) << "  "
            << actionName(row.action) << "  "
            << (row.cloudUpn.isEmpty() ? row.onPremUpn : row.cloudUpn) << "\n"
            << "  " << row.reason() << "\n";
        for (const QString &line :
             FindingDetails::powerShell(row, graph.graphUrl, QString()).split(u'\n'))
            err << "    " << line << "\n";
        const std::optional<ApprovalDecision> d = askDecision(row, in, err);
        if (!d) {
            err << "\nanchorfix approve: the input ended before row " << row.rowId
                << " was decided. Nothing was written.\n";
            return Error;
        }
        approvals.decisions.append(*d);
    }
    // The seal: the approver signs in; Entra puts the digest into the signed ID token.
    graph.signInMethod =
        parser.isSet(deviceCodeOption) ? SignInMethod::DeviceCode : SignInMethod::BrowserPkce;
    QObject holder;
    auto *seal = new SealApprovalJob(graph, plan.tenantId(), flagged, approvals.decisions,
                                     approvalsPath, parser.value(approverOption), &holder);
    seal->setAutoDelete(false);
    const bool openBrowser =
        !parser.isSet(noBrowserOption) &&
        (qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY"));
    QObject::connect(seal, &SealApprovalJob::browserSignInRequested, &holder,
                     [&err, openBrowser](const QUrl &url) {
                         err << "\nSign in as the approver: " << url.toString(QUrl::FullyEncoded)
                             << "\n"
                             << Qt::flush;
                         if (openBrowser)
                             QProcess::startDetached(QStringLiteral("xdg-open"),
                                                     {url.toString(QUrl::FullyEncoded)});
                     });
    QObject::connect(seal, &SealApprovalJob::deviceCodeIssued, &holder,
                     [&err](const QString &, const QUrl &, const QString &message) {
                         err << "\n" << message << "\n" << Qt::flush;
                     });
    ConnectionOptions::waitFor(seal);
    if (seal->error() != Job::NoError) {
        err << "anchorfix approve: " << seal->errorString() << "\n";
        return Error;
    }
    approvals = seal->approvals();
    out << "Approved " << approvals.approvedCount() << " row(s), rejected "
        << approvals.decisions.size() - approvals.approvedCount() << ", by "
        << ApprovalSeal::approverText(approvals) << "; "
        << (approvals.sealed
                ? QStringLiteral("sealed by Entra ID (digest %1)").arg(approvals.digest)
                : QStringLiteral("NOT sealed (device-code sign-in)"))
        << ".\nWritten: " << approvalsPath << "\n";
    return Done;
}
