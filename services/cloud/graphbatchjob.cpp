#include "graphbatchjob.h"

#include "clouduser.h"
#include "graphrequestjob.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <climits>
#include <cmath>

namespace {

bool isThrottleStatus(int status)
{
    return status == 429 || status == 503 || status == 504;
}

// Writes whose effect a read shows (see GraphRequestJob::isSettleable).
bool isSettleable(const GraphBatchRequest &req)
{
    const QString path = req.url.section(QLatin1Char('?'), 0, 0);
    return (req.method == "PATCH" && path.startsWith(QLatin1String("/users/")) && req.body) ||
           (req.method == "DELETE" && path.startsWith(QLatin1String("/directory/deletedItems/")));
}

QString lostText(const GraphResult &r)
{
    if (r.httpStatus == 0)
        return r.message.isEmpty() ? QCoreApplication::translate("GraphBatchJob", "no answer")
                                   : r.message;
    return QStringLiteral("HTTP %1 %2").arg(r.httpStatus).arg(r.code).trimmed();
}

} // namespace

GraphBatchJob::GraphBatchJob(GraphClient *client, const QList<GraphBatchRequest> &requests)
    : Job(client), m_client(client), m_requests(requests)
{
    m_results.resize(m_requests.size());
    m_settleResends = QList<int>(m_requests.size(), 0);
    for (int i = 0; i < m_requests.size(); ++i) {
        m_results[i].batchId = m_requests.at(i).id;
        m_pending.append(i);
    }
}

bool GraphBatchJob::allSucceeded() const
{
    return std::all_of(m_results.cbegin(), m_results.cend(),
                       [](const GraphResult &r) { return r.ok; });
}

void GraphBatchJob::doStart()
{
    if (m_requests.isEmpty()) {
        emitResult();
        return;
    }
    sendPending();
}

