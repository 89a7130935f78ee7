#pragma once

#include "graphresult.h"
#include "job.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <optional>

class QJsonDocument;

class GraphClient;
class QNetworkReply;
class QTimer;

// One Graph request with retries (see GraphRetryPolicy). Finishes once; result() holds
// the outcome. error() is NoError when the request succeeded, RequestFailed when Graph
// refused it or it could not be sent, Cancelled when cancelled; errorString() is then
// the advice plus the Graph code and request-id.
class GraphRequestJob : public Job
{
    Q_OBJECT
public:
    enum Error { RequestFailed = UserDefinedError + 1 };
    // From this size on, a reply's JSON is parsed on a pool thread.
    static constexpr qsizetype AsyncParseBytes = 256 * 1024;
    // What the job does for its caller beyond the HTTP exchange.
    enum class Kind { Plain, ImmutableIdWrite, PurgeDeletedItem, ObjectIdentifierClear };

    GraphRequestJob(GraphClient *client, const QByteArray &method, const QString &pathAndQuery,
                    const std::optional<QJsonObject> &body, bool idempotent,
                    const QString &requiredPermission, Kind kind = Kind::Plain);
    ~GraphRequestJob() override;

    GraphResult result() const { return m_result; }
    QByteArray method() const { return m_method; }
    QString pathAndQuery() const { return m_path; }
    // An extra request header sent with every attempt (ConsistencyLevel: eventual for
    // advanced queries). Call before start().
    void setHeader(const QByteArray &name, const QByteArray &value)
    {
        m_headers.append({name, value});
    }
    // The final response body when it is not JSON ($count answers text/plain).
    QByteArray textBody() const { return m_textBody; }
    // Response body bytes received over all attempts.
    qint64 bytesReceived() const { return m_bytesReceived; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void sendAttempt();
    void onReplyFinished();
    // The rest of a reply with an HTTP status, once its body is parsed.
    void onAnswer(GraphResult r, const QByteArray &data, const QJsonDocument &doc);
    void onTimeout();
    void retryLater(int delayMs);
    void finishWith(const GraphResult &result);
    void diagnoseRefusedWrite();
    // A write whose answer was lost: read its target back; done → ok, not done → send
    // again (bounded), unreadable → outcome unknown.
    void settle();
    bool isSettleable() const;
    int backoffMs() const;

    QPointer<GraphClient> m_client;
    QByteArray m_method;
    QString m_path;
    QByteArray m_body;
    bool m_idempotent = false;
    QString m_permission;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    Kind m_kind = Kind::Plain;
    QString m_clientRequestId;
    QNetworkReply *m_reply = nullptr;
    QTimer *m_timer = nullptr;
    bool m_timedOut = false;
    bool m_outcomeUnknown = false; // an attempt may have reached the server
    qint64 m_bytesReceived = 0;
    bool m_renewedToken = false;
    int m_settleResends = 0;
    GraphResult m_result;
    QByteArray m_textBody;
};
