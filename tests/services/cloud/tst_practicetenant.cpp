// The practice tenant against Microsoft's documented Graph and identity-platform
// behaviour (DESIGN.md §7), over real HTTP on 127.0.0.1.

#include "practicetenant.h"
#include "practicetestsupport.h"

#include <QCryptographicHash>
#include <QSet>
#include <QTest>
#include <QUrlQuery>

using namespace PracticeTest;

class tst_PracticeTenant : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void defaultPropertySet();
    void selectReturnsOnlyWhatWasAsked();
    void selectUnknownProperty();
    void pageSize_data();
    void pageSize();
    void pagingFollowsOpaqueNextLinks_data();
    void pagingFollowsOpaqueNextLinks();
    void filterOnImmutableId_data();
    void filterOnImmutableId();
    void patch_data();
    void patch();
    void federatedUpnSwitchWorkaround();
    void bearerTokenChecked_data();
    void bearerTokenChecked();
    void permissions_data();
    void permissions();
    void recycleBin();
    void batchValidation_data();
    void batchValidation();
    void batchDependsOnAndAnyOrder();
    void batchInnerThrottle();
    void writeQuota();
    void faultsOverHttp();
    void slowReplyAnswersLate();
    void faultRulesOverHttp_data();
    void faultRulesOverHttp();
    void batchFaultRules();
    void uniquenessIndexFollowsTheDirectory();
    void tokenEndpoint_data();
    void tokenEndpoint();
    void pkceVerifier();
    void deviceCodeOverHttp_data();
    void deviceCodeOverHttp();
    void refreshTokenForConsentedScopes_data();
    void refreshTokenForConsentedScopes();
    void stateAndReset();
    void provisioningErrorsQuery_data();
    void provisioningErrorsQuery();
    void advancedQueryHeaderOnEveryPage();
    void holderLookupInBatch();
    void syncBehavior_data();
    void syncBehavior();
    void roleManagement_data();
    void roleManagement();
    void clearObjectIdentifier_data();
    void clearObjectIdentifier();
    void groupMembers();
    void simulatedSyncBlocksLike2026_data();
    void simulatedSyncBlocksLike2026();

private:
    // smallTenant() plus the 2026 facts: provisioning errors on a user, a group and a
    // contact, a deleted group, a source-of-authority conversion, PIM eligibility.
    void load2026() { QCOMPARE(m_tenant.loadJson(rules2026Tenant()), QString()); }
    HttpReply advanced(const QString &path, bool consistencyHeader, const QString &token = {})
    {
        QList<QPair<QByteArray, QByteArray>> headers{
            {"Authorization", "Bearer " + (token.isEmpty() ? m_token : token).toLatin1()}};
        if (consistencyHeader)
            headers.append(qMakePair(QByteArray("ConsistencyLevel"), QByteArray("eventual")));
        return http(m_nam, "GET", url(path), {}, headers);
    }
    static QStringList ids(const HttpReply &r)
    {
        QStringList out;
        for (const QJsonValue &v : r.json().value(QStringLiteral("value")).toArray())
            out << v.toObject().value(QStringLiteral("id")).toString();
        return out;
    }

    QUrl url(const QString &pathAndQuery) const { return QUrl(m_tenant.baseUrl() + pathAndQuery); }
    HttpReply graph(const QByteArray &method, const QString &path, const QJsonObject &body = {},
                    const QString &token = {})
    {
        const QByteArray data =
            body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        return http(m_nam, method, url(path), data,
                    {{"Authorization", "Bearer " + (token.isEmpty() ? m_token : token).toLatin1()},
                     {"client-request-id", "11111111-2222-3333-4444-555555555555"}});
    }

    PracticeTenant m_tenant;
    QNetworkAccessManager m_nam;
    QString m_token;     // app-only, every permission
    QString m_delegated; // signed-in admin, every permission
};

void tst_PracticeTenant::initTestCase()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
    m_token = m_tenant.issueAccessToken();
    m_delegated = m_tenant.issueAccessToken({}, QStringLiteral("admin@") + initialDomain);
}

void tst_PracticeTenant::init()
{
    QCOMPARE(m_tenant.loadJson(smallTenant()), QString());
    m_tenant.setFaults({});
    m_tenant.clearLogs();
}

void tst_PracticeTenant::defaultPropertySet()
{
    const HttpReply r = graph("GET", QStringLiteral("/v1.0/users"));
    QCOMPARE(r.status, 200);
    QVERIFY(!r.header("request-id").isEmpty());
    QCOMPARE(r.header("client-request-id"), QByteArray("11111111-2222-3333-4444-555555555555"));
    const QJsonArray value = r.json().value(QStringLiteral("value")).toArray();
    QCOMPARE(value.size(), 5);
    QStringList expected = PracticeGraphApi::defaultUserProperties();
    expected.sort();
    for (const QJsonValue &v : value) {
        QStringList keys = v.toObject().keys();
        keys.sort();
        QCOMPARE(keys, expected);
    }
    QVERIFY(!value.first().toObject().contains(QStringLiteral("onPremisesImmutableId")));
}

void tst_PracticeTenant::selectReturnsOnlyWhatWasAsked()
{
    const HttpReply r =
        graph("GET",
              QStringLiteral("/v1.0/users?$select=id,onPremisesImmutableId,onPremisesSyncEnabled"));
    QCOMPARE(r.status, 200);
    const QJsonArray value = r.json().value(QStringLiteral("value")).toArray();
    QCOMPARE(value.size(), 5);
    for (const QJsonValue &v : value) {
        QStringList keys = v.toObject().keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{QStringLiteral("id"), QStringLiteral("onPremisesImmutableId"),
                                    QStringLiteral("onPremisesSyncEnabled")}));
    }
    QCOMPARE(value.at(3).toObject().value(QStringLiteral("onPremisesImmutableId")).toString(),
             QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA=="));
    QVERIFY(value.at(0).toObject().value(QStringLiteral("onPremisesImmutableId")).isNull());
}

void tst_PracticeTenant::selectUnknownProperty()
{
    const HttpReply r = graph("GET", QStringLiteral("/v1.0/users?$select=id,immutableId"));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), QStringLiteral("Request_BadRequest"));
}

void tst_PracticeTenant::pageSize_data()
{
    QTest::addColumn<QString>("top");
    QTest::addColumn<int>("status");
    QTest::newRow("1") << "1" << 200;
    QTest::newRow("999") << "999" << 200;
    QTest::newRow("0") << "0" << 400;
    QTest::newRow("1000") << "1000" << 400;
    QTest::newRow("-5") << "-5" << 400;
    QTest::newRow("text") << "many" << 400;
}

void tst_PracticeTenant::pageSize()
{
    QFETCH(QString, top);
    QFETCH(int, status);
    const HttpReply r = graph("GET", QStringLiteral("/v1.0/users?$top=") + top);
    QCOMPARE(r.status, status);
    if (status == 400) {
        const QJsonObject error = r.json().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("message")).toString(),
                 QStringLiteral("Invalid page size specified: '%1'. Must be between 1 and 999 "
                                "inclusive.")
                     .arg(top));
        const QJsonObject inner = error.value(QStringLiteral("innerError")).toObject();
        QCOMPARE(inner.value(QStringLiteral("request-id")).toString().toLatin1(),
                 r.header("request-id"));
        QCOMPARE(inner.value(QStringLiteral("client-request-id")).toString(),
                 QStringLiteral("11111111-2222-3333-4444-555555555555"));
        QVERIFY(!inner.value(QStringLiteral("date")).toString().isEmpty());
    }
}

void tst_PracticeTenant::pagingFollowsOpaqueNextLinks_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<int>>("pageSizes");
    // 5 users + 250 generated = 255.
    QTest::newRow("default page is 100") << QString() << QList<int>{100, 100, 55};
    QTest::newRow("$top=100") << QStringLiteral("?$top=100") << QList<int>{100, 100, 55};
    QTest::newRow("$top=999") << QStringLiteral("?$top=999") << QList<int>{255};
    QTest::newRow("$top=60 with $select")
        << QStringLiteral("?$select=id,onPremisesImmutableId&$top=60")
        << QList<int>{60, 60, 60, 60, 15};
    QTest::newRow("exact multiple leaves no empty tail")
        << QStringLiteral("?$top=85") << QList<int>{85, 85, 85};
}

void tst_PracticeTenant::pagingFollowsOpaqueNextLinks()
{
    QFETCH(QString, query);
    QFETCH(QList<int>, pageSizes);
    m_tenant.directory().addSyntheticUsers(250, QStringLiteral("contoso.test"));
    QString next = QStringLiteral("/v1.0/users") + query;
    QList<int> sizes;
    QSet<QString> ids;
    while (!next.isEmpty()) {
        const HttpReply r = graph("GET", next);
        QCOMPARE(r.status, 200);
        const QJsonObject page = r.json();
        const QJsonArray value = page.value(QStringLiteral("value")).toArray();
        sizes.append(int(value.size()));
        for (const QJsonValue &v : value)
            ids.insert(v.toObject().value(QStringLiteral("id")).toString());
        if (query.contains(QLatin1String("$select")))
            QCOMPARE(value.first().toObject().keys().size(), 2);
        const QString link = page.value(QStringLiteral("@odata.nextLink")).toString();
        if (link.isEmpty())
            break;
        QVERIFY2(link.startsWith(m_tenant.baseUrl() + QStringLiteral("/v1.0/users?")),
                 qPrintable(link));
        QVERIFY(QUrlQuery(QUrl(link)).hasQueryItem(QStringLiteral("$skiptoken")));
        next = link.mid(m_tenant.baseUrl().size());
        QVERIFY(sizes.size() < 20);
    }
    QCOMPARE(sizes, pageSizes);
    QCOMPARE(ids.size(), 255);
}

