// VerifyJob: the rules (pure, data-driven) and a run against the practice tenant before and
// after a simulated Entra Connect sync cycle, in $batch requests of 20, under throttling.
#include "auditlog.h"
#include "graphclient.h"
#include "practicetenant.h"
#include "verifyjob.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(VerifyResult)

namespace {

const QString ClientId = QStringLiteral("5f0c8a1e-0000-4000-8000-000000000e71");
const QDateTime ChangedAt = QDateTime(QDate(2026, 11, 30), QTime(10, 0), Qt::UTC);

QString anchorOf(int n)
{
    QByteArray raw(16, char(0x21));
    raw[0] = char(n);
    raw[1] = char(n >> 8);
    return QString::fromLatin1(raw.toBase64());
}

QString idOf(int n)
{
    return QStringLiteral("00000000-0000-4000-8000-%1").arg(n, 12, 10, QLatin1Char('0'));
}

QString upnOf(int n)
{
    return QStringLiteral("user%1@contoso.com").arg(n);
}

AuditRecord applied(int n, AuditAction action = AuditAction::Stamp, const QDateTime &at = ChangedAt)
{
    AuditRecord r;
    r.timestampUtc = at;
    r.runId = QStringLiteral("run-1");
    r.rowId = QString::number(n);
    r.cloudId = idOf(n);
    r.cloudUpn = upnOf(n);
    r.action = action;
    r.newImmutableId = action == AuditAction::Clear ? QString() : anchorOf(n);
    r.result = AuditResult::Applied;
    return r;
}

QJsonObject tenantWith(int users)
{
    QJsonArray list;
    for (int n = 1; n <= users; ++n)
        list.append(QJsonObject{{"id", idOf(n)},
                                {"userPrincipalName", upnOf(n)},
                                {"displayName", QStringLiteral("User %1").arg(n)},
                                {"onPremisesImmutableId", anchorOf(n)}});
    const QStringList perms{QStringLiteral("User.Read.All"),
                            QStringLiteral("Organization.Read.All")};
    return QJsonObject{
        {"tenantId", "0c0ffee0-0000-4000-8000-000000000e71"},
        {"displayName", "Contoso (practice)"},
        {"organization", QJsonObject{{"onPremisesSyncEnabled", true},
                                     {"onPremisesLastSyncDateTime", "2026-11-30T09:45:00Z"}}},
        {"clients",
         QJsonArray{QJsonObject{{"clientId", ClientId},
                                {"clientSecret", "practice-only"},
                                {"displayName", "Anchorfix tests"},
                                {"applicationPermissions", QJsonArray::fromStringList(perms)}}}},
        {"domains", QJsonArray{QJsonObject{{"id", "contoso.com"},
                                           {"authenticationType", "Managed"},
                                           {"isInitial", false},
                                           {"isDefault", true},
                                           {"isVerified", true}}}},
        {"users", list}};
}

} // namespace

class tst_VerifyJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void evaluate_data();
    void evaluate();
    void changesToVerify();
    void beforeAndAfterASyncCycle();
    void throttledReadsWaitForRetryAfter();
    void unreadableAuditFile();

private:
    struct Run
    {
        int error = -1;
        QString errorString;
        QList<VerifyOutcome> outcomes;
    };
    Run verify(PracticeTenant &tenant, const QString &auditPath);
};

