#include "auditlog.h"
#include "executor.h"
#include "graphclient.h"
#include "graphcloudwriter.h"
#include "practicescenario.h"
#include "practicetenant.h"
#include "rollbackjob.h"
#include "rollbackjournal.h"
#include "rollbackscript.h"
#include "runfiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Every Retry-After the client received, on the tenant's clock: nothing may arrive
// at the tenant before it has elapsed.
struct RetryAfterWatch
{
    struct Hold
    {
        double fromMs, untilMs;
    };
    QList<Hold> holds;

    void attach(QNetworkAccessManager *network, PracticeTenant *tenant)
    {
        QObject::connect(
            network, &QNetworkAccessManager::finished, network,
            [this, tenant](QNetworkReply *reply) {
                const double now = tenant->nowMs();
                double seconds = -1;
                if (reply->hasRawHeader("Retry-After"))
                    seconds = reply->rawHeader("Retry-After").toDouble();
                const QJsonArray inner =
                    QJsonDocument::fromJson(reply->isOpen() ? reply->peek(1 << 24) : QByteArray())
                        .object()
                        .value("responses")
                        .toArray();
                for (const QJsonValue &v : inner) {
                    const QJsonObject h = v.toObject().value("headers").toObject();
                    if (h.contains("Retry-After"))
                        seconds = qMax(seconds, h.value("Retry-After").toString().toDouble());
                }
                if (seconds >= 0)
                    holds.append({now, now + seconds * 1000.0});
            });
    }
    // Requests that reached the tenant while a Retry-After was running.
    int violations(const QList<PracticeRequestRecord> &log) const
    {
        int n = 0;
        for (const PracticeRequestRecord &r : log)
            for (const Hold &h : holds)
                n += (r.atMs > h.fromMs && r.atMs < h.untilMs) ? 1 : 0;
        return n;
    }
};

struct Practice
{
    PracticeTenant tenant;
    GraphClient *client = nullptr;
    GraphCloudWriter *writer = nullptr;
    QTemporaryDir dir;

    explicit Practice(const PracticeScenario &s)
    {
        const QString error = tenant.loadJson(s.tenant);
        if (!error.isEmpty())
            qFatal("%s", qPrintable(error));
        tenant.listen();
        GraphConfig config;
        config.graphUrl = QUrl(tenant.baseUrl());
        config.authorityUrl = QUrl(tenant.baseUrl());
        config.tenant = tenant.tenantId();
        config.clientId = PracticeScenario::clientId;
        client = new GraphClient(config, &tenant);
        GraphRetryPolicy policy;
        policy.baseDelayMs = 20;
        policy.requestTimeoutMs = 5000;
        client->setRetryPolicy(policy);
        // Delegated: purging a recycle-bin user has no application permission.
        client->setAccessToken(tenant.issueAccessToken({}, PracticeScenario::operatorUpn));
        writer = new GraphCloudWriter(client, &tenant);
    }
    ExecutorSettings settings() const
    {
        ExecutorSettings s;
        s.identity = {QStringLiteral("run-apply"), PracticeScenario::operatorUpn, tenant.tenantId(),
                      tenant.baseUrl()};
        s.rollbackPath = dir.filePath(QStringLiteral("rollback.csv"));
        s.auditPath = dir.filePath(QStringLiteral("audit.csv"));
        s.initialDomain = PracticeScenario::initialDomain;
        return s;
    }
    QPair<QString, QString> state(const QString &id)
    {
        const int i = tenant.directory().indexOfUser(id);
        if (i < 0)
            return {};
        const QJsonObject &u = tenant.directory().users.at(i);
        return {u.value("userPrincipalName").toString(),
                u.value("onPremisesImmutableId").toString()};
    }
};

QString bodyValue(const PracticeWrite &w, const char *key)
{
    return w.body.value(QLatin1String(key)).toString();
}

} // namespace

