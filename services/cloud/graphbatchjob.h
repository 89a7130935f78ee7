#pragma once

#include "graphclient.h"
#include "graphresult.h"
#include "job.h"

#include <QList>
#include <QPointer>

class GraphRequestJob;

// POST /v1.0/$batch with up to 20 requests. Finishes once; results() has one
// GraphResult per request in the order given (batchId = the request's id), whatever
// order Graph answered in. Inner 429s are sent again, in a new batch, after the largest
// Retry-After among them. error() is NoError when the batch itself was answered (inner
// failures are in results()), RequestFailed when the batch could not be sent or was
// refused as a whole (invalid batch: more than 20, duplicate ids, …). A refused
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
    // Refused onPremisesImmutableId writes without ObjectConflict: read the users and
    // the domains to tell a synced user from a federated one (as GraphRequestJob does).
    void diagnoseRefusals();

    QPointer<GraphClient> m_client;
    QList<GraphBatchRequest> m_requests;
    QList<GraphResult> m_results;
    QList<int> m_pending; // indexes into m_requests still to send
    QPointer<GraphRequestJob> m_current;
    GraphResult m_outer;
    int m_rounds = 0;
};
