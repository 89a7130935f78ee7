#include "executepage.h"

#include "executionrun.h"
#include "findingtablemodel.h"
#include "wizardcontext.h"
#include "wizardservices.h"
#include "writebindbox.h"

#include <QCheckBox>
#include <QColor>
#include <QDir>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QWizard>

#include <algorithm>
#include <utility>

namespace {

// The policy of issue 17, remembered like the other choices of the wizard.
const QString kRequireSealedKey = QStringLiteral("approval/requireSealed");

bool hasFlaggedChanges(const Plan &plan)
{
    return std::any_of(plan.rows().cbegin(), plan.rows().cend(), [](const Finding &f) {
        return f.requiresApproval && f.action != Action::None;
    });
}

int countExecutable(const Plan &plan, std::optional<Action> action = std::nullopt)
{
    return int(std::count_if(plan.rows().cbegin(), plan.rows().cend(), [action](const Finding &f) {
        return f.isExecutable() && (!action || f.action == *action);
    }));
}

QString statusTitle(const ChangeOutcome &o)
{
    switch (o.status) {
    case ChangeStatus::Applied:
        return o.verified ? QObject::tr("Applied, verified") : QObject::tr("Applied, NOT verified");
    case ChangeStatus::Stale:
        return QObject::tr("Skipped: changed since the scan");
    case ChangeStatus::Skipped:
        return QObject::tr("Skipped");
    case ChangeStatus::Unknown:
        return QObject::tr("Outcome unknown: check the user (kept pending for rollback)");
    case ChangeStatus::Failed:
        break;
    }
    return QObject::tr("Failed");
}

// Approved on-prem rows (adopt_cloud_anchor) that the plan would run.
int onPremChangeCount(const Plan &plan)
{
    int n = 0;
    for (const Finding &f : plan.rows())
        n += f.isExecutable() && isOnPremAction(f.action) ? 1 : 0;
    return n;
}

QString duration(qint64 seconds)
{
    if (seconds < 0)
        return QObject::tr("estimating…");
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

ExecutePage::ExecutePage(WizardContext *context, QWidget *parent)
    : QWizardPage(parent), m_ctx(context)
{
    setTitle(tr("Execute"));
    setSubTitle(tr("Apply the approved changes to Entra ID. Every change is journaled first, so "
                   "it can be rolled back."));
    setCommitPage(true);
    setButtonText(QWizard::CommitButton, tr("&Summary"));

    auto *layout = new QVBoxLayout(this);
    m_stack = new QStackedWidget(this);

    auto *confirmPage = new QWidget(m_stack);
    auto *confirmLayout = new QVBoxLayout(confirmPage);
    m_confirmation = new QLabel(confirmPage);
    m_confirmation->setObjectName(QStringLiteral("confirmation"));
    m_confirmation->setWordWrap(true);
    m_confirmation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_start = new QPushButton(tr("S&tart changes"), confirmPage);
    m_start->setObjectName(QStringLiteral("startRun"));
    m_start->setToolTip(tr("Send the changes listed above to Entra ID."));
    connect(m_start, &QPushButton::clicked, this, &ExecutePage::startRun);
    confirmLayout->addWidget(m_confirmation);
    // Who changes and how, one line each: scrolls on its own for long plans.
    m_changes = new QListWidget(confirmPage);
    m_changes->setObjectName(QStringLiteral("changeList"));
    m_changes->setAccessibleName(tr("Changes that will be sent"));
    m_changes->setSelectionMode(QAbstractItemView::NoSelection);
    m_changes->setWordWrap(true);
    m_changes->setMinimumHeight(80);
    confirmLayout->addWidget(m_changes, 1);
    m_requireSealed =
        new QCheckBox(tr("Flagged rows need a second person's sealed approval"), confirmPage);
    m_requireSealed->setObjectName(QStringLiteral("requireSealedApproval"));
    m_requireSealed->setToolTip(
        tr("Flagged rows run only when a second person approved them (Review a plan for "
           "approval…, plan.approvals.json beside the imported plan) and Entra ID sealed that "
           "approval — like anchorfix apply --require-sealed-approval. Off: you approve them "
           "on the Review page."));
    m_requireSealed->setChecked(m_ctx->settings()->value(kRequireSealedKey, false).toBool());
    connect(m_requireSealed, &QCheckBox::toggled, this, &ExecutePage::setRequireSealed);
    m_writeBindBox = new WriteBindBox(confirmPage);
    connect(m_writeBindBox, &WriteBindBox::changed, this, &ExecutePage::updateStart);
    confirmLayout->addWidget(m_writeBindBox);
    setTabOrder(m_changes, m_start); // the list is above the button
    setTabOrder(m_start, m_requireSealed);
    auto *startRow = new QHBoxLayout;
    startRow->addWidget(m_start);
    startRow->addSpacing(12);
    startRow->addWidget(m_requireSealed); // after Start in the tab order, on its line
    startRow->addStretch(1);
    confirmLayout->addLayout(startRow);
    m_stack->addWidget(confirmPage);

    auto *runPage = new QWidget(m_stack);
    auto *runLayout = new QVBoxLayout(runPage);
    m_overall = new QProgressBar(runPage);
    m_overall->setObjectName(QStringLiteral("overallProgress"));
    m_overall->setFormat(QStringLiteral("%v / %m"));
    m_overall->setAccessibleName(tr("Changes done"));
    m_current = new QLabel(runPage);
    m_current->setObjectName(QStringLiteral("currentUser"));
    m_current->setWordWrap(true);
    m_waitTick.setInterval(1000);
    connect(&m_waitTick, &QTimer::timeout, this, &ExecutePage::showCurrent);
    m_rate = new QLabel(runPage);
    m_rate->setObjectName(QStringLiteral("rate"));
    m_pause = new QPushButton(tr("&Pause"), runPage);
    m_pause->setObjectName(QStringLiteral("pauseRun"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Finish the changes in flight, then wait. Press again to go on."));
    connect(m_pause, &QPushButton::toggled, this, &ExecutePage::setPaused);
    m_cancel = new QPushButton(tr("&Cancel run"), runPage);
    m_cancel->setObjectName(QStringLiteral("cancelRun"));
    m_cancel->setToolTip(tr("Stop after the changes in flight. What was applied stays applied "
                            "and is in the rollback file."));
    connect(m_cancel, &QPushButton::clicked, this, &ExecutePage::cancelRun);
    auto *controls = new QHBoxLayout;
    controls->addWidget(m_current, 1);
    controls->addWidget(m_rate);
    controls->addWidget(m_pause);
    controls->addWidget(m_cancel);
    m_results = new QTableWidget(0, 4, runPage);
    m_results->setObjectName(QStringLiteral("results"));
    m_results->setAccessibleName(tr("Result of each change"));
    m_results->setHorizontalHeaderLabels({tr("User"), tr("Action"), tr("Result"), tr("Details")});
    m_results->horizontalHeader()->setStretchLastSection(true);
    m_results->verticalHeader()->hide();
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_results->setColumnWidth(0, 220);
    m_results->setColumnWidth(1, 150);
    m_results->setColumnWidth(2, 190);
    m_status = new QLabel(runPage);
    m_status->setObjectName(QStringLiteral("runStatus"));
    m_status->setWordWrap(true);
    // A sign-in code for write access can show here: let it be copied.
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    runLayout->addWidget(m_overall);
    runLayout->addLayout(controls);
    runLayout->addWidget(m_results, 1);
    runLayout->addWidget(m_status);
    m_stack->addWidget(runPage);

    layout->addWidget(m_stack);
}

void ExecutePage::initializePage()
{
    prepare();
}

void ExecutePage::cleanupPage()
{
    // Left backwards (Scan again from the Summary page): the next visit starts afresh.
    if (isRunning())
        return;
    if (m_gateJob) {
        m_gateJob->disconnect(this);
        m_gateJob->cancel();
    }
    m_finished = false;
    setRunButtons(false);
}

void ExecutePage::setRunButtons(bool runStarted)
{
    if (!wizard())
        return;
    // A custom layout ignores HaveHelpButton: keep the About button where the app has one.
    QList<QWizard::WizardButton> layout;
    if (wizard()->testOption(QWizard::HaveHelpButton))
        layout << QWizard::HelpButton;
    layout << QWizard::Stretch;
    if (!runStarted)
        layout << QWizard::BackButton << QWizard::NextButton << QWizard::CommitButton
               << QWizard::FinishButton << QWizard::CancelButton;
    else if (isRunning())
        layout << QWizard::CommitButton << QWizard::CancelButton;
    else // ran: on to the Summary page, which finishes
        layout << QWizard::CommitButton << QWizard::FinishButton << QWizard::CancelButton;
    wizard()->setButtonLayout(layout);
}

void ExecutePage::prepare()
{
    if (isRunning())
        return;
    m_finished = false;
    setRunButtons(false);
    m_stack->setCurrentIndex(0);
    m_files = m_ctx->newRunFiles();
    m_writeBindBox->prepare(m_ctx->onPremSettings(), onPremChangeCount(m_ctx->findings()->plan()));
    checkApprovals(false); // shows the confirmation, and again with the verdicts
    m_start->setFocus();
    emit completeChanged();
}

void ExecutePage::setRequireSealed(bool required)
{
    if (m_requireSealed->isChecked() != required) {
        m_requireSealed->setChecked(required); // comes back here through toggled()
        return;
    }
    m_ctx->settings()->setValue(kRequireSealedKey, required);
    if (!isRunning() && !m_finished && m_stack->currentIndex() == 0)
        checkApprovals(false);
}

void ExecutePage::checkApprovals(bool thenRun)
{
    if (m_gateJob) {
        m_gateJob->disconnect(this);
        m_gateJob->cancel();
    }
    const std::optional<ApprovalGate> shown = m_gate;
    m_gate.reset();
    m_gateError.clear();
    m_gateNote.clear();
    m_runAfterCheck = thenRun;
    // Off the GUI thread's way: the seal is checked against the tenant's published keys.
    ValueJob<ApprovalGate> *job = m_ctx->services()->checkApprovals(
        m_ctx->findings()->plan(), m_ctx->planFile(), m_requireSealed->isChecked());
    m_gateJob = job;
    connect(job, &Job::finished, this, [this, job, shown] {
        m_gateJob = nullptr;
        const bool run = m_runAfterCheck;
        if (job->error() == Job::NoError)
            m_gate = job->value();
        else
            m_gateError = job->errorString();
        if (!run) {
            showConfirmation();
            return;
        }
        // Started on verdicts that no longer hold (the approvals file was replaced, the
        // seal expired): show the new ones and let the person start again.
        if (!m_gate)
            stopBeforeRun(QString()); // the confirmation shows the error
        else if (shown && shown->verdicts != m_gate->verdicts)
            stopBeforeRun(tr("The approval changed since this page was shown: nothing was "
                             "sent. Check the flagged rows below and start again."));
        else if (countExecutable(gatedPlan()) == 0)
            stopBeforeRun(tr("Nothing was sent: the approval lets none of these changes run."));
        else {
            beginRun();
            if (std::exchange(m_cancelAfterCheck, false))
                cancelRun();
        }
    });
    if (!thenRun)
        showConfirmation();
    job->start();
}

Plan ExecutePage::gatedPlan() const
{
    Plan plan = m_ctx->findings()->plan();
    if (m_gate) {
        QList<Finding> rows = plan.rows();
        m_gate->applyTo(rows);
        plan = Plan(rows);
    }
    return plan;
}

QString ExecutePage::approvalHtml() const
{
    const Plan plan = m_ctx->findings()->plan();
    const bool sealedRequired = m_requireSealed->isChecked();
    const bool haveApprovals = m_gate && m_gate->approvals;
    QString html;
    // The approval mode in force (issue 17), the same rules as anchorfix apply's.
    if (sealedRequired)
        html += u"<p>" +
                tr("Approval: a second person's sealed approval is required — flagged rows "
                   "run only when a second person approved them (Review a plan for "
                   "approval…, plan.approvals.json beside the imported plan) and Entra ID "
                   "sealed it. Unsealed (device-code) approvals are refused.")
                    .toHtmlEscaped() +
                u"</p>";
    else if (hasFlaggedChanges(plan) || haveApprovals)
        html += u"<p>" +
                tr("Approval: single admin — flagged rows you approved on the Review page "
                   "run, unless the plan came with a second person's approval "
                   "(plan.approvals.json beside it): then that approval alone decides them.")
                    .toHtmlEscaped() +
                u"</p>";
    if (!m_gateNote.isEmpty())
        html += u"<p><b>" + m_gateNote.toHtmlEscaped() + u"</b></p>";
    if (m_gateJob && !m_ctx->planFile().isEmpty())
        html += u"<p>" + tr("Checking the plan's approval…") + u"</p>";
    if (!m_gateError.isEmpty())
        html += u"<p style=\"color:#b3261e\"><b>" +
                tr("The approval cannot be checked: %1 Nothing runs until this is fixed.")
                    .arg(m_gateError)
                    .toHtmlEscaped() +
                u"</b></p>";
    if (!m_gate)
        return html;
    if (haveApprovals)
        html += u"<p>" + (m_gate->approvals->sealed
                              ? tr("Approved by %1, sealed by Entra ID (%2).")
                              : tr("Approved by %1, unsealed: a device-code sign-in (%2)."))
                             .arg(ApprovalSeal::approverText(*m_gate->approvals),
                                  QDir::toNativeSeparators(m_gate->approvalsPath))
                             .toHtmlEscaped();
    if (haveApprovals && !m_gate->problem.isEmpty())
        html += u" <b>" + tr("Not accepted: %1.").arg(m_gate->problem).toHtmlEscaped() + u"</b>";
    if (haveApprovals)
        html += u"</p>";
    if (!m_gate->auditsRows())
        return html; // a single admin's plan: the Review page's approvals, nothing to add
    html += u"<p>" + tr("Flagged rows:") + u"</p><ul>";
    for (const RowApproval &v : m_gate->verdicts) {
        const auto row = std::find_if(plan.rows().cbegin(), plan.rows().cend(),
                                      [&v](const Finding &f) { return f.rowId == v.rowId; });
        const QString who = row == plan.rows().cend()
                                ? tr("Row %1").arg(v.rowId)
                                : tr("Row %1 (%2 — %3)")
                                      .arg(v.rowId)
                                      .arg(row->cloudUpn.isEmpty() ? row->onPremUpn : row->cloudUpn,
                                           FindingTableModel::actionTitle(row->action));
        if (v.runs())
            html += u"<li>" + tr("%1 runs: %2").arg(who, v.reason).toHtmlEscaped() + u"</li>";
        else
            html += u"<li><b>" + tr("%1 will not run:").arg(who).toHtmlEscaped() + u"</b> " +
                    v.reason.toHtmlEscaped() + u"</li>";
    }
    html += u"</ul>";
    return html;
}

void ExecutePage::showConfirmation()
{
    const RunFiles files = m_files;
    const QLocale locale;
    const Plan plan = gatedPlan();
    const RunPreview preview = m_ctx->services()->previewRun(plan);
    const QString tenant =
        preview.tenant.isEmpty() ? m_ctx->cloudSettings().tenant : preview.tenant;
    QString html =
        u"<p>" + tr("These changes will be sent to <b>%1</b>:").arg(tenant.toHtmlEscaped());
    if (!preview.account.isEmpty())
        html += u"<br>" + tr("Signed in as %1").arg(preview.account.toHtmlEscaped());
    html += u"</p><ul>";
    for (Action a : ActionList) {
        const int n = a == Action::None ? 0 : countExecutable(plan, a);
        if (n > 0)
            html += QStringLiteral("<li>%1 × %2</li>")
                        .arg(locale.toString(n), FindingTableModel::actionTitle(a).toHtmlEscaped());
    }
    html += u"</ul>";
    m_changes->clear();
    const QHash<int, const RowApproval *> verdicts =
        m_gate ? m_gate->verdictsByRowId() : QHash<int, const RowApproval *>();
    for (const Finding &f : plan.rows()) {
        const RowApproval *verdict = verdicts.value(f.rowId);
        const bool refused = verdict && !verdict->runs();
        if (!f.isExecutable() && !refused)
            continue;
        QString line = FindingTableModel::changeLine(f);
        const bool leftOut = preview.unpermittedRowIds.contains(f.rowId);
        if (refused)
            line = tr("Not run (approval): %1").arg(line);
        else if (leftOut)
            line = tr("Left out (permission): %1").arg(line);
        auto *item = new QListWidgetItem(line, m_changes);
        if (refused) {
            item->setForeground(QColor(0x70, 0x70, 0x70));
            item->setToolTip(verdict->reason);
        } else if (isIrreversibleAction(f.action) && !leftOut) {
            item->setForeground(QColor(0xb3, 0x26, 0x1e));
            item->setToolTip(tr("Cannot be undone: rollback reports it and changes nothing."));
        } else if (leftOut) {
            item->setForeground(QColor(0x70, 0x70, 0x70));
        }
    }
    m_changes->setVisible(m_changes->count() > 0);
    // Flagged rows not approved that the gate does not decide (a single admin's plan).
    const int pending =
        int(std::count_if(plan.rows().cbegin(), plan.rows().cend(), [&](const Finding &f) {
            return Plan::awaitsApproval(f) && !verdicts.contains(f.rowId);
        }));
    if (pending > 0)
        html += u"<p>" +
                tr("%n flagged row(s) are not approved and will not run.", nullptr, pending) +
                u"</p>";
    html += approvalHtml();
    if (!preview.unpermitted.isEmpty()) {
        html += u"<p><b>" +
                tr("%n row(s) will not run: the sign-in does not grant the permission they "
                   "need. Nothing is sent for them.",
                   nullptr, int(preview.unpermitted.size())) +
                u"</b></p><ul>";
        for (const QString &line : preview.unpermitted)
            html += u"<li>" + line.toHtmlEscaped() + u"</li>";
        html += u"</ul>";
    }
    if (const int ad = onPremChangeCount(plan);
        ad > 0 && m_ctx->onPremSettings().source == OnPremSettings::Source::File)
        html += u"<p><b>" +
                tr("%n change(s) would write to Active Directory, but the on-prem side is an "
                   "export file: Anchorfix cannot write them, and they are not part of this "
                   "run. Their Set-ADUser commands are saved to %1, to run on a "
                   "domain-joined machine.",
                   nullptr, ad)
                    .arg(QDir::toNativeSeparators(files.adScript).toHtmlEscaped()) +
                u"</b></p>";
    if (countExecutable(plan, Action::PurgeDeleted) > 0)
        html +=
            u"<p><b>" +
            tr("Purging a deleted user is permanent: it cannot be rolled back.").toHtmlEscaped() +
            u"</b></p>";
    if (countExecutable(plan, Action::ClearObjectIdentifier) > 0)
        html += u"<p><b>" +
                tr("Clearing onPremisesObjectIdentifier is not reversible: the old value cannot "
                   "be written back, and rollback leaves it cleared.")
                    .toHtmlEscaped() +
                u"</b></p>";
    html += u"<p>" + tr("Files:") + u"</p><ul>";
    html += u"<li>" +
            tr("Audit trail: %1").arg(QDir::toNativeSeparators(files.auditCsv).toHtmlEscaped()) +
            u"</li>";
    html += u"<li>" +
            tr("Rollback: %1").arg(QDir::toNativeSeparators(files.rollbackCsv).toHtmlEscaped()) +
            u"</li>";
    html += u"<li>" +
            tr("Rollback as PowerShell: %1")
                .arg(QDir::toNativeSeparators(files.rollbackPs1).toHtmlEscaped()) +
            u"</li>";
    html += u"</ul>";
    if (m_changes->count() > 0)
        html += u"<p>" + tr("Users that will change, one line per change:") + u"</p>";
    m_confirmation->setText(html);
    // Sized from what runs after the approval gate: an adopt row approved only in the
    // approvals file writes to AD too.
    m_writeBindBox->setOnPremChanges(m_ctx->onPremSettings(), onPremChangeCount(plan));
    updateStart();
}

void ExecutePage::updateStart()
{
    QString problem = m_writeBindBox->problem(m_ctx->onPremSettings());
    if (!m_gateError.isEmpty())
        problem = m_gateError;
    else if (m_runAfterCheck)
        problem = tr("Checking the approval before the run…");
    m_start->setEnabled(countExecutable(gatedPlan()) > 0 && problem.isEmpty());
    m_requireSealed->setEnabled(!m_runAfterCheck);
    m_start->setToolTip(problem.isEmpty() ? tr("Send the changes listed above.") : problem);
}

QString ExecutePage::confirmationText() const
{
    return m_confirmation->text();
}

QStringList ExecutePage::changeLines() const
{
    QStringList lines;
    for (int i = 0; i < m_changes->count(); ++i)
        lines << m_changes->item(i)->text();
    return lines;
}

QString ExecutePage::statusText() const
{
    return m_status->text();
}

void ExecutePage::explainBusy()
{
    m_status->setText(tr("Changes are being sent: the window closes as soon as the run has "
                         "stopped. Press Cancel run to stop after the changes in flight (what was "
                         "applied stays applied and can be rolled back)."));
    m_cancel->setFocus();
}

bool ExecutePage::isComplete() const
{
    return m_finished;
}

void ExecutePage::startRun()
{
    if (isRunning() || m_finished || !m_start->isEnabled())
        return;
    const RunFiles files = m_files;
    if (!QDir().mkpath(files.folder)) {
        m_confirmation->setText(m_confirmation->text() + u"<p style=\"color:#b3261e\">" +
                                tr("Cannot create %1: choose another output folder.")
                                    .arg(files.folder.toHtmlEscaped()) +
                                u"</p>");
        return;
    }
    // The run begins with the approvals checked once more, right before anything is sent
    // (beginRun goes on with what the gate decides now); pause and cancel work already.
    m_stack->setCurrentIndex(1);
    m_results->setRowCount(0);
    m_overall->setRange(0, countExecutable(gatedPlan()));
    m_overall->setValue(0);
    m_status->setText(tr("Checking the approval before anything is sent…"));
    m_pause->setChecked(false);
    m_pause->setEnabled(true);
    m_cancel->setEnabled(true);
    m_cancel->setFocus();
    m_cancelAfterCheck = false;
    checkApprovals(true);
    setRunButtons(true);
}

void ExecutePage::stopBeforeRun(const QString &why)
{
    // Nothing was sent: back to the confirmation, which says why.
    m_runAfterCheck = false;
    m_gateNote =
        std::exchange(m_cancelAfterCheck, false) ? tr("Cancelled before anything was sent.") : why;
    m_stack->setCurrentIndex(0);
    setRunButtons(false);
    showConfirmation();
    emit runEnded(); // a close asked for meanwhile goes ahead
}

void ExecutePage::beginRun()
{
    m_runAfterCheck = false; // m_run takes over
    const RunFiles files = m_files;
    m_plan = gatedPlan(); // the rows the approval gate refuses are not approved here
    m_overall->setRange(0, countExecutable(m_plan));
    m_status->setText(tr("Running…"));
    m_writeBind = m_writeBindBox->writeSettings(m_ctx->onPremSettings());
    ExecutionRun *run =
        m_ctx->services()->execute(m_plan, m_ctx->cloudSnapshot(), files, m_writeBind, *m_gate);
    m_run = run;
    if (m_pause->isChecked())
        run->setPaused(true); // paused while the approvals were checked
    setRunButtons(true);
    connect(run, &ExecutionRun::outcomeReported, this, &ExecutePage::onOutcome);
    connect(run, &Job::progressChanged, this, &ExecutePage::onProgress);
    // Messages other than the progress line (which the labels above show): a sign-in
    // code for write access, pausing, a retry.
    connect(run, &Job::infoMessage, this, [this](const QString &text) {
        if (text != m_progressText)
            m_status->setText(text);
    });
    connect(run, &Job::finished, this, &ExecutePage::onFinished);
    m_cancel->setFocus();
    run->start();
}

void ExecutePage::setPaused(bool paused)
{
    if (m_run)
        m_run->setPaused(paused);
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
}

void ExecutePage::cancelRun()
{
    if (m_run) {
        m_status->setText(tr("Cancelling after the changes in flight…"));
        m_run->cancel();
    } else if (m_runAfterCheck) {
        // The run stops as soon as the approvals' check has returned (a run cancelled
        // before anything was sent, recorded like any other).
        m_cancelAfterCheck = true;
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling: nothing has been sent…"));
    }
}

void ExecutePage::onOutcome(const ChangeOutcome &o)
{
    const int row = m_results->rowCount();
    m_results->insertRow(row);
    auto *user = new QTableWidgetItem(o.cloudUpn.isEmpty() ? o.cloudId : o.cloudUpn);
    user->setToolTip(o.cloudId);
    m_results->setItem(row, 0, user);
    m_results->setItem(row, 1, new QTableWidgetItem(FindingTableModel::actionTitle(o.action)));
    auto *result = new QTableWidgetItem(statusTitle(o));
    result->setForeground(o.status == ChangeStatus::Applied && o.verified ? QColor(0x1b, 0x7f, 0x3b)
                          : o.status == ChangeStatus::Failed              ? QColor(0xb3, 0x26, 0x1e)
                                                             : QColor(0x8a, 0x53, 0x00));
    m_results->setItem(row, 2, result);
    QString details = o.errorString;
    if (!o.requestId.isEmpty())
        details += (details.isEmpty() ? QString() : QStringLiteral(" — ")) +
                   tr("request-id %1").arg(o.requestId);
    auto *detailItem = new QTableWidgetItem(details);
    detailItem->setToolTip(details);
    m_results->setItem(row, 3, detailItem);
    // Follow the newest row unless the user scrolled away to read.
    if (row == 0 || m_results->currentRow() < 0)
        m_results->scrollToBottom();
}

void ExecutePage::onProgress(const JobProgress &p)
{
    if (p.total > 0)
        m_overall->setRange(0, int(p.total));
    m_overall->setValue(int(p.done));
    m_progressText = p.toText();
    // The row being worked on, from the plan (the executor names it by row id).
    QString now;
    for (const Finding &f : m_plan.rows())
        if (p.currentRow != 0 && f.rowId == p.currentRow) {
            now = tr("Now: %1 — %2")
                      .arg(f.cloudUpn.isEmpty() ? f.cloudId : f.cloudUpn,
                           FindingTableModel::actionTitle(f.action));
            break;
        }
    if (now.isEmpty() && !p.currentUser.isEmpty())
        now = tr("Now: %1").arg(p.currentUser);
    if (p.paused)
        now = tr("Paused: nothing is being sent.");
    m_now = now;
    m_waitReason = p.waitReason;
    m_waitEnds = p.waitReason.isEmpty() || p.waitSecondsLeft < 0
                     ? QDeadlineTimer()
                     : QDeadlineTimer(p.waitSecondsLeft * 1000);
    if (p.waitReason.isEmpty())
        m_waitTick.stop();
    else
        m_waitTick.start();
    showCurrent();
    // Time left includes the wait in progress (the executor's rate counts waits too).
    m_rate->setText(tr("%1/min · %2 left")
                        .arg(QLocale().toString(p.perMinute, 'f', 0), duration(p.secondsLeft)));
}

void ExecutePage::showCurrent()
{
    QString text = m_now;
    if (!m_waitReason.isEmpty()) {
        // "Graph asked to slow down: next request in 8 s", counting down.
        const qint64 left = m_waitEnds.isForever() ? -1 : (m_waitEnds.remainingTime() + 999) / 1000;
        const QString wait = left > 0 ? tr("%1: next request in %2 s").arg(m_waitReason).arg(left)
                                      : tr("%1…").arg(m_waitReason);
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + tr("Waiting: %1").arg(wait);
    }
    m_current->setText(text);
}

void ExecutePage::onFinished()
{
    ExecutionRun *run = m_run.data();
    m_run = nullptr;
    if (!run)
        return;
    const ExecutionReport report = run->report();
    m_ctx->addRun(m_files, m_plan, report, m_writeBind);
    m_finished = true;
    m_waitTick.stop();
    m_waitReason.clear();
    setRunButtons(true);
    m_current->setText(run->error() == Job::Cancelled ? tr("Stopped.") : tr("Done."));
    m_pause->setEnabled(false);
    m_cancel->setEnabled(false);
    const QLocale locale;
    QString text = tr("%1 applied, %2 failed, %3 skipped.")
                       .arg(locale.toString(report.count(ChangeStatus::Applied)),
                            locale.toString(report.count(ChangeStatus::Failed)),
                            locale.toString(report.count(ChangeStatus::Skipped) +
                                            report.count(ChangeStatus::Stale)));
    if (run->error() == Job::Cancelled)
        text = tr("Cancelled.") + u' ' + text;
    else if (run->error() != Job::NoError)
        text = run->errorString() + u' ' + text;
    m_status->setText(text + u' ' +
                      tr("Press Summary to continue: it offers retrying failed rows, a new scan "
                         "and rolling this run back. There is no way back to Review: it shows "
                         "the plan as it was before these changes."));
    emit completeChanged();
    emit runEnded();
}
