// GraphClient, its jobs and CloudScanJob against the in-process practice tenant.

#include "cloudscanjob.h"
#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "practicetenant.h"
#include "practicetestsupport.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace PracticeTest;

class tst_GraphClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void scanReadsTheWholeTenant();
    void scanPages_data();
    void scanPages();
    void scanCancel();
    void scanStopsOnError();
    void scanWithoutSyncPermission();
    void scanWhenObjectIdentifierIsRefused();
    void scanSkipsUsersWithoutId();
    void writes();
    void errorsMappedToAdvice_data();
    void errorsMappedToAdvice();
    void throttleStormObeysRetryAfter();
    void serviceUnavailableRetried_data();
    void serviceUnavailableRetried();
    void droppedConnection_data();
    void droppedConnection();
    void timeoutRetriedThenFails();
    void batchPartialFailures();
    void batchInnerThrottleRetried();
    void batchCancel();

private:
    template <typename J> bool run(J *job)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        return spy.wait(60000) && spy.size() == 1;
    }
    GraphRequestJob *finishedJob(GraphRequestJob *job)
    {
        m_jobs.emplace_back(job);
        return run(job) ? job : nullptr;
    }

    PracticeTenant m_tenant;
    std::unique_ptr<GraphClient> m_client;
    QString m_delegated;
    std::vector<std::unique_ptr<QObject>> m_jobs;
};

void tst_GraphClient::initTestCase()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
    m_delegated = m_tenant.issueAccessToken({}, QStringLiteral("admin@") + initialDomain);
}

void tst_GraphClient::init()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    m_tenant.setFaults({});
    m_tenant.clearLogs();
    GraphConfig config;
    config.authorityUrl = QUrl(m_tenant.baseUrl());
    config.graphUrl = QUrl(m_tenant.baseUrl());
    config.tenant = tenantId;
    config.clientId = clientId;
    QCOMPARE(config.validate(), QString());
    m_jobs.clear();
    m_client = std::make_unique<GraphClient>(config);
    m_client->setAccessToken(m_delegated);
    GraphRetryPolicy fast;
    fast.baseDelayMs = 20;
    fast.maxDelayMs = 200;
    fast.requestTimeoutMs = 10000;
    m_client->setRetryPolicy(fast);
}

void tst_GraphClient::scanReadsTheWholeTenant()
{
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    const CloudSnapshot s = job->snapshot();
    QCOMPARE(s.tenantId, tenantId);
    QCOMPARE(s.users.size(), 5);
    QCOMPARE(s.deletedUsers.size(), 1);
    QCOMPARE(s.deletedUsers.first().immutableId, QStringLiteral("DELETEDAAAAAAAAAAAAAAA=="));
    QVERIFY(s.deletedUsers.first().deletedDateTime.isValid());
    QCOMPARE(s.domains.size(), 3);
    QCOMPARE(s.initialDomain(), initialDomain);
    for (const CloudDomain &d : s.domains)
        QCOMPARE(d.federated, d.name == QLatin1String("fed.contoso.test"));
    QVERIFY(job->tenantFlagsKnown());
    QVERIFY(job->warnings().isEmpty());
    QCOMPARE(s.flags.blockSoftMatch, true);
    QCOMPARE(s.flags.blockCloudObjectTakeoverThroughHardMatch, false);
    QCOMPARE(s.directorySyncEnabled, std::optional<bool>(true));
    QCOMPARE(s.lastSyncDateTime, QDateTime(QDate(2026, 11, 20), QTime(8, 0), Qt::UTC));
    for (const CloudUser &u : s.users) {
        QCOMPARE(u.holdsAdminRole, u.id == QLatin1String("admin"));
        QCOMPARE(u.proxyAddresses, QStringList{QStringLiteral("SMTP:") + u.upn});
    }
    QCOMPARE(s.users.at(0).immutableId, QString());
    QCOMPARE(s.users.at(0).syncEnabled, std::optional<bool>());
    QCOMPARE(s.users.at(1).syncEnabled, std::optional<bool>(true));
    QCOMPARE(s.users.at(3).syncEnabled, std::optional<bool>(false));
    QCOMPARE(s.users.at(3).immutableId, QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA=="));
    // Every request carried a client-request-id and the users were read with $select.
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        QVERIFY(!r.clientRequestId.isEmpty());
    QVERIFY(m_tenant.requestLog().first().query.contains(QLatin1String("onPremisesImmutableId")));
}

void tst_GraphClient::scanPages_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("userPages");
    // 5 + 300 users.
    QTest::newRow("999") << 999 << 1;
    QTest::newRow("100") << 100 << 4;
    QTest::newRow("7") << 7 << 44;
    QTest::newRow("1") << 1 << 305;
}

