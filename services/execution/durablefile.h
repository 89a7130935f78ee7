#pragma once

#include <QByteArray>
#include <QString>

class QFile;

// Small POSIX helpers for the files Anchorfix writes (audit.csv, rollback.csv,
// rollback.ps1, plan.csv): what the journal and the audit trail write is on disk (fsync)
// before anything depends on it, a new file is readable by its owner only (0600: the files
// list identities), and no file is opened through a symlink someone planted in a shared
// folder.
namespace DurableFile {

// The mode a new file gets (owner read/write).
constexpr int kNewFileMode = 0600;

// Opens path for appending. A missing file is created with kNewFileMode; mustCreate
// refuses a file that exists (O_EXCL). A symlink at path is refused (O_NOFOLLOW).
bool openForAppend(QFile &file, const QString &path, bool mustCreate, QString *error);
// Writes all bytes with one write() where possible and flushes them to the OS.
bool append(QFile &file, const QByteArray &bytes, QString *error);
// Writes all bytes with one write() where possible, then flushes and fsyncs.
bool appendAndSync(QFile &file, const QByteArray &bytes, QString *error);
bool sync(QFile &file, QString *error);
// Writes an exclusively created temp file beside path (see AtomicFile), fsyncs it,
// renames it over path and fsyncs the folder. A new file gets kNewFileMode, a replaced
// one keeps its mode.
bool replaceAtomically(const QString &path, const QByteArray &bytes, QString *error);
// Whether path could be written by replaceAtomically() (its folder takes a new file and
// path is not a folder), found out without touching path.
bool checkReplaceable(const QString &path, QString *error);

// What to append to a CSV file that ends in `tail` so that the next record starts on a
// line of its own: nothing after a line break; the rest of a line break after a lone CR;
// otherwise a line break, preceded by a closing quote when the interrupted write stopped
// inside a quoted cell (insideQuotes: the RFC 4180 quote state at the end of the file).
// The torn record then reads as one short, complete record that readers can set aside.
QByteArray csvSeal(const QByteArray &tail, bool insideQuotes);
// The RFC 4180 quote state at the end of bytes (true = inside a quoted cell).
bool endsInsideQuotes(const QByteArray &bytes);
// Reads the file at path and appends csvSeal() to `file` (opened for appending) when its
// last record was torn. *sealed says whether it had to.
bool sealTornCsvRecord(QFile &file, const QString &path, QString *error, bool *sealed = nullptr);

} // namespace DurableFile
