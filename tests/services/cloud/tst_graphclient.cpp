// GraphClient, its jobs and CloudScanJob against the in-process practice tenant.

#include "cloudscanjob.h"
#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "practicetenant.h"
#include "practicetestsupport.h"

#include <QJsonArray>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <limits>
#include <memory>

using namespace PracticeTest;

Q_DECLARE_METATYPE(PracticeFaultRule)

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
    void scanReads2026Facts();
    void scanReadsRolesThroughGroups_data();
    void scanReadsRolesThroughGroups();
    void scanWarnsWhatItCouldNotCheck_data();
    void scanWarnsWhatItCouldNotCheck();
    void scanGoesOnWithoutSyncSettings();
    void scanWarnsWhenAHolderLookupFails();
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
    void retryAfterParsed_data();
    void retryAfterParsed();
    void retryAfterBeyondLimitGivesUp_data();
    void retryAfterBeyondLimitGivesUp();
    void lostReplySettledByReading_data();
    void lostReplySettledByReading();
    void lostReplyUnreadableIsUnknown();
    void batchSettlesLostAnswers_data();
    void batchSettlesLostAnswers();
    void batchUnreadableIsUnknown();
    void largeAnswerParsedOnAPoolThread();

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
    CloudScanJob *scanWhileUnavailable(const QString &pathContains, bool inBatch);

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
    const auto log = m_tenant.requestLog();
    // (The sync errors' /users read runs beside it: not a page of every user.)
    const auto firstPage = std::find_if(log.cbegin(), log.cend(), [](const auto &r) {
        return r.path == QLatin1String("/v1.0/users") &&
               !r.query.contains(QLatin1String("onPremisesProvisioningErrors"));
    });
    QVERIFY(firstPage != log.cend());
    QVERIFY(firstPage->query.contains(QLatin1String("onPremisesImmutableId")));
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
    // Page by page: the page count is what is checked (tst_partitionedread: partitions).
    job->setPartitionThreshold(std::numeric_limits<qint64>::max());
    m_jobs.emplace_back(job);
    QList<qint64> progress;
    connect(job, &Job::progressChanged, this,
            [&](const JobProgress &p) { progress.append(p.done); });
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QCOMPARE(job->snapshot().users.size(), 305);
    QSet<QString> ids;
    for (const CloudUser &u : job->snapshot().users)
        ids.insert(u.id);
    QCOMPARE(ids.size(), 305);
    int usersRequests = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        if (r.path == QLatin1String("/v1.0/users") &&
            !r.query.contains(QLatin1String("onPremisesProvisioningErrors"))) {
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
    QVERIFY(!job->snapshot().flags.known);
    // One warning per thing not read, each naming the permission to grant.
    // The reads run side by side: the warnings come in the order the refusals arrive.
    QCOMPARE(job->warnings().size(), 3);
    const QString warnings = job->warnings().join(u'\n');
    QCOMPARE(warnings.count(QLatin1String("OnPremDirectorySynchronization.Read.All")), 1);
    QCOMPARE(warnings.count(QLatin1String("grant Group.Read.All")), 1);
    QCOMPARE(warnings.count(QLatin1String("grant OrgContact.Read.All")), 1);
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

// Roles with PIM eligibility, provisioning errors of users, groups and contacts, deleted
// groups, the holder of a conflicting address, the source of authority (DESIGN.md §7).
void tst_GraphClient::scanReads2026Facts()
{
    QCOMPARE(m_tenant.loadJson(rules2026Tenant()), QString());
    // A cloud-only group, not in any error list, holds the address the user's error names.
    m_tenant.directory().users[0].insert(
        QStringLiteral("onPremisesProvisioningErrors"),
        QJsonArray{
            QJsonObject{{QStringLiteral("category"), QStringLiteral("PropertyConflict")},
                        {QStringLiteral("propertyCausingError"), QStringLiteral("ProxyAddresses")},
                        {QStringLiteral("value"), QStringLiteral("smtp:plain@contoso.test")}}});
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QVERIFY2(job->warnings().isEmpty(), qPrintable(job->warnings().join(u'\n')));
    const CloudSnapshot s = job->snapshot();
    QVERIFY(s.flags.known);
    QHash<QString, CloudUser> byId;
    for (const CloudUser &u : s.users)
        byId.insert(u.id, u);
    // Active Global Administrator, PIM-eligible Global Administrator; an eligible
    // non-privileged role does not block matching.
    QVERIFY(byId.value(QStringLiteral("admin")).holdsAdminRole);
    QCOMPARE(byId.value(QStringLiteral("admin")).roles,
             (QList<RoleGrant>{{QStringLiteral("Global Administrator"), false}}));
    QVERIFY(byId.value(QStringLiteral("holder")).holdsAdminRole);
    QCOMPARE(byId.value(QStringLiteral("holder")).roles,
             (QList<RoleGrant>{{QStringLiteral("Global Administrator"), true}}));
    QVERIFY(!byId.value(QStringLiteral("fed")).holdsAdminRole);
    // Source of authority: read for the one candidate only (sync null + ImmutableId).
    QCOMPARE(byId.value(QStringLiteral("holder")).cloudManaged, std::optional<bool>(true));
    for (const QString &other : {QStringLiteral("cloud"), QStringLiteral("synced")})
        QCOMPARE(byId.value(other).cloudManaged, std::optional<bool>());
    // The user's own provisioning error.
    QCOMPARE(byId.value(QStringLiteral("cloud")).provisioningErrors.size(), 1);
    QCOMPARE(byId.value(QStringLiteral("cloud")).provisioningErrors.first().value,
             QStringLiteral("smtp:plain@contoso.test"));
    // Groups and contacts with errors, the deleted group, and the looked-up holder.
    QStringList others;
    for (const DirectoryObject &o : s.otherObjects)
        others << o.typeName() + u':' + o.id + u':' + QString::number(o.provisioningErrors.size());
    others.sort();
    QCOMPARE(others, (QStringList{"contact:k-ext:1", "deleted group:g-old:0", "group:g-plain:0",
                                  "group:g-sales:1"}));
    // The advanced queries carried ConsistencyLevel and $count; the per-user and holder
    // reads went in $batch.
    int advanced = 0, batches = 0, perUser = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog()) {
        if (r.query.contains(QLatin1String("onPremisesProvisioningErrors/any"))) {
            ++advanced;
            QCOMPARE(r.status, 200);
            QVERIFY(r.query.contains(QLatin1String("$count=true")));
        }
        batches += r.path == QLatin1String("/v1.0/$batch");
        perUser += r.path.endsWith(QLatin1String("/onPremisesSyncBehavior"));
    }
    QCOMPARE(advanced, 3);
    QCOMPARE(batches, 2); // one holder lookup, one source-of-authority batch
    QCOMPARE(perUser, 0); // never one by one
    QCOMPARE(job->batchesSent(), 2);
}