void tst_GraphClient::scanPages()
{
    QFETCH(int, pageSize);
    QFETCH(int, userPages);
    m_tenant.directory().addSyntheticUsers(300, QStringLiteral("contoso.test"));
    CloudScanJob *job = m_client->scan();
    job->setPageSize(pageSize);
    m_jobs.emplace_back(job);
    QList<qint64> progress;
    connect(job, &Job::progressChanged, this, [&](qint64 done, qint64) { progress.append(done); });
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QCOMPARE(job->snapshot().users.size(), 305);
    QSet<QString> ids;
    for (const CloudUser &u : job->snapshot().users)
        ids.insert(u.id);
    QCOMPARE(ids.size(), 305);
    int usersRequests = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        if (r.path == QLatin1String("/v1.0/users")) {
            ++usersRequests;
            QVERIFY(r.query.contains(QStringLiteral("$top=%1").arg(pageSize)));
        }
    QCOMPARE(usersRequests, userPages);
    QCOMPARE(progress.last(), 305);
    QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    QCOMPARE(progress.size(), userPages + 1); // one per page, then the final total
}

void tst_GraphClient::scanCancel()
{
    PracticeFaultSettings slow;
    slow.delayMs = 200;
    m_tenant.setFaults(slow);
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    QTRY_VERIFY(!m_tenant.requestLog().isEmpty());
    job->cancel();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(job->error(), int(Job::Cancelled));
    QTest::qWait(300);
    QCOMPARE(spy.size(), 1);
}

void tst_GraphClient::scanStopsOnError()
{
    m_client->setAccessToken(m_tenant.issueAccessToken({QStringLiteral("User.Read.All")}));
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(CloudScanJob::RequestFailed));
    QCOMPARE(job->failedRequest().httpStatus, 403);
    QVERIFY2(job->errorString().contains(QLatin1String("Domain.Read.All")),
             qPrintable(job->errorString()));
}

void tst_GraphClient::scanWithoutSyncPermission()
{
    m_client->setAccessToken(m_tenant.issueAccessToken(
        {QStringLiteral("User.Read.All"), QStringLiteral("Domain.Read.All"),
         QStringLiteral("Organization.Read.All"),
         QStringLiteral("RoleManagement.Read.Directory")}));
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QVERIFY(!job->tenantFlagsKnown());
    QCOMPARE(job->warnings().size(), 1);
    QVERIFY(
        job->warnings().first().contains(QLatin1String("OnPremDirectorySynchronization.Read.All")));
    QCOMPARE(job->snapshot().flags.blockSoftMatch, false); // the default, not the tenant's
    QCOMPARE(job->snapshot().users.size(), 5);
    QVERIFY(job->snapshot().users.last().holdsAdminRole); // the scan went on to the roles
}

