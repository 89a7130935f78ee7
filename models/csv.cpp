#include "csv.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QRegularExpression>
#include <QStringDecoder>

#include <cstring>

namespace Csv {

namespace {

bool startsWithFormulaTrigger(const QString &cell)
{
    if (cell.isEmpty())
        return false;
    switch (cell.front().unicode()) {
    case u'=':
    case u'+':
    case u'-':
    case u'@':
    case u'\t':
    case u'\r':
        return true;
    default:
        return false;
    }
}

} // namespace

QString guardCell(const QString &cell)
{
    // The guard quote itself is guarded too, so reading strips exactly what writing added.
    if (startsWithFormulaTrigger(cell) ||
        (cell.startsWith(u'\'') && cell.size() > 1 &&
         (startsWithFormulaTrigger(cell.mid(1)) || cell.at(1) == u'\'')))
        return u'\'' + cell;
    return cell;
}

QString unguardCell(const QString &cell)
{
    if (cell.size() > 1 && cell.front() == u'\'' &&
        (startsWithFormulaTrigger(cell.mid(1)) || cell.at(1) == u'\''))
        return cell.sliced(1);
    return cell;
}

QString quoteCell(const QString &cell)
{
    const bool needsQuotes = cell.contains(u',') || cell.contains(u'"') || cell.contains(u'\n') ||
                             cell.contains(u'\r') || cell.startsWith(u' ') || cell.endsWith(u' ') ||
                             cell.startsWith(QChar(0xfeff)); // else read as a byte order mark
    if (!needsQuotes)
        return cell;
    QString quoted = cell;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QString lineBreaksAsRead(const QString &cell)
{
    if (!cell.contains(u'\r'))
        return cell;
    // Every CR before a LF goes, not just one: "\r\r\n" made "\r\n" would read as "\n",
    // and the next write of the plan would differ from this one.
    static const QRegularExpression lineBreak(QStringLiteral("\r+\n"));
    QString out = cell;
    out.replace(lineBreak, QStringLiteral("\n"));
    return out;
}

QString formatRecord(const QStringList &cells)
{
    QString line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += u',';
        line += quoteCell(guardCell(lineBreaksAsRead(cells.at(i))));
    }
    line += QStringLiteral("\r\n");
    return line;
}

bool Reader::readRecord(QStringList *cells)
{
    cells->clear();
    if (!m_error.isEmpty())
        return false;
    QString line;
    if (!m_stream.readLineInto(&line))
        return false;
    ++m_line;
    m_recordLine = m_line;
    if (m_line == 1 && line.startsWith(QChar(0xfeff)))
        line.remove(0, 1); // a byte order mark QTextStream did not consume

    QString cell;
    bool inQuotes = false;
    bool wasQuoted = false;
    int quoteLine = 0;
    int quoteColumn = 0;
    qsizetype i = 0;
    for (;;) {
        if (i >= line.size()) {
            if (inQuotes) {
                // A quoted cell continues on the next physical line.
                QString next;
                if (!m_stream.readLineInto(&next)) {
                    m_error = QCoreApplication::translate(
                                  "Csv", "a quoted cell that starts at line %1, column %2 is "
                                         "never closed; add the missing \"")
                                  .arg(quoteLine)
                                  .arg(quoteColumn);
                    m_errorLine = quoteLine;
                    m_errorColumn = quoteColumn;
                    return false;
                }
                ++m_line;
                cell += u'\n';
                line = next;
                i = 0;
                continue;
            }
            cells->append(cell);
            return true;
        }
        const QChar c = line.at(i);
        if (inQuotes) {
            if (c == u'"') {
                if (i + 1 < line.size() && line.at(i + 1) == u'"') {
                    cell += u'"';
                    i += 2;
                    continue;
                }
                inQuotes = false;
                ++i;
                continue;
            }
            cell += c;
            ++i;
            continue;
        }
        if (c == u',') {
            cells->append(cell);
            cell.clear();
            wasQuoted = false;
            ++i;
            continue;
        }
        if (c == u'"') {
            if (!cell.isEmpty() || wasQuoted) {
                m_error = QCoreApplication::translate(
                    "Csv", "a quote inside an unquoted cell; quote the whole cell and double "
                           "the quote (\"\")");
                m_errorLine = m_line;
                m_errorColumn = int(i + 1);
                return false;
            }
            inQuotes = true;
            wasQuoted = true;
            quoteLine = m_line;
            quoteColumn = int(i + 1);
            ++i;
            continue;
        }
        if (wasQuoted) {
            m_error = QCoreApplication::translate(
                "Csv", "text after the closing quote of a cell; put a comma after the quote");
            m_errorLine = m_line;
            m_errorColumn = int(i + 1);
            return false;
        }
        cell += c;
        ++i;
    }
}

QString fromUtf8(QByteArrayView cell)
{
    if (!cell.startsWith("\xef\xbb\xbf"))
        return QString::fromUtf8(cell);
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless |
                                                       QStringConverter::Flag::ConvertInitialBom);
    return decoder.decode(cell);
}

QByteArrayView unguardCell(QByteArrayView cell)
{
    if (cell.size() > 1 && cell.front() == '\'') {
        switch (cell.at(1)) {
        case '=':
        case '+':
        case '-':
        case '@':
        case '\t':
        case '\r':
        case '\'':
            return cell.sliced(1);
        default:
            break;
        }
    }
    return cell;
}

