#pragma once

#include "clouduser.h"
#include "finding.h"
#include "onpremuser.h"
#include "valuejob.h"
#include "wizardservices.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QWizardPage>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class WizardContext;

// Step 2: reads both sides at once, each with its own progress bar, then reconciles
// them on a worker thread. Cancel stops both reads; "Scan again" restarts.
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
    void onOnPremFinished();
    void onCloudFinished();
    void maybeReconcile();
    void onReconciled();
    void endWithError(const QString &text);
    void addWarnings(const QString &side, const QStringList &warnings);

    WizardContext *m_ctx;
    QPointer<ValueJob<OnPremScan>> m_onPremJob;
    QPointer<ValueJob<CloudScan>> m_cloudJob;
    QFutureWatcher<QList<Finding>> m_reconcile;
    bool m_onPremDone = false;
    bool m_onPremScoped = false; // an OU or filter limited the on-prem scan
    bool m_cloudDone = false;
    bool m_complete = false;
    bool m_failed = false;
    bool m_ended = false;
    QStringList m_errors;
    QString m_stoppedBecause; // why the other side was cancelled, when it was

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