void tst_GraphClient::scanWhenObjectIdentifierIsRefused()
{
    m_tenant.directory().users[0].insert(QStringLiteral("onPremisesObjectIdentifier"),
                                         QStringLiteral("S-1-5-21-1-2-3-1104"));
    for (bool refused : {false, true}) {
        PracticeFaultSettings faults;
        if (refused)
            faults.unknownUserProperties = {QStringLiteral("onPremisesObjectIdentifier")};
        m_tenant.setFaults(faults);
        CloudScanJob *job = m_client->scan();
        m_jobs.emplace_back(job);
        QVERIFY(run(job));
        QCOMPARE(job->error(), int(Job::NoError));
        QCOMPARE(job->snapshot().users.size(), 5);
        QCOMPARE(job->snapshot().users.first().onPremisesObjectIdentifier,
                 refused ? QString() : QStringLiteral("S-1-5-21-1-2-3-1104"));
        QCOMPARE(job->warnings().size(), refused ? 1 : 0);
    }
    // getUser never asks for it.
    PracticeFaultSettings faults;
    faults.unknownUserProperties = {QStringLiteral("onPremisesObjectIdentifier")};
    m_tenant.setFaults(faults);
    GraphRequestJob *get = finishedJob(m_client->getUser(QStringLiteral("cloud")));
    QVERIFY(get && get->result().ok);
}

// Issue 14.5: a user Graph returns without an id cannot be changed, so it never becomes
// a row (an empty cloud_id used to turn into a stamp row that made apply refuse the plan).
void tst_GraphClient::scanSkipsUsersWithoutId()
{
    PracticeDirectory &d = m_tenant.directory();
    QVERIFY(d.users.size() == 5 && d.deletedUsers.size() == 1);
    const QString upn = d.users[2].value(QLatin1String("userPrincipalName")).toString();
    d.users[2].remove(QLatin1String("id"));
    d.deletedUsers[0].remove(QLatin1String("id"));
    d.reindex();
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    const CloudSnapshot s = job->snapshot();
    QCOMPARE(s.users.size(), 4);
    QCOMPARE(s.deletedUsers.size(), 0);
    for (const CloudUser &u : s.users) {
        QVERIFY(!u.id.isEmpty());
        QVERIFY(u.upn != upn);
    }
    const QStringList warnings = job->warnings();
    QCOMPARE(warnings.filter(QStringLiteral("without an id")).size(), 2);
    QVERIFY2(warnings.join(u'\n').contains(upn), qPrintable(warnings.join(u'\n')));
}

