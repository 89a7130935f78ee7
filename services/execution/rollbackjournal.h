#pragma once

#include <QDateTime>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

enum class RollbackStatus { Pending, Applied, Failed };

QString rollbackStatusName(RollbackStatus status); // pending | applied | failed
std::optional<RollbackStatus> rollbackStatusFromName(QStringView name);

// One row of rollback.csv (DESIGN.md §4): the undo of one change.
struct RollbackEntry
{
    QString cloudId;
    QString cloudUpn; // the UPN before the run; empty for a purged recycle-bin user
    QString oldImmutableId;
    QString newImmutableId;
    QDateTime appliedAtUtc;
    RollbackStatus status = RollbackStatus::Pending;

    friend bool operator==(const RollbackEntry &, const RollbackEntry &) = default;
};

// rollback.csv as a write-ahead journal. During a run every change gets a `pending` row,
// flushed and fsynced before the request is sent, then an `applied` or `failed` row; the
// last row per cloud_id wins. compact() rewrites the file atomically (temp file, fsync,
// rename) to one row per change, which is what a normal end leaves behind.
class RollbackJournal
{
public:
    RollbackJournal() = default;
    ~RollbackJournal();
    RollbackJournal(const RollbackJournal &) = delete;
    RollbackJournal &operator=(const RollbackJournal &) = delete;

    static QStringList csvHeader();

    // For apply: the file must not exist or be empty (it would hold the undo of an earlier
    // run). Writes the header.
    bool create(const QString &path, QString *error);
    // For rollback: appends to an existing journal (writes the header if it is empty).
    bool openForAppend(const QString &path, QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_path; }

    // Appends the rows and makes them durable (flush + fsync) before returning true.
    // Durability::Flushed only hands them to the OS (they survive a crash of the process,
    // and the next durable append or compact() fsyncs them): for `applied`/`failed` rows,
    // whose loss costs nothing because rollback checks the live value of a `pending` row.
    enum class Durability { Synced, Flushed };
    bool append(const QList<RollbackEntry> &entries, QString *error,
                Durability durability = Durability::Synced);
    bool append(const RollbackEntry &entry, QString *error)
    {
        return append(QList<RollbackEntry>{entry}, error);
    }

    // Rewrites the journal as one row per cloud_id (last row wins), atomically, and closes it.
    bool compact(QString *error);
    void close();

    // Reads a journal or a compacted file, crashed or not: one entry per cloud_id (the
    // last row wins), in the order the changes were first journaled. A torn last line
    // (a crash in the middle of a write) is ignored and reported in *warning.
    static bool read(const QString &path, QList<RollbackEntry> *entries, QString *error,
                     QString *warning = nullptr);
    // Every row as written, without folding.
    static bool readRows(const QString &path, QList<RollbackEntry> *rows, QString *error,
                         QString *warning = nullptr);
    static QList<RollbackEntry> fold(const QList<RollbackEntry> &rows);

private:
    bool open(const QString &path, bool mustBeNew, QString *error);

    QFile m_file;
    QString m_path;
};
