// RollbackJob runs once: what it undid (or found undone) is marked in the journal, so a
// second rollback sends nothing and a rollback stopped half way finishes the rest.
#include "auditlog.h"
#include "executor.h"
#include "fakecloudwriter.h"
#include "rollbackjob.h"
#include "rollbackjournal.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kAnchorA = QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q==");
const QString kAnchorB = QStringLiteral("+AAAAAAAAAAAAAAAAAAAAA==");
const QString kAnchorC = QStringLiteral("CCCCCCCCCCCCCCCCCCCCCA==");
const QString kInitial = QStringLiteral("contoso.onmicrosoft.com");

Finding makeRow(int rowId, const QString &kind)
{
    Finding f;
    f.rowId = rowId;
    f.cloudId = QStringLiteral("u%1").arg(rowId);
    f.setExpectedImmutableId(kAnchorA);
    f.cloudUpn = QStringLiteral("user%1@contoso.com").arg(rowId);
    if (kind == u"stamp") {
        f.category = Category::SoftMatchPending;
        f.action = Action::Stamp;
    } else if (kind == u"clear") {
        f.category = Category::AnchorMismatch;
        f.cloudImmutableId = kAnchorB;
        f.action = Action::Clear;
        f.requiresApproval = true;
        f.approved = true;
    } else if (kind == u"purge") {
        f.category = Category::DeletedAnchorHolder;
        f.action = Action::PurgeDeleted;
        f.deletedHolderId = QStringLiteral("d%1").arg(rowId);
        f.requiresApproval = true;
        f.approved = true;
    } else if (kind == u"federated" || kind == u"federated subdomain") {
        f.category = Category::FederatedDomain;
        f.cloudUpn = QStringLiteral("user%1@%2fed.example")
                         .arg(rowId)
                         .arg(kind == u"federated" ? QString() : QStringLiteral("eu."));
        f.cloudImmutableId = kAnchorB;
        f.action = Action::Stamp;
        f.requiresApproval = true;
        f.approved = true;
    }
    f.allowedActions = allowedActionsFor(f.category);
    return f;
}

struct Fixture
{
    QTemporaryDir dir;
    FakeCloudWriter writer;
    ExecutorSettings apply;
    Fixture()
    {
        apply.identity = {QStringLiteral("run-1"), QStringLiteral("app:test"),
                          QStringLiteral("tenant-1"), QStringLiteral("http://127.0.0.1:1")};
        apply.rollbackPath = dir.filePath(QStringLiteral("rollback.csv"));
        apply.auditPath = dir.filePath(QStringLiteral("audit.csv"));
        apply.initialDomain = kInitial;
    }
    void add(const Finding &f)
    {
        writer.users.insert(f.cloudId, {f.cloudUpn, f.cloudImmutableId, false});
        if (!f.deletedHolderId.isEmpty())
            writer.deleted.insert(f.deletedHolderId);
    }
    bool runApply(const QList<Finding> &plan)
    {
        auto *executor = new Executor(plan, apply, &writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        return finished.wait(10000) && executor->error() == Job::NoError;
    }
    // Runs a rollback to its end; the job stays alive for inspection (deleteLater).
    RollbackJob *runRollback(int *error)
    {
        RollbackSettings s;
        s.identity = apply.identity;
        s.identity.runId = QStringLiteral("rollback-%1").arg(++m_rollbacks);
        s.rollbackPath = apply.rollbackPath;
        s.auditPath = apply.auditPath;
        s.initialDomain = kInitial;
        s.federatedDomains = {QStringLiteral("fed.example")};
        auto *job = new RollbackJob(s, &writer);
        job->setAutoDelete(false);
        QSignalSpy finished(job, &Job::finished);
        job->start();
        *error = finished.wait(10000) ? job->error() : -1;
        job->deleteLater();
        return job;
    }
    QHash<QString, RollbackStatus> statuses() const
    {
        QList<RollbackEntry> entries;
        QString error;
        RollbackJournal::read(apply.rollbackPath, &entries, &error);
        QHash<QString, RollbackStatus> map;
        for (const RollbackEntry &e : entries)
            map.insert(e.cloudId, e.status);
        return map;
    }
    QList<AuditRecord> audit() const
    {
        QList<AuditRecord> records;
        QString error;
        AuditLog::read(apply.auditPath, &records, &error);
        return records;
    }
    int m_rollbacks = 0;
};

} // namespace

