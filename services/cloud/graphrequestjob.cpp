#include "graphrequestjob.h"

#include "graphclient.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace {
// Retry-After is seconds, possibly fractional ("2.128"); an HTTP date is also allowed.
int retryAfterMs(const QByteArray &header)
{
    const QByteArray v = header.trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const double seconds = v.toDouble(&ok);
    if (ok && seconds >= 0)
        return int(std::ceil(seconds * 1000.0));
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(v), Qt::RFC2822Date);
    if (when.isValid())
        return int(std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(when)));
    return -1;
}

bool isThrottleStatus(int status)
{
    return status == 429 || status == 503 || status == 504;
}
} // namespace

GraphRequestJob::GraphRequestJob(GraphClient *client, const QByteArray &method,
                                 const QString &pathAndQuery,
                                 const std::optional<QJsonObject> &body, bool idempotent,
                                 const QString &requiredPermission, Kind kind)
    : Job(client), m_client(client), m_method(method), m_path(pathAndQuery),
      m_idempotent(idempotent), m_permission(requiredPermission), m_kind(kind)
{
    if (body)
        m_body = QJsonDocument(*body).toJson(QJsonDocument::Compact);
    m_clientRequestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_result.clientRequestId = m_clientRequestId;
}

GraphRequestJob::~GraphRequestJob()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void GraphRequestJob::doStart()
{
    sendAttempt();
}

void GraphRequestJob::doCancel()
{
    if (m_timer)
        m_timer->stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    m_result.ok = false;
    m_result.advice = tr("Cancelled.");
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void GraphRequestJob::sendAttempt()
{
    if (!m_client) {
        GraphResult r = m_result;
        r.advice = tr("The Graph client is gone.");
        finishWith(r);
        return;
    }
    ++m_result.attempts;
    m_timedOut = false;
    const QUrl url = m_path.startsWith(QLatin1String("http"))
                         ? QUrl(m_path) // a full @odata.nextLink
                         : m_client->config().graphEndpoint(m_path);
    m_reply = m_client->send(m_method, url, m_body, m_clientRequestId);
    connect(m_reply, &QNetworkReply::finished, this, &GraphRequestJob::onReplyFinished);
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        m_timer->setTimerType(Qt::PreciseTimer);
    }
    m_timer->disconnect();
    connect(m_timer, &QTimer::timeout, this, &GraphRequestJob::onTimeout);
    m_timer->start(m_client->retryPolicy().requestTimeoutMs);
}

void GraphRequestJob::onTimeout()
{
    if (!m_reply)
        return;
    m_timedOut = true;
    m_reply->abort(); // finished() follows synchronously → onReplyFinished
}

void GraphRequestJob::retryLater(int delayMs)
{
    m_timer->disconnect();
    connect(m_timer, &QTimer::timeout, this, &GraphRequestJob::sendAttempt);
    m_timer->start(std::max(0, delayMs));
}

void GraphRequestJob::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    m_timer->stop();
    reply->deleteLater();
    if (isCancelRequested())
        return;

    const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    const QByteArray data = reply->isOpen() ? reply->readAll() : QByteArray();
    m_bytesReceived += data.size();

    const auto backoffMs = [&] {
        const double exp = policy.baseDelayMs * std::pow(2.0, m_result.attempts - 1);
        const double j =
            1.0 + policy.jitter * (QRandomGenerator::global()->generateDouble() * 2 - 1);
        return int(std::min<double>(policy.maxDelayMs, exp * j));
    };
    const bool attemptsLeft = m_result.attempts < policy.maxAttempts;

    if (status == 0) {
        // No HTTP answer: connection dropped, refused or timed out. The server may have
        // acted on it.
        m_outcomeUnknown = true;
        GraphResult r = m_result;
        r.httpStatus = 0;
        r.code = m_timedOut ? QStringLiteral("Timeout") : QStringLiteral("NetworkError");
        r.message = m_timedOut ? tr("No answer within %1 s.").arg(policy.requestTimeoutMs / 1000)
                               : reply->errorString();
        if (attemptsLeft && m_kind == Kind::PurgeDeletedItem) {
            m_result = r;
            QTimer::singleShot(backoffMs(), this, &GraphRequestJob::checkDeletedItemThenRetry);
            return;
        }
        if (attemptsLeft && m_idempotent) {
            Q_EMIT infoMessage(tr("%1; retrying.").arg(r.message));
            retryLater(backoffMs());
            return;
        }
        r.advice = graphAdviceFor(0, r.code, {}, m_permission);
        if (!m_idempotent)
            r.advice += QLatin1Char(' ') +
                        tr("The request was not repeated because it may have been applied: "
                           "scan again to see the current state.");
        finishWith(r);
        return;
    }

    GraphResult r;
    r.attempts = m_result.attempts;
    r.clientRequestId = m_clientRequestId;
    r.httpStatus = status;
    r.ok = status >= 200 && status < 300;
    r.requestId = QString::fromLatin1(reply->rawHeader("request-id"));
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    if (doc.isObject())
        r.body = doc.object();
    if (!r.ok)
        r.parseErrorEnvelope(r.body);

    if (!r.ok && isThrottleStatus(status) && attemptsLeft) {
        int wait = retryAfterMs(reply->rawHeader("Retry-After"));
        if (wait > policy.maxRetryAfterMs) {
            r.advice = graphAdviceFor(status, r.code, r.detailCode, m_permission);
            finishWith(r);
            return;
        }
        if (wait < 0)
            wait = backoffMs();
        m_result = r;
        Q_EMIT infoMessage(
            tr("Graph answered %1; retrying in %2 s.").arg(status).arg(wait / 1000.0, 0, 'f', 1));
        retryLater(wait);
        return;
    }

    if (status == 401 && !m_renewedToken && m_client && m_client->hasTokenProvider() &&
        attemptsLeft) {
        // The token expired during a long run: renew it once and send again.
        m_renewedToken = true;
        m_result = r;
        connect(
            m_client, &GraphClient::accessTokenRenewed, this,
            [this](bool renewed) {
                if (isFinished())
                    return;
                if (renewed) {
                    sendAttempt();
                    return;
                }
                GraphResult failed = m_result;
                failed.advice = GraphAdvice::signInAgain();
                finishWith(failed);
            },
            Qt::SingleShotConnection);
        m_client->renewAccessToken();
        return;
    }

    if (!r.ok && status == 404 && m_kind == Kind::PurgeDeletedItem && m_outcomeUnknown) {
        r.ok = true;
        r.advice = tr("Already purged: an earlier attempt whose answer was lost removed it.");
        finishWith(r);
        return;
    }

    if (!r.ok && status == 400 && m_kind == Kind::ImmutableIdWrite &&
        r.detailCode != QLatin1String("ObjectConflict") &&
        r.code == QLatin1String("Request_BadRequest")) {
        m_result = r;
        diagnoseRefusedWrite();
        return;
    }

    if (!r.ok)
        r.advice = graphAdviceFor(status, r.code, r.detailCode, m_permission);
    finishWith(r);
}

