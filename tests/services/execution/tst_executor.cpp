#include "auditlog.h"
#include "executor.h"
#include "fakecloudwriter.h"
#include "rollbackjob.h"
#include "rollbackjournal.h"
#include "runfiles.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(Finding)

namespace {

const QString kAnchorA = QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q==");
const QString kAnchorB =
    QStringLiteral("+AAAAAAAAAAAAAAAAAAAAA=="); // starts with a formula trigger
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
    } else if (kind == u"federated") {
        f.category = Category::FederatedDomain;
        f.cloudUpn = QStringLiteral("user%1@fed.example").arg(rowId);
        f.cloudImmutableId = kAnchorB;
        f.action = Action::Stamp;
        f.requiresApproval = true;
        f.approved = true;
    }
    f.allowedActions = allowedActionsFor(f.category);
    return f;
}

void addToTenant(FakeCloudWriter &w, const Finding &f)
{
    w.users.insert(f.cloudId, {f.cloudUpn, f.cloudImmutableId, false});
    if (!f.deletedHolderId.isEmpty())
        w.deleted.insert(f.deletedHolderId);
}

QString describe(const CloudOperation &op)
{
    static const char *names[] = {"read", "anchor", "upn", "purge"};
    return QStringLiteral("%1 %2 %3")
        .arg(QLatin1String(names[int(op.kind)]), op.userId,
             op.value.isEmpty() && op.kind == CloudOperation::Kind::SetImmutableId
                 ? QStringLiteral("null")
                 : op.value)
        .trimmed();
}

QStringList describeWrites(const FakeCloudWriter &w)
{
    QStringList list;
    for (const CloudOperation &op : w.writes())
        list.append(describe(op));
    return list;
}

struct Run
{
    QTemporaryDir dir;
    ExecutorSettings settings;
    Run()
    {
        settings.identity = {QStringLiteral("run-1"), QStringLiteral("app:test"),
                             QStringLiteral("tenant-1"), QStringLiteral("http://127.0.0.1:1")};
        settings.rollbackPath = dir.filePath(QStringLiteral("rollback.csv"));
        settings.auditPath = dir.filePath(QStringLiteral("audit.csv"));
        settings.initialDomain = kInitial;
    }
    // Runs to the end; returns the error code.
    int exec(QList<Finding> rows, FakeCloudWriter &writer, ExecutionReport *report = nullptr,
             const std::function<void(Executor *)> &setup = {})
    {
        auto *executor = new Executor(std::move(rows), settings, &writer);
        if (setup)
            setup(executor);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        if (!finished.wait(10000))
            return -1;
        if (report)
            *report = executor->report();
        return executor->error();
    }
    QList<AuditRecord> audit() const
    {
        QList<AuditRecord> records;
        QString error;
        if (!AuditLog::read(settings.auditPath, &records, &error))
            qWarning() << error;
        return records;
    }
    QList<RollbackEntry> journalRows() const
    {
        QList<RollbackEntry> rows;
        QString error;
        if (!RollbackJournal::readRows(settings.rollbackPath, &rows, &error))
            qWarning() << error;
        return rows;
    }
};

QStringList resultsOf(const QList<AuditRecord> &records)
{
    QStringList list;
    for (const AuditRecord &r : records)
        list.append(auditActionName(r.action) + u':' + auditResultName(r.result));
    return list;
}

} // namespace

Q_DECLARE_METATYPE(ChangeStatus)
Q_DECLARE_METATYPE(RollbackStatus)

