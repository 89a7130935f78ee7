#pragma once

#include <QPointer>
#include <QWizardPage>

class ExecutionRun;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QWidget;
class WizardContext;

// Step 5: what changed and what failed and why; buttons to open the audit trail and
// the rollback files, and to roll the run back (after an in-page confirmation).
class SummaryPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit SummaryPage(WizardContext *context, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    QString headline() const;
    QTableWidget *outcomes() const { return m_outcomes; }
    // Asks for confirmation in the page; confirmRollback() starts it.
    void requestRollback();
    void confirmRollback();
    QString rollbackStatus() const;
    bool isRollbackRunning() const { return !m_rollback.isNull(); }
    void explainBusy();

Q_SIGNALS:
    void rollbackEnded(bool ok);

private:
    void openFile(const QString &path);

    WizardContext *m_ctx;
    QPointer<ExecutionRun> m_rollback;
    QLabel *m_headline;
    QTableWidget *m_outcomes;
    QPushButton *m_openAudit;
    QPushButton *m_openRollback;
    QPushButton *m_openScript;
    QPushButton *m_openFolder;
    QPushButton *m_rollbackButton;
    QWidget *m_confirmBox;
    QLabel *m_confirmText;
    QPushButton *m_confirmYes;
    QProgressBar *m_rollbackProgress;
    QLabel *m_rollbackStatus;
};
