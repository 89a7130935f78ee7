#include "jwt.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonValue>

#include <cmath>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Jwt", text);
}

bool isBase64UrlPart(QByteArrayView part)
{
    if (part.isEmpty() || part.size() % 4 == 1)
        return false;
    for (char c : part)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    return true;
}

std::optional<QByteArray> decodePart(QByteArrayView part)
{
    if (!isBase64UrlPart(part))
        return std::nullopt;
    auto r = QByteArray::fromBase64Encoding(
        part.toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                QByteArray::AbortOnBase64DecodingErrors);
    if (!r)
        return std::nullopt;
    return r.decoded;
}

std::optional<QJsonObject> jsonObject(const QByteArray &bytes)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &e);
    if (e.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

} // namespace

std::optional<Jwt> Jwt::parse(const QString &compact, QString *error)
{
    const auto refuse = [error](const QString &why) -> std::optional<Jwt> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (compact.isEmpty())
        return refuse(tr("there is no ID token"));
    if (compact.size() > MaxLength)
        return refuse(tr("the ID token is longer than %1 characters").arg(MaxLength));
    const QByteArray bytes = compact.toLatin1();
    if (QString::fromLatin1(bytes) != compact)
        return refuse(tr("the ID token holds characters a JWT cannot have"));
    const QList<QByteArray> parts = bytes.split('.');
    if (parts.size() != 3)
        return refuse(
            tr("the ID token is not a JWT (it has %1 parts, not header.payload.signature)")
                .arg(parts.size()));
    const auto header = decodePart(parts.at(0));
    const auto payload = decodePart(parts.at(1));
    const auto signature = decodePart(parts.at(2));
    if (!header || !payload)
        return refuse(tr("the ID token's header or payload is not base64url"));
    if (!signature || signature->isEmpty())
        return refuse(tr("the ID token is not signed (its signature part is empty or not "
                         "base64url)"));
    Jwt jwt;
    const auto h = jsonObject(*header);
    const auto c = jsonObject(*payload);
    if (!h || !c)
        return refuse(tr("the ID token's header or payload is not a JSON object"));
    jwt.m_header = *h;
    jwt.m_claims = *c;
    const QJsonValue alg = jwt.m_header.value(QLatin1String("alg"));
    if (!alg.isString())
        return refuse(tr("the ID token names no algorithm"));
    if (alg.toString().compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return refuse(tr("the ID token's algorithm is \"none\" (unsigned): refused"));
    if (alg.toString() != QLatin1String("RS256"))
        return refuse(
            tr("the ID token's algorithm is %1; only RS256 is accepted").arg(alg.toString()));
    if (jwt.m_header.contains(QLatin1String("crit")))
        return refuse(tr("the ID token has critical header extensions, which are not supported"));
    const QJsonValue kid = jwt.m_header.value(QLatin1String("kid"));
    if (!kid.isString() || kid.toString().isEmpty())
        return refuse(tr("the ID token names no signing key (kid)"));
    if (const QJsonValue typ = jwt.m_header.value(QLatin1String("typ"));
        !typ.isUndefined() && typ.toString().compare(QLatin1String("JWT"), Qt::CaseInsensitive))
        return refuse(tr("the token's type is %1, not JWT").arg(typ.toString()));
    jwt.m_signingInput = parts.at(0) + '.' + parts.at(1);
    jwt.m_signature = *signature;
    return jwt;
}

std::optional<qint64> Jwt::timeClaim(const char *name) const
{
    const QJsonValue v = m_claims.value(QLatin1String(name));
    if (!v.isDouble() || !std::isfinite(v.toDouble()))
        return std::nullopt;
    return qint64(v.toDouble());
}
