#pragma once

#include <QJsonObject>
#include <QString>

// The outcome of one Microsoft Graph request (or of one request inside a $batch),
// after retries. A value type: copy it into audit rows as it is.
struct GraphResult
{
    bool ok = false;         // 2xx
    int httpStatus = 0;      // final HTTP status; 0 = no response (network error, timeout)
    QString code;            // Graph error.code ("Request_BadRequest", "TooManyRequests", …)
    QString detailCode;      // error.details[0].code ("ObjectConflict"), if any
    QString message;         // error.message (show it, never branch on it)
    QString requestId;       // request-id of the final response (audit trail)
    QString clientRequestId; // the client-request-id we sent
    QString advice;          // what an admin should do, in plain words; empty when ok
    int attempts = 0;        // how many times the request was sent
    QJsonObject body;        // the response body (a user, a page, …); empty for 204
    QString batchId;         // the request id inside a $batch; empty otherwise

    // Fills code/detailCode/message/requestId from a Graph error envelope
    // {"error":{"code","message","details":[…],"innerError":{"request-id",…}}}.
    void parseErrorEnvelope(const QJsonObject &envelope);
};

// Plain advice for a failed request. Branches on status and code, never on message.
// requiredPermission names the Graph permission the request needs (for 403).
QString graphAdviceFor(int httpStatus, const QString &code, const QString &detailCode,
                       const QString &requiredPermission);

// Advice texts the client uses once it has diagnosed a refused onPremisesImmutableId
// write (see GraphRequestJob): the uniqueness conflict, the synced user, the federated
// domain.
namespace GraphAdvice {
QString objectConflict();
QString syncedObject();
QString federatedDomain();
QString signInAgain();
} // namespace GraphAdvice
