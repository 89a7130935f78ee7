#pragma once

#include <QWizard>

class ConnectPage;
class ExecutePage;
class ReviewPage;
class ScanPage;
class SummaryPage;
class WizardContext;

// The wizard frame: Connect → Scan → Review → Execute → Summary. It owns nothing but
// its pages; the context (services, settings, results) is passed in. The window's
// geometry is remembered in the context's settings. accept() only closes.
class AnchorfixWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { Connect, Scan, Review, Execute, Summary };

    explicit AnchorfixWizard(WizardContext *context, QWidget *parent = nullptr);

    WizardContext *context() const { return m_ctx; }
    ConnectPage *connectPage() const { return m_connect; }
    ScanPage *scanPage() const { return m_scan; }
    ReviewPage *reviewPage() const { return m_review; }
    ExecutePage *executePage() const { return m_execute; }
    SummaryPage *summaryPage() const { return m_summary; }

    // Cancel and the window's close button. While changes (or a rollback) are being sent
    // the window stays and closes once they have stopped, as the page then says. With
    // review decisions that are neither run nor exported, asks first (a window-modal
    // box, objectName "unsavedDecisions").
    void reject() override;

    // The ways on from the Summary page. Scan again: back to the Scan page, which reads
    // both sides anew; Next then leads to a new plan and a new run. Retry: the failed
    // rows of run runIndex become the plan, and the Execute page asks to confirm them.
    void scanAgain();
    void retryFailed(int runIndex);

protected:
    void done(int result) override;

private:
    void saveGeometry();
    void goBackTo(int pageId);
    void closeWhenStopped();

    WizardContext *m_ctx;
    ConnectPage *m_connect;
    ScanPage *m_scan;
    ReviewPage *m_review;
    ExecutePage *m_execute;
    SummaryPage *m_summary;
    bool m_closeRequested = false;
};