void GraphRequestJob::checkDeletedItemThenRetry()
{
    if (isFinished() || isCancelRequested() || !m_client)
        return;
    auto *check = new GraphRequestJob(m_client, "GET", m_path, std::nullopt, true,
                                      QLatin1String(GraphPermission::UserRead));
    connect(check, &Job::finished, this, [this, check] {
        const GraphResult c = check->result();
        if (isFinished())
            return;
        if (c.httpStatus == 404) {
            GraphResult r = m_result;
            r.ok = true;
            r.httpStatus = 204;
            r.code.clear();
            r.message.clear();
            r.advice = tr("Already purged: the earlier attempt whose answer was lost removed it.");
            finishWith(r);
        } else if (c.ok) {
            sendAttempt(); // still there: the lost attempt did not act
        } else {
            GraphResult r = m_result;
            r.advice = graphAdviceFor(0, r.code, {}, m_permission) + QLatin1Char(' ') +
                       tr("Whether the item was purged could not be checked: scan again.");
            finishWith(r);
        }
    });
    check->start();
}

void GraphRequestJob::diagnoseRefusedWrite()
{
    // The status and code say "refused"; which of the documented refusals it is, the
    // user itself says: synced, or in a federated domain. Never parse the message.
    const QString userPath = m_path.section(QLatin1Char('?'), 0, 0);
    auto *read = new GraphRequestJob(
        m_client, "GET",
        userPath + QLatin1String("?$select=id,userPrincipalName,onPremisesSyncEnabled"),
        std::nullopt, true, QLatin1String(GraphPermission::UserRead));
    connect(read, &Job::finished, this, [this, read] {
        if (isFinished())
            return;
        GraphResult r = m_result;
        const GraphResult u = read->result();
        if (!u.ok) {
            r.advice = graphAdviceFor(r.httpStatus, r.code, r.detailCode, m_permission);
            finishWith(r);
            return;
        }
        if (u.body.value(QLatin1String("onPremisesSyncEnabled")).toBool(false)) {
            r.advice = GraphAdvice::syncedObject();
            finishWith(r);
            return;
        }
        const QString upn = u.body.value(QLatin1String("userPrincipalName")).toString();
        const QString domain = upn.section(QLatin1Char('@'), 1);
        if (domain.isEmpty() || !m_client) {
            r.advice = graphAdviceFor(r.httpStatus, r.code, r.detailCode, m_permission);
            finishWith(r);
            return;
        }
        auto *dom = new GraphRequestJob(
            m_client, "GET",
            QLatin1String("/domains/") + QString::fromLatin1(QUrl::toPercentEncoding(domain)),
            std::nullopt, true, QLatin1String(GraphPermission::DomainRead));
        connect(dom, &Job::finished, this, [this, dom] {
            if (isFinished())
                return;
            GraphResult r = m_result;
            const GraphResult d = dom->result();
            if (d.ok && d.body.value(QLatin1String("authenticationType")).toString() ==
                            QLatin1String("Federated"))
                r.advice = GraphAdvice::federatedDomain();
            else
                r.advice = graphAdviceFor(r.httpStatus, r.code, r.detailCode, m_permission);
            finishWith(r);
        });
        dom->start();
    });
    read->start();
}

void GraphRequestJob::finishWith(const GraphResult &result)
{
    m_result = result;
    m_result.clientRequestId = m_clientRequestId;
    if (!m_result.ok) {
        QString text = m_result.advice;
        if (!m_result.code.isEmpty())
            text += QLatin1String(" [") + m_result.code +
                    (m_result.detailCode.isEmpty() ? QString()
                                                   : QLatin1Char('/') + m_result.detailCode) +
                    QLatin1String(", HTTP ") + QString::number(m_result.httpStatus) +
                    (m_result.requestId.isEmpty()
                         ? QString()
                         : QLatin1String(", request-id ") + m_result.requestId) +
                    QLatin1Char(']');
        fail(RequestFailed, text);
    }
    emitResult();
}
