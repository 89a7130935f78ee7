#include "ldapfilter.h"

QString ldapEscapeFilterValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        switch (c.unicode()) {
        case u'*':
            out += QLatin1String("\\2a");
            break;
        case u'(':
            out += QLatin1String("\\28");
            break;
        case u')':
            out += QLatin1String("\\29");
            break;
        case u'\\':
            out += QLatin1String("\\5c");
            break;
        case 0:
            out += QLatin1String("\\00");
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString ldapEscapeFilterBytes(const QByteArray &bytes)
{
    static const char hex[] = "0123456789abcdef";
    QString out;
    out.reserve(bytes.size() * 3);
    for (const char b : bytes) {
        const auto u = static_cast<unsigned char>(b);
        out += QLatin1Char('\\');
        out += QLatin1Char(hex[u >> 4]);
        out += QLatin1Char(hex[u & 0xf]);
    }
    return out;
}

QString ldapEqualityFilter(const QString &attribute, const QString &value)
{
    return QLatin1Char('(') + attribute + QLatin1Char('=') + ldapEscapeFilterValue(value) +
           QLatin1Char(')');
}