void tst_PracticeTenant::filterOnImmutableId_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("ids");
    QTest::newRow("held") << "onPremisesImmutableId eq 'HOLDAAAAAAAAAAAAAAAAAA=='" << 200
                          << QStringList{QStringLiteral("holder")};
    QTest::newRow("case matters for anchors")
        << "onPremisesImmutableId eq 'holdaaaaaaaaaaaaaaaaaa=='" << 200 << QStringList{};
    QTest::newRow("upn") << "userPrincipalName eq 'CLOUD@contoso.test'" << 200
                         << QStringList{QStringLiteral("cloud")};
    // startswith works on displayName (a basic query), not on the anchor.
    QTest::newRow("unsupported") << "startswith(onPremisesImmutableId,'a')" << 400 << QStringList{};
}

void tst_PracticeTenant::filterOnImmutableId()
{
    QFETCH(QString, filter);
    QFETCH(int, status);
    QFETCH(QStringList, ids);
    const HttpReply r = graph("GET", QStringLiteral("/v1.0/users?$filter=") +
                                         QString::fromLatin1(QUrl::toPercentEncoding(filter)));
    QCOMPARE(r.status, status);
    if (status != 200) {
        QCOMPARE(r.errorCode(), QStringLiteral("Request_UnsupportedQuery"));
        return;
    }
    QStringList got;
    for (const QJsonValue &v : r.json().value(QStringLiteral("value")).toArray())
        got.append(v.toObject().value(QStringLiteral("id")).toString());
    QCOMPARE(got, ids);
}

void tst_PracticeTenant::patch_data()
{
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("detailCode");
    QTest::addColumn<QString>("message");

    const QString conflict = QStringLiteral(
        "Another object with the same value for property onPremisesImmutableId already exists.");
    const QString synced = QStringLiteral(
        "Unable to update the specified properties for on-premises mastered Directory Sync "
        "objects or objects currently undergoing migration.");
    const QJsonValue null(QJsonValue::Null);
    const auto imm = [](const QJsonValue &v) {
        return QJsonObject{{QStringLiteral("onPremisesImmutableId"), v}};
    };
    QTest::newRow("stamp") << "cloud" << imm(QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA==")) << 204
                           << QString() << QString() << QString();
    QTest::newRow("clear") << "holder" << imm(null) << 204 << QString() << QString() << QString();
    QTest::newRow("restamp own value")
        << "holder" << imm(QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA==")) << 204 << QString()
        << QString() << QString();
    QTest::newRow("by upn") << "cloud@contoso.test"
                            << imm(QStringLiteral("UPNAAAAAAAAAAAAAAAAAAA==")) << 204 << QString()
                            << QString() << QString();
    QTest::newRow("held by active user")
        << "cloud" << imm(QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA==")) << 400 << "Request_BadRequest"
        << "ObjectConflict" << conflict;
    QTest::newRow("held by soft-deleted user")
        << "cloud" << imm(QStringLiteral("DELETEDAAAAAAAAAAAAAAA==")) << 400 << "Request_BadRequest"
        << "ObjectConflict" << conflict;
    QTest::newRow("synced user stamp")
        << "synced" << imm(QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA==")) << 400
        << "Request_BadRequest" << QString() << synced;
    QTest::newRow("synced user clear")
        << "synced" << imm(null) << 400 << "Request_BadRequest" << QString() << synced;
    QTest::newRow("federated stamp") << "fed" << imm(QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA=="))
                                     << 400 << "Request_BadRequest" << QString() << QString();
    QTest::newRow("federated clear")
        << "fed" << imm(null) << 400 << "Request_BadRequest" << QString() << QString();
    QTest::newRow("empty string is not a clear")
        << "holder" << imm(QString()) << 400 << "Request_BadRequest" << QString() << QString();
    QTest::newRow("upn to unverified domain")
        << "cloud"
        << QJsonObject{{QStringLiteral("userPrincipalName"),
                        QStringLiteral("cloud@elsewhere.test")}}
        << 400 << "Request_BadRequest"
        << "InvalidValue" << QString();
    QTest::newRow("upn taken") << "cloud"
                               << QJsonObject{{QStringLiteral("userPrincipalName"),
                                               QStringLiteral("holder@contoso.test")}}
                               << 400 << "Request_BadRequest"
                               << "ObjectConflict" << QString();
    QTest::newRow("read-only property")
        << "cloud" << QJsonObject{{QStringLiteral("onPremisesSyncEnabled"), true}} << 400
        << "Request_BadRequest" << QString() << QString();
    QTest::newRow("unknown user") << "nobody" << imm(QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA=="))
                                  << 404 << "Request_ResourceNotFound" << QString() << QString();
}

void tst_PracticeTenant::patch()
{
    QFETCH(QString, userId);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, detailCode);
    QFETCH(QString, message);

    const QJsonObject before = m_tenant.directory().toJson();
    const HttpReply r = graph("PATCH", QStringLiteral("/v1.0/users/") + userId, body);
    QCOMPARE(r.status, status);
    if (status == 204) {
        QVERIFY(r.body.isEmpty());
        QCOMPARE(m_tenant.writeLog().size(), 1);
        QCOMPARE(m_tenant.writeLog().first().requestId.toLatin1(), r.header("request-id"));
        const int i = m_tenant.directory().indexOfUser(userId);
        for (auto it = body.constBegin(); it != body.constEnd(); ++it)
            QCOMPARE(m_tenant.directory().users.at(i).value(it.key()), it.value());
        return;
    }
    const QJsonObject error = r.json().value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), code);
    const QJsonArray details = error.value(QStringLiteral("details")).toArray();
    QCOMPARE(details.isEmpty()
                 ? QString()
                 : details.first().toObject().value(QStringLiteral("code")).toString(),
             detailCode);
    if (!message.isEmpty())
        QCOMPARE(error.value(QStringLiteral("message")).toString(), message);
    QCOMPARE(error.value(QStringLiteral("innerError"))
                 .toObject()
                 .value(QStringLiteral("request-id"))
                 .toString()
                 .toLatin1(),
             r.header("request-id"));
    QVERIFY(m_tenant.writeLog().isEmpty());
    QCOMPARE(m_tenant.directory().toJson(), before);
}

void tst_PracticeTenant::federatedUpnSwitchWorkaround()
{
    const QString temporary = QStringLiteral("fed@") + initialDomain;
    const QString anchor = QStringLiteral("FEDAAAAAAAAAAAAAAAAAAA==");
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/fed"),
                   {{QStringLiteral("userPrincipalName"), temporary}})
                 .status,
             204);
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/fed"),
                   {{QStringLiteral("onPremisesImmutableId"), anchor}})
                 .status,
             204);
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/fed"),
                   {{QStringLiteral("userPrincipalName"), QStringLiteral("fed@fed.contoso.test")}})
                 .status,
             204);
    const QJsonObject user =
        m_tenant.directory().users.at(m_tenant.directory().indexOfUser(QStringLiteral("fed")));
    QCOMPARE(user.value(QStringLiteral("onPremisesImmutableId")).toString(), anchor);
    QCOMPARE(user.value(QStringLiteral("userPrincipalName")).toString(),
             QStringLiteral("fed@fed.contoso.test"));
    const QList<PracticeWrite> writes = m_tenant.writeLog();
    QCOMPARE(writes.size(), 3);
    QCOMPARE(writes.at(0).body.value(QStringLiteral("userPrincipalName")).toString(), temporary);
    QCOMPARE(writes.at(1).before.value(QStringLiteral("userPrincipalName")).toString(), temporary);
    QCOMPARE(writes.at(2).before.value(QStringLiteral("onPremisesImmutableId")).toString(), anchor);
}

void tst_PracticeTenant::bearerTokenChecked_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<bool>("expire");
    QTest::newRow("none") << QByteArray() << false;
    QTest::newRow("not bearer") << QByteArray("Basic dXNlcjpwdw==") << false;
    QTest::newRow("unknown token") << QByteArray("Bearer eyJ0eXAiOiJKV1QifQ.forged") << false;
    QTest::newRow("expired") << QByteArray("EXPIRED") << true;
}

