#pragma once

#include "clouduser.h"
#include "connectionsettings.h"
#include "executionreport.h"
#include "onpremuser.h"
#include "wizardservices.h"

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

    // Where runs write their files: audit.csv (append-only, shared by every run) in the
    // output folder; rollback.csv, rollback.ps1 and plan.csv in a folder per run.
    QString outputFolder() const { return m_outputFolder; }
    void setOutputFolder(const QString &folder) { m_outputFolder = folder; }
    // Names the files of a new run (folder run-YYYYMMDD-HHMMSS) and makes them current.
    RunFiles newRunFiles();
    // The current run's files (empty before newRunFiles()).
    RunFiles runFiles() const { return m_runFiles; }

    const ExecutionReport &report() const { return m_report; }
    void setReport(ExecutionReport report) { m_report = std::move(report); }

private:
    WizardServices *m_services;
    QSettings *m_settings;
    bool m_demo = false;
    OnPremSettings m_onPrem;
    CloudSettings m_cloud;
    QList<OnPremUser> m_onPremUsers;
    CloudSnapshot m_snapshot;
    FindingTableModel *m_findings;
    QString m_outputFolder;
    RunFiles m_runFiles;
    ExecutionReport m_report;
};
