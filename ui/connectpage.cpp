#include "connectpage.h"

#include "approvalreviewdialog.h"

#include "checkresultsdialog.h"
#include "connectionsettings.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QWizard>

namespace {

QPushButton *browseButton(QWidget *parent, QLineEdit *target, const QString &title,
                          const QString &filter)
{
    auto *button = new QPushButton(QObject::tr("Browse…"), parent);
    button->setToolTip(title);
    QObject::connect(button, &QPushButton::clicked, parent, [=] {
        // Non-modal dialog: the wizard never runs a nested event loop.
        auto *dialog = new QFileDialog(parent, title, target->text(), filter);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        QObject::connect(dialog, &QFileDialog::fileSelected, target, &QLineEdit::setText);
        dialog->open();
    });
    return button;
}

QWidget *row(QWidget *parent, std::initializer_list<QWidget *> widgets, int stretchIndex = 0)
{
    auto *w = new QWidget(parent);
    auto *layout = new QHBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    int i = 0;
    for (QWidget *child : widgets)
        layout->addWidget(child, i++ == stretchIndex ? 1 : 0);
    return w;
}

// A form row whose field is a row of widgets: the label's mnemonic (and the accessible
// name it gives) belongs to the edit in it, not to the container.
void addRow(QFormLayout *form, const QString &label, QWidget *field, QWidget *buddy)
{
    form->addRow(label, field);
    if (auto *l = qobject_cast<QLabel *>(form->labelForField(field)))
        l->setBuddy(buddy);
    // Accessibility looks for the label among the edit's siblings only: name it here.
    buddy->setAccessibleName(QString(label).remove(u'&').remove(u':'));
}

QString statusHtml(bool ok, const QString &text)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>")
        .arg(ok ? QStringLiteral("#1b7f3b") : QStringLiteral("#b3261e"), text.toHtmlEscaped());
}

} // namespace

ConnectPage::ConnectPage(WizardContext *context, QWidget *parent)
    : QWizardPage(parent), m_ctx(context)
{
    setTitle(tr("Connect"));
    setSubTitle(tr("Choose where your on-premises users come from and sign in to the Entra ID "
                   "tenant to compare them with. Nothing is changed until the Execute step."));

    auto *layout = new QVBoxLayout(this);
    m_demoBanner = new QWidget(this);
    m_demoBanner->setObjectName(QStringLiteral("demoBanner"));
    m_demoText = new QLabel(tr("Nothing is configured yet. Try the whole flow first on the "
                               "bundled practice tenant: it runs on this computer and changes "
                               "nothing real."),
                            m_demoBanner);
    m_demoText->setWordWrap(true);
    auto *demoButton = new QPushButton(tr("Tr&y the demo"), m_demoBanner);
    demoButton->setObjectName(QStringLiteral("tryDemo"));
    demoButton->setToolTip(tr("Start the practice tenant and the demo directory export and "
                              "fill in this page."));
    connect(demoButton, &QPushButton::clicked, this, &ConnectPage::startDemo);
    auto *bannerLayout = new QHBoxLayout(m_demoBanner);
    bannerLayout->addWidget(m_demoText, 1);
    bannerLayout->addWidget(demoButton);
    m_demoBanner->hide();
    layout->addWidget(m_demoBanner);
    layout->addWidget(buildProfileRow());
    auto *columns = new QHBoxLayout;
    columns->addWidget(buildOnPremBox(), 1);
    columns->addWidget(buildCloudBox(), 1);
    layout->addLayout(columns, 1);

    connect(m_ctx->services(), &WizardServices::deviceCodeIssued, this, &ConnectPage::onDeviceCode);
    connect(m_ctx->services(), &WizardServices::browserSignInRequested, this,
            &ConnectPage::onBrowserSignIn);
}

