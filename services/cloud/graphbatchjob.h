#pragma once

#include "graphclient.h"
#include "graphresult.h"
#include "job.h"

#include <QList>
#include <QPointer>

class GraphRequestJob;

// POST /v1.0/$batch with up to 20 requests. Finishes once; results() has one
// GraphResult per request in the order given (batchId = the request's id), whatever
// order Graph answered in. Inner 429/503/504s are sent again, in a new batch, after the
// largest Retry-After among them (capped backoff without one). When the answer to a write
// is lost (the $batch reply never came, an inner or outer 5xx after the retries) the
// targets are read back in a $batch of GETs: done → ok (settleNote says how it was
// known), not done → sent again (GraphRetryPolicy::maxSettleResends), unreadable →
// outcomeUnknown. error() is NoError when the batch was answered or settled (inner
// failures are in results()), RequestFailed when it was refused as a whole (invalid
// batch: more than 20, duplicate ids, …, sign-in, permission). A refused
// onPremisesImmutableId write gets the same diagnosed advice as a single request.
class GraphBatchJob : public Job
{
    Q_OBJECT
public:
    enum Error { RequestFailed = UserDefinedError + 1 };

    GraphBatchJob(GraphClient *client, const QList<GraphBatchRequest> &requests);

    QList<GraphResult> results() const { return m_results; }
    // The outcome of the outer POST (status, request-id, attempts).
    GraphResult outerResult() const { return m_outer; }
    // True when every inner request succeeded.
    bool allSucceeded() const;

protected:
    void doStart() override;
    void doCancel() override;

private:
    void sendPending();
    void onOuterFinished(GraphRequestJob *job);
    void settleByReading(const QList<int> &settle, QList<int> next, qint64 waitMs, bool throttled);
    void scheduleRound(const QList<int> &next, qint64 waitMs, bool byServer);
    // Refused onPremisesImmutableId writes without ObjectConflict: read the users and
    // the domains to tell a synced user from a federated one (as GraphRequestJob does).
    void diagnoseRefusals();

    QPointer<GraphClient> m_client;
    QList<GraphBatchRequest> m_requests;
    QList<GraphResult> m_results;
    QList<int> m_pending; // indexes into m_requests still to send
    QPointer<GraphRequestJob> m_current;
    QPointer<GraphBatchJob> m_settleRead;
    QList<int> m_settleResends; // per request: sent again after a read-back said "not done"
    GraphResult m_outer;
    int m_rounds = 0;
};
