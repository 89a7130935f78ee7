#pragma once

#include "approvals.h"
#include "connectionsettings.h"
#include "plan.h"

#include <QDialog>
#include <QPointer>

class Job;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTextBrowser;
class WizardContext;

// "Review a plan for approval" (issue 17), reached from the Connect page: the second
// person opens the operator's plan.csv, sees every flagged row with its reason and the
// PowerShell it stands for, approves or rejects each with a reason, and signs in with the
// browser so that Entra ID seals the approval (plan.approvals.json beside the plan). The
// tenant, client id and cloud are the Connect page's. Not modal.
class ApprovalReviewDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column {
        RowColumn,
        CategoryColumn,
        ActionColumn,
        UserColumn,
        DecisionColumn,
        ReasonColumn,
        ColumnCount
    };
    enum Decision { Undecided, Approve, Reject };

    ApprovalReviewDialog(WizardContext *context, const CloudSettings &cloud,
                         QWidget *parent = nullptr);

    // Reads the plan (a job) and lists its flagged rows.
    void openPlan(const QString &path);
    int flaggedCount() const { return int(m_flagged.size()); }
    void setDecision(int index, Decision decision, const QString &reason);
    void setApprover(const QString &upn);
    // Signs in and seals (the button does this); finishes with sealFinished.
    void seal();
    QString statusText() const;
    bool canSeal() const;

Q_SIGNALS:
    void planOpened(bool ok);
    void sealFinished(bool ok);

private:
    void showDetails();
    void updateButtons();
    QList<ApprovalDecision> decisions() const;

    WizardContext *m_ctx;
    CloudSettings m_cloud;
    QString m_planPath;
    Plan m_plan;
    QList<Finding> m_flagged;
    QPointer<Job> m_job;

    QLabel *m_file;
    QTableWidget *m_table;
    QTextBrowser *m_details;
    QLineEdit *m_approver;
    QPushButton *m_seal;
    QLabel *m_status;
};