void tst_PracticeTenant::bearerTokenChecked()
{
    QFETCH(QByteArray, authorization);
    QFETCH(bool, expire);
    if (expire) {
        authorization = "Bearer " + m_tenant.issueAccessToken().toLatin1();
        m_tenant.tokens().setAccessTokenLifetime(3600);
    }
    if (expire) {
        // Only this token: issue, then expire everything and re-issue the shared ones.
        m_tenant.tokens().expireAllAccessTokens();
    }
    QList<QPair<QByteArray, QByteArray>> headers{{"client-request-id", "abc"}};
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    const HttpReply r = http(m_nam, "GET", url(QStringLiteral("/v1.0/users")), {}, headers);
    if (expire) {
        m_token = m_tenant.issueAccessToken();
        m_delegated = m_tenant.issueAccessToken({}, QStringLiteral("admin@") + initialDomain);
    }
    QCOMPARE(r.status, 401);
    QCOMPARE(r.errorCode(), QStringLiteral("InvalidAuthenticationToken"));
    QVERIFY(!r.header("WWW-Authenticate").isEmpty());
    const QJsonObject inner = r.json()
                                  .value(QStringLiteral("error"))
                                  .toObject()
                                  .value(QStringLiteral("innerError"))
                                  .toObject();
    QCOMPARE(inner.value(QStringLiteral("client-request-id")).toString(), QStringLiteral("abc"));
    QCOMPARE(inner.value(QStringLiteral("request-id")).toString().toLatin1(),
             r.header("request-id"));
}

void tst_PracticeTenant::permissions_data()
{
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<bool>("delegated");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    const QStringList readOnly{QStringLiteral("User.Read.All"), QStringLiteral("Domain.Read.All")};
    QTest::newRow("read with User.Read.All")
        << readOnly << false << QByteArray("GET") << "/v1.0/users" << 200;
    QTest::newRow("write needs User.ReadWrite.All")
        << readOnly << true << QByteArray("PATCH") << "/v1.0/users/cloud" << 403;
    QTest::newRow("roles need RoleManagement.Read.Directory")
        << readOnly << false << QByteArray("GET") << "/v1.0/directoryRoles" << 403;
    QTest::newRow("sync settings need OnPremDirectorySynchronization.Read.All")
        << QStringList{QStringLiteral("Organization.Read.All")} << false << QByteArray("GET")
        << "/v1.0/directory/onPremisesSynchronization" << 403;
    QTest::newRow("organization needs Organization.Read.All")
        << readOnly << false << QByteArray("GET") << "/v1.0/organization" << 403;
    QTest::newRow("purge has no application permission")
        << QStringList{QStringLiteral("User.ReadWrite.All")} << false << QByteArray("DELETE")
        << "/v1.0/directory/deletedItems/gone" << 403;
    QTest::newRow("purge delegated")
        << QStringList{QStringLiteral("User.ReadWrite.All")} << true << QByteArray("DELETE")
        << "/v1.0/directory/deletedItems/gone" << 204;
}

void tst_PracticeTenant::permissions()
{
    QFETCH(QStringList, permissions);
    QFETCH(bool, delegated);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    const QString token = m_tenant.issueAccessToken(
        permissions, delegated ? QStringLiteral("admin@") + initialDomain : QString());
    const QJsonObject body = method == "PATCH"
                                 ? QJsonObject{{QStringLiteral("onPremisesImmutableId"),
                                                QStringLiteral("NEWAAAAAAAAAAAAAAAAAAA==")}}
                                 : QJsonObject();
    const HttpReply r = graph(method, path, body, token);
    QCOMPARE(r.status, status);
    if (status == 403) {
        QCOMPARE(r.errorCode(), QStringLiteral("Authorization_RequestDenied"));
        QVERIFY(m_tenant.writeLog().isEmpty());
    }
}

void tst_PracticeTenant::recycleBin()
{
    HttpReply r = graph("GET", QStringLiteral("/v1.0/directory/deletedItems/microsoft.graph.user"
                                              "?$select=id,onPremisesImmutableId"));
    QCOMPARE(r.status, 200);
    QJsonArray value = r.json().value(QStringLiteral("value")).toArray();
    QCOMPARE(value.size(), 1);
    QCOMPARE(value.first().toObject().value(QStringLiteral("deletedDateTime")).toString(),
             QStringLiteral("2026-11-01T10:00:00Z"));
    r = graph("POST", QStringLiteral("/v1.0/directory/deletedItems/gone/restore"), {}, m_delegated);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("id")).toString(), QStringLiteral("gone"));
    QVERIFY(m_tenant.directory().indexOfUser(QStringLiteral("gone")) >= 0);
    r = graph("DELETE", QStringLiteral("/v1.0/directory/deletedItems/gone"), {}, m_delegated);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.errorCode(), QStringLiteral("Request_ResourceNotFound"));
}

void tst_PracticeTenant::batchValidation_data()
{
    QTest::addColumn<QJsonArray>("requests");
    QTest::addColumn<int>("status");
    const auto get = [](const QString &id) {
        return QJsonObject{{QStringLiteral("id"), id},
                           {QStringLiteral("method"), QStringLiteral("GET")},
                           {QStringLiteral("url"), QStringLiteral("/users/cloud")}};
    };
    QJsonArray twenty, twentyOne;
    for (int i = 1; i <= 21; ++i) {
        if (i <= 20)
            twenty.append(get(QString::number(i)));
        twentyOne.append(get(QString::number(i)));
    }
    QTest::newRow("20 is fine") << twenty << 200;
    QTest::newRow("21 is too many") << twentyOne << 400;
    QTest::newRow("duplicate ids")
        << QJsonArray{get(QStringLiteral("1")), get(QStringLiteral("1"))} << 400;
    QJsonObject noHeaders{{QStringLiteral("id"), QStringLiteral("1")},
                          {QStringLiteral("method"), QStringLiteral("PATCH")},
                          {QStringLiteral("url"), QStringLiteral("/users/cloud")},
                          {QStringLiteral("body"),
                           QJsonObject{{QStringLiteral("displayName"), QStringLiteral("x")}}}};
    QTest::newRow("body without headers") << QJsonArray{noHeaders} << 400;
    QJsonObject absolute = get(QStringLiteral("1"));
    absolute.insert(QStringLiteral("url"),
                    QStringLiteral("https://graph.microsoft.com/v1.0/users"));
    QTest::newRow("absolute url") << QJsonArray{absolute} << 400;
    QJsonObject forward = get(QStringLiteral("1"));
    forward.insert(QStringLiteral("dependsOn"), QJsonArray{QStringLiteral("2")});
    QTest::newRow("depends on a later id") << QJsonArray{forward, get(QStringLiteral("2"))} << 400;
}

void tst_PracticeTenant::batchValidation()
{
    QFETCH(QJsonArray, requests);
    QFETCH(int, status);
    const HttpReply r =
        graph("POST", QStringLiteral("/v1.0/$batch"), {{QStringLiteral("requests"), requests}});
    QCOMPARE(r.status, status);
    if (status == 200)
        QCOMPARE(r.json().value(QStringLiteral("responses")).toArray().size(), requests.size());
    else
        QCOMPARE(r.errorCode(), QStringLiteral("BadRequest"));
}

