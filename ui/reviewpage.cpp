#include "reviewpage.h"

#include "actiondelegate.h"
#include "findingdetails.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "flowlayout.h"
#include "plan.h"
#include "reconciler.h"
#include "runfiles.h"
#include "severitydelegate.h"
#include "valuejob.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLayoutItem>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

using Column = FindingTableModel::Column;

ReviewPage::ReviewPage(WizardContext *context, QWidget *parent)
    : QWizardPage(parent), m_ctx(context), m_proxy(new FindingFilterProxy(this))
{
    setTitle(tr("Review"));
    setSubTitle(tr("Check each finding and choose what to do. Flagged rows run only after you "
                   "approve them. Nothing has been changed yet."));
    m_proxy->setSourceModel(m_ctx->findings());

    auto *layout = new QVBoxLayout(this);

    // The chips wrap onto more lines rather than widen the window: 13 categories do not
    // fit on one line at 1024 pixels.
    m_chipBar = new QWidget(this);
    m_chipBar->setObjectName(QStringLiteral("chipBar"));
    auto *chipLayout = new FlowLayout(m_chipBar);
    m_allChip = new QToolButton(m_chipBar);
    m_allChip->setObjectName(QStringLiteral("chipAll"));
    m_allChip->setCheckable(true);
    m_allChip->setChecked(true);
    m_allChip->setToolTip(tr("Show every category."));
    m_allChip->setText(tr("All"));
    m_allChip->setStyleSheet(QStringLiteral(
        "QToolButton { background:#eeeeee; border:1px solid #c8c8c8; border-radius:9px;"
        " padding:2px 8px; } QToolButton:checked { border:2px solid #1f5fa8; }"));
    connect(m_allChip, &QToolButton::clicked, this, [this] {
        for (QToolButton *chip : std::as_const(m_chips))
            chip->setChecked(false);
        onChipToggled();
    });
    chipLayout->addWidget(m_allChip);
    // Not a category: the sync engine's own errors cut across them. Category chips are
    // inserted before it.
    m_syncErrorChip = new QToolButton(m_chipBar);
    m_syncErrorChip->setObjectName(QStringLiteral("chipSyncError"));
    m_syncErrorChip->setCheckable(true);
    m_syncErrorChip->setToolTip(tr("Show only rows the sync engine reports a conflict for "
                                   "(onPremisesProvisioningErrors)."));
    m_syncErrorChip->setStyleSheet(QStringLiteral(
        "QToolButton { background:#f3e5f5; border:1px solid #c8c8c8; border-radius:9px;"
        " padding:2px 8px; } QToolButton:checked { border:2px solid #1f5fa8; }"));
    connect(m_syncErrorChip, &QToolButton::toggled, m_proxy,
            &FindingFilterProxy::setSyncErrorsOnly);
    chipLayout->addWidget(m_syncErrorChip);
    layout->addWidget(m_chipBar);

    auto *filterRow = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(
        tr("Filter by UPN, DN, object id, ImmutableId or reason (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Shows rows that contain this text anywhere, ignoring case."));
    m_search->setAccessibleName(tr("Filter rows"));
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, m_search, [this] { m_search->setFocus(); });
    connect(m_search, &QLineEdit::textChanged, m_proxy, &FindingFilterProxy::setSearchText);
    m_severity = new QComboBox(this);
    m_severity->setObjectName(QStringLiteral("severity"));
    m_severity->addItem(tr("All severities"), -1);
    m_severity->addItem(tr("Conflicts"), int(Severity::Conflict));
    m_severity->addItem(tr("Warnings"), int(Severity::Warning));
    m_severity->addItem(tr("Information"), int(Severity::Info));
    m_severity->setToolTip(tr("Conflicts block a correct sync; warnings need a decision; "
                              "information rows need nothing."));
    m_severity->setAccessibleName(tr("Severity"));
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this] {
        const int s = m_severity->currentData().toInt();
        m_proxy->setSeverities(s < 0 ? QSet<Severity>{} : QSet<Severity>{Severity(s)});
    });
    m_executableOnly = new QCheckBox(tr("Only rows that will &run"), this);
    m_executableOnly->setObjectName(QStringLiteral("executableOnly"));
    m_executableOnly->setToolTip(tr("Hide rows with no change or waiting for approval."));
    connect(m_executableOnly, &QCheckBox::toggled, m_proxy, &FindingFilterProxy::setExecutableOnly);
    filterRow->addWidget(m_search, 1);
    filterRow->addWidget(m_severity);
    filterRow->addWidget(m_executableOnly);
    layout->addLayout(filterRow);

    auto *splitter = m_splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("reviewSplitter"));
    m_view = new QTableView(splitter);
    m_view->setObjectName(QStringLiteral("findings"));
    m_view->setAccessibleName(tr("Findings"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(int(Column::Category), Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::SelectedClicked);
    m_view->setItemDelegateForColumn(int(Column::Category), new SeverityDelegate(m_view));
    m_view->setItemDelegateForColumn(int(Column::Action), new ActionDelegate(m_view));
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionsMovable(true);
    // In the order a person decides: who (category, both UPNs), then what (action,
    // approval); the anchors and the rest after that.
    header->moveSection(header->visualIndex(int(Column::Action)), 3);
    header->moveSection(header->visualIndex(int(Column::Approval)), 4);
    m_view->setColumnWidth(int(Column::CloudImmutableId), 220);
    m_view->setColumnWidth(int(Column::ExpectedImmutableId), 220);
    m_view->setToolTip(tr("F2 or double-click edits the action; Space toggles the approval of "
                          "the current flagged row."));
    m_details = new QTextBrowser(splitter);
    m_details->setObjectName(QStringLiteral("details"));
    m_details->setAccessibleName(tr("Details of the selected row"));
    m_details->setOpenLinks(false);
    m_details->setPlaceholderText(tr("Select a row to see why it was flagged, both sides' "
                                     "attributes and the PowerShell equivalent."));
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    // The table gets the room: its decision columns come first.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    m_details->setMinimumWidth(220);
    layout->addWidget(splitter, 1);

    // Space approves the current flagged row from the keyboard.
    auto *space =
        new QShortcut(QKeySequence(Qt::Key_Space), m_view, nullptr, nullptr, Qt::WidgetShortcut);
    connect(space, &QShortcut::activated, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid())
            return;
        const int row = m_proxy->mapToSource(current).row();
        const Finding &f = m_ctx->findings()->finding(row);
        if (f.needsApproval())
            m_ctx->findings()->setApproved(row, !f.approved);
    });

    auto *bulkRow = new QHBoxLayout;
    auto *actionButton = new QToolButton(this);
    actionButton->setObjectName(QStringLiteral("bulkAction"));
    actionButton->setText(tr("Set &action for selection"));
    actionButton->setPopupMode(QToolButton::InstantPopup);
    actionButton->setToolTip(tr("Offers the actions the selected rows allow."));
    m_actionMenu = new QMenu(actionButton);
    m_actionMenu->setObjectName(QStringLiteral("bulkActionMenu"));
    connect(m_actionMenu, &QMenu::aboutToShow, this, &ReviewPage::fillActionMenu);
    actionButton->setMenu(m_actionMenu);
    auto *approve = new QPushButton(tr("A&pprove selected"), this);
    approve->setObjectName(QStringLiteral("approveSelected"));
    approve->setToolTip(tr("Approve the flagged rows in the selection."));
    connect(approve, &QPushButton::clicked, this, [this] { approveSelection(true); });
    auto *withdraw = new QPushButton(tr("&Withdraw approval"), this);
    withdraw->setObjectName(QStringLiteral("withdrawSelected"));
    withdraw->setToolTip(tr("Withdraw the approval of the selected rows."));
    connect(withdraw, &QPushButton::clicked, this, [this] { approveSelection(false); });
    auto *exportButton = m_exportButton = new QPushButton(tr("E&xport plan…"), this);
    exportButton->setObjectName(QStringLiteral("exportPlan"));
    exportButton->setToolTip(tr("Save the findings and your choices as plan.csv, to review in "
                                "a spreadsheet or run later with 'anchorfix apply'."));
    connect(exportButton, &QPushButton::clicked, this, &ReviewPage::askExportPath);
    auto *importButton = m_importButton = new QPushButton(tr("&Import plan…"), this);
    importButton->setObjectName(QStringLiteral("importPlan"));
    importButton->setToolTip(tr("Load an edited plan.csv: its actions and approvals replace "
                                "the ones on this page."));
    connect(importButton, &QPushButton::clicked, this, &ReviewPage::askImportPath);
    bulkRow->addWidget(actionButton);
    bulkRow->addWidget(approve);
    bulkRow->addWidget(withdraw);
    bulkRow->addStretch(1);
    bulkRow->addWidget(exportButton);
    bulkRow->addWidget(importButton);
    layout->addLayout(bulkRow);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("reviewSummary"));
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("reviewMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preflight = new QLabel(this);
    m_preflight->setObjectName(QStringLiteral("reviewPreflight"));
    m_preflight->setWordWrap(true);
    m_preflight->setStyleSheet(QStringLiteral("color:#8a5300"));
    m_preflight->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_preflight);
    layout->addWidget(m_summary);
    layout->addWidget(m_message);

    connect(m_ctx->findings(), &FindingTableModel::choicesChanged, this,
            &ReviewPage::updateSummary);
    connect(m_ctx->findings(), &FindingTableModel::modelReset, this, &ReviewPage::rebuildChips);
    connect(m_ctx->findings(), &FindingTableModel::modelReset, this,
            [this] { m_savedDecisions = decisions(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReviewPage::showDetails);
    connect(m_ctx->findings(), &FindingTableModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
                if (current.isValid() && current.row() >= topLeft.row() &&
                    current.row() <= bottomRight.row())
                    showDetails();
            });
    // A filter or a new order changes only how many rows show, not what will run.
    connect(m_proxy, &FindingFilterProxy::filterChanged, this, &ReviewPage::showSummary);
    connect(m_proxy, &FindingFilterProxy::busyChanged, this, &ReviewPage::showSummary);
}

