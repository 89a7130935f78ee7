#pragma once

#include "wizardservices.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class Job;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class WizardContext;

// "Check results": after the next sync cycle, did each change of a run take? Runs
// WizardServices::checkResults for one audit trail (a job: the GUI never waits) with a
// progress bar, and lists per change joined, waiting_for_sync (with the tenant's last
// and next expected sync) or sync_error (with the text of the sync error). Every check
// appends its rows to that audit trail and can be run again later. On the practice
// tenant it also offers a simulated sync cycle, so the demo can show a change joining.
// Used on the Summary page (the shown run) and in CheckResultsDialog (an earlier run's
// audit file).
class CheckResultsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CheckResultsPanel(WizardContext *context, QWidget *parent = nullptr);
    ~CheckResultsPanel() override;

    // The audit trail to check; shows its last check of this session, if any.
    void setAuditPath(const QString &path);
    QString auditPath() const { return m_auditPath; }

    // The same as pressing the buttons.
    void check();
    void simulateSync();

    bool isBusy() const { return !m_job.isNull(); }
    QString statusText() const;
    QTableWidget *table() const { return m_table; }
    // The last check of the current audit trail (empty before one finished).
    ResultCheck lastCheck() const { return m_checks.value(m_auditPath); }

    // "Joined", "Waiting for sync", "Sync error".
    static QString resultTitle(AuditResult result);

Q_SIGNALS:
    void busyChanged(bool busy);
    void checked(bool ok); // a check ended (ok: it read every change)

private:
    void show(const ResultCheck &check);
    void setBusy(Job *job);
    void updateButtons();

    WizardContext *m_ctx;
    QString m_auditPath;
    QHash<QString, ResultCheck> m_checks; // per audit trail, this session
    QHash<QString, QString> m_statuses;
    QPointer<Job> m_job;
    QPushButton *m_check;
    QPushButton *m_sync;
    QProgressBar *m_progress;
    QLabel *m_status;
    QTableWidget *m_table;
};