void tst_VerifyJob::evaluate_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QJsonObject>("user");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("tenantSync");
    QTest::addColumn<VerifyResult>("expected");
    QTest::addColumn<QString>("messagePart");
    const QString a = anchorOf(1);
    const QJsonObject joined{{"onPremisesImmutableId", a},
                             {"onPremisesSyncEnabled", true},
                             {"onPremisesLastSyncDateTime", "2026-11-30T10:30:00Z"}};
    QTest::newRow("joined by the user's sync time")
        << "stamp" << joined << 200 << "2026-11-30T09:00:00Z" << VerifyResult::Joined
        << "2026-11-30 10:30:00 UTC";
    QJsonObject viaTenant = joined;
    viaTenant.insert("onPremisesLastSyncDateTime", QJsonValue::Null);
    QTest::newRow("joined by the tenant's sync time")
        << "adopt_cloud_anchor" << viaTenant << 200 << "2026-11-30T10:31:00Z"
        << VerifyResult::Joined << "2026-11-30 10:31:00 UTC";
    QJsonObject notYet{{"onPremisesImmutableId", a}, {"onPremisesSyncEnabled", QJsonValue::Null}};
    QTest::newRow("no sync since: next expected")
        << "stamp" << notYet << 200 << "2026-11-30T09:50:00Z" << VerifyResult::WaitingForSync
        << "next sync is expected around 2026-11-30 10:20:00 UTC";
    QTest::newRow("no sync since: overdue")
        << "stamp" << notYet << 200 << "2026-11-30T08:00:00Z" << VerifyResult::WaitingForSync
        << "Get-ADSyncScheduler";
    QTest::newRow("never synced") << "stamp" << notYet << 200 << "" << VerifyResult::WaitingForSync
                                  << "no last sync time";
    QJsonObject oldSync = joined;
    oldSync.insert("onPremisesLastSyncDateTime", "2026-11-30T09:30:00Z");
    QTest::newRow("synced, but before the change")
        << "stamp" << oldSync << 200 << "2026-11-30T09:30:00Z" << VerifyResult::WaitingForSync
        << "last synced at 2026-11-30 09:30:00 UTC";
    QJsonObject wrong = joined;
    wrong.insert("onPremisesImmutableId", anchorOf(2));
    QTest::newRow("synced with another anchor") << "stamp" << wrong << 200 << "2026-11-30T10:30:00Z"
                                                << VerifyResult::WaitingForSync << anchorOf(2);
    QJsonObject conflict = notYet;
    conflict.insert("onPremisesProvisioningErrors",
                    QJsonArray{QJsonObject{{"category", "PropertyConflict"},
                                           {"propertyCausingError", "UserPrincipalName"},
                                           {"value", "user1@contoso.com"},
                                           {"occurredDateTime", "2026-11-30T10:30:00Z"}}});
    QTest::newRow("sync error") << "stamp" << conflict << 200 << "2026-11-30T10:30:00Z"
                                << VerifyResult::SyncError
                                << "PropertyConflict on UserPrincipalName: user1@contoso.com "
                                   "(since 2026-11-30 10:30:00 UTC)";
    QTest::newRow("an error older than the change, no sync since")
        << "stamp"
        << QJsonObject{{"onPremisesImmutableId", a},
                       {"onPremisesProvisioningErrors",
                        QJsonArray{QJsonObject{{"category", "PropertyConflict"},
                                               {"occurredDateTime", "2026-11-29T10:30:00Z"}}}}}
        << 200 << "2026-11-30T09:50:00Z" << VerifyResult::WaitingForSync << "No sync since";
    QTest::newRow("user gone") << "stamp" << QJsonObject() << 404 << "2026-11-30T10:30:00Z"
                               << VerifyResult::SyncError << "no longer exists";
    QJsonObject softMatched = joined;
    softMatched.insert("onPremisesImmutableId", anchorOf(9));
    QTest::newRow("clear: soft-matched to whatever AD has")
        << "clear" << softMatched << 200 << "" << VerifyResult::Joined << anchorOf(9);
}

void tst_VerifyJob::evaluate()
{
    QFETCH(QString, action);
    QFETCH(QJsonObject, user);
    QFETCH(int, status);
    QFETCH(QString, tenantSync);
    QFETCH(VerifyResult, expected);
    QFETCH(QString, messagePart);
    const QDateTime tenantLast = QDateTime::fromString(tenantSync, Qt::ISODate);
    const VerifyOutcome o =
        VerifyJob::evaluate(applied(1, auditActionFromName(action)), user, status, tenantLast,
                            QDateTime(QDate(2026, 11, 30), QTime(10, 5), Qt::UTC), 30);
    QCOMPARE(verifyResultName(o.result), verifyResultName(expected));
    QVERIFY2(o.message.contains(messagePart), qPrintable(o.message));
}