void GraphBatchJob::doCancel()
{
    if (m_current) {
        m_current->disconnect(this); // its Cancelled finish is not a batch failure
        m_current->cancel();
    }
    if (m_settleRead) {
        m_settleRead->disconnect(this);
        m_settleRead->cancel();
    }
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void GraphBatchJob::sendPending()
{
    if (!m_client || isFinished())
        return;
    ++m_rounds;
    QSet<QString> pendingIds;
    for (int i : std::as_const(m_pending))
        pendingIds.insert(m_requests.at(i).id);

    QJsonArray list;
    bool readsOnly = true;
    for (int i : std::as_const(m_pending)) {
        const GraphBatchRequest &req = m_requests.at(i);
        QJsonObject o;
        o.insert(QLatin1String("id"), req.id);
        o.insert(QLatin1String("method"), QString::fromLatin1(req.method));
        o.insert(QLatin1String("url"), req.url);
        if (req.body) {
            o.insert(QLatin1String("body"), *req.body);
            o.insert(QLatin1String("headers"), QJsonObject{{QLatin1String("Content-Type"),
                                                            QLatin1String("application/json")}});
        }
        QJsonArray depends;
        for (const QString &d : req.dependsOn)
            if (pendingIds.contains(d)) // a dependency that already succeeded is dropped
                depends.append(d);
        if (!depends.isEmpty())
            o.insert(QLatin1String("dependsOn"), depends);
        readsOnly = readsOnly && req.method == "GET";
        list.append(o);
    }
    QJsonObject body;
    body.insert(QLatin1String("requests"), list);
    // The outer POST is sent again blindly after a lost answer only when it holds reads
    // alone; writes in it are settled by reading their targets back instead.
    m_current = new GraphRequestJob(m_client, "POST", QStringLiteral("/$batch"), body, readsOnly,
                                    QString());
    m_current->setAutoDelete(true);
    GraphRequestJob *job = m_current;
    connect(job, &Job::finished, this, [this, job] { onOuterFinished(job); });
    job->start();
}

void GraphBatchJob::onOuterFinished(GraphRequestJob *job)
{
    if (isFinished())
        return;
    m_outer = job->result();
    const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
    const QList<int> sent = m_pending;
    m_pending.clear();

    QList<int> unknown;   // no definitive answer: settle (writes) or send again (reads)
    QList<int> throttled; // 429/503/504: send again after the Retry-After
    qint64 waitMs = -1;
    if (!m_outer.ok) {
        const bool lost = m_outer.httpStatus == 0 || m_outer.httpStatus >= 500;
        for (int i : sent) {
            GraphResult r = m_outer;
            r.batchId = m_requests.at(i).id;
            r.body = {};
            r.attempts = m_results.at(i).attempts + 1;
            r.outcomeUnknown = false;
            m_results[i] = r;
        }
        if (!lost) {
            // Refused as a whole (invalid batch, sign-in, permission): nothing was done.
            fail(RequestFailed, job->errorString());
            emitResult();
            return;
        }
        // The writes in it are settled; its reads were already sent again by the outer
        // request (it is repeated blindly when it holds only reads), so they stay failed.
        for (int i : sent)
            if (m_requests.at(i).method != "GET")
                unknown.append(i);
        if (unknown.isEmpty()) {
            fail(RequestFailed, job->errorString());
            emitResult();
            return;
        }
    } else {
        QHash<QString, int> indexOf;
        for (int i : sent)
            indexOf.insert(m_requests.at(i).id, i);
        QSet<int> answered;
        const QJsonArray responses = m_outer.body.value(QLatin1String("responses")).toArray();
        for (const QJsonValue &v : responses) {
            const QJsonObject resp = v.toObject();
            const QString id = resp.value(QLatin1String("id")).toString();
            const int i = indexOf.value(id, -1);
            if (i < 0 || answered.contains(i))
                continue;
            answered.insert(i);
            GraphResult r;
            r.batchId = id;
            r.attempts = m_results.at(i).attempts + 1;
            r.clientRequestId = m_outer.clientRequestId;
            r.httpStatus = resp.value(QLatin1String("status")).toInt();
            r.ok = r.httpStatus >= 200 && r.httpStatus < 300;
            r.body = resp.value(QLatin1String("body")).toObject();
            const QJsonObject headers = resp.value(QLatin1String("headers")).toObject();
            r.requestId = headers.value(QLatin1String("request-id")).toString();
            for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
                if (it.key().compare(QLatin1String("Retry-After"), Qt::CaseInsensitive) == 0)
                    r.retryAfterMs =
                        GraphResult::parseRetryAfter(it.value().toVariant().toString().toLatin1());
            if (!r.ok) {
                r.parseErrorEnvelope(r.body);
                r.advice = graphAdviceFor(r.httpStatus, r.code, r.detailCode, QString());
            }
            if (r.requestId.isEmpty())
                r.requestId = m_outer.requestId;
            m_results[i] = r;
            if (isThrottleStatus(r.httpStatus)) {
                throttled.append(i);
                if (r.retryAfterMs >= 0)
                    waitMs = std::max(waitMs, r.retryAfterMs);
            } else if (r.httpStatus >= 500 && r.httpStatus != 501) {
                unknown.append(i);
            }
        }
        for (int i : sent) {
            if (answered.contains(i))
                continue;
            GraphResult r;
            r.batchId = m_requests.at(i).id;
            r.attempts = m_results.at(i).attempts + 1;
            r.requestId = m_outer.requestId;
            r.message = tr("The $batch answer had no response for this request.");
            m_results[i] = r;
            unknown.append(i);
        }
    }

    // Throttled requests (and those that failed with 424 because of them) go again.
    QList<int> next;
    const bool roundsLeft = m_rounds < policy.maxAttempts;
    const bool waitTooLong = waitMs > policy.maxRetryAfterMs;
    if (!throttled.isEmpty() && roundsLeft && !waitTooLong) {
        QSet<QString> again;
        for (int i : std::as_const(throttled))
            again.insert(m_requests.at(i).id);
        for (int i : sent) {
            const GraphBatchRequest &req = m_requests.at(i);
            bool resend = again.contains(req.id);
            if (!resend && m_results.at(i).httpStatus == 424)
                for (const QString &d : req.dependsOn)
                    if (again.contains(d)) {
                        resend = true;
                        again.insert(req.id);
                        break;
                    }
            if (resend)
                next.append(i);
        }
    } else {
        // Out of rounds, or Graph asks for longer than this run waits: a 429 was not
        // done; a 503/504 may have been, so a write is settled (a read ignoring a long
        // Retry-After would be rude, so that one is left unknown).
        for (int i : std::as_const(throttled)) {
            GraphResult &r = m_results[i];
            if (waitTooLong)
                r.advice += QLatin1Char(' ') +
                            tr("Graph asked to wait longer than the %1 s this run waits: gave up.")
                                .arg(policy.maxRetryAfterMs / 1000);
            if (r.httpStatus == 429 || !isSettleable(m_requests.at(i)))
                continue;
            if (waitTooLong) {
                r.outcomeUnknown = true;
                r.advice = GraphAdvice::outcomeUnknown(r.advice);
            } else {
                unknown.append(i);
            }
        }
    }

    QList<int> settle;
    for (int i : std::as_const(unknown)) {
        const GraphBatchRequest &req = m_requests.at(i);
        if (isSettleable(req)) {
            settle.append(i);
        } else if (req.method == "GET" && roundsLeft) {
            next.append(i);
        } else if (req.method != "GET") {
            GraphResult &r = m_results[i];
            r.outcomeUnknown = true;
            r.advice = GraphAdvice::outcomeUnknown(
                tr("the answer was lost (%1) and this request cannot be read back.")
                    .arg(lostText(r)));
        } else {
            m_results[i].advice =
                graphAdviceFor(m_results.at(i).httpStatus, m_results.at(i).code, {}, QString());
        }
    }
    if (waitMs < 0 && !next.isEmpty()) // no Retry-After: exponential backoff
        waitMs = qint64(policy.baseDelayMs * std::pow(2.0, m_rounds - 1));
    if (!throttled.isEmpty() && !next.isEmpty())
        Q_EMIT infoMessage(
            tr("%n request(s) throttled; sending again in %1 s.", nullptr, int(throttled.size()))
                .arg(waitMs / 1000.0, 0, 'f', 1));
    if (settle.isEmpty()) {
        scheduleRound(next, std::max<qint64>(0, waitMs), !throttled.isEmpty());
        return;
    }
    settleByReading(settle, next, std::max<qint64>(0, waitMs), !throttled.isEmpty());
}

void GraphBatchJob::settleByReading(const QList<int> &settle, QList<int> next, qint64 waitMs,
                                    bool throttled)
{
    if (!m_client) {
        scheduleRound(next, waitMs, throttled);
        return;
    }
    // Reading back during a Retry-After would break it: wait first, then read.
    QList<GraphBatchRequest> reads;
    for (int i : settle) {
        const GraphBatchRequest &req = m_requests.at(i);
        const QString path = req.url.section(QLatin1Char('?'), 0, 0);
        reads.append({QString::number(i),
                      "GET",
                      req.method == "DELETE"
                          ? path
                          : path + QLatin1String("?$select=") + graphSelectFor(*req.body),
                      std::nullopt,
                      {},
                      true});
    }
    auto read = [this, settle, next, reads, throttled]() mutable {
        if (isFinished())
            return;
        m_client->announceWait(tr("reading back writes whose reply was lost"), 0, false);
        m_settleRead = new GraphBatchJob(m_client, reads);
        GraphBatchJob *job = m_settleRead;
        connect(job, &Job::finished, this, [this, job, settle, next, throttled]() mutable {
            if (isFinished())
                return;
            const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
            const QList<GraphResult> checks = job->results();
            bool resending = false;
            for (int k = 0; k < settle.size(); ++k) {
                const int i = settle.at(k);
                const GraphBatchRequest &req = m_requests.at(i);
                const GraphResult c = k < checks.size() ? checks.at(k) : GraphResult{};
                GraphResult &r = m_results[i];
                const QString lost = lostText(r);
                const bool purge = req.method == "DELETE";
                const bool gone = c.httpStatus == 404;
                const bool landed = purge ? gone : (c.ok && graphPatchLanded(*req.body, c.body));
                if (landed) {
                    r.ok = true;
                    r.outcomeUnknown = false;
                    r.code.clear();
                    r.detailCode.clear();
                    r.message.clear();
                    r.settleNote =
                        purge ? tr("The answer to the purge was lost (%1); the item is gone "
                                   "from the recycle bin, so it was done.")
                                    .arg(lost)
                              : tr("The answer to the write was lost (%1); reading the user "
                                   "back showed the new value in place.")
                                    .arg(lost);
                    r.advice = r.settleNote;
                } else if (c.ok && m_settleResends.at(i) < policy.maxSettleResends) {
                    ++m_settleResends[i];
                    next.append(i); // read back as not done: setting a value again is safe
                    resending = true;
                } else if (c.ok || gone) {
                    r.ok = false;
                    r.outcomeUnknown = false;
                    r.advice = gone ? tr("The answer to the write was lost (%1) and the user "
                                         "no longer exists: the change was not made.")
                                          .arg(lost)
                                    : tr("The answer was lost (%1) and reading the target back "
                                         "showed the change was not made (sent %n time(s)).",
                                         nullptr, m_settleResends.at(i) + 1)
                                          .arg(lost);
                } else {
                    r.ok = false;
                    r.outcomeUnknown = true;
                    r.advice = GraphAdvice::outcomeUnknown(
                        tr("the answer was lost (%1) and the read-back failed (%2).")
                            .arg(lost, lostText(c)));
                }
            }
            std::sort(next.begin(), next.end());
            if (resending && !throttled)
                m_client->announceWait(tr("sending again after a lost reply"), 0, false);
            scheduleRound(next, 0, throttled);
        });
        job->start();
    };
    if (waitMs > 0 && throttled) {
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [timer, read]() mutable {
            timer->deleteLater();
            read();
        });
        timer->start(int(std::min<qint64>(waitMs, INT_MAX)));
        return;
    }
    read();
}

