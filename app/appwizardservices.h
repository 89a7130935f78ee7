#pragma once

#include "graphconfig.h"
#include "jwkscache.h"
#include "wizardservices.h"

#include <QPointer>

class CloudSession;
class CloudWriter;
class DemoEnvironment;
class CredentialStore;
class PracticeTenant;

// WizardServices on the real services: LDAP (services/onprem), Microsoft Graph and
// sign-in (services/cloud), the executor and rollback (services/execution). With a
// practice tenant set (--demo and the tests), device codes it issues are approved by
// the practice tenant itself after a short pause, so the demo needs no browser.
class AppWizardServices : public WizardServices
{
    Q_OBJECT
public:
    explicit AppWizardServices(QObject *parent = nullptr);
    ~AppWizardServices() override;

    void setPracticeTenant(PracticeTenant *tenant, int autoApproveDelayMs = 1500);

    ValueJob<ConnectionCheck> *testOnPremConnection(const OnPremSettings &settings) override;
    ValueJob<OnPremScan> *scanOnPrem(const OnPremSettings &settings) override;
    Job *signIn(const CloudSettings &settings) override;
    bool isSignedIn() const override;
    ValueJob<CloudScan> *scanCloud(const CloudSettings &settings) override;
    RunPreview previewRun(const Plan &plan) const override;
    ValueJob<ApprovalGate> *checkApprovals(const Plan &plan, const QString &planPath,
                                           bool requireSealed) override;
    ExecutionRun *execute(const Plan &plan, const CloudSnapshot &snapshot, const RunFiles &files,
                          const OnPremSettings &onPrem, const ApprovalGate &gate) override;
    // The Set-ADUser script of on-prem rows that cannot run (an export file as source).
    static QString adScript(const QList<Finding> &rows, const QString &exportFile);
    ExecutionRun *rollback(const RunFiles &files, const OnPremSettings &onPrem) override;
    Job *savePlan(const Plan &plan, const QString &path) override;
    ValueJob<Plan> *loadPlan(const QString &path) override;
    ValueJob<Approvals> *sealApproval(const CloudSettings &settings, const Plan &plan,
                                      const QList<ApprovalDecision> &decisions,
                                      const QString &planPath, const QString &approver) override;
    ValueJob<ResultCheck> *checkResults(const QString &auditPath) override;
    bool canSimulateSync() const override;
    Job *simulateSync() override;
    ValueJob<QString> *readSecret(const SecretRef &secret) override;
    ValueJob<QString> *writeSecret(const SecretRef &ref, const QString &secret) override;
    QString operatorName() const override;
    QString startDemo(OnPremSettings *onPrem, CloudSettings *cloud, QString *outputFolder) override;
    PracticeTenant *practiceTenant() const;

    // Gets User.ReadWrite.All for the signed-in session (execute() and rollback() run it
    // before sending anything): silently through the refresh token, else an interactive
    // sign-in whose device code the job reports as an info message.
    Job *requestWriteAccess();

    static GraphConfig graphConfigFor(const CloudSettings &settings);
    CredentialStore *credentialStore() const { return m_store; }
    // The signed-in session: identity, granted permissions, tenant facts.
    CloudSession *cloudSession() const { return m_session; }

private:
    friend class SignInRun;
    CloudWriter *cloudWriter();

    CredentialStore *m_store;
    CloudSession *m_session;
    DemoEnvironment *m_demo = nullptr;
    CloudWriter *m_writer = nullptr;
    QPointer<PracticeTenant> m_practice;
    int m_autoApproveDelayMs = 1500;
    CloudSnapshot m_lastCloudScan; // its delta link makes "Scan again" read only changes
    JwksCache m_keys;              // the tenant's published keys, for the approval seal
};
