#pragma once

#include "approvalgate.h"
#include "executionreport.h"
#include "plan.h"
#include "wizardservices.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWizardPage>

#include <optional>

class ExecutionRun;
class Job;
class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class WizardContext;
class WriteBindBox;

// Step 4 (the commit page): first a confirmation — counts by action, where the audit
// trail and rollback files go, and the approval gate (issue 17): the policy, a second
// person's approval of an imported plan and what it means for each flagged row — then the
// run itself with overall progress, rate, time left, pause/resume, cancel and one result
// line per row.
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

    // Checks the approvals again (a job: it may need the network), then starts the run with
    // the rows the gate lets run.
    void startRun();
    void setPaused(bool paused);
    void cancelRun();
    // From Start on: the approvals' re-check, then the run itself.
    bool isRunning() const { return !m_run.isNull() || m_runAfterCheck; }
    bool hasFinished() const { return m_finished; }
    QString confirmationText() const;
    // The confirm step's list: one line per change that will be sent (user, action,
    // old → new), irreversible ones marked; flagged rows the approval gate refuses are
    // listed as "Not run (approval): …".
    QStringList changeLines() const;
    WriteBindBox *writeBindBox() const { return m_writeBindBox; }
    // "Flagged rows need a second person's sealed approval" (QSettings approval/requireSealed).
    QCheckBox *requireSealedBox() const { return m_requireSealed; }
    void setRequireSealed(bool required);
    // The approval gate's last verdicts (nullopt while it checks or when it failed).
    const std::optional<ApprovalGate> &approvalGate() const { return m_gate; }
    bool isCheckingApprovals() const { return !m_gateJob.isNull(); }
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
    void updateStart();      // Start only with something to send and a usable write bind
    void showConfirmation(); // the confirmation text and list for the plan as gated
    // Runs the approval gate for the findings; thenRun: start the run with its verdicts.
    void checkApprovals(bool thenRun);
    void beginRun();
    void stopBeforeRun(const QString &why);
    Plan gatedPlan() const; // the findings with the gate's verdicts applied
    QString approvalHtml() const;

    WizardContext *m_ctx;
    QPointer<ExecutionRun> m_run;
    bool m_finished = false;
    RunFiles m_files;
    Plan m_plan;                // as sent
    OnPremSettings m_writeBind; // the account that wrote to AD in this run
    QString m_now;              // "Now: <user> — <action>"
    QString m_waitReason;       // empty: not waiting
    QDeadlineTimer m_waitEnds;
    QTimer m_waitTick; // counts the wait down on screen
    QPointer<Job> m_gateJob;
    std::optional<ApprovalGate> m_gate;
    QString m_gateError;             // the gate job failed: nothing runs
    QString m_gateNote;              // the re-check before the run found other verdicts
    bool m_runAfterCheck = false;    // Start was pressed: run once the gate has decided
    bool m_cancelAfterCheck = false; // Cancel was pressed meanwhile
    QString m_progressText;          // the last progress as one line (also sent as infoMessage)

    QStackedWidget *m_stack;
    QLabel *m_confirmation;
    class QListWidget *m_changes;
    QPushButton *m_start;
    QCheckBox *m_requireSealed;
    WriteBindBox *m_writeBindBox;
    QProgressBar *m_overall;
    QLabel *m_current;
    QLabel *m_rate;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    QTableWidget *m_results;
    QLabel *m_status;
};
