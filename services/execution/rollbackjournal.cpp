#include "rollbackjournal.h"

#include "csv.h"
#include "durablefile.h"
#include "rollbackscript.h"
#include "runfiles.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QTextStream>

#include <array>
#include <sys/stat.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RollbackJournal", text);
}

enum Column { CloudId, CloudUpn, OldId, NewId, AppliedAt, Status, ColumnCount };
// Appended columns (DESIGN.md §4): optional when read, so an older journal still reads.
enum OptionalColumn { Side, OnPremDn, Change, OptionalCount };

constexpr std::array kStatuses{RollbackStatus::Pending, RollbackStatus::Applied,
                               RollbackStatus::Failed, RollbackStatus::RolledBack,
                               RollbackStatus::RollbackFailed};

// One row in the order of `columns` (the file's header): a file an earlier version wrote
// lacks the appended columns, and its rows keep its width or the next read refuses them.
QByteArray formatEntry(const RollbackEntry &e, const QStringList &columns)
{
    const QString at =
        e.appliedAtUtc.isValid() ? e.appliedAtUtc.toUTC().toString(Qt::ISODateWithMs) : QString();
    const QStringList all{e.cloudId,
                          e.cloudUpn,
                          e.oldImmutableId,
                          e.newImmutableId,
                          at,
                          rollbackStatusName(e.status),
                          e.onPrem ? QStringLiteral("onprem") : QStringLiteral("cloud"),
                          e.onPremDn,
                          e.change};
    const QStringList header = RollbackJournal::csvHeader();
    QStringList cells;
    cells.reserve(columns.size());
    for (const QString &column : columns) {
        const qsizetype index = header.indexOf(column);
        cells << (index >= 0 ? all.at(index) : QString());
    }
    return Csv::formatRecord(cells).toUtf8();
}

// The header of an existing journal, or the current one when it has none.
QStringList headerOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return RollbackJournal::csvHeader();
    QString line = QString::fromUtf8(file.readLine());
    QTextStream in(&line);
    Csv::Reader reader(in);
    QStringList cells;
    if (!reader.readRecord(&cells) || cells.isEmpty())
        return RollbackJournal::csvHeader();
    return cells;
}

// A status cut short by a torn write ("appl"): the start of a status name, but not one.
bool isCutStatus(const QString &cell)
{
    if (rollbackStatusFromName(cell))
        return false;
    for (RollbackStatus s : kStatuses)
        if (rollbackStatusName(s).startsWith(cell))
            return true;
    return false;
}

// An applied_at_utc cell, or an invalid time (unknown) when it is none. A time whose UTC
// year is outside 0..9999 (only a hand edit: "9999-12-31T23:00:00-05:00") has no ISO form
// in UTC, so the journal could not write it back: it is unknown too, or a compaction would
// silently turn it into an empty cell.
QDateTime appliedAt(const QString &cell)
{
    const QDateTime t = QDateTime::fromString(cell, Qt::ISODateWithMs);
    const int year = t.isValid() ? t.toUTC().date().year() : -1;
    return year >= 0 && year <= 9999 ? t : QDateTime();
}

bool pathExists(const QString &path)
{
    struct stat st;
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0;
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
    case RollbackStatus::RolledBack:
        return QStringLiteral("rolled_back");
    case RollbackStatus::RollbackFailed:
        return QStringLiteral("rollback_failed");
    }
    return {};
}