// A role assigned (or PIM-eligible) to a role-assignable group makes its members
// admin_role (Graph: /groups/{id}/transitiveMembers); a service principal holding a role
// answers 404 there and is no warning; without a permission to read members the scan says
// so. The tenant's temporary onPremisesObjectIdentifier bypass flag is read with the
// other sync flags.
void tst_GraphClient::scanReadsRolesThroughGroups_data()
{
    QTest::addColumn<bool>("membersReadable");
    QTest::newRow("members readable") << true;
    QTest::newRow("403 on group members") << false;
}

void tst_GraphClient::scanReadsRolesThroughGroups()
{
    QFETCH(bool, membersReadable);
    QJsonObject t = rules2026Tenant();
    QJsonObject sync = t.value(QStringLiteral("onPremisesSynchronization")).toObject();
    QJsonObject features = sync.value(QStringLiteral("features")).toObject();
    features.insert(QStringLiteral("allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled"), true);
    sync.insert(QStringLiteral("features"), features);
    t.insert(QStringLiteral("onPremisesSynchronization"), sync);
    QJsonArray groups = t.value(QStringLiteral("groups")).toArray();
    groups.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("g-admins")},
                              {QStringLiteral("displayName"), QStringLiteral("Tier 0 admins")},
                              {QStringLiteral("isAssignableToRole"), true},
                              {QStringLiteral("members"), QJsonArray{QStringLiteral("cloud")}}});
    groups.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("g-elig")},
                              {QStringLiteral("displayName"), QStringLiteral("PIM admins")},
                              {QStringLiteral("isAssignableToRole"), true},
                              {QStringLiteral("members"), QJsonArray{QStringLiteral("synced")}}});
    t.insert(QStringLiteral("groups"), groups);
    QJsonArray roles = t.value(QStringLiteral("directoryRoles")).toArray();
    QJsonObject ga = roles[0].toObject();
    ga.insert(QStringLiteral("members"),
              QJsonArray{QStringLiteral("admin"), QStringLiteral("g-admins"),
                         QStringLiteral("sp-automation")}); // a service principal
    roles[0] = ga;
    t.insert(QStringLiteral("directoryRoles"), roles);
    QJsonArray eligible = t.value(QStringLiteral("roleEligibilitySchedules")).toArray();
    eligible.append(QJsonObject{{QStringLiteral("principalId"), QStringLiteral("g-elig")},
                                {QStringLiteral("roleDefinitionId"),
                                 QStringLiteral("62e90394-69f5-4237-9190-012177145e10")}});
    t.insert(QStringLiteral("roleEligibilitySchedules"), eligible);
    QCOMPARE(m_tenant.loadJson(t), QString());
    if (!membersReadable)
        m_client->setAccessToken(m_tenant.issueAccessToken(
            {"User.Read.All", "Domain.Read.All", "Organization.Read.All",
             "OnPremDirectorySynchronization.Read.All", "RoleManagement.Read.Directory",
             "OrgContact.Read.All", "User-OnPremisesSyncBehavior.ReadWrite.All"}));
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    const CloudSnapshot s = job->snapshot();
    QVERIFY(s.flags.allowOnPremUpdateOfObjectIdentifier);
    QHash<QString, CloudUser> byId;
    for (const CloudUser &u : s.users)
        byId.insert(u.id, u);
    int memberReads = 0;
    for (const PracticeRequestRecord &r : m_tenant.requestLog())
        memberReads += r.path.contains(QLatin1String("/transitiveMembers/"));
    if (!membersReadable) {
        QVERIFY(!byId.value(QStringLiteral("cloud")).holdsAdminRole);
        QVERIFY2(
            job->warnings().join(u'\n').contains(
                u"Roles held through role-assignable groups not checked: grant Group.Read.All"),
            qPrintable(job->warnings().join(u'\n')));
        QCOMPARE(memberReads, 1); // one 403 is enough
        return;
    }
    QVERIFY2(job->warnings().isEmpty(), qPrintable(job->warnings().join(u'\n')));
    QVERIFY(byId.value(QStringLiteral("cloud")).holdsAdminRole);
    QCOMPARE(byId.value(QStringLiteral("cloud")).roles,
             (QList<RoleGrant>{RoleGrant(QStringLiteral("Global Administrator"), false,
                                         QStringLiteral("g-admins"))}));
    QVERIFY(byId.value(QStringLiteral("synced")).holdsAdminRole);
    QCOMPARE(byId.value(QStringLiteral("synced")).roles,
             (QList<RoleGrant>{RoleGrant(QStringLiteral("Global Administrator"), true,
                                         QStringLiteral("g-elig"))}));
    QCOMPARE(byId.value(QStringLiteral("admin")).roles,
             (QList<RoleGrant>{RoleGrant(QStringLiteral("Global Administrator"), false)}));
    QCOMPARE(memberReads, 3); // g-admins, g-elig, and the service principal's 404
}