void tst_GraphClient::writes()
{
    GraphRequestJob *job = finishedJob(m_client->setImmutableId(
        QStringLiteral("cloud"), QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA==")));
    QVERIFY(job);
    GraphResult r = job->result();
    QVERIFY(r.ok);
    QCOMPARE(r.httpStatus, 204);
    QCOMPARE(r.attempts, 1);
    QCOMPARE(m_tenant.writeLog().size(), 1);
    QCOMPARE(r.requestId, m_tenant.writeLog().last().requestId);
    QCOMPARE(r.clientRequestId, m_tenant.writeLog().last().clientRequestId);

    job = finishedJob(m_client->getUser(QStringLiteral("cloud")));
    QVERIFY(job && job->result().ok);
    QCOMPARE(GraphClient::userFromJson(job->result().body).immutableId,
             QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA=="));

    job = finishedJob(m_client->clearImmutableId(QStringLiteral("cloud")));
    QVERIFY(job && job->result().ok);
    QVERIFY(
        m_tenant.writeLog().last().body.value(QStringLiteral("onPremisesImmutableId")).isNull());

    job = finishedJob(m_client->setUserPrincipalName(QStringLiteral("fed"),
                                                     QStringLiteral("fed@") + initialDomain));
    QVERIFY(job && job->result().ok);
    job = finishedJob(m_client->setImmutableId(QStringLiteral("fed"),
                                               QStringLiteral("FEDAAAAAAAAAAAAAAAAAAA==")));
    QVERIFY(job && job->result().ok);

    job = finishedJob(m_client->purgeDeletedItem(QStringLiteral("gone")));
    QVERIFY(job && job->result().ok);
    QVERIFY(m_tenant.directory().deletedUsers.isEmpty());
    QCOMPARE(m_tenant.writeLog().size(), 5);
    // Every request id is distinct.
    QSet<QString> clientIds;
    for (const PracticeWrite &w : m_tenant.writeLog())
        clientIds.insert(w.clientRequestId);
    QCOMPARE(clientIds.size(), 5);
}

void tst_GraphClient::errorsMappedToAdvice_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("permissions"); // empty = delegated admin, everything
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("advice");

    QTest::newRow("held by another user") << "stamp"
                                          << "cloud"
                                          << "HOLDAAAAAAAAAAAAAAAAAA==" << QStringList() << 400
                                          << "Request_BadRequest" << GraphAdvice::objectConflict();
    QTest::newRow("held in the recycle bin")
        << "stamp"
        << "cloud"
        << "DELETEDAAAAAAAAAAAAAAA==" << QStringList() << 400 << "Request_BadRequest"
        << GraphAdvice::objectConflict();
    QTest::newRow("synced user") << "stamp"
                                 << "synced"
                                 << "NEWAAAAAAAAAAAAAAAAAAA==" << QStringList() << 400
                                 << "Request_BadRequest" << GraphAdvice::syncedObject();
    QTest::newRow("synced user clear") << "clear"
                                       << "synced" << QString() << QStringList() << 400
                                       << "Request_BadRequest" << GraphAdvice::syncedObject();
    QTest::newRow("federated stamp") << "stamp"
                                     << "fed"
                                     << "NEWAAAAAAAAAAAAAAAAAAA==" << QStringList() << 400
                                     << "Request_BadRequest" << GraphAdvice::federatedDomain();
    QTest::newRow("federated clear") << "clear"
                                     << "fed" << QString() << QStringList() << 400
                                     << "Request_BadRequest" << GraphAdvice::federatedDomain();
    QTest::newRow("missing write permission")
        << "stamp"
        << "cloud"
        << "NEWAAAAAAAAAAAAAAAAAAA==" << QStringList{QStringLiteral("User.Read.All")} << 403
        << "Authorization_RequestDenied"
        << "User.ReadWrite.All";
    QTest::newRow("purge app-only")
        << "purge"
        << "gone" << QString() << QStringList{QStringLiteral("app-only")} << 403
        << "Authorization_RequestDenied"
        << "User.ReadWrite.All";
    QTest::newRow("sign-in expired")
        << "stamp"
        << "cloud"
        << "NEWAAAAAAAAAAAAAAAAAAA==" << QStringList{QStringLiteral("invalid")} << 401
        << "InvalidAuthenticationToken" << GraphAdvice::signInAgain();
    QTest::newRow("user gone") << "stamp"
                               << "nobody"
                               << "NEWAAAAAAAAAAAAAAAAAAA==" << QStringList() << 404
                               << "Request_ResourceNotFound"
                               << "no longer exists";
    QTest::newRow("purge already gone")
        << "purge"
        << "nobody" << QString() << QStringList() << 404 << "Request_ResourceNotFound"
        << "no longer exists";
}

void tst_GraphClient::errorsMappedToAdvice()
{
    QFETCH(QString, operation);
    QFETCH(QString, target);
    QFETCH(QString, value);
    QFETCH(QStringList, permissions);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, advice);
    if (permissions == QStringList{QStringLiteral("invalid")})
        m_client->setAccessToken(QStringLiteral("not-a-token"));
    else if (permissions == QStringList{QStringLiteral("app-only")})
        m_client->setAccessToken(m_tenant.issueAccessToken());
    else if (!permissions.isEmpty())
        m_client->setAccessToken(
            m_tenant.issueAccessToken(permissions, QStringLiteral("admin@") + initialDomain));
    GraphRequestJob *job = nullptr;
    if (operation == QLatin1String("stamp"))
        job = m_client->setImmutableId(target, value);
    else if (operation == QLatin1String("clear"))
        job = m_client->clearImmutableId(target);
    else
        job = m_client->purgeDeletedItem(target);
    QVERIFY(finishedJob(job));
    const GraphResult r = job->result();
    QVERIFY(!r.ok);
    QCOMPARE(job->error(), int(GraphRequestJob::RequestFailed));
    QCOMPARE(r.httpStatus, status);
    QCOMPARE(r.code, code);
    QVERIFY2(r.advice.contains(advice), qPrintable(r.advice));
    QVERIFY(!r.requestId.isEmpty());
    QVERIFY(job->errorString().contains(r.requestId));
    QCOMPARE(r.attempts, 1); // refusals are not retried
    QVERIFY(m_tenant.writeLog().isEmpty());
}

void tst_GraphClient::throttleStormObeysRetryAfter()
{
    PracticeFaultSettings quota;
    quota.writeQuota = 2;
    quota.writeWindowMs = 737; // gives fractional Retry-After values
    m_tenant.setFaults(quota);
    const int count = 7;
    QList<GraphRequestJob *> jobs;
    for (int i = 0; i < count; ++i) {
        GraphRequestJob *job =
            m_client->setImmutableId(i % 2 ? QStringLiteral("cloud") : QStringLiteral("admin"),
                                     QStringLiteral("STORM%1AAAAAAAAAAAAAAA==").arg(i));
        job->setAutoDelete(false);
        m_jobs.emplace_back(job);
        jobs.append(job);
    }
    int finished = 0;
    for (GraphRequestJob *job : jobs) {
        connect(job, &Job::finished, this, [&finished] { ++finished; });
        job->start();
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, count, 60000);
    int retried = 0;
    for (GraphRequestJob *job : jobs) {
        QVERIFY2(job->result().ok, qPrintable(job->errorString()));
        retried += job->result().attempts > 1;
    }
    QVERIFY(retried >= count - 2);
    QCOMPARE(m_tenant.writeLog().size(), count);

    // The tenant's own clock: no request came back before its Retry-After had elapsed.
    const QList<PracticeRequestRecord> log = m_tenant.requestLog();
    int throttled = 0;
    for (int i = 0; i < log.size(); ++i) {
        if (log.at(i).status != 429)
            continue;
        ++throttled;
        QVERIFY(log.at(i).retryAfterSeconds > 0);
        for (int j = i + 1; j < log.size(); ++j) {
            if (log.at(j).clientRequestId != log.at(i).clientRequestId)
                continue;
            const double earliest = log.at(i).atMs + log.at(i).retryAfterSeconds * 1000.0;
            QVERIFY2(log.at(j).atMs >= earliest,
                     qPrintable(QStringLiteral("retry at %1 ms, Retry-After allowed %2 ms")
                                    .arg(log.at(j).atMs)
                                    .arg(earliest)));
            break;
        }
    }
    QVERIFY(throttled >= count - 2);
}

void tst_GraphClient::serviceUnavailableRetried_data()
{
    QTest::addColumn<double>("retryAfter");
    QTest::newRow("with Retry-After 0.3") << 0.3;
    QTest::newRow("without Retry-After: backoff") << -1.0;
}

void tst_GraphClient::serviceUnavailableRetried()
{
    QFETCH(double, retryAfter);
    PracticeFaultSettings faults;
    faults.serviceUnavailableOn = {1, 2};
    faults.serviceUnavailableRetryAfter = retryAfter;
    m_tenant.setFaults(faults);
    GraphRequestJob *job = finishedJob(m_client->getUser(QStringLiteral("holder")));
    QVERIFY(job);
    QVERIFY(job->result().ok);
    QCOMPARE(job->result().attempts, 3);
    const QList<PracticeRequestRecord> log = m_tenant.requestLog();
    QCOMPARE(log.size(), 3);
    if (retryAfter > 0) {
        QVERIFY(log.at(1).atMs >= log.at(0).atMs + retryAfter * 1000);
        QVERIFY(log.at(2).atMs >= log.at(1).atMs + retryAfter * 1000);
    }
}

void tst_GraphClient::droppedConnection_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<bool>("ok");
    QTest::newRow("GET retried") << "get" << true;
    QTest::newRow("PATCH of a value retried") << "stamp" << true;
    QTest::newRow("purge checked, then sent again") << "purge" << true;
    QTest::newRow("restore not repeated") << "restore" << false;
}

