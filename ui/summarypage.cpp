#include "summarypage.h"

#include "checkresultspanel.h"
#include "executionrun.h"
#include "findingtablemodel.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QColor>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

SummaryPage::SummaryPage(WizardContext *context, QWidget *parent)
    : QWizardPage(parent), m_ctx(context)
{
    setTitle(tr("Summary"));
    setSubTitle(tr("What was changed in Entra ID, and what was not and why. From here: check "
                   "whether the next sync joined the changed users, retry "
                   "the failed rows, scan again for a new plan, or roll a run back."));
    setFinalPage(true);

    auto *layout = new QVBoxLayout(this);
    m_runRow = new QWidget(this);
    auto *runLayout = new QHBoxLayout(m_runRow);
    runLayout->setContentsMargins(0, 0, 0, 0);
    auto *runLabel = new QLabel(tr("R&un:"), m_runRow);
    m_runSelector = new QComboBox(m_runRow);
    m_runSelector->setObjectName(QStringLiteral("runSelector"));
    m_runSelector->setToolTip(tr("Every run of this session, with its own files and rollback."));
    m_runSelector->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    runLabel->setBuddy(m_runSelector);
    runLayout->addWidget(runLabel);
    runLayout->addWidget(m_runSelector);
    runLayout->addStretch(1);
    connect(m_runSelector, &QComboBox::activated, this, &SummaryPage::showRun);
    m_runRow->hide();
    layout->addWidget(m_runRow);

    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("headline"));
    m_headline->setWordWrap(true);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_headline);

    m_outcomes = new QTableWidget(0, 4, this);
    m_outcomes->setObjectName(QStringLiteral("outcomes"));
    m_outcomes->setAccessibleName(tr("Results of the run"));
    m_outcomes->setHorizontalHeaderLabels({tr("User"), tr("Action"), tr("Result"), tr("Why")});
    m_outcomes->horizontalHeader()->setStretchLastSection(true);
    m_outcomes->verticalHeader()->hide();
    m_outcomes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_outcomes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_outcomes->setColumnWidth(0, 220);
    m_outcomes->setColumnWidth(1, 220);
    m_outcomes->setColumnWidth(2, 150);
    layout->addWidget(m_outcomes, 1);

    auto *files = new QHBoxLayout;
    m_openAudit = new QPushButton(tr("Open &audit trail"), this);
    m_openAudit->setObjectName(QStringLiteral("openAudit"));
    m_openAudit->setToolTip(tr("audit.csv: one line per attempted change, with its result and "
                               "Graph request-id."));
    connect(m_openAudit, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            openFile(m_ctx->runs().at(m_shown).files.auditCsv);
    });
    m_openRollback = new QPushButton(tr("Open rollback fi&le"), this);
    m_openRollback->setObjectName(QStringLiteral("openRollback"));
    m_openRollback->setToolTip(tr("rollback.csv: the value each user had before this run."));
    connect(m_openRollback, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            openFile(m_ctx->runs().at(m_shown).files.rollbackCsv);
    });
    m_openScript = new QPushButton(tr("Open rollback &PowerShell"), this);
    m_openScript->setObjectName(QStringLiteral("openScript"));
    m_openScript->setToolTip(tr("rollback.ps1: the same undo as Microsoft Graph PowerShell "
                                "commands, for admins without Anchorfix."));
    connect(m_openScript, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            openFile(m_ctx->runs().at(m_shown).files.rollbackPs1);
    });
    m_openFolder = new QPushButton(tr("Open run f&older"), this);
    m_openFolder->setObjectName(QStringLiteral("openFolder"));
    m_openFolder->setToolTip(tr("The folder with this run's files. It is kept: Anchorfix never "
                                "deletes run files."));
    connect(m_openFolder, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            openFile(m_ctx->runs().at(m_shown).files.folder);
    });
    m_openAdScript = new QPushButton(tr("Open AD script"), this);
    m_openAdScript->setObjectName(QStringLiteral("openAdScript"));
    m_openAdScript->setToolTip(tr("set-aduser.ps1: the changes to Active Directory that could "
                                  "not run from an export file, as Set-ADUser commands."));
    connect(m_openAdScript, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            openFile(m_ctx->runs().at(m_shown).files.adScript);
    });
    files->addWidget(m_openAudit);
    files->addWidget(m_openRollback);
    files->addWidget(m_openScript);
    files->addWidget(m_openFolder);
    files->addWidget(m_openAdScript);
    files->addStretch(1);
    layout->addLayout(files);

    auto *goOn = new QHBoxLayout;
    m_retry = new QPushButton(tr("Re&try failed rows"), this);
    m_retry->setObjectName(QStringLiteral("retryFailed"));
    m_retry->setToolTip(tr("Run the failed rows of this run again, after a confirmation. Fix "
                           "their cause first."));
    connect(m_retry, &QPushButton::clicked, this, [this] {
        if (m_shown >= 0)
            emit retryRequested(m_shown);
    });
    m_scanAgain = new QPushButton(tr("&Scan again"), this);
    m_scanAgain->setObjectName(QStringLiteral("scanAgainFromSummary"));
    m_scanAgain->setToolTip(tr("Read both sides again and review a new plan. This run's "
                               "results and files stay listed here."));
    connect(m_scanAgain, &QPushButton::clicked, this, &SummaryPage::scanAgainRequested);
    m_rollbackButtonText = tr("Roll bac&k this run…");
    m_rollbackButton = new QPushButton(m_rollbackButtonText, this);
    m_rollbackButton->setObjectName(QStringLiteral("rollback"));
    m_rollbackButton->setToolTip(tr("Put every changed ImmutableId back to the value it had "
                                    "before this run. Purged users cannot be restored."));
    connect(m_rollbackButton, &QPushButton::clicked, this, &SummaryPage::requestRollback);
    goOn->addWidget(m_retry);
    goOn->addWidget(m_scanAgain);
    goOn->addStretch(1);
    goOn->addWidget(m_rollbackButton);
    layout->addLayout(goOn);

    m_confirmBox = new QWidget(this);
    auto *confirmLayout = new QHBoxLayout(m_confirmBox);
    confirmLayout->setContentsMargins(0, 0, 0, 0);
    m_confirmText = new QLabel(m_confirmBox);
    m_confirmText->setObjectName(QStringLiteral("rollbackConfirmation"));
    m_confirmText->setWordWrap(true);
    m_confirmYes = new QPushButton(tr("&Yes, roll back"), m_confirmBox);
    m_confirmYes->setObjectName(QStringLiteral("confirmRollback"));
    auto *no = new QPushButton(tr("Keep the chan&ges"), m_confirmBox);
    no->setObjectName(QStringLiteral("keepChanges"));
    connect(m_confirmYes, &QPushButton::clicked, this, &SummaryPage::confirmRollback);
    connect(no, &QPushButton::clicked, m_confirmBox, &QWidget::hide);
    confirmLayout->addWidget(m_confirmText, 1);
    confirmLayout->addWidget(m_confirmYes);
    confirmLayout->addWidget(no);
    m_confirmBox->hide();
    layout->addWidget(m_confirmBox);

    m_rollbackProgress = new QProgressBar(this);
    m_rollbackProgress->setObjectName(QStringLiteral("rollbackProgress"));
    m_rollbackProgress->setAccessibleName(tr("Rollback progress"));
    m_rollbackProgress->hide();
    m_rollbackStatus = new QLabel(this);
    m_rollbackStatus->setObjectName(QStringLiteral("rollbackStatus"));
    m_rollbackStatus->setWordWrap(true);
    m_rollbackStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_rollbackProgress);
    layout->addWidget(m_rollbackStatus);

    auto *checkTitle = new QLabel(u"<b>" + tr("Check results") + u"</b>", this);
    layout->addWidget(checkTitle);
    m_checkResults = new CheckResultsPanel(context, this);
    layout->addWidget(m_checkResults, 1);
}

