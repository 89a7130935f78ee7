#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

// One request the executor needs from the cloud. Writes are idempotent (a PATCH to a
// value, a DELETE), so a writer may resend one after a dropped connection.
struct CloudOperation
{
    enum class Kind {
        ReadUser,       // GET /users/{id}?$select=id,userPrincipalName,onPremisesImmutableId,…
        SetImmutableId, // PATCH /users/{id} {"onPremisesImmutableId": value or null}
        SetUpn,         // PATCH /users/{id} {"userPrincipalName": value}
        PurgeDeleted,   // DELETE /directory/deletedItems/{id}
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
};