void tst_GraphClient::scanWarnsWhatItCouldNotCheck_data()
{
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<QString>("warning");
    const QStringList base{"User.Read.All",         "Domain.Read.All",
                           "Organization.Read.All", "OnPremDirectorySynchronization.Read.All",
                           "Group.Read.All",        "OrgContact.Read.All"};
    QTest::newRow("PIM not readable with Directory.Read.All")
        << base + QStringList{"Directory.Read.All", "User-OnPremisesSyncBehavior.ReadWrite.All"}
        << "Eligible roles not checked: grant RoleManagement.Read.Directory";
    QTest::newRow("source of authority without its permission")
        << base + QStringList{"RoleManagement.Read.Directory"}
        << "Source of authority not checked for 1 of 1 user(s) without onPremisesSyncEnabled "
           "that carry an ImmutableId: grant User-OnPremisesSyncBehavior.ReadWrite.All";
}

void tst_GraphClient::scanWarnsWhatItCouldNotCheck()
{
    QFETCH(QStringList, permissions);
    QFETCH(QString, warning);
    QCOMPARE(m_tenant.loadJson(rules2026Tenant()), QString());
    m_client->setAccessToken(m_tenant.issueAccessToken(permissions));
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    QCOMPARE(job->warnings().size(), 1);
    QVERIFY2(job->warnings().first().startsWith(warning), qPrintable(job->warnings().first()));
    // Never a silent gap: what was not read is unknown, not "no".
    for (const CloudUser &u : job->snapshot().users)
        if (u.id == QLatin1String("holder")) {
            QCOMPARE(u.holdsAdminRole, !warning.startsWith(u"Eligible"));
            QCOMPARE(u.cloudManaged.has_value(), !warning.startsWith(u"Source"));
        }
}