void SummaryPage::initializePage()
{
    const QList<WizardContext::Run> &runs = m_ctx->runs();
    m_runSelector->clear();
    const QLocale locale;
    for (const WizardContext::Run &run : runs)
        m_runSelector->addItem(tr("Run %1 — ended %2 — %3 changed, %4 failed")
                                   .arg(run.number)
                                   .arg(locale.toString(run.ended.time(), QLocale::ShortFormat))
                                   .arg(run.report.count(ChangeStatus::Applied))
                                   .arg(run.report.count(ChangeStatus::Failed)));
    m_runRow->setVisible(runs.size() > 1);
    m_confirmBox->hide();
    showRun(int(runs.size()) - 1);
}

void SummaryPage::showRun(int index)
{
    const QList<WizardContext::Run> &runs = m_ctx->runs();
    if (index < 0 || index >= runs.size()) {
        m_shown = -1;
        m_headline->setText(tr("No run yet."));
        m_outcomes->setRowCount(0);
        m_checkResults->setAuditPath(QString());
        updateButtons();
        return;
    }
    m_shown = index;
    if (m_runSelector->currentIndex() != index)
        m_runSelector->setCurrentIndex(index);
    m_confirmBox->hide();
    const WizardContext::Run &run = runs.at(index);
    const ExecutionReport &report = run.report;
    const QLocale locale;
    const int applied = report.count(ChangeStatus::Applied);
    const int failed = report.count(ChangeStatus::Failed);
    const int skipped = report.count(ChangeStatus::Skipped) + report.count(ChangeStatus::Stale);
    const int notRun = std::max(0, report.total - int(report.outcomes.size()));
    QString text =
        u"<p><b>" + (runs.size() > 1 ? tr("Run %1: ").arg(run.number) : QString()) +
        tr("%1 changed, %2 failed, %3 skipped.")
            .arg(locale.toString(applied), locale.toString(failed), locale.toString(skipped)) +
        u"</b>";
    if (notRun > 0)
        text +=
            u' ' + tr("%n change(s) were not attempted (the run was stopped).", nullptr, notRun);
    if (report.mismatches() > 0)
        text += u" <span style=\"color:#b3261e\">" +
                tr("%n change(s) were sent but the read-back shows another value: check them in "
                   "the Entra admin center.",
                   nullptr, report.mismatches()) +
                u"</span>";
    text += u"</p>";
    if (failed > 0)
        text += u"<p>" +
                tr("Failed rows are listed first with the reason. Fix the cause, then press "
                   "Retry failed rows, or Scan again for a fresh plan.") +
                u"</p>";
    if (QFileInfo::exists(run.files.adScript)) {
        int ad = 0;
        for (const Finding &f : run.plan.rows())
            ad += f.isExecutable() && isOnPremAction(f.action) ? 1 : 0;
        text += u"<p>" +
                tr("%n change(s) to Active Directory were not made: the on-prem side is an "
                   "export file. Run their Set-ADUser commands (%1) on a domain-joined "
                   "machine: the next sync then hard-matches each to its cloud user.",
                   nullptr, ad)
                    .arg(QDir::toNativeSeparators(run.files.adScript).toHtmlEscaped()) +
                u"</p>";
    }
    text += u"<p>" +
            tr("This run's files (kept, never deleted by Anchorfix): %1")
                .arg(QDir::toNativeSeparators(run.files.folder).toHtmlEscaped()) +
            u"</p>";
    m_headline->setText(text);

    // Failures first, then the rest in run order.
    QList<ChangeOutcome> outcomes = report.outcomes;
    std::stable_sort(
        outcomes.begin(), outcomes.end(), [](const ChangeOutcome &a, const ChangeOutcome &b) {
            return (a.status == ChangeStatus::Failed) > (b.status == ChangeStatus::Failed);
        });
    m_outcomes->setRowCount(int(outcomes.size()));
    for (int row = 0; row < outcomes.size(); ++row) {
        const ChangeOutcome &o = outcomes.at(row);
        m_outcomes->setItem(row, 0,
                            new QTableWidgetItem(o.cloudUpn.isEmpty() ? o.cloudId : o.cloudUpn));
        m_outcomes->setItem(row, 1, new QTableWidgetItem(FindingTableModel::actionTitle(o.action)));
        QString result = changeStatusName(o.status);
        if (o.status == ChangeStatus::Applied)
            result += o.verified ? tr(", verified") : tr(", not verified");
        auto *resultItem = new QTableWidgetItem(result);
        if (o.status == ChangeStatus::Failed)
            resultItem->setForeground(QColor(0xb3, 0x26, 0x1e));
        m_outcomes->setItem(row, 2, resultItem);
        QString why = o.errorString;
        if (o.httpStatus > 0 && o.status == ChangeStatus::Failed)
            why += QStringLiteral(" (HTTP %1%2)")
                       .arg(o.httpStatus)
                       .arg(o.requestId.isEmpty() ? QString() : u", request-id " + o.requestId);
        auto *whyItem = new QTableWidgetItem(why);
        whyItem->setToolTip(why);
        m_outcomes->setItem(row, 3, whyItem);
    }
    m_rollbackStatus->setText(run.rollbackText);
    m_checkResults->setAuditPath(run.files.auditCsv);
    updateButtons();
}

