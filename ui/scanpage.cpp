#include "scanpage.h"

#include "findingtablemodel.h"
#include "reconciler.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {

QString countText(qint64 done, qint64 total, const QString &unit)
{
    const QLocale locale;
    if (total > 0)
        return QObject::tr("%1 of %2 %3").arg(locale.toString(done), locale.toString(total), unit);
    return QObject::tr("%1 %2").arg(locale.toString(done), unit);
}

void showProgress(QProgressBar *bar, qint64 done, qint64 total)
{
    if (total > 0) {
        bar->setRange(0, 1000);
        bar->setValue(int(qBound(qint64(0), done * 1000 / total, qint64(1000))));
    } else {
        bar->setRange(0, 0); // busy
    }
}

} // namespace

ScanPage::ScanPage(WizardContext *context, QWidget *parent) : QWizardPage(parent), m_ctx(context)
{
    setTitle(tr("Scan"));
    setSubTitle(tr("Reading users from both sides. This only reads; you can cancel at any time."));
    auto *layout = new QVBoxLayout(this);

    auto *onPremBox = new QGroupBox(tr("On-premises"), this);
    auto *onPremLayout = new QVBoxLayout(onPremBox);
    m_onPremBar = new QProgressBar(onPremBox);
    m_onPremBar->setObjectName(QStringLiteral("onPremProgress"));
    m_onPremBar->setTextVisible(false);
    m_onPremBar->setAccessibleName(tr("On-premises scan progress"));
    m_onPremLabel = new QLabel(onPremBox);
    m_onPremLabel->setObjectName(QStringLiteral("onPremCount"));
    m_onPremLabel->setWordWrap(true);
    onPremLayout->addWidget(m_onPremBar);
    onPremLayout->addWidget(m_onPremLabel);
    layout->addWidget(onPremBox);

    auto *cloudBox = new QGroupBox(tr("Entra ID"), this);
    auto *cloudLayout = new QVBoxLayout(cloudBox);
    m_cloudBar = new QProgressBar(cloudBox);
    m_cloudBar->setObjectName(QStringLiteral("cloudProgress"));
    m_cloudBar->setTextVisible(false);
    m_cloudBar->setAccessibleName(tr("Entra ID scan progress"));
    m_cloudLabel = new QLabel(cloudBox);
    m_cloudLabel->setObjectName(QStringLiteral("cloudCount"));
    m_cloudLabel->setWordWrap(true);
    cloudLayout->addWidget(m_cloudBar);
    cloudLayout->addWidget(m_cloudLabel);
    layout->addWidget(cloudBox);

    m_warnings = new QPlainTextEdit(this);
    m_warnings->setObjectName(QStringLiteral("scanWarnings"));
    m_warnings->setReadOnly(true);
    m_warnings->setMaximumBlockCount(5000);
    m_warnings->setPlaceholderText(tr("Warnings of the scan appear here."));
    m_warnings->setToolTip(tr("Entries the scan read but could not use, and what was left out."));
    m_warnings->setAccessibleName(tr("Scan warnings"));
    m_warnings->hide();

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("scanStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *buttons = new QHBoxLayout;
    m_cancel = new QPushButton(tr("&Cancel scan"), this);
    m_cancel->setObjectName(QStringLiteral("cancelScan"));
    m_cancel->setToolTip(tr("Stop reading both sides. Nothing has been changed."));
    m_again = new QPushButton(tr("Scan &again"), this);
    m_again->setObjectName(QStringLiteral("scanAgain"));
    m_again->setToolTip(tr("Read both sides again with the same settings."));
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_again);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    layout->addWidget(m_warnings, 1);
    layout->addStretch(0);

    connect(m_cancel, &QPushButton::clicked, this, &ScanPage::cancelScan);
    connect(m_again, &QPushButton::clicked, this, &ScanPage::startScan);
    connect(&m_reconcile, &QFutureWatcher<QList<Finding>>::finished, this, &ScanPage::onReconciled);
}

