#include "durablefile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DurableFile", text);
}

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

bool syncFolderOf(const QString &path)
{
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

bool DurableFile::append(QFile &file, const QByteArray &bytes, QString *error)
{
    if (file.write(bytes) != bytes.size() || !file.flush()) {
        if (error)
            *error = tr("Cannot write to %1: %2. Free some disk space or choose another folder.")
                         .arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

bool DurableFile::appendAndSync(QFile &file, const QByteArray &bytes, QString *error)
{
    return append(file, bytes, error) && sync(file, error);
}

bool DurableFile::sync(QFile &file, QString *error)
{
    if (::fsync(file.handle()) != 0) {
        if (error)
            *error = tr("Cannot make %1 durable (fsync): %2.").arg(file.fileName(), systemError());
        return false;
    }
    return true;
}

bool DurableFile::replaceAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    const QString temp = path + QStringLiteral(".tmp-") + QString::number(::getpid());
    QFile out(temp);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = tr("Cannot create %1: %2.").arg(temp, out.errorString());
        return false;
    }
    if (!appendAndSync(out, bytes, error)) {
        out.close();
        QFile::remove(temp);
        return false;
    }
    out.close();
    if (::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0) {
        if (error)
            *error = tr("Cannot replace %1: %2.").arg(path, systemError());
        QFile::remove(temp);
        return false;
    }
    syncFolderOf(path);
    return true;
}
