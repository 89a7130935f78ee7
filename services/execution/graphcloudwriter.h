#pragma once

#include "cloudwriter.h"
#include "writepacer.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QQueue>
#include <QSharedPointer>

class GraphClient;
struct GraphResult;

// CloudWriter on Microsoft Graph: reads and PATCHes go out as one $batch (inner
// 429/503/504s are resent by GraphBatchJob after their Retry-After, lost answers settled
// by reading back); purges go one by one through GraphClient::purgeDeletedItem, which
// settles a lost answer the same way before resending a DELETE. Clears of
// onPremisesObjectIdentifier go one by one too (a beta request cannot ride in a v1.0
// $batch), settled by reading the user back on beta.
// One call is on the wire at a time by default, so nothing can be sent while a
// Retry-After runs (more calls in flight let requests already on the wire land inside a
// Retry-After). Writes are paced to the write quota; while a write call waits for the
// quota, calls without writes (the next batch's reads) may use the idle wire, but writes
// keep their order. Once any answer carries a Retry-After (429, 503; the jobs announce
// it through GraphClient::waitAnnounced) nothing new is sent until it has elapsed.
class GraphCloudWriter : public CloudWriter
{
    Q_OBJECT
public:
    explicit GraphCloudWriter(GraphClient *client, QObject *parent = nullptr);

    void setWriteQuota(int writesPerWindow, qint64 windowMs);
    void setMaxCallsInFlight(int calls) { m_maxInFlight = qMax(1, calls); }
    int maxBatchSize() const override { return 20; }
    void execute(const QList<CloudOperation> &operations, QObject *context, Callback done) override;

    static CloudOperationResult toResult(const CloudOperation &op, const GraphResult &r);

private:
    struct Call
    {
        QList<CloudOperation> operations;
        QPointer<QObject> context;
        Callback done;
        QList<CloudOperationResult> results;
        int writes = 0;
    };
    using CallPtr = QSharedPointer<Call>;

    void pump();
    void start(const CallPtr &call);
    void sendBatch(const CallPtr &call, const QList<int> &indexes);
    void sendPurges(const CallPtr &call, QList<int> indexes);
    void finishCall(const CallPtr &call);
    void onWaitAnnounced(const QString &reason, qint64 delayMs, bool byServer);
    void announceQuotaWait(qint64 delayMs);
    // Milliseconds to wait before sending `writes` writes (0 = now).
    qint64 waitFor(int writes);

    QPointer<GraphClient> m_client;
    WritePacer m_pacer;
    QElapsedTimer m_clock;
    QQueue<CallPtr> m_queue;
    int m_inFlight = 0;
    int m_maxInFlight = 1;
    qint64 m_holdUntilMs = 0;
    qint64 m_announcedQuotaUntilMs = 0;
    class QTimer *m_pumpTimer = nullptr;
};