namespace {

constexpr qsizetype BlockSize = 1 << 20;

QString unclosedQuoteMessage(int line, int column)
{
    return QCoreApplication::translate("Csv", "a quoted cell that starts at line %1, column %2 is "
                                              "never closed; add the missing \"")
        .arg(line)
        .arg(column);
}

} // namespace

bool ByteReader::fill()
{
    if (m_atEnd || !m_device)
        return false;
    // A block, or what is left of a small file: a short plan costs no megabyte.
    const qint64 available = m_device->bytesAvailable();
    const qsizetype block = available > 0 ? qsizetype(qMin<qint64>(available, BlockSize)) : 4096;
    const qsizetype old = m_buffer.size();
    m_buffer.resize(old + block);
    const qint64 n = m_device->read(m_buffer.data() + old, block);
    m_buffer.resize(old + qMax<qint64>(0, n));
    if (n <= 0) {
        m_atEnd = true;
        return false;
    }
    return true;
}

int ByteReader::columnOf(qsizetype pos) const
{
    int column = 1;
    for (qsizetype i = m_lineStart; i < pos && i < m_buffer.size(); ++i)
        column += (uchar(m_buffer.at(i)) & 0xc0) != 0x80; // UTF-8 continuation bytes do not count
    return column;
}

void ByteReader::failAt(qsizetype pos, const QString &message)
{
    m_error = message;
    m_errorLine = m_line;
    m_errorColumn = columnOf(pos);
}

bool ByteReader::readRecord(std::vector<QByteArrayView> *cells)
{
    cells->clear();
    if (!m_error.isEmpty())
        return false;
    if (!m_started) {
        m_started = true;
        while (m_buffer.size() < 3 && fill()) {
        }
        if (m_buffer.startsWith("\xef\xbb\xbf"))
            m_pos = 3;
    }
    // Drop the records already read, so that the buffer holds about one block.
    if (m_pos >= m_buffer.size() || m_buffer.size() - m_pos < 4096) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    if (m_pos >= m_buffer.size() && !fill())
        return false;

    std::vector<Span> &spans = m_spans;
    spans.clear();
    m_scratch.resize(0); // keeps its capacity, unlike clear()
    ++m_line;
    m_recordLine = m_line;
    m_lineStart = m_pos;
    qsizetype i = m_pos;
    // The byte at i, reading more when needed; -1 at the end of the input.
    auto byteAt = [&](qsizetype at) -> int {
        while (at >= m_buffer.size())
            if (!fill())
                return -1;
        return uchar(m_buffer.at(at));
    };

    for (;;) {
        if (byteAt(i) == '"') {
            const int quoteLine = m_line;
            const int quoteColumn = columnOf(i);
            ++i;
            const qsizetype from = m_scratch.size();
            for (;;) {
                if (i >= m_buffer.size() && !fill()) {
                    m_error = unclosedQuoteMessage(quoteLine, quoteColumn);
                    m_errorLine = quoteLine;
                    m_errorColumn = quoteColumn;
                    return false;
                }
                // Copy the run up to the next quote or line break in one go.
                const char *begin = m_buffer.constData() + i;
                const char *end = m_buffer.constData() + m_buffer.size();
                const char *stop = begin;
                while (stop < end && *stop != '"' && *stop != '\n' && *stop != '\r')
                    ++stop;
                m_scratch.append(begin, stop - begin);
                i += stop - begin;
                const int c = byteAt(i);
                if (c == '"') {
                    if (byteAt(i + 1) == '"') {
                        m_scratch.append('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (c == '\r' && byteAt(i + 1) != '\n') {
                    m_scratch.append('\r');
                    ++i;
                    continue;
                }
                if (c == '\r' || c == '\n') {
                    i += c == '\r' ? 2 : 1;
                    m_scratch.append('\n');
                    ++m_line;
                    m_lineStart = i;
                }
            }
            spans.push_back({from, m_scratch.size() - from, true});
            const int next = byteAt(i);
            if (next != ',' && next != '\n' && next != -1 &&
                !(next == '\r' && byteAt(i + 1) == '\n')) {
                failAt(i, QCoreApplication::translate("Csv", "text after the closing quote of a "
                                                             "cell; put a comma after the quote"));
                return false;
            }
        } else {
            const qsizetype from = i;
            for (;;) {
                const int c = byteAt(i);
                if (c == -1 || c == ',' || c == '\n' || (c == '\r' && byteAt(i + 1) == '\n'))
                    break;
                if (c == '"') {
                    failAt(i, QCoreApplication::translate(
                                  "Csv", "a quote inside an unquoted cell; quote the whole cell "
                                         "and double the quote (\"\")"));
                    return false;
                }
                ++i;
            }
            spans.push_back({from, i - from, false});
        }
        const int c = byteAt(i);
        if (c == ',') {
            ++i;
            continue;
        }
        if (c == '\r')
            ++i;
        if (c != -1)
            ++i; // the line feed
        break;
    }
    m_pos = i;
    cells->reserve(spans.size());
    for (const Span &s : spans)
        cells->push_back(s.inScratch ? QByteArrayView(m_scratch.constData() + s.offset, s.size)
                                     : QByteArrayView(m_buffer.constData() + s.offset, s.size));
    return true;
}

} // namespace Csv
