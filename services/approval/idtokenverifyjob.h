#pragma once

#include "job.h"
#include "jwt.h"

#include <QPointer>
#include <QString>
#include <QUrl>

#include <optional>

class JwksCache;
class QNetworkAccessManager;
class QNetworkReply;

// Verifies an ID token's RS256 signature against the keys the tenant publishes
// ({authority}/{tenant}/discovery/v2.0/keys — the expected tenant's, never the one the
// token names): cached keys first, fetched (again) when the token's kid is unknown.
// Checks the signature only; ApprovalSeal checks the claims. Finishes with NoError when
// the signature verifies; otherwise errorString() says why (unknown key, bad signature,
// malformed token, keys not reachable). token() holds the parsed token either way, when
// it parsed.
class IdTokenVerifyJob : public Job
{
    Q_OBJECT
public:
    enum Error {
        Malformed = UserDefinedError + 1700,
        KeysUnavailable,
        UnknownKey,
        BadSignature,
    };

    IdTokenVerifyJob(const QUrl &authorityUrl, const QString &tenant, const QString &idToken,
                     JwksCache *cache, QObject *parent = nullptr);

    const std::optional<Jwt> &token() const { return m_token; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void fetchKeys();
    void onKeys(QNetworkReply *reply);
    void verifyWith(const QJsonObject &key);

    QUrl m_keysUrl;
    QString m_idToken;
    JwksCache *m_cache;
    std::optional<Jwt> m_token;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
};