// A scan of the 2026 tenant while Graph answers 503 (past every retry) to the requests
// whose path contains pathContains, inside $batch or not; nullptr unless it finished without
// error.
CloudScanJob *tst_GraphClient::scanWhileUnavailable(const QString &pathContains, bool inBatch)
{
    if (!m_tenant.loadJson(rules2026Tenant()).isEmpty())
        return nullptr;
    PracticeFaultRule unavailable;
    unavailable.effect = PracticeFaultRule::Effect::ServiceUnavailable;
    unavailable.inBatch = inBatch;
    unavailable.method = "GET";
    unavailable.pathContains = pathContains;
    unavailable.times = 100;
    unavailable.retryAfter = QStringLiteral("0");
    PracticeFaultSettings faults;
    faults.rules.append(unavailable);
    m_tenant.setFaults(faults);
    m_client->setAccessToken(m_tenant.issueAccessToken());
    CloudScanJob *job = m_client->scan();
    m_jobs.emplace_back(job);
    return run(job) && job->error() == Job::NoError ? job : nullptr;
}

// The sync settings only add pre-flight warnings, and Graph serves them to a delegated
// Global Administrator in the global cloud only: a refusal other than 403 (here a 503 that
// outlasts the retries) is a warning too, not the end of the scan.
void tst_GraphClient::scanGoesOnWithoutSyncSettings()
{
    CloudScanJob *job =
        scanWhileUnavailable(QStringLiteral("/directory/onPremisesSynchronization"), false);
    QVERIFY(job);
    QCOMPARE(job->warnings().size(), 1);
    const QString warning = job->warnings().first();
    QVERIFY2(warning.startsWith(u"The tenant's sync settings") && warning.contains(u"503"),
             qPrintable(warning));
    QVERIFY(!job->snapshot().users.isEmpty());
}

// Who holds a conflicting address is looked up in $batch; a lookup Graph keeps refusing
// (503 past the retries) is a warning, never a silent gap.
void tst_GraphClient::scanWarnsWhenAHolderLookupFails()
{
    CloudScanJob *job = scanWhileUnavailable(QStringLiteral("/groups"), true);
    QVERIFY(job);
    QCOMPARE(job->warnings().size(), 1);
    const QString warning = job->warnings().first();
    QVERIFY2(warning.contains(u"who holds a conflicting address failed") &&
                 warning.contains(u"503"),
             qPrintable(warning));
    for (const DirectoryObject &o : job->snapshot().otherObjects)
        QVERIFY(o.id != u"g-plain"); // the holder was not found
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

void tst_GraphClient::retryAfterParsed_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("expectedMs");
    const qint64 tooLong = GraphResult::RetryAfterTooLong;
    QTest::newRow("whole seconds") << QByteArray("2") << qint64(2000);
    QTest::newRow("fractional, as Graph sends") << QByteArray("2.128") << qint64(2128);
    QTest::newRow("fraction rounded up") << QByteArray("0.0001") << qint64(1);
    QTest::newRow("blanks around") << QByteArray(" 0.5 ") << qint64(500);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("absent") << QByteArray() << qint64(-1);
    QTest::newRow("not a number or date") << QByteArray("soon") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-3") << qint64(-1);
    QTest::newRow("trailing garbage") << QByteArray("3s") << qint64(-1);
    QTest::newRow("beyond 32 bits, exact") << QByteArray("99999999999") << qint64(99999999999000);
    QTest::newRow("huge: saturates") << QByteArray("1e300") << tooLong;
    QTest::newRow("overflowing double: saturates") << QByteArray("1e400") << tooLong;
    QTest::newRow("infinite: saturates") << QByteArray("inf") << tooLong;
    QTest::newRow("IMF-fixdate (GMT)")
        << QByteArray("Tue, 01 Dec 2026 00:00:08 GMT") << qint64(8000);
    QTest::newRow("IMF-fixdate far away, no 32-bit truncation")
        << QByteArray("Fri, 01 Jan 2100 00:00:00 GMT")
        << QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC)
               .msecsTo(QDateTime(QDate(2100, 1, 1), QTime(0, 0), Qt::UTC));
    QTest::newRow("IMF-fixdate in the past")
        << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << qint64(0);
    QTest::newRow("asctime") << QByteArray("Tue Dec  1 00:00:08 2026") << qint64(8000);
    QTest::newRow("RFC 2822 with offset")
        << QByteArray("Tue, 01 Dec 2026 01:00:08 +0100") << qint64(8000);
}

