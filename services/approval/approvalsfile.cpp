#include "approvalsfile.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ApprovalsFile", text);
}
} // namespace

bool ApprovalsFile::read(const QString &path, std::optional<Approvals> *approvals, QString *error)
{
    approvals->reset();
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2.").arg(path, file.errorString());
        return false;
    }
    Approvals a;
    QString why;
    if (!Approvals::fromJson(file.read(1024 * 1024), &a, &why)) {
        *error = tr("%1 is not a usable approvals file: %2. Ask the approver to review the plan "
                    "again (anchorfix approve), or remove the file.")
                     .arg(path, why);
        return false;
    }
    *approvals = a;
    return true;
}

bool ApprovalsFile::write(const QString &path, const Approvals &approvals, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2.").arg(path, file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(approvals.toJson());
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}