void tst_PracticeTenant::batchDependsOnAndAnyOrder()
{
    const QJsonObject json{{QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
    const QJsonArray requests{
        QJsonObject{{QStringLiteral("id"), QStringLiteral("a")},
                    {QStringLiteral("method"), QStringLiteral("PATCH")},
                    {QStringLiteral("url"), QStringLiteral("/users/synced")},
                    {QStringLiteral("headers"), json},
                    {QStringLiteral("body"), QJsonObject{{QStringLiteral("onPremisesImmutableId"),
                                                          QJsonValue(QJsonValue::Null)}}}},
        QJsonObject{
            {QStringLiteral("id"), QStringLiteral("b")},
            {QStringLiteral("method"), QStringLiteral("PATCH")},
            {QStringLiteral("url"), QStringLiteral("/users/cloud")},
            {QStringLiteral("dependsOn"), QJsonArray{QStringLiteral("a")}},
            {QStringLiteral("headers"), json},
            {QStringLiteral("body"), QJsonObject{{QStringLiteral("onPremisesImmutableId"),
                                                  QStringLiteral("BBBBAAAAAAAAAAAAAAAAAA==")}}}},
        QJsonObject{{QStringLiteral("id"), QStringLiteral("c")},
                    {QStringLiteral("method"), QStringLiteral("PATCH")},
                    {QStringLiteral("url"), QStringLiteral("/users/holder")},
                    {QStringLiteral("headers"), json},
                    {QStringLiteral("body"), QJsonObject{{QStringLiteral("onPremisesImmutableId"),
                                                          QJsonValue(QJsonValue::Null)}}}},
        QJsonObject{{QStringLiteral("id"), QStringLiteral("d")},
                    {QStringLiteral("method"), QStringLiteral("GET")},
                    {QStringLiteral("url"),
                     QStringLiteral("/users/holder?$select=id,onPremisesImmutableId")},
                    {QStringLiteral("dependsOn"), QJsonArray{QStringLiteral("c")}}}};
    const HttpReply r =
        graph("POST", QStringLiteral("/v1.0/$batch"), {{QStringLiteral("requests"), requests}});
    QCOMPARE(r.status, 200);
    QHash<QString, QJsonObject> byId;
    QStringList order;
    for (const QJsonValue &v : r.json().value(QStringLiteral("responses")).toArray()) {
        byId.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
        order.append(v.toObject().value(QStringLiteral("id")).toString());
    }
    QVERIFY(order != (QStringList{"a", "b", "c", "d"})); // any order, not necessarily sent order
    QCOMPARE(byId.value("a").value(QStringLiteral("status")).toInt(), 400);
    QCOMPARE(byId.value("b").value(QStringLiteral("status")).toInt(), 424);
    QCOMPARE(byId.value("c").value(QStringLiteral("status")).toInt(), 204);
    QCOMPARE(byId.value("d").value(QStringLiteral("status")).toInt(), 200);
    QVERIFY(byId.value("d")
                .value(QStringLiteral("body"))
                .toObject()
                .value(QStringLiteral("onPremisesImmutableId"))
                .isNull());
    QCOMPARE(m_tenant.writeLog().size(), 1);
    QVERIFY(m_tenant.writeLog().first().inBatch);
}

void tst_PracticeTenant::batchInnerThrottle()
{
    PracticeFaultSettings faults;
    faults.writeQuota = 1;
    faults.writeWindowMs = 60000;
    m_tenant.setFaults(faults);
    const QJsonObject json{{QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
    QJsonArray requests;
    for (const QString &id : {QStringLiteral("cloud"), QStringLiteral("holder")})
        requests.append(
            QJsonObject{{QStringLiteral("id"), id},
                        {QStringLiteral("method"), QStringLiteral("PATCH")},
                        {QStringLiteral("url"), QString(QStringLiteral("/users/") + id)},
                        {QStringLiteral("headers"), json},
                        {QStringLiteral("body"),
                         QJsonObject{{QStringLiteral("displayName"), QStringLiteral("renamed")}}}});
    const HttpReply r =
        graph("POST", QStringLiteral("/v1.0/$batch"), {{QStringLiteral("requests"), requests}});
    QCOMPARE(r.status, 200);
    QHash<QString, QJsonObject> byId;
    for (const QJsonValue &v : r.json().value(QStringLiteral("responses")).toArray())
        byId.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
    QCOMPARE(byId.value("cloud").value(QStringLiteral("status")).toInt(), 204);
    const QJsonObject throttled = byId.value("holder");
    QCOMPARE(throttled.value(QStringLiteral("status")).toInt(), 429);
    const double retryAfter = throttled.value(QStringLiteral("headers"))
                                  .toObject()
                                  .value(QStringLiteral("Retry-After"))
                                  .toString()
                                  .toDouble();
    QVERIFY(retryAfter > 0 && retryAfter <= 60.0);
}

void tst_PracticeTenant::writeQuota()
{
    PracticeFaultSettings faults;
    faults.writeQuota = 2;
    faults.writeWindowMs = 90000;
    m_tenant.setFaults(faults);
    const QJsonObject body{{QStringLiteral("displayName"), QStringLiteral("x")}};
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/cloud"), body).status, 204);
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/holder"), body).status, 204);
    QCOMPARE(graph("GET", QStringLiteral("/v1.0/users/cloud")).status, 200); // reads are free
    const HttpReply r = graph("PATCH", QStringLiteral("/v1.0/users/admin"), body);
    QCOMPARE(r.status, 429);
    QCOMPARE(r.errorCode(), QStringLiteral("TooManyRequests"));
    QCOMPARE(r.json().value("error").toObject().value("message").toString(),
             QStringLiteral("Please retry again later."));
    const QByteArray retryAfter = r.header("Retry-After");
    QVERIFY2(retryAfter.contains('.'), retryAfter.constData()); // fractional, like Graph
    QVERIFY(retryAfter.toDouble() > 80.0 && retryAfter.toDouble() <= 90.0);
    QCOMPARE(m_tenant.writeLog().size(), 2);
    QCOMPARE(m_tenant.requestLog().last().retryAfterSeconds, retryAfter.toDouble());
}

void tst_PracticeTenant::faultsOverHttp()
{
    const QByteArray faults = R"({"serviceUnavailableOn":[1],"serviceUnavailableRetryAfter":0.25,
                                  "dropOn":[2,3]})";
    HttpReply r = http(m_nam, "PUT", url(QStringLiteral("/_practice/faults")), faults);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("dropOn")).toArray(), (QJsonArray{2, 3}));

    r = graph("GET", QStringLiteral("/v1.0/users/cloud"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Retry-After"), QByteArray("0.250"));
    // QNetworkAccessManager itself resends a GET once when a reused connection closes
    // without an answer, so two drops in a row reach the caller as a network error.
    r = graph("GET", QStringLiteral("/v1.0/users/cloud"));
    QCOMPARE(r.status, 0);
    QVERIFY(r.error != QNetworkReply::NoError);
    r = graph("GET", QStringLiteral("/v1.0/users/cloud"));
    QCOMPARE(r.status, 200);

    r = http(m_nam, "GET", url(QStringLiteral("/_practice/requests")));
    QList<int> statuses;
    for (const QJsonValue &v : r.json().value(QStringLiteral("requests")).toArray())
        statuses.append(v.toObject().value(QStringLiteral("status")).toInt());
    QCOMPARE(statuses, (QList<int>{503, 0, 0, 200}));
}

void tst_PracticeTenant::faultRulesOverHttp_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<int>("status");   // what the client sees
    QTest::addColumn<bool>("written"); // whether the tenant did the write
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::newRow("lost reply after the write, three times")
        << QByteArray(
               R"({"effect":"lostReply","method":"PATCH","pathContains":"/users/cloud","times":3})")
        << 0 << true << QByteArray();
    QTest::newRow("slow reply after the write")
        << QByteArray(R"({"effect":"slowReply","method":"PATCH","delayMs":300})") << 204 << true
        << QByteArray();
    QTest::newRow("drop before the write")
        << QByteArray(R"({"effect":"drop","method":"PATCH","times":3})") << 0 << false
        << QByteArray();
    QTest::newRow("503 with an HTTP-date Retry-After")
        << QByteArray(
               R"({"effect":"serviceUnavailable","method":"PATCH","retryAfter":"Sun, 06 Nov 2095 08:49:37 GMT"})")
        << 503 << false << QByteArray("Sun, 06 Nov 2095 08:49:37 GMT");
    QTest::newRow("429 with a fractional Retry-After")
        << QByteArray(R"({"effect":"throttle","method":"PATCH","retryAfter":"1.25"})") << 429
        << false << QByteArray("1.25");
    QTest::newRow("another path: not hit")
        << QByteArray(R"({"effect":"lostReply","pathContains":"/users/holder","times":3})") << 204
        << true << QByteArray();
}

void tst_PracticeTenant::faultRulesOverHttp()
{
    QFETCH(QByteArray, rule);
    QFETCH(int, status);
    QFETCH(bool, written);
    QFETCH(QByteArray, retryAfter);
    HttpReply r =
        http(m_nam, "PUT", url(QStringLiteral("/_practice/faults")), "{\"rules\":[" + rule + "]}");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("rules")).toArray().size(), 1);
    r = graph(
        "PATCH", QStringLiteral("/v1.0/users/cloud"),
        {{QStringLiteral("onPremisesImmutableId"), QStringLiteral("RULEAAAAAAAAAAAAAAAAAA==")}});
    QCOMPARE(r.status, status);
    QCOMPARE(r.header("Retry-After"), retryAfter);
    QTRY_COMPARE(!m_tenant.writeLog().isEmpty(), written);
    const QJsonObject u = m_tenant.directory().users.at(m_tenant.directory().indexOfUser("cloud"));
    QCOMPARE(u.value("onPremisesImmutableId").toString() == u"RULEAAAAAAAAAAAAAAAAAA==", written);
}

void tst_PracticeTenant::batchFaultRules()
{
    // An inner 503 for one request of a $batch, then the whole $batch answer lost.
    PracticeFaultRule inner;
    inner.effect = PracticeFaultRule::Effect::ServiceUnavailable;
    inner.inBatch = true;
    inner.method = "PATCH";
    inner.pathContains = QStringLiteral("/users/holder");
    inner.retryAfter = QStringLiteral("0.5");
    PracticeFaultRule lost;
    lost.effect = PracticeFaultRule::Effect::LostReply;
    lost.method = "POST";
    lost.pathContains = QStringLiteral("$batch");
    lost.skip = 1;
    lost.times = 3;
    PracticeFaultSettings faults;
    faults.rules = {inner, lost};
    m_tenant.setFaults(faults);
    const QJsonObject batch{
        {"requests",
         QJsonArray{QJsonObject{{"id", "1"},
                                {"method", "PATCH"},
                                {"url", "/users/cloud"},
                                {"headers", QJsonObject{{"Content-Type", "application/json"}}},
                                {"body", QJsonObject{{"onPremisesImmutableId",
                                                      "BAAAAAAAAAAAAAAAAAAAAA=="}}}},
                    QJsonObject{{"id", "2"},
                                {"method", "PATCH"},
                                {"url", "/users/holder"},
                                {"headers", QJsonObject{{"Content-Type", "application/json"}}},
                                {"body", QJsonObject{{"onPremisesImmutableId", QJsonValue()}}}}}}};
    HttpReply r = graph("POST", QStringLiteral("/v1.0/$batch"), batch);
    QCOMPARE(r.status, 200);
    QHash<QString, int> statuses;
    for (const QJsonValue &v : r.json().value("responses").toArray())
        statuses.insert(v.toObject().value("id").toString(), v.toObject().value("status").toInt());
    QCOMPARE(statuses.value("1"), 204);
    QCOMPARE(statuses.value("2"), 503);
    QCOMPARE(m_tenant.writeLog().size(), 1);
    // The second $batch is done, but its answer never comes.
    r = graph("POST", QStringLiteral("/v1.0/$batch"), batch);
    QCOMPARE(r.status, 0);
    QTRY_VERIFY(m_tenant.writeLog().size() >= 3);
    QVERIFY(m_tenant.directory()
                .users.at(m_tenant.directory().indexOfUser("holder"))
                .value("onPremisesImmutableId")
                .isNull());
    int lostReplies = 0;
    for (const PracticeRequestRecord &rec : m_tenant.requestLog())
        lostReplies += rec.fault == u"lostReply" && rec.status == 0;
    // Qt re-sends a request whose reused connection closed (up to twice): each one is
    // done again and loses its answer again, until the client gives up.
    QVERIFY2(lostReplies >= 2 && lostReplies <= 3, qPrintable(QString::number(lostReplies)));
}

