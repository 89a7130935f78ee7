#include "auditlog.h"

#include "csv.h"
#include "durablefile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AuditLog", text);
}

enum Column {
    Timestamp,
    RunId,
    Operator,
    TenantId,
    RowId,
    CloudId,
    CloudUpn,
    ActionCol,
    OldId,
    NewId,
    Result,
    HttpStatus,
    RequestId,
    Message,
    ColumnCount
};

QByteArray formatRecord(const AuditRecord &r)
{
    // One line per record: a line break inside a message would only make the file harder
    // to grep, so it is folded into a space.
    QString message = r.message;
    message.replace(QLatin1String("\r\n"), QLatin1String(" "));
    message.replace(u'\n', u' ');
    message.replace(u'\r', u' ');
    return Csv::formatRecord(
               {r.timestampUtc.toUTC().toString(Qt::ISODateWithMs), r.runId, r.operatorName,
                r.tenantId, r.rowId, r.cloudId, r.cloudUpn, auditActionName(r.action),
                r.oldImmutableId, r.newImmutableId, auditResultName(r.result),
                r.httpStatus > 0 ? QString::number(r.httpStatus) : QString(), r.requestId, message})
        .toUtf8();
}

} // namespace

AuditLog::~AuditLog()
{
    close();
}

QStringList AuditLog::csvHeader()
{
    return {QStringLiteral("timestamp_utc"),    QStringLiteral("run_id"),
            QStringLiteral("operator"),         QStringLiteral("tenant_id"),
            QStringLiteral("row_id"),           QStringLiteral("cloud_id"),
            QStringLiteral("cloud_upn"),        QStringLiteral("action"),
            QStringLiteral("old_immutable_id"), QStringLiteral("new_immutable_id"),
            QStringLiteral("result"),           QStringLiteral("http_status"),
            QStringLiteral("request_id"),       QStringLiteral("message")};
}

bool AuditLog::open(const QString &path, QString *error)
{
    close();
    const QFileInfo info(path);
    const bool existing = info.exists() && info.size() > 0;
    if (existing) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("Cannot read %1: %2.").arg(path, file.errorString());
            return false;
        }
        const QByteArray expected = Csv::formatRecord(csvHeader()).toUtf8();
        if (file.read(expected.size()) != expected) {
            if (error)
                *error = tr("%1 exists but is not an Anchorfix audit file (its first line is "
                            "not the audit header). Choose another --audit file; Anchorfix "
                            "never rewrites an existing file.")
                             .arg(path);
            return false;
        }
    }
    if (!DurableFile::openForAppend(m_file, path, false, error))
        return false;
    if (existing) {
        // A crash or a full disk may have left a torn last line: close it, so the next
        // record starts on a line of its own.
        if (!DurableFile::sealTornCsvRecord(m_file, path, error)) {
            m_file.close();
            return false;
        }
        return true;
    }
    if (m_file.size() == 0 &&
        !DurableFile::appendAndSync(m_file, Csv::formatRecord(csvHeader()).toUtf8(), error)) {
        m_file.close();
        return false;
    }
    return true;
}

bool AuditLog::sync(QString *error)
{
    return !m_file.isOpen() || DurableFile::sync(m_file, error);
}

void AuditLog::close()
{
    if (m_file.isOpen()) {
        DurableFile::sync(m_file, nullptr);
        m_file.close();
    }
}

bool AuditLog::append(const QList<AuditRecord> &records, QString *error)
{
    if (!m_file.isOpen()) {
        if (error)
            *error = tr("The audit file is not open.");
        return false;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QByteArray bytes;
    for (AuditRecord r : records) {
        if (!r.timestampUtc.isValid())
            r.timestampUtc = now;
        if (m_rollbackRun && r.result == AuditResult::Applied &&
            (r.action == AuditAction::Stamp || r.action == AuditAction::Clear))
            r.result = AuditResult::RolledBack;
        bytes += formatRecord(r);
    }
    return DurableFile::append(m_file, bytes, error);
}

bool AuditLog::read(const QString &path, QList<AuditRecord> *records, QString *error,
                    QString *warning)
{
    records->clear();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read %1: %2.").arg(path, file.errorString());
        return false;
    }
    QByteArray bytes = file.readAll();
    if (DurableFile::endsInsideQuotes(bytes))
        bytes += DurableFile::csvSeal(bytes.right(1), true);
    QTextStream in(bytes);
    in.setEncoding(QStringConverter::Utf8);
    QList<int> tornLines;
    Csv::Reader reader(in);
    QStringList cells;
    if (!reader.readRecord(&cells))
        return !reader.hasError();
    if (cells != csvHeader()) {
        if (error)
            *error = tr("%1 is not an audit file.").arg(path);
        return false;
    }
    while (reader.readRecord(&cells)) {
        if (cells.size() < ColumnCount) {
            // A torn write (a crash, a full disk) left the start of a row; the rows after
            // it were appended on a fresh line.
            tornLines.append(reader.recordLine());
            continue;
        }
        if (cells.size() != ColumnCount) {
            if (error)
                *error = tr("%1, line %2: expected %3 columns.")
                             .arg(path)
                             .arg(reader.recordLine())
                             .arg(int(ColumnCount));
            return false;
        }
        for (QString &c : cells)
            c = Csv::unguardCell(c);
        AuditRecord r;
        r.timestampUtc = QDateTime::fromString(cells.at(Timestamp), Qt::ISODateWithMs);
        r.runId = cells.at(RunId);
        r.operatorName = cells.at(Operator);
        r.tenantId = cells.at(TenantId);
        r.rowId = cells.at(RowId);
        r.cloudId = cells.at(CloudId);
        r.cloudUpn = cells.at(CloudUpn);
        r.action = auditActionFromName(cells.at(ActionCol));
        r.oldImmutableId = cells.at(OldId);
        r.newImmutableId = cells.at(NewId);
        r.result = auditResultFromName(cells.at(Result));
        r.httpStatus = cells.at(HttpStatus).toInt();
        r.requestId = cells.at(RequestId);
        r.message = cells.at(Message);
        records->append(r);
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
        *warning = tr("%1 has an incomplete row on line %2 (a write was interrupted); it was "
                      "ignored.")
                       .arg(path, lines.join(QStringLiteral(", ")));
    }
    return true;
}