QWidget *ConnectPage::buildProfileRow()
{
    auto *label = new QLabel(tr("&Profile:"), this);
    m_profile = new QComboBox(this);
    m_profile->setObjectName(QStringLiteral("profile"));
    m_profile->setEditable(true);
    m_profile->setInsertPolicy(QComboBox::NoInsert);
    m_profile->setMinimumContentsLength(20);
    m_profile->setToolTip(tr("Saved connection settings (never passwords or secrets). Pick one "
                             "to fill in the fields, or type a new name and press Save."));
    label->setBuddy(m_profile);
    auto *save = new QPushButton(tr("Save profile"), this);
    save->setObjectName(QStringLiteral("saveProfile"));
    save->setToolTip(tr("Remember these settings under the profile name (without secrets)."));
    connect(save, &QPushButton::clicked, this, &ConnectPage::saveProfile);
    connect(m_profile, &QComboBox::textActivated, this, &ConnectPage::loadProfile);
    auto *w = row(this, {label, m_profile, save}, 99);
    static_cast<QHBoxLayout *>(w->layout())->addStretch(1);
    auto *earlier = new QPushButton(tr("Check an earlier run…"), this);
    earlier->setObjectName(QStringLiteral("checkEarlierRun"));
    earlier->setToolTip(tr("Open the audit.csv of an earlier run and see whether the sync has "
                           "joined the users it changed (sign in to its tenant first)."));
    connect(earlier, &QPushButton::clicked, this, [this] {
        // Non-modal dialog: the wizard never runs a nested event loop.
        const QString folder = m_ctx->outputFolder().isEmpty()
                                   ? WizardContext::defaultOutputFolder()
                                   : m_ctx->outputFolder();
        auto *dialog = new QFileDialog(this, tr("Audit trail of an earlier run"), folder,
                                       tr("Audit trails (audit.csv *.csv)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, &ConnectPage::checkEarlierRun);
        dialog->open();
    });
    static_cast<QHBoxLayout *>(w->layout())->addWidget(earlier);
    auto *review = new QPushButton(tr("Review a plan for approval…"), this);
    review->setObjectName(QStringLiteral("reviewPlanForApproval"));
    review->setToolTip(tr("As the second person: open an operator's plan.csv, approve or reject "
                          "its flagged rows and seal your approval by signing in to the tenant "
                          "set below (no scan needed)."));
    connect(review, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Plan to review"), QString(), tr("Plans (*.csv)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, &ConnectPage::reviewPlanForApproval);
        dialog->open();
    });
    static_cast<QHBoxLayout *>(w->layout())->addWidget(review);
    return w;
}

CheckResultsDialog *ConnectPage::checkResultsDialog() const
{
    return m_checkDialog;
}

