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

    // Cancel and the window's close button: refused while changes are being sent (the
    // page says to pause or cancel the run first); otherwise closes.
    void reject() override;

protected:
    void done(int result) override;

private:
    void saveGeometry();

    WizardContext *m_ctx;
    ConnectPage *m_connect;
    ScanPage *m_scan;
    ReviewPage *m_review;
    ExecutePage *m_execute;
    SummaryPage *m_summary;
};