void tst_PracticeTenant::uniquenessIndexFollowsTheDirectory()
{
    PracticeDirectory &d = m_tenant.directory();
    const QString anchor = QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA==");
    QCOMPARE(d.immutableIdHolder(anchor, QStringLiteral("cloud")), QStringLiteral("holder"));
    QCOMPARE(d.immutableIdHolder(anchor, QStringLiteral("holder")), QString());
    QCOMPARE(d.upnHolder(QStringLiteral("HOLDER@contoso.test"), QString()),
             QStringLiteral("holder"));
    // Through the API: the old value is free at once, the new one taken.
    HttpReply r = graph(
        "PATCH", QStringLiteral("/v1.0/users/holder"),
        {{QStringLiteral("onPremisesImmutableId"), QStringLiteral("NEWHAAAAAAAAAAAAAAAAAA==")},
         {QStringLiteral("userPrincipalName"), QStringLiteral("holder2@contoso.test")}});
    QCOMPARE(r.status, 204);
    QCOMPARE(d.immutableIdHolder(anchor, QString()), QString());
    QCOMPARE(d.immutableIdHolder(QStringLiteral("NEWHAAAAAAAAAAAAAAAAAA=="), QString()),
             QStringLiteral("holder"));
    QCOMPARE(d.upnHolder(QStringLiteral("holder@contoso.test"), QString()), QString());
    r = graph(
        "PATCH", QStringLiteral("/v1.0/users/cloud"),
        {{QStringLiteral("onPremisesImmutableId"), QStringLiteral("NEWHAAAAAAAAAAAAAAAAAA==")}});
    QCOMPARE(r.status, 400); // still unique
    // A test that edits a user in place calls reindex(); adding users is noticed alone.
    d.users[d.indexOfUser("cloud")].insert("onPremisesImmutableId",
                                           QStringLiteral("EDITAAAAAAAAAAAAAAAAAA=="));
    d.reindex();
    QCOMPARE(d.immutableIdHolder(QStringLiteral("EDITAAAAAAAAAAAAAAAAAA=="), QString()),
             QStringLiteral("cloud"));
    QJsonObject extra = user(QStringLiteral("extra"), QStringLiteral("extra@contoso.test"),
                             QStringLiteral("XTRAAAAAAAAAAAAAAAAAAA=="));
    d.deletedUsers.append(extra);
    QCOMPARE(d.immutableIdHolder(QStringLiteral("XTRAAAAAAAAAAAAAAAAAAA=="), QString()),
             QStringLiteral("extra"));
    // A purge frees the anchor the recycle-bin user held.
    r = http(m_nam, "DELETE", url(QStringLiteral("/v1.0/directory/deletedItems/gone")), {},
             {{"Authorization", "Bearer " + m_delegated.toLatin1()}});
    QCOMPARE(r.status, 204);
    QCOMPARE(d.immutableIdHolder(QStringLiteral("DELETEDAAAAAAAAAAAAAAA=="), QString()), QString());
    QCOMPARE(d.immutableIdHolder(QStringLiteral("XTRAAAAAAAAAAAAAAAAAAA=="), QString()),
             QStringLiteral("extra"));
}

void tst_PracticeTenant::slowReplyAnswersLate()
{
    // A slow request sent first is answered after a fast one sent second.
    PracticeFaultSettings slow;
    slow.delayMs = 400;
    m_tenant.setFaults(slow);
    QNetworkRequest a(url(QStringLiteral("/v1.0/users/cloud")));
    a.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
    QNetworkReply *first = m_nam.get(a);
    QTRY_COMPARE(m_tenant.requestLog().size(), 1);
    m_tenant.setFaults({});
    QList<QNetworkReply *> order;
    connect(first, &QNetworkReply::finished, this, [&] { order.append(first); });
    QNetworkReply *second = m_nam.get(a);
    connect(second, &QNetworkReply::finished, this, [&] { order.append(second); });
    QTRY_COMPARE(order.size(), 2);
    QCOMPARE(order.first(), second);
    QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    first->deleteLater();
    second->deleteLater();
}

void tst_PracticeTenant::tokenEndpoint_data()
{
    QTest::addColumn<QString>("tenant");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("scope");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("aadsts");
    const QString scope = QStringLiteral("https://graph.microsoft.com/.default");
    QTest::newRow("ok") << tenantId << clientId << clientSecret << scope << 200 << QString() << 0;
    QTest::newRow("ok by domain") << QStringLiteral("contoso.test") << clientId << clientSecret
                                  << scope << 200 << QString() << 0;
    QTest::newRow("wrong secret") << tenantId << clientId << QStringLiteral("nope") << scope << 401
                                  << "invalid_client" << 7000215;
    QTest::newRow("no secret") << tenantId << clientId << QString() << scope << 401
                               << "invalid_client" << 7000216;
    QTest::newRow("unknown client") << tenantId << QStringLiteral("unknown") << clientSecret
                                    << scope << 400 << "unauthorized_client" << 700016;
    QTest::newRow("unknown tenant") << QStringLiteral("nowhere.test") << clientId << clientSecret
                                    << scope << 400 << "invalid_request" << 90002;
    QTest::newRow("scope without .default")
        << tenantId << clientId << clientSecret
        << QStringLiteral("https://graph.microsoft.com/User.Read.All") << 400 << "invalid_scope"
        << 1002012;
}

void tst_PracticeTenant::tokenEndpoint()
{
    QFETCH(QString, tenant);
    QFETCH(QString, client);
    QFETCH(QString, secret);
    QFETCH(QString, scope);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(int, aadsts);
    const HttpReply r =
        http(m_nam, "POST", url(QStringLiteral("/%1/oauth2/v2.0/token").arg(tenant)),
             form({{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                   {QStringLiteral("client_id"), client},
                   {QStringLiteral("client_secret"), secret},
                   {QStringLiteral("scope"), scope}}),
             {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, status);
    const QJsonObject o = r.json();
    if (status == 200) {
        const QString token = o.value(QStringLiteral("access_token")).toString();
        QVERIFY(!token.isEmpty());
        QVERIFY(!o.contains(QStringLiteral("refresh_token")));
        QCOMPARE(graph("GET", QStringLiteral("/v1.0/users"), {}, token).status, 200);
        return;
    }
    QCOMPARE(o.value(QStringLiteral("error")).toString(), error);
    QCOMPARE(o.value(QStringLiteral("error_codes")).toArray(), QJsonArray{aadsts});
    QVERIFY(o.value(QStringLiteral("error_description"))
                .toString()
                .startsWith(QStringLiteral("AADSTS%1:").arg(aadsts)));
    QVERIFY(!o.value(QStringLiteral("error_description")).toString().contains(clientSecret));
}

void tst_PracticeTenant::pkceVerifier()
{
    const QByteArray verifier = "the-right-verifier-0123456789-abcdefghijklmnop";
    const QString challenge = QString::fromLatin1(
        QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const QString redirect = QStringLiteral("http://127.0.0.1:1/");
    const auto authorize = [&] {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("client_id"), clientId);
        q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
        q.addQueryItem(QStringLiteral("redirect_uri"),
                       QString::fromLatin1(QUrl::toPercentEncoding(redirect)));
        q.addQueryItem(QStringLiteral("scope"), QStringLiteral("User.Read.All%20offline_access"));
        q.addQueryItem(QStringLiteral("state"), QStringLiteral("s1"));
        q.addQueryItem(QStringLiteral("code_challenge"), challenge);
        q.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
        QNetworkRequest request(url(QStringLiteral("/%1/oauth2/v2.0/authorize?").arg(tenantId) +
                                    q.toString(QUrl::FullyEncoded)));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = m_nam.get(request);
        QSignalSpy spy(reply, &QNetworkReply::finished);
        spy.wait(10000);
        const QUrl location(QString::fromLatin1(reply->rawHeader("Location")));
        reply->deleteLater();
        return QUrlQuery(location).queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    };
    const auto redeem = [&](const QString &code, const QByteArray &v) {
        return http(m_nam, "POST", url(QStringLiteral("/%1/oauth2/v2.0/token").arg(tenantId)),
                    form({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                          {QStringLiteral("client_id"), clientId},
                          {QStringLiteral("code"), code},
                          {QStringLiteral("redirect_uri"), QStringLiteral("http://127.0.0.1:1/")},
                          {QStringLiteral("code_verifier"), QString::fromLatin1(v)}}),
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    };
    QString code = authorize();
    QVERIFY(!code.isEmpty());
    HttpReply r = redeem(code, "a-wrong-verifier-0123456789-abcdefghijklmnopqrs");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("invalid_grant"));
    QCOMPARE(r.json().value(QStringLiteral("error_codes")).toArray(), QJsonArray{501481});
    QCOMPARE(redeem(code, verifier).status, 400); // a code is single use, even after a failure

    code = authorize();
    r = redeem(code, verifier);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.json().value(QStringLiteral("refresh_token")).toString().isEmpty());
    QCOMPARE(redeem(code, verifier).status, 400);
}

void tst_PracticeTenant::deviceCodeOverHttp_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("approve") << "approve" << 200 << QString();
    QTest::newRow("decline") << "decline" << 400 << "authorization_declined";
}