void GraphBatchJob::scheduleRound(const QList<int> &next, qint64 waitMs, bool byServer)
{
    if (isFinished())
        return;
    if (next.isEmpty()) {
        diagnoseRefusals();
        return;
    }
    m_pending = next;
    if (waitMs <= 0) {
        sendPending();
        return;
    }
    if (m_client)
        m_client->announceWait(byServer ? tr("Graph asked to slow down")
                                        : tr("retrying after a lost reply"),
                               waitMs, byServer);
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    connect(timer, &QTimer::timeout, this, [this, timer] {
        timer->deleteLater();
        sendPending();
    });
    timer->start(int(std::min<qint64>(waitMs, INT_MAX)));
}

void GraphBatchJob::diagnoseRefusals()
{
    QList<int> refused;
    for (int i = 0; i < m_requests.size() && refused.size() < 20; ++i) {
        const GraphBatchRequest &req = m_requests.at(i);
        const GraphResult &r = m_results.at(i);
        if (req.method == "PATCH" && req.body &&
            req.body->contains(QLatin1String("onPremisesImmutableId")) && r.httpStatus == 400 &&
            r.code == QLatin1String("Request_BadRequest") &&
            r.detailCode != QLatin1String("ObjectConflict"))
            refused.append(i);
    }
    if (refused.isEmpty() || !m_client) {
        emitResult();
        return;
    }
    auto *domains = m_client->request("GET", QStringLiteral("/domains"), std::nullopt, true,
                                      QLatin1String(GraphPermission::DomainRead));
    connect(domains, &Job::finished, this, [this, domains, refused] {
        if (isFinished())
            return;
        QSet<QString> federated;
        for (const QJsonValue &v : domains->result().body.value(QLatin1String("value")).toArray())
            if (CloudDomain::isFederated(
                    v.toObject().value(QLatin1String("authenticationType")).toString()))
                federated.insert(v.toObject().value(QLatin1String("id")).toString().toLower());
        QList<GraphBatchRequest> reads;
        for (int i : refused)
            reads.append({QString::number(i),
                          "GET",
                          m_requests.at(i).url.section(QLatin1Char('?'), 0, 0) +
                              QLatin1String("?$select=id,userPrincipalName,onPremisesSyncEnabled"),
                          std::nullopt,
                          {},
                          true});
        auto *users = new GraphBatchJob(m_client, reads);
        connect(users, &Job::finished, this, [this, users, federated] {
            if (isFinished())
                return;
            for (const GraphResult &u : users->results()) {
                GraphResult &r = m_results[u.batchId.toInt()];
                if (!u.ok)
                    continue;
                const QString domain = u.body.value(QLatin1String("userPrincipalName"))
                                           .toString()
                                           .section(QLatin1Char('@'), 1)
                                           .toLower();
                if (u.body.value(QLatin1String("onPremisesSyncEnabled")).toBool(false))
                    r.advice = GraphAdvice::syncedObject();
                else if (federated.contains(domain))
                    r.advice = GraphAdvice::federatedDomain();
            }
            emitResult();
        });
        users->start();
    });
    domains->start();
}
