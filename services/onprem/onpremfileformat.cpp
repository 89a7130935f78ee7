#include "onpremfileformat.h"

#include <QRegularExpression>
#include <QStringDecoder>

namespace {

QStringConverter::Encoding detectEncoding(const QByteArray &head)
{
    if (head.startsWith("\xEF\xBB\xBF"))
        return QStringConverter::Utf8;
    if (head.startsWith("\xFF\xFE"))
        return QStringConverter::Utf16LE;
    if (head.startsWith("\xFE\xFF"))
        return QStringConverter::Utf16BE;
    // No BOM: ASCII text in UTF-16 has a NUL in every other byte.
    const qsizetype n = qMin<qsizetype>(head.size(), 200) & ~qsizetype(1);
    if (n >= 4) {
        int oddNuls = 0;
        int evenNuls = 0;
        for (qsizetype i = 0; i < n; i += 2) {
            evenNuls += head.at(i) == '\0';
            oddNuls += head.at(i + 1) == '\0';
        }
        if (oddNuls > n / 4 && evenNuls == 0)
            return QStringConverter::Utf16LE;
        if (evenNuls > n / 4 && oddNuls == 0)
            return QStringConverter::Utf16BE;
    }
    return QStringConverter::Utf8;
}

} // namespace

OnPremFileFormat OnPremFileFormat::detect(const QByteArray &head, const QString &fileName)
{
    OnPremFileFormat format;
    format.encoding = detectEncoding(head);
    QStringDecoder decoder(format.encoding);
    QString text = decoder.decode(head);
    if (text.startsWith(QChar(0xfeff)))
        text.remove(0, 1);

    static const QRegularExpression ldifLine(
        QStringLiteral("^(dn|version|[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9=-]+)*)::?( |$|[^ ,])"));
    for (QStringView line : QStringView(text).split(u'\n')) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith(u"#TYPE")) {
            format.kind = Kind::Csv;
        } else if (line.startsWith(u'#')) {
            format.kind = Kind::Ldif; // LDIF comments; a CSV has none but #TYPE
        } else if (ldifLine.match(line).hasMatch() && !line.startsWith(u'"')) {
            format.kind = Kind::Ldif;
        } else if (line.contains(u',') || line.startsWith(u'"')) {
            format.kind = Kind::Csv;
        }
        break;
    }
    if (format.kind == Kind::Unknown) {
        const QString lower = fileName.toLower();
        if (lower.endsWith(u".csv"))
            format.kind = Kind::Csv;
        else if (lower.endsWith(u".ldf") || lower.endsWith(u".ldif"))
            format.kind = Kind::Ldif;
    }
    return format;
}

QString OnPremFileFormat::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Ldif:
        return QStringLiteral("LDIF");
    case Kind::Csv:
        return QStringLiteral("CSV");
    case Kind::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}