void tst_VerifyJob::changesToVerify()
{
    QList<AuditRecord> audit;
    AuditRecord run;
    run.action = AuditAction::Run;
    run.result = AuditResult::Started;
    audit << run << applied(1) << applied(2) << applied(3, AuditAction::Clear);
    AuditRecord purge = applied(4, AuditAction::PurgeDeleted);
    AuditRecord failed = applied(5);
    failed.result = AuditResult::Failed;
    AuditRecord undone = applied(2);
    undone.result = AuditResult::RolledBack;
    AuditRecord switched = applied(6, AuditAction::UpnSwitch);
    audit << purge << failed << undone << switched;
    // user 1: applied again later (a second run) — only the latest counts
    AuditRecord again = applied(1, AuditAction::AdoptCloudAnchor, ChangedAt.addSecs(60));
    audit << again;
    const QList<AuditRecord> changes = VerifyJob::changesToVerify(audit);
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0).cloudId, idOf(3));
    QCOMPARE(changes.at(1).cloudId, idOf(1));
    QCOMPARE(changes.at(1).action, AuditAction::AdoptCloudAnchor);
}

tst_VerifyJob::Run tst_VerifyJob::verify(PracticeTenant &tenant, const QString &auditPath)
{
    GraphConfig config;
    config.graphUrl = QUrl(tenant.baseUrl());
    config.authorityUrl = QUrl(tenant.baseUrl());
    config.tenant = tenant.tenantId();
    config.clientId = ClientId;
    GraphClient client(config);
    GraphRetryPolicy policy;
    policy.baseDelayMs = 20;
    client.setRetryPolicy(policy);
    client.setAccessToken(tenant.issueAccessToken(
        {QStringLiteral("User.Read.All"), QStringLiteral("Organization.Read.All")}));
    VerifySettings settings;
    settings.identity = {QStringLiteral("verify-1"), QStringLiteral("app:") + ClientId,
                         tenant.tenantId(), tenant.baseUrl()};
    settings.auditPath = auditPath;
    VerifyJob job(&client, settings);
    job.setAutoDelete(false);
    QSignalSpy done(&job, &Job::finished);
    job.start();
    Run r;
    if (!done.wait(60000))
        return r;
    r.error = job.error();
    r.errorString = job.errorString();
    r.outcomes = job.outcomes();
    return r;
}

