#include "graphclient.h"

#include "cloudscanjob.h"
#include "clouduser.h"
#include "graphbatchjob.h"
#include "graphrequestjob.h"
#include "tokenprovider.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

namespace {
QString userPath(const QString &userId)
{
    return QLatin1String("/users/") + QString::fromLatin1(QUrl::toPercentEncoding(userId));
}

QString deletedItemPath(const QString &id)
{
    return QLatin1String("/directory/deletedItems/") +
           QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QJsonObject immutableIdBody(const QString &value)
{
    QJsonObject body;
    body.insert(QLatin1String("onPremisesImmutableId"),
                value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value));
    return body;
}
} // namespace

GraphBatchRequest GraphBatchRequest::getUser(const QString &id, const QString &userId)
{
    return {id,
            "GET",
            userPath(userId) + QLatin1String("?$select=") + GraphClient::userSelect(),
            std::nullopt,
            {},
            true};
}

GraphBatchRequest GraphBatchRequest::setImmutableId(const QString &id, const QString &userId,
                                                    const QString &value)
{
    return {id, "PATCH", userPath(userId), immutableIdBody(value), {}, true};
}

GraphBatchRequest GraphBatchRequest::setUserPrincipalName(const QString &id, const QString &userId,
                                                          const QString &upn)
{
    QJsonObject body;
    body.insert(QLatin1String("userPrincipalName"), upn);
    return {id, "PATCH", userPath(userId), body, {}, true};
}

GraphBatchRequest GraphBatchRequest::purgeDeletedItem(const QString &id, const QString &deletedId)
{
    // Not blindly repeatable: a repeat after success answers 404.
    return {id, "DELETE", deletedItemPath(deletedId), std::nullopt, {}, false};
}

GraphClient::GraphClient(const GraphConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_network(new QNetworkAccessManager(this))
{
    // Timeouts are per attempt and handled by the jobs (they decide about retries).
    m_network->setTransferTimeout(0);
}

GraphClient::~GraphClient() = default;

void GraphClient::setTokenProvider(TokenProvider *provider)
{
    if (m_tokens)
        m_tokens->disconnect(this);
    m_tokens = provider;
    if (!provider)
        return;
    m_accessToken = provider->accessToken();
    connect(provider, &TokenProvider::accessTokenChanged, this, &GraphClient::setAccessToken);
    connect(provider, &TokenProvider::renewFinished, this, &GraphClient::accessTokenRenewed);
}

void GraphClient::renewAccessToken()
{
    if (m_tokens)
        m_tokens->renew();
    else
        QTimer::singleShot(
            0, this, [this] { Q_EMIT accessTokenRenewed(false, tr("No sign-in to renew.")); });
}

QString GraphClient::userSelect()
{
    return QStringLiteral("id,userPrincipalName,displayName,mail,proxyAddresses,"
                          "onPremisesImmutableId,onPremisesSyncEnabled,accountEnabled");
}

CloudUser GraphClient::userFromJson(const QJsonObject &json)
{
    CloudUser u;
    u.id = json.value(QLatin1String("id")).toString();
    u.upn = json.value(QLatin1String("userPrincipalName")).toString();
    u.displayName = json.value(QLatin1String("displayName")).toString();
    u.mail = json.value(QLatin1String("mail")).toString();
    const QJsonArray proxies = json.value(QLatin1String("proxyAddresses")).toArray();
    u.proxyAddresses.reserve(proxies.size());
    for (const QJsonValue &p : proxies)
        u.proxyAddresses.append(p.toString());
    u.immutableId = json.value(QLatin1String("onPremisesImmutableId")).toString();
    const QJsonValue sync = json.value(QLatin1String("onPremisesSyncEnabled"));
    if (sync.isBool())
        u.syncEnabled = sync.toBool();
    u.onPremisesObjectIdentifier =
        json.value(QLatin1String("onPremisesObjectIdentifier")).toString();
    u.accountEnabled = json.value(QLatin1String("accountEnabled")).toBool(true);
    const QString deleted = json.value(QLatin1String("deletedDateTime")).toString();
    if (!deleted.isEmpty())
        u.deletedDateTime = QDateTime::fromString(deleted, Qt::ISODateWithMs);
    return u;
}

QNetworkReply *GraphClient::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                 const QString &clientRequestId,
                                 const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    request.setRawHeader("Authorization", "Bearer " + m_accessToken.toUtf8());
    request.setRawHeader("client-request-id", clientRequestId.toLatin1());
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (method == "GET")
        return m_network->get(request);
    return m_network->sendCustomRequest(request, method, body);
}

CloudScanJob *GraphClient::scan()
{
    return new CloudScanJob(this);
}

GraphRequestJob *GraphClient::request(const QByteArray &method, const QString &pathAndQuery,
                                      const std::optional<QJsonObject> &body, bool idempotent,
                                      const QString &requiredPermission)
{
    return new GraphRequestJob(this, method, pathAndQuery, body, idempotent, requiredPermission);
}

GraphRequestJob *GraphClient::getUser(const QString &userId)
{
    return request("GET", userPath(userId) + QLatin1String("?$select=") + userSelect(),
                   std::nullopt, true, QLatin1String(GraphPermission::UserRead));
}

GraphRequestJob *GraphClient::setImmutableId(const QString &userId, const QString &value)
{
    // PATCH of an absolute value: repeating it is harmless, so it is idempotent.
    return new GraphRequestJob(this, "PATCH", userPath(userId), immutableIdBody(value), true,
                               QLatin1String(GraphPermission::UserWrite),
                               GraphRequestJob::Kind::ImmutableIdWrite);
}

GraphRequestJob *GraphClient::clearImmutableId(const QString &userId)
{
    return setImmutableId(userId, QString());
}

GraphRequestJob *GraphClient::setUserPrincipalName(const QString &userId, const QString &upn)
{
    QJsonObject body;
    body.insert(QLatin1String("userPrincipalName"), upn);
    return request("PATCH", userPath(userId), body, true,
                   QLatin1String(GraphPermission::UserWrite));
}

GraphRequestJob *GraphClient::purgeDeletedItem(const QString &deletedId)
{
    return new GraphRequestJob(this, "DELETE", deletedItemPath(deletedId), std::nullopt, false,
                               QLatin1String(GraphPermission::UserWrite),
                               GraphRequestJob::Kind::PurgeDeletedItem);
}

GraphRequestJob *GraphClient::clearObjectIdentifier(const QString &userId)
{
    // A full URL: the path below /v1.0 cannot reach beta.
    const QString v1 = m_config.graphBase();
    const QString url = v1.left(v1.size() - 4) + QLatin1String("beta") + userPath(userId);
    QJsonObject body;
    body.insert(QLatin1String("onPremisesObjectIdentifier"), QJsonValue(QJsonValue::Null));
    return new GraphRequestJob(this, "PATCH", url, body, true,
                               QLatin1String(GraphPermission::SyncBehaviorWrite),
                               GraphRequestJob::Kind::ObjectIdentifierClear);
}

GraphRequestJob *GraphClient::restoreDeletedItem(const QString &deletedId)
{
    return request("POST", deletedItemPath(deletedId) + QLatin1String("/restore"), QJsonObject(),
                   false, QLatin1String(GraphPermission::UserWrite));
}

GraphBatchJob *GraphClient::batch(const QList<GraphBatchRequest> &requests)
{
    return new GraphBatchJob(this, requests);
}