void tst_PracticeTenant::deviceCodeOverHttp()
{
    QFETCH(QString, action);
    QFETCH(int, status);
    QFETCH(QString, error);
    m_tenant.tokens().setDeviceCodeTiming(900, 1);
    HttpReply r =
        http(m_nam, "POST", url(QStringLiteral("/%1/oauth2/v2.0/devicecode").arg(tenantId)),
             form({{QStringLiteral("client_id"), clientId},
                   {QStringLiteral("scope"), QStringLiteral("User.Read.All offline_access")}}),
             {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, 200);
    const QString deviceCode = r.json().value(QStringLiteral("device_code")).toString();
    const QString userCode = r.json().value(QStringLiteral("user_code")).toString();
    QCOMPARE(r.json().value(QStringLiteral("verification_uri")).toString(),
             m_tenant.baseUrl() + QStringLiteral("/_practice/devicelogin"));
    QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(userCode));
    const auto poll = [&] {
        return http(m_nam, "POST", url(QStringLiteral("/%1/oauth2/v2.0/token").arg(tenantId)),
                    form({{QStringLiteral("grant_type"),
                           QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")},
                          {QStringLiteral("client_id"), clientId},
                          {QStringLiteral("device_code"), deviceCode}}),
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    };
    r = poll();
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("authorization_pending"));
    r = http(m_nam, "POST", url(QStringLiteral("/_practice/devicelogin")),
             form({{QStringLiteral("user_code"), userCode}, {QStringLiteral("action"), action}}),
             {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, 200);
    QTest::qWait(1100); // the polling interval, not a timing assertion
    r = poll();
    QCOMPARE(r.status, status);
    if (status == 200) {
        QVERIFY(!r.json().value(QStringLiteral("refresh_token")).toString().isEmpty());
        QCOMPARE(r.json().value(QStringLiteral("scope")).toString(),
                 QStringLiteral("User.Read.All"));
    } else {
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), error);
    }
}

void tst_PracticeTenant::refreshTokenForConsentedScopes_data()
{
    QTest::addColumn<QStringList>("consented"); // empty: every permission
    QTest::addColumn<bool>("revoke");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("aadsts");
    QTest::newRow("write scope the app is consented to") << QStringList() << false << 200 << 0;
    QTest::newRow("write scope without consent")
        << QStringList{QStringLiteral("User.Read.All")} << false << 400 << 65001;
    QTest::newRow("revoked refresh token") << QStringList() << true << 400 << 70008;
}

void tst_PracticeTenant::refreshTokenForConsentedScopes()
{
    QFETCH(QStringList, consented);
    QFETCH(bool, revoke);
    QFETCH(int, status);
    QFETCH(int, aadsts);
    if (!consented.isEmpty())
        m_tenant.directory().clients.first().delegatedPermissions = consented;
    const QString tokenPath = QStringLiteral("/%1/oauth2/v2.0/token").arg(tenantId);
    const auto post = [&](const QString &path, const QList<QPair<QString, QString>> &fields) {
        return http(m_nam, "POST", url(path), form(fields),
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    };
    // A read-only sign-in first (device code, approved at once).
    HttpReply r = post(QStringLiteral("/%1/oauth2/v2.0/devicecode").arg(tenantId),
                       {{QStringLiteral("client_id"), clientId},
                        {QStringLiteral("scope"), QStringLiteral("User.Read.All offline_access")}});
    QCOMPARE(r.status, 200);
    QVERIFY(m_tenant.approveDeviceCode(r.json().value(QStringLiteral("user_code")).toString()));
    r = post(tokenPath, {{QStringLiteral("grant_type"),
                          QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")},
                         {QStringLiteral("client_id"), clientId},
                         {QStringLiteral("device_code"),
                          r.json().value(QStringLiteral("device_code")).toString()}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("scope")).toString(), QStringLiteral("User.Read.All"));
    const QString readToken = r.json().value(QStringLiteral("access_token")).toString();
    const QString refreshToken = r.json().value(QStringLiteral("refresh_token")).toString();
    QVERIFY(!refreshToken.isEmpty());
    const QJsonObject patch{
        {QStringLiteral("onPremisesImmutableId"), QStringLiteral("RTAAAAAAAAAAAAAAAAAAAA==")}};
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/cloud"), patch, readToken).status, 403);
    QCOMPARE(m_tenant.requestLog().last().permissions,
             QStringList{QStringLiteral("User.Read.All")});

    // Then the same refresh token for the write scope too.
    if (revoke)
        m_tenant.tokens().revokeRefreshTokens();
    r = post(tokenPath,
             {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
              {QStringLiteral("client_id"), clientId},
              {QStringLiteral("refresh_token"), refreshToken},
              {QStringLiteral("scope"), QStringLiteral("https://graph.microsoft.com/User.Read.All "
                                                       "https://graph.microsoft.com/"
                                                       "User.ReadWrite.All offline_access")}});
    QCOMPARE(r.status, status);
    if (status != 200) {
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("invalid_grant"));
        QCOMPARE(r.json().value(QStringLiteral("error_codes")).toArray(), QJsonArray{aadsts});
        QVERIFY(!r.body.contains(refreshToken.toLatin1()));
        return;
    }
    QVERIFY(r.json()
                .value(QStringLiteral("scope"))
                .toString()
                .split(u' ')
                .contains(QStringLiteral("User.ReadWrite.All")));
    const QString writeToken = r.json().value(QStringLiteral("access_token")).toString();
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/cloud"), patch, writeToken).status, 204);
    QVERIFY(
        m_tenant.requestLog().last().permissions.contains(QStringLiteral("User.ReadWrite.All")));
    // The request log (over HTTP too) says what each request's token granted.
    r = http(m_nam, "GET", url(QStringLiteral("/_practice/requests")));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("\"User.ReadWrite.All\""));
    QVERIFY(!r.body.contains(writeToken.toLatin1()));
}

void tst_PracticeTenant::stateAndReset()
{
    QCOMPARE(graph("PATCH", QStringLiteral("/v1.0/users/cloud"),
                   {{QStringLiteral("onPremisesImmutableId"),
                     QStringLiteral("STATEAAAAAAAAAAAAAAAAA==")}})
                 .status,
             204);
    HttpReply r = http(m_nam, "GET", url(QStringLiteral("/_practice/state")));
    QCOMPARE(r.status, 200);
    const QJsonArray users = r.json().value(QStringLiteral("users")).toArray();
    QCOMPARE(users.first().toObject().value(QStringLiteral("onPremisesImmutableId")).toString(),
             QStringLiteral("STATEAAAAAAAAAAAAAAAAA=="));
    QVERIFY(!r.body.contains(clientSecret.toLatin1())); // secrets are not echoed
    r = http(m_nam, "GET", url(QStringLiteral("/_practice/writes")));
    QCOMPARE(r.json().value(QStringLiteral("writes")).toArray().size(), 1);
    QCOMPARE(http(m_nam, "POST", url(QStringLiteral("/_practice/reset"))).status, 200);
    QVERIFY(m_tenant.writeLog().isEmpty());
    QVERIFY(
        m_tenant.directory().users.first().value(QStringLiteral("onPremisesImmutableId")).isNull());
}

void tst_PracticeTenant::provisioningErrorsQuery_data()
{
    QTest::addColumn<QString>("collection");
    QTest::addColumn<bool>("header");
    QTest::addColumn<bool>("count");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("expected");
    const QStringList none;
    QTest::newRow("users") << "users" << true << true << 200 << QStringList{"cloud"};
    QTest::newRow("groups") << "groups" << true << true << 200 << QStringList{"g-sales"};
    QTest::newRow("contacts") << "contacts" << true << true << 200 << QStringList{"k-ext"};
    QTest::newRow("users without ConsistencyLevel") << "users" << false << true << 400 << none;
    QTest::newRow("groups without $count") << "groups" << true << false << 400 << none;
    QTest::newRow("contacts without either") << "contacts" << false << false << 400 << none;
}

