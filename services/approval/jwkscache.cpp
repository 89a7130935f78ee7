#include "jwkscache.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

QUrl JwksCache::keysUrl(const QUrl &authorityUrl, const QString &tenant)
{
    QUrl url = authorityUrl;
    url.setPath(QLatin1Char('/') + tenant + QLatin1String("/discovery/v2.0/keys"));
    return url;
}

QJsonObject JwksCache::key(const QUrl &url, const QString &kid) const
{
    return m_keys.value(url).value(kid);
}

bool JwksCache::store(const QUrl &url, const QByteArray &jwksJson, QString *error)
{
    const QJsonObject doc = QJsonDocument::fromJson(jwksJson).object();
    const QJsonArray keys = doc.value(QLatin1String("keys")).toArray();
    if (keys.isEmpty()) {
        *error = QCoreApplication::translate("JwksCache", "%1 did not answer with a key set (JWKS)")
                     .arg(url.toString());
        return false;
    }
    QHash<QString, QJsonObject> byKid;
    for (const QJsonValue &v : keys) {
        const QJsonObject k = v.toObject();
        const QString kid = k.value(QLatin1String("kid")).toString();
        if (!kid.isEmpty())
            byKid.insert(kid, k);
    }
    m_keys.insert(url, byKid);
    return true;
}
