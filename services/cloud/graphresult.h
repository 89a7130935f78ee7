#pragma once

#include <QByteArray>
#include <QDateTime>
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
    // The final response's Retry-After in ms (inner header for a $batch request);
    // -1 = none. Parsed once, by parseRetryAfter(), where the response is parsed.
    qint64 retryAfterMs = -1;
    // A write whose answer was lost (connection closed, timeout, 5xx) and whose effect
    // could not be read back: neither applied nor failed. ok is false.
    bool outcomeUnknown = false;
    // How a lost answer was settled by reading the target back (empty when it was not).
    QString settleNote;

    // Fills code/detailCode/message/requestId from a Graph error envelope
    // {"error":{"code","message","details":[…],"innerError":{"request-id",…}}}.
    void parseErrorEnvelope(const QJsonObject &envelope);

    // Retry-After (RFC 9110 §10.2.3) as milliseconds from now: delay-seconds, fractional
    // as Graph sends them ("2.128"), or an HTTP-date (IMF-fixdate "Sun, 06 Nov 1994
    // 08:49:37 GMT", RFC 850, asctime; a date in the past = 0). -1 when absent or
    // invalid; a huge or infinite value saturates at RetryAfterTooLong (never overflows).
    static constexpr qint64 RetryAfterTooLong = qint64(1) << 52;
    static qint64 parseRetryAfter(const QByteArray &value,
                                  const QDateTime &nowUtc = QDateTime::currentDateTimeUtc());
};

// Settling a write whose answer was lost: did a PATCH of these properties land, judged
// from the user read back? (onPremisesImmutableId: exact, null = empty;
// userPrincipalName: case-insensitive; anything else: exact JSON.)
bool graphPatchLanded(const QJsonObject &patchBody, const QJsonObject &userReadBack);
// The $select that reads back what a PATCH body sets.
QString graphSelectFor(const QJsonObject &patchBody);

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
// A write whose effect could not be settled ("outcome unknown: …"); why says what was lost.
QString outcomeUnknown(const QString &why);
} // namespace GraphAdvice
