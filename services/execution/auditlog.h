#pragma once

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
    QString action; // stamp | clear | purge_deleted | run | upn_switch | upn_restore
    QString oldImmutableId;
    QString newImmutableId;
    QString result; // started | finished | applied | failed | stale | skipped | verified | mismatch
    int httpStatus = 0; // 0 = none (written as an empty cell)
    QString requestId;
    QString message;

    friend bool operator==(const AuditRecord &, const AuditRecord &) = default;
};

// audit.csv: append-only. An existing file is never rewritten or truncated; the header is
// written once, when the file is new. Every append is written through to the OS (it
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

    bool append(const QList<AuditRecord> &records, QString *error);
    bool append(const AuditRecord &record, QString *error) { return append(QList{record}, error); }

    // Reads every row back (for tests and the summary).
    static bool read(const QString &path, QList<AuditRecord> *records, QString *error);

private:
    QFile m_file;
};
