// CSV: the text reader (Csv::Reader) and the byte reader (Csv::ByteReader) agree on
// every input, and what they read writes back (guarded, quoted) to text that reads as
// the same cells once unguarded, line breaks inside a cell as LF: read(write(cells)) ==
// cells; and writing that again gives the same text.
#include "csv.h"
#include "fuzzcheck.h"

#include <QBuffer>
#include <QTextStream>

namespace {

QList<QStringList> viaText(const QString &text, bool *ok, int *errorLine)
{
    QString copy = text;
    QTextStream in(&copy);
    Csv::Reader reader(in);
    QList<QStringList> out;
    QStringList cells;
    while (reader.readRecord(&cells))
        out << cells;
    *ok = !reader.hasError();
    *errorLine = reader.errorLine();
    return out;
}

QList<QStringList> viaBytes(QByteArray bytes, bool *ok, int *errorLine)
{
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    Csv::ByteReader reader(&buffer);
    QList<QStringList> out;
    std::vector<QByteArrayView> cells;
    while (reader.readRecord(&cells)) {
        QStringList row;
        for (QByteArrayView c : cells)
            row << Csv::fromUtf8(c);
        out << row;
    }
    *ok = !reader.hasError();
    *errorLine = reader.errorLine();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = fuzzBytes(data, size);
    // The readers differ on purpose where QTextStream decides line ends (a lone CR) and
    // on invalid UTF-8; compare them on the rest.
    const QString text = QString::fromUtf8(bytes);
    const bool comparable = !bytes.contains('\r') && text.toUtf8() == bytes;
    bool textOk = false, bytesOk = false;
    int textLine = 0, bytesLine = 0;
    const QList<QStringList> a = viaText(text, &textOk, &textLine);
    const QList<QStringList> b = viaBytes(bytes, &bytesOk, &bytesLine);
    if (comparable) {
        FUZZ_CHECK_EQ(textOk, bytesOk);
        if (textOk)
            FUZZ_CHECK_EQ(a, b);
        else
            FUZZ_CHECK_EQ(textLine, bytesLine);
    }
    if (!bytesOk)
        return 0;
    // Round trip through the writer.
    QString written;
    for (const QStringList &row : b)
        written += Csv::formatRecord(row);
    bool ok = false;
    int line = 0;
    QList<QStringList> again = viaBytes(written.toUtf8(), &ok, &line);
    FUZZ_CHECK(ok);
    for (QStringList &row : again)
        for (QString &cell : row)
            cell = Csv::unguardCell(cell);
    // Written again, what was read writes the same text (a plan saved twice is stable).
    QString rewritten;
    for (const QStringList &row : std::as_const(again))
        rewritten += Csv::formatRecord(row);
    FUZZ_CHECK_EQ(rewritten, written);
    // A lone CR inside a cell reads back as written; a line break inside quotes (CRLF, and
    // any more CRs before it) becomes LF. Not just one CR: the dialect cannot keep "\r\n" in
    // a cell, so "\r\r\n" kept as "\r\n" would read as "\n" the next time round.
    QList<QStringList> expected = b;
    for (QStringList &row : expected)
        for (QString &cell : row)
            while (cell.contains(QStringLiteral("\r\n")))
                cell.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    // A record of one empty cell is written as an empty line, which reads as one empty cell.
    FUZZ_CHECK_EQ(again, expected);
    return 0;
}
