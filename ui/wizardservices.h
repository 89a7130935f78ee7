#pragma once

#include "approvalgate.h"
#include "approvals.h"
#include "auditvocabulary.h"
#include "clouduser.h"
#include "connectionsettings.h"
#include "plan.h"
#include "runfiles.h"
#include "scanresult.h"
#include "valuejob.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QUrl>

#include <algorithm>

class ExecutionRun;

// What "Test connection" found.
struct ConnectionCheck
{
    QString summary; // "dc1.corp.example" or "42 users in the file"
    QString baseDn;  // the domain's defaultNamingContext (LDAP), to offer as base DN
};

// Which secret the wizard keeps in the keychain. The services turn it into the
// keychain name the command line reads too (CredentialStore), so both find it.
struct SecretRef
{
    enum class Kind { LdapPassword, ClientSecret };
    Kind kind = Kind::LdapPassword;
    QString server;  // LDAP URI, or the tenant
    QString account; // bind DN, or the client id

    static SecretRef ldapPassword(const QString &ldapUri, const QString &bindDn)
    {
        return {Kind::LdapPassword, ldapUri, bindDn};
    }
    static SecretRef clientSecret(const QString &tenant, const QString &clientId)
    {
        return {Kind::ClientSecret, tenant, clientId};
    }
};

// What the Execute confirm step names before anything is sent.
struct RunPreview
{
    QString tenant;               // "Contoso (contoso.onmicrosoft.com)"
    QString account;              // who makes the changes: a UPN, or app:<client id> (<name>)
    QStringList unpermitted;      // rows the permission pre-flight leaves out, one line each
    QList<int> unpermittedRowIds; // the same rows, by row_id
};

// One change of a run and what the tenant shows for it now (the "Check results" step,
// `anchorfix verify`): one row the check appended to the audit trail.
struct CheckedChange
{
    QString user; // the cloud UPN (its object id when the audit has none)
    AuditAction action = AuditAction::Unrecognised; // the change checked
    AuditResult result = AuditResult::Unrecognised; // Joined, WaitingForSync or SyncError
    QString message; // why: the last and next sync, or the text of the sync error
};

// What a check of one audit trail found.
struct ResultCheck
{
    QString auditPath;
    QList<CheckedChange> changes;
    QDateTime tenantLastSync; // the tenant's onPremisesLastSyncDateTime; invalid: none
    int syncIntervalMinutes = 30;
    int count(AuditResult result) const
    {
        return int(std::count_if(changes.cbegin(), changes.cend(),
                                 [result](const CheckedChange &c) { return c.result == result; }));
    }
};

// Everything the wizard asks of the outside world, as jobs. app/ implements it on the
// real services (LDAP, Graph, keychain, executor); tests point it at the practice
// tenant and the Samba DC. Every method returns a job that has not started yet; the
// caller connects to finished() and calls start().
class WizardServices : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Binds with the settings and reads the rootDSE (LDAP; no base DN needed), or reads
    // the export file; finishes with what it found or a message that says what to fix.
    virtual ValueJob<ConnectionCheck> *testOnPremConnection(const OnPremSettings &settings) = 0;
    virtual ValueJob<OnPremScan> *scanOnPrem(const OnPremSettings &settings) = 0;

    // Signs in to the tenant. Device code: emits deviceCodeIssued() while it waits;
    // browser: emits browserSignInRequested() with the URL to open.
    virtual Job *signIn(const CloudSettings &settings) = 0;
    virtual bool isSignedIn() const = 0;
    virtual ValueJob<CloudScan> *scanCloud(const CloudSettings &settings) = 0;

    // The tenant, the signed-in account and the rows the token may not carry out.
    virtual RunPreview previewRun(const Plan &plan) const = 0;
    // The approval gate before a run (issue 17), the one `anchorfix apply` uses: reads
    // plan.approvals.json beside planPath (empty: a plan from a scan, so none), checks its
    // seal against the signed-in tenant (its published keys: the network) and the operator,
    // and decides each flagged row of plan; requireSealed is the policy "flagged rows need a
    // second person's sealed approval". The value is the gate; an approvals file that
    // cannot be read fails the job (and nothing may run).
    virtual ValueJob<ApprovalGate> *checkApprovals(const Plan &plan, const QString &planPath,
                                                   bool requireSealed) = 0;
    // Runs the executable rows of the plan against the signed-in tenant (without the
    // rows the permission pre-flight leaves out: nothing is sent for them). onPrem is the
    // Connect page's on-prem side: with an export file there is no directory to write to,
    // so on-prem rows (adopt_cloud_anchor) do not run and their Set-ADUser commands are
    // saved as files.adScript instead; with a directory, its bind (the Execute page's write
    // bind) writes them. gate: checkApprovals() right before; the rows it refuses do not
    // run, and the audit gets one row per flagged row first, as apply writes them.
    virtual ExecutionRun *execute(const Plan &plan, const CloudSnapshot &snapshot,
                                  const RunFiles &files, const OnPremSettings &onPrem,
                                  const ApprovalGate &gate) = 0;
    // Replays a rollback.csv; its on-prem rows are written back with onPrem's bind (the
    // one the run wrote with).
    virtual ExecutionRun *rollback(const RunFiles &files, const OnPremSettings &onPrem) = 0;

    // Check results: re-reads every user the audit trail says was changed (with the
    // signed-in session) and appends one row per change to it (DESIGN.md §5, verify).
    virtual ValueJob<ResultCheck> *checkResults(const QString &auditPath) = 0;
    // The practice tenant only (--demo, training, tests): runs one simulated Entra Connect
    // sync cycle of the demo directory (POST /_practice/sync), so Check results has
    // something to see. canSimulateSync() is false against a real tenant.
    virtual bool canSimulateSync() const = 0;
    virtual Job *simulateSync() = 0;

    // plan.csv, read and written off the GUI thread. savePlan replaces the file
    // atomically; loadPlan's value is the plan read. On error, errorString() names the
    // file and says what to do (for a broken file: the line and column).
    virtual Job *savePlan(const Plan &plan, const QString &path) = 0;
    // The approver's side of a second-person approval (issue 17): signs in to the tenant of
    // settings with the browser (login_hint = approver, may be empty) so that the ID token
    // seals the decisions on plan's flagged rows, and writes plan.approvals.json beside
    // planPath. The value is what was written.
    virtual ValueJob<Approvals> *sealApproval(const CloudSettings &settings, const Plan &plan,
                                              const QList<ApprovalDecision> &decisions,
                                              const QString &planPath, const QString &approver) = 0;
    virtual ValueJob<Plan> *loadPlan(const QString &path) = 0;

    // Secrets in the OS keychain (with a timeout: on failure the secret is kept for
    // this session only and the job's errorString() says so).
    // writeSecret's value is that note (empty when the keychain took it).
    // Only called when the person ticked "Remember in the keychain": nothing else touches it.
    virtual ValueJob<QString> *readSecret(const SecretRef &secret) = 0;
    virtual ValueJob<QString> *writeSecret(const SecretRef &ref, const QString &secret) = 0;

    // Who runs the change, for the audit trail.
    virtual QString operatorName() const = 0;

    // Starts the bundled practice tenant and demo directory (fast, local) and fills in
    // the settings that reach them; outputFolder is left empty unless the demo needs its
    // own. Empty on success, else what went wrong.
    virtual QString startDemo(OnPremSettings *onPrem, CloudSettings *cloud,
                              QString *outputFolder) = 0;

Q_SIGNALS:
    void deviceCodeIssued(const QString &userCode, const QUrl &verificationUrl,
                          const QString &message);
    void browserSignInRequested(const QUrl &url);
};
