#include "scanpage.h"

#include "findingtablemodel.h"
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
}

ScanPage::~ScanPage()
{
    // Stop the scan without hearing back; a running comparison works on its own copy of
    // the inputs and its result is simply dropped.
    if (m_job) {
        m_job->disconnect(this);
        m_job->cancel();
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
    return !m_job.isNull();
}

QString ScanPage::statusText() const
{
    return m_status->text();
}

void ScanPage::startScan()
{
    if (isRunning())
        return;
    m_complete = false;
    m_errors.clear();
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

    WizardServices *services = m_ctx->services();
    const OnPremSettings onPrem = m_ctx->onPremSettings();
    const CloudSettings cloud = m_ctx->cloudSettings();
    auto *job = new ScanJob([services, onPrem] { return services->scanOnPrem(onPrem); },
                            [services, cloud] { return services->scanCloud(cloud); },
                            onPrem.anchorRule, this);
    m_job = job;
    connect(job, &Job::progressChanged, this, [this](const JobProgress &p) {
        if (p.part < 0)
            return;
        const bool onPremSide = p.part == int(ScanJob::Side::OnPrem);
        const JobPartProgress &side = p.parts.at(p.part);
        showProgress(onPremSide ? m_onPremBar : m_cloudBar, side.done, side.total);
        (onPremSide ? m_onPremLabel : m_cloudLabel)
            ->setText(countText(side.done, side.total, tr("users read")));
    });
    connect(job, &ScanJob::sideInfoMessage, this, [this](ScanJob::Side side, const QString &text) {
        if (side == ScanJob::Side::Cloud)
            m_cloudLabel->setText(text);
    });
    connect(job, &ScanJob::sideFinished, this, &ScanPage::onSideFinished);
    connect(job, &ScanJob::reconcileStarted, this, [this] { m_status->setText(tr("Comparing…")); });
    connect(job, &Job::finished, this, &ScanPage::onScanFinished);
    job->start();
}

void ScanPage::cancelScan()
{
    // Both sides finish (as Cancelled) through onSideFinished, then the scan.
    if (m_job)
        m_job->cancel();
}

void ScanPage::onSideFinished(ScanJob::Side side)
{
    const bool onPremSide = side == ScanJob::Side::OnPrem;
    QProgressBar *bar = onPremSide ? m_onPremBar : m_cloudBar;
    QLabel *label = onPremSide ? m_onPremLabel : m_cloudLabel;
    bar->setRange(0, 1);
    if (m_job->sideError(side) == Job::NoError) {
        bar->setValue(1);
        if (onPremSide) {
            const OnPremScan &scan = m_job->onPremScan();
            m_ctx->setOnPremUsers(scan.users);
            QString text = tr("%1 users read from %2")
                               .arg(QLocale().toString(qsizetype(scan.users.size())),
                                    m_ctx->onPremSettings().describe());
            if (!scan.warnings.isEmpty())
                text += u' ' + tr("(%n warning(s) below)", nullptr, int(scan.warnings.size()));
            label->setText(text);
            addWarnings(tr("On-premises"), scan.warnings);
        } else {
            const CloudSnapshot &snapshot = m_job->cloudScan().snapshot;
            m_ctx->setCloudSnapshot(snapshot);
            label->setText(tr("%1 users, %2 in the recycle bin, %3 domains")
                               .arg(QLocale().toString(qsizetype(snapshot.users.size())),
                                    QLocale().toString(qsizetype(snapshot.deletedUsers.size())),
                                    QLocale().toString(qsizetype(snapshot.domains.size()))));
            addWarnings(tr("Entra ID"), m_job->cloudScan().warnings);
        }
        return;
    }
    bar->setValue(0);
    // Cancelled because the other side failed: say so, not "Cancelled."
    const bool cancelled = m_job->sideError(side) == Job::Cancelled;
    if (m_job->sideStoppedByOther(side)) {
        label->setText(onPremSide ? tr("Stopped: the Entra ID side failed, see below.")
                                  : tr("Stopped: the on-premises side failed, see below."));
        return;
    }
    label->setText(cancelled ? tr("Cancelled.") : m_job->sideErrorString(side));
    const QString text = cancelled    ? tr("The scan was cancelled.")
                         : onPremSide ? tr("On-premises: %1").arg(m_job->sideErrorString(side))
                                      : tr("Entra ID: %1").arg(m_job->sideErrorString(side));
    if (!m_errors.contains(text))
        m_errors.append(text);
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

void ScanPage::onScanFinished()
{
    ScanJob *job = m_job;
    m_job = nullptr;
    if (!job)
        return;
    if (job->error() != Job::NoError) {
        // Cancelled before a side began: no side said anything yet.
        const bool cancelled = job->error() == Job::Cancelled;
        for (ScanJob::Side side : {ScanJob::Side::OnPrem, ScanJob::Side::Cloud}) {
            if (!job->isSideDone(side)) {
                QProgressBar *bar = side == ScanJob::Side::OnPrem ? m_onPremBar : m_cloudBar;
                bar->setRange(0, 1);
                bar->setValue(0);
                (side == ScanJob::Side::OnPrem ? m_onPremLabel : m_cloudLabel)
                    ->setText(cancelled ? tr("Cancelled.") : job->errorString());
            }
        }
        if (m_errors.isEmpty())
            m_errors.append(cancelled ? tr("The scan was cancelled.") : job->errorString());
        endWithError(m_errors.join(u'\n'));
        return;
    }
    QList<Finding> findings = job->value().findings;
    const qsizetype n = findings.size();
    m_ctx->findings()->setFindings(std::move(findings));
    m_ctx->setPlanFile(QString()); // a scan's findings come from no file: no approvals
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
