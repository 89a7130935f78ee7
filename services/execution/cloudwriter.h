#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

// One request the executor needs from the cloud. A writer settles a write whose answer
// was lost by reading its target back (done, not done → sent again, or outcome unknown);
// it never reports `failed` for a write the tenant may have done.
struct CloudOperation
{
    enum class Kind {
        ReadUser,       // GET /users/{id}?$select=id,userPrincipalName,onPremisesImmutableId,…
        SetImmutableId, // PATCH /users/{id} {"onPremisesImmutableId": value or null}
        SetUpn,         // PATCH /users/{id} {"userPrincipalName": value}
        PurgeDeleted,   // DELETE /directory/deletedItems/{id}
        // PATCH /beta/users/{id} {"onPremisesObjectIdentifier": null}: not reversible
        ClearObjectIdentifier,
    };
    Kind kind = Kind::ReadUser;
    QString userId;
    QString value; // SetImmutableId: empty = null; SetUpn: the new UPN

    bool isWrite() const { return kind != Kind::ReadUser; }
    friend bool operator==(const CloudOperation &, const CloudOperation &) = default;
};

struct CloudOperationResult
{
    bool ok = false;
    // A write whose answer was lost and whose effect could not be read back: neither
    // applied nor failed (ok is false). The journal keeps such a change `pending`.
    bool outcomeUnknown = false;
    QString note; // how a lost answer was settled, e.g. "… read back: the new value in place"
    int httpStatus = 0; // 0 = no HTTP answer (network error)
    QString code;       // Graph error code, e.g. Request_BadRequest, Request_ResourceNotFound
    QString message;    // what an admin should read
    QString requestId;  // Graph request-id of the final attempt
    int attempts = 0;   // 1 + retries (throttling, 5xx, dropped connections)

    // ReadUser only.
    bool found = false;
    QString upn;
    QString immutableId;
    std::optional<bool> syncEnabled;
};

// The executor's view of the tenant: runs independent operations, as one Graph $batch
// or one by one, and answers every one of them. A writer keeps to the write quota and
// never sends a write before a Retry-After has elapsed; results come back in the order
// of the operations.
class CloudWriter : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const QList<CloudOperationResult> &)>;

    explicit CloudWriter(QObject *parent = nullptr) : QObject(parent) {}

    // How many operations the executor should hand over at once (Graph $batch: 20).
    virtual int maxBatchSize() const { return 20; }
    // Calls done (queued, on this thread) unless context has been destroyed by then.
    virtual void execute(const QList<CloudOperation> &operations, QObject *context,
                         Callback done) = 0;

Q_SIGNALS:
    // The writer waits before sending more: why, in plain words ("Graph asked to slow
    // down", "keeping to the write quota", "reading back a write whose reply was lost"),
    // and for how long (0 = as long as that step takes).
    void waitStarted(const QString &reason, qint64 delayMs);
};
