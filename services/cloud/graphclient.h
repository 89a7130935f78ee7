#pragma once

#include "graphconfig.h"
#include "graphresult.h"
#include "graphretrypolicy.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class GraphRequestJob;
class GraphBatchJob;
class CloudScanJob;
class TokenProvider;
struct CloudUser;

// One request inside a $batch (at most 20 per batch; ids unique). Build them with the
// factory functions; url is relative to /v1.0 ("/users/{id}").
struct GraphBatchRequest
{
    QString id;
    QByteArray method; // GET, PATCH, DELETE, POST
    QString url;
    std::optional<QJsonObject> body;
    QStringList dependsOn;
    bool idempotent = true;

    static GraphBatchRequest getUser(const QString &id, const QString &userId);
    // value empty = clear (sends JSON null).
    static GraphBatchRequest setImmutableId(const QString &id, const QString &userId,
                                            const QString &value);
    static GraphBatchRequest setUserPrincipalName(const QString &id, const QString &userId,
                                                  const QString &upn);
    static GraphBatchRequest purgeDeletedItem(const QString &id, const QString &deletedId);
};

// Microsoft Graph v1.0 over QNetworkAccessManager. Every call returns a job that has
// not started yet: connect to Job::finished, then start(). Jobs are children of the
// client and delete themselves after finished().
//
// Every request carries a fresh client-request-id header; the response's request-id
// is kept in the GraphResult. Retries follow GraphRetryPolicy (see there); a refused
// onPremisesImmutableId write is diagnosed (conflict / synced user / federated domain)
// from the error code and, where the code alone does not say, from a read of the user
// and its domain — never from the message text.
//
// Typical executor use:
//   auto *job = client->setImmutableId(userId, anchor);
//   connect(job, &Job::finished, this, [job] { const GraphResult r = job->result(); … });
//   job->start();
class GraphClient : public QObject
{
    Q_OBJECT
public:
    explicit GraphClient(const GraphConfig &config, QObject *parent = nullptr);
    ~GraphClient() override;

    const GraphConfig &config() const { return m_config; }

    // The bearer token for every request (from TokenProvider::accessTokenChanged).
    void setAccessToken(const QString &token) { m_accessToken = token; }
    QString accessToken() const { return m_accessToken; }
    // Follow a TokenProvider's token, and let a request that meets 401 renew it once
    // (TokenProvider::renew) and try again: long runs outlive an access token.
    void setTokenProvider(TokenProvider *provider);
    bool hasTokenProvider() const { return !m_tokens.isNull(); }
    // Asks the token provider for a new token; accessTokenRenewed follows.
    void renewAccessToken();

    void setRetryPolicy(const GraphRetryPolicy &policy) { m_retry = policy; }
    const GraphRetryPolicy &retryPolicy() const { return m_retry; }

    QNetworkAccessManager *network() const { return m_network; }

    // --- reads --------------------------------------------------------------------
    // The whole tenant as a CloudSnapshot, page by page, with progress and cancel.
    CloudScanJob *scan();
    // One user with every property the reconciler needs (the stale check before a
    // write and the read-back after it). result().body is the user; userFromJson().
    GraphRequestJob *getUser(const QString &userId);

    // --- writes (need User.ReadWrite.All) ------------------------------------------
    // PATCH /users/{id} {"onPremisesImmutableId": value}; 204 on success.
    GraphRequestJob *setImmutableId(const QString &userId, const QString &value);
    // PATCH /users/{id} {"onPremisesImmutableId": null}.
    GraphRequestJob *clearImmutableId(const QString &userId);
    // PATCH /users/{id} {"userPrincipalName": upn} (the federated-domain switch).
    GraphRequestJob *setUserPrincipalName(const QString &userId, const QString &upn);
    // DELETE /directory/deletedItems/{id}: permanent. If an attempt's outcome is unknown
    // (dropped connection) the client checks whether the item is still there before
    // sending it again; a 404 after such an attempt counts as done.
    GraphRequestJob *purgeDeletedItem(const QString &deletedId);
    // PATCH /beta/users/{id} {"onPremisesObjectIdentifier": null} (beta only; needs
    // User-OnPremisesSyncBehavior.ReadWrite.All). Not reversible: nothing can write a value
    // back. Idempotent; a lost answer is settled by reading the user back on beta.
    GraphRequestJob *clearObjectIdentifier(const QString &userId);
    // POST /directory/deletedItems/{id}/restore (not retried after a dropped connection).
    GraphRequestJob *restoreDeletedItem(const QString &deletedId);
    // POST /$batch with up to 20 requests; GraphBatchJob::results() has one GraphResult
    // per request (batchId set), in the order given. Inner 429s are sent again after
    // their Retry-After.
    GraphBatchJob *batch(const QList<GraphBatchRequest> &requests);

    // A generic request, for anything not covered above. pathAndQuery is below /v1.0.
    GraphRequestJob *request(const QByteArray &method, const QString &pathAndQuery,
                             const std::optional<QJsonObject> &body, bool idempotent,
                             const QString &requiredPermission);

    // The $select list used for users (getUser, and the scan's fallback): documented v1.0
    // properties only. The scan also asks for onPremisesObjectIdentifier (not documented
    // for v1.0) and falls back to this list if Graph refuses it. And the parser of one user.
    static QString userSelect();
    static CloudUser userFromJson(const QJsonObject &json);

    // Used by the jobs: sends one attempt. The reply is owned by the caller.
    QNetworkReply *send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                        const QString &clientRequestId,
                        const QList<QPair<QByteArray, QByteArray>> &headers = {});

    // Used by the jobs: a job waits delayMs before sending again, for the reason given in
    // plain words. byServer = Graph asked for it (Retry-After): nothing else should be
    // sent to it before then either.
    void announceWait(const QString &reason, qint64 delayMs, bool byServer)
    {
        Q_EMIT waitAnnounced(reason, delayMs, byServer);
    }

Q_SIGNALS:
    void accessTokenRenewed(bool ok, const QString &message);
    void waitAnnounced(const QString &reason, qint64 delayMs, bool byServer);

private:
    GraphConfig m_config;
    GraphRetryPolicy m_retry;
    QString m_accessToken;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<TokenProvider> m_tokens;
};
