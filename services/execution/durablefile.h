#pragma once

#include <QByteArray>
#include <QString>

class QFile;

// Small POSIX helpers for files that must survive a crash: what the journal and the
// audit trail write is on disk (fsync) before anything depends on it.
namespace DurableFile {

// Writes all bytes with one write() where possible and flushes them to the OS.
bool append(QFile &file, const QByteArray &bytes, QString *error);
// Writes all bytes with one write() where possible, then flushes and fsyncs.
bool appendAndSync(QFile &file, const QByteArray &bytes, QString *error);
bool sync(QFile &file, QString *error);
// Writes a sibling temp file, fsyncs it, renames it over path and fsyncs the folder.
bool replaceAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace DurableFile
