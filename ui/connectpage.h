#pragma once

#include <QPointer>
#include <QWizardPage>

class ApprovalReviewDialog;
class CheckResultsDialog;
class Job;
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class WizardContext;
struct CloudSettings;
struct OnPremSettings;

// Step 1: where the on-prem users come from (LDAP or an export file) and which tenant
// to compare them with. "Test connection" and "Sign in" run as jobs; the page is
// complete once both sides are filled in and the sign-in succeeded.
class ConnectPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit ConnectPage(WizardContext *context, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;
    bool validatePage() override;

    OnPremSettings onPremSettings() const;
    CloudSettings cloudSettings() const;
    void setOnPremSettings(const OnPremSettings &settings);
    void setCloudSettings(const CloudSettings &settings);

    // For tests and keyboard users: the same as pressing the buttons.
    void testConnection();
    void signIn();
    // Nothing configured yet: start the bundled practice tenant and fill the page.
    void tryDemo() { startDemo(); }

    // "Check an earlier run…": Check results for an audit file of an earlier run (with the
    // session signed in here), in a window of its own.
    void checkEarlierRun(const QString &auditPath);
    // "Review a plan for approval…": the second person's review of plan.csv (issue 17).
    ApprovalReviewDialog *reviewPlanForApproval(const QString &planPath);
    CheckResultsDialog *checkResultsDialog() const;

    QString onPremStatus() const;
    QString cloudStatus() const;
    QString deviceCode() const;

private:
    QWidget *buildOnPremBox();
    QWidget *buildCloudBox();
    QWidget *buildProfileRow();
    void updateVisibility();
    void onSettingsEdited();
    void onDeviceCode(const QString &userCode, const QUrl &url, const QString &message);
    void onBrowserSignIn(const QUrl &url);
    void loadProfile(const QString &name);
    void saveProfile();
    void refreshProfiles();
    void fetchSecretIfRemembered();
    QString signInKey() const;
    void startDemo();

    WizardContext *m_ctx;
    bool m_initialized = false;

    QComboBox *m_profile = nullptr;
    QWidget *m_demoBanner = nullptr;
    QLabel *m_demoText = nullptr;

    QRadioButton *m_ldapRadio = nullptr;
    QRadioButton *m_fileRadio = nullptr;
    QStackedWidget *m_onPremStack = nullptr;
    QLineEdit *m_ldapUri = nullptr;
    QLineEdit *m_bindDn = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_rememberPassword = nullptr;
    QComboBox *m_tlsMode = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_baseDn = nullptr;
    QLineEdit *m_ous = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_anchorRule = nullptr;
    QLineEdit *m_filePath = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_onPremStatus = nullptr;

    QComboBox *m_cloud = nullptr;
    QLineEdit *m_authorityUrl = nullptr;
    QLineEdit *m_graphUrl = nullptr;
    QWidget *m_endpointsRow = nullptr;
    QLineEdit *m_tenant = nullptr;
    QLineEdit *m_clientId = nullptr;
    QComboBox *m_signInMethod = nullptr;
    QLineEdit *m_clientSecret = nullptr;
    QCheckBox *m_rememberSecret = nullptr;
    QWidget *m_secretRow = nullptr;
    QPushButton *m_signInButton = nullptr;
    QWidget *m_devicePanel = nullptr;
    QLabel *m_deviceCode = nullptr;
    QLabel *m_deviceUrl = nullptr;
    QPushButton *m_copyCode = nullptr;
    QLabel *m_cloudStatus = nullptr;

    QPointer<Job> m_testJob;
    QPointer<Job> m_signInJob;
    QString m_signedInFor; // signInKey() of the successful sign-in
    QPointer<CheckResultsDialog> m_checkDialog;
};