ApprovalReviewDialog *ConnectPage::reviewPlanForApproval(const QString &planPath)
{
    auto *dialog = new ApprovalReviewDialog(m_ctx, cloudSettings(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->openPlan(planPath);
    return dialog;
}

void ConnectPage::checkEarlierRun(const QString &auditPath)
{
    if (!m_checkDialog) {
        m_checkDialog = new CheckResultsDialog(m_ctx, this);
        m_checkDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_checkDialog->show();
    m_checkDialog->raise();
    m_checkDialog->checkAuditFile(auditPath);
}

QWidget *ConnectPage::buildOnPremBox()
{
    auto *box = new QGroupBox(tr("On-premises Active Directory"), this);
    auto *layout = new QVBoxLayout(box);
    m_ldapRadio = new QRadioButton(tr("Read from a domain controller (&LDAP)"), box);
    m_fileRadio = new QRadioButton(tr("Read an e&xport file (LDIF or CSV)"), box);
    m_ldapRadio->setChecked(true);
    m_fileRadio->setToolTip(tr("An ldifde/ldapsearch LDIF export or a CSV with objectGUID, "
                               "userPrincipalName, mail and proxyAddresses columns."));
    auto *group = new QButtonGroup(box);
    group->addButton(m_ldapRadio);
    group->addButton(m_fileRadio);
    layout->addWidget(m_ldapRadio);
    layout->addWidget(m_fileRadio);

    m_onPremStack = new QStackedWidget(box);
    auto *ldapPage = new QWidget(m_onPremStack);
    auto *form = new QFormLayout(ldapPage);
    form->setContentsMargins(0, 0, 0, 0);
    m_ldapUri = new QLineEdit(ldapPage);
    m_ldapUri->setObjectName(QStringLiteral("ldapUri"));
    m_ldapUri->setPlaceholderText(QStringLiteral("ldap://dc1.corp.example"));
    m_ldapUri->setToolTip(tr("ldap://host for StartTLS or plain LDAP, ldaps://host for LDAPS."));
    form->addRow(tr("Se&rver:"), m_ldapUri);
    m_bindDn = new QLineEdit(ldapPage);
    m_bindDn->setObjectName(QStringLiteral("bindDn"));
    m_bindDn->setPlaceholderText(QStringLiteral("svc-anchorfix@corp.example"));
    m_bindDn->setToolTip(tr("An account that may read users: a DN or user@domain. Read access "
                            "is enough; Anchorfix never writes to AD."));
    form->addRow(tr("&Bind account:"), m_bindDn);
    m_password = new QLineEdit(ldapPage);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_rememberPassword = new QCheckBox(tr("Remember in the keychain"), ldapPage);
    m_rememberPassword->setObjectName(QStringLiteral("rememberPassword"));
    m_rememberPassword->setAccessibleName(tr("Remember the LDAP password in the keychain"));
    m_rememberPassword->setToolTip(tr("Store the password in the operating system's keychain. "
                                      "It is never written to a file or the settings."));
    addRow(form, tr("Pass&word:"), row(ldapPage, {m_password, m_rememberPassword}), m_password);
    m_tlsMode = new QComboBox(ldapPage);
    m_tlsMode->setObjectName(QStringLiteral("tlsMode"));
    m_tlsMode->addItem(tr("None (test labs only)"), int(OnPremSettings::TlsMode::None));
    m_tlsMode->addItem(tr("StartTLS"), int(OnPremSettings::TlsMode::StartTls));
    m_tlsMode->addItem(tr("LDAPS"), int(OnPremSettings::TlsMode::Ldaps));
    m_tlsMode->setToolTip(tr("How to protect the connection. Use StartTLS or LDAPS with a "
                             "production domain controller."));
    form->addRow(tr("TL&S:"), m_tlsMode);
    m_caFile = new QLineEdit(ldapPage);
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("system certificate store"));
    m_caFile->setToolTip(tr("A PEM file with the CA that issued the domain controller's "
                            "certificate, if the system does not trust it."));
    addRow(form, tr("&CA file:"),
           row(ldapPage, {m_caFile, browseButton(ldapPage, m_caFile, tr("CA certificate"),
                                                 tr("Certificates (*.pem *.crt *.cer)"))}),
           m_caFile);
    m_baseDn = new QLineEdit(ldapPage);
    m_baseDn->setObjectName(QStringLiteral("baseDn"));
    m_baseDn->setPlaceholderText(QStringLiteral("DC=corp,DC=example"));
    m_baseDn->setToolTip(tr("Where the search starts: usually the domain root."));
    form->addRow(tr("Base &DN:"), m_baseDn);
    m_ous = new QLineEdit(ldapPage);
    m_ous->setObjectName(QStringLiteral("ous"));
    m_ous->setPlaceholderText(tr("all (separate several OUs with ;)"));
    m_ous->setToolTip(tr("Only scan these OUs. A scoped scan cannot tell an orphaned anchor "
                         "from a user outside the scope; such rows are marked."));
    form->addRow(tr("&OUs:"), m_ous);
    m_filter = new QLineEdit(ldapPage);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(QStringLiteral("(&(objectCategory=person)(objectClass=user))"));
    m_filter->setToolTip(tr("An extra LDAP filter; empty scans every user that is not a "
                            "critical system object."));
    form->addRow(tr("&Filter:"), m_filter);
    m_anchorRule = new QComboBox(ldapPage);
    m_anchorRule->setObjectName(QStringLiteral("anchorRule"));
    m_anchorRule->addItem(tr("mS-DS-ConsistencyGuid, else objectGUID (Entra Connect default)"),
                          int(AnchorRule::ConsistencyGuidElseObjectGuid));
    m_anchorRule->addItem(QStringLiteral("objectGUID"), int(AnchorRule::ObjectGuid));
    m_anchorRule->addItem(QStringLiteral("mS-DS-ConsistencyGuid"),
                          int(AnchorRule::ConsistencyGuid));
    m_anchorRule->setToolTip(tr("The source anchor your Entra Connect or Cloud Sync uses."));
    form->addRow(tr("Anc&hor:"), m_anchorRule);
    m_onPremStack->addWidget(ldapPage);

    auto *filePage = new QWidget(m_onPremStack);
    auto *fileForm = new QFormLayout(filePage);
    fileForm->setContentsMargins(0, 0, 0, 0);
    m_filePath = new QLineEdit(filePage);
    m_filePath->setObjectName(QStringLiteral("filePath"));
    m_filePath->setToolTip(m_fileRadio->toolTip());
    addRow(fileForm, tr("F&ile:"),
           row(filePage, {m_filePath, browseButton(filePage, m_filePath, tr("Export file"),
                                                   tr("Exports (*.ldif *.ldf *.csv)"))}),
           m_filePath);
    m_onPremStack->addWidget(filePage);
    layout->addWidget(m_onPremStack);

    m_testButton = new QPushButton(tr("&Test connection"), box);
    m_testButton->setObjectName(QStringLiteral("testConnection"));
    m_testButton->setToolTip(tr("Bind with these settings and read the base entry."));
    connect(m_testButton, &QPushButton::clicked, this, &ConnectPage::testConnection);
    m_onPremStatus = new QLabel(box);
    m_onPremStatus->setObjectName(QStringLiteral("onPremStatus"));
    m_onPremStatus->setWordWrap(true);
    m_onPremStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(row(box, {m_testButton, m_onPremStatus}, 1));
    layout->addStretch(1);

    connect(m_ldapRadio, &QRadioButton::toggled, this, &ConnectPage::updateVisibility);
    // A result (or an error) was about the other source: it no longer applies.
    connect(m_ldapRadio, &QRadioButton::toggled, m_onPremStatus, &QLabel::clear);
    for (QLineEdit *edit :
         {m_ldapUri, m_bindDn, m_password, m_caFile, m_baseDn, m_ous, m_filter, m_filePath})
        connect(edit, &QLineEdit::textChanged, this, &ConnectPage::onSettingsEdited);
    connect(m_ldapRadio, &QRadioButton::toggled, this, &ConnectPage::onSettingsEdited);
    return box;
}

QWidget *ConnectPage::buildCloudBox()
{
    auto *box = new QGroupBox(tr("Entra ID tenant"), this);
    auto *layout = new QVBoxLayout(box);
    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    m_cloud = new QComboBox(box);
    m_cloud->setObjectName(QStringLiteral("cloud"));
    for (auto c :
         {CloudSettings::Cloud::Global, CloudSettings::Cloud::UsGov, CloudSettings::Cloud::UsGovDoD,
          CloudSettings::Cloud::China, CloudSettings::Cloud::Custom})
        m_cloud->addItem(CloudSettings::cloudTitle(c), int(c));
    m_cloud->setToolTip(tr("The Microsoft cloud your tenant lives in."));
    form->addRow(tr("Clo&ud:"), m_cloud);
    m_authorityUrl = new QLineEdit(box);
    m_authorityUrl->setObjectName(QStringLiteral("authorityUrl"));
    m_authorityUrl->setToolTip(tr("Sign-in endpoint, scheme and host only."));
    m_graphUrl = new QLineEdit(box);
    m_graphUrl->setObjectName(QStringLiteral("graphUrl"));
    m_graphUrl->setToolTip(tr("Microsoft Graph endpoint, scheme and host only."));
    m_endpointsRow = new QWidget(box);
    auto *endpoints = new QFormLayout(m_endpointsRow);
    endpoints->setContentsMargins(0, 0, 0, 0);
    endpoints->addRow(tr("Sign-in endpoint:"), m_authorityUrl);
    endpoints->addRow(tr("Graph endpoint:"), m_graphUrl);
    form->addRow(m_endpointsRow);
    m_tenant = new QLineEdit(box);
    m_tenant->setObjectName(QStringLiteral("tenant"));
    m_tenant->setPlaceholderText(QStringLiteral("contoso.onmicrosoft.com"));
    m_tenant->setToolTip(tr("The tenant id (a GUID) or one of its verified domains."));
    form->addRow(tr("Ten&ant:"), m_tenant);
    m_clientId = new QLineEdit(box);
    m_clientId->setObjectName(QStringLiteral("clientId"));
    m_clientId->setToolTip(tr("The application (client) id of the app registration Anchorfix "
                              "signs in with. It needs User.Read.All to scan and "
                              "User.ReadWrite.All to execute."));
    form->addRow(tr("Cli&ent id:"), m_clientId);
    m_signInMethod = new QComboBox(box);
    m_signInMethod->setObjectName(QStringLiteral("signInMethod"));
    m_signInMethod->addItem(tr("Device code (sign in on any device)"),
                            int(CloudSettings::SignIn::DeviceCode));
    m_signInMethod->addItem(tr("Browser on this computer"), int(CloudSettings::SignIn::Browser));
    m_signInMethod->addItem(tr("Application secret"), int(CloudSettings::SignIn::ClientSecret));
    m_signInMethod->setToolTip(tr("Device code and browser sign in as you; an application "
                                  "secret signs in as the app (unattended runs)."));
    form->addRow(tr("Sign-in &method:"), m_signInMethod);
    m_clientSecret = new QLineEdit(box);
    m_clientSecret->setObjectName(QStringLiteral("clientSecret"));
    m_clientSecret->setEchoMode(QLineEdit::Password);
    m_rememberSecret = new QCheckBox(tr("Remember in the keychain"), box);
    m_rememberSecret->setToolTip(m_rememberPassword->toolTip());
    m_rememberSecret->setAccessibleName(tr("Remember the secret in the keychain"));
    m_secretRow = row(box, {m_clientSecret, m_rememberSecret});
    addRow(form, tr("Secret &value:"), m_secretRow, m_clientSecret);
    layout->addLayout(form);

    m_signInButton = new QPushButton(tr("Si&gn in"), box);
    m_signInButton->setObjectName(QStringLiteral("signIn"));
    m_signInButton->setToolTip(tr("Sign in to the tenant. Scanning only reads; the rights to "
                                  "write are used in the Execute step."));
    connect(m_signInButton, &QPushButton::clicked, this, &ConnectPage::signIn);
    m_cloudStatus = new QLabel(box);
    m_cloudStatus->setObjectName(QStringLiteral("cloudStatus"));
    m_cloudStatus->setWordWrap(true);
    m_cloudStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(row(box, {m_signInButton, m_cloudStatus}, 1));

    m_devicePanel = new QWidget(box);
    auto *deviceLayout = new QVBoxLayout(m_devicePanel);
    deviceLayout->setContentsMargins(0, 0, 0, 0);
    m_deviceUrl = new QLabel(m_devicePanel);
    m_deviceUrl->setOpenExternalLinks(true);
    m_deviceUrl->setWordWrap(true);
    m_deviceCode = new QLabel(m_devicePanel);
    m_deviceCode->setObjectName(QStringLiteral("deviceCode"));
    m_deviceCode->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    QFont big = m_deviceCode->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    big.setFamily(QStringLiteral("monospace"));
    m_deviceCode->setFont(big);
    m_copyCode = new QPushButton(tr("Copy code"), m_devicePanel);
    m_copyCode->setObjectName(QStringLiteral("copyCode"));
    m_copyCode->setToolTip(
        tr("Copy the code to the clipboard, then paste it on the sign-in page."));
    connect(m_copyCode, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_deviceCode->text()); });
    deviceLayout->addWidget(m_deviceUrl);
    deviceLayout->addWidget(row(m_devicePanel, {m_deviceCode, m_copyCode}, 0));
    m_devicePanel->hide();
    layout->addWidget(m_devicePanel);
    layout->addStretch(1);

    connect(m_cloud, &QComboBox::currentIndexChanged, this, [this] {
        const auto cloud = CloudSettings::Cloud(m_cloud->currentData().toInt());
        if (cloud != CloudSettings::Cloud::Custom) {
            m_authorityUrl->setText(CloudSettings::authorityFor(cloud).toString());
            m_graphUrl->setText(CloudSettings::graphFor(cloud).toString());
        }
        updateVisibility();
    });
    connect(m_signInMethod, &QComboBox::currentIndexChanged, this, &ConnectPage::updateVisibility);
    connect(m_signInMethod, &QComboBox::currentIndexChanged, this, &ConnectPage::onSettingsEdited);
    for (QLineEdit *edit : {m_authorityUrl, m_graphUrl, m_tenant, m_clientId, m_clientSecret})
        connect(edit, &QLineEdit::textChanged, this, &ConnectPage::onSettingsEdited);
    return box;
}

