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
    if (m_outputFolder.isEmpty()) {
        const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        m_outputFolder =
            QDir(docs.isEmpty() ? QDir::homePath() : docs).filePath(QStringLiteral("Anchorfix"));
    }
}

RunFiles WizardContext::newRunFiles()
{
    const QDir root(m_outputFolder);
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString name = u"run-" + stamp;
    for (int n = 2; root.exists(name); ++n)
        name = u"run-" + stamp + u'-' + QString::number(n);
    const QDir run(root.filePath(name));
    RunFiles files;
    files.folder = run.path();
    files.auditCsv = root.filePath(QStringLiteral("audit.csv"));
    files.rollbackCsv = run.filePath(QStringLiteral("rollback.csv"));
    files.rollbackPs1 = run.filePath(QStringLiteral("rollback.ps1"));
    files.planCsv = run.filePath(QStringLiteral("plan.csv"));
    m_runFiles = files;
    return files;
}