ScanPage::~ScanPage()
{
    // Stop the reads without hearing back; a running diff works on its own copy of the
    // inputs and its result is simply dropped.
    for (Job *job :
         {static_cast<Job *>(m_onPremJob.data()), static_cast<Job *>(m_cloudJob.data())}) {
        if (job) {
            job->disconnect(this);
            job->cancel();
        }
    }
}

void ScanPage::initializePage()
{
    startScan();
}

void ScanPage::cleanupPage()
{
    cancelScan();
}

bool ScanPage::isComplete() const
{
    return m_complete;
}

bool ScanPage::isRunning() const
{
    return m_onPremJob || m_cloudJob || m_reconcile.isRunning();
}

QString ScanPage::statusText() const
{
    return m_status->text();
}

void ScanPage::startScan()
{
    if (isRunning())
        return;
    m_onPremDone = m_cloudDone = m_complete = m_failed = m_ended = m_onPremScoped = false;
    m_errors.clear();
    m_stoppedBecause.clear();
    m_warningLines.clear();
    m_warnings->clear();
    m_warnings->hide();
    emit completeChanged();
    m_status->setText(tr("Scanning…"));
    m_cancel->setEnabled(true);
    m_again->setEnabled(false);
    showProgress(m_onPremBar, 0, 0);
    showProgress(m_cloudBar, 0, 0);
    m_onPremLabel->setText(tr("Connecting to %1…").arg(m_ctx->onPremSettings().describe()));
    m_cloudLabel->setText(tr("Connecting to %1…").arg(m_ctx->cloudSettings().describe()));

    auto *onPrem = m_ctx->services()->scanOnPrem(m_ctx->onPremSettings());
    m_onPremJob = onPrem;
    connect(onPrem, &Job::progressChanged, this, [this](qint64 done, qint64 total) {
        showProgress(m_onPremBar, done, total);
        m_onPremLabel->setText(countText(done, total, tr("users read")));
    });
    connect(onPrem, &Job::finished, this, &ScanPage::onOnPremFinished);

    auto *cloud = m_ctx->services()->scanCloud(m_ctx->cloudSettings());
    m_cloudJob = cloud;
    connect(cloud, &Job::progressChanged, this, [this](qint64 done, qint64 total) {
        showProgress(m_cloudBar, done, total);
        m_cloudLabel->setText(countText(done, total, tr("users read")));
    });
    connect(cloud, &Job::infoMessage, m_cloudLabel, &QLabel::setText);
    connect(cloud, &Job::finished, this, &ScanPage::onCloudFinished);

    onPrem->start();
    cloud->start();
}

void ScanPage::cancelScan()
{
    // Both finish (as Cancelled) through their finished() handlers.
    if (m_onPremJob)
        m_onPremJob->cancel();
    if (m_cloudJob)
        m_cloudJob->cancel();
}

void ScanPage::onOnPremFinished()
{
    auto *job = m_onPremJob.data();
    m_onPremJob = nullptr;
    m_onPremDone = true;
    if (!job)
        return;
    if (job->error() == Job::NoError) {
        m_ctx->setOnPremUsers(job->value().users);
        m_onPremScoped = job->value().scoped;
        m_onPremBar->setRange(0, 1);
        m_onPremBar->setValue(1);
        QString text = tr("%1 users read from %2")
                           .arg(QLocale().toString(qsizetype(job->value().users.size())),
                                m_ctx->onPremSettings().describe());
        if (!job->value().warnings.isEmpty())
            text += u' ' + tr("(%n warning(s) below)", nullptr, int(job->value().warnings.size()));
        m_onPremLabel->setText(text);
        addWarnings(tr("On-premises"), job->value().warnings);
    } else {
        m_onPremBar->setRange(0, 1);
        m_onPremBar->setValue(0);
        const bool stopped = job->error() == Job::Cancelled && !m_stoppedBecause.isEmpty();
        m_onPremLabel->setText(stopped                          ? m_stoppedBecause
                               : job->error() == Job::Cancelled ? tr("Cancelled.")
                                                                : job->errorString());
        if (!stopped)
            m_errors.append(job->error() == Job::Cancelled
                                ? tr("The scan was cancelled.")
                                : tr("On-premises: %1").arg(job->errorString()));
        m_failed = true;
        if (m_cloudJob) {
            m_stoppedBecause = tr("Stopped: the on-premises side failed, see below.");
            m_cloudJob->cancel(); // no point reading the other side
        }
    }
    maybeReconcile();
}

