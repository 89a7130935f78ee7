#include "graphcloudwriter.h"

#include "clouduser.h"
#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"

#include <QTimer>

#include <cmath>

namespace {

// Requests that cannot go in a v1.0 $batch, or whose lost answer GraphClient settles one
// by one: purges, and the beta clear of onPremisesObjectIdentifier.
bool isSentAlone(CloudOperation::Kind kind)
{
    return kind == CloudOperation::Kind::PurgeDeleted ||
           kind == CloudOperation::Kind::ClearObjectIdentifier;
}

int writesIn(const QList<CloudOperation> &ops, const QList<int> &indexes)
{
    int n = 0;
    for (int i : indexes)
        n += ops.at(i).isWrite() ? 1 : 0;
    return n;
}

} // namespace

GraphCloudWriter::GraphCloudWriter(GraphClient *client, QObject *parent)
    : CloudWriter(parent), m_client(client)
{
    m_clock.start();
    m_pumpTimer = new QTimer(this);
    m_pumpTimer->setSingleShot(true);
    m_pumpTimer->setTimerType(Qt::PreciseTimer);
    connect(m_pumpTimer, &QTimer::timeout, this, &GraphCloudWriter::pump);
    if (client)
        connect(client, &GraphClient::waitAnnounced, this, &GraphCloudWriter::onWaitAnnounced);
}

void GraphCloudWriter::setWriteQuota(int writesPerWindow, qint64 windowMs)
{
    m_pacer = WritePacer(writesPerWindow, windowMs);
}

void GraphCloudWriter::onWaitAnnounced(const QString &reason, qint64 delayMs, bool byServer)
{
    if (byServer)
        m_holdUntilMs = qMax(m_holdUntilMs, m_clock.elapsed() + delayMs);
    Q_EMIT waitStarted(reason, delayMs);
}

qint64 GraphCloudWriter::waitFor(int writes)
{
    const qint64 now = m_clock.elapsed();
    qint64 wait = qMax<qint64>(0, m_holdUntilMs - now);
    if (writes > 0)
        wait = qMax(wait, m_pacer.delayFor(writes, now));
    return wait;
}

CloudOperationResult GraphCloudWriter::toResult(const CloudOperation &op, const GraphResult &r)
{
    CloudOperationResult out;
    out.ok = r.ok;
    out.httpStatus = r.httpStatus;
    out.code = r.detailCode.isEmpty() ? r.code : r.code + u'/' + r.detailCode;
    out.requestId = r.requestId;
    out.attempts = qMax(1, r.attempts);
    out.outcomeUnknown = !r.ok && r.outcomeUnknown;
    out.note = r.settleNote;
    if (!r.ok) {
        out.message = r.advice;
        if (!r.message.isEmpty())
            out.message +=
                (out.message.isEmpty() ? QString() : QStringLiteral(" Graph said: ")) + r.message;
        if (out.message.isEmpty())
            out.message = r.httpStatus == 0 ? QStringLiteral("No answer from Microsoft Graph.")
                                            : QStringLiteral("HTTP %1.").arg(r.httpStatus);
    }
    if (op.kind == CloudOperation::Kind::ReadUser && r.ok) {
        const CloudUser user = GraphClient::userFromJson(r.body);
        out.found = !user.id.isEmpty();
        out.upn = user.upn;
        out.immutableId = user.immutableId;
        out.syncEnabled = user.syncEnabled;
    }
    return out;
}

void GraphCloudWriter::execute(const QList<CloudOperation> &operations, QObject *context,
                               Callback done)
{
    auto call = CallPtr::create();
    call->operations = operations;
    call->context = context;
    call->done = std::move(done);
    call->results = QList<CloudOperationResult>(operations.size());
    for (const CloudOperation &op : operations)
        call->writes += op.isWrite() ? 1 : 0;
    m_queue.enqueue(call);
    QTimer::singleShot(0, this, &GraphCloudWriter::pump);
}

void GraphCloudWriter::pump()
{
    qint64 retryIn = -1;
    while (m_inFlight < m_maxInFlight && !m_queue.isEmpty()) {
        const qint64 now = m_clock.elapsed();
        if (m_holdUntilMs > now) {
            retryIn = m_holdUntilMs - now;
            break;
        }
        // The first call that may go now: a write call only when the quota has room and
        // no earlier write call is still waiting; a read-only call whenever the wire is free.
        qsizetype pick = -1;
        bool writeWaiting = false;
        for (qsizetype i = 0; i < m_queue.size() && pick < 0; ++i) {
            const CallPtr &call = m_queue.at(i);
            if (call->writes == 0) {
                pick = i;
            } else if (!writeWaiting) {
                const qint64 wait = m_pacer.delayFor(call->writes, now);
                if (wait == 0) {
                    pick = i;
                } else {
                    writeWaiting = true;
                    announceQuotaWait(wait);
                    retryIn = retryIn < 0 ? wait : qMin(retryIn, wait);
                }
            }
        }
        if (pick < 0)
            break;
        const CallPtr call = m_queue.takeAt(pick);
        ++m_inFlight;
        start(call);
    }
    if (retryIn >= 0 && m_inFlight < m_maxInFlight &&
        (!m_pumpTimer->isActive() || m_pumpTimer->remainingTime() > retryIn))
        m_pumpTimer->start(int(qMax<qint64>(1, retryIn)));
}