void tst_GraphClient::retryAfterParsed()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, expectedMs);
    const QDateTime now(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(GraphResult::parseRetryAfter(header, now), expectedMs);
}

void tst_GraphClient::retryAfterBeyondLimitGivesUp_data()
{
    QTest::addColumn<QString>("retryAfter");
    QTest::addColumn<bool>("givesUp");
    QTest::newRow("short fractional wait: retried") << "0.2" << false;
    QTest::newRow("date a few seconds ahead: retried")
        << QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(2),
                                 QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
        << false;
    QTest::newRow("huge number") << "1e300" << true;
    QTest::newRow("infinite") << "inf" << true;
    QTest::newRow("beyond int milliseconds") << "99999999999" << true;
    QTest::newRow("far IMF-fixdate") << "Fri, 01 Jan 2100 00:00:00 GMT" << true;
}

void tst_GraphClient::retryAfterBeyondLimitGivesUp()
{
    QFETCH(QString, retryAfter);
    QFETCH(bool, givesUp);
    PracticeFaultRule busy;
    busy.effect = PracticeFaultRule::Effect::ServiceUnavailable;
    busy.method = "GET";
    busy.pathContains = QStringLiteral("/users/holder");
    busy.retryAfter = retryAfter;
    PracticeFaultSettings faults;
    faults.rules = {busy};
    m_tenant.setFaults(faults);
    GraphRequestJob *job = finishedJob(m_client->getUser(QStringLiteral("holder")));
    QVERIFY(job);
    const GraphResult r = job->result();
    if (!givesUp) {
        QVERIFY2(r.ok, qPrintable(job->errorString()));
        QCOMPARE(r.attempts, 2);
        const QList<PracticeRequestRecord> log = m_tenant.requestLog();
        QCOMPARE(log.size(), 2);
        QVERIFY(log.at(1).atMs >= log.at(0).atMs + 150);
        return;
    }
    QVERIFY(!r.ok);
    QCOMPARE(r.httpStatus, 503);
    QCOMPARE(r.attempts, 1); // no waiting for ever, no hammering either
    QVERIFY(r.retryAfterMs > m_client->retryPolicy().maxRetryAfterMs);
    QVERIFY2(r.advice.contains(QLatin1String("longer than")), qPrintable(r.advice));
    QCOMPARE(m_tenant.requestLog().size(), 1);
}

void tst_GraphClient::lostReplySettledByReading_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<int>("effect");
    QTest::addColumn<int>("times");
    QTest::addColumn<bool>("landed"); // the tenant did the write before the reply was lost
    const int lost = int(PracticeFaultRule::Effect::LostReply);
    const int slow = int(PracticeFaultRule::Effect::SlowReply);
    const int drop = int(PracticeFaultRule::Effect::Drop);
    for (const char *op : {"stamp", "clear", "upn", "purge"}) {
        QTest::addRow("%s: reply lost after the write, past Qt's re-sends", op)
            << op << lost << 3 << true;
        QTest::addRow("%s: reply slower than the timeout", op) << op << slow << 1 << true;
        QTest::addRow("%s: dropped before the write", op) << op << drop << 3 << false;
    }
}

