#pragma once

#include "executionreport.h"
#include "plan.h"
#include "wizardservices.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWizardPage>

class ExecutionRun;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class WizardContext;
class WriteBindBox;

// Step 4 (the commit page): first a confirmation — counts by action and where the
// audit trail and rollback files go — then the run itself with overall progress, rate,
// time left, pause/resume, cancel and one result line per row.
class ExecutePage : public QWizardPage
{
    Q_OBJECT
public:
    explicit ExecutePage(WizardContext *context, QWidget *parent = nullptr);

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;

    // Back to the confirmation for the plan now in the findings (a new scan, or the
    // failed rows of a run to retry); does nothing while a run is going on.
    void prepare();

    void startRun();
    void setPaused(bool paused);
    void cancelRun();
    bool isRunning() const { return !m_run.isNull(); }
    bool hasFinished() const { return m_finished; }
    QString confirmationText() const;
    // The confirm step's list: one line per change that will be sent (user, action,
    // old → new), irreversible ones marked.
    QStringList changeLines() const;
    WriteBindBox *writeBindBox() const { return m_writeBindBox; }
    QString statusText() const;
    // Closing now would stop changes half-way: say that the window closes once the run
    // has stopped, and how to stop it sooner.
    void explainBusy();
    QTableWidget *results() const { return m_results; }

Q_SIGNALS:
    void runEnded();

private:
    void onOutcome(const ChangeOutcome &outcome);
    void onProgress(const JobProgress &progress);
    void onFinished();
    void showCurrent(); // the current row and, while waiting, why and for how long
    // Back and Next while no run has started; only Summary (and Cancel) once one has:
    // the Review page shows the plan before the run, not what the run changed.
    void setRunButtons(bool runStarted);
    void updateStart(); // Start only with something to send and a usable write bind

    WizardContext *m_ctx;
    QPointer<ExecutionRun> m_run;
    bool m_finished = false;
    RunFiles m_files;
    Plan m_plan;                // as sent
    OnPremSettings m_writeBind; // the account that wrote to AD in this run
    QString m_now;              // "Now: <user> — <action>"
    QString m_waitReason;       // empty: not waiting
    QDeadlineTimer m_waitEnds;
    QTimer m_waitTick;      // counts the wait down on screen
    QString m_progressText; // the last progress as one line (also sent as infoMessage)

    QStackedWidget *m_stack;
    QLabel *m_confirmation;
    class QListWidget *m_changes;
    QPushButton *m_start;
    WriteBindBox *m_writeBindBox;
    QProgressBar *m_overall;
    QLabel *m_current;
    QLabel *m_rate;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    QTableWidget *m_results;
    QLabel *m_status;
};