void GraphCloudWriter::start(const CallPtr &call)
{
    if (!m_client) {
        for (CloudOperationResult &r : call->results)
            r.message = QStringLiteral("Not connected to Microsoft Graph.");
        finishCall(call);
        return;
    }
    QList<int> batched, purges;
    for (int i = 0; i < call->operations.size(); ++i)
        (isSentAlone(call->operations.at(i).kind) ? purges : batched).append(i);
    // Purges and identifier clears first (one by one), then the rest as one $batch;
    // sendPurges() chains on.
    if (!purges.isEmpty())
        sendPurges(call, purges);
    else
        sendBatch(call, batched);
}

void GraphCloudWriter::sendPurges(const CallPtr &call, QList<int> indexes)
{
    if (indexes.isEmpty()) {
        QList<int> batched;
        for (int i = 0; i < call->operations.size(); ++i)
            if (!isSentAlone(call->operations.at(i).kind))
                batched.append(i);
        if (batched.isEmpty())
            finishCall(call);
        else
            sendBatch(call, batched);
        return;
    }
    const qint64 wait = waitFor(1);
    if (wait > 0) {
        announceQuotaWait(wait);
        QTimer::singleShot(int(wait), Qt::PreciseTimer, this,
                           [this, call, indexes] { sendPurges(call, indexes); });
        return;
    }
    const int i = indexes.takeFirst();
    const CloudOperation op = call->operations.at(i);
    const qint64 sentMs = m_clock.elapsed();
    m_pacer.recordWrites(1, sentMs);
    GraphRequestJob *job = op.kind == CloudOperation::Kind::ClearObjectIdentifier
                               ? m_client->clearObjectIdentifier(op.userId)
                               : m_client->purgeDeletedItem(op.userId);
    connect(job, &Job::finished, this, [this, call, job, i, op, indexes, sentMs] {
        m_pacer.confirmWrites(1, sentMs, m_clock.elapsed());
        call->results[i] = toResult(op, job->result());
        sendPurges(call, indexes);
    });
    job->start();
}

void GraphCloudWriter::sendBatch(const CallPtr &call, const QList<int> &indexes)
{
    const QList<CloudOperation> &ops = call->operations;
    const int writes = writesIn(ops, indexes);
    const qint64 wait = waitFor(writes);
    if (wait > 0) {
        announceQuotaWait(wait);
        QTimer::singleShot(int(wait), Qt::PreciseTimer, this,
                           [this, call, indexes] { sendBatch(call, indexes); });
        return;
    }
    QList<GraphBatchRequest> requests;
    for (int k = 0; k < indexes.size(); ++k) {
        const CloudOperation &op = ops.at(indexes.at(k));
        const QString id = QString::number(k + 1);
        switch (op.kind) {
        case CloudOperation::Kind::ReadUser:
            requests.append(GraphBatchRequest::getUser(id, op.userId));
            break;
        case CloudOperation::Kind::SetImmutableId:
            requests.append(GraphBatchRequest::setImmutableId(id, op.userId, op.value));
            break;
        case CloudOperation::Kind::SetUpn:
            requests.append(GraphBatchRequest::setUserPrincipalName(id, op.userId, op.value));
            break;
        case CloudOperation::Kind::PurgeDeleted:
        case CloudOperation::Kind::ClearObjectIdentifier:
            break;
        }
    }
    const qint64 sentMs = m_clock.elapsed();
    if (writes > 0)
        m_pacer.recordWrites(writes, sentMs);
    GraphBatchJob *job = m_client->batch(requests);
    connect(job, &Job::finished, this, [this, call, job, indexes, writes, sentMs] {
        if (writes > 0)
            m_pacer.confirmWrites(writes, sentMs, m_clock.elapsed());
        const QList<GraphResult> results = job->results();
        for (int k = 0; k < indexes.size(); ++k) {
            GraphResult r = k < results.size() ? results.at(k) : GraphResult{};
            if (!r.ok && r.httpStatus == 0 && r.message.isEmpty() && job->error() != 0)
                r.message = job->errorString();
            call->results[indexes.at(k)] = toResult(call->operations.at(indexes.at(k)), r);
        }
        finishCall(call);
    });
    job->start();
}

void GraphCloudWriter::announceQuotaWait(qint64 delayMs)
{
    // Once per wait, not once per pump.
    const qint64 until = m_clock.elapsed() + delayMs;
    if (until <= m_announcedQuotaUntilMs + 5)
        return;
    m_announcedQuotaUntilMs = until;
    Q_EMIT waitStarted(tr("keeping to the write quota"), delayMs);
}

void GraphCloudWriter::finishCall(const CallPtr &call)
{
    --m_inFlight;
    if (call->context) {
        QTimer::singleShot(0, call->context.data(),
                           [done = call->done, results = call->results] { done(results); });
    }
    QTimer::singleShot(0, this, &GraphCloudWriter::pump);
}
