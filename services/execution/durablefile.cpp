#include "durablefile.h"

#include "atomicfile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DurableFile", text);
}

QString systemError(int code)
{
    return QString::fromLocal8Bit(std::strerror(code));
}

} // namespace

bool DurableFile::openForAppend(QFile &file, const QString &path, bool mustCreate, QString *error)
{
    file.close();
    const QByteArray name = QFile::encodeName(path);
    const int flags =
        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (mustCreate ? O_EXCL : 0);
    const int fd = ::open(name.constData(), flags, kNewFileMode);
    if (fd < 0) {
        const int code = errno;
        if (error) {
            if (code == ELOOP)
                *error = tr("%1 is a symbolic link; Anchorfix does not write through links. "
                            "Choose the file itself or another name.")
                             .arg(path);
            else if (code == EEXIST)
                *error = tr("%1 already exists.").arg(path);
            else
                *error = tr("Cannot open %1 for writing: %2. Choose a folder you may write to.")
                             .arg(path, systemError(code));
        }
        return false;
    }
    file.setFileName(path);
    if (!file.open(fd, QIODevice::WriteOnly | QIODevice::Append, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        if (error)
            *error = tr("Cannot open %1 for writing: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

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
            *error =
                tr("Cannot make %1 durable (fsync): %2.").arg(file.fileName(), systemError(errno));
        return false;
    }
    return true;
}

bool DurableFile::replaceAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    AtomicFile file(path);
    if (!file.open(error))
        return false;
    if (file.device()->write(bytes) != bytes.size()) {
        if (error)
            *error = tr("Cannot write %1: %2. Free some disk space or choose another folder.")
                         .arg(path, file.device()->errorString());
        return false; // the destructor removes the temp file
    }
    return file.commit(error);
}

bool DurableFile::checkReplaceable(const QString &path, QString *error)
{
    AtomicFile probe(path);
    if (!probe.open(error))
        return false;
    probe.cancel();
    return true;
}

bool DurableFile::endsInsideQuotes(const QByteArray &bytes)
{
    // Writers quote every cell that holds a quote and double the quotes inside it, so
    // each quote character toggles the state.
    return bytes.count('"') % 2 == 1;
}

QByteArray DurableFile::csvSeal(const QByteArray &tail, bool insideQuotes)
{
    if (insideQuotes)
        return QByteArrayLiteral("\"\r\n");
    if (tail.isEmpty() || tail.endsWith('\n'))
        return {};
    if (tail.endsWith('\r'))
        return QByteArrayLiteral("\n");
    return QByteArrayLiteral("\r\n");
}

bool DurableFile::sealTornCsvRecord(QFile &file, const QString &path, QString *error, bool *sealed)
{
    if (sealed)
        *sealed = false;
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read %1: %2.").arg(path, in.errorString());
        return false;
    }
    qint64 quotes = 0;
    QByteArray last;
    for (;;) {
        const QByteArray chunk = in.read(1 << 20);
        if (chunk.isEmpty())
            break;
        quotes += chunk.count('"');
        last = chunk.right(1);
    }
    const QByteArray seal = csvSeal(last, quotes % 2 == 1);
    if (seal.isEmpty())
        return true;
    if (sealed)
        *sealed = true;
    return appendAndSync(file, seal, error);
}
