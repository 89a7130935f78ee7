#pragma once

#include "cloudwriter.h"

#include <QHash>
#include <QSet>
#include <QTimer>

// An in-memory tenant for the executor's logic tests: users, a recycle bin, a log of
// every operation, and failures injected per user and kind. Answers on the next turn
// of the event loop, like a network would.
class FakeCloudWriter : public CloudWriter
{
    Q_OBJECT
public:
    struct User
    {
        QString upn;
        QString immutableId;
        bool syncEnabled = false;
    };
    struct Failure
    {
        int httpStatus = 400;
        QString code = QStringLiteral("Request_BadRequest");
        // The write is made, but its answer is lost and the writer could not read it back.
        bool landsUnknown = false;
    };

    QHash<QString, User> users;
    QSet<QString> deleted; // recycle-bin ids
    QList<CloudOperation> log;
    QHash<QPair<int, QString>, Failure> failures; // (kind, user id) → failure
    // Replication delay: this many reads after a write to the user still see the old value.
    QHash<QString, int> staleReadsAfterWrite;
    QHash<QString, QString> beforeLastWrite;
    int batchCalls = 0;
    qsizetype maxCallSize = 0;
    std::function<void()> afterEachCall; // e.g. cancel or pause the job mid-run

    using CloudWriter::CloudWriter;

    int maxBatchSize() const override { return 20; }

    QList<CloudOperation> writes() const
    {
        QList<CloudOperation> w;
        for (const CloudOperation &op : log)
            if (op.isWrite())
                w.append(op);
        return w;
    }

    void execute(const QList<CloudOperation> &operations, QObject *context, Callback done) override
    {
        ++batchCalls;
        maxCallSize = qMax(maxCallSize, operations.size());
        QList<CloudOperationResult> results;
        for (const CloudOperation &op : operations) {
            log.append(op);
            results.append(run(op));
        }
        QTimer::singleShot(0, context, [this, results, done] {
            done(results);
            if (afterEachCall)
                afterEachCall();
        });
    }

private:
    CloudOperationResult run(const CloudOperation &op)
    {
        CloudOperationResult r;
        r.attempts = 1;
        r.requestId = QStringLiteral("req-%1").arg(log.size());
        const auto failure = failures.constFind({int(op.kind), op.userId});
        if (failure != failures.cend() && failure->landsUnknown) {
            const Failure injected = *failure; // run() below must not see it
            const QPair<int, QString> key{int(op.kind), op.userId};
            failures.remove(key);
            const CloudOperationResult done = run(op);
            failures.insert(key, injected);
            CloudOperationResult lost;
            lost.attempts = done.attempts;
            lost.outcomeUnknown = true;
            lost.code = QStringLiteral("NetworkError");
            lost.message = QStringLiteral("outcome unknown: injected");
            return lost;
        }
        if (failure != failures.cend()) {
            r.httpStatus = failure->httpStatus;
            r.code = failure->code;
            r.message = QStringLiteral("injected failure");
            return r;
        }
        if (op.kind == CloudOperation::Kind::PurgeDeleted) {
            if (!deleted.remove(op.userId)) {
                r.httpStatus = 404;
                r.code = QStringLiteral("Request_ResourceNotFound");
                return r;
            }
            r.ok = true;
            r.httpStatus = 204;
            return r;
        }
        auto it = users.find(op.userId);
        if (it == users.end()) {
            r.httpStatus = 404;
            r.code = QStringLiteral("Request_ResourceNotFound");
            return r;
        }
        switch (op.kind) {
        case CloudOperation::Kind::ReadUser:
            r.ok = true;
            r.httpStatus = 200;
            r.found = true;
            r.upn = it->upn;
            r.immutableId = it->immutableId;
            if (staleReadsAfterWrite.value(op.userId) > 0 && beforeLastWrite.contains(op.userId)) {
                --staleReadsAfterWrite[op.userId];
                r.immutableId = beforeLastWrite.value(op.userId);
            }
            r.syncEnabled = it->syncEnabled;
            break;
        case CloudOperation::Kind::SetImmutableId:
            beforeLastWrite.insert(op.userId, it->immutableId);
            it->immutableId = op.value;
            r.ok = true;
            r.httpStatus = 204;
            break;
        case CloudOperation::Kind::SetUpn:
            it->upn = op.value;
            r.ok = true;
            r.httpStatus = 204;
            break;
        case CloudOperation::Kind::ClearObjectIdentifier: // nothing the fake keeps
            r.ok = true;
            r.httpStatus = 204;
            break;
        case CloudOperation::Kind::PurgeDeleted:
            break;
        }
        return r;
    }
};
