// Large-tenant reads: the practice tenant's Graph latency, read budget, startswith and
// $count (DESIGN.md §7, issue 15), and PartitionedUserReadJob / CloudScanJob reading a
// tenant in parallel partitions that miss no one.

#include "cloudscanjob.h"
#include "graphclient.h"
#include "graphreadbudget.h"
#include "partitioneduserreadjob.h"
#include "practicetenant.h"
#include "practicetestsupport.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace PracticeTest;

class tst_PartitionedRead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void resourceUnitCost_data();
    void resourceUnitCost();
    void readBudgetAnswers429();
    void pageDelayOnlyOnPages();
    void startswithAndCount_data();
    void startswithAndCount();
    void partitionedReadIsComplete_data();
    void partitionedReadIsComplete();
    void scanReadsBigTenantInPartitions();
    void rescanReadsOnlyChanges_data();
    void rescanReadsOnlyChanges();

private:
    // smallTenant() with the users (and deleted users) given.
    void load(const QJsonArray &users, const QJsonArray &deleted = {})
    {
        QJsonObject t = smallTenant();
        t.insert(QStringLiteral("users"), users);
        t.insert(QStringLiteral("deletedUsers"), deleted);
        QCOMPARE(m_tenant.loadJson(t), QString());
    }
    HttpReply get(const QString &pathAndQuery, bool consistencyHeader = false)
    {
        QList<QPair<QByteArray, QByteArray>> headers{
            {"Authorization", "Bearer " + m_token.toLatin1()}};
        if (consistencyHeader)
            headers.append(qMakePair(QByteArray("ConsistencyLevel"), QByteArray("eventual")));
        return http(m_nam, "GET", QUrl(m_tenant.baseUrl() + pathAndQuery), {}, headers);
    }
    static QStringList ids(const HttpReply &r)
    {
        QStringList out;
        for (const QJsonValue &v : r.json().value(QStringLiteral("value")).toArray())
            out << v.toObject().value(QStringLiteral("id")).toString();
        out.sort();
        return out;
    }
    template <typename J> bool run(J *job)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        return spy.wait(60000) && spy.size() == 1;
    }

    PracticeTenant m_tenant;
    QNetworkAccessManager m_nam;
    QString m_token;
    std::unique_ptr<GraphClient> m_client;
};

namespace {
// One user per first character Entra allows in a userPrincipalName (both cases of each
// letter), plus 45 users below "jo" so that partitions split twice, plus extra users.
QJsonArray everyFirstCharacter(const QStringList &extraUpns = {})
{
    QJsonArray users;
    int n = 0;
    const auto add = [&](const QString &upn) {
        users.append(user(QStringLiteral("u%1").arg(n++, 4, 10, QLatin1Char('0')), upn,
                          QJsonValue(QJsonValue::Null)));
    };
    const QString first =
        QStringLiteral("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.-_!#^~");
    for (const QChar c : first)
        add(QString(c) + QStringLiteral("x%1@contoso.test").arg(n));
    for (const QChar c : PartitionedUserReadJob::partitionCharacters())
        add(QStringLiteral("jo") + c + QStringLiteral("@contoso.test"));
    add(QStringLiteral("jo@contoso.test"));
    for (const QString &upn : extraUpns)
        add(upn);
    return users;
}
} // namespace

void tst_PartitionedRead::initTestCase()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
    m_token = m_tenant.issueAccessToken();
}

void tst_PartitionedRead::init()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    m_tenant.setFaults({});
    m_tenant.clearLogs();
    GraphConfig config;
    config.authorityUrl = QUrl(m_tenant.baseUrl());
    config.graphUrl = QUrl(m_tenant.baseUrl());
    config.tenant = tenantId;
    config.clientId = clientId;
    m_client = std::make_unique<GraphClient>(config);
    m_client->setAccessToken(m_token);
    GraphRetryPolicy fast;
    fast.baseDelayMs = 20;
    fast.maxDelayMs = 200;
    fast.requestTimeoutMs = 10000;
    fast.maxAttempts = 40; // the tight read budget below keeps four requests contending
    m_client->setRetryPolicy(fast);
}