void tst_GraphClient::lostReplySettledByReading()
{
    QFETCH(QString, operation);
    QFETCH(int, effect);
    QFETCH(int, times);
    QFETCH(bool, landed);
    GraphRetryPolicy policy = m_client->retryPolicy();
    policy.requestTimeoutMs = 600;
    m_client->setRetryPolicy(policy);
    PracticeFaultRule rule;
    rule.effect = PracticeFaultRule::Effect(effect);
    rule.times = times;
    rule.delayMs = 1200;
    GraphRequestJob *job = nullptr;
    QString target = QStringLiteral("holder");
    if (operation == QLatin1String("stamp")) {
        rule.method = "PATCH";
        job = m_client->setImmutableId(target, QStringLiteral("LOSTAAAAAAAAAAAAAAAAAA=="));
    } else if (operation == QLatin1String("clear")) {
        rule.method = "PATCH";
        job = m_client->clearImmutableId(target);
    } else if (operation == QLatin1String("upn")) {
        rule.method = "PATCH";
        job = m_client->setUserPrincipalName(target, QStringLiteral("holder@") + initialDomain);
    } else {
        rule.method = "DELETE";
        target = QStringLiteral("gone");
        job = m_client->purgeDeletedItem(target);
    }
    PracticeFaultSettings faults;
    faults.rules = {rule};
    m_tenant.setFaults(faults);
    QVERIFY(finishedJob(job));
    const GraphResult r = job->result();
    QVERIFY2(r.ok, qPrintable(job->errorString()));
    QVERIFY(!r.outcomeUnknown);
    if (landed)
        QVERIFY2(!r.settleNote.isEmpty(), "a landed write is known from the read-back");

    // The client read the target back before deciding, and sent the change once more
    // only when the read-back showed it was not done.
    QTRY_VERIFY(!m_tenant.writeLog().isEmpty());
    int reads = 0, writeRequests = 0;
    double firstRead = -1, lastWrite = -1;
    for (const PracticeRequestRecord &rec : m_tenant.requestLog()) {
        if (rec.method == "GET") {
            ++reads;
            if (firstRead < 0)
                firstRead = rec.atMs;
        } else {
            ++writeRequests;
            lastWrite = rec.atMs;
        }
    }
    QVERIFY(reads >= 1);
    if (landed) {
        QVERIFY2(lastWrite < firstRead, "no write was sent after the read-back showed it done");
    } else {
        QVERIFY2(lastWrite > firstRead, "the write went again after the read-back");
        QCOMPARE(m_tenant.writeLog().size(), 1);
    }
    // The tenant holds the change.
    if (operation == QLatin1String("purge")) {
        QCOMPARE(m_tenant.directory().indexOfDeletedUser(target), -1);
    } else {
        const QJsonObject u =
            m_tenant.directory().users.at(m_tenant.directory().indexOfUser(target));
        if (operation == QLatin1String("stamp"))
            QCOMPARE(u.value("onPremisesImmutableId").toString(),
                     QStringLiteral("LOSTAAAAAAAAAAAAAAAAAA=="));
        else if (operation == QLatin1String("clear"))
            QVERIFY(u.value("onPremisesImmutableId").isNull());
        else
            QCOMPARE(u.value("userPrincipalName").toString(),
                     QStringLiteral("holder@") + initialDomain);
    }
}

void tst_GraphClient::lostReplyUnreadableIsUnknown()
{
    PracticeFaultRule lost;
    lost.effect = PracticeFaultRule::Effect::LostReply;
    lost.method = "PATCH";
    lost.times = 3;
    PracticeFaultRule unreadable;
    unreadable.effect = PracticeFaultRule::Effect::ServiceUnavailable;
    unreadable.method = "GET";
    unreadable.times = 1000;
    PracticeFaultSettings faults;
    faults.rules = {lost, unreadable};
    m_tenant.setFaults(faults);
    GraphRequestJob *job = finishedJob(m_client->setImmutableId(
        QStringLiteral("cloud"), QStringLiteral("UNKNAAAAAAAAAAAAAAAAAA==")));
    QVERIFY(job);
    const GraphResult r = job->result();
    QVERIFY(!r.ok);
    QVERIFY(r.outcomeUnknown);
    QVERIFY2(r.advice.startsWith(QLatin1String("outcome unknown:")), qPrintable(r.advice));
    QTRY_VERIFY(!m_tenant.writeLog().isEmpty()); // it did land: "failed" would have been a lie
}