// DESIGN.md §7: the any() filter on onPremisesProvisioningErrors is an advanced query.
void tst_PracticeTenant::provisioningErrorsQuery()
{
    QFETCH(QString, collection);
    QFETCH(bool, header);
    QFETCH(bool, count);
    QFETCH(int, status);
    QFETCH(QStringList, expected);
    load2026();
    const HttpReply r = advanced(
        QStringLiteral("/v1.0/%1?$filter=onPremisesProvisioningErrors/any(o:o/category%20eq%20"
                       "'PropertyConflict')%2&$select=id,displayName,onPremisesProvisioningErrors")
            .arg(collection, count ? QStringLiteral("&$count=true") : QString()),
        header);
    QCOMPARE(r.status, status);
    if (status != 200) {
        QCOMPARE(r.errorCode(), QStringLiteral("Request_UnsupportedQuery"));
        QVERIFY(r.json()
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("innerError"))
                    .toObject()
                    .contains(QStringLiteral("request-id")));
        return;
    }
    QCOMPARE(ids(r), expected);
    QCOMPARE(r.json().value(QStringLiteral("@odata.count")).toInt(), int(expected.size()));
    const QJsonObject errors = r.json()
                                   .value(QStringLiteral("value"))
                                   .toArray()
                                   .first()
                                   .toObject()
                                   .value(QStringLiteral("onPremisesProvisioningErrors"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(errors.value(QStringLiteral("category")).toString(),
             QStringLiteral("PropertyConflict"));
    QVERIFY(!errors.value(QStringLiteral("value")).toString().isEmpty());
    QVERIFY(!errors.value(QStringLiteral("occurredDateTime")).toString().isEmpty());
    // Without $select the errors are not part of a user.
    if (collection == QLatin1String("users")) {
        const HttpReply plain = graph("GET", QStringLiteral("/v1.0/users"));
        QVERIFY(!plain.json()
                     .value(QStringLiteral("value"))
                     .toArray()
                     .first()
                     .toObject()
                     .contains(QStringLiteral("onPremisesProvisioningErrors")));
    }
}

// ConsistencyLevel is not carried by the nextLink: a client must send it on every page.
void tst_PracticeTenant::advancedQueryHeaderOnEveryPage()
{
    load2026();
    for (int i = 0; i < 3; ++i)
        m_tenant.directory().users[i].insert(
            QStringLiteral("onPremisesProvisioningErrors"),
            QJsonArray{QJsonObject{{QStringLiteral("category"), QStringLiteral("PropertyConflict")},
                                   {QStringLiteral("value"), QStringLiteral("x@contoso.test")}}});
    const QString first =
        QStringLiteral("/v1.0/users?$filter=onPremisesProvisioningErrors/any(o:o/category%20eq%20"
                       "'PropertyConflict')&$count=true&$top=2&$select=id");
    const HttpReply page1 = advanced(first, true);
    QCOMPARE(page1.status, 200);
    QCOMPARE(ids(page1).size(), 2);
    const QString next = page1.json().value(QStringLiteral("@odata.nextLink")).toString();
    QVERIFY(!next.isEmpty());
    const QString nextPath = next.mid(m_tenant.baseUrl().size());
    QCOMPARE(advanced(nextPath, false).status, 400);
    const HttpReply page2 = advanced(nextPath, true);
    QCOMPARE(page2.status, 200);
    QCOMPARE(ids(page2).size(), 1);
}

// A conflicting address's holder among groups and contacts, looked up in one $batch.
void tst_PracticeTenant::holderLookupInBatch()
{
    load2026();
    const auto lookup = [](const QString &id, const QString &collection, const QString &value) {
        return QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("method"), QStringLiteral("GET")},
            {QStringLiteral("url"),
             QStringLiteral("/%1?$filter=%2&$select=id,displayName")
                 .arg(collection,
                      QString::fromLatin1(QUrl::toPercentEncoding(
                          QStringLiteral("proxyAddresses/any(p:p eq '%1')").arg(value))))}};
    };
    const HttpReply r = graph("POST", QStringLiteral("/v1.0/$batch"),
                              {{QStringLiteral("requests"),
                                QJsonArray{lookup(QStringLiteral("1"), QStringLiteral("groups"),
                                                  QStringLiteral("smtp:SALES@contoso.test")),
                                           lookup(QStringLiteral("2"), QStringLiteral("contacts"),
                                                  QStringLiteral("smtp:sales@contoso.test")),
                                           lookup(QStringLiteral("3"), QStringLiteral("contacts"),
                                                  QStringLiteral("smtp:ext@partner.test"))}}});
    QCOMPARE(r.status, 200);
    QHash<QString, QStringList> found;
    for (const QJsonValue &v : r.json().value(QStringLiteral("responses")).toArray()) {
        const QJsonObject o = v.toObject();
        QCOMPARE(o.value(QStringLiteral("status")).toInt(), 200);
        QStringList list;
        for (const QJsonValue &x :
             o.value(QStringLiteral("body")).toObject().value(QStringLiteral("value")).toArray())
            list << x.toObject().value(QStringLiteral("id")).toString();
        found.insert(o.value(QStringLiteral("id")).toString(), list);
    }
    QCOMPARE(found.value(QStringLiteral("1")), QStringList{QStringLiteral("g-sales")});
    QCOMPARE(found.value(QStringLiteral("2")), QStringList());
    QCOMPARE(found.value(QStringLiteral("3")), QStringList{QStringLiteral("k-ext")});
    // Deleted groups: their own collection, with deletedDateTime.
    const HttpReply deleted =
        graph("GET", QStringLiteral("/v1.0/directory/deletedItems/microsoft.graph.group"
                                    "?$select=id,displayName,proxyAddresses"));
    QCOMPARE(deleted.status, 200);
    QCOMPARE(ids(deleted), QStringList{QStringLiteral("g-old")});
    QCOMPARE(deleted.json()
                 .value(QStringLiteral("value"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("deletedDateTime"))
                 .toString(),
             QStringLiteral("2026-11-10T10:00:00Z"));
    // Groups need Group.Read.All (or Directory.Read.All), contacts OrgContact.Read.All.
    const QString usersOnly = m_tenant.issueAccessToken({QStringLiteral("User.Read.All")});
    QCOMPARE(graph("GET", QStringLiteral("/v1.0/groups"), {}, usersOnly).errorCode(),
             QStringLiteral("Authorization_RequestDenied"));
    QCOMPARE(graph("GET", QStringLiteral("/v1.0/contacts"), {}, usersOnly).status, 403);
    QCOMPARE(graph("GET", QStringLiteral("/v1.0/directory/deletedItems/microsoft.graph.group"), {},
                   usersOnly)
                 .status,
             403);
}

void tst_PracticeTenant::syncBehavior_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("cloudManaged");
    const QStringList all;
    QTest::newRow("converted user") << "holder" << all << 200 << true;
    QTest::newRow("ordinary user") << "cloud" << all << 200 << false;
    QTest::newRow("unknown user") << "nobody" << all << 404 << false;
    // Graph documents only User-OnPremisesSyncBehavior.ReadWrite.All, for reading too.
    QTest::newRow("User.Read.All is not enough")
        << "holder" << QStringList{"User.Read.All", "Directory.Read.All"} << 403 << false;
    QTest::newRow("the documented permission")
        << "holder" << QStringList{"User-OnPremisesSyncBehavior.ReadWrite.All"} << 200 << true;
}

void tst_PracticeTenant::syncBehavior()
{
    QFETCH(QString, user);
    QFETCH(QStringList, permissions);
    QFETCH(int, status);
    QFETCH(bool, cloudManaged);
    load2026();
    const QString token = permissions.isEmpty() ? m_token : m_tenant.issueAccessToken(permissions);
    const HttpReply r = graph(
        "GET",
        QStringLiteral("/v1.0/users/%1/onPremisesSyncBehavior?$select=isCloudManaged").arg(user),
        {}, token);
    QCOMPARE(r.status, status);
    if (status == 403)
        QCOMPARE(r.errorCode(), QStringLiteral("Authorization_RequestDenied"));
    if (status == 404)
        QCOMPARE(r.errorCode(), QStringLiteral("Request_ResourceNotFound"));
    if (status != 200)
        return;
    QCOMPARE(r.json().value(QStringLiteral("id")).toString(), user);
    QCOMPARE(r.json().value(QStringLiteral("isCloudManaged")).toBool(!cloudManaged), cloudManaged);
    QVERIFY(r.json()
                .value(QStringLiteral("@odata.context"))
                .toString()
                .endsWith(QLatin1String("/onPremisesSyncBehavior/$entity")));
}

void tst_PracticeTenant::roleManagement_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expected"); // "principal:role" pairs or "id:isPrivileged"
    const QStringList all;
    QTest::newRow("active assignments")
        << "/v1.0/roleManagement/directory/roleAssignments?$select=principalId,roleDefinitionId"
        << all << 200 << "admin:62e90394-69f5-4237-9190-012177145e10";
    QTest::newRow("PIM eligibility") << "/v1.0/roleManagement/directory/roleEligibilitySchedules"
                                        "?$select=principalId,roleDefinitionId"
                                     << all << 200
                                     << "holder:62e90394-69f5-4237-9190-012177145e10 "
                                        "fed:88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
    QTest::newRow("eligibility needs RoleManagement.Read.Directory, not Directory.Read.All")
        << "/v1.0/roleManagement/directory/roleEligibilitySchedules"
        << QStringList{"Directory.Read.All"} << 403 << QString();
    QTest::newRow("assignments with Directory.Read.All")
        << "/v1.0/roleManagement/directory/roleAssignments" << QStringList{"Directory.Read.All"}
        << 200 << "admin:62e90394-69f5-4237-9190-012177145e10";
    QTest::newRow("isPrivileged is beta only")
        << "/v1.0/roleManagement/directory/roleDefinitions?$select=id,displayName,isPrivileged"
        << all << 400 << QString();
    QTest::newRow("beta role definitions")
        << "/beta/roleManagement/directory/roleDefinitions?$select=id,displayName,isPrivileged"
        << all << 200
        << "88d8e3e3-8f55-4a1e-953a-9b9898b8876b:false "
           "62e90394-69f5-4237-9190-012177145e10:true";
}