class tst_Executor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Issue 14: every row's category and allowed actions are re-derived from the fresh
    // read before it runs; a row the tenant no longer agrees with is stale, never sent.
    void rowsTheTenantNoLongerAgreesWithAreStale_data()
    {
        QTest::addColumn<Finding>("row");
        QTest::addColumn<QStringList>("federatedDomains");
        QTest::addColumn<QString>("stale"); // empty = applied

        const QStringList fed{QStringLiteral("fed.example")};
        Finding mismatchInFed = makeRow(1, QStringLiteral("clear"));
        mismatchInFed.cloudUpn = QStringLiteral("user1@fed.example");
        QTest::newRow("anchor_mismatch whose domain is federated")
            << mismatchInFed << fed << "now federated_domain, the plan says anchor_mismatch";
        QTest::newRow("anchor_mismatch in a managed domain")
            << mismatchInFed << QStringList() << QString();
        QTest::newRow("federated_domain, domain now managed")
            << makeRow(1, QStringLiteral("federated")) << QStringList()
            << "now anchor_mismatch, the plan says federated_domain";
        QTest::newRow("federated_domain still federated")
            << makeRow(1, QStringLiteral("federated")) << fed << QString();
        Finding orphan;
        orphan.rowId = 1;
        orphan.category = Category::OrphanedAnchor;
        orphan.cloudId = QStringLiteral("u1");
        orphan.cloudUpn = QStringLiteral("olga@fed.example");
        orphan.cloudImmutableId = kAnchorB;
        orphan.allowedActions = allowedActionsFor(orphan.category); // a file that widened them
        orphan.action = Action::Clear;
        orphan.requiresApproval = true;
        orphan.approved = true;
        QTest::newRow("orphaned anchor, clear in a federated domain")
            << orphan << fed << "clear is no longer allowed";
        QTest::newRow("orphaned anchor, clear in a managed domain")
            << orphan << QStringList() << QString();
    }
    void rowsTheTenantNoLongerAgreesWithAreStale()
    {
        QFETCH(Finding, row);
        QFETCH(QStringList, federatedDomains);
        QFETCH(QString, stale);
        FakeCloudWriter writer;
        addToTenant(writer, row);
        Run run;
        run.settings.federatedDomains = federatedDomains;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(report.outcomes.size(), 1);
        const ChangeOutcome &o = report.outcomes.first();
        if (stale.isEmpty()) {
            QCOMPARE(o.status, ChangeStatus::Applied);
            QVERIFY(!writer.writes().isEmpty());
        } else {
            QCOMPARE(o.status, ChangeStatus::Stale);
            QVERIFY2(o.errorString.contains(stale), qPrintable(o.errorString));
            QVERIFY(writer.writes().isEmpty());
        }
    }

    // A plan scanned in another tenant is refused before anything is read or written.
    void planFromAnotherTenantIsRefused()
    {
        FakeCloudWriter writer;
        const Finding row = makeRow(1, QStringLiteral("stamp"));
        addToTenant(writer, row);
        Run run;
        run.settings.planTenantId = QStringLiteral("tenant-A");
        run.settings.identity.tenantId = QStringLiteral("tenant-B");
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Executor::InvalidPlan));
        QVERIFY(writer.writes().isEmpty());
        QVERIFY(!QFile::exists(run.settings.rollbackPath));
        QVERIFY(!QFile::exists(run.settings.auditPath));
        run.settings.planTenantId = QStringLiteral("TENANT-b"); // ids compare without case
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(report.count(ChangeStatus::Applied), 1);
    }

    void stepsInOrder_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("writes");
        QTest::addColumn<QStringList>("audit");
        QTest::addColumn<int>("journalRows");

        QTest::newRow("stamp") << "stamp" << QStringList{"anchor u1 " + kAnchorA}
                               << QStringList{"run:started", "stamp:applied", "stamp:verified",
                                              "run:finished"}
                               << 1;
        QTest::newRow("clear") << "clear" << QStringList{"anchor u1 null"}
                               << QStringList{"run:started", "clear:applied", "clear:verified",
                                              "run:finished"}
                               << 1;
        QTest::newRow("purge then stamp")
            << "purge" << QStringList{"purge d1", "anchor u1 " + kAnchorA}
            << QStringList{"run:started", "purge_deleted:applied", "stamp:applied",
                           "stamp:verified", "run:finished"}
            << 2;
        QTest::newRow("federated switch, stamp, switch back")
            << "federated"
            << QStringList{"upn u1 user1@" + kInitial, "anchor u1 " + kAnchorA,
                           "upn u1 user1@fed.example"}
            << QStringList{"run:started",         "upn_switch:applied", "stamp:applied",
                           "upn_restore:applied", "stamp:verified",     "run:finished"}
            << 1;
    }
    void stepsInOrder()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, writes);
        QFETCH(QStringList, audit);
        QFETCH(int, journalRows);

        const Finding row = makeRow(1, kind);
        FakeCloudWriter writer;
        addToTenant(writer, row);
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(describeWrites(writer), writes);
        QCOMPARE(resultsOf(run.audit()), audit);
        QCOMPARE(report.outcomes.size(), 1);
        QCOMPARE(report.outcomes.first().status, ChangeStatus::Applied);
        QVERIFY(report.outcomes.first().verified);
        QCOMPARE(writer.users.value(QStringLiteral("u1")).immutableId,
                 kind == u"clear" ? QString() : kAnchorA);
        QCOMPARE(writer.users.value(QStringLiteral("u1")).upn, row.cloudUpn);
        // Compacted: one row per change, nothing pending.
        const QList<RollbackEntry> rows = run.journalRows();
        QCOMPARE(rows.size(), journalRows);
        for (const RollbackEntry &e : rows)
            QCOMPARE(e.status, RollbackStatus::Applied);
        QCOMPARE(rows.last().cloudId, QStringLiteral("u1"));
        QCOMPARE(rows.last().oldImmutableId, row.cloudImmutableId);
        QCOMPARE(rows.last().newImmutableId, kind == u"clear" ? QString() : kAnchorA);
        QVERIFY(QFile::exists(RunFiles::rollbackScriptFor(run.settings.rollbackPath)));
    }

    void failedStampPutsTheUpnBack()
    {
        const Finding row = makeRow(1, QStringLiteral("federated"));
        FakeCloudWriter writer;
        addToTenant(writer, row);
        writer.failures.insert({int(CloudOperation::Kind::SetImmutableId), row.cloudId}, {});
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(describeWrites(writer),
                 (QStringList{"upn u1 user1@" + kInitial, "anchor u1 " + kAnchorA,
                              "upn u1 user1@fed.example"}));
        QCOMPARE(writer.users.value(row.cloudId).upn, row.cloudUpn);
        QCOMPARE(writer.users.value(row.cloudId).immutableId, kAnchorB);
        QCOMPARE(report.outcomes.first().status, ChangeStatus::Failed);
        QCOMPARE(report.outcomes.first().httpStatus, 400);
        QCOMPARE(resultsOf(run.audit()),
                 (QStringList{"run:started", "upn_switch:applied", "stamp:failed",
                              "upn_restore:applied", "stamp:mismatch", "run:finished"}));
        QCOMPARE(run.journalRows().last().status, RollbackStatus::Failed);
    }

    void unknownOutcomeIsNeitherAppliedNorFailed_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("lostKind"); // the operation whose answer is lost
        QTest::addColumn<QStringList>("audit");
        QTest::addColumn<ChangeStatus>("status");
        QTest::addColumn<RollbackStatus>("journal");
        QTest::newRow("stamp") << "stamp" << int(CloudOperation::Kind::SetImmutableId)
                               << QStringList{"run:started", "stamp:unknown", "run:finished"}
                               << ChangeStatus::Unknown << RollbackStatus::Pending;
        QTest::newRow("purge") << "purge" << int(CloudOperation::Kind::PurgeDeleted)
                               << QStringList{"run:started", "purge_deleted:unknown",
                                              "stamp:unknown", "run:finished"}
                               << ChangeStatus::Unknown << RollbackStatus::Pending;
        // The switch and its restore share the operation: both lost and unreadable.
        QTest::newRow("federated switch and restore")
            << "federated" << int(CloudOperation::Kind::SetUpn)
            << QStringList{"run:started", "upn_switch:unknown", "stamp:unknown",
                           "upn_restore:unknown", "run:finished"}
            << ChangeStatus::Unknown << RollbackStatus::Pending;
    }
    void unknownOutcomeIsNeitherAppliedNorFailed()
    {
        QFETCH(QString, kind);
        QFETCH(int, lostKind);
        QFETCH(QStringList, audit);
        QFETCH(ChangeStatus, status);
        QFETCH(RollbackStatus, journal);
        const Finding row = makeRow(1, kind);
        FakeCloudWriter writer;
        addToTenant(writer, row);
        FakeCloudWriter::Failure lost;
        lost.landsUnknown = true;
        writer.failures.insert({lostKind, lostKind == int(CloudOperation::Kind::PurgeDeleted)
                                              ? row.deletedHolderId
                                              : row.cloudId},
                               lost);
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(report.outcomes.first().status, status);
        QCOMPARE(resultsOf(run.audit()), audit);
        for (const AuditRecord &a : run.audit())
            if (a.result == AuditResult::Unknown)
                QVERIFY2(a.message.contains(u"outcome unknown"), qPrintable(a.message));
        // The last journal row of the user: still pending for rollback to read back.
        const QList<RollbackEntry> rows = RollbackJournal::fold(run.journalRows());
        const auto it = std::find_if(rows.cbegin(), rows.cend(), [&](const RollbackEntry &e) {
            return e.cloudId == row.cloudId;
        });
        QVERIFY(it != rows.cend());
        QCOMPARE(it->status, journal);
        QVERIFY(run.audit().last().message.contains(u"1 outcome unknown"));
    }

    void failedSwitchSendsNoStamp()
    {
        const Finding row = makeRow(1, QStringLiteral("federated"));
        FakeCloudWriter writer;
        addToTenant(writer, row);
        writer.failures.insert({int(CloudOperation::Kind::SetUpn), row.cloudId}, {});
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(describeWrites(writer), QStringList{"upn u1 user1@" + kInitial});
        QCOMPARE(report.outcomes.first().status, ChangeStatus::Failed);
        QVERIFY(report.outcomes.first().errorString.contains(kInitial));
    }

    void failedPurgeSendsNoStamp()
    {
        const Finding row = makeRow(1, QStringLiteral("purge"));
        FakeCloudWriter writer;
        addToTenant(writer, row);
        writer.failures.insert({int(CloudOperation::Kind::PurgeDeleted), row.deletedHolderId},
                               {403, QStringLiteral("Authorization_RequestDenied")});
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(describeWrites(writer), QStringList{"purge d1"});
        QCOMPARE(report.outcomes.first().status, ChangeStatus::Failed);
        QCOMPARE(writer.users.value(row.cloudId).immutableId, QString());
    }

    void staleRowIsSkipped_data()
    {
        QTest::addColumn<QString>("change");
        QTest::newRow("anchor changed since the scan") << "anchor";
        QTest::newRow("upn changed since the scan") << "upn";
        QTest::newRow("now synced") << "synced";
        QTest::newRow("user deleted") << "gone";
    }
    void staleRowIsSkipped()
    {
        QFETCH(QString, change);
        const Finding stale = makeRow(1, QStringLiteral("stamp"));
        const Finding fresh = makeRow(2, QStringLiteral("stamp"));
        FakeCloudWriter writer;
        addToTenant(writer, stale);
        addToTenant(writer, fresh);
        if (change == u"anchor")
            writer.users[stale.cloudId].immutableId = kAnchorB;
        else if (change == u"upn")
            writer.users[stale.cloudId].upn = QStringLiteral("renamed@contoso.com");
        else if (change == u"synced")
            writer.users[stale.cloudId].syncEnabled = true;
        else
            writer.users.remove(stale.cloudId);
        const FakeCloudWriter::User before = writer.users.value(stale.cloudId);
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({stale, fresh}, writer, &report), int(Job::NoError));
        QCOMPARE(describeWrites(writer), QStringList{"anchor u2 " + kAnchorA});
        QCOMPARE(writer.users.value(stale.cloudId).immutableId, before.immutableId);
        QCOMPARE(report.count(ChangeStatus::Stale), 1);
        QCOMPARE(report.count(ChangeStatus::Applied), 1);
        const QList<AuditRecord> audit = run.audit();
        QCOMPARE(audit.at(1).result, AuditResult::Stale);
        QCOMPARE(audit.at(1).cloudId, stale.cloudId);
        for (const RollbackEntry &e : run.journalRows())
            QVERIFY(e.cloudId != stale.cloudId);
    }

    void readBackWaitsOutReplication_data()
    {
        QTest::addColumn<int>("staleReads");
        QTest::addColumn<bool>("verified");
        QTest::addColumn<int>("reads"); // of user 1, the stale check included
        QTest::newRow("consistent at once") << 0 << true << 2;
        QTest::newRow("one stale read") << 1 << true << 3;
        QTest::newRow("two stale reads") << 2 << true << 4;
        QTest::newRow("still old after three reads") << 3 << false << 4;
    }
    void readBackWaitsOutReplication()
    {
        QFETCH(int, staleReads);
        QFETCH(bool, verified);
        QFETCH(int, reads);
        const Finding row = makeRow(1, QStringLiteral("stamp"));
        FakeCloudWriter writer;
        addToTenant(writer, row);
        writer.staleReadsAfterWrite.insert(row.cloudId, staleReads);
        Run run;
        ExecutionReport report;
        QCOMPARE(run.exec({row}, writer, &report), int(Job::NoError));
        QCOMPARE(report.outcomes.first().status, ChangeStatus::Applied);
        QCOMPARE(report.outcomes.first().verified, verified);
        int n = 0;
        for (const CloudOperation &op : writer.log)
            n += op.kind == CloudOperation::Kind::ReadUser;
        QCOMPARE(n, reads);
        QCOMPARE(run.audit().at(2).result,
                 verified ? AuditResult::Verified : AuditResult::Mismatch);
    }

    void onlyApprovedRowsRun()
    {
        Finding approved = makeRow(1, QStringLiteral("clear"));
        Finding unapproved = makeRow(2, QStringLiteral("clear"));
        unapproved.approved = false;
        Finding none = makeRow(3, QStringLiteral("stamp"));
        none.action = Action::None;
        FakeCloudWriter writer;
        for (const Finding &f : {approved, unapproved, none})
            addToTenant(writer, f);
        Run run;
        QCOMPARE(run.exec({approved, unapproved, none}, writer), int(Job::NoError));
        QCOMPARE(describeWrites(writer), QStringList{"anchor u1 null"});
    }

    // adopt_cloud_anchor writes to AD: without an LDAP write bind, a plan that approves it is
    // refused as a whole before anything is sent, rather than half-run.
    void adoptCloudAnchorWithoutWriteBindIsRefusedBeforeAnythingIsSent()
    {
        Finding stamp = makeRow(1, QStringLiteral("stamp"));
        Finding adopt = makeRow(2, QStringLiteral("clear"));
        adopt.onPremDn = QStringLiteral("CN=user2,OU=Staff,DC=corp,DC=example");
        adopt.allowedActions.append(Action::AdoptCloudAnchor);
        adopt.action = Action::AdoptCloudAnchor;
        QVERIFY(adopt.canAdoptCloudAnchor() && adopt.isExecutable());
        FakeCloudWriter writer;
        addToTenant(writer, stamp);
        addToTenant(writer, adopt);
        Run run;
        QCOMPARE(run.exec({stamp, adopt}, writer), int(Executor::InvalidPlan));
        QVERIFY(writer.log.isEmpty());
        QVERIFY(!QFile::exists(run.settings.rollbackPath));
    }

    void maxChangesRefusesToStart_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("maxChanges");
        QTest::addColumn<int>("error");
        QTest::newRow("over the limit") << 3 << 2 << int(Executor::TooManyChanges);
        QTest::newRow("at the limit") << 2 << 2 << int(Job::NoError);
    }
    void maxChangesRefusesToStart()
    {
        QFETCH(int, rows);
        QFETCH(int, maxChanges);
        QFETCH(int, error);
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= rows; ++i) {
            plan.append(makeRow(i, QStringLiteral("stamp")));
            addToTenant(writer, plan.last());
        }
        Run run;
        run.settings.maxChanges = maxChanges;
        QCOMPARE(run.exec(plan, writer), error);
        if (error == int(Executor::TooManyChanges)) {
            QVERIFY(writer.log.isEmpty());
            QVERIFY(!QFile::exists(run.settings.rollbackPath));
            QVERIFY(!QFile::exists(run.settings.auditPath));
        } else {
            QCOMPARE(writer.writes().size(), rows);
        }
    }

    void existingRollbackFileIsNotOverwritten()
    {
        const Finding row = makeRow(1, QStringLiteral("stamp"));
        FakeCloudWriter writer;
        addToTenant(writer, row);
        Run run;
        QFile f(run.settings.rollbackPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("cloud_id,cloud_upn,old_immutable_id,new_immutable_id,applied_at_utc,status\r\n");
        f.close();
        QCOMPARE(run.exec({row}, writer), int(Executor::FileError));
        QVERIFY(writer.writes().isEmpty());
    }

    void writesAreBatched()
    {
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= 45; ++i) {
            plan.append(makeRow(i, QStringLiteral("stamp")));
            addToTenant(writer, plan.last());
        }
        Run run;
        QCOMPARE(run.exec(plan, writer), int(Job::NoError));
        QCOMPARE(writer.writes().size(), 45);
        // 3 batches × (read, write, verify), never more than 20 operations in one call
        QCOMPARE(writer.batchCalls, 9);
        QVERIFY(writer.maxCallSize <= 20);
    }

    void cancelFinishesTheBatchInFlight()
    {
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= 50; ++i) {
            plan.append(makeRow(i, QStringLiteral("federated")));
            addToTenant(writer, plan.last());
        }
        Run run;
        run.settings.concurrentBatches = 2;
        ExecutionReport report;
        QPointer<Executor> job;
        // Cancel as soon as the first UPN switches are on the wire: that batch runs to its
        // end (switch, stamp, switch back); the batch beside it has only read its users
        // and skips; the third never starts.
        writer.afterEachCall = [&] {
            if (!writer.writes().isEmpty() && job && !job->isCancelRequested())
                job->cancel();
        };
        QCOMPARE(run.exec(plan, writer, &report, [&](Executor *e) { job = e; }),
                 int(Job::Cancelled));
        QCOMPARE(report.count(ChangeStatus::Applied), 20);
        QCOMPARE(report.count(ChangeStatus::Skipped), 20);
        QCOMPARE(report.outcomes.size(), 40);
        QCOMPARE(writer.writes().size(), 60); // 20 × (switch, stamp, switch back)
        for (auto it = writer.users.cbegin(); it != writer.users.cend(); ++it)
            QVERIFY2(it->upn.endsWith(u"@fed.example"), qPrintable(it->upn));
        for (const RollbackEntry &e : run.journalRows())
            QCOMPARE(e.status, RollbackStatus::Applied);
        QCOMPARE(run.audit().last().result, AuditResult::Finished);
    }

    void cancelSkipsWhatHasNotStarted()
    {
        // One batch: two stamps and a purge-then-stamp. Cancel while the purge is on the
        // wire: the purge's own stamp still follows (the change was under way), the plain
        // stamps, which had sent nothing, are skipped, and their journal rows are closed.
        const QList<Finding> plan{makeRow(1, QStringLiteral("stamp")),
                                  makeRow(2, QStringLiteral("stamp")),
                                  makeRow(3, QStringLiteral("purge"))};
        FakeCloudWriter writer;
        for (const Finding &f : plan)
            addToTenant(writer, f);
        Run run;
        QPointer<Executor> job;
        writer.afterEachCall = [&] {
            if (!writer.writes().isEmpty() && job && !job->isCancelRequested())
                job->cancel();
        };
        ExecutionReport report;
        QCOMPARE(run.exec(plan, writer, &report, [&](Executor *e) { job = e; }),
                 int(Job::Cancelled));
        QCOMPARE(describeWrites(writer), (QStringList{"purge d3", "anchor u3 " + kAnchorA}));
        QCOMPARE(report.count(ChangeStatus::Applied), 1);
        QCOMPARE(report.count(ChangeStatus::Skipped), 2);
        const QList<RollbackEntry> rows = run.journalRows();
        QCOMPARE(rows.size(), 4); // u1, u2 (failed: never sent), d3 and u3 (applied)
        for (const RollbackEntry &e : rows)
            QVERIFY(e.status != RollbackStatus::Pending);
    }

    void clearsDoNotOverlapStamps()
    {
        // A clear frees an anchor; a later stamp may need it. They never share the wire.
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= 25; ++i) {
            plan.append(makeRow(i, i <= 21 ? QStringLiteral("clear") : QStringLiteral("stamp")));
            addToTenant(writer, plan.last());
        }
        Run run;
        run.settings.concurrentBatches = 2;
        QCOMPARE(run.exec(plan, writer), int(Job::NoError));
        // Every clear is written before the first stamp.
        const QStringList writes = describeWrites(writer);
        const qsizetype firstStamp = writes.indexOf("anchor u22 " + kAnchorA);
        QVERIFY(firstStamp >= 0);
        for (qsizetype i = 0; i < writes.size(); ++i)
            QCOMPARE(writes.at(i).endsWith(u"null"), i < firstStamp);
    }

    void pauseHoldsBetweenBatches()
    {
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= 45; ++i) {
            plan.append(makeRow(i, QStringLiteral("stamp")));
            addToTenant(writer, plan.last());
        }
        Run run;
        run.settings.concurrentBatches = 2;
        auto *executor = new Executor(plan, run.settings, &writer);
        QSignalSpy finished(executor, &Job::finished);
        QSignalSpy paused(executor, &Executor::pausedChanged);
        // Pause once the first two batches (run side by side) have read their users.
        writer.afterEachCall = [&] {
            if (paused.isEmpty())
                executor->pause();
        };
        executor->start();
        QTRY_COMPARE(executor->progress().done, 40); // the batches in flight run to their end
        QTest::qWait(50);
        QCOMPARE(writer.batchCalls, 6);
        QCOMPARE(finished.count(), 0);
        QVERIFY(executor->isPaused());
        writer.afterEachCall = {};
        executor->resume();
        QVERIFY(finished.wait());
        QCOMPARE(writer.writes().size(), 45);
        QCOMPARE(paused.count(), 2);
    }

    void progressReportsDoneTotalAndUser()
    {
        QList<Finding> plan;
        FakeCloudWriter writer;
        for (int i = 1; i <= 21; ++i) {
            plan.append(makeRow(i, QStringLiteral("stamp")));
            addToTenant(writer, plan.last());
        }
        Run run;
        auto *executor = new Executor(plan, run.settings, &writer);
        QSignalSpy progress(executor, &Job::progressChanged);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait());
        QVERIFY(progress.count() >= 2);
        const auto first = progress.first().first().value<JobProgress>();
        QCOMPARE(first.total, 21);
        QCOMPARE(first.done, 0);
        QCOMPARE(first.currentUser, QStringLiteral("user1@contoso.com"));
        const auto last = progress.last().first().value<JobProgress>();
        QCOMPARE(last.done, 21);
        QCOMPARE(last.secondsLeft, 0);
    }

    void rollbackRestoresAndSkipsChangedRows()
    {
        const QList<Finding> plan{
            makeRow(1, QStringLiteral("stamp")), makeRow(2, QStringLiteral("clear")),
            makeRow(3, QStringLiteral("purge")), makeRow(4, QStringLiteral("federated")),
            makeRow(5, QStringLiteral("stamp"))};
        FakeCloudWriter writer;
        for (const Finding &f : plan)
            addToTenant(writer, f);
        const auto original = writer.users;
        Run run;
        QCOMPARE(run.exec(plan, writer), int(Job::NoError));
        // Someone changes user 5 after the run: rollback must leave it alone.
        writer.users[QStringLiteral("u5")].immutableId = kAnchorB;
        writer.log.clear();

        RollbackSettings s;
        s.identity = run.settings.identity;
        s.identity.runId = QStringLiteral("run-2");
        s.rollbackPath = run.settings.rollbackPath;
        s.auditPath = run.settings.auditPath;
        s.initialDomain = kInitial;
        s.federatedDomains = {QStringLiteral("fed.example")};
        auto *job = new RollbackJob(s, &writer);
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(finished.wait());
        QCOMPARE(job->error(), int(Job::NoError));
        for (const char *id : {"u1", "u2", "u3", "u4"}) {
            QCOMPARE(writer.users.value(id).immutableId, original.value(id).immutableId);
            QCOMPARE(writer.users.value(id).upn, original.value(id).upn);
        }
        QCOMPARE(writer.users.value(QStringLiteral("u5")).immutableId, kAnchorB);
        const ExecutionReport report = job->report();
        QCOMPARE(report.count(ChangeStatus::Applied), 4);
        QCOMPARE(report.count(ChangeStatus::Skipped), 2); // the purge and user 5
        // The federated undo goes through the temporary UPN as well.
        QVERIFY(describeWrites(writer).contains("upn u4 user4@" + kInitial));
    }

    void rollbackCancelledEarlyChangesNothing()
    {
        const QList<Finding> plan{makeRow(1, QStringLiteral("stamp")),
                                  makeRow(2, QStringLiteral("clear"))};
        FakeCloudWriter writer;
        for (const Finding &f : plan)
            addToTenant(writer, f);
        Run run;
        QCOMPARE(run.exec(plan, writer), int(Job::NoError));
        writer.log.clear();
        RollbackSettings s;
        s.identity = run.settings.identity;
        s.rollbackPath = run.settings.rollbackPath;
        s.auditPath = run.settings.auditPath;
        QPointer<RollbackJob> job = new RollbackJob(s, &writer);
        writer.afterEachCall = [&] { // once the users have been read
            if (job)
                job->cancel();
        };
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(finished.wait());
        QCOMPARE(job->error(), int(Job::Cancelled));
        QVERIFY(writer.writes().isEmpty());
        QCOMPARE(run.audit().last().result, AuditResult::Finished);
    }

    void rollbackAfterCrashMidSwitch()
    {
        // The journal a crash between "UPN → initial domain" and the stamp leaves.
        Run run;
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(run.settings.rollbackPath, &error));
        QVERIFY(journal.append({QStringLiteral("u1"), QStringLiteral("user1@fed.example"), kAnchorB,
                                kAnchorA, QDateTime(), RollbackStatus::Pending},
                               &error));
        journal.close();
        FakeCloudWriter writer;
        writer.users.insert(QStringLiteral("u1"), {"user1@" + kInitial, kAnchorB, false});
        RollbackSettings s;
        s.identity = run.settings.identity;
        s.rollbackPath = run.settings.rollbackPath;
        s.auditPath = run.settings.auditPath;
        s.initialDomain = kInitial;
        auto *job = new RollbackJob(s, &writer);
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(finished.wait());
        QCOMPARE(job->error(), int(Job::NoError));
        QCOMPARE(describeWrites(writer), QStringList{"upn u1 user1@fed.example"});
        QCOMPARE(writer.users.value(QStringLiteral("u1")).immutableId, kAnchorB);
    }
};

QTEST_GUILESS_MAIN(tst_Executor)
#include "tst_executor.moc"
