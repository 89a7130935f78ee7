#include "csv.h"

#include <QCoreApplication>

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
        return cell.mid(1);
    return cell;
}

QString quoteCell(const QString &cell)
{
    const bool needsQuotes = cell.contains(u',') || cell.contains(u'"') || cell.contains(u'\n') ||
                             cell.contains(u'\r') || cell.startsWith(u' ') || cell.endsWith(u' ');
    if (!needsQuotes)
        return cell;
    QString quoted = cell;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QString formatRecord(const QStringList &cells)
{
    QString line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += u',';
        line += quoteCell(guardCell(cells.at(i)));
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

} // namespace Csv
