#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrl>

// The signing keys a tenant publishes at {authority}/{tenant}/discovery/v2.0/keys, kept
// by URL for the process (keys rotate rarely): a token is verified against the cached
// keys, and the keys are fetched again only when its kid is unknown (a rotation).
class JwksCache
{
public:
    static QUrl keysUrl(const QUrl &authorityUrl, const QString &tenant);

    // The key with this kid, or an empty object.
    QJsonObject key(const QUrl &url, const QString &kid) const;
    bool has(const QUrl &url) const { return m_keys.contains(url); }
    // Replaces the keys of url with those of a JWKS document; false (and a message) when
    // it is not one.
    bool store(const QUrl &url, const QByteArray &jwksJson, QString *error);
    int fetchCount() const { return m_fetches; }
    void countFetch() { ++m_fetches; }

private:
    QHash<QUrl, QHash<QString, QJsonObject>> m_keys;
    int m_fetches = 0;
};