void tst_PartitionedRead::resourceUnitCost_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("pathAndQuery");
    QTest::addColumn<int>("cost");
    QTest::newRow("list users") << QByteArray("GET") << "/v1.0/users" << 2;
    QTest::newRow("list users, $select") << QByteArray("GET") << "/v1.0/users?$select=id" << 1;
    QTest::newRow("list users, $top below 20") << QByteArray("GET") << "/users?$top=19" << 1;
    QTest::newRow("list users, $top 20") << QByteArray("GET") << "/users?$top=20" << 2;
    QTest::newRow("never below 1") << QByteArray("GET") << "/users?$select=id&$top=5" << 1;
    QTest::newRow("count") << QByteArray("GET") << "/v1.0/users/$count" << 1;
    QTest::newRow("one user, $expand") << QByteArray("GET") << "/users/x?$expand=manager" << 2;
    QTest::newRow("group members") << QByteArray("GET") << "/beta/groups/g/members" << 3;
    QTest::newRow("patch") << QByteArray("PATCH") << "/v1.0/users/x" << 1;
    QTest::newRow("recycle bin") << QByteArray("GET")
                                 << "/v1.0/directory/deletedItems/microsoft.graph.user" << 1;
}

void tst_PartitionedRead::resourceUnitCost()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, pathAndQuery);
    QFETCH(int, cost);
    const QUrl url(QStringLiteral("http://h") + pathAndQuery);
    QCOMPARE(GraphReadBudget::costOf(method, url.path(), QUrlQuery(url)), cost);
}

void tst_PartitionedRead::readBudgetAnswers429()
{
    PracticeFaultSettings faults;
    faults.readBudget = 3;
    faults.readWindowMs = 1500;
    m_tenant.setFaults(faults);
    QCOMPARE(get(QStringLiteral("/v1.0/users")).status, 200);   // 2 units
    QCOMPARE(get(QStringLiteral("/v1.0/domains")).status, 200); // 1 unit
    QElapsedTimer clock;
    clock.start();
    const HttpReply r = get(QStringLiteral("/v1.0/domains"));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.errorCode(), QStringLiteral("TooManyRequests"));
    QCOMPARE(r.header("x-ms-throttle-information"), QByteArray("ResourceUnitLimitExceeded"));
    const QByteArray scope = "Tenant_Application/Read/" + clientId.toLatin1() + '/';
    QVERIFY(r.header("x-ms-throttle-scope").startsWith(scope));
    const QByteArray retryAfter = r.header("Retry-After");
    QVERIFY2(retryAfter.contains('.'), retryAfter.constData()); // fractional, like Graph
    const double seconds = retryAfter.toDouble();
    QVERIFY2(seconds > 0 && seconds <= 1.5, retryAfter.constData());
    // Waiting as told is enough.
    QTest::qWait(int(seconds * 1000) + 50 - int(clock.elapsed()));
    QCOMPARE(get(QStringLiteral("/v1.0/domains")).status, 200);
    // -1: Graph's own quota for the tenant's size (under 50 users: 3,500 units).
    faults.readBudget = -1;
    m_tenant.setFaults(faults);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(get(QStringLiteral("/v1.0/users")).status, 200);
}

