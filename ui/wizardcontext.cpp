#include "wizardcontext.h"

#include "findingtablemodel.h"

#include <QDateTime>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

WizardContext::WizardContext(WizardServices *services, QSettings *settings, QObject *parent)
    : QObject(parent), m_services(services), m_settings(settings),
      m_findings(new FindingTableModel(this))
{
    m_outputFolder = settings->value(QStringLiteral("run/outputFolder")).toString();
    if (m_outputFolder.isEmpty())
        m_outputFolder = defaultOutputFolder();
}

QString WizardContext::defaultOutputFolder()
{
    QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (data.isEmpty())
        data = QDir::home().filePath(QStringLiteral(".anchorfix"));
    return QDir(data).filePath(QStringLiteral("runs"));
}

void WizardContext::addRun(const RunFiles &files, const Plan &plan, ExecutionReport report,
                           const OnPremSettings &writeBind)
{
    Run run;
    run.number = int(m_runs.size()) + 1;
    run.ended = QDateTime::currentDateTime();
    run.files = files;
    run.plan = plan;
    run.report = std::move(report);
    run.writeBind = writeBind;
    m_runs.append(std::move(run));
}

void WizardContext::setRollbackText(int runIndex, const QString &text)
{
    if (runIndex >= 0 && runIndex < m_runs.size())
        m_runs[runIndex].rollbackText = text;
}

RunFiles WizardContext::newRunFiles()
{
    const QDir root(m_outputFolder);
    // Local time: the folder names what the person saw on the clock.
    const QString stamp =
        QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd_HH-mm-ss")) +
        (m_demo ? QStringLiteral("-demo") : QString());
    QString name = stamp;
    for (int n = 2; root.exists(name); ++n)
        name = stamp + u'-' + QString::number(n);
    m_runFiles = RunFiles::inFolder(root.filePath(name));
    return m_runFiles;
}
