#pragma once

// Helpers shared by the cloud tests: a small practice tenant and a blocking HTTP call
// for tests (never used by the app).

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPair>
#include <QSignalSpy>
#include <QString>
#include <QUrl>

namespace PracticeTest {

inline const QString tenantId = QStringLiteral("9f0c2c6e-1b7e-4c55-8f0e-6a1d2b3c4d5e");
inline const QString clientId = QStringLiteral("0b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
inline const QString clientSecret = QStringLiteral("practice-secret-for-tests");
inline const QString initialDomain = QStringLiteral("contosotest.onmicrosoft.com");

inline QJsonObject user(const QString &id, const QString &upn, const QJsonValue &immutableId,
                        const QJsonValue &syncEnabled = QJsonValue(QJsonValue::Null))
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("userPrincipalName"), upn},
        {QStringLiteral("displayName"), upn.section(QLatin1Char('@'), 0, 0)},
        {QStringLiteral("givenName"), QStringLiteral("Given")},
        {QStringLiteral("surname"), QStringLiteral("Surname")},
        {QStringLiteral("mail"), upn},
        {QStringLiteral("proxyAddresses"), QJsonArray{QString(QStringLiteral("SMTP:") + upn)}},
        {QStringLiteral("onPremisesImmutableId"), immutableId},
        {QStringLiteral("onPremisesSyncEnabled"), syncEnabled},
        {QStringLiteral("accountEnabled"), true}};
}

// cloud (cloud-only, no anchor), synced (synced, anchor SYNC), fed (federated domain),
// holder (anchor HOLD), admin (Global Administrator); deleted: gone (anchor DELETED).
inline QJsonObject smallTenant()
{
    QJsonObject deleted = user(QStringLiteral("gone"), QStringLiteral("gone@contoso.test"),
                               QStringLiteral("DELETEDAAAAAAAAAAAAAAA=="));
    deleted.insert(QStringLiteral("deletedDateTime"), QStringLiteral("2026-11-01T10:00:00Z"));
    return QJsonObject{
        {QStringLiteral("tenantId"), tenantId},
        {QStringLiteral("displayName"), QStringLiteral("Contoso test")},
        {QStringLiteral("operator"), QString(QStringLiteral("admin@") + initialDomain)},
        {QStringLiteral("organization"),
         QJsonObject{{QStringLiteral("onPremisesSyncEnabled"), true},
                     {QStringLiteral("onPremisesLastSyncDateTime"),
                      QStringLiteral("2026-11-20T08:00:00Z")}}},
        {QStringLiteral("onPremisesSynchronization"),
         QJsonObject{
             {QStringLiteral("features"),
              QJsonObject{
                  {QStringLiteral("blockSoftMatchEnabled"), true},
                  {QStringLiteral("blockCloudObjectTakeoverThroughHardMatchEnabled"), false}}}}},
        {QStringLiteral("clients"),
         QJsonArray{
             QJsonObject{{QStringLiteral("clientId"), clientId},
                         {QStringLiteral("clientSecret"), clientSecret},
                         {QStringLiteral("displayName"), QStringLiteral("Anchorfix test")}}}},
        {QStringLiteral("domains"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), initialDomain},
                                {QStringLiteral("authenticationType"), QStringLiteral("Managed")},
                                {QStringLiteral("isInitial"), true},
                                {QStringLiteral("isDefault"), false},
                                {QStringLiteral("isVerified"), true}},
                    QJsonObject{{QStringLiteral("id"), QStringLiteral("contoso.test")},
                                {QStringLiteral("authenticationType"), QStringLiteral("Managed")},
                                {QStringLiteral("isInitial"), false},
                                {QStringLiteral("isDefault"), true},
                                {QStringLiteral("isVerified"), true}},
                    QJsonObject{{QStringLiteral("id"), QStringLiteral("fed.contoso.test")},
                                {QStringLiteral("authenticationType"), QStringLiteral("Federated")},
                                {QStringLiteral("isInitial"), false},
                                {QStringLiteral("isDefault"), false},
                                {QStringLiteral("isVerified"), true}}}},
        {QStringLiteral("users"),
         QJsonArray{user(QStringLiteral("cloud"), QStringLiteral("cloud@contoso.test"),
                         QJsonValue(QJsonValue::Null)),
                    user(QStringLiteral("synced"), QStringLiteral("synced@contoso.test"),
                         QStringLiteral("SYNCAAAAAAAAAAAAAAAAAA=="), true),
                    user(QStringLiteral("fed"), QStringLiteral("fed@fed.contoso.test"),
                         QJsonValue(QJsonValue::Null)),
                    user(QStringLiteral("holder"), QStringLiteral("holder@contoso.test"),
                         QStringLiteral("HOLDAAAAAAAAAAAAAAAAAA=="), false),
                    user(QStringLiteral("admin"), QString(QStringLiteral("admin@") + initialDomain),
                         QJsonValue(QJsonValue::Null))}},
        {QStringLiteral("deletedUsers"), QJsonArray{deleted}},
        {QStringLiteral("directoryRoles"),
         QJsonArray{
             QJsonObject{{QStringLiteral("id"), QStringLiteral("role-ga")},
                         {QStringLiteral("displayName"), QStringLiteral("Global Administrator")},
                         {QStringLiteral("roleTemplateId"),
                          QStringLiteral("62e90394-69f5-4237-9190-012177145e10")},
                         {QStringLiteral("members"), QJsonArray{QStringLiteral("admin")}}}}}};
}

