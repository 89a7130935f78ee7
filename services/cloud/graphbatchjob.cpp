#include "graphbatchjob.h"

#include "graphrequestjob.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>

GraphBatchJob::GraphBatchJob(GraphClient *client, const QList<GraphBatchRequest> &requests)
    : Job(client), m_client(client), m_requests(requests)
{
    m_results.resize(m_requests.size());
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
    bool idempotent = true;
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
        idempotent = idempotent && req.idempotent;
        list.append(o);
    }
    QJsonObject body;
    body.insert(QLatin1String("requests"), list);
    // The outer POST may be repeated after a lost answer only if every request in it may.
    m_current = new GraphRequestJob(m_client, "POST", QStringLiteral("/$batch"), body, idempotent,
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
    if (!m_outer.ok) {
        for (int i : std::as_const(m_pending)) {
            GraphResult r = m_outer;
            r.batchId = m_requests.at(i).id;
            r.body = {};
            m_results[i] = r;
        }
        fail(RequestFailed, job->errorString());
        emitResult();
        return;
    }

    QHash<QString, int> indexOf;
    for (int i = 0; i < m_requests.size(); ++i)
        indexOf.insert(m_requests.at(i).id, i);

    const QJsonArray responses = m_outer.body.value(QLatin1String("responses")).toArray();
    QList<int> throttled;
    int waitMs = 0;
    for (const QJsonValue &v : responses) {
        const QJsonObject resp = v.toObject();
        const QString id = resp.value(QLatin1String("id")).toString();
        const int i = indexOf.value(id, -1);
        if (i < 0)
            continue;
        GraphResult r;
        r.batchId = id;
        r.attempts = m_results.at(i).attempts + 1;
        r.clientRequestId = m_outer.clientRequestId;
        r.httpStatus = resp.value(QLatin1String("status")).toInt();
        r.ok = r.httpStatus >= 200 && r.httpStatus < 300;
        r.body = resp.value(QLatin1String("body")).toObject();
        const QJsonObject headers = resp.value(QLatin1String("headers")).toObject();
        r.requestId = headers.value(QLatin1String("request-id")).toString();
        if (!r.ok) {
            r.parseErrorEnvelope(r.body);
            if (r.requestId.isEmpty())
                r.requestId = m_outer.requestId;
            r.advice = graphAdviceFor(r.httpStatus, r.code, r.detailCode, QString());
        }
        if (r.requestId.isEmpty())
            r.requestId = m_outer.requestId;
        m_results[i] = r;
        if (r.httpStatus == 429) {
            throttled.append(i);
            const QString ra = headers.value(QLatin1String("Retry-After")).toVariant().toString();
            bool ok = false;
            const double s = ra.toDouble(&ok);
            waitMs = std::max(waitMs, ok ? int(std::ceil(s * 1000.0)) : 0);
        }
    }

    // Resend the throttled requests and those that failed with 424 because of them.
    QSet<QString> again;
    for (int i : std::as_const(throttled))
        again.insert(m_requests.at(i).id);
    QList<int> next;
    for (int i : std::as_const(m_pending)) {
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
    const GraphRetryPolicy policy = m_client ? m_client->retryPolicy() : GraphRetryPolicy();
    if (!next.isEmpty() && m_rounds < policy.maxAttempts && waitMs <= policy.maxRetryAfterMs) {
        m_pending = next;
        if (waitMs <= 0)
            waitMs = int(policy.baseDelayMs * std::pow(2.0, m_rounds - 1));
        Q_EMIT infoMessage(
            tr("%n request(s) throttled; sending again in %1 s.", nullptr, int(next.size()))
                .arg(waitMs / 1000.0, 0, 'f', 1));
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [this, timer] {
            timer->deleteLater();
            sendPending();
        });
        timer->start(waitMs);
        return;
    }
    diagnoseRefusals();
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
            if (v.toObject().value(QLatin1String("authenticationType")).toString() ==
                QLatin1String("Federated"))
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