void tst_GraphClient::batchSettlesLostAnswers_data()
{
    QTest::addColumn<PracticeFaultRule>("rule");
    QTest::addColumn<bool>("landedBeforeLoss");
    PracticeFaultRule lost;
    lost.effect = PracticeFaultRule::Effect::LostReply;
    lost.method = "POST";
    lost.pathContains = QStringLiteral("$batch");
    lost.bodyContains = QStringLiteral("PATCH");
    lost.times = 3;
    QTest::newRow("whole $batch reply lost after the writes") << lost << true;
    PracticeFaultRule slow = lost;
    slow.effect = PracticeFaultRule::Effect::SlowReply;
    slow.times = 1;
    slow.delayMs = 1200;
    QTest::newRow("whole $batch reply slower than the timeout") << slow << true;
    PracticeFaultRule drop = lost;
    drop.effect = PracticeFaultRule::Effect::Drop;
    QTest::newRow("$batch dropped before the writes") << drop << false;
    PracticeFaultRule busy;
    busy.effect = PracticeFaultRule::Effect::ServiceUnavailable;
    busy.inBatch = true;
    busy.method = "PATCH";
    busy.pathContains = QStringLiteral("/users/holder");
    busy.retryAfter = QStringLiteral("0.3");
    busy.times = 2;
    QTest::newRow("inner 503 with Retry-After") << busy << false;
    PracticeFaultRule gateway = busy;
    gateway.retryAfter.clear();
    QTest::newRow("inner 503 without Retry-After: backoff") << gateway << false;
    PracticeFaultRule throttled = busy;
    throttled.effect = PracticeFaultRule::Effect::Throttle;
    throttled.retryAfter = QStringLiteral("0.25");
    QTest::newRow("inner 429 with Retry-After") << throttled << false;
    PracticeFaultRule outer = busy;
    outer.inBatch = false;
    outer.method = "POST";
    outer.pathContains = QStringLiteral("$batch");
    QTest::newRow("outer 503 with Retry-After") << outer << false;
}

void tst_GraphClient::batchSettlesLostAnswers()
{
    QFETCH(PracticeFaultRule, rule);
    QFETCH(bool, landedBeforeLoss);
    GraphRetryPolicy policy = m_client->retryPolicy();
    policy.requestTimeoutMs = 600;
    m_client->setRetryPolicy(policy);
    PracticeFaultSettings faults;
    faults.rules = {rule};
    m_tenant.setFaults(faults);
    const QList<GraphBatchRequest> requests{
        GraphBatchRequest::setImmutableId(QStringLiteral("1"), QStringLiteral("cloud"),
                                          QStringLiteral("BTCHAAAAAAAAAAAAAAAAAA==")),
        GraphBatchRequest::setImmutableId(QStringLiteral("2"), QStringLiteral("holder"), QString()),
        GraphBatchRequest::setUserPrincipalName(QStringLiteral("3"), QStringLiteral("admin"),
                                                QStringLiteral("admin2@contoso.test")),
        GraphBatchRequest::purgeDeletedItem(QStringLiteral("4"), QStringLiteral("gone")),
    };
    GraphBatchJob *job = m_client->batch(requests);
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    QCOMPARE(job->error(), int(Job::NoError));
    for (const GraphResult &r : job->results())
        QVERIFY2(r.ok && !r.outcomeUnknown, qPrintable(r.batchId + u' ' + r.advice));
    if (landedBeforeLoss)
        for (const GraphResult &r : job->results())
            QVERIFY2(!r.settleNote.isEmpty(), qPrintable(r.batchId));

    // Each change reached the tenant in one $batch: the one whose reply was lost (Qt's
    // silent re-sends of it carry the same client-request-id), or, when nothing was done
    // yet, the one sent after the read-back.
    QTRY_COMPARE(m_tenant.directory().indexOfDeletedUser(QStringLiteral("gone")), -1);
    QHash<QString, QSet<QString>> sendsPerTarget;
    for (const PracticeWrite &w : m_tenant.writeLog())
        sendsPerTarget[w.targetId].insert(w.clientRequestId);
    QCOMPARE(sendsPerTarget.size(), 4);
    for (auto it = sendsPerTarget.cbegin(); it != sendsPerTarget.cend(); ++it)
        QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
    const PracticeDirectory &d = m_tenant.directory();
    QCOMPARE(d.users.at(d.indexOfUser("cloud")).value("onPremisesImmutableId").toString(),
             QStringLiteral("BTCHAAAAAAAAAAAAAAAAAA=="));
    QVERIFY(d.users.at(d.indexOfUser("holder")).value("onPremisesImmutableId").isNull());
    QCOMPARE(d.users.at(d.indexOfUser("admin")).value("userPrincipalName").toString(),
             QStringLiteral("admin2@contoso.test"));

    // A Retry-After was honoured on the tenant's clock.
    const QList<PracticeRequestRecord> log = m_tenant.requestLog();
    for (int i = 0; i < log.size(); ++i)
        if (log.at(i).retryAfterSeconds > 0 && i + 1 < log.size())
            QVERIFY(log.at(i + 1).atMs >= log.at(i).atMs + log.at(i).retryAfterSeconds * 1000.0);
}

