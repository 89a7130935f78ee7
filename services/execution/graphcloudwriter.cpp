#include "graphcloudwriter.h"

#include "clouduser.h"
#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"

#include <QTimer>

namespace {

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
}

void GraphCloudWriter::setWriteQuota(int writesPerWindow, qint64 windowMs)
{
    m_pacer = WritePacer(writesPerWindow, windowMs);
}

CloudOperationResult GraphCloudWriter::toResult(const CloudOperation &op, const GraphResult &r)
{
    CloudOperationResult out;
    out.ok = r.ok;
    out.httpStatus = r.httpStatus;
    out.code = r.detailCode.isEmpty() ? r.code : r.code + u'/' + r.detailCode;
    out.requestId = r.requestId;
    out.attempts = qMax(1, r.attempts);
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
    m_queue.enqueue({operations, context, std::move(done)});
    if (!m_busy)
        QTimer::singleShot(0, this, &GraphCloudWriter::sendNext);
}

void GraphCloudWriter::sendNext()
{
    if (m_busy || m_queue.isEmpty())
        return;
    m_busy = true;
    const Call &call = m_queue.head();
    m_results = QList<CloudOperationResult>(call.operations.size());
    QList<int> batched, purges;
    for (int i = 0; i < call.operations.size(); ++i)
        (call.operations.at(i).kind == CloudOperation::Kind::PurgeDeleted ? purges : batched)
            .append(i);
    if (!m_client) {
        for (CloudOperationResult &r : m_results)
            r.message = QStringLiteral("Not connected to Microsoft Graph.");
        finishCall();
        return;
    }
    // Purges first (one by one), then the rest as one $batch; sendPurges() chains on.
    if (!purges.isEmpty()) {
        sendPurges(purges);
        return;
    }
    sendBatch(batched);
}

void GraphCloudWriter::sendPurges(QList<int> indexes)
{
    if (indexes.isEmpty()) {
        QList<int> batched;
        const QList<CloudOperation> &ops = m_queue.head().operations;
        for (int i = 0; i < ops.size(); ++i)
            if (ops.at(i).kind != CloudOperation::Kind::PurgeDeleted)
                batched.append(i);
        if (batched.isEmpty())
            finishCall();
        else
            sendBatch(batched);
        return;
    }
    const qint64 wait = m_pacer.delayFor(1, m_clock.elapsed());
    if (wait > 0) {
        QTimer::singleShot(int(wait), Qt::PreciseTimer, this,
                           [this, indexes] { sendPurges(indexes); });
        return;
    }
    const int i = indexes.takeFirst();
    const CloudOperation op = m_queue.head().operations.at(i);
    m_pacer.recordWrites(1, m_clock.elapsed());
    GraphRequestJob *job = m_client->purgeDeletedItem(op.userId);
    connect(job, &Job::finished, this, [this, job, i, op, indexes] {
        m_results[i] = toResult(op, job->result());
        sendPurges(indexes);
    });
    job->start();
}

void GraphCloudWriter::sendBatch(const QList<int> &indexes)
{
    const QList<CloudOperation> &ops = m_queue.head().operations;
    const int writes = writesIn(ops, indexes);
    const qint64 wait = writes > 0 ? m_pacer.delayFor(writes, m_clock.elapsed()) : 0;
    if (wait > 0) {
        QTimer::singleShot(int(wait), Qt::PreciseTimer, this,
                           [this, indexes] { sendBatch(indexes); });
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
            break;
        }
    }
    if (writes > 0)
        m_pacer.recordWrites(writes, m_clock.elapsed());
    GraphBatchJob *job = m_client->batch(requests);
    connect(job, &Job::finished, this, [this, job, indexes] {
        const QList<GraphResult> results = job->results();
        const QList<CloudOperation> &ops = m_queue.head().operations;
        for (int k = 0; k < indexes.size(); ++k) {
            GraphResult r = k < results.size() ? results.at(k) : GraphResult{};
            if (!r.ok && r.httpStatus == 0 && r.message.isEmpty() && job->error() != 0)
                r.message = job->errorString();
            m_results[indexes.at(k)] = toResult(ops.at(indexes.at(k)), r);
        }
        finishCall();
    });
    job->start();
}

void GraphCloudWriter::finishCall()
{
    Call call = m_queue.dequeue();
    const QList<CloudOperationResult> results = m_results;
    m_busy = false;
    if (call.context) {
        QTimer::singleShot(0, call.context.data(), [done = call.done, results] { done(results); });
    }
    if (!m_queue.isEmpty())
        QTimer::singleShot(0, this, &GraphCloudWriter::sendNext);
}