void tst_GraphClient::droppedConnection()
{
    QFETCH(QString, operation);
    QFETCH(bool, ok);
    PracticeFaultSettings faults;
    faults.dropOn = {1, 2}; // two: QNetworkAccessManager silently resends some requests once
    m_tenant.setFaults(faults);
    GraphRequestJob *job = nullptr;
    if (operation == QLatin1String("get"))
        job = m_client->getUser(QStringLiteral("holder"));
    else if (operation == QLatin1String("stamp"))
        job = m_client->setImmutableId(QStringLiteral("cloud"),
                                       QStringLiteral("DROPAAAAAAAAAAAAAAAAAA=="));
    else if (operation == QLatin1String("purge"))
        job = m_client->purgeDeletedItem(QStringLiteral("gone"));
    else
        job = m_client->restoreDeletedItem(QStringLiteral("gone"));
    QVERIFY(finishedJob(job));
    const GraphResult r = job->result();
    QCOMPARE(r.ok, ok);
    if (!ok) {
        QCOMPARE(r.httpStatus, 0);
        QCOMPARE(r.attempts, 1);
        QVERIFY2(r.advice.contains(QLatin1String("not repeated")), qPrintable(r.advice));
        QVERIFY(m_tenant.writeLog().isEmpty());
        return;
    }
    QVERIFY(r.attempts >= 2);
    const int writes = operation == QLatin1String("get") ? 0 : 1;
    QCOMPARE(m_tenant.writeLog().size(), writes);
    if (operation == QLatin1String("purge")) {
        // The client looked before it sent the DELETE again.
        QStringList methods;
        for (const PracticeRequestRecord &rec : m_tenant.requestLog())
            methods.append(QString::fromLatin1(rec.method));
        QVERIFY2(methods.indexOf(QStringLiteral("GET")) <
                     methods.lastIndexOf(QStringLiteral("DELETE")),
                 qPrintable(methods.join(QLatin1Char(','))));
    }
}