void ConnectPage::initializePage()
{
    if (m_initialized)
        return;
    m_initialized = true;
    refreshProfiles();
    setOnPremSettings(m_ctx->onPremSettings());
    setCloudSettings(m_ctx->cloudSettings());
    if (m_ctx->isDemo()) {
        m_onPremStatus->setText(tr("Demo: the bundled directory export is pre-selected."));
        m_cloudStatus->setText(tr("Demo: the practice tenant runs on this computer. "
                                  "Press Sign in."));
    }
    const OnPremSettings onPrem = m_ctx->onPremSettings();
    const bool nothingConfigured = m_ctx->cloudSettings().tenant.isEmpty() &&
                                   onPrem.ldapUri.isEmpty() && onPrem.filePath.isEmpty();
    m_demoBanner->setVisible(!m_ctx->isDemo() && nothingConfigured);
    fetchSecretIfRemembered();
    updateVisibility();
}

void ConnectPage::startDemo()
{
    OnPremSettings onPrem;
    CloudSettings cloud;
    QString output;
    if (const QString error = m_ctx->services()->startDemo(&onPrem, &cloud, &output);
        !error.isEmpty()) {
        m_demoText->setText(statusHtml(false, error));
        return;
    }
    m_ctx->setDemo(true);
    if (!output.isEmpty())
        m_ctx->setOutputFolder(output);
    m_ctx->setOnPremSettings(onPrem);
    m_ctx->setCloudSettings(cloud);
    setOnPremSettings(onPrem);
    setCloudSettings(cloud);
    m_demoBanner->hide();
    m_onPremStatus->setText(tr("Demo: the bundled directory export is pre-selected."));
    m_cloudStatus->setText(tr("Demo: the practice tenant runs on this computer. Press Sign in."));
    if (wizard())
        wizard()->setWindowTitle(tr("Anchorfix — demo (practice tenant)"));
    m_signInButton->setFocus();
}