void ReviewPage::initializePage()
{
    const int runs = int(m_ctx->runs().size());
    setSubTitle(runs == 0 ? tr("Check each finding and choose what to do. Flagged rows run only "
                               "after you approve them. Nothing has been changed yet.")
                          : tr("A new plan from the latest scan, which already shows what the "
                               "%n earlier run(s) of this session changed (their results stay "
                               "on the Summary page). Flagged rows run only after you approve "
                               "them.",
                               nullptr, runs));
    rebuildChips();
    updateSummary();
    m_message->clear();
    if (m_proxy->rowCount() > 0 && !m_view->currentIndex().isValid())
        m_view->setCurrentIndex(m_proxy->index(0, 0));
    m_view->setFocus();
}

bool ReviewPage::isComplete() const
{
    return !m_planJob && m_ctx->findings()->executableCount() > 0;
}

void ReviewPage::rebuildChips()
{
    auto *layout = static_cast<FlowLayout *>(m_chipBar->layout());
    for (QToolButton *chip : std::as_const(m_chips)) {
        layout->removeWidget(chip);
        delete chip;
    }
    m_chips.clear();
    const FindingTableModel *model = m_ctx->findings();
    const QLocale locale;
    int position = 1;
    for (Category c : allCategories()) {
        const int n = model->countByCategory(c);
        if (n == 0)
            continue;
        auto *chip = new QToolButton(m_chipBar);
        chip->setObjectName(u"chip_" + categoryName(c));
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        chip->setText(QStringLiteral("%1  %2").arg(categoryTitle(c), locale.toString(n)));
        chip->setAccessibleName(tr("Show %1 (%2 rows)").arg(categoryTitle(c), locale.toString(n)));
        chip->setToolTip(tr("Show only “%1” rows (%2). Click several chips to combine them.")
                             .arg(categoryTitle(c), categoryName(c)));
        const Severity s = baseSeverityFor(c);
        const char *colour = s == Severity::Conflict  ? "#fbe3e1"
                             : s == Severity::Warning ? "#fff1d6"
                                                      : "#e6f0fa";
        chip->setStyleSheet(QStringLiteral("QToolButton { background:%1; border:1px solid #c8c8c8;"
                                           " border-radius:9px; padding:2px 8px; }"
                                           " QToolButton:checked { border:2px solid #1f5fa8; }")
                                .arg(QLatin1StringView(colour)));
        connect(chip, &QToolButton::toggled, this, &ReviewPage::onChipToggled);
        layout->insertWidget(position++, chip);
        m_chips.insert(int(c), chip);
    }
    m_allChip->setText(tr("All  %1").arg(locale.toString(model->rowCount())));
    // Tab order follows what is on screen: the chips, in their order, before the filters.
    QWidget *previous = m_allChip;
    for (Category c : allCategories())
        if (QToolButton *chip = m_chips.value(int(c))) {
            setTabOrder(previous, chip);
            previous = chip;
        }
    setTabOrder(previous, m_syncErrorChip);
    setTabOrder(m_syncErrorChip, m_search);
    int withSyncErrors = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        withSyncErrors += !model->finding(r).syncErrors.isEmpty();
    m_syncErrorChip->setText(tr("Has sync error  %1").arg(locale.toString(withSyncErrors)));
    m_syncErrorChip->setAccessibleName(
        tr("Show rows with a sync error (%1 rows)").arg(locale.toString(withSyncErrors)));
    m_syncErrorChip->setVisible(withSyncErrors > 0);
    if (withSyncErrors == 0)
        m_syncErrorChip->setChecked(false);
    onChipToggled();
}