void tst_PracticeTenant::roleManagement()
{
    QFETCH(QString, path);
    QFETCH(QStringList, permissions);
    QFETCH(int, status);
    QFETCH(QString, expected);
    load2026();
    const QString token = permissions.isEmpty() ? m_token : m_tenant.issueAccessToken(permissions);
    const HttpReply r = graph("GET", path, {}, token);
    QCOMPARE(r.status, status);
    if (status == 403)
        QCOMPARE(r.errorCode(), QStringLiteral("Authorization_RequestDenied"));
    if (status == 400)
        QCOMPARE(r.errorCode(), QStringLiteral("Request_BadRequest"));
    if (status != 200)
        return;
    QStringList pairs;
    for (const QJsonValue &v : r.json().value(QStringLiteral("value")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.contains(QStringLiteral("isPrivileged")))
            pairs << o.value(QStringLiteral("id")).toString() + u':' +
                         (o.value(QStringLiteral("isPrivileged")).toBool() ? u"true" : u"false");
        else
            pairs << o.value(QStringLiteral("principalId")).toString() + u':' +
                         o.value(QStringLiteral("roleDefinitionId")).toString();
    }
    QCOMPARE(pairs.join(u' '), expected);
}

void tst_PracticeTenant::clearObjectIdentifier_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QStringList>("permissions");
    QTest::addColumn<int>("status");
    const QStringList all;
    QTest::newRow("beta, null: cleared")
        << "/beta/users/holder" << QJsonValue(QJsonValue::Null) << all << 204;
    QTest::newRow("beta, a value: it can only be cleared")
        << "/beta/users/holder" << QJsonValue(QStringLiteral("S-1-5-21-9")) << all << 400;
    QTest::newRow("beta without User-OnPremisesSyncBehavior.ReadWrite.All")
        << "/beta/users/holder" << QJsonValue(QJsonValue::Null) << QStringList{"User.ReadWrite.All"}
        << 403;
    QTest::newRow("v1.0: read-only there")
        << "/v1.0/users/holder" << QJsonValue(QJsonValue::Null) << all << 400;
    QTest::newRow("beta, unknown user")
        << "/beta/users/nobody" << QJsonValue(QJsonValue::Null) << all << 404;
}

void tst_PracticeTenant::clearObjectIdentifier()
{
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QStringList, permissions);
    QFETCH(int, status);
    load2026();
    const QString token =
        permissions.isEmpty()
            ? m_delegated
            : m_tenant.issueAccessToken(permissions, QStringLiteral("admin@") + initialDomain);
    const HttpReply r =
        graph("PATCH", path, {{QStringLiteral("onPremisesObjectIdentifier"), value}}, token);
    QCOMPARE(r.status, status);
    const QString left = m_tenant.directory()
                             .users.at(3)
                             .value(QStringLiteral("onPremisesObjectIdentifier"))
                             .toString();
    QCOMPARE(left.isEmpty(), status == 204);
    QCOMPARE(m_tenant.writeLog().size(), status == 204 ? 1 : 0);
    if (status == 403)
        QCOMPARE(r.errorCode(), QStringLiteral("Authorization_RequestDenied"));
    if (status == 204) {
        // Read back through beta: gone.
        const HttpReply after = graph(
            "GET", QStringLiteral("/beta/users/holder?$select=id,onPremisesObjectIdentifier"));
        QCOMPARE(after.status, 200);
        QVERIFY(after.json().value(QStringLiteral("onPremisesObjectIdentifier")).isNull());
    }
}

// GET /groups/{id}/transitiveMembers/microsoft.graph.user as Graph documents it: nested
// groups followed, users only, 404 for an id that is no group, 403 without a permission
// that reads members.
void tst_PracticeTenant::groupMembers()
{
    load2026();
    QJsonObject outer{{QStringLiteral("id"), QStringLiteral("g-outer")},
                      {QStringLiteral("displayName"), QStringLiteral("Outer")},
                      {QStringLiteral("members"),
                       QJsonArray{QStringLiteral("cloud"), QStringLiteral("g-inner")}}};
    QJsonObject inner{{QStringLiteral("id"), QStringLiteral("g-inner")},
                      {QStringLiteral("displayName"), QStringLiteral("Inner")},
                      {QStringLiteral("members"),
                       QJsonArray{QStringLiteral("fed"), QStringLiteral("g-outer")}}}; // a cycle
    m_tenant.directory().groups << outer << inner;
    HttpReply r = graph("GET", QStringLiteral("/v1.0/groups/g-outer/transitiveMembers/"
                                              "microsoft.graph.user?$select=id"));
    QCOMPARE(r.status, 200);
    QCOMPARE(ids(r), (QStringList{"cloud", "fed"}));
    r = graph("GET",
              QStringLiteral("/v1.0/groups/g-outer/members/microsoft.graph.user?$select=id"));
    QCOMPARE(ids(r), QStringList{"cloud"});
    r = graph("GET", QStringLiteral("/v1.0/groups/sp-1/transitiveMembers/microsoft.graph.user"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.errorCode(), QStringLiteral("Request_ResourceNotFound"));
    r = graph("GET", QStringLiteral("/v1.0/groups/g-outer/transitiveMembers/microsoft.graph.user"),
              {}, m_tenant.issueAccessToken({QStringLiteral("User.Read.All")}));
    QCOMPARE(r.status, 403);
    r = graph("GET", QStringLiteral("/v1.0/groups/g-outer/transitiveMembers/microsoft.graph.user"),
              {}, m_tenant.issueAccessToken({QStringLiteral("GroupMember.Read.All")}));
    QCOMPARE(r.status, 200);
}

// The simulated sync cycle refuses a match like Entra in 2026: an eligible privileged role
// and a role held through a group count as admin; onPremisesObjectIdentifier blocks the
// hard match unless the temporary bypass flag is on.
void tst_PracticeTenant::simulatedSyncBlocksLike2026_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<bool>("joined");
    QTest::newRow("plain user: joined") << "plain" << true;
    QTest::newRow("PIM-eligible Global Administrator: blocked") << "eligible" << false;
    QTest::newRow("eligible, not privileged: joined") << "eligible-reader" << true;
    QTest::newRow("member of a group holding a role: blocked") << "group" << false;
    QTest::newRow("onPremisesObjectIdentifier set: blocked") << "identifier" << false;
    QTest::newRow("onPremisesObjectIdentifier set, bypass on: joined") << "bypass" << true;
}

void tst_PracticeTenant::simulatedSyncBlocksLike2026()
{
    QFETCH(QString, setup);
    QFETCH(bool, joined);
    load2026();
    PracticeDirectory &d = m_tenant.directory();
    const QString anchor = QStringLiteral("CLOUDAAAAAAAAAAAAAAAAA==");
    QJsonObject cloud = d.users.at(0);
    cloud.insert(QStringLiteral("onPremisesImmutableId"), anchor);
    d.roleEligibilitySchedules.clear();
    const QString ga = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");
    const QString reader = QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b");
    if (setup == u"eligible" || setup == u"eligible-reader")
        d.roleEligibilitySchedules << QJsonObject{
            {QStringLiteral("principalId"), QStringLiteral("cloud")},
            {QStringLiteral("roleDefinitionId"), setup == u"eligible" ? ga : reader}};
    if (setup == u"group") {
        d.groups << QJsonObject{{QStringLiteral("id"), QStringLiteral("g-admins")},
                                {QStringLiteral("isAssignableToRole"), true},
                                {QStringLiteral("members"), QJsonArray{QStringLiteral("cloud")}}};
        d.roleEligibilitySchedules
            << QJsonObject{{QStringLiteral("principalId"), QStringLiteral("g-admins")},
                           {QStringLiteral("roleDefinitionId"), ga}};
    }
    if (setup == u"identifier" || setup == u"bypass")
        cloud.insert(QStringLiteral("onPremisesObjectIdentifier"),
                     QStringLiteral("S-1-5-21-9-9-9-1001"));
    d.setUser(0, cloud);
    if (setup == u"bypass") {
        QJsonObject features =
            d.onPremisesSynchronization.value(QStringLiteral("features")).toObject();
        features.insert(QStringLiteral("allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled"),
                        true);
        d.onPremisesSynchronization.insert(QStringLiteral("features"), features);
    }
    const PracticeSyncResult r = d.simulateSync({{anchor, QStringLiteral("cloud@contoso.test")}},
                                                QDateTime::currentDateTimeUtc());
    QCOMPARE(r.joined.contains(QStringLiteral("cloud")), joined);
    QCOMPARE(r.blocked.contains(QStringLiteral("cloud")), !joined);
    QCOMPARE(d.users.at(0).value(QStringLiteral("onPremisesSyncEnabled")).toBool(), joined);
}

QTEST_GUILESS_MAIN(tst_PracticeTenant)
#include "tst_practicetenant.moc"
