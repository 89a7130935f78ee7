#include "anchorfixwizard.h"

#include "connectpage.h"
#include "executepage.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardcontext.h"

#include <QIcon>
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

    const QByteArray geometry =
        context->settings()->value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1100, 720);
}

void AnchorfixWizard::saveGeometry()
{
    m_ctx->settings()->setValue(QStringLiteral("window/geometry"), QWizard::saveGeometry());
}

void AnchorfixWizard::reject()
{
    if (m_execute->isRunning()) {
        m_execute->explainBusy();
        return;
    }
    if (m_summary->isRollbackRunning()) {
        m_summary->explainBusy();
        return;
    }
    QWizard::reject();
}

void AnchorfixWizard::done(int result)
{
    saveGeometry();
    QWizard::done(result);
}