void ConnectPage::updateVisibility()
{
    const bool ldap = m_ldapRadio->isChecked();
    m_onPremStack->setCurrentIndex(ldap ? 0 : 1);
    // Only the visible source's fields take room.
    for (int i = 0; i < m_onPremStack->count(); ++i)
        m_onPremStack->widget(i)->setSizePolicy(
            QSizePolicy::Preferred,
            i == m_onPremStack->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    m_onPremStack->adjustSize();
    m_testButton->setText(ldap ? tr("&Test connection") : tr("&Test file"));
    const bool custom =
        CloudSettings::Cloud(m_cloud->currentData().toInt()) == CloudSettings::Cloud::Custom;
    m_endpointsRow->setEnabled(custom);
    const bool secret = CloudSettings::SignIn(m_signInMethod->currentData().toInt()) ==
                        CloudSettings::SignIn::ClientSecret;
    m_secretRow->setEnabled(secret);
}

OnPremSettings ConnectPage::onPremSettings() const
{
    OnPremSettings s;
    s.source =
        m_ldapRadio->isChecked() ? OnPremSettings::Source::Ldap : OnPremSettings::Source::File;
    s.ldapUri = m_ldapUri->text().trimmed();
    s.bindDn = m_bindDn->text().trimmed();
    s.password = m_password->text();
    s.rememberPassword = m_rememberPassword->isChecked();
    s.tlsMode = OnPremSettings::TlsMode(m_tlsMode->currentData().toInt());
    s.caFile = m_caFile->text().trimmed();
    s.baseDn = m_baseDn->text().trimmed();
    for (const QString &ou : m_ous->text().split(u';', Qt::SkipEmptyParts))
        if (!ou.trimmed().isEmpty())
            s.ous.append(ou.trimmed());
    s.filter = m_filter->text().trimmed();
    s.anchorRule = AnchorRule(m_anchorRule->currentData().toInt());
    s.filePath = m_filePath->text().trimmed();
    return s;
}

void ConnectPage::setOnPremSettings(const OnPremSettings &s)
{
    (s.source == OnPremSettings::Source::File ? m_fileRadio : m_ldapRadio)->setChecked(true);
    m_ldapUri->setText(s.ldapUri);
    m_bindDn->setText(s.bindDn);
    if (!s.password.isEmpty())
        m_password->setText(s.password);
    m_rememberPassword->setChecked(s.rememberPassword);
    m_tlsMode->setCurrentIndex(m_tlsMode->findData(int(s.tlsMode)));
    m_caFile->setText(s.caFile);
    m_baseDn->setText(s.baseDn);
    m_ous->setText(s.ous.join(QStringLiteral("; ")));
    m_filter->setText(s.filter);
    m_anchorRule->setCurrentIndex(m_anchorRule->findData(int(s.anchorRule)));
    m_filePath->setText(s.filePath);
    updateVisibility();
}

CloudSettings ConnectPage::cloudSettings() const
{
    CloudSettings s;
    s.cloud = CloudSettings::Cloud(m_cloud->currentData().toInt());
    s.authorityUrl = QUrl(m_authorityUrl->text().trimmed());
    s.graphUrl = QUrl(m_graphUrl->text().trimmed());
    s.tenant = m_tenant->text().trimmed();
    s.clientId = m_clientId->text().trimmed();
    s.signIn = CloudSettings::SignIn(m_signInMethod->currentData().toInt());
    s.clientSecret = m_clientSecret->text();
    s.rememberSecret = m_rememberSecret->isChecked();
    return s;
}

void ConnectPage::setCloudSettings(const CloudSettings &s)
{
    m_cloud->setCurrentIndex(m_cloud->findData(int(s.cloud)));
    m_authorityUrl->setText(s.authorityUrl.toString());
    m_graphUrl->setText(s.graphUrl.toString());
    m_tenant->setText(s.tenant);
    m_clientId->setText(s.clientId);
    m_signInMethod->setCurrentIndex(m_signInMethod->findData(int(s.signIn)));
    if (!s.clientSecret.isEmpty())
        m_clientSecret->setText(s.clientSecret);
    m_rememberSecret->setChecked(s.rememberSecret);
    updateVisibility();
}

QString ConnectPage::signInKey() const
{
    const CloudSettings s = cloudSettings();
    return s.authorityUrl.toString() + u'|' + s.graphUrl.toString() + u'|' + s.tenant + u'|' +
           s.clientId + u'|' + QString::number(int(s.signIn));
}

void ConnectPage::onSettingsEdited()
{
    if (!m_signedInFor.isEmpty() && m_signedInFor != signInKey()) {
        m_signedInFor.clear();
        m_cloudStatus->setText(tr("The tenant settings changed: sign in again."));
    }
    emit completeChanged();
}

bool ConnectPage::isComplete() const
{
    return onPremSettings().validate().isEmpty() && cloudSettings().validate().isEmpty() &&
           !m_signedInFor.isEmpty() && m_signedInFor == signInKey() && !m_signInJob;
}

void ConnectPage::testConnection()
{
    if (m_testJob)
        return;
    const OnPremSettings s = onPremSettings();
    if (const QString problem = s.validate(false); !problem.isEmpty()) {
        m_onPremStatus->setText(statusHtml(false, problem));
        return;
    }
    m_onPremStatus->setText(tr("Connecting…"));
    m_testButton->setEnabled(false);
    auto *job = m_ctx->services()->testOnPremConnection(s);
    m_testJob = job;
    connect(job, &Job::finished, this, [this, job] {
        m_testButton->setEnabled(true);
        if (job->error() != Job::NoError) {
            m_onPremStatus->setText(statusHtml(false, job->errorString()));
            return;
        }
        const ConnectionCheck check = job->value();
        // A file is read, not connected to.
        const bool file = !m_ldapRadio->isChecked();
        QString text = check.summary.isEmpty() ? (file ? tr("Read.") : tr("Connected."))
                       : file                  ? tr("Read: %1.").arg(check.summary)
                                               : tr("Connected: %1.").arg(check.summary);
        if (!check.baseDn.isEmpty()) {
            text += u' ' + tr("The domain's base DN is %1.").arg(check.baseDn);
            if (m_baseDn->text().trimmed().isEmpty())
                m_baseDn->setText(check.baseDn);
        }
        m_onPremStatus->setText(statusHtml(true, text));
    });
    connect(job, &Job::infoMessage, m_onPremStatus, &QLabel::setText);
    job->start();
}

void ConnectPage::signIn()
{
    if (m_signInJob) {
        m_signInJob->cancel(); // the button reads "Cancel sign-in" meanwhile
        return;
    }
    const CloudSettings s = cloudSettings();
    if (const QString problem = s.validate(); !problem.isEmpty()) {
        m_cloudStatus->setText(statusHtml(false, problem));
        return;
    }
    m_signedInFor.clear();
    m_cloudStatus->setText(tr("Signing in…"));
    m_signInButton->setText(tr("Cancel si&gn-in"));
    Job *job = m_ctx->services()->signIn(s);
    m_signInJob = job;
    const QString key = signInKey();
    connect(job, &Job::finished, this, [this, key](Job *j) {
        m_signInButton->setText(tr("Si&gn in"));
        m_devicePanel->hide();
        if (j->error() == Job::NoError) {
            m_signedInFor = key;
            // A note on success: the refresh token could not go to the keychain.
            m_cloudStatus->setText(statusHtml(
                true, j->errorString().isEmpty() ? tr("Signed in.")
                                                 : tr("Signed in. %1").arg(j->errorString())));
        } else {
            m_cloudStatus->setText(statusHtml(
                false, j->error() == Job::Cancelled ? tr("Sign-in cancelled.") : j->errorString()));
        }
        m_signInJob = nullptr;
        emit completeChanged();
    });
    connect(job, &Job::infoMessage, m_cloudStatus, &QLabel::setText);
    emit completeChanged();
    job->start();
}

void ConnectPage::onDeviceCode(const QString &userCode, const QUrl &url, const QString &message)
{
    m_deviceCode->setText(userCode);
    m_deviceUrl->setText(tr("Open <a href=\"%1\">%1</a> on any device and enter this code:")
                             .arg(url.toString().toHtmlEscaped()));
    m_deviceUrl->setToolTip(message);
    m_devicePanel->show();
    m_cloudStatus->setText(tr("Waiting for the code to be entered…"));
    m_copyCode->setFocus();
}

void ConnectPage::onBrowserSignIn(const QUrl &url)
{
    m_cloudStatus->setText(tr("Finish the sign-in in your browser. If it did not open, "
                              "<a href=\"%1\">open this link</a>.")
                               .arg(url.toString().toHtmlEscaped()));
    m_cloudStatus->setOpenExternalLinks(true);
    QDesktopServices::openUrl(url);
}

bool ConnectPage::validatePage()
{
    const OnPremSettings onPrem = onPremSettings();
    const CloudSettings cloud = cloudSettings();
    m_ctx->setOnPremSettings(onPrem);
    m_ctx->setCloudSettings(cloud);
    if (!m_ctx->isDemo()) {
        // The last used settings, without secrets.
        onPrem.save(*m_ctx->settings());
        cloud.save(*m_ctx->settings());
    }
    // The keychain may be unavailable: the secret is then kept for this session only, and
    // the page says so (visible when coming back to it).
    const auto remember = [this](const SecretRef &ref, const QString &secret, QLabel *status) {
        auto *job = m_ctx->services()->writeSecret(ref, secret);
        connect(job, &Job::finished, status, [job, status] {
            if (job->error() != Job::NoError)
                status->setText(statusHtml(false, job->errorString()));
            else if (!job->value().isEmpty())
                status->setText(statusHtml(false, job->value()));
        });
        job->start();
    };
    if (onPrem.rememberPassword && onPrem.source == OnPremSettings::Source::Ldap)
        remember(SecretRef::ldapPassword(onPrem.ldapUri, onPrem.bindDn), onPrem.password,
                 m_onPremStatus);
    if (cloud.rememberSecret && cloud.signIn == CloudSettings::SignIn::ClientSecret)
        remember(SecretRef::clientSecret(cloud.tenant, cloud.clientId), cloud.clientSecret,
                 m_cloudStatus);
    return true;
}

void ConnectPage::fetchSecretIfRemembered()
{
    const OnPremSettings onPrem = onPremSettings();
    if (onPrem.rememberPassword && m_password->text().isEmpty() && !onPrem.bindDn.isEmpty()) {
        auto *job =
            m_ctx->services()->readSecret(SecretRef::ldapPassword(onPrem.ldapUri, onPrem.bindDn));
        connect(job, &Job::finished, this, [this, job] {
            if (job->error() == Job::NoError && m_password->text().isEmpty())
                m_password->setText(job->value());
            else if (job->error() != Job::NoError)
                m_onPremStatus->setText(statusHtml(false, job->errorString()));
        });
        job->start();
    }
    const CloudSettings cloud = cloudSettings();
    if (cloud.rememberSecret && cloud.signIn == CloudSettings::SignIn::ClientSecret &&
        m_clientSecret->text().isEmpty()) {
        auto *job =
            m_ctx->services()->readSecret(SecretRef::clientSecret(cloud.tenant, cloud.clientId));
        connect(job, &Job::finished, this, [this, job] {
            if (job->error() == Job::NoError && m_clientSecret->text().isEmpty())
                m_clientSecret->setText(job->value());
        });
        job->start();
    }
}

void ConnectPage::refreshProfiles()
{
    QSettings *s = m_ctx->settings();
    s->beginGroup(QStringLiteral("profiles"));
    const QStringList names = s->childGroups();
    s->endGroup();
    const QString current = m_profile->currentText();
    m_profile->clear();
    m_profile->addItems(names);
    m_profile->setCurrentText(current);
}

void ConnectPage::loadProfile(const QString &name)
{
    QSettings *s = m_ctx->settings();
    s->beginGroup(u"profiles/" + name);
    const bool exists = !s->childGroups().isEmpty();
    const OnPremSettings onPrem = OnPremSettings::load(*s);
    const CloudSettings cloud = CloudSettings::load(*s);
    s->endGroup();
    if (!exists)
        return;
    setOnPremSettings(onPrem);
    setCloudSettings(cloud);
    fetchSecretIfRemembered();
}

void ConnectPage::saveProfile()
{
    const QString name = m_profile->currentText().trimmed().remove(u'/').remove(u'\\');
    if (name.isEmpty()) {
        m_profile->setFocus();
        m_profile->setToolTip(tr("Type a name for the profile first."));
        return;
    }
    QSettings *s = m_ctx->settings();
    s->beginGroup(u"profiles/" + name);
    onPremSettings().save(*s);
    cloudSettings().save(*s);
    s->endGroup();
    refreshProfiles();
    m_profile->setCurrentText(name);
}

QString ConnectPage::onPremStatus() const
{
    return m_onPremStatus->text();
}

QString ConnectPage::cloudStatus() const
{
    return m_cloudStatus->text();
}

QString ConnectPage::deviceCode() const
{
    return m_devicePanel->isVisible() || !m_deviceCode->text().isEmpty() ? m_deviceCode->text()
                                                                         : QString();
}