void ReviewPage::onChipToggled()
{
    QSet<Category> selected;
    for (auto it = m_chips.cbegin(); it != m_chips.cend(); ++it)
        if (it.value()->isChecked())
            selected.insert(Category(it.key()));
    m_allChip->setChecked(selected.isEmpty());
    m_proxy->setCategories(selected);
}

void ReviewPage::setSearchText(const QString &text)
{
    m_search->setText(text);
}

int ReviewPage::setActionOnSelection(Action action)
{
    const QList<int> rows = m_proxy->sourceRows(m_view->selectionModel()->selectedRows());
    const int changed = m_ctx->findings()->setActionForRows(rows, action);
    const QString title = FindingTableModel::actionTitle(action);
    if (changed == 0)
        m_message->setText(
            rows.isEmpty()
                ? tr("Select rows first.")
                : tr("Nothing changed: the selected rows already have “%1” or do not allow it.")
                      .arg(title));
    else
        m_message->setText(tr("“%1” set on %n row(s)", nullptr, changed).arg(title) +
                           (changed < rows.size()
                                ? tr("; %n selected row(s) do not allow it or had it already.",
                                     nullptr, int(rows.size()) - changed)
                                : QStringLiteral(".")));
    return changed;
}

void ReviewPage::fillActionMenu()
{
    m_actionMenu->clear();
    const QList<int> rows = m_proxy->sourceRows(m_view->selectionModel()->selectedRows());
    const FindingTableModel *model = m_ctx->findings();
    // Per action: how many selected rows allow it and do not have it yet.
    QHash<int, int> applicable;
    for (int row : rows) {
        const Finding &f = model->finding(row);
        for (Action a : f.allowedActions)
            if (a != f.action)
                ++applicable[int(a)];
    }
    for (Action a : allActions()) {
        const int n = applicable.value(int(a));
        if (n == 0)
            continue; // not offered: no selected row allows it (or all have it)
        m_actionMenu->addAction(
            tr("%1 (%n row(s))", nullptr, n).arg(FindingTableModel::actionTitle(a)), this,
            [this, a] { setActionOnSelection(a); });
    }
    if (m_actionMenu->isEmpty())
        m_actionMenu
            ->addAction(rows.isEmpty() ? tr("Select rows first")
                                       : tr("No other action is allowed for the selected rows"))
            ->setEnabled(false);
}