class tst_ExecutionPractice : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void applyEveryActionUnderFaultsThenRollBack_data()
    {
        QTest::addColumn<int>("quota");
        QTest::addColumn<int>("windowMs");
        QTest::addColumn<bool>("pace");
        QTest::newRow("server throttles, client does not pace") << 12 << 300 << false;
        QTest::newRow("client paces to the quota") << 12 << 300 << true;
    }
    void applyEveryActionUnderFaultsThenRollBack()
    {
        QFETCH(int, quota);
        QFETCH(int, windowMs);
        QFETCH(bool, pace);
        const PracticeScenario scenario = PracticeScenario::build(24, 6, 3, 5);
        Practice p(scenario);
        RetryAfterWatch watch;
        watch.attach(p.client->network(), &p.tenant);
        if (pace)
            p.writer->setWriteQuota(quota, windowMs);
        PracticeFaultSettings faults;
        faults.writeQuota = quota;
        faults.writeWindowMs = windowMs;
        faults.serviceUnavailableOn = {6};
        faults.serviceUnavailableRetryAfter = 0.05;
        faults.dropOn = {9};
        p.tenant.setFaults(faults);

        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(60000));
        QCOMPARE(executor->error(), int(Job::NoError));
        const ExecutionReport report = executor->report();
        QCOMPARE(report.count(ChangeStatus::Applied), scenario.plan.size());
        QCOMPARE(report.mismatches(), 0);

        // Every planned change landed exactly once, and nothing else was written.
        const QList<PracticeWrite> writes = p.tenant.writeLog();
        QCOMPARE(writes.size(), scenario.expectedWrites());
        for (const Finding &f : scenario.plan) {
            int anchorWrites = 0, upnWrites = 0, purges = 0;
            for (const PracticeWrite &w : writes) {
                if (w.targetId == f.cloudId && w.body.contains("onPremisesImmutableId")) {
                    ++anchorWrites;
                    QCOMPARE(bodyValue(w, "onPremisesImmutableId"), f.expectedImmutableId());
                }
                upnWrites += w.targetId == f.cloudId && w.body.contains("userPrincipalName");
                purges += w.method == "DELETE" && w.targetId == f.deletedHolderId &&
                          !f.deletedHolderId.isEmpty();
            }
            QCOMPARE(anchorWrites, 1);
            QCOMPARE(upnWrites, f.category == Category::FederatedDomain ? 2 : 0);
            QCOMPARE(purges, f.action == Action::PurgeDeleted ? 1 : 0);
            QCOMPARE(p.state(f.cloudId),
                     qMakePair(f.cloudUpn, f.expectedImmutableId())); // UPN back where it was
        }

        // rollback.csv and audit.csv match the write log.
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY2(RollbackJournal::readRows(p.settings().rollbackPath, &journal, &error),
                 qPrintable(error));
        QList<AuditRecord> audit;
        QVERIFY2(AuditLog::read(p.settings().auditPath, &audit, &error), qPrintable(error));
        QSet<QString> auditRequestIds;
        for (const AuditRecord &a : audit)
            if (a.result == AuditResult::Applied)
                auditRequestIds.insert(a.requestId);
        QCOMPARE(auditRequestIds.size(), writes.size());
        for (const PracticeWrite &w : writes) {
            QVERIFY2(auditRequestIds.contains(w.requestId), qPrintable(w.requestId));
            const auto row =
                std::find_if(journal.cbegin(), journal.cend(),
                             [&](const RollbackEntry &e) { return e.cloudId == w.targetId; });
            QVERIFY2(row != journal.cend(), qPrintable(w.targetId));
            QCOMPARE(row->status, RollbackStatus::Applied);
            if (w.body.contains("onPremisesImmutableId"))
                QCOMPARE(row->newImmutableId, bodyValue(w, "onPremisesImmutableId"));
        }
        QCOMPARE(journal.size(), scenario.plan.size() + 3); // + the purged holders

        // The faults happened and were survived; Retry-After was honoured.
        int throttled = 0, unavailable = 0, dropped = 0;
        for (const PracticeRequestRecord &r : p.tenant.requestLog()) {
            unavailable += r.status == 503;
            dropped += r.status == 0;
        }
        for (const AuditRecord &a : audit)
            throttled += a.message.contains(u"retries");
        QCOMPARE(unavailable, 1);
        QCOMPARE(dropped, 1);
        if (!pace)
            QVERIFY(!watch.holds.isEmpty()); // the server did throttle
        QCOMPARE(watch.violations(p.tenant.requestLog()), 0);
        Q_UNUSED(throttled);

        // Rollback puts the tenant back (purges cannot be undone).
        p.tenant.setFaults({});
        RollbackSettings rs;
        rs.identity = p.settings().identity;
        rs.identity.runId = QStringLiteral("run-rollback");
        rs.rollbackPath = p.settings().rollbackPath;
        rs.auditPath = p.settings().auditPath;
        rs.initialDomain = PracticeScenario::initialDomain;
        rs.federatedDomains = {PracticeScenario::federatedDomain};
        auto *rollback = new RollbackJob(rs, p.writer);
        QSignalSpy rolledBack(rollback, &Job::finished);
        rollback->start();
        QVERIFY(rolledBack.wait(60000));
        QCOMPARE(rollback->error(), int(Job::NoError));
        for (auto it = scenario.original.cbegin(); it != scenario.original.cend(); ++it)
            QCOMPARE(p.state(it.key()), it.value());
        QCOMPARE(rollback->report().count(ChangeStatus::Skipped), 3);
    }

    void everyWriteKindSurvivesEveryFault_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fault");
        // kind → how its request looks on the wire. Purges go one by one (a single
        // DELETE); every other write goes in a $batch.
        for (const char *kind : {"stamp", "clear", "upn_switch", "upn_restore", "purge"})
            for (const char *fault : {"lost reply after the write", "503 with Retry-After",
                                      "429 with Retry-After", "reply slower than the timeout"})
                QTest::addRow("%s (%s) × %s", kind, qstrcmp(kind, "purge") ? "$batch" : "single",
                              fault)
                    << kind << fault;
    }
    void everyWriteKindSurvivesEveryFault()
    {
        QFETCH(QString, kind);
        QFETCH(QString, fault);
        const PracticeScenario scenario = PracticeScenario::build(2, 2, 2, 2);
        Practice p(scenario);
        RetryAfterWatch watch;
        watch.attach(p.client->network(), &p.tenant);

        // What the kind's write carries, on the wire and inside a $batch.
        const bool single = kind == u"purge";
        QString marker;
        if (kind == u"stamp")
            marker = QStringLiteral("\"onPremisesImmutableId\":\"") +
                     PracticeScenario::anchor(1).left(8);
        else if (kind == u"clear")
            marker = QStringLiteral("\"onPremisesImmutableId\":null");
        else if (kind == u"upn_switch")
            marker = QStringLiteral("@") + PracticeScenario::initialDomain + u'"';
        else if (kind == u"upn_restore")
            marker = QStringLiteral("@") + PracticeScenario::federatedDomain + u'"';
        using Effect = PracticeFaultRule::Effect;
        PracticeFaultRule rule;
        rule.method = single ? QByteArray("DELETE") : QByteArray("POST");
        rule.bodyContains = marker;
        if (fault.startsWith(u"lost")) {
            rule.effect = Effect::LostReply;
            rule.times = 3; // past QNetworkAccessManager's two silent re-sends
        } else if (fault.startsWith(u"reply slower")) {
            rule.effect = Effect::SlowReply;
            rule.delayMs = 1500; // the client waits 700 ms
        } else {
            rule.effect = fault.startsWith(u"503") ? Effect::ServiceUnavailable : Effect::Throttle;
            rule.retryAfter = QStringLiteral("0.4");
            rule.times = 2;
            if (!single) { // the inner response of that write in its $batch
                rule.inBatch = true;
                rule.method = "PATCH";
            }
        }
        GraphRetryPolicy policy = p.client->retryPolicy();
        policy.requestTimeoutMs = 700;
        p.client->setRetryPolicy(policy);
        PracticeFaultSettings faults;
        faults.rules = {rule};
        p.tenant.setFaults(faults);

        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QList<ChangeOutcome> settled;
        connect(executor, &Executor::outcomeSettled, this,
                [&settled](const ChangeOutcome &o) { settled.append(o); });
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(60000));
        QCOMPARE(executor->error(), int(Job::NoError));
        const ExecutionReport report = executor->report();
        QCOMPARE(settled, report.outcomes);
        for (const ChangeOutcome &o : report.outcomes)
            QVERIFY2(o.status == ChangeStatus::Applied && o.verified,
                     qPrintable(QStringLiteral("row %1: %2 %3")
                                    .arg(o.rowId)
                                    .arg(changeStatusName(o.status), o.errorString)));

        // The fault did happen.
        int hits = 0;
        for (const PracticeRequestRecord &r : p.tenant.requestLog())
            hits += r.fault == PracticeFaultRule::effectName(rule.effect);
        if (!rule.inBatch)
            QVERIFY2(hits >= 1, "the fault never hit");
        else
            QVERIFY(!watch.holds.isEmpty()); // inner faults show as an inner Retry-After

        // The tenant holds each change exactly once: one send per step (QNetworkAccessManager's
        // silent re-sends of one request carry its client-request-id), none missing.
        QHash<QString, QSet<QString>> sendsPerStep;
        for (const PracticeWrite &w : p.tenant.writeLog())
            sendsPerStep[w.targetId + u' ' + QString::fromLatin1(w.method) + u' ' +
                         QString::fromUtf8(QJsonDocument(w.body).toJson(QJsonDocument::Compact))]
                .insert(w.clientRequestId);
        QCOMPARE(sendsPerStep.size(), scenario.expectedWrites());
        for (auto it = sendsPerStep.cbegin(); it != sendsPerStep.cend(); ++it)
            QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
        for (const Finding &f : scenario.plan)
            QCOMPARE(p.state(f.cloudId), qMakePair(f.cloudUpn, f.expectedImmutableId()));
        for (const Finding &f : scenario.plan)
            if (!f.deletedHolderId.isEmpty())
                QCOMPARE(p.tenant.directory().indexOfDeletedUser(f.deletedHolderId), -1);

        // Journal, audit and tenant agree row by row.
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY2(RollbackJournal::read(p.settings().rollbackPath, &journal, &error),
                 qPrintable(error));
        QList<AuditRecord> audit;
        QVERIFY2(AuditLog::read(p.settings().auditPath, &audit, &error), qPrintable(error));
        QCOMPARE(journal.size(), scenario.plan.size() + 2); // + the purged holders
        for (const RollbackEntry &e : journal)
            QVERIFY2(e.status == RollbackStatus::Applied, qPrintable(e.cloudId));
        QSet<QString> settledNotes;
        for (const Finding &f : scenario.plan) {
            QStringList results;
            for (const AuditRecord &a : audit)
                if (a.rowId == QString::number(f.rowId) && a.result != AuditResult::Verified)
                    results.append(auditActionName(a.action) + u'=' + auditResultName(a.result));
            QStringList expected;
            if (f.action == Action::PurgeDeleted)
                expected = {QStringLiteral("purge_deleted=applied"),
                            QStringLiteral("stamp=applied")};
            else if (f.category == Category::FederatedDomain)
                expected = {QStringLiteral("upn_switch=applied"), QStringLiteral("stamp=applied"),
                            QStringLiteral("upn_restore=applied")};
            else
                expected = {actionName(f.action) + QStringLiteral("=applied")};
            QCOMPARE(results, expected);
        }
        for (const AuditRecord &a : audit)
            if (a.message.contains(u"was lost"))
                settledNotes.insert(auditActionName(a.action));
        if (fault.startsWith(u"lost") || fault.startsWith(u"reply slower")) {
            const QString action = kind == u"upn_switch" || kind == u"upn_restore" ? kind
                                   : kind == u"purge" ? QStringLiteral("purge_deleted")
                                                      : kind;
            QVERIFY2(settledNotes.contains(action),
                     qPrintable(QStringList(settledNotes.values()).join(u',')));
        }
        QCOMPARE(watch.violations(p.tenant.requestLog()), 0);
    }

    void unknownOutcomeStaysPendingThenRollsBack()
    {
        const PracticeScenario scenario = PracticeScenario::build(3, 0, 0, 0);
        Practice p(scenario);
        PracticeFaultRule lost;
        lost.effect = PracticeFaultRule::Effect::LostReply;
        lost.method = "POST";
        lost.bodyContains = QStringLiteral("PATCH");
        lost.times = 3;
        PracticeFaultRule unreadable; // every read after the one before the change
        unreadable.effect = PracticeFaultRule::Effect::Drop;
        unreadable.method = "POST";
        unreadable.bodyContains = QStringLiteral("\"GET\"");
        unreadable.skip = 1;
        unreadable.times = 1000;
        PracticeFaultSettings faults;
        faults.rules = {lost, unreadable};
        p.tenant.setFaults(faults);
        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(60000));
        QCOMPARE(executor->report().count(ChangeStatus::Unknown), 3);
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY2(RollbackJournal::read(p.settings().rollbackPath, &journal, &error),
                 qPrintable(error));
        for (const RollbackEntry &e : journal)
            QCOMPARE(e.status, RollbackStatus::Pending); // not "failed": they did land
        QList<AuditRecord> audit;
        QVERIFY(AuditLog::read(p.settings().auditPath, &audit, &error));
        int unknown = 0;
        for (const AuditRecord &a : audit)
            if (a.action == AuditAction::Stamp) {
                QCOMPARE(a.result, AuditResult::Unknown);
                QVERIFY2(a.message.contains(u"outcome unknown:"), qPrintable(a.message));
                ++unknown;
            }
        QCOMPARE(unknown, 3);
        for (const Finding &f : scenario.plan) // they did land
            QCOMPARE(p.state(f.cloudId).second, f.expectedImmutableId());

        // rollback reads the pending rows back and undoes them.
        p.tenant.setFaults({});
        RollbackSettings rs;
        rs.identity = p.settings().identity;
        rs.identity.runId = QStringLiteral("run-rollback");
        rs.rollbackPath = p.settings().rollbackPath;
        rs.auditPath = p.settings().auditPath;
        rs.initialDomain = PracticeScenario::initialDomain;
        rs.federatedDomains = {PracticeScenario::federatedDomain};
        auto *rollback = new RollbackJob(rs, p.writer);
        QSignalSpy rolledBack(rollback, &Job::finished);
        rollback->start();
        QVERIFY(rolledBack.wait(60000));
        for (auto it = scenario.original.cbegin(); it != scenario.original.cend(); ++it)
            QCOMPARE(p.state(it.key()), it.value());
    }

    void progressSaysWhyItWaits()
    {
        const PracticeScenario scenario = PracticeScenario::build(3, 0, 0, 0);
        Practice p(scenario);
        PracticeFaultRule busy;
        busy.effect = PracticeFaultRule::Effect::Throttle;
        busy.inBatch = true;
        busy.method = "PATCH";
        busy.retryAfter = QStringLiteral("1.5");
        PracticeFaultSettings faults;
        faults.rules = {busy};
        p.tenant.setFaults(faults);
        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QList<JobProgress> seen;
        connect(executor, &Job::progressChanged, this,
                [&seen](const JobProgress &pr) { seen.append(pr); });
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(30000));
        const auto waiting = std::find_if(seen.cbegin(), seen.cend(), [](const JobProgress &pr) {
            return pr.waitReason.contains(u"slow down") && pr.waitSecondsLeft > 0;
        });
        QVERIFY(waiting != seen.cend());
        QCOMPARE(waiting->waitSecondsLeft, 2); // 1.5 s, rounded up
        QVERIFY2(waiting->toText().contains(u"next request in 2 s"), qPrintable(waiting->toText()));
        QCOMPARE(waiting->currentRow, scenario.plan.first().rowId);
        QVERIFY(waiting->secondsLeft >= 2); // time left includes the wait
    }

    void upnThatCannotBePutBackNamesTheCommand()
    {
        // The stamp is refused after the UPN switch, and Graph will not take the UPN back
        // either (throttled beyond what a run waits): the row says exactly how to restore it.
        PracticeScenario scenario = PracticeScenario::build(1, 0, 0, 1);
        Finding &fed = scenario.plan[1];
        fed.setExpectedImmutableId(PracticeScenario::anchor(4242));
        Practice p(scenario);
        QJsonObject &holder =
            p.tenant.directory()
                .users[p.tenant.directory().indexOfUser(scenario.plan.at(0).cloudId)];
        holder.insert("onPremisesImmutableId", fed.expectedImmutableId());
        p.tenant.directory().reindex();
        PracticeFaultRule refuseRestore;
        refuseRestore.effect = PracticeFaultRule::Effect::Throttle;
        refuseRestore.inBatch = true;
        refuseRestore.method = "PATCH";
        refuseRestore.bodyContains = QStringLiteral("\"userPrincipalName\":\"") + fed.cloudUpn;
        refuseRestore.retryAfter = QStringLiteral("Fri, 01 Jan 2100 00:00:00 GMT");
        refuseRestore.times = 1000;
        PracticeFaultSettings faults;
        faults.rules = {refuseRestore};
        p.tenant.setFaults(faults);
        auto *executor = new Executor({fed}, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(30000));
        const ChangeOutcome o = executor->report().outcomes.value(0);
        QCOMPARE(o.status, ChangeStatus::Failed);
        const QString command = QStringLiteral("Update-MgUser -UserId '%1' -UserPrincipalName '%2'")
                                    .arg(fed.cloudId, fed.cloudUpn);
        QVERIFY2(o.errorString.contains(command), qPrintable(o.errorString));
        const QString temporary =
            fed.cloudUpn.section(u'@', 0, 0) + u'@' + PracticeScenario::initialDomain;
        QCOMPARE(p.state(fed.cloudId).first, temporary);
        // The journal says something of this row is in the tenant, so rollback puts it back.
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY(RollbackJournal::read(p.settings().rollbackPath, &journal, &error));
        QCOMPARE(journal.value(0).status, RollbackStatus::Applied);
        QList<AuditRecord> audit;
        QVERIFY(AuditLog::read(p.settings().auditPath, &audit, &error));
        QStringList results;
        for (const AuditRecord &a : audit)
            if (!a.rowId.isEmpty())
                results.append(auditActionName(a.action) + u'=' + auditResultName(a.result));
        QCOMPARE(results, (QStringList{"upn_switch=applied", "stamp=failed", "upn_restore=failed",
                                       "stamp=mismatch"}));
        p.tenant.setFaults({});
        RollbackSettings rs;
        rs.identity = p.settings().identity;
        rs.rollbackPath = p.settings().rollbackPath;
        rs.auditPath = p.settings().auditPath;
        rs.initialDomain = PracticeScenario::initialDomain;
        rs.federatedDomains = {PracticeScenario::federatedDomain};
        auto *rollback = new RollbackJob(rs, p.writer);
        QSignalSpy rolledBack(rollback, &Job::finished);
        rollback->start();
        QVERIFY(rolledBack.wait(30000));
        QCOMPARE(p.state(fed.cloudId), qMakePair(fed.cloudUpn, fed.cloudImmutableId));
    }

    // clear_object_identifier end to end on the practice tenant: the beta clear, then the
    // stamp, journaled first; the audit and rollback.ps1 say it is not reversible; rollback
    // puts the anchor back, reports the clear as not reversible and fails nothing. Without
    // User-OnPremisesSyncBehavior.ReadWrite.All the clear gets Graph's 403 and the stamp is
    // not sent; a lost reply to the clear is settled by reading the user back on beta.
    void clearObjectIdentifierThenRollBack_data()
    {
        QTest::addColumn<bool>("permitted");
        QTest::addColumn<bool>("lostReply");
        QTest::newRow("permitted") << true << false;
        QTest::newRow("permitted, the reply to the clear is lost") << true << true;
        QTest::newRow("403 without User-OnPremisesSyncBehavior.ReadWrite.All") << false << false;
    }
    void clearObjectIdentifierThenRollBack()
    {
        QFETCH(bool, permitted);
        QFETCH(bool, lostReply);
        PracticeScenario scenario = PracticeScenario::build(2, 0, 0, 0);
        Finding &row = scenario.plan[0];
        row.allowedActions.append(Action::ClearObjectIdentifier);
        row.action = Action::ClearObjectIdentifier;
        row.approved = true; // irreversible: approved by a person
        QVERIFY(row.isExecutable());
        Practice p(scenario);
        const int i = p.tenant.directory().indexOfUser(row.cloudId);
        QJsonObject user = p.tenant.directory().users.at(i);
        user.insert("onPremisesObjectIdentifier", "S-1-5-21-1-2-3-1104");
        p.tenant.directory().setUser(i, user);
        QStringList permissions{"User.Read.All", "User.ReadWrite.All"};
        if (permitted)
            permissions << "User-OnPremisesSyncBehavior.ReadWrite.All";
        p.client->setAccessToken(
            p.tenant.issueAccessToken(permissions, PracticeScenario::operatorUpn));
        if (lostReply) {
            PracticeFaultRule lost;
            lost.effect = PracticeFaultRule::Effect::LostReply;
            lost.method = "PATCH";
            lost.pathContains = QStringLiteral("/beta/users/");
            lost.times = 3; // past Qt's silent re-sends
            PracticeFaultSettings faults;
            faults.rules = {lost};
            p.tenant.setFaults(faults);
        }
        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(30000));
        ChangeOutcome o, other;
        for (const ChangeOutcome &c : executor->report().outcomes)
            (c.rowId == row.rowId ? o : other) = c;
        QCOMPARE(o.rowId, row.rowId);
        const auto identifier = [&] {
            return p.tenant.directory()
                .users.at(p.tenant.directory().indexOfUser(row.cloudId))
                .value("onPremisesObjectIdentifier")
                .toString();
        };
        QList<RollbackEntry> journal;
        QString error;
        QVERIFY2(RollbackJournal::read(p.settings().rollbackPath, &journal, &error),
                 qPrintable(error));
        QCOMPARE(journal.size(), 3); // the clear and the stamp of row 1, the stamp of row 2
        RollbackEntry clearEntry, stampEntry;
        for (const RollbackEntry &e : journal)
            if (e.cloudId == row.cloudId)
                (e.isObjectIdentifierClear() ? clearEntry : stampEntry) = e;
        QVERIFY(clearEntry.isObjectIdentifierClear());
        QCOMPARE(stampEntry.newImmutableId, row.expectedImmutableId());
        QList<AuditRecord> audit;
        QVERIFY(AuditLog::read(p.settings().auditPath, &audit, &error));
        QStringList results;
        QString clearMessage;
        for (const AuditRecord &a : audit)
            if (a.rowId == u"1") {
                results.append(auditActionName(a.action) + u'=' + auditResultName(a.result));
                if (a.action == AuditAction::ClearObjectIdentifier)
                    clearMessage = a.message;
            }
        QCOMPARE(other.status, ChangeStatus::Applied); // the plain stamp runs either way
        if (!permitted) {
            QCOMPARE(o.status, ChangeStatus::Failed);
            QCOMPARE(o.httpStatus, 403);
            QVERIFY2(o.errorString.contains(u"User-OnPremisesSyncBehavior.ReadWrite.All"),
                     qPrintable(o.errorString));
            QVERIFY2(o.errorString.contains(u"the stamp was not sent"), qPrintable(o.errorString));
            QCOMPARE(identifier(), QStringLiteral("S-1-5-21-1-2-3-1104"));
            QCOMPARE(p.state(row.cloudId).second, QString()); // no stamp
            QCOMPARE(clearEntry.status, RollbackStatus::Failed);
            QCOMPARE(stampEntry.status, RollbackStatus::Failed);
            QCOMPARE(results, (QStringList{"clear_object_identifier=failed", "stamp=failed"}));
            return;
        }
        QCOMPARE(o.status, ChangeStatus::Applied);
        QVERIFY(o.verified);
        QCOMPARE(identifier(), QString());
        QCOMPARE(p.state(row.cloudId).second, row.expectedImmutableId());
        QCOMPARE(clearEntry.status, RollbackStatus::Applied);
        QCOMPARE(stampEntry.status, RollbackStatus::Applied);
        QCOMPARE(results, (QStringList{"clear_object_identifier=applied", "stamp=applied",
                                       "stamp=verified"}));
        QVERIFY2(clearMessage.contains(u"not reversible"), qPrintable(clearMessage));
        if (lostReply)
            QVERIFY2(clearMessage.contains(u"reading the user back showed the new value"),
                     qPrintable(clearMessage));
        // The beta PATCH went out alone, never in a v1.0 $batch (a lost reply may have let
        // it land more than once: clearing is idempotent).
        int betaClears = 0;
        for (const PracticeWrite &w : p.tenant.writeLog())
            if (w.path.startsWith(u"/beta/users/")) {
                QVERIFY(!w.inBatch);
                ++betaClears;
            }
        QVERIFY(betaClears >= 1);
        if (!lostReply)
            QCOMPARE(betaClears, 1);
        const QString script = QString::fromUtf8([&] {
            QFile f(RunFiles::rollbackScriptFor(p.settings().rollbackPath));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }());
        QVERIFY2(script.contains(u"onPremisesObjectIdentifier cleared by Anchorfix") &&
                     script.contains(u"NOT reversible"),
                 qPrintable(script));

        p.tenant.setFaults({});
        RollbackSettings rs;
        rs.identity = p.settings().identity;
        rs.identity.runId = QStringLiteral("run-rollback");
        rs.rollbackPath = p.settings().rollbackPath;
        rs.auditPath = p.settings().auditPath;
        rs.initialDomain = PracticeScenario::initialDomain;
        auto *rollback = new RollbackJob(rs, p.writer);
        QSignalSpy rolledBack(rollback, &Job::finished);
        rollback->start();
        QVERIFY(rolledBack.wait(30000));
        QCOMPARE(rollback->error(), int(Job::NoError));
        for (auto it = scenario.original.cbegin(); it != scenario.original.cend(); ++it)
            QCOMPARE(p.state(it.key()), it.value()); // the anchors are back …
        QCOMPARE(identifier(), QString());           // … the identifier stays cleared
        QString skipped;
        for (const ChangeOutcome &r : rollback->report().outcomes) {
            if (r.status == ChangeStatus::Skipped)
                skipped = r.errorString;
            else
                QCOMPARE(r.status, ChangeStatus::Applied);
        }
        QVERIFY2(skipped.contains(u"not reversible"), qPrintable(skipped));
        RollbackState state;
        QVERIFY(RollbackJob::inspect(p.settings().rollbackPath, &state, &error));
        QVERIFY(state.isDone());
        QCOMPARE(state.identifierClears, 1);
        QVERIFY2(state.doneText().contains(u"cannot be written back"),
                 qPrintable(state.doneText()));
    }

    void staleRowIsSkippedAgainstTheTenant()
    {
        const PracticeScenario scenario = PracticeScenario::build(3, 0, 0, 0);
        Practice p(scenario);
        // Someone stamps the second user after the scan.
        QJsonObject &u = p.tenant.directory()
                             .users[p.tenant.directory().indexOfUser(scenario.plan.at(1).cloudId)];
        u.insert("onPremisesImmutableId", PracticeScenario::anchor(999));
        p.tenant.directory().reindex();
        auto *executor = new Executor(scenario.plan, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(30000));
        QCOMPARE(executor->report().count(ChangeStatus::Stale), 1);
        QCOMPARE(executor->report().count(ChangeStatus::Applied), 2);
        QCOMPARE(p.tenant.writeLog().size(), 2);
        QCOMPARE(p.state(scenario.plan.at(1).cloudId).second, PracticeScenario::anchor(999));
    }

    void refusedFederatedStampPutsUpnBack()
    {
        // The anchor is held by another active user: the stamp is refused (ObjectConflict)
        // after the UPN switch, and the UPN must come back.
        PracticeScenario scenario = PracticeScenario::build(1, 0, 0, 1);
        Finding &fed = scenario.plan[1];
        fed.setExpectedImmutableId(PracticeScenario::anchor(4242));
        Practice p(scenario);
        QJsonObject &holder =
            p.tenant.directory()
                .users[p.tenant.directory().indexOfUser(scenario.plan.at(0).cloudId)];
        holder.insert("onPremisesImmutableId", fed.expectedImmutableId());
        p.tenant.directory().reindex();
        auto *executor = new Executor({fed}, p.settings(), p.writer);
        QSignalSpy finished(executor, &Job::finished);
        executor->start();
        QVERIFY(finished.wait(30000));
        QCOMPARE(executor->report().count(ChangeStatus::Failed), 1);
        QCOMPARE(executor->report().outcomes.first().httpStatus, 400);
        QCOMPARE(p.state(fed.cloudId), qMakePair(fed.cloudUpn, fed.cloudImmutableId));
        const QList<PracticeWrite> writes = p.tenant.writeLog();
        QCOMPARE(writes.size(), 2); // switch and switch back; the stamp was refused
        QCOMPARE(bodyValue(writes.at(0), "userPrincipalName"),
                 fed.cloudUpn.section(u'@', 0, 0) + u'@' + PracticeScenario::initialDomain);
        QCOMPARE(bodyValue(writes.at(1), "userPrincipalName"), fed.cloudUpn);
    }
};

QTEST_GUILESS_MAIN(tst_ExecutionPractice)
#include "tst_executionpractice.moc"