void SummaryPage::updateButtons()
{
    const bool busy = !m_rollback.isNull();
    const bool shown = m_shown >= 0 && m_shown < m_ctx->runs().size();
    const WizardContext::Run run = shown ? m_ctx->runs().at(m_shown) : WizardContext::Run{};
    const RunFiles &files = run.files;
    m_openAudit->setEnabled(shown && QFileInfo::exists(files.auditCsv));
    m_openRollback->setEnabled(shown && QFileInfo::exists(files.rollbackCsv));
    m_openScript->setEnabled(shown && QFileInfo::exists(files.rollbackPs1));
    m_openFolder->setEnabled(shown && QFileInfo::exists(files.folder));
    m_openAdScript->setVisible(shown && QFileInfo::exists(files.adScript));
    m_retry->setEnabled(shown && !busy && run.report.count(ChangeStatus::Failed) > 0);
    m_scanAgain->setEnabled(!busy);
    m_runSelector->setEnabled(!busy);
    m_rollbackButton->setEnabled(shown && !busy && run.rollbackText.isEmpty() &&
                                 run.report.count(ChangeStatus::Applied) > 0 &&
                                 QFileInfo::exists(files.rollbackCsv));
    // A rolled-back run's button says so (a second rollback would send nothing anyway).
    m_rollbackButton->setText(shown && !run.rollbackText.isEmpty() ? tr("Already rolled back")
                                                                   : m_rollbackButtonText);
}