int ReviewPage::approveSelection(bool approved)
{
    const QList<int> rows = m_proxy->sourceRows(m_view->selectionModel()->selectedRows());
    const int changed = m_ctx->findings()->setApprovedForRows(rows, approved);
    m_message->setText(approved ? tr("%n row(s) approved.", nullptr, changed)
                                : tr("Approval withdrawn from %n row(s).", nullptr, changed));
    return changed;
}

void ReviewPage::updateSummary()
{
    const FindingTableModel *model = m_ctx->findings();
    const QLocale locale;
    QStringList parts;
    for (Action a : ActionList) {
        const int n = a == Action::None ? 0 : model->countByAction(a);
        if (n > 0)
            parts << QStringLiteral("%1 × %2").arg(locale.toString(n),
                                                   FindingTableModel::actionTitle(a));
    }
    QString text = parts.isEmpty() ? tr("No change will run yet.")
                                   : tr("Will run: %1.").arg(parts.join(QStringLiteral(", ")));
    if (const int pending = model->pendingApprovalCount(); pending > 0)
        text += u' ' + tr("%n flagged row(s) wait for your approval.", nullptr, pending);
    m_choicesSummary = text;
    showSummary();
    const QStringList preflight =
        Reconciler::tenantPreflight(m_ctx->cloudSnapshot(), model->plan().rows());
    m_preflight->setText(preflight.isEmpty() ? QString()
                                             : u"⚠ " + preflight.join(QStringLiteral("\n⚠ ")));
    m_preflight->setVisible(!preflight.isEmpty());
    emit completeChanged();
}

