#pragma once

#include "auditvocabulary.h"

#include <QDateTime>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

// One row of audit.csv (DESIGN.md §4).
struct AuditRecord
{
    QDateTime timestampUtc; // set by AuditLog::append() when empty
    QString runId;
    QString operatorName; // the signed-in account (or app:<client id>)
    QString tenantId;
    QString rowId; // plan row id; empty for run rows
    QString cloudId;
    QString cloudUpn;
    AuditAction action = AuditAction::Unrecognised; // unset: an empty cell
    QString oldImmutableId;
    QString newImmutableId;
    AuditResult result = AuditResult::Unrecognised; // unset: an empty cell
    int httpStatus = 0;                             // 0 = none (written as an empty cell)
    QString requestId;
    QString message;

    friend bool operator==(const AuditRecord &, const AuditRecord &) = default;
};

// audit.csv: append-only. An existing file is never rewritten or truncated; the header is
// written once, when the file is new (0600, never through a symlink); a torn last line is
// closed before the next record. Every append is written through to the OS (it
// survives a crash of the process); sync() and close() also fsync it. Crash safety of
// the changes themselves rests on the rollback journal, not on this file.
class AuditLog
{
public:
    AuditLog() = default;
    ~AuditLog();
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    static QStringList csvHeader();

    // Opens (or creates) the file for appending. An existing file must start with the
    // audit header, so that a wrong --audit path never damages another file.
    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_file.fileName(); }
    bool sync(QString *error);
    void close();

    // A rollback's run: the undo of a row's stamp or clear is recorded as `rolled_back`
    // (DESIGN.md §4), not as a new `applied` change.
    void setRollbackRun(bool rollback) { m_rollbackRun = rollback; }
    bool isRollbackRun() const { return m_rollbackRun; }

    bool append(const QList<AuditRecord> &records, QString *error);
    bool append(const AuditRecord &record, QString *error) { return append(QList{record}, error); }

    // Reads every row back (for tests, the summary and verify). A torn row (fewer cells
    // than the header) is skipped and reported in *warning.
    static bool read(const QString &path, QList<AuditRecord> *records, QString *error,
                     QString *warning = nullptr);

private:
    QFile m_file;
    bool m_rollbackRun = false;
};
