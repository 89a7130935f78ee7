#pragma once

#include "cloudwriter.h"
#include "writepacer.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QQueue>

class GraphClient;
struct GraphResult;

// CloudWriter on Microsoft Graph: reads and PATCHes go out as one $batch (inner 429s
// are resent by GraphBatchJob after their Retry-After); purges go one by one through
// GraphClient::purgeDeletedItem, which checks a lost answer before resending a DELETE.
// One call is on the wire at a time, so nothing is sent while a Retry-After runs, and
// writes are paced to the write quota.
class GraphCloudWriter : public CloudWriter
{
    Q_OBJECT
public:
    explicit GraphCloudWriter(GraphClient *client, QObject *parent = nullptr);

    void setWriteQuota(int writesPerWindow, qint64 windowMs);
    int maxBatchSize() const override { return 20; }
    void execute(const QList<CloudOperation> &operations, QObject *context, Callback done) override;

    static CloudOperationResult toResult(const CloudOperation &op, const GraphResult &r);

private:
    struct Call
    {
        QList<CloudOperation> operations;
        QPointer<QObject> context;
        Callback done;
    };
    void sendNext();
    void sendBatch(const QList<int> &indexes);
    void sendPurges(QList<int> indexes);
    void finishCall();

    QPointer<GraphClient> m_client;
    WritePacer m_pacer;
    QElapsedTimer m_clock;
    QQueue<Call> m_queue;
    bool m_busy = false;
    QList<CloudOperationResult> m_results;
};