void ReviewPage::showSummary()
{
    const QLocale locale;
    const int rows = m_ctx->findings()->rowCount();
    m_summary->setText(
        m_choicesSummary + u' ' +
        (m_proxy->isBusy()
             ? tr("Sorting and filtering %1 rows…").arg(locale.toString(rows))
             : tr("Showing %1 of %2 rows.")
                   .arg(locale.toString(m_proxy->rowCount()), locale.toString(rows))));
}

QString ReviewPage::preflightText() const
{
    return m_preflight->text();
}

QString ReviewPage::summaryText() const
{
    return m_summary->text();
}

QList<QPair<Action, bool>> ReviewPage::decisions() const
{
    QList<QPair<Action, bool>> list;
    const QList<Finding> &rows = m_ctx->findings()->findings();
    list.reserve(rows.size());
    for (const Finding &f : rows)
        list.append({f.action, f.approved});
    return list;
}

bool ReviewPage::hasUnsavedDecisions() const
{
    return decisions() != m_savedDecisions;
}

void ReviewPage::saveLayout(QSettings &settings) const
{
    settings.setValue(QStringLiteral("review/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("review/columns"), m_view->horizontalHeader()->saveState());
}

void ReviewPage::restoreLayout(const QSettings &settings)
{
    const bool splitter =
        m_splitter->restoreState(settings.value(QStringLiteral("review/splitter")).toByteArray());
    QHeaderView *header = m_view->horizontalHeader();
    const QByteArray columns = settings.value(QStringLiteral("review/columns")).toByteArray();
    // A state saved for another set of columns is refused by restoreState.
    const bool restored = !columns.isEmpty() && header->restoreState(columns);
    m_layoutSet = splitter && restored;
}

void ReviewPage::showEvent(QShowEvent *event)
{
    QWizardPage::showEvent(event);
    if (!m_layoutSet) {
        m_layoutSet = true;
        applyDefaultLayout();
    }
}

void ReviewPage::applyDefaultLayout()
{
    if (layout())
        layout()->activate();
    const int total = m_splitter->width();
    // The detail pane takes about a quarter; the table the rest.
    const int details = qBound(240, total * 24 / 100, 460);
    m_splitter->setSizes({total - details - m_splitter->handleWidth(), details});
    // Wide enough for whole category titles and actions where there is room (1280 and
    // up); tighter at 1024 so that Action and Approved ("needs approval") still show.
    const bool roomy = total - details >= 900;
    m_view->setColumnWidth(int(Column::Category), roomy ? 185 : 125);
    m_view->setColumnWidth(int(Column::OnPremUpn), roomy ? 180 : 155);
    m_view->setColumnWidth(int(Column::CloudUpn), roomy ? 180 : 155);
    m_view->setColumnWidth(int(Column::Action), roomy ? 225 : 165);
    m_view->setColumnWidth(int(Column::Approval), 120);
}

void ReviewPage::showDetails()
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const Finding &f = m_ctx->findings()->finding(current.row());
    const QList<OnPremUser> &onPremUsers = m_ctx->onPremUsers();
    const CloudSnapshot &snapshot = m_ctx->cloudSnapshot();
    const OnPremUser *onPrem = f.onPremIndex >= 0 && f.onPremIndex < onPremUsers.size()
                                   ? &onPremUsers.at(f.onPremIndex)
                                   : nullptr;
    if (onPrem && onPrem->dn != f.onPremDn)
        onPrem = nullptr; // an imported plan: the indexes belong to another scan
    const CloudUser *cloud = f.cloudIndex >= 0 && f.cloudIndex < snapshot.users.size()
                                 ? &snapshot.users.at(f.cloudIndex)
                                 : nullptr;
    if (cloud && cloud->id != f.cloudId)
        cloud = nullptr;
    const CloudUser *holder = nullptr;
    for (const CloudUser &d : snapshot.deletedUsers)
        if (!f.deletedHolderId.isEmpty() && d.id == f.deletedHolderId)
            holder = &d;
    m_details->setHtml(FindingDetails::html(
        f, onPrem, cloud, holder, m_ctx->cloudSettings().graphUrl, snapshot.initialDomain()));
}

void ReviewPage::exportPlan(const QString &path)
{
    if (m_planJob)
        return;
    // The saved plan names its tenant and scan time, as `anchorfix scan` writes it: apply
    // refuses it in another tenant, and a second person's approval seals the tenant too.
    Plan plan = m_ctx->findings()->plan();
    if (plan.tenantId().isEmpty())
        plan.setScan(m_ctx->cloudSnapshot().tenantId, m_ctx->cloudSnapshot().scannedAt);
    Job *job = m_ctx->services()->savePlan(plan, path);
    connect(job, &Job::finished, this, [this, path](Job *j) {
        const bool ok = j->error() == Job::NoError;
        if (ok)
            m_savedDecisions = decisions();
        onPlanJobFinished(ok, ok ? tr("Plan saved to %1.").arg(path) : j->errorString());
    });
    startPlanJob(job, tr("Saving plan…"));
}

void ReviewPage::importPlan(const QString &path)
{
    if (m_planJob)
        return;
    ValueJob<Plan> *job = m_ctx->services()->loadPlan(path);
    connect(job, &Job::finished, this, [this, job, path] {
        const bool ok = job->error() == Job::NoError;
        if (ok) {
            m_ctx->findings()->setPlan(job->value());
            m_ctx->setPlanFile(path); // its approvals file, if any, decides at Execute
        }
        onPlanJobFinished(ok, ok ? tr("Plan loaded from %1.").arg(path) : job->errorString());
    });
    startPlanJob(job, tr("Loading plan…"));
}

void ReviewPage::startPlanJob(Job *job, const QString &status)
{
    m_planJob = job;
    m_exportButton->setEnabled(false);
    m_importButton->setEnabled(false);
    m_message->setText(status);
    emit completeChanged();
    job->start();
}

void ReviewPage::onPlanJobFinished(bool ok, const QString &message)
{
    m_planJob = nullptr;
    m_exportButton->setEnabled(true);
    m_importButton->setEnabled(true);
    m_message->setText(message);
    emit completeChanged();
    emit planFileFinished(ok, message);
}

void ReviewPage::askExportPath()
{
    auto *dialog = new QFileDialog(this, tr("Export plan"), RunFiles::planIn(m_ctx->outputFolder()),
                                   tr("Plans (*.csv)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    connect(dialog, &QFileDialog::fileSelected, this, &ReviewPage::exportPlan);
    dialog->open();
}

void ReviewPage::askImportPath()
{
    auto *dialog =
        new QFileDialog(this, tr("Import plan"), m_ctx->outputFolder(), tr("Plans (*.csv)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &ReviewPage::importPlan);
    dialog->open();
}
