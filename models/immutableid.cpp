#include "immutableid.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ImmutableId", text);
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= '0' && u <= '9')
        return u - '0';
    if (u >= 'a' && u <= 'f')
        return u - 'a' + 10;
    if (u >= 'A' && u <= 'F')
        return u - 'A' + 10;
    return -1;
}

// Decodes exactly 2*n hex digits (no separators) into n bytes.
std::optional<QByteArray> decodeHexRun(QStringView digits)
{
    if (digits.size() % 2 != 0)
        return std::nullopt;
    QByteArray out;
    out.reserve(digits.size() / 2);
    for (qsizetype i = 0; i < digits.size(); i += 2) {
        const int hi = hexValue(digits[i]);
        const int lo = hexValue(digits[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out.append(char(hi << 4 | lo));
    }
    return out;
}

bool isBase64Char(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '+' ||
           u == '/';
}

bool isHexChar(QChar c)
{
    return hexValue(c) >= 0;
}

std::optional<QByteArray> parseGuid(QStringView t)
{
    if (t.startsWith(u'{') != t.endsWith(u'}'))
        return std::nullopt;
    if (t.startsWith(u'{'))
        t = t.mid(1, t.size() - 2);
    static const QRegularExpression guid(QStringLiteral(
        "^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$"));
    const auto m = guid.match(t);
    if (!m.hasMatch())
        return std::nullopt;
    // The first three groups are little-endian in the stored bytes.
    auto reversed = [](QByteArray b) {
        std::reverse(b.begin(), b.end());
        return b;
    };
    QByteArray out;
    out += reversed(*decodeHexRun(m.capturedView(1)));
    out += reversed(*decodeHexRun(m.capturedView(2)));
    out += reversed(*decodeHexRun(m.capturedView(3)));
    out += *decodeHexRun(m.capturedView(4));
    out += *decodeHexRun(m.capturedView(5));
    return out;
}

std::optional<QByteArray> parseLdapEscaped(QStringView t)
{
    if (t.size() != 48)
        return std::nullopt;
    QString digits;
    for (qsizetype i = 0; i < t.size(); i += 3) {
        if (t[i] != u'\\')
            return std::nullopt;
        digits += t.mid(i + 1, 2);
    }
    return decodeHexRun(digits);
}

std::optional<QByteArray> parseHexOctets(QStringView t)
{
    QString digits;
    for (QChar c : t) {
        if (c == u' ' || c == u':')
            continue;
        if (!isHexChar(c))
            return std::nullopt;
        digits += c;
    }
    // Separated form: exactly "xx xx …" with one separator between octets.
    if (digits.size() != t.size()) {
        if ((t.size() + 1) % 3 != 0)
            return std::nullopt;
        for (qsizetype i = 2; i < t.size(); i += 3)
            if (t[i] != u' ' && t[i] != u':')
                return std::nullopt;
    }
    return decodeHexRun(digits);
}

} // namespace

ImmutableId ImmutableId::fromBytes(const QByteArray &bytes)
{
    return bytes.size() == 16 ? ImmutableId(bytes) : ImmutableId();
}

QString ImmutableId::acceptedForms()
{
    return tr("a GUID (7754d487-1fc3-4206-9e95-ce012f1586e5), a base64 ImmutableId "
              "(h9RUd8MfBkKelc4BLxWG5Q==), hex octets (87 d4 54 77 … or 87d45477…) or an "
              "LDAP filter value (\\87\\d4\\54\\77…)");
}

std::optional<ImmutableId> ImmutableId::parse(QStringView text, QString *error)
{
    const QStringView t = text.trimmed();
    auto reject = [&](const QString &why) -> std::optional<ImmutableId> {
        if (error)
            *error =
                why + u' ' + tr("A source anchor is 16 bytes written as %1.").arg(acceptedForms());
        return std::nullopt;
    };
    if (t.isEmpty())
        return reject(tr("The value is empty."));

    if (t.contains(u'-'))
        if (auto bytes = parseGuid(t))
            return ImmutableId(*bytes);
    if (t.startsWith(u'\\'))
        if (auto bytes = parseLdapEscaped(t))
            return ImmutableId(*bytes);
    if (auto bytes = parseHexOctets(t)) {
        if (bytes->size() == 16)
            return ImmutableId(*bytes);
        return reject(tr("\"%1\" has %2 hex octets; a source anchor has exactly 16.")
                          .arg(t.toString())
                          .arg(bytes->size()));
    }

    // Base64: 16 bytes are exactly 22 data characters and "==". Anything else is a typo
    // (seed 000 prints a 21-character value); padding it would invent a different anchor.
    const bool looksBase64 =
        std::all_of(t.begin(), t.end(), [](QChar c) { return isBase64Char(c) || c == u'='; });
    if (looksBase64) {
        const QStringView data = t.left(t.indexOf(u'=') < 0 ? t.size() : t.indexOf(u'='));
        if (t.size() != 24 || data.size() != 22 || !t.endsWith(u"=="))
            return reject(tr("\"%1\" looks like base64 but has %2 data characters; an ImmutableId "
                             "has exactly 22 followed by \"==\" (24 in all). Copy the whole "
                             "value again.")
                              .arg(t.toString())
                              .arg(data.size()));
        const QByteArray decoded =
            QByteArray::fromBase64Encoding(t.toLatin1(), QByteArray::AbortOnBase64DecodingErrors)
                .decoded;
        // Reject non-canonical encodings (stray low bits in the last character): they
        // decode to the same bytes but would never match Entra's stored string.
        if (decoded.size() != 16 || QString::fromLatin1(decoded.toBase64()) != t)
            return reject(
                tr("\"%1\" is not a canonical base64 encoding of 16 bytes.").arg(t.toString()));
        return ImmutableId(decoded);
    }
    return reject(tr("\"%1\" is not a source anchor.").arg(t.toString()));
}

QString ImmutableId::base64Of(const QByteArray &bytes)
{
    return bytes.size() == 16 ? QString::fromLatin1(bytes.toBase64()) : QString();
}

ImmutableId::Base64Text ImmutableId::base64TextOf(const QByteArray &bytes)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    Base64Text out;
    if (bytes.size() != 16)
        return out;
    const auto *in = reinterpret_cast<const unsigned char *>(bytes.constData());
    char16_t *p = out.m_text;
    for (int i = 0; i < 15; i += 3) {
        const unsigned v = (unsigned(in[i]) << 16) | (unsigned(in[i + 1]) << 8) | in[i + 2];
        *p++ = char16_t(alphabet[(v >> 18) & 63]);
        *p++ = char16_t(alphabet[(v >> 12) & 63]);
        *p++ = char16_t(alphabet[(v >> 6) & 63]);
        *p++ = char16_t(alphabet[v & 63]);
    }
    const unsigned last = in[15];
    *p++ = char16_t(alphabet[last >> 2]);
    *p++ = char16_t(alphabet[(last & 3) << 4]);
    *p++ = u'=';
    *p++ = u'=';
    out.m_size = 24;
    return out;
}

QString ImmutableId::toBase64() const
{
    return base64Of(m_bytes);
}

QString ImmutableId::toGuid() const
{
    if (isNull())
        return {};
    // The first three groups are stored little-endian: print their bytes in reverse.
    static constexpr int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    static constexpr char digits[] = "0123456789abcdef";
    QString out(36, Qt::Uninitialized);
    QChar *p = out.data();
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = u'-';
        const auto byte = uchar(m_bytes.at(order[i]));
        *p++ = QLatin1Char(digits[byte >> 4]);
        *p++ = QLatin1Char(digits[byte & 0xf]);
    }
    return out;
}

QString ImmutableId::toHex() const
{
    return QString::fromLatin1(m_bytes.toHex(' '));
}

QString ImmutableId::toLdapFilter() const
{
    QString out;
    out.reserve(48);
    for (char b : m_bytes)
        out += u'\\' + QString::fromLatin1(QByteArray(1, b).toHex());
    return out;
}
