#include "summarypage.h"

#include "executionrun.h"
#include "findingtablemodel.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QColor>
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

SummaryPage::SummaryPage(WizardContext *context, QWidget *parent)
    : QWizardPage(parent), m_ctx(context)
{
    setTitle(tr("Summary"));
    setSubTitle(tr("What was changed in Entra ID, and what was not and why."));
    setFinalPage(true);

    auto *layout = new QVBoxLayout(this);
    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("headline"));
    m_headline->setWordWrap(true);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_headline);

    m_outcomes = new QTableWidget(0, 4, this);
    m_outcomes->setObjectName(QStringLiteral("outcomes"));
    m_outcomes->setHorizontalHeaderLabels({tr("User"), tr("Action"), tr("Result"), tr("Why")});
    m_outcomes->horizontalHeader()->setStretchLastSection(true);
    m_outcomes->verticalHeader()->hide();
    m_outcomes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_outcomes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_outcomes->setColumnWidth(0, 220);
    m_outcomes->setColumnWidth(1, 150);
    m_outcomes->setColumnWidth(2, 150);
    layout->addWidget(m_outcomes, 1);

    auto *files = new QHBoxLayout;
    m_openAudit = new QPushButton(tr("Open &audit trail"), this);
    m_openAudit->setObjectName(QStringLiteral("openAudit"));
    m_openAudit->setToolTip(tr("audit.csv: one line per attempted change, with its result and "
                               "Graph request-id."));
    connect(m_openAudit, &QPushButton::clicked, this,
            [this] { openFile(m_ctx->runFiles().auditCsv); });
    m_openRollback = new QPushButton(tr("Open &rollback file"), this);
    m_openRollback->setObjectName(QStringLiteral("openRollback"));
    m_openRollback->setToolTip(tr("rollback.csv: the value each user had before this run."));
    connect(m_openRollback, &QPushButton::clicked, this,
            [this] { openFile(m_ctx->runFiles().rollbackCsv); });
    m_openScript = new QPushButton(tr("Open rollback &PowerShell"), this);
    m_openScript->setObjectName(QStringLiteral("openScript"));
    m_openScript->setToolTip(tr("rollback.ps1: the same undo as Microsoft Graph PowerShell "
                                "commands, for admins without Anchorfix."));
    connect(m_openScript, &QPushButton::clicked, this,
            [this] { openFile(m_ctx->runFiles().rollbackPs1); });
    m_openFolder = new QPushButton(tr("Open &folder"), this);
    m_openFolder->setObjectName(QStringLiteral("openFolder"));
    m_openFolder->setToolTip(tr("The folder with this run's files."));
    connect(m_openFolder, &QPushButton::clicked, this,
            [this] { openFile(m_ctx->runFiles().folder); });
    m_rollbackButton = new QPushButton(tr("R&oll back this run…"), this);
    m_rollbackButton->setObjectName(QStringLiteral("rollback"));
    m_rollbackButton->setToolTip(tr("Put every changed ImmutableId back to the value it had "
                                    "before this run. Purged users cannot be restored."));
    connect(m_rollbackButton, &QPushButton::clicked, this, &SummaryPage::requestRollback);
    files->addWidget(m_openAudit);
    files->addWidget(m_openRollback);
    files->addWidget(m_openScript);
    files->addWidget(m_openFolder);
    files->addStretch(1);
    files->addWidget(m_rollbackButton);
    layout->addLayout(files);

    m_confirmBox = new QWidget(this);
    auto *confirmLayout = new QHBoxLayout(m_confirmBox);
    confirmLayout->setContentsMargins(0, 0, 0, 0);
    m_confirmText = new QLabel(m_confirmBox);
    m_confirmText->setWordWrap(true);
    m_confirmYes = new QPushButton(tr("&Yes, roll back"), m_confirmBox);
    m_confirmYes->setObjectName(QStringLiteral("confirmRollback"));
    auto *no = new QPushButton(tr("&Keep the changes"), m_confirmBox);
    connect(m_confirmYes, &QPushButton::clicked, this, &SummaryPage::confirmRollback);
    connect(no, &QPushButton::clicked, m_confirmBox, &QWidget::hide);
    confirmLayout->addWidget(m_confirmText, 1);
    confirmLayout->addWidget(m_confirmYes);
    confirmLayout->addWidget(no);
    m_confirmBox->hide();
    layout->addWidget(m_confirmBox);

    m_rollbackProgress = new QProgressBar(this);
    m_rollbackProgress->setObjectName(QStringLiteral("rollbackProgress"));
    m_rollbackProgress->hide();
    m_rollbackStatus = new QLabel(this);
    m_rollbackStatus->setObjectName(QStringLiteral("rollbackStatus"));
    m_rollbackStatus->setWordWrap(true);
    m_rollbackStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_rollbackProgress);
    layout->addWidget(m_rollbackStatus);
}