void ScanPage::onCloudFinished()
{
    auto *job = m_cloudJob.data();
    m_cloudJob = nullptr;
    m_cloudDone = true;
    if (!job)
        return;
    if (job->error() == Job::NoError) {
        const CloudSnapshot &snapshot = job->value().snapshot;
        m_ctx->setCloudSnapshot(snapshot);
        m_cloudBar->setRange(0, 1);
        m_cloudBar->setValue(1);
        m_cloudLabel->setText(tr("%1 users, %2 in the recycle bin, %3 domains")
                                  .arg(QLocale().toString(qsizetype(snapshot.users.size())),
                                       QLocale().toString(qsizetype(snapshot.deletedUsers.size())),
                                       QLocale().toString(qsizetype(snapshot.domains.size()))));
        addWarnings(tr("Entra ID"), job->value().warnings);
    } else {
        m_cloudBar->setRange(0, 1);
        m_cloudBar->setValue(0);
        // Cancelled because the other side failed: say so, not "Cancelled."
        const bool stopped = job->error() == Job::Cancelled && !m_stoppedBecause.isEmpty();
        m_cloudLabel->setText(stopped                          ? m_stoppedBecause
                              : job->error() == Job::Cancelled ? tr("Cancelled.")
                                                               : job->errorString());
        const QString text = job->error() == Job::Cancelled
                                 ? tr("The scan was cancelled.")
                                 : tr("Entra ID: %1").arg(job->errorString());
        if (!stopped && !m_errors.contains(text))
            m_errors.append(text);
        m_failed = true;
        if (m_onPremJob) {
            m_stoppedBecause = tr("Stopped: the Entra ID side failed, see below.");
            m_onPremJob->cancel();
        }
    }
    maybeReconcile();
}

void ScanPage::addWarnings(const QString &side, const QStringList &warnings)
{
    if (warnings.isEmpty())
        return;
    for (const QString &w : warnings) {
        m_warningLines.append(side + u": " + w);
        m_warnings->appendPlainText(m_warningLines.constLast());
    }
    m_warnings->show();
}

void ScanPage::maybeReconcile()
{
    // Cancelling one side from the other's handler finishes it inside that handler:
    // only the first call with both sides done goes on.
    if (!m_onPremDone || !m_cloudDone || m_ended)
        return;
    m_ended = true;
    if (m_failed) {
        endWithError(m_errors.join(u'\n'));
        return;
    }
    m_status->setText(tr("Comparing…"));
    ReconcileInput input;
    input.onPrem = m_ctx->onPremUsers();
    input.cloud = m_ctx->cloudSnapshot();
    input.anchorRule = m_ctx->onPremSettings().anchorRule;
    input.onPremScanScoped = m_onPremScoped; // the scan's own word (LdapConfig::isScoped)
    // The diff of 200k users takes longer than a frame: a worker thread does it.
    m_reconcile.setFuture(QtConcurrent::run([input] { return Reconciler::reconcile(input); }));
}

void ScanPage::onReconciled()
{
    QList<Finding> findings = m_reconcile.result();
    const qsizetype n = findings.size();
    m_ctx->findings()->setFindings(std::move(findings));
    m_complete = true;
    m_cancel->setEnabled(false);
    m_again->setEnabled(true);
    m_status->setText(tr("Done: %1 rows to review. Press Next.").arg(QLocale().toString(n)));
    emit completeChanged();
    emit scanEnded(true);
}

void ScanPage::endWithError(const QString &text)
{
    m_complete = false;
    m_cancel->setEnabled(false);
    m_again->setEnabled(true);
    m_status->setText(text);
    emit completeChanged();
    emit scanEnded(false);
}