bool SummaryPage::isComplete() const
{
    return !m_rollback; // Finish waits for a running rollback
}

QString SummaryPage::headline() const
{
    return m_headline->text();
}

QString SummaryPage::confirmationText() const
{
    return m_confirmText->text();
}

QString SummaryPage::rollbackStatus() const
{
    return m_rollbackStatus->text();
}

void SummaryPage::explainBusy()
{
    m_rollbackStatus->setText(tr("The rollback is running; the window closes once it has "
                                 "finished."));
}

void SummaryPage::openFile(const QString &path)
{
    QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

void SummaryPage::requestRollback()
{
    if (m_shown < 0 || m_shown >= m_ctx->runs().size())
        return;
    const WizardContext::Run &run = m_ctx->runs().at(m_shown);
    int undo = 0;
    int purged = 0, identifierClears = 0;
    for (const ChangeOutcome &o : run.report.outcomes) {
        if (o.status != ChangeStatus::Applied)
            continue;
        ++undo;
        if (o.action == Action::PurgeDeleted)
            ++purged;
        if (o.action == Action::ClearObjectIdentifier)
            ++identifierClears;
    }
    QString text = tr("Undo %n change(s) of run %1 in Entra ID, using %2?", nullptr, undo)
                       .arg(run.number)
                       .arg(QDir::toNativeSeparators(run.files.rollbackCsv));
    if (purged > 0)
        text += u' ' + tr("%n purged recycle-bin user(s) cannot be brought back: a purge "
                          "cannot be undone. The anchor stamped after it is put back.",
                          nullptr, purged);
    if (identifierClears > 0)
        text += u' ' + tr("%n cleared onPremisesObjectIdentifier value(s) cannot be written "
                          "back: that change is not reversible. The anchor stamped after it is "
                          "put back.",
                          nullptr, identifierClears);
    m_confirmText->setText(text);
    m_confirmBox->show();
    m_confirmYes->setFocus();
}

void SummaryPage::confirmRollback()
{
    m_confirmBox->hide();
    if (m_rollback || m_shown < 0 || m_shown >= m_ctx->runs().size())
        return;
    m_rollingBack = m_shown;
    m_rollbackProgress->show();
    m_rollbackProgress->setRange(0, 0);
    m_rollbackStatus->setText(tr("Rolling back…"));
    const WizardContext::Run &record = m_ctx->runs().at(m_shown);
    ExecutionRun *run = m_ctx->services()->rollback(record.files, record.writeBind);
    m_rollback = run;
    updateButtons();
    // Write access may need a new sign-in first: its code shows here.
    connect(run, &Job::infoMessage, m_rollbackStatus, &QLabel::setText);
    auto lastInfo = std::make_shared<QString>();
    connect(run, &Job::infoMessage, this, [lastInfo](const QString &text) { *lastInfo = text; });
    connect(run, &Job::progressChanged, this, [this](const JobProgress &p) {
        if (p.total > 0)
            m_rollbackProgress->setRange(0, int(p.total));
        m_rollbackProgress->setValue(int(p.done));
    });
    connect(run, &Job::finished, this, [this, lastInfo](Job *job) {
        auto *r = static_cast<ExecutionRun *>(job);
        const ExecutionReport report = r->report();
        m_rollbackProgress->hide();
        const bool ok = job->error() == Job::NoError && report.count(ChangeStatus::Failed) == 0;
        // Nothing left to undo (rolled back before): the rollback read and sent nothing and
        // said why. Otherwise the same counts as the audit rows: restored, skipped, failed.
        const bool alreadyDone = ok && report.total == 0 && report.outcomes.isEmpty();
        QString text =
            alreadyDone
                ? *lastInfo
                : tr("Rollback: %1 restored, %2 skipped, %3 failed.")
                      .arg(report.count(ChangeStatus::Applied))
                      .arg(report.count(ChangeStatus::Skipped) + report.count(ChangeStatus::Stale))
                      .arg(report.count(ChangeStatus::Failed));
        if (job->error() != Job::NoError)
            text = job->errorString() + u' ' + text;
        for (const ChangeOutcome &o : report.outcomes)
            if (o.status != ChangeStatus::Applied && !o.errorString.isEmpty())
                text += u'\n' + (o.cloudUpn.isEmpty() ? o.cloudId : o.cloudUpn) + u": " +
                        (o.status == ChangeStatus::Failed ? QString() : tr("skipped: ")) +
                        o.errorString;
        m_rollbackStatus->setText(text);
        // A failed rollback may be tried again: the record stays open then.
        if (ok)
            m_ctx->setRollbackText(m_rollingBack, text);
        m_rollback = nullptr;
        m_rollingBack = -1;
        updateButtons();
        emit completeChanged();
        emit rollbackEnded(ok);
    });
    emit completeChanged();
    run->start();
}