void SummaryPage::initializePage()
{
    const ExecutionReport &report = m_ctx->report();
    const QLocale locale;
    const int applied = report.count(ChangeStatus::Applied);
    const int failed = report.count(ChangeStatus::Failed);
    const int skipped = report.count(ChangeStatus::Skipped) + report.count(ChangeStatus::Stale);
    const int notRun = std::max(0, report.total - int(report.outcomes.size()));
    QString text =
        u"<p><b>" +
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
                tr("Failed rows are listed first with the reason. Fix the cause and run "
                   "Anchorfix again; rows already correct will show as in sync.") +
                u"</p>";
    const RunFiles runFiles = m_ctx->runFiles();
    text += u"<p>" +
            tr("Audit trail: %1<br>Rollback: %2")
                .arg(QDir::toNativeSeparators(runFiles.auditCsv).toHtmlEscaped(),
                     QDir::toNativeSeparators(runFiles.rollbackCsv).toHtmlEscaped()) +
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
    const RunFiles files = m_ctx->runFiles();
    m_openAudit->setEnabled(QFileInfo::exists(files.auditCsv));
    m_openRollback->setEnabled(QFileInfo::exists(files.rollbackCsv));
    m_openScript->setEnabled(QFileInfo::exists(files.rollbackPs1));
    m_openFolder->setEnabled(QFileInfo::exists(files.folder));
    m_rollbackButton->setEnabled(applied > 0 && QFileInfo::exists(files.rollbackCsv));
}

bool SummaryPage::isComplete() const
{
    return !m_rollback; // Finish waits for a running rollback
}

QString SummaryPage::headline() const
{
    return m_headline->text();
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
    const int applied = m_ctx->report().count(ChangeStatus::Applied);
    m_confirmText->setText(tr("Undo %n change(s) in Entra ID, using %1?", nullptr, applied)
                               .arg(QDir::toNativeSeparators(m_ctx->runFiles().rollbackCsv)));
    m_confirmBox->show();
    m_confirmYes->setFocus();
}

void SummaryPage::confirmRollback()
{
    m_confirmBox->hide();
    if (m_rollback)
        return;
    m_rollbackButton->setEnabled(false);
    m_rollbackProgress->show();
    m_rollbackProgress->setRange(0, 0);
    m_rollbackStatus->setText(tr("Rolling back…"));
    ExecutionRun *run = m_ctx->services()->rollback(m_ctx->runFiles());
    m_rollback = run;
    // Write access may need a new sign-in first: its code shows here.
    connect(run, &Job::infoMessage, m_rollbackStatus, &QLabel::setText);
    connect(run, &ExecutionRun::progressReported, this, [this](const ExecutionProgress &p) {
        if (p.total > 0)
            m_rollbackProgress->setRange(0, int(p.total));
        m_rollbackProgress->setValue(int(p.done));
    });
    connect(run, &Job::finished, this, [this](Job *job) {
        auto *r = static_cast<ExecutionRun *>(job);
        const ExecutionReport report = r->report();
        m_rollbackProgress->hide();
        const bool ok = job->error() == Job::NoError && report.count(ChangeStatus::Failed) == 0;
        QString text = tr("Rollback: %1 restored, %2 failed.")
                           .arg(report.count(ChangeStatus::Applied))
                           .arg(report.count(ChangeStatus::Failed));
        if (job->error() != Job::NoError)
            text = job->errorString() + u' ' + text;
        for (const ChangeOutcome &o : report.outcomes)
            if (o.status == ChangeStatus::Failed)
                text +=
                    u'\n' + (o.cloudUpn.isEmpty() ? o.cloudId : o.cloudUpn) + u": " + o.errorString;
        m_rollbackStatus->setText(text);
        m_rollback = nullptr;
        m_rollbackButton->setEnabled(!ok);
        emit completeChanged();
        emit rollbackEnded(ok);
    });
    emit completeChanged();
    run->start();
}