void tst_PartitionedRead::pageDelayOnlyOnPages()
{
    PracticeFaultSettings faults;
    faults.pageDelayMs = 400;
    m_tenant.setFaults(faults);
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(get(QStringLiteral("/v1.0/users?$top=2")).status, 200);
    QVERIFY2(clock.elapsed() >= 400, qPrintable(QString::number(clock.elapsed())));
    clock.restart();
    QCOMPARE(get(QStringLiteral("/v1.0/users/cloud")).status, 200);
    QVERIFY2(clock.elapsed() < 400, qPrintable(QString::number(clock.elapsed())));
    // Pages are answered late in parallel, not one after the other.
    QList<QNetworkReply *> replies;
    clock.restart();
    for (int i = 0; i < 4; ++i) {
        QNetworkRequest request(QUrl(m_tenant.baseUrl() + QStringLiteral("/v1.0/users")));
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        replies.append(m_nam.get(request));
    }
    for (QNetworkReply *reply : std::as_const(replies)) {
        if (!reply->isFinished())
            QVERIFY(QSignalSpy(reply, &QNetworkReply::finished).wait(5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }
    QVERIFY2(clock.elapsed() < 1200, qPrintable(QString::number(clock.elapsed())));
}

void tst_PartitionedRead::startswithAndCount_data()
{
    QTest::addColumn<QString>("pathAndQuery");
    QTest::addColumn<bool>("consistencyHeader");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("answer"); // sorted ids, or the count

    QTest::newRow("startswith") << "/v1.0/users?$filter=startswith(userPrincipalName,'h')" << false
                                << 200 << QString() << "holder";
    QTest::newRow("startswith ignores case")
        << "/v1.0/users?$filter=startsWith(userPrincipalName,'SY')" << false << 200 << QString()
        << "synced";
    QTest::newRow("startswith a quote") << "/v1.0/users?$filter=startswith(userPrincipalName,'''')"
                                        << false << 200 << QString() << "";
    QTest::newRow("startswith on a property without it")
        << "/v1.0/users?$filter=startswith(onPremisesImmutableId,'S')" << false << 400
        << "Request_UnsupportedQuery"
        << "";
    QTest::newRow("endswith needs the advanced parameters")
        << "/v1.0/users?$filter=endswith(userPrincipalName,'test')" << false << 400
        << "Request_UnsupportedQuery"
        << "";
    QTest::newRow("endswith with them")
        << "/v1.0/users?$filter=endswith(userPrincipalName,'fed.contoso.test')&$count=true" << true
        << 200 << QString() << "fed";
    QTest::newRow("count without ConsistencyLevel")
        << "/v1.0/users/$count" << false << 400 << "Request_UnsupportedQuery"
        << "";
    QTest::newRow("count") << "/v1.0/users/$count" << true << 200 << QString() << "5";
    QTest::newRow("count, filtered")
        << "/v1.0/users/$count?$filter=startswith(userPrincipalName,'ad')" << true << 200
        << QString() << "1";
    QTest::newRow("count of the recycle bin")
        << "/v1.0/directory/deletedItems/microsoft.graph.user/$count" << true << 200 << QString()
        << "1";
}

void tst_PartitionedRead::startswithAndCount()
{
    QFETCH(QString, pathAndQuery);
    QFETCH(bool, consistencyHeader);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, answer);
    const QUrl url(m_tenant.baseUrl() + pathAndQuery);
    const HttpReply r = get(pathAndQuery, consistencyHeader);
    QCOMPARE(r.status, status);
    if (status != 200) {
        QCOMPARE(r.errorCode(), code);
        return;
    }
    if (pathAndQuery.contains(QLatin1String("$count?")) ||
        pathAndQuery.endsWith(QLatin1String("$count"))) {
        QCOMPARE(r.header("Content-Type"), QByteArray("text/plain"));
        QCOMPARE(QString::fromLatin1(r.body), answer);
    } else {
        QCOMPARE(ids(r).join(QLatin1Char(',')), answer);
    }
}

void tst_PartitionedRead::partitionedReadIsComplete_data()
{
    QTest::addColumn<QStringList>("extraUpns");
    QTest::addColumn<bool>("deleted");
    QTest::addColumn<int>("countOffset");
    QTest::addColumn<int>("readBudget");
    QTest::addColumn<bool>("partitioned"); // false: read again page by page, with a warning

    QTest::newRow("every allowed first character") << QStringList() << false << 0 << 0 << true;
    QTest::newRow("recycle bin") << QStringList() << true << 0 << 0 << true;
    // Entra refuses these in a userPrincipalName, but a tenant that has one anyway is not
    // read short: the count disagrees and the users are read page by page.
    QTest::newRow("non-ASCII first character")
        << QStringList{QStringLiteral("\u00e9mile@contoso.test"),
                       QStringLiteral("\u03a9mega@contoso.test")}
        << false << 0 << 0 << false;
    QTest::newRow("count index lagging behind") << QStringList() << false << 1 << 0 << false;
    QTest::newRow("tight read budget: 429s waited out")
        << QStringList() << false << 0 << 12 << true;
}

void tst_PartitionedRead::partitionedReadIsComplete()
{
    QFETCH(QStringList, extraUpns);
    QFETCH(bool, deleted);
    QFETCH(int, countOffset);
    QFETCH(int, readBudget);
    QFETCH(bool, partitioned);
    const QJsonArray users = everyFirstCharacter(extraUpns);
    if (deleted) {
        QJsonArray gone;
        for (const QJsonValue &v : users) {
            QJsonObject u = v.toObject();
            u.insert(QStringLiteral("deletedDateTime"), QStringLiteral("2026-11-01T10:00:00Z"));
            gone.append(u);
        }
        load(smallTenant().value(QStringLiteral("users")).toArray(), gone);
    } else {
        load(users);
    }
    PracticeFaultSettings faults;
    faults.countOffset = countOffset;
    faults.readBudget = readBudget;
    faults.readWindowMs = 300;
    m_tenant.setFaults(faults);

    auto *job = new PartitionedUserReadJob(
        m_client.get(),
        deleted ? QStringLiteral("/directory/deletedItems/microsoft.graph.user")
                : QStringLiteral("/users"),
        GraphClient::userSelect(), 5);
    job->setPartitionThreshold(10);
    job->setMaxInFlight(4);
    std::unique_ptr<PartitionedUserReadJob> owner(job);
    QVERIFY(run(job));
    QVERIFY2(job->error() == Job::NoError, qPrintable(job->errorString()));
    QVERIFY2(job->wasPartitioned() == partitioned, qPrintable(job->warnings().join(u'\n')));
    QCOMPARE(job->warnings().isEmpty(), partitioned);

    // Every user exactly once.
    const QList<CloudUser> read = job->takeUsers();
    QCOMPARE(read.size(), users.size());
    QSet<QString> seen;
    for (const CloudUser &u : read) {
        QVERIFY2(!seen.contains(u.id), qPrintable(u.id));
        seen.insert(u.id);
    }
    for (const QJsonValue &v : users)
        QVERIFY(seen.contains(v.toObject().value(QStringLiteral("id")).toString()));

    // The partitions were basic startswith queries, split below "j" and "jo".
    QStringList filters;
    int throttled = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog()) {
        const qsizetype at = r.query.indexOf(QLatin1String("$filter="));
        if (at >= 0 && !r.query.contains(QLatin1String("skiptoken")))
            filters << r.query.mid(at + 8).section(QLatin1Char('&'), 0, 0);
        throttled += r.status == 429;
    }
    if (partitioned) {
        for (const char *f :
             {"startswith(userPrincipalName,'#')", "startswith(userPrincipalName,'''')",
              "startswith(userPrincipalName,'joa')", "startswith(userPrincipalName,'jo@')"})
            QVERIFY2(filters.contains(QLatin1String(f)), f);
        QVERIFY(!filters.contains(QStringLiteral("startswith(userPrincipalName,'A')")));
    }
    if (readBudget > 0)
        QVERIFY(throttled > 0);
}

