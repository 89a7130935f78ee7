#pragma once

#include "finding.h"

#include <QHash>
#include <QPointer>
#include <QWizardPage>

class FindingFilterProxy;
class Job;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QSettings;
class QSplitter;
class QTableView;
class QTextBrowser;
class QToolButton;
class WizardContext;

// Step 3: the findings table. Filter by category (the chips), severity and free text;
// sort by any column; choose each row's action (only allowed ones) and approve flagged
// rows, one by one or for a selection; read the detail pane; export or import plan.csv.
class ReviewPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit ReviewPage(WizardContext *context, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    FindingFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QTextBrowser *details() const { return m_details; }
    QToolButton *chip(Category category) const { return m_chips.value(int(category)); }
    // "Has sync error": rows with onPremisesProvisioningErrors; shown only when some have.
    QToolButton *syncErrorChip() const { return m_syncErrorChip; }
    // The tenant pre-flight notes (flags, onPremisesObjectIdentifier) for the planned actions.
    QString preflightText() const;
    void setSearchText(const QString &text);

    // Bulk actions on the selected rows; return how many rows changed.
    int setActionOnSelection(Action action);
    int approveSelection(bool approved);

    // plan.csv, saved or loaded by a WizardServices job: both return at once, the
    // export and import buttons are off until planFileFinished().
    void exportPlan(const QString &path);
    void importPlan(const QString &path);
    bool isPlanFileBusy() const { return !m_planJob.isNull(); }

    QString summaryText() const;

    // Actions or approvals changed since the findings were loaded, exported or imported
    // (a run saves them as its plan.csv; a new scan replaces them).
    bool hasUnsavedDecisions() const;

    // The splitter and the table's columns (widths, order, sort), kept between sessions.
    void saveLayout(QSettings &settings) const;
    void restoreLayout(const QSettings &settings);
    QSplitter *splitter() const { return m_splitter; }

Q_SIGNALS:
    // An export or import is done; message is what the page shows (where the plan went,
    // or what to fix).
    void planFileFinished(bool ok, const QString &message);

protected:
    void showEvent(QShowEvent *event) override;

private:
    // Default widths for the room there is (first show, when nothing was remembered).
    void applyDefaultLayout();
    void rebuildChips();
    void onChipToggled();
    void updateSummary(); // what will run (counts over every row), then showSummary()
    void showSummary();   // that, and how many rows show
    void showDetails();
    void askExportPath();
    void askImportPath();
    void startPlanJob(Job *job, const QString &status);
    void onPlanJobFinished(bool ok, const QString &message);
    void fillActionMenu();
    QList<QPair<Action, bool>> decisions() const;

    WizardContext *m_ctx;
    FindingFilterProxy *m_proxy;
    QWidget *m_chipBar;
    QHash<int, QToolButton *> m_chips;
    QToolButton *m_allChip;
    QToolButton *m_syncErrorChip;
    QLabel *m_preflight;
    QLineEdit *m_search;
    QComboBox *m_severity;
    QCheckBox *m_executableOnly;
    QTableView *m_view;
    QSplitter *m_splitter;
    QMenu *m_actionMenu;
    QList<QPair<Action, bool>> m_savedDecisions;
    bool m_layoutSet = false; // remembered or defaulted
    QTextBrowser *m_details;
    QLabel *m_summary;
    QString m_choicesSummary; // updateSummary()'s part of m_summary
    QLabel *m_message;
    QPushButton *m_exportButton;
    QPushButton *m_importButton;
    QPointer<Job> m_planJob;
};
