#include "graphrequestjob.h"

#include "clouduser.h"
#include "graphclient.h"

#include <QFutureWatcher>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimer>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace {
bool isThrottleStatus(int status)
{
    return status == 429 || status == 503 || status == 504;
}

QString seconds(qint64 ms)
{
    return QString::number(ms / 1000.0, 'f', ms % 1000 ? 1 : 0);
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
    m_reply = m_client->send(m_method, url, m_body, m_clientRequestId, m_headers);
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

bool GraphRequestJob::isSettleable() const
{
    // Writes whose effect a read shows: a PATCH of a user (v1.0, or the beta clear of
    // onPremisesObjectIdentifier, read back on beta), the purge of a deleted item.
    return (m_method == "PATCH" && (m_path.startsWith(QLatin1String("/users/")) ||
                                    (m_kind == Kind::ObjectIdentifierClear &&
                                     m_path.contains(QLatin1String("/beta/users/"))))) ||
           (m_method == "DELETE" && m_path.startsWith(QLatin1String("/directory/deletedItems/")));
}

int GraphRequestJob::backoffMs() const
{
    const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
    const double exp = policy.baseDelayMs * std::pow(2.0, std::max(0, m_result.attempts - 1));
    const double j = 1.0 + policy.jitter * (QRandomGenerator::global()->generateDouble() * 2 - 1);
    return int(std::min<double>(policy.maxDelayMs, exp * j));
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
    const bool attemptsLeft = m_result.attempts < policy.maxAttempts;

    if (status == 0) {
        // No HTTP answer: connection dropped, refused or timed out. The server may have
        // acted on it.
        m_outcomeUnknown = true;
        GraphResult r = m_result;
        r.httpStatus = 0;
        r.retryAfterMs = -1;
        r.code = m_timedOut ? QStringLiteral("Timeout") : QStringLiteral("NetworkError");
        r.message = m_timedOut ? tr("No answer within %1 s.").arg(seconds(policy.requestTimeoutMs))
                               : reply->errorString();
        m_result = r;
        if (isSettleable()) {
            settle();
            return;
        }
        if (attemptsLeft && m_idempotent) {
            const int wait = backoffMs();
            Q_EMIT infoMessage(tr("%1; retrying.").arg(r.message));
            if (m_client)
                m_client->announceWait(tr("retrying after a lost reply"), wait, false);
            retryLater(wait);
            return;
        }
        r.advice = graphAdviceFor(0, r.code, {}, m_permission);
        if (!m_idempotent) {
            r.outcomeUnknown = m_method != "GET";
            r.advice += QLatin1Char(' ') +
                        tr("The request was not repeated because it may have been applied: "
                           "scan again to see the current state.");
        }
        finishWith(r);
        return;
    }

    GraphResult r;
    r.attempts = m_result.attempts;
    r.clientRequestId = m_clientRequestId;
    r.httpStatus = status;
    r.ok = status >= 200 && status < 300;
    r.requestId = QString::fromLatin1(reply->rawHeader("request-id"));
    r.retryAfterMs = GraphResult::parseRetryAfter(reply->rawHeader("Retry-After"));
    if (data.size() < AsyncParseBytes) {
        onAnswer(std::move(r), data, QJsonDocument::fromJson(data));
        return;
    }
    // A page of 999 users is about a megabyte of JSON, 20-80 ms to parse on this kind of
    // machine: parsed on a pool thread, so that a scan never holds the GUI thread that long.
    auto *parsing = new QFutureWatcher<QJsonDocument>(this);
    connect(parsing, &QFutureWatcherBase::finished, this, [this, parsing, r, data]() mutable {
        const QJsonDocument doc = parsing->result();
        parsing->deleteLater();
        if (!isFinished() && !isCancelRequested())
            onAnswer(std::move(r), data, doc);
    });
    parsing->setFuture(QtConcurrent::run([data] { return QJsonDocument::fromJson(data); }));
}

void GraphRequestJob::onAnswer(GraphResult r, const QByteArray &data, const QJsonDocument &doc)
{
    const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
    const bool attemptsLeft = m_result.attempts < policy.maxAttempts;
    const int status = r.httpStatus;
    if (doc.isObject())
        r.body = doc.object();
    m_textBody = doc.isObject() ? QByteArray() : data;
    if (!r.ok)
        r.parseErrorEnvelope(r.body);

    if (!r.ok && isThrottleStatus(status) && attemptsLeft) {
        if (r.retryAfterMs > policy.maxRetryAfterMs) {
            r.advice =
                graphAdviceFor(status, r.code, r.detailCode, m_permission) + QLatin1Char(' ') +
                tr("Graph asked to wait %1 s (Retry-After), longer than the %2 s this "
                   "run waits: gave up.")
                    .arg(r.retryAfterMs >= GraphResult::RetryAfterTooLong ? tr("for ever")
                                                                          : seconds(r.retryAfterMs),
                         seconds(policy.maxRetryAfterMs));
            if (status != 429 && isSettleable()) {
                // A 503/504 may have come after the write was done, and reading it back
                // now would ignore the Retry-After.
                r.outcomeUnknown = true;
                r.advice = GraphAdvice::outcomeUnknown(r.advice);
            }
            finishWith(r);
            return;
        }
        const qint64 wait = r.retryAfterMs >= 0 ? r.retryAfterMs : backoffMs();
        m_result = r;
        Q_EMIT infoMessage(
            tr("Graph answered %1; retrying in %2 s.").arg(status).arg(seconds(wait)));
        if (m_client)
            m_client->announceWait(status == 429 ? tr("Graph asked to slow down (HTTP 429)")
                                                 : tr("Graph is busy (HTTP %1)").arg(status),
                                   wait, r.retryAfterMs >= 0);
        retryLater(int(wait));
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

    if (!r.ok && status == 404 && m_method == "DELETE" && m_outcomeUnknown) {
        r.ok = true;
        r.settleNote = tr("Already purged: an earlier attempt whose answer was lost removed it.");
        r.advice = r.settleNote;
        finishWith(r);
        return;
    }

    if (!r.ok && status >= 500 && status != 501 && isSettleable()) {
        // A server error after the retries: the write may or may not have been done.
        m_outcomeUnknown = true;
        m_result = r;
        settle();
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

void GraphRequestJob::settle()
{
    if (isFinished() || isCancelRequested())
        return;
    if (!m_client) {
        GraphResult r = m_result;
        r.outcomeUnknown = true;
        r.advice = GraphAdvice::outcomeUnknown(tr("the Graph client is gone."));
        finishWith(r);
        return;
    }
    const bool purge = m_method == "DELETE";
    const QJsonObject patch = QJsonDocument::fromJson(m_body).object();
    const QString readPath = purge ? m_path
                                   : m_path.section(QLatin1Char('?'), 0, 0) +
                                         QLatin1String("?$select=") + graphSelectFor(patch);
    const QString lost = m_result.httpStatus == 0
                             ? m_result.message
                             : tr("HTTP %1 %2").arg(m_result.httpStatus).arg(m_result.code);
    m_client->announceWait(tr("reading back a write whose reply was lost"), 0, false);
    auto *check = new GraphRequestJob(m_client, "GET", readPath, std::nullopt, true,
                                      QLatin1String(GraphPermission::UserRead));
    connect(check, &Job::finished, this, [this, check, purge, patch, lost] {
        if (isFinished())
            return;
        const GraphResult c = check->result();
        GraphResult r = m_result;
        const bool gone = c.httpStatus == 404;
        const bool landed = purge ? gone : (c.ok && graphPatchLanded(patch, c.body));
        if (landed) {
            r.ok = true;
            r.outcomeUnknown = false;
            r.code.clear();
            r.detailCode.clear();
            r.message.clear();
            r.settleNote = purge ? tr("The answer to the purge was lost (%1); the item is gone "
                                      "from the recycle bin, so it was done.")
                                       .arg(lost)
                                 : tr("The answer to the write was lost (%1); reading the user "
                                      "back showed the new value in place.")
                                       .arg(lost);
            r.advice = r.settleNote;
            finishWith(r);
            return;
        }
        const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
        if (c.ok && m_settleResends < policy.maxSettleResends && m_client) {
            // Read back as not done: setting a value (or purging) again is safe.
            ++m_settleResends;
            Q_EMIT infoMessage(tr("%1; read back as not done, sending again.").arg(lost));
            m_client->announceWait(tr("sending again after a lost reply"), 0, false);
            sendAttempt();
            return;
        }
        if (c.ok || gone) {
            r.ok = false;
            r.outcomeUnknown = false;
            r.advice = gone ? tr("The answer to the write was lost (%1) and the user no longer "
                                 "exists: the change was not made.")
                                  .arg(lost)
                            : tr("The answer was lost (%1) and reading the target back "
                                 "showed the change was not made (sent %n time(s)).",
                                 nullptr, m_settleResends + 1)
                                  .arg(lost);
            finishWith(r);
            return;
        }
        r.ok = false;
        r.outcomeUnknown = true;
        r.advice = GraphAdvice::outcomeUnknown(
            tr("the answer was lost (%1) and the read-back failed (%2).")
                .arg(lost,
                     c.httpStatus ? tr("HTTP %1 %2").arg(c.httpStatus).arg(c.code) : c.message));
        finishWith(r);
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
            if (d.ok && CloudDomain::isFederated(
                            d.body.value(QLatin1String("authenticationType")).toString()))
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
        if (text.isEmpty())
            text = graphAdviceFor(m_result.httpStatus, m_result.code, m_result.detailCode,
                                  m_permission);
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
