#include "runfiles.h"

#include <QDir>
#include <QFileInfo>

namespace {

QString withoutCsv(QString name)
{
    if (name.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        name.chop(4);
    return name;
}

} // namespace

RunFiles RunFiles::inFolder(const QString &folder)
{
    const QDir run(folder);
    RunFiles files;
    files.folder = run.path();
    files.auditCsv = run.filePath(QStringLiteral("audit.csv"));
    files.rollbackCsv = run.filePath(QStringLiteral("rollback.csv"));
    files.rollbackPs1 = rollbackScriptFor(files.rollbackCsv);
    files.planCsv = planIn(folder);
    files.adScript = run.filePath(QStringLiteral("set-aduser.ps1"));
    return files;
}

QString RunFiles::rollbackScriptFor(const QString &rollbackCsv)
{
    // QFileInfo and QDir here only split the path; nothing is read from the disk.
    const QFileInfo info(rollbackCsv);
    return info.dir().filePath(withoutCsv(info.fileName()) + QStringLiteral(".ps1"));
}

QString RunFiles::approvalsFor(const QString &planCsv)
{
    return withoutCsv(planCsv) + QLatin1String(".approvals.json");
}

QString RunFiles::planIn(const QString &folder)
{
    return QDir(folder).filePath(QStringLiteral("plan.csv"));
}
