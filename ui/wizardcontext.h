#pragma once

#include "clouduser.h"
#include "connectionsettings.h"
#include "executionreport.h"
#include "onpremuser.h"
#include "plan.h"
#include "wizardservices.h"

#include <QDateTime>
#include <QList>
#include <QObject>

class FindingTableModel;
class QSettings;

// What the pages share: the services, the settings store, and the values each step
// produces for the next (settings → snapshots → findings → report). Owned by the
// wizard; passed to every page's constructor. No page talks to another page.
class WizardContext : public QObject
{
    Q_OBJECT
public:
    WizardContext(WizardServices *services, QSettings *settings, QObject *parent = nullptr);

    WizardServices *services() const { return m_services; }
    QSettings *settings() const { return m_settings; }

    // --demo: the practice tenant and the demo directory are pre-filled.
    bool isDemo() const { return m_demo; }
    void setDemo(bool demo) { m_demo = demo; }

    OnPremSettings onPremSettings() const { return m_onPrem; }
    void setOnPremSettings(const OnPremSettings &settings) { m_onPrem = settings; }
    CloudSettings cloudSettings() const { return m_cloud; }
    void setCloudSettings(const CloudSettings &settings) { m_cloud = settings; }

    const QList<OnPremUser> &onPremUsers() const { return m_onPremUsers; }
    void setOnPremUsers(QList<OnPremUser> users) { m_onPremUsers = std::move(users); }
    const CloudSnapshot &cloudSnapshot() const { return m_snapshot; }
    void setCloudSnapshot(CloudSnapshot snapshot) { m_snapshot = std::move(snapshot); }

    // The findings and the choices made on them (Review page edits it).
    FindingTableModel *findings() const { return m_findings; }
    // The plan.csv the findings were imported from (Review's Import plan), empty after a
    // scan: a second person's approval of it (plan.approvals.json beside it) is what the
    // Execute step checks (issue 17).
    QString planFile() const { return m_planFile; }
    void setPlanFile(const QString &path) { m_planFile = path; }

    // Where runs write their files: a folder per run (YYYY-MM-DD_HH-MM-SS, "-demo" for
    // the practice tenant) with audit.csv, rollback.csv, rollback.ps1 and plan.csv.
    // By default <AppDataLocation>/runs: kept after the wizard closes, never deleted.
    QString outputFolder() const { return m_outputFolder; }
    void setOutputFolder(const QString &folder) { m_outputFolder = folder; }
    static QString defaultOutputFolder();
    // Names the files of a new run and makes them current.
    RunFiles newRunFiles();
    // The current run's files (empty before newRunFiles()).
    RunFiles runFiles() const { return m_runFiles; }

    // The runs of this session, oldest first. A run is added when it ends.
    struct Run
    {
        int number = 0; // 1, 2, … in this session
        QDateTime ended;
        RunFiles files;
        Plan plan; // as executed
        ExecutionReport report;
        QString rollbackText;     // what the rollback of this run reported, when it ran
        OnPremSettings writeBind; // the account that wrote to AD (its rollback writes too)
    };
    const QList<Run> &runs() const { return m_runs; }
    void addRun(const RunFiles &files, const Plan &plan, ExecutionReport report,
                const OnPremSettings &writeBind);
    void setRollbackText(int runIndex, const QString &text);

    // The last run's report (empty before the first run).
    ExecutionReport report() const
    {
        return m_runs.isEmpty() ? ExecutionReport{} : m_runs.constLast().report;
    }

private:
    WizardServices *m_services;
    QSettings *m_settings;
    bool m_demo = false;
    OnPremSettings m_onPrem;
    CloudSettings m_cloud;
    QList<OnPremUser> m_onPremUsers;
    CloudSnapshot m_snapshot;
    FindingTableModel *m_findings;
    QString m_planFile;
    QString m_outputFolder;
    RunFiles m_runFiles;
    QList<Run> m_runs;
};