std::optional<RollbackStatus> rollbackStatusFromName(QStringView name)
{
    for (RollbackStatus s : kStatuses) {
        if (name.compare(rollbackStatusName(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

bool RollbackEntry::isObjectIdentifierClear() const
{
    return change == QLatin1String(kObjectIdentifierClearChange);
}

QString RollbackEntry::key() const
{
    const QString side = onPrem ? QStringLiteral("onprem:") + cloudId : cloudId;
    return change.isEmpty() ? side : side + QChar(0x1f) + change;
}

RollbackJournal::~RollbackJournal()
{
    close();
}

QStringList RollbackJournal::csvHeader()
{
    return {QStringLiteral("cloud_id"),
            QStringLiteral("cloud_upn"),
            QStringLiteral("old_immutable_id"),
            QStringLiteral("new_immutable_id"),
            QStringLiteral("applied_at_utc"),
            QStringLiteral("status"),
            QStringLiteral("side"),
            QStringLiteral("onprem_dn"),
            QStringLiteral("change")};
}

bool RollbackJournal::create(const QString &path, QString *error)
{
    close();
    m_columns = csvHeader();
    m_undo = false;
    m_undone.clear();
    const QFileInfo info(path);
    if (info.exists() && info.size() > 0) {
        if (error)
            *error = tr("%1 already exists and may hold the undo of an earlier run. Move it "
                        "away or choose another --rollback file.")
                         .arg(path);
        return false;
    }
    const QString script = RunFiles::rollbackScriptFor(path);
    if (pathExists(script)) {
        if (error)
            *error = tr("%1 already exists and may be the undo script of an earlier run. Move "
                        "it away or choose another --rollback file.")
                         .arg(script);
        return false;
    }
    if (!DurableFile::checkReplaceable(script, error))
        return false;
    // An empty file (created beforehand) is used as it is; otherwise the file is new.
    if (!DurableFile::openForAppend(m_file, path, !info.exists(), error))
        return false;
    m_path = path;
    if (m_file.size() == 0 &&
        !DurableFile::appendAndSync(m_file, Csv::formatRecord(csvHeader()).toUtf8(), error)) {
        m_file.close();
        return false;
    }
    return true;
}

bool RollbackJournal::openForUndo(const QString &path, QString *error)
{
    close();
    m_undo = true;
    m_undone.clear();
    return openExisting(path, error);
}

bool RollbackJournal::openExisting(const QString &path, QString *error)
{
    const QFileInfo info(path);
    m_columns = csvHeader();
    if (info.exists() && info.size() > 0) {
        m_columns = headerOf(path);
        // Refuse to append to something that is not a rollback file.
        QList<RollbackEntry> rows;
        if (!readRows(path, &rows, error))
            return false;
        for (const RollbackEntry &e : fold(rows))
            m_undone.insert(e.key(), e);
    }
    if (!DurableFile::openForAppend(m_file, path, false, error))
        return false;
    m_path = path;
    if (m_file.size() == 0) {
        if (!DurableFile::appendAndSync(m_file, Csv::formatRecord(csvHeader()).toUtf8(), error)) {
            m_file.close();
            return false;
        }
        return true;
    }
    // A torn last line must not swallow the next row: close it first.
    if (!DurableFile::sealTornCsvRecord(m_file, path, error)) {
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
    for (const RollbackEntry &e : entries) {
        if (!m_undo) {
            bytes += formatEntry(e, m_columns);
            continue;
        }
        // The undo of a row is recorded on the row itself, never as a change of its own:
        // a journal that says "set the old value" would make the next rollback a redo.
        RollbackEntry row = m_undone.value(e.key(), e);
        switch (e.status) {
        case RollbackStatus::Pending:
            continue;
        case RollbackStatus::Applied:
        case RollbackStatus::RolledBack:
            row.status = RollbackStatus::RolledBack;
            break;
        case RollbackStatus::Failed:
        case RollbackStatus::RollbackFailed:
            row.status = RollbackStatus::RollbackFailed;
            break;
        }
        row.appliedAtUtc = e.appliedAtUtc.isValid() ? e.appliedAtUtc : row.appliedAtUtc;
        m_undone.insert(row.key(), row);
        bytes += formatEntry(row, m_columns);
    }
    if (bytes.isEmpty())
        return true;
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
        bytes += formatEntry(e, csvHeader());
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
    QByteArray bytes = file.readAll();
    const bool lastLineOpen = !bytes.isEmpty() && !bytes.endsWith('\n');
    // A write torn inside a quoted cell is closed here as the next append would close it.
    if (DurableFile::endsInsideQuotes(bytes))
        bytes += DurableFile::csvSeal(bytes.right(1), true);
    QTextStream in(bytes);
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
    std::array<qsizetype, ColumnCount> at{};
    const QStringList header = csvHeader();
    std::array<qsizetype, OptionalCount> optionalAt{};
    for (int c = 0; c < OptionalCount; ++c)
        optionalAt[c] = cells.indexOf(header.at(ColumnCount + c));
    for (int c = 0; c < ColumnCount; ++c) {
        at[c] = cells.indexOf(header.at(c));
        if (at[c] < 0 || cells.size() > 64) {
            if (error)
                *error = tr("%1 is not a rollback file: its first line should be \"%2\".")
                             .arg(path, header.mid(0, ColumnCount).join(u','));
            return false;
        }
    }
    const qsizetype width = cells.size();
    QList<int> tornLines;
    // A row cut short inside its last cell still has every cell; only the missing line
    // end tells. Such a last row is torn (the journal ends every row with one).
    while (reader.readRecord(&cells)) {
        if (lastLineOpen && in.atEnd() && cells.size() == width && optionalAt[Side] >= 0) {
            tornLines.append(reader.recordLine());
            continue;
        }
        const bool complete = cells.size() == width;
        const auto status = complete ? rollbackStatusFromName(cells.at(at[Status])) : std::nullopt;
        // A change this version does not know: cut short by a torn write when it is the
        // start of a known one in the last column, else damage.
        const QString change =
            complete && optionalAt[Change] >= 0 ? cells.at(optionalAt[Change]) : QString();
        const bool knownChange =
            change.isEmpty() || change == QLatin1String(kObjectIdentifierClearChange);
        const bool cutChange = !knownChange && optionalAt[Change] == width - 1 &&
                               QLatin1String(kObjectIdentifierClearChange).startsWith(change);
        if (!status || cells.at(at[CloudId]).isEmpty() || !knownChange) {
            // A torn write leaves a prefix of a row: fewer cells, or the status cut short.
            const bool torn =
                cells.size() < width || cutChange ||
                (complete && at[Status] == width - 1 && isCutStatus(cells.at(at[Status])));
            if (torn) {
                tornLines.append(reader.recordLine());
                continue;
            }
            if (error)
                *error = tr("%1, line %2: expected %3 columns with a cloud_id, a status of "
                            "pending, applied, failed, rolled_back or rollback_failed, and a "
                            "change that is empty or clear_object_identifier. Nothing was "
                            "changed; restore the file from a copy or correct that line.")
                             .arg(path)
                             .arg(reader.recordLine())
                             .arg(width);
            return false;
        }
        for (QString &c : cells)
            c = Csv::unguardCell(c);
        RollbackEntry e;
        e.cloudId = cells.at(at[CloudId]);
        e.cloudUpn = cells.at(at[CloudUpn]);
        e.oldImmutableId = cells.at(at[OldId]);
        e.newImmutableId = cells.at(at[NewId]);
        if (!cells.at(at[AppliedAt]).isEmpty())
            e.appliedAtUtc = appliedAt(cells.at(at[AppliedAt]));
        e.status = *status;
        if (optionalAt[Side] >= 0 && optionalAt[Side] < cells.size())
            e.onPrem = cells.at(optionalAt[Side]).compare(u"onprem", Qt::CaseInsensitive) == 0;
        if (optionalAt[OnPremDn] >= 0 && optionalAt[OnPremDn] < cells.size())
            e.onPremDn = cells.at(optionalAt[OnPremDn]);
        e.change = change;
        rows->append(e);
    }
    if (reader.hasError()) {
        if (error)
            *error = tr("%1: %2").arg(path, reader.errorString());
        return false;
    }
    if (warning && !tornLines.isEmpty()) {
        QStringList lines;
        for (int line : std::as_const(tornLines))
            lines.append(QString::number(line));
        *warning = tr("%1 has an incomplete row on line %2 (a write was interrupted: a crash or "
                      "a full disk); it was ignored. The rows around it are intact, and a "
                      "change whose row is incomplete is checked against the tenant.")
                       .arg(path, lines.join(QStringLiteral(", ")));
    }
    return true;
}

QList<RollbackEntry> RollbackJournal::fold(const QList<RollbackEntry> &rows)
{
    QList<RollbackEntry> entries;
    QHash<QString, qsizetype> indexById;
    for (const RollbackEntry &row : rows) {
        const auto it = indexById.constFind(row.key());
        if (it == indexById.cend()) {
            indexById.insert(row.key(), entries.size());
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
