#pragma once

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// DESIGN.md §4: `pending` → `applied` | `failed` during a run; a rollback marks what it
// undid (or found already undone) `rolled_back`, and what it could not `rollback_failed`.
enum class RollbackStatus { Pending, Applied, Failed, RolledBack, RollbackFailed };

// pending | applied | failed | rolled_back | rollback_failed
QString rollbackStatusName(RollbackStatus status);
std::optional<RollbackStatus> rollbackStatusFromName(QStringView name);

// One row of rollback.csv (DESIGN.md §4): the undo of one change.
struct RollbackEntry
{
    QString cloudId;
    QString cloudUpn; // the UPN before the run; empty for a purged recycle-bin user
    // Cloud rows: onPremisesImmutableId. On-prem rows: mS-DS-ConsistencyGuid as base64
    // (empty = not set).
    QString oldImmutableId;
    QString newImmutableId;
    QDateTime appliedAtUtc;
    RollbackStatus status = RollbackStatus::Pending;
    // Appended columns `side` (cloud | onprem) and `onprem_dn`: an on-prem row changed the
    // AD user onPremDn over LDAP (adopt_cloud_anchor), not the cloud user.
    bool onPrem = false;
    QString onPremDn = {};
    // The appended `change` column: empty for an anchor (or UPN) change;
    // "clear_object_identifier" for the clear of the cloud user's onPremisesObjectIdentifier,
    // which cannot be undone (old/new ImmutableId empty; rollback reports it, changes nothing).
    QString change = {};

    bool isObjectIdentifierClear() const;
    // What "the last row per change wins" folds on: the side, the cloud_id and the change.
    QString key() const;

    friend bool operator==(const RollbackEntry &, const RollbackEntry &) = default;
};

// The `change` value of a cleared onPremisesObjectIdentifier.
inline constexpr const char *kObjectIdentifierClearChange = "clear_object_identifier";

// rollback.csv as a write-ahead journal. During a run every change gets a `pending` row,
// flushed and fsynced before the request is sent, then an `applied` or `failed` row; the
// last row per cloud_id wins. compact() rewrites the file atomically (temp file, fsync,
// rename) to one row per change, which is what a normal end leaves behind. The `change`
// column (appended) tells a cleared onPremisesObjectIdentifier from an anchor change of
// the same user; a file without it still reads.
class RollbackJournal
{
public:
    RollbackJournal() = default;
    ~RollbackJournal();
    RollbackJournal(const RollbackJournal &) = delete;
    RollbackJournal &operator=(const RollbackJournal &) = delete;

    static QStringList csvHeader();

    // For apply: the file must not exist or be empty (it would hold the undo of an earlier
    // run), the rollback.ps1 beside it must not exist either, and its folder must take
    // it (found now, before any change is sent, not at the end). Writes the header; a new
    // file is created 0600.
    bool create(const QString &path, QString *error);
    // For rollback: opens an existing journal to record what the rollback did to each of
    // its rows. append() then writes each row as the run journaled it (old and new value
    // as the run wrote them, so a second rollback never redoes the run) with the undo's
    // status: a `pending` undo row needs no line of its own (the row it undoes already
    // holds both values, and rollback reads the user before it acts), `applied` becomes
    // `rolled_back`, `failed` becomes `rollback_failed`. A torn last line (a crash or a full
    // disk in the middle of a write) is closed first, so what follows starts a fresh line.
    bool openForUndo(const QString &path, QString *error);
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

    // Rewrites the journal as one row per change (last row wins), atomically, and closes it.
    bool compact(QString *error);
    void close();

    // Reads a journal or a compacted file, crashed or not: one entry per cloud_id (the
    // last row wins), in the order the changes were first journaled. Columns are found by
    // name (columns appended after the known ones are allowed). A torn row (a crash or a
    // full disk in the middle of a write: fewer cells than the header, or a status cut
    // short), last or followed by the rows of a later run, is ignored and reported in
    // *warning; any other damage refuses the file.
    static bool read(const QString &path, QList<RollbackEntry> *entries, QString *error,
                     QString *warning = nullptr);
    // Every row as written, without folding.
    static bool readRows(const QString &path, QList<RollbackEntry> *rows, QString *error,
                         QString *warning = nullptr);
    static QList<RollbackEntry> fold(const QList<RollbackEntry> &rows);

private:
    bool openExisting(const QString &path, QString *error);

    QFile m_file;
    QString m_path;
    bool m_undo = false;
    // The columns of the file being appended to, in its order: an earlier version's file
    // lacks the appended ones, and its new rows must keep its width or the next read refuses
    // them.
    QStringList m_columns;
    QHash<QString, RollbackEntry> m_undone; // openForUndo: the row each undo belongs to
};
