#include "accesstoken.h"

#include <QJsonArray>
#include <QJsonDocument>

QJsonObject AccessToken::claims(const QString &jwt)
{
    const QStringList parts = jwt.split(u'.');
    if (parts.size() != 3)
        return {};
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QJsonDocument::fromJson(payload).object();
}

GrantedPermissions AccessToken::permissions(const QString &jwt)
{
    GrantedPermissions granted;
    const QJsonObject c = claims(jwt);
    if (c.isEmpty())
        return granted;
    granted.known = true;
    const QString scp = c.value(QLatin1String("scp")).toString();
    granted.scopes = scp.split(u' ', Qt::SkipEmptyParts);
    for (const QJsonValue &role : c.value(QLatin1String("roles")).toArray())
        granted.roles.append(role.toString());
    // Entra marks app-only tokens with idtyp=app (optional claim); without it, a token
    // with roles and no scp is app-only.
    const QString idtyp = c.value(QLatin1String("idtyp")).toString();
    granted.appOnly = idtyp == QLatin1String("app") ||
                      (idtyp.isEmpty() && scp.isEmpty() && c.contains(QLatin1String("roles")));
    return granted;
}

QString AccessToken::userName(const QString &jwt)
{
    const QJsonObject c = claims(jwt);
    for (const char *claim : {"preferred_username", "upn", "unique_name"})
        if (const QString v = c.value(QLatin1StringView(claim)).toString(); !v.isEmpty())
            return v;
    return {};
}