// smallTenant() plus the 2026 facts: provisioning errors on a user (cloud), a group
// (g-sales) and a contact (k-ext), a deleted group (g-old), a source-of-authority conversion
// with onPremisesObjectIdentifier set (holder), PIM eligibility (holder: Global
// Administrator; fed: Directory Readers, not privileged).
inline QJsonObject rules2026Tenant()
{
    QJsonObject t = smallTenant();
    QJsonArray users = t.value(QStringLiteral("users")).toArray();
    const auto conflict = [](const QString &property, const QString &value) {
        return QJsonArray{QJsonObject{
            {QStringLiteral("category"), QStringLiteral("PropertyConflict")},
            {QStringLiteral("propertyCausingError"), property},
            {QStringLiteral("value"), value},
            {QStringLiteral("occurredDateTime"), QStringLiteral("2026-11-20T08:00:00Z")}}};
    };
    QJsonObject cloud = users[0].toObject();
    cloud.insert(
        QStringLiteral("onPremisesProvisioningErrors"),
        conflict(QStringLiteral("UserPrincipalName"), QStringLiteral("cloud@contoso.test")));
    users[0] = cloud;
    QJsonObject holder = users[3].toObject();
    // Source of authority moved to the cloud: onPremisesSyncEnabled back to null.
    holder.insert(QStringLiteral("onPremisesSyncEnabled"), QJsonValue(QJsonValue::Null));
    holder.insert(QStringLiteral("onPremisesSyncBehavior"),
                  QJsonObject{{QStringLiteral("isCloudManaged"), true}});
    holder.insert(QStringLiteral("onPremisesObjectIdentifier"),
                  QStringLiteral("S-1-5-21-1-2-3-1104"));
    users[3] = holder;
    t.insert(QStringLiteral("users"), users);
    const auto object = [](const QString &id, const QString &name, const QString &mail,
                           const QJsonArray &errors) {
        return QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("displayName"), name},
            {QStringLiteral("mail"), mail},
            {QStringLiteral("proxyAddresses"), QJsonArray{QString(QStringLiteral("SMTP:") + mail)}},
            {QStringLiteral("onPremisesProvisioningErrors"), errors}};
    };
    t.insert(QStringLiteral("groups"),
             QJsonArray{object(QStringLiteral("g-sales"), QStringLiteral("Sales"),
                               QStringLiteral("sales@contoso.test"),
                               conflict(QStringLiteral("ProxyAddresses"),
                                        QStringLiteral("smtp:team@contoso.test"))),
                        object(QStringLiteral("g-plain"), QStringLiteral("Plain"),
                               QStringLiteral("plain@contoso.test"), {})});
    t.insert(QStringLiteral("contacts"),
             QJsonArray{object(QStringLiteral("k-ext"), QStringLiteral("External"),
                               QStringLiteral("ext@partner.test"),
                               conflict(QStringLiteral("ProxyAddresses"),
                                        QStringLiteral("smtp:cloud@contoso.test")))});
    QJsonObject deletedGroup = object(QStringLiteral("g-old"), QStringLiteral("Old"),
                                      QStringLiteral("old@contoso.test"), {});
    deletedGroup.insert(QStringLiteral("deletedDateTime"), QStringLiteral("2026-11-10T10:00:00Z"));
    t.insert(QStringLiteral("deletedGroups"), QJsonArray{deletedGroup});
    t.insert(QStringLiteral("roleDefinitions"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("id"), QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b")},
                 {QStringLiteral("displayName"), QStringLiteral("Directory Readers")},
                 {QStringLiteral("isPrivileged"), false}}});
    t.insert(QStringLiteral("roleEligibilitySchedules"),
             QJsonArray{QJsonObject{{QStringLiteral("principalId"), QStringLiteral("holder")},
                                    {QStringLiteral("roleDefinitionId"),
                                     QStringLiteral("62e90394-69f5-4237-9190-012177145e10")}},
                        QJsonObject{{QStringLiteral("principalId"), QStringLiteral("fed")},
                                    {QStringLiteral("roleDefinitionId"),
                                     QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b")}}});
    return t;
}

struct HttpReply
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
    QString errorCode() const
    {
        return json()
            .value(QStringLiteral("error"))
            .toObject()
            .value(QStringLiteral("code"))
            .toString();
    }
};

// A blocking request for tests (spins the event loop through QSignalSpy::wait).
inline HttpReply http(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
                      const QByteArray &body = {},
                      const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QNetworkRequest request(url);
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    if (!body.isEmpty() && !request.hasRawHeader("Content-Type"))
        request.setRawHeader("Content-Type", "application/json");
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    QSignalSpy spy(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        spy.wait(30000);
    HttpReply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.error = reply->error();
    r.body = reply->readAll();
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}

inline QByteArray form(const QList<QPair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &f : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(f.first) + '=' + QUrl::toPercentEncoding(f.second);
    }
    return out;
}

} // namespace PracticeTest
