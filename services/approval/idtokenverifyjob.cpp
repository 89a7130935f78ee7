#include "idtokenverifyjob.h"

#include "jwkscache.h"
#include "rs256.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

IdTokenVerifyJob::IdTokenVerifyJob(const QUrl &authorityUrl, const QString &tenant,
                                   const QString &idToken, JwksCache *cache, QObject *parent)
    : Job(parent), m_keysUrl(JwksCache::keysUrl(authorityUrl, tenant)), m_idToken(idToken),
      m_cache(cache)
{}

void IdTokenVerifyJob::doStart()
{
    QString why;
    m_token = Jwt::parse(m_idToken, &why);
    if (!m_token) {
        fail(Malformed, why);
        emitResult();
        return;
    }
    const QJsonObject key = m_cache->key(m_keysUrl, m_token->keyId());
    if (!key.isEmpty())
        verifyWith(key);
    else
        fetchKeys(); // first use, or a kid the cache does not know (rotated keys)
}

void IdTokenVerifyJob::doCancel()
{
    if (m_reply)
        m_reply->abort();
    else
        Job::doCancel();
}

void IdTokenVerifyJob::fetchKeys()
{
    Q_EMIT infoMessage(tr("Reading the tenant's signing keys…"));
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_network->setTransferTimeout(30000);
    }
    QNetworkRequest request(m_keysUrl);
    request.setRawHeader("Accept", "application/json");
    m_cache->countFetch();
    m_reply = m_network->get(request);
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onKeys(reply); });
}

void IdTokenVerifyJob::onKeys(QNetworkReply *reply)
{
    reply->deleteLater();
    if (isCancelRequested()) {
        fail(Cancelled, tr("Verifying the approval was cancelled."));
        emitResult();
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString why;
    if (reply->error() != QNetworkReply::NoError || status != 200 ||
        !m_cache->store(m_keysUrl, reply->readAll(), &why)) {
        fail(KeysUnavailable,
             tr("the tenant's signing keys could not be read from %1 (%2)")
                 .arg(m_keysUrl.toString(), why.isEmpty() ? reply->errorString() : why));
        emitResult();
        return;
    }
    const QJsonObject key = m_cache->key(m_keysUrl, m_token->keyId());
    if (key.isEmpty()) {
        fail(UnknownKey, tr("the key %1 that signed the ID token is not among the keys the "
                            "tenant publishes")
                             .arg(m_token->keyId()));
        emitResult();
        return;
    }
    verifyWith(key);
}

void IdTokenVerifyJob::verifyWith(const QJsonObject &key)
{
    QString why;
    if (!Rs256::verify(key, m_token->signingInput(), m_token->signature(), &why))
        fail(BadSignature, why);
    emitResult();
}
