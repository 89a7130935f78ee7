#include "atomicfile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AtomicFile", text);
}

QString systemError(int code)
{
    return QString::fromLocal8Bit(std::strerror(code));
}

void syncFolderOf(const QString &path)
{
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

AtomicFile::AtomicFile(QString path) : m_path(std::move(path)) {}

AtomicFile::~AtomicFile()
{
    cancel();
}

bool AtomicFile::open(QString *error)
{
    cancel();
    const QFileInfo info(m_path);
    struct stat st;
    m_mode = 0600;
    if (::lstat(QFile::encodeName(m_path).constData(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            if (error)
                *error = tr("%1 is a folder; choose a file name.").arg(m_path);
            return false;
        }
        if (S_ISREG(st.st_mode))
            m_mode = int(st.st_mode & 07777); // a replaced file keeps its mode
    }
    const QString folder = info.absolutePath();
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString temp = folder + u"/." + info.fileName() + u'.' +
                             QString::number(QRandomGenerator::system()->generate64(), 36) +
                             QStringLiteral(".tmp");
        const int fd = ::open(QFile::encodeName(temp).constData(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            const int code = errno;
            if (code == EEXIST)
                continue;
            if (error)
                *error = tr("Cannot create a file in %1: %2. Choose a folder you may write to.")
                             .arg(folder, systemError(code));
            return false;
        }
        m_temp.setFileName(temp);
        if (!m_temp.open(fd, QIODevice::WriteOnly, QFileDevice::AutoCloseHandle)) {
            ::close(fd);
            ::unlink(QFile::encodeName(temp).constData());
            if (error)
                *error = tr("Cannot create %1: %2.").arg(temp, m_temp.errorString());
            return false;
        }
        m_tempPath = temp;
        return true;
    }
    if (error)
        *error = tr("Cannot create a temporary file in %1.").arg(folder);
    return false;
}

bool AtomicFile::commit(QString *error)
{
    if (!m_temp.isOpen()) {
        if (error)
            *error = tr("%1 was not opened for writing.").arg(m_path);
        return false;
    }
    auto failWith = [&](const QString &text) {
        if (error)
            *error = text;
        cancel();
        return false;
    };
    if (!m_temp.flush())
        return failWith(tr("Cannot write %1: %2. Free some disk space or choose another folder.")
                            .arg(m_path, m_temp.errorString()));
    const int fd = m_temp.handle();
    if (::fchmod(fd, mode_t(m_mode)) != 0 || ::fsync(fd) != 0)
        return failWith(tr("Cannot write %1: %2.").arg(m_path, systemError(errno)));
    m_temp.close();
    if (::rename(QFile::encodeName(m_tempPath).constData(),
                 QFile::encodeName(m_path).constData()) != 0)
        return failWith(tr("Cannot replace %1: %2.").arg(m_path, systemError(errno)));
    m_tempPath.clear();
    syncFolderOf(m_path);
    return true;
}

void AtomicFile::cancel()
{
    if (m_temp.isOpen())
        m_temp.close();
    if (!m_tempPath.isEmpty()) {
        ::unlink(QFile::encodeName(m_tempPath).constData());
        m_tempPath.clear();
    }
}