void tst_VerifyJob::beforeAndAfterASyncCycle()
{
    const int users = 25; // two $batch requests
    PracticeTenant tenant;
    QCOMPARE(tenant.loadJson(tenantWith(users)), QString());
    QVERIFY(tenant.listen() > 0);
    QTemporaryDir dir;
    const QString auditPath = dir.filePath(QStringLiteral("audit.csv"));
    {
        AuditLog audit;
        QString error;
        QVERIFY2(audit.open(auditPath, &error), qPrintable(error));
        QList<AuditRecord> rows;
        for (int n = 1; n <= users; ++n)
            rows << applied(n, n % 5 == 0 ? AuditAction::AdoptCloudAnchor : AuditAction::Stamp);
        QVERIFY2(audit.append(rows, &error), qPrintable(error));
    }

    // Before the next sync: everything waits, and the message names the last sync.
    Run before = verify(tenant, auditPath);
    QCOMPARE(before.error, 0);
    QCOMPARE(before.outcomes.size(), users);
    for (const VerifyOutcome &o : before.outcomes) {
        QCOMPARE(verifyResultName(o.result), QStringLiteral("waiting_for_sync"));
        QVERIFY2(o.message.contains(u"2026-11-30 09:45:00 UTC"), qPrintable(o.message));
    }
    int batches = 0, organization = 0;
    for (const PracticeRequestRecord &r : tenant.requestLog()) {
        batches += r.path.endsWith(u"/$batch") ? 1 : 0;
        organization += r.path.endsWith(u"/organization") ? 1 : 0;
    }
    QCOMPARE(batches, 2);
    QCOMPARE(organization, 1);

    // A sync cycle: AD yields the planned anchor for all but user 7, which AD recreated
    // (another anchor) while its cloud user keeps its ImmutableId: a UPN conflict.
    QList<PracticeSyncedUser> onPrem;
    for (int n = 1; n <= users; ++n)
        onPrem.append({n == 7 ? anchorOf(1000) : anchorOf(n), upnOf(n)});
    const QDateTime syncAt = QDateTime::currentDateTimeUtc();
    const PracticeSyncResult cycle = tenant.directory().simulateSync(onPrem, syncAt);
    QCOMPARE(cycle.joined.size(), users - 1);
    QCOMPARE(cycle.conflicts, QStringList{idOf(7)});

    Run after = verify(tenant, auditPath);
    QCOMPARE(after.error, 0);
    QCOMPARE(after.outcomes.size(), users);
    for (const VerifyOutcome &o : after.outcomes) {
        if (o.change.cloudId == idOf(7)) {
            QCOMPARE(verifyResultName(o.result), QStringLiteral("sync_error"));
            QVERIFY2(
                o.message.contains(u"PropertyConflict on UserPrincipalName: user7@contoso.com"),
                qPrintable(o.message));
        } else {
            QCOMPARE(verifyResultName(o.result), QStringLiteral("joined"));
        }
    }

    // The audit trail: the 25 changes, then 25 rows per verify pass, in that order.
    QList<AuditRecord> rows;
    QString error;
    QVERIFY2(AuditLog::read(auditPath, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 3 * users);
    QCOMPARE(rows.at(users).result, AuditResult::WaitingForSync);
    QCOMPARE(rows.at(users).runId, QStringLiteral("verify-1"));
    QCOMPARE(rows.at(users).httpStatus, 200);
    QVERIFY(!rows.at(users).requestId.isEmpty());
    int joined = 0;
    for (int i = 2 * users; i < rows.size(); ++i)
        joined += rows.at(i).result == AuditResult::Joined ? 1 : 0;
    QCOMPARE(joined, users - 1);
    QCOMPARE(rows.at(2 * users + 4).action, AuditAction::AdoptCloudAnchor);
    // and a verify pass is itself not a change to verify
    QCOMPARE(VerifyJob::changesToVerify(rows).size(), users);
}

void tst_VerifyJob::throttledReadsWaitForRetryAfter()
{
    PracticeTenant tenant;
    QCOMPARE(tenant.loadJson(tenantWith(45)), QString());
    QVERIFY(tenant.listen() > 0);
    QTemporaryDir dir;
    const QString auditPath = dir.filePath(QStringLiteral("audit.csv"));
    {
        AuditLog audit;
        QString error;
        QList<AuditRecord> rows;
        for (int n = 1; n <= 45; ++n)
            rows << applied(n);
        QVERIFY(audit.open(auditPath, &error) && audit.append(rows, &error));
    }
    PracticeFaultSettings faults;
    faults.serviceUnavailableOn = {2, 3};
    faults.serviceUnavailableRetryAfter = 0.4;
    tenant.setFaults(faults);
    Run r = verify(tenant, auditPath);
    QCOMPARE(r.error, 0);
    QCOMPARE(r.outcomes.size(), 45);
    // Request 2 (the first $batch) got 503 + Retry-After 0.4 s: the next request waited.
    const QList<PracticeRequestRecord> log = tenant.requestLog();
    QVERIFY(log.size() >= 6);
    int throttled = 0;
    for (const PracticeRequestRecord &rec : log)
        throttled += rec.retryAfterSeconds > 0 ? 1 : 0;
    QCOMPARE(throttled, 2);
    for (int i = 1; i < log.size(); ++i)
        if (log.at(i - 1).retryAfterSeconds > 0)
            QVERIFY2(log.at(i).atMs - log.at(i - 1).atMs >= 400 - 5,
                     qPrintable(QStringLiteral("request %1 came %2 ms after a Retry-After")
                                    .arg(i)
                                    .arg(log.at(i).atMs - log.at(i - 1).atMs)));
}

void tst_VerifyJob::unreadableAuditFile()
{
    PracticeTenant tenant;
    QCOMPARE(tenant.loadJson(tenantWith(1)), QString());
    QVERIFY(tenant.listen() > 0);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plan.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("row_id,category\n1,in_sync\n");
    f.close();
    Run r = verify(tenant, path);
    QCOMPARE(r.error, int(VerifyJob::AuditFileError));
    QVERIFY2(r.errorString.contains(u"plan.csv"), qPrintable(r.errorString));
    QVERIFY(tenant.requestLog().isEmpty());
}

QTEST_GUILESS_MAIN(tst_VerifyJob)
#include "tst_verifyjob.moc"
