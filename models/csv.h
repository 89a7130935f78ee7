#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <vector>

class QIODevice;

// RFC 4180 CSV on text streams. Writers guard against spreadsheet formula injection:
// a cell that begins with = + - @ (or tab, CR, or the guard quote itself) is written
// with a leading ', and readers that opt in remove exactly that guard again.
namespace Csv {

QString guardCell(const QString &cell);
QString unguardCell(const QString &cell);
QString quoteCell(const QString &cell); // adds RFC 4180 quotes where needed
// A cell as the readers give it back once written: inside quotes CRLF reads as LF, so
// each line break (any CRs before a LF) is written as LF and the guard is decided on that.
// A lone CR stays.
QString lineBreaksAsRead(const QString &cell);
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

// A cell's UTF-8 as text. Unlike QString::fromUtf8, keeps a leading U+FEFF (it is the
// cell's, the file's byte order mark is gone by then).
QString fromUtf8(QByteArrayView cell);

// The guard as unguardCell() removes it, on UTF-8 bytes.
QByteArrayView unguardCell(QByteArrayView cell);

// Reads records from UTF-8 bytes without making a QString per cell: for big files (a
// plan of a million rows). The device is read in blocks; cells are views that stay valid
// until the next readRecord(). Same dialect and messages as Reader: a quoted cell may
// span lines (its line breaks read as \n), CRLF or LF ends a record, a BOM is skipped.
class ByteReader
{
public:
    explicit ByteReader(QIODevice *device) : m_device(device) {}

    bool readRecord(std::vector<QByteArrayView> *cells);
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    int errorLine() const { return m_errorLine; }
    int errorColumn() const { return m_errorColumn; }
    int recordLine() const { return m_recordLine; }

private:
    bool fill(); // reads another block; false at the end of the device
    void failAt(qsizetype pos, const QString &message);
    int columnOf(qsizetype pos) const; // 1-based character column of a buffer offset

    QIODevice *m_device;
    QByteArray m_buffer;
    qsizetype m_pos = 0;       // start of the next record in m_buffer
    qsizetype m_lineStart = 0; // start of the physical line being parsed
    QByteArray m_scratch;      // unescaped quoted cells of the current record
    struct Span
    {
        qsizetype offset, size;
        bool inScratch;
    };
    std::vector<Span> m_spans; // the current record's cells, reused
    bool m_atEnd = false;
    bool m_started = false;
    int m_line = 0;
    int m_recordLine = 0;
    QString m_error;
    int m_errorLine = 0;
    int m_errorColumn = 0;
};

} // namespace Csv
