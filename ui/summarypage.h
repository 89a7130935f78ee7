#pragma once

#include <QPointer>
#include <QWizardPage>

class CheckResultsPanel;
class ExecutionRun;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QWidget;
class WizardContext;

// Step 5: what a run changed and what failed and why; buttons to open its audit trail
// and rollback files and to roll it back (after an in-page confirmation). Check results
// (after the next sync cycle) shows whether Entra Connect joined each changed user. The session
// goes on from here: retry the failed rows, or scan again for a new plan. Every run of
// the session stays listed (the run selector), each with its own files and rollback.
class SummaryPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit SummaryPage(WizardContext *context, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    // The run shown (index into WizardContext::runs()); the latest one on arrival.
    int shownRun() const { return m_shown; }
    void showRun(int index);

    QString headline() const;
    QTableWidget *outcomes() const { return m_outcomes; }
    // Check results for the shown run (after the next sync cycle: joined or not).
    CheckResultsPanel *checkResults() const { return m_checkResults; }
    // Asks for confirmation in the page; confirmRollback() starts it.
    void requestRollback();
    void confirmRollback();
    QString confirmationText() const;
    QString rollbackStatus() const;
    bool isRollbackRunning() const { return !m_rollback.isNull(); }
    void explainBusy();

Q_SIGNALS:
    void rollbackEnded(bool ok);
    // The buttons that go on; the wizard does the navigation.
    void retryRequested(int runIndex);
    void scanAgainRequested();

private:
    void openFile(const QString &path);
    void updateButtons();

    WizardContext *m_ctx;
    QPointer<ExecutionRun> m_rollback;
    int m_shown = -1;
    int m_rollingBack = -1;
    QWidget *m_runRow;
    QComboBox *m_runSelector;
    QLabel *m_headline;
    QTableWidget *m_outcomes;
    QPushButton *m_openAudit;
    QPushButton *m_openRollback;
    QPushButton *m_openScript;
    QPushButton *m_openFolder;
    QPushButton *m_openAdScript;
    QPushButton *m_retry;
    QPushButton *m_scanAgain;
    QPushButton *m_rollbackButton;
    QString m_rollbackButtonText;
    QWidget *m_confirmBox;
    QLabel *m_confirmText;
    QPushButton *m_confirmYes;
    QProgressBar *m_rollbackProgress;
    QLabel *m_rollbackStatus;
    CheckResultsPanel *m_checkResults;
};
