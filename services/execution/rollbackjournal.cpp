#include "rollbackjournal.h"

#include "csv.h"
#include "durablefile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QTextStream>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RollbackJournal", text);
}

enum Column { CloudId, CloudUpn, OldId, NewId, AppliedAt, Status, ColumnCount };

QByteArray formatEntry(const RollbackEntry &e)
{
    const QString at =
        e.appliedAtUtc.isValid() ? e.appliedAtUtc.toUTC().toString(Qt::ISODateWithMs) : QString();
    return Csv::formatRecord({e.cloudId, e.cloudUpn, e.oldImmutableId, e.newImmutableId, at,
                              rollbackStatusName(e.status)})
        .toUtf8();
}

} // namespace

QString rollbackStatusName(RollbackStatus status)
{
    switch (status) {
    case RollbackStatus::Pending:
        return QStringLiteral("pending");
    case RollbackStatus::Applied:
        return QStringLiteral("applied");
    case RollbackStatus::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

std::optional<RollbackStatus> rollbackStatusFromName(QStringView name)
{
    for (RollbackStatus s :
         {RollbackStatus::Pending, RollbackStatus::Applied, RollbackStatus::Failed}) {
        if (name.compare(rollbackStatusName(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

RollbackJournal::~RollbackJournal()
{
    close();
}

QStringList RollbackJournal::csvHeader()
{
    return {QStringLiteral("cloud_id"),         QStringLiteral("cloud_upn"),
            QStringLiteral("old_immutable_id"), QStringLiteral("new_immutable_id"),
            QStringLiteral("applied_at_utc"),   QStringLiteral("status")};
}

bool RollbackJournal::create(const QString &path, QString *error)
{
    return open(path, true, error);
}

bool RollbackJournal::openForAppend(const QString &path, QString *error)
{
    return open(path, false, error);
}

bool RollbackJournal::open(const QString &path, bool mustBeNew, QString *error)
{
    close();
    const QFileInfo info(path);
    if (mustBeNew && info.exists() && info.size() > 0) {
        if (error)
            *error = tr("%1 already exists and may hold the undo of an earlier run. Move it "
                        "away or choose another --rollback file.")
                         .arg(path);
        return false;
    }
    if (!mustBeNew && info.exists() && info.size() > 0) {
        // Refuse to append to something that is not a rollback file.
        QList<RollbackEntry> rows;
        if (!readRows(path, &rows, error))
            return false;
    }
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = tr("Cannot open %1 for writing: %2.").arg(path, m_file.errorString());
        return false;
    }
    m_path = path;
    if (m_file.size() == 0 &&
        !DurableFile::appendAndSync(m_file, Csv::formatRecord(csvHeader()).toUtf8(), error)) {
        m_file.close();
        return false;
    }
    return true;
}

bool RollbackJournal::append(const QList<RollbackEntry> &entries, QString *error,
                             Durability durability)
{
    if (!m_file.isOpen()) {
        if (error)
            *error = tr("The rollback journal is not open.");
        return false;
    }
    QByteArray bytes;
    for (const RollbackEntry &e : entries)
        bytes += formatEntry(e);
    return durability == Durability::Synced ? DurableFile::appendAndSync(m_file, bytes, error)
                                            : DurableFile::append(m_file, bytes, error);
}

bool RollbackJournal::compact(QString *error)
{
    if (!m_file.isOpen()) {
        if (error)
            *error = tr("The rollback journal is not open.");
        return false;
    }
    m_file.close();
    QList<RollbackEntry> entries;
    if (!read(m_path, &entries, error))
        return false;
    QByteArray bytes = Csv::formatRecord(csvHeader()).toUtf8();
    for (const RollbackEntry &e : std::as_const(entries))
        bytes += formatEntry(e);
    return DurableFile::replaceAtomically(m_path, bytes, error);
}

void RollbackJournal::close()
{
    if (m_file.isOpen()) {
        DurableFile::sync(m_file, nullptr);
        m_file.close();
    }
}

bool RollbackJournal::readRows(const QString &path, QList<RollbackEntry> *rows, QString *error,
                               QString *warning)
{
    rows->clear();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read %1: %2.").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    // A crash can leave a torn last line: everything after the last line break is ignored.
    const qsizetype lastBreak = bytes.lastIndexOf('\n');
    const QByteArray complete = bytes.left(lastBreak + 1);
    if (warning && complete.size() < bytes.size())
        *warning = tr("%1 ends in an incomplete line (the run was interrupted while "
                      "writing it); that line was ignored.")
                       .arg(path);
    QTextStream in(complete);
    in.setEncoding(QStringConverter::Utf8);
    Csv::Reader reader(in);
    QStringList cells;
    if (!reader.readRecord(&cells)) {
        if (reader.hasError()) {
            if (error)
                *error = tr("%1: %2").arg(path, reader.errorString());
            return false;
        }
        return true; // empty file: nothing to undo
    }
    if (cells != csvHeader()) {
        if (error)
            *error = tr("%1 is not a rollback file: its first line should be \"%2\".")
                         .arg(path, csvHeader().join(u','));
        return false;
    }
    while (reader.readRecord(&cells)) {
        for (QString &c : cells)
            c = Csv::unguardCell(c);
        const auto status =
            cells.size() == ColumnCount ? rollbackStatusFromName(cells.at(Status)) : std::nullopt;
        if (!status || cells.at(CloudId).isEmpty()) {
            if (error)
                *error = tr("%1, line %2: expected %3 columns with a cloud_id and a status of "
                            "pending, applied or failed.")
                             .arg(path)
                             .arg(reader.recordLine())
                             .arg(int(ColumnCount));
            return false;
        }
        RollbackEntry e;
        e.cloudId = cells.at(CloudId);
        e.cloudUpn = cells.at(CloudUpn);
        e.oldImmutableId = cells.at(OldId);
        e.newImmutableId = cells.at(NewId);
        if (!cells.at(AppliedAt).isEmpty())
            e.appliedAtUtc = QDateTime::fromString(cells.at(AppliedAt), Qt::ISODateWithMs);
        e.status = *status;
        rows->append(e);
    }
    if (reader.hasError()) {
        if (error)
            *error = tr("%1: %2").arg(path, reader.errorString());
        return false;
    }
    return true;
}

QList<RollbackEntry> RollbackJournal::fold(const QList<RollbackEntry> &rows)
{
    QList<RollbackEntry> entries;
    QHash<QString, qsizetype> indexById;
    for (const RollbackEntry &row : rows) {
        const auto it = indexById.constFind(row.cloudId);
        if (it == indexById.cend()) {
            indexById.insert(row.cloudId, entries.size());
            entries.append(row);
        } else {
            entries[*it] = row;
        }
    }
    return entries;
}

bool RollbackJournal::read(const QString &path, QList<RollbackEntry> *entries, QString *error,
                           QString *warning)
{
    QList<RollbackEntry> rows;
    if (!readRows(path, &rows, error, warning))
        return false;
    *entries = fold(rows);
    return true;
}
