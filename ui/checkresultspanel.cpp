#include "checkresultspanel.h"

#include "findingtablemodel.h"
#include "wizardcontext.h"

#include <QColor>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTime>
#include <QVBoxLayout>

#include <memory>

namespace {

constexpr AuditResult Joined = AuditResult::Joined;
constexpr AuditResult Waiting = AuditResult::WaitingForSync;
constexpr AuditResult SyncError = AuditResult::SyncError;

QString showTime(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

} // namespace

CheckResultsPanel::CheckResultsPanel(WizardContext *context, QWidget *parent)
    : QWidget(parent), m_ctx(context)
{
    setObjectName(QStringLiteral("checkResults"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *buttons = new QHBoxLayout;
    m_check = new QPushButton(tr("C&heck results"), this);
    m_check->setObjectName(QStringLiteral("checkResultsButton"));
    m_check->setToolTip(tr("Read every user this run changed again and see whether the next "
                           "sync cycle joined it. Each check is added to the audit trail; run "
                           "it again after the next sync."));
    connect(m_check, &QPushButton::clicked, this, &CheckResultsPanel::check);
    m_sync = new QPushButton(tr("Si&mulate a sync cycle"), this);
    m_sync->setObjectName(QStringLiteral("simulateSync"));
    m_sync->setToolTip(tr("Practice tenant only: run one Entra Connect sync cycle of the demo "
                          "directory now, as the scheduler would every 30 minutes."));
    connect(m_sync, &QPushButton::clicked, this, &CheckResultsPanel::simulateSync);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("checkProgress"));
    m_progress->setAccessibleName(tr("Check results progress"));
    m_progress->setFormat(QStringLiteral("%v / %m"));
    m_progress->hide();
    buttons->addWidget(m_check);
    buttons->addWidget(m_sync);
    buttons->addWidget(m_progress, 1);
    buttons->addStretch(0);
    layout->addLayout(buttons);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("checkStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("checkTable"));
    m_table->setAccessibleName(tr("Result of each change after the sync"));
    m_table->setHorizontalHeaderLabels({tr("User"), tr("Action"), tr("After the sync"), tr("Why")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setColumnWidth(0, 220);
    m_table->setColumnWidth(1, 190);
    m_table->setColumnWidth(2, 130);
    m_table->hide();
    layout->addWidget(m_table, 1);
    updateButtons();
}

CheckResultsPanel::~CheckResultsPanel()
{
    // A check in flight ends after its request; the rows it read are in the audit trail.
    if (m_job)
        m_job->cancel();
}

QString CheckResultsPanel::resultTitle(AuditResult result)
{
    if (result == Joined)
        return tr("Joined");
    if (result == Waiting)
        return tr("Waiting for sync");
    if (result == SyncError)
        return tr("Sync error");
    return auditResultName(result);
}

QString CheckResultsPanel::statusText() const
{
    return m_status->text();
}

void CheckResultsPanel::setAuditPath(const QString &path)
{
    if (path == m_auditPath)
        return;
    m_auditPath = path;
    const auto it = m_checks.constFind(path);
    if (it != m_checks.cend()) {
        show(*it);
    } else {
        m_table->setRowCount(0);
        m_table->hide();
    }
    m_status->setText(m_statuses.value(
        path, tr("After the next sync cycle (every 30 minutes by default), Check results reads "
                 "the changed users again and shows, for each, whether Entra Connect joined it, "
                 "is still waiting, or reports a sync error.")));
    updateButtons();
}

void CheckResultsPanel::updateButtons()
{
    const bool busy = isBusy();
    m_check->setEnabled(!busy && !m_auditPath.isEmpty() && QFileInfo(m_auditPath).isFile());
    m_sync->setVisible(m_ctx->services()->canSimulateSync());
    m_sync->setEnabled(!busy);
}

void CheckResultsPanel::setBusy(Job *job)
{
    m_job = job;
    m_progress->setVisible(job != nullptr);
    updateButtons();
    emit busyChanged(job != nullptr);
}

void CheckResultsPanel::check()
{
    if (isBusy() || m_auditPath.isEmpty())
        return;
    const QString path = m_auditPath;
    if (!QFileInfo(path).isFile()) {
        m_status->setText(tr("%1 does not exist: choose the audit.csv of a run.")
                              .arg(QDir::toNativeSeparators(path)));
        return;
    }
    if (!m_ctx->services()->isSignedIn()) {
        m_status->setText(tr("Sign in to the tenant on the Connect page first: Check results "
                             "reads the changed users from Entra ID."));
        return;
    }
    ValueJob<ResultCheck> *job = m_ctx->services()->checkResults(path);
    m_progress->setRange(0, 0); // busy until the number of changes is known
    m_status->setText(tr("Reading the changed users…"));
    setBusy(job);
    connect(job, &Job::progressChanged, this, [this](const JobProgress &p) {
        if (p.total > 0) {
            m_progress->setRange(0, int(p.total));
            m_progress->setValue(int(p.done));
        }
    });
    auto note = std::make_shared<QString>();
    connect(job, &Job::infoMessage, this, [note](const QString &text) { *note = text; });
    connect(job, &Job::finished, this, [this, job, path, note] {
        setBusy(nullptr);
        QString text;
        if (job->error() != Job::NoError) {
            text = job->errorString();
        } else {
            ResultCheck check = job->value();
            m_checks.insert(path, check);
            if (check.changes.isEmpty()) {
                text = note->isEmpty() ? tr("This run changed no user: nothing to check.") : *note;
            } else {
                const QLocale locale;
                text = tr("Checked at %1: %2 joined, %3 waiting for sync, %4 with a sync error.")
                           .arg(locale.toString(QTime::currentTime(), QLocale::ShortFormat))
                           .arg(check.count(Joined))
                           .arg(check.count(Waiting))
                           .arg(check.count(SyncError));
                if (check.tenantLastSync.isValid())
                    text +=
                        u' ' + tr("The tenant last synced at %1; the next sync is expected around "
                                  "%2.")
                                   .arg(showTime(check.tenantLastSync),
                                        showTime(check.tenantLastSync.addSecs(
                                            qint64(check.syncIntervalMinutes) * 60)));
                else
                    text += u' ' + tr("The tenant has not synced yet.");
                if (check.count(Joined) < check.changes.size())
                    text += u' ' + tr("Check again after the next sync.");
            }
            if (path == m_auditPath)
                show(check);
        }
        text += u' ' + tr("The rows were added to %1.").arg(QDir::toNativeSeparators(path));
        m_statuses.insert(path, text);
        if (path == m_auditPath)
            m_status->setText(text);
        emit checked(job->error() == Job::NoError);
    });
    job->start();
}

void CheckResultsPanel::show(const ResultCheck &check)
{
    m_table->setRowCount(int(check.changes.size()));
    for (int row = 0; row < check.changes.size(); ++row) {
        const CheckedChange &c = check.changes.at(row);
        m_table->setItem(row, 0, new QTableWidgetItem(c.user));
        const std::optional<Action> action = rowActionOf(c.action);
        m_table->setItem(row, 1,
                         new QTableWidgetItem(action ? FindingTableModel::actionTitle(*action)
                                                     : auditActionName(c.action)));
        auto *result = new QTableWidgetItem(resultTitle(c.result));
        // The audit word (joined, waiting_for_sync, sync_error), as in audit.csv.
        result->setData(Qt::UserRole, auditResultName(c.result));
        result->setForeground(c.result == Joined      ? QColor(0x1b, 0x7f, 0x3b)
                              : c.result == SyncError ? QColor(0xb3, 0x26, 0x1e)
                                                      : QColor(0x8a, 0x53, 0x00));
        m_table->setItem(row, 2, result);
        auto *why = new QTableWidgetItem(c.message);
        why->setToolTip(c.message);
        m_table->setItem(row, 3, why);
    }
    m_table->setVisible(!check.changes.isEmpty());
}

void CheckResultsPanel::simulateSync()
{
    if (isBusy())
        return;
    Job *job = m_ctx->services()->simulateSync();
    if (!job)
        return;
    m_progress->setRange(0, 0);
    m_status->setText(tr("Running a simulated sync cycle on the practice tenant…"));
    setBusy(job);
    auto note = std::make_shared<QString>();
    connect(job, &Job::infoMessage, this, [note](const QString &text) { *note = text; });
    connect(job, &Job::finished, this, [this, job, note] {
        setBusy(nullptr);
        m_status->setText(job->error() != Job::NoError
                              ? job->errorString()
                              : *note + u' ' + tr("Press Check results to see what it did."));
    });
    job->start();
}