void tst_GraphClient::batchUnreadableIsUnknown()
{
    PracticeFaultRule lost;
    lost.effect = PracticeFaultRule::Effect::LostReply;
    lost.method = "POST";
    lost.bodyContains = QStringLiteral("PATCH");
    lost.times = 3;
    PracticeFaultRule unreadable;
    unreadable.effect = PracticeFaultRule::Effect::Drop;
    unreadable.method = "POST";
    unreadable.bodyContains = QStringLiteral("\"GET\"");
    unreadable.times = 1000;
    PracticeFaultSettings faults;
    faults.rules = {lost, unreadable};
    m_tenant.setFaults(faults);
    GraphBatchJob *job = m_client->batch({GraphBatchRequest::setImmutableId(
        QStringLiteral("1"), QStringLiteral("cloud"), QStringLiteral("UNKNAAAAAAAAAAAAAAAAAA=="))});
    m_jobs.emplace_back(job);
    QVERIFY(run(job));
    const GraphResult r = job->results().value(0);
    QVERIFY(!r.ok);
    QVERIFY(r.outcomeUnknown);
    QVERIFY2(r.advice.startsWith(QLatin1String("outcome unknown:")), qPrintable(r.advice));
    QCOMPARE(m_tenant.directory()
                 .users.at(m_tenant.directory().indexOfUser("cloud"))
                 .value("onPremisesImmutableId")
                 .toString(),
             QStringLiteral("UNKNAAAAAAAAAAAAAAAAAA=="));
}

QTEST_GUILESS_MAIN(tst_GraphClient)
// A page of 999 users is past GraphRequestJob::AsyncParseBytes: its JSON is parsed on a pool
// thread and the job goes on from there, with the same result as a small answer.
void tst_GraphClient::largeAnswerParsedOnAPoolThread()
{
    m_tenant.directory().addSyntheticUsers(2000, QStringLiteral("contoso.test"));
    GraphRequestJob *job = finishedJob(
        m_client->request("GET", u"/users?$top=999&$select=" + GraphClient::userSelect(),
                          std::nullopt, true, QStringLiteral("User.Read.All")));
    QVERIFY(job);
    QVERIFY2(job->bytesReceived() >= GraphRequestJob::AsyncParseBytes,
             qPrintable(QString::number(job->bytesReceived())));
    const GraphResult r = job->result();
    QVERIFY(r.ok);
    QCOMPARE(r.httpStatus, 200);
    const QJsonArray users = r.body.value(u"value").toArray();
    QCOMPARE(users.size(), 999);
    QVERIFY(r.body.value(u"@odata.nextLink").toString().contains(u"skiptoken"));
    QVERIFY(!GraphClient::userFromJson(users.last().toObject()).id.isEmpty());

    // Cancelled while the answer may be parsing: finishes once, cancelled.
    GraphRequestJob *cancelled =
        m_client->request("GET", u"/users?$top=999&$select=" + GraphClient::userSelect(),
                          std::nullopt, true, QStringLiteral("User.Read.All"));
    m_jobs.emplace_back(cancelled);
    cancelled->setAutoDelete(false);
    QSignalSpy finished(cancelled, &Job::finished);
    // The manager says a reply finished just before the job hears it; a cancel queued then
    // comes after the job handed the body to a pool thread and before the parse can end.
    connect(m_client->network(), &QNetworkAccessManager::finished, cancelled, &Job::cancel,
            Qt::QueuedConnection);
    cancelled->start();
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(cancelled->bytesReceived() >= GraphRequestJob::AsyncParseBytes);
    QTest::qWait(100); // a parse that was under way must not finish it again
    QCOMPARE(finished.size(), 1);
    QCOMPARE(cancelled->error(), int(Job::Cancelled));
}

#include "tst_graphclient.moc"