class tst_RollbackJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secondRollbackSendsNothing_data()
    {
        QTest::addColumn<QStringList>("kinds");
        QTest::newRow("stamps") << QStringList{"stamp", "stamp"};
        QTest::newRow("clear") << QStringList{"clear"};
        QTest::newRow("federated stamp") << QStringList{"federated"};
        QTest::newRow("mixed with a purge") << QStringList{"stamp", "clear", "purge", "federated"};
    }
    void secondRollbackSendsNothing()
    {
        QFETCH(QStringList, kinds);
        Fixture fx;
        QList<Finding> plan;
        for (const QString &kind : kinds)
            plan.append(makeRow(int(plan.size()) + 1, kind));
        for (const Finding &f : plan)
            fx.add(f);
        const auto original = fx.writer.users;
        QVERIFY(fx.runApply(plan));
        QVERIFY(fx.writer.users.value(QStringLiteral("u1")).immutableId !=
                original.value(QStringLiteral("u1")).immutableId);

        int error = 0;
        RollbackJob *first = fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QVERIFY(!first->isAlreadyDone());
        for (auto it = original.cbegin(); it != original.cend(); ++it) {
            QCOMPARE(fx.writer.users.value(it.key()).immutableId, it->immutableId);
            QCOMPARE(fx.writer.users.value(it.key()).upn, it->upn);
        }
        const auto statuses = fx.statuses();
        for (const Finding &f : plan) {
            QCOMPARE(statuses.value(f.cloudId), RollbackStatus::RolledBack);
            if (!f.deletedHolderId.isEmpty()) // a purge stays what it was: done, for good
                QCOMPARE(statuses.value(f.deletedHolderId), RollbackStatus::Applied);
        }
        // The audit says rolled_back for each undo, never a new `applied` change.
        int rolledBack = 0;
        for (const AuditRecord &r : fx.audit()) {
            if (r.runId == QLatin1String("rollback-1")) {
                QVERIFY2(r.result != AuditResult::Applied ||
                             auditActionName(r.action).startsWith(QLatin1String("upn_")),
                         qPrintable(auditActionName(r.action) + u' ' + auditResultName(r.result)));
                rolledBack += r.result == AuditResult::RolledBack ? 1 : 0;
            }
        }
        QCOMPARE(rolledBack, int(plan.size()));

        // Someone (unsure the first worked) runs it again: nothing is read or sent.
        fx.writer.log.clear();
        RollbackJob *second = fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QVERIFY(second->isAlreadyDone());
        QVERIFY(fx.writer.log.isEmpty());
        QVERIFY(second->state().doneText().contains(u"already rolled back"));
        for (auto it = original.cbegin(); it != original.cend(); ++it)
            QCOMPARE(fx.writer.users.value(it.key()).immutableId, it->immutableId);
    }

    // A subdomain of a federated domain is federated too (the scan's rule): the rollback
    // switches its UPN to the initial domain and back around the ImmutableId write, as the
    // run did.
    void federatedSubdomainRolledBackWithTheUpnSwitch()
    {
        Fixture fx;
        const Finding row = makeRow(1, QStringLiteral("federated subdomain"));
        fx.add(row);
        QVERIFY(fx.runApply({row}));
        fx.writer.log.clear();
        int error = 0;
        fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QStringList upns;
        for (const CloudOperation &op : fx.writer.log)
            if (op.kind == CloudOperation::Kind::SetUpn)
                upns << op.value;
        QCOMPARE(upns, (QStringList{QStringLiteral("user1@") + kInitial, row.cloudUpn}));
        QCOMPARE(fx.writer.users.value(row.cloudId).immutableId, row.cloudImmutableId);
        QCOMPARE(fx.writer.users.value(row.cloudId).upn, row.cloudUpn);
    }

    void stoppedRollbackFinishesTheRest()
    {
        Fixture fx;
        const QList<Finding> plan{makeRow(1, QStringLiteral("stamp")),
                                  makeRow(2, QStringLiteral("clear")),
                                  makeRow(3, QStringLiteral("stamp"))};
        for (const Finding &f : plan)
            fx.add(f);
        const auto original = fx.writer.users;
        QVERIFY(fx.runApply(plan));
        // The undo of u2 is refused this time.
        fx.writer.failures.insert({int(CloudOperation::Kind::SetImmutableId), QStringLiteral("u2")},
                                  {503, QStringLiteral("serviceNotAvailable")});
        int error = 0;
        RollbackJob *first = fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QCOMPARE(first->report().count(ChangeStatus::Failed), 1);
        auto statuses = fx.statuses();
        QCOMPARE(statuses.value(QStringLiteral("u1")), RollbackStatus::RolledBack);
        QCOMPARE(statuses.value(QStringLiteral("u2")), RollbackStatus::RollbackFailed);
        QCOMPARE(statuses.value(QStringLiteral("u3")), RollbackStatus::RolledBack);

        // Run again once the tenant answers: only u2 is read and written.
        fx.writer.failures.clear();
        fx.writer.log.clear();
        RollbackJob *second = fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QVERIFY(!second->isAlreadyDone());
        QStringList touched;
        for (const CloudOperation &op : fx.writer.log)
            touched.append(op.userId);
        touched.removeDuplicates();
        QCOMPARE(touched, QStringList{QStringLiteral("u2")});
        QCOMPARE(fx.writer.users.value(QStringLiteral("u2")).immutableId,
                 original.value(QStringLiteral("u2")).immutableId);
        QCOMPARE(fx.statuses().value(QStringLiteral("u2")), RollbackStatus::RolledBack);

        fx.writer.log.clear();
        QVERIFY(fx.runRollback(&error)->isAlreadyDone());
        QVERIFY(fx.writer.log.isEmpty());
    }

    // After a crash, a `pending` (or a first-version `failed`) row is settled by reading
    // the user: the value Anchorfix wrote → undo it; the value before → nothing to send;
    // anything else → someone changed it, left alone.
    void pendingRowsAreSettledByReading_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("live");
        QTest::addColumn<QStringList>("writes");
        QTest::addColumn<int>("after");
        const int pending = int(RollbackStatus::Pending);
        const int failed = int(RollbackStatus::Failed);
        QTest::newRow("pending, write landed")
            << pending << kAnchorA << QStringList{"u1 " + kAnchorB}
            << int(RollbackStatus::RolledBack);
        QTest::newRow("pending, never sent")
            << pending << kAnchorB << QStringList{} << int(RollbackStatus::RolledBack);
        QTest::newRow("pending, changed since")
            << pending << kAnchorC << QStringList{} << int(RollbackStatus::RollbackFailed);
        QTest::newRow("failed, lost reply but landed")
            << failed << kAnchorA << QStringList{"u1 " + kAnchorB}
            << int(RollbackStatus::RolledBack);
        QTest::newRow("failed, did not land")
            << failed << kAnchorB << QStringList{} << int(RollbackStatus::RolledBack);
    }
    void pendingRowsAreSettledByReading()
    {
        QFETCH(int, status);
        QFETCH(QString, live);
        QFETCH(QStringList, writes);
        QFETCH(int, after);
        Fixture fx;
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(fx.apply.rollbackPath, &error));
        QVERIFY(journal.append({QStringLiteral("u1"), QStringLiteral("user1@contoso.com"), kAnchorB,
                                kAnchorA, QDateTime(), RollbackStatus(status)},
                               &error));
        journal.close();
        fx.writer.users.insert(QStringLiteral("u1"), {QStringLiteral("user1@contoso.com"), live});
        int code = 0;
        fx.runRollback(&code);
        QCOMPARE(code, int(Job::NoError));
        QStringList sent;
        for (const CloudOperation &op : fx.writer.writes())
            sent.append(op.userId + u' ' + op.value);
        QCOMPARE(sent, writes);
        QCOMPARE(int(fx.statuses().value(QStringLiteral("u1"))), after);
        // No redo: the old value stays, whatever the journal said.
        if (live != kAnchorC)
            QCOMPARE(fx.writer.users.value(QStringLiteral("u1")).immutableId, kAnchorB);
        fx.writer.log.clear();
        RollbackJob *again = fx.runRollback(&code);
        QCOMPARE(again->isAlreadyDone(), after == int(RollbackStatus::RolledBack));
        QVERIFY(fx.writer.writes().isEmpty());
    }

    void tornJournalStillRollsBack()
    {
        Fixture fx;
        const QList<Finding> plan{makeRow(1, QStringLiteral("stamp")),
                                  makeRow(2, QStringLiteral("stamp"))};
        for (const Finding &f : plan)
            fx.add(f);
        QVERIFY(fx.runApply(plan));
        // A full disk during an earlier rollback left half a row.
        {
            QFile f(fx.apply.rollbackPath);
            QVERIFY(f.open(QIODevice::Append));
            f.write("u1,user1@contoso.com,,h9RUd8MfBkKelc4BLxWG5Q==,2026-11-2");
        }
        int error = 0;
        RollbackJob *job = fx.runRollback(&error);
        QCOMPARE(error, int(Job::NoError));
        QVERIFY(job->warning().contains(u"incomplete"));
        QCOMPARE(fx.writer.users.value(QStringLiteral("u1")).immutableId, QString());
        QCOMPARE(fx.writer.users.value(QStringLiteral("u2")).immutableId, QString());
        QVERIFY(fx.runRollback(&error)->isAlreadyDone());
    }
};

QTEST_GUILESS_MAIN(tst_RollbackJob)
#include "tst_rollbackjob.moc"
