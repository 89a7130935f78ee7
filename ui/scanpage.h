#pragma once

#include "scanjob.h"

#include <QPointer>
#include <QWizardPage>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class WizardContext;

// Step 2: runs the ScanJob (both sides at once, each with its own progress bar, then the
// comparison off the GUI thread) and shows it. Cancel stops both reads; "Scan again"
// restarts.
class ScanPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit ScanPage(WizardContext *context, QWidget *parent = nullptr);
    ~ScanPage() override;

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;

    void startScan();
    void cancelScan();
    bool isRunning() const;
    QString statusText() const;
    // What the scan read but could not use, one line each.
    QStringList warnings() const { return m_warningLines; }

Q_SIGNALS:
    // The scan finished (done or failed or cancelled); for tests and accessibility.
    void scanEnded(bool ok);

private:
    void onSideFinished(ScanJob::Side side);
    void onScanFinished();
    void endWithError(const QString &text);
    void addWarnings(const QString &side, const QStringList &warnings);

    WizardContext *m_ctx;
    QPointer<ScanJob> m_job;
    bool m_complete = false;
    QStringList m_errors;

    QProgressBar *m_onPremBar;
    QLabel *m_onPremLabel;
    QProgressBar *m_cloudBar;
    QLabel *m_cloudLabel;
    QLabel *m_status;
    QPlainTextEdit *m_warnings;
    QStringList m_warningLines;
    QPushButton *m_cancel;
    QPushButton *m_again;
};
