#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

// RFC 4180 CSV on text streams. Writers guard against spreadsheet formula injection:
// a cell that begins with = + - @ (or tab, CR, or the guard quote itself) is written
// with a leading ', and readers that opt in remove exactly that guard again.
namespace Csv {

QString guardCell(const QString &cell);
QString unguardCell(const QString &cell);
QString quoteCell(const QString &cell); // adds RFC 4180 quotes where needed
// One record, guarded and quoted, with CRLF as RFC 4180 asks.
QString formatRecord(const QStringList &cells);

// Reads records one at a time, tracking the physical line for error messages.
class Reader
{
public:
    explicit Reader(QTextStream &stream) : m_stream(stream) {}

    // false at end of input or on error; check hasError().
    bool readRecord(QStringList *cells);
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    int errorLine() const { return m_errorLine; }
    int errorColumn() const { return m_errorColumn; }
    // The physical line on which the last record read started (1-based).
    int recordLine() const { return m_recordLine; }

private:
    QTextStream &m_stream;
    int m_line = 0;
    int m_recordLine = 0;
    QString m_error;
    int m_errorLine = 0;
    int m_errorColumn = 0;
};

} // namespace Csv