void tst_GraphClient::timeoutRetriedThenFails()
{
    PracticeFaultSettings slow;
    slow.delayMs = 1500;
    m_tenant.setFaults(slow);
    GraphRetryPolicy policy = m_client->retryPolicy();
    policy.requestTimeoutMs = 200;
    policy.maxAttempts = 2;
    m_client->setRetryPolicy(policy);
    GraphRequestJob *job = finishedJob(m_client->getUser(QStringLiteral("holder")));
    QVERIFY(job);
    QVERIFY(!job->result().ok);
    QCOMPARE(job->result().code, QStringLiteral("Timeout"));
    QCOMPARE(job->result().attempts, 2);
    QTRY_COMPARE(m_tenant.requestLog().size(), 2);
}

void tst_GraphClient::batchPartialFailures()
{
    GraphBatchRequest dependent = GraphBatchRequest::setImmutableId(
        QStringLiteral("c"), QStringLiteral("holder"), QStringLiteral("CCCCAAAAAAAAAAAAAAAAAA=="));
    dependent.dependsOn = {QStringLiteral("b")};
    const QList<GraphBatchRequest> requests{
        GraphBatchRequest::setImmutableId(QStringLiteral("a"), QStringLiteral("cloud"),
                                          QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA==")),
        GraphBatchRequest::setImmutableId(QStringLiteral("b"), QStringLiteral("synced"),
                                          QStringLiteral("BBBBAAAAAAAAAAAAAAAAAA==")),
        dependent,
        GraphBatchRequest::purgeDeletedItem(QStringLiteral("d"), QStringLiteral("gone")),
        GraphBatchRequest::getUser(QStringLiteral("e"), QStringLiteral("cloud")),
        GraphBatchRequest::setImmutableId(QStringLiteral("f"), QStringLiteral("admin"),
                                          QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA==")),
        GraphBatchRequest::setImmutableId(QStringLiteral("g"), QStringLiteral("fed"),
                                          QStringLiteral("GGGGAAAAAAAAAAAAAAAAAA==")),
    };
    GraphBatchJob *job = m_client->batch(requests);
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    const QList<GraphResult> results = job->results();
    QCOMPARE(results.size(), 7);
    QStringList ids;
    QList<int> statuses;
    for (const GraphResult &r : results) {
        ids.append(r.batchId);
        statuses.append(r.httpStatus);
    }
    QCOMPARE(ids, (QStringList{"a", "b", "c", "d", "e", "f", "g"}));
    QCOMPARE(statuses, (QList<int>{204, 400, 424, 204, 200, 400, 400}));
    QVERIFY(!job->allSucceeded());
    QCOMPARE(results.at(2).code, QStringLiteral("FailedDependency"));
    QVERIFY(!results.at(2).advice.isEmpty());
    QCOMPARE(results.at(5).detailCode, QStringLiteral("ObjectConflict"));
    QCOMPARE(results.at(5).advice, GraphAdvice::objectConflict());
    // Refusals without a detail code are diagnosed from the user and its domain.
    QCOMPARE(results.at(1).advice, GraphAdvice::syncedObject());
    QCOMPARE(results.at(6).advice, GraphAdvice::federatedDomain());
    QVERIFY(!results.at(1).requestId.isEmpty());
    QCOMPARE(GraphClient::userFromJson(results.at(4).body).immutableId,
             QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA=="));
    QCOMPARE(m_tenant.writeLog().size(), 2);
}

void tst_GraphClient::batchInnerThrottleRetried()
{
    PracticeFaultSettings quota;
    quota.writeQuota = 2;
    quota.writeWindowMs = 500;
    m_tenant.setFaults(quota);
    QList<GraphBatchRequest> requests;
    const QStringList users{"cloud", "holder", "admin", "fed"};
    for (int i = 0; i < users.size(); ++i)
        requests.append(GraphBatchRequest::setUserPrincipalName(
            QString::number(i), users.at(i), users.at(i) + QStringLiteral("2@contoso.test")));
    GraphBatchJob *job = m_client->batch(requests);
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QVERIFY(job->allSucceeded());
    int resent = 0;
    for (const GraphResult &r : job->results())
        resent += r.attempts > 1;
    QCOMPARE(resent, 2);
    QCOMPARE(m_tenant.writeLog().size(), 4);
    // The second batch came after the largest inner Retry-After of the first.
    const QList<PracticeRequestRecord> log = m_tenant.requestLog();
    QCOMPARE(log.size(), 2);
    QVERIFY(log.at(0).retryAfterSeconds > 0);
    QVERIFY(log.at(1).atMs >= log.at(0).atMs + log.at(0).retryAfterSeconds * 1000.0);
}

void tst_GraphClient::batchCancel()
{
    PracticeFaultSettings slow;
    slow.delayMs = 300;
    m_tenant.setFaults(slow);
    GraphBatchJob *job =
        m_client->batch({GraphBatchRequest::getUser(QStringLiteral("1"), QStringLiteral("cloud"))});
    m_jobs.emplace_back(job);
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    QTRY_VERIFY(!m_tenant.requestLog().isEmpty());
    job->cancel();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(job->error(), int(Job::Cancelled));
    QTest::qWait(400);
    QCOMPARE(spy.size(), 1);
}

QTEST_GUILESS_MAIN(tst_GraphClient)
#include "tst_graphclient.moc"
