#include "anchorfixwizard.h"

#include "connectpage.h"
#include "executepage.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardcontext.h"

#include "findingtablemodel.h"

#include <QAbstractButton>
#include <QGuiApplication>
#include <QIcon>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initAnchorfixResources()
{
    Q_INIT_RESOURCE(anchorfix);
}

AnchorfixWizard::AnchorfixWizard(WizardContext *context, QWidget *parent)
    : QWizard(parent), m_ctx(context), m_connect(new ConnectPage(context, this)),
      m_scan(new ScanPage(context, this)), m_review(new ReviewPage(context, this)),
      m_execute(new ExecutePage(context, this)), m_summary(new SummaryPage(context, this))
{
    initAnchorfixResources();
    setObjectName(QStringLiteral("anchorfixWizard"));
    setWindowTitle(context->isDemo() ? tr("Anchorfix — demo (practice tenant)") : tr("Anchorfix"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/anchorfix.svg")));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setOption(QWizard::HaveHelpButton, false);
    setPixmap(QWizard::LogoPixmap, QIcon(QStringLiteral(":/icons/anchorfix.svg")).pixmap(48, 48));
    setPage(Connect, m_connect);
    setPage(Scan, m_scan);
    setPage(Review, m_review);
    setPage(Execute, m_execute);
    setPage(Summary, m_summary);
    setStartId(Connect);

    connect(m_summary, &SummaryPage::scanAgainRequested, this, &AnchorfixWizard::scanAgain);
    connect(m_summary, &SummaryPage::retryRequested, this, &AnchorfixWizard::retryFailed);
    connect(m_execute, &ExecutePage::runEnded, this, &AnchorfixWizard::closeWhenStopped);
    connect(m_summary, &SummaryPage::rollbackEnded, this, &AnchorfixWizard::closeWhenStopped);

    const QByteArray geometry =
        context->settings()->value(QStringLiteral("window/geometry")).toByteArray();
    // restoreGeometry() moves a window saved on a screen that is gone back into view.
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        // 1280×800 where it fits, else the available area less a margin for the frame.
        QSize size(1280, 800);
        if (const QScreen *screen = QGuiApplication::primaryScreen()) {
            const QRect available = screen->availableGeometry();
            size = size.boundedTo(available.size() - QSize(40, 60));
            resize(size.expandedTo(minimumSizeHint()).boundedTo(available.size()));
            move(available.center() - rect().center());
        } else {
            resize(size);
        }
    }
    m_review->restoreLayout(*context->settings());
}

void AnchorfixWizard::saveGeometry()
{
    m_ctx->settings()->setValue(QStringLiteral("window/geometry"), QWizard::saveGeometry());
    m_review->saveLayout(*m_ctx->settings());
}

void AnchorfixWizard::reject()
{
    if (m_execute->isRunning()) {
        m_closeRequested = true;
        m_execute->explainBusy();
        return;
    }
    if (m_summary->isRollbackRunning()) {
        m_closeRequested = true;
        m_summary->explainBusy();
        return;
    }
    const bool deciding =
        currentId() == Review || (currentId() == Execute && !m_execute->hasFinished());
    if (deciding && m_review->hasUnsavedDecisions()) {
        if (findChild<QMessageBox *>(QStringLiteral("unsavedDecisions")))
            return; // already asking
        auto *box = new QMessageBox(QMessageBox::Question, tr("Close Anchorfix?"),
                                    tr("Your decisions on the Review page (actions and "
                                       "approvals) are not saved and have not run. Closing "
                                       "now loses them."),
                                    QMessageBox::NoButton, this);
        box->setObjectName(QStringLiteral("unsavedDecisions"));
        box->setInformativeText(tr("Use Export plan on the Review page to keep them in a "
                                   "plan.csv."));
        box->setAttribute(Qt::WA_DeleteOnClose);
        QPushButton *discard =
            box->addButton(tr("&Close without saving"), QMessageBox::DestructiveRole);
        discard->setObjectName(QStringLiteral("discardDecisions"));
        QPushButton *keep = box->addButton(tr("&Keep reviewing"), QMessageBox::RejectRole);
        keep->setObjectName(QStringLiteral("keepReviewing"));
        box->setDefaultButton(keep);
        box->setEscapeButton(keep);
        connect(box, &QMessageBox::buttonClicked, this, [this, discard](QAbstractButton *b) {
            if (b == discard)
                QWizard::reject();
        });
        // Window-modal and non-blocking: the wizard never runs a nested event loop.
        box->open();
        return;
    }
    QWizard::reject();
}

void AnchorfixWizard::closeWhenStopped()
{
    if (m_closeRequested && !m_execute->isRunning() && !m_summary->isRollbackRunning()) {
        m_closeRequested = false;
        QWizard::reject();
    }
}

void AnchorfixWizard::goBackTo(int pageId)
{
    // QWizard::back() walks the history and cleans up each page left (the Execute page
    // forgets its finished run); the Back button's rule for commit pages does not apply.
    while (currentId() != pageId && visitedIds().contains(pageId))
        back();
}

void AnchorfixWizard::scanAgain()
{
    if (m_execute->isRunning() || m_summary->isRollbackRunning())
        return;
    goBackTo(Scan);
    m_scan->startScan();
}

void AnchorfixWizard::retryFailed(int runIndex)
{
    if (m_execute->isRunning() || m_summary->isRollbackRunning())
        return;
    const QList<WizardContext::Run> &runs = m_ctx->runs();
    if (runIndex < 0 || runIndex >= runs.size())
        return;
    QList<Finding> failed;
    for (const Finding &row : runs.at(runIndex).plan.rows())
        for (const ChangeOutcome &o : runs.at(runIndex).report.outcomes)
            if (o.rowId == row.rowId && o.status == ChangeStatus::Failed) {
                failed.append(row);
                break;
            }
    if (failed.isEmpty())
        return;
    // The failed rows are the plan now: the Execute page confirms exactly these.
    m_ctx->findings()->setFindings(failed);
    goBackTo(Execute);
    m_execute->prepare();
}

void AnchorfixWizard::done(int result)
{
    saveGeometry();
    QWizard::done(result);
}