void tst_PartitionedRead::scanReadsBigTenantInPartitions()
{
    const QJsonArray users = everyFirstCharacter();
    load(users, smallTenant().value(QStringLiteral("deletedUsers")).toArray());
    CloudScanJob *job = m_client->scan();
    job->setPageSize(7);
    job->setPartitionThreshold(20);
    std::unique_ptr<CloudScanJob> owner(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QVERIFY(job->usersPartitioned());
    QVERIFY(job->partitionsRead() > 44);
    const CloudSnapshot snapshot = job->snapshot();
    QCOMPARE(snapshot.users.size(), users.size());
    QSet<QString> seen;
    for (const CloudUser &u : snapshot.users)
        seen.insert(u.id);
    QCOMPARE(seen.size(), users.size());
    QCOMPARE(snapshot.deletedUsers.size(), 1); // smallTenant's recycle bin, read plainly
    QVERIFY(job->warnings().isEmpty());
}

void tst_PartitionedRead::rescanReadsOnlyChanges_data()
{
    QTest::addColumn<qint64>("deltaLifetimeMs");
    QTest::addColumn<bool>("resync");
    QTest::addColumn<QString>("warning"); // empty: read from the delta link, no warning
    QTest::newRow("changes only") << qint64(3600000) << false << QString();
    QTest::newRow("expired delta link: 400 syncStateNotFound")
        << qint64(0) << false << QStringLiteral("expired");
    QTest::newRow("410 Gone: resync required")
        << qint64(3600000) << true << QStringLiteral("410 Gone");
}

void tst_PartitionedRead::rescanReadsOnlyChanges()
{
    QFETCH(qint64, deltaLifetimeMs);
    QFETCH(bool, resync);
    QFETCH(QString, warning);
    const QJsonArray users = everyFirstCharacter();
    load(users, smallTenant().value(QStringLiteral("deletedUsers")).toArray());
    const auto scan = [this](const CloudSnapshot *previous) {
        CloudScanJob *job = m_client->scan();
        job->setPageSize(7);
        job->setPartitionThreshold(20);
        if (previous)
            job->setPrevious(*previous);
        return std::unique_ptr<CloudScanJob>(job);
    };
    auto first = scan(nullptr);
    QVERIFY(run(first.get()));
    QCOMPARE(first->error(), int(Job::NoError));
    const CloudSnapshot before = first->snapshot();
    QVERIFY(before.usersDeltaLink.contains(QLatin1String("$deltatoken=")));

    // Changes in the tenant: a new anchor, a renamed user, one to the recycle bin, one new.
    PracticeDirectory &d = m_tenant.directory();
    QJsonObject stamped = d.users.at(3);
    stamped.insert(QStringLiteral("onPremisesImmutableId"),
                   QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA=="));
    d.setUser(3, stamped);
    QJsonObject renamed = d.users.at(10);
    renamed.insert(QStringLiteral("userPrincipalName"), QStringLiteral("renamed@contoso.test"));
    d.setUser(10, renamed);
    QJsonObject gone = d.users.takeAt(20);
    gone.insert(QStringLiteral("deletedDateTime"), QStringLiteral("2026-12-01T05:00:00Z"));
    d.deletedUsers.append(gone);
    d.users.append(user(QStringLiteral("fresh"), QStringLiteral("fresh@contoso.test"),
                        QJsonValue(QJsonValue::Null)));
    d.reindex();
    PracticeFaultSettings faults;
    faults.deltaTokenLifetimeMs = deltaLifetimeMs;
    faults.deltaResync = resync;
    m_tenant.setFaults(faults);
    m_tenant.clearLogs();

    auto again = scan(&before);
    QVERIFY(run(again.get()));
    QCOMPARE(again->error(), int(Job::NoError));
    QCOMPARE(again->usersFromDelta(), warning.isEmpty());
    if (warning.isEmpty())
        QVERIFY2(again->warnings().isEmpty(), qPrintable(again->warnings().join(u'\n')));
    else
        QVERIFY2(again->warnings().join(u'\n').contains(warning),
                 qPrintable(again->warnings().join(u'\n')));
    int fullReads = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        fullReads += r.path == QLatin1String("/v1.0/users") &&
                     !r.query.contains(QLatin1String("onPremisesProvisioningErrors"));
    QCOMPARE(fullReads > 0, !warning.isEmpty()); // changes only: no page of all users

    // Whichever way, the users are the tenant's as a full scan sees them.
    auto full = scan(nullptr);
    QVERIFY(run(full.get()));
    const auto key = [](const QList<CloudUser> &list) {
        QStringList out;
        for (const CloudUser &u : list)
            out << u.id + u'|' + u.upn + u'|' + u.immutableId;
        out.sort();
        return out;
    };
    QCOMPARE(key(again->snapshot().users), key(full->snapshot().users));
    QCOMPARE(again->snapshot().users.size(), users.size()); // one gone, one new
    QCOMPARE(again->snapshot().deletedUsers.size(), 2);
    QVERIFY(!again->snapshot().usersDeltaLink.isEmpty());
    QVERIFY(again->snapshot().usersDeltaLink != before.usersDeltaLink);
}

QTEST_GUILESS_MAIN(tst_PartitionedRead)
#include "tst_partitionedread.moc"
