#include "practicegraphapi.h"

#include "practicedirectory.h"
#include "practicefaults.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QUuid>

#include <cmath>

namespace {
const QLatin1String kImmutableId("onPremisesImmutableId");
const QLatin1String kUpn("userPrincipalName");
const QLatin1String kSyncEnabled("onPremisesSyncEnabled");

const QString kSyncedMessage = QStringLiteral(
    "Unable to update the specified properties for on-premises mastered Directory Sync objects "
    "or objects currently undergoing migration.");
// Graph documents no text for this refusal; this is what MSOnline said. Clients must
// branch on status and code, never on this message.
const QString kFederatedMessage = QStringLiteral(
    "You must provide a required property: Parameter name: FederatedUser.SourceAnchor");

// Properties a user read may $select (v1.0 plus what the practice tenant stores).
const QSet<QString> &knownUserProperties()
{
    static const QSet<QString> known = {QStringLiteral("id"),
                                        QStringLiteral("businessPhones"),
                                        QStringLiteral("displayName"),
                                        QStringLiteral("givenName"),
                                        QStringLiteral("jobTitle"),
                                        QStringLiteral("mail"),
                                        QStringLiteral("mobilePhone"),
                                        QStringLiteral("officeLocation"),
                                        QStringLiteral("preferredLanguage"),
                                        QStringLiteral("surname"),
                                        QStringLiteral("userPrincipalName"),
                                        QStringLiteral("onPremisesImmutableId"),
                                        QStringLiteral("onPremisesSyncEnabled"),
                                        QStringLiteral("onPremisesObjectIdentifier"),
                                        QStringLiteral("onPremisesLastSyncDateTime"),
                                        QStringLiteral("onPremisesProvisioningErrors"),
                                        QStringLiteral("onPremisesDistinguishedName"),
                                        QStringLiteral("onPremisesSamAccountName"),
                                        QStringLiteral("onPremisesUserPrincipalName"),
                                        QStringLiteral("onPremisesSecurityIdentifier"),
                                        QStringLiteral("proxyAddresses"),
                                        QStringLiteral("accountEnabled"),
                                        QStringLiteral("deletedDateTime"),
                                        QStringLiteral("createdDateTime"),
                                        QStringLiteral("userType"),
                                        QStringLiteral("otherMails"),
                                        QStringLiteral("companyName"),
                                        QStringLiteral("department")};
    return known;
}

QJsonValue propertyOf(const QJsonObject &o, const QString &name)
{
    const auto it = o.constFind(name);
    if (it != o.constEnd())
        return *it;
    if (name == QLatin1String("businessPhones") || name == QLatin1String("proxyAddresses") ||
        name == QLatin1String("otherMails") ||
        name == QLatin1String("onPremisesProvisioningErrors"))
        return QJsonArray();
    return QJsonValue(QJsonValue::Null);
}

QJsonObject project(const QJsonObject &o, const QStringList &properties)
{
    QJsonObject out;
    for (const QString &p : properties)
        out.insert(p, propertyOf(o, p));
    if (!out.contains(QLatin1String("id")))
        out.insert(QLatin1String("id"), o.value(QLatin1String("id")));
    return out;
}

QString metadata(const PracticeGraphContext &ctx, const QString &name)
{
    return ctx.baseUrl + QLatin1String("/v1.0/$metadata#") + name;
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

// Properties a group / contact read may $select.
const QSet<QString> &knownObjectProperties(const QString &type)
{
    static const QSet<QString> group = {QStringLiteral("id"),
                                        QStringLiteral("displayName"),
                                        QStringLiteral("mail"),
                                        QStringLiteral("mailEnabled"),
                                        QStringLiteral("mailNickname"),
                                        QStringLiteral("securityEnabled"),
                                        QStringLiteral("groupTypes"),
                                        QStringLiteral("proxyAddresses"),
                                        QStringLiteral("description"),
                                        QStringLiteral("onPremisesSyncEnabled"),
                                        QStringLiteral("onPremisesProvisioningErrors"),
                                        QStringLiteral("deletedDateTime"),
                                        QStringLiteral("createdDateTime")};
    static const QSet<QString> contact = {QStringLiteral("id"),
                                          QStringLiteral("displayName"),
                                          QStringLiteral("mail"),
                                          QStringLiteral("mailNickname"),
                                          QStringLiteral("givenName"),
                                          QStringLiteral("surname"),
                                          QStringLiteral("companyName"),
                                          QStringLiteral("proxyAddresses"),
                                          QStringLiteral("onPremisesSyncEnabled"),
                                          QStringLiteral("onPremisesProvisioningErrors"),
                                          QStringLiteral("onPremisesLastSyncDateTime")};
    return type == QLatin1String("orgContact") ? contact : group;
}

QStringList defaultObjectProperties(const QString &type)
{
    if (type == QLatin1String("orgContact"))
        return {QStringLiteral("id"),
                QStringLiteral("displayName"),
                QStringLiteral("mail"),
                QStringLiteral("mailNickname"),
                QStringLiteral("proxyAddresses"),
                QStringLiteral("onPremisesSyncEnabled"),
                QStringLiteral("onPremisesProvisioningErrors")};
    return {QStringLiteral("id"),
            QStringLiteral("displayName"),
            QStringLiteral("mail"),
            QStringLiteral("mailEnabled"),
            QStringLiteral("mailNickname"),
            QStringLiteral("securityEnabled"),
            QStringLiteral("groupTypes"),
            QStringLiteral("proxyAddresses"),
            QStringLiteral("onPremisesSyncEnabled"),
            QStringLiteral("onPremisesProvisioningErrors")};
}

QString randomSkipToken()
{
    QByteArray raw(24, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(raw.data()), 6);
    return QStringLiteral("RFNwdAIAAQAAA") +
           QString::fromLatin1(
               raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}
} // namespace

QJsonObject PracticeWrite::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("atMs"), atMs);
    o.insert(QLatin1String("requestId"), requestId);
    o.insert(QLatin1String("clientRequestId"), clientRequestId);
    o.insert(QLatin1String("method"), QString::fromLatin1(method));
    o.insert(QLatin1String("path"), path);
    o.insert(QLatin1String("targetId"), targetId);
    o.insert(QLatin1String("before"), before);
    o.insert(QLatin1String("body"), body);
    o.insert(QLatin1String("inBatch"), inBatch);
    return o;
}

PracticeGraphApi::PracticeGraphApi(PracticeDirectory &directory, PracticeFaults &faults)
    : m_directory(directory), m_faults(faults)
{}

QStringList PracticeGraphApi::defaultUserProperties()
{
    return {QStringLiteral("businessPhones"),    QStringLiteral("displayName"),
            QStringLiteral("givenName"),         QStringLiteral("id"),
            QStringLiteral("jobTitle"),          QStringLiteral("mail"),
            QStringLiteral("mobilePhone"),       QStringLiteral("officeLocation"),
            QStringLiteral("preferredLanguage"), QStringLiteral("surname"),
            QStringLiteral("userPrincipalName")};
}

PracticeResponse PracticeGraphApi::error(int status, const QString &code, const QString &message,
                                         const PracticeGraphContext &ctx, const QJsonArray &details)
{
    QJsonObject inner;
    inner.insert(QLatin1String("date"), isoNow());
    inner.insert(QLatin1String("request-id"), ctx.requestId);
    inner.insert(QLatin1String("client-request-id"),
                 ctx.clientRequestId.isEmpty() ? ctx.requestId : ctx.clientRequestId);
    QJsonObject e;
    e.insert(QLatin1String("code"), code);
    e.insert(QLatin1String("message"), message);
    if (!details.isEmpty())
        e.insert(QLatin1String("details"), details);
    e.insert(QLatin1String("innerError"), inner);
    return PracticeResponse::json(status, QJsonObject{{QLatin1String("error"), e}});
}

PracticeResponse PracticeGraphApi::faultResponse(const PracticeFaultRule &rule,
                                                 const PracticeGraphContext &ctx)
{
    PracticeResponse r =
        rule.effect == PracticeFaultRule::Effect::Throttle
            ? error(429, QStringLiteral("TooManyRequests"),
                    QStringLiteral("Please retry again later."), ctx)
            : error(503, QStringLiteral("serviceNotAvailable"),
                    QStringLiteral("Service is temporarily unavailable. Please retry later."), ctx);
    if (!rule.retryAfter.isEmpty())
        r.setHeader("Retry-After", rule.retryAfter.toLatin1());
    return r;
}

PracticeResponse PracticeGraphApi::notFound(const QString &id, const PracticeGraphContext &ctx)
{
    return error(404, QStringLiteral("Request_ResourceNotFound"),
                 QStringLiteral("Resource '%1' does not exist or one of its queried "
                                "reference-property objects are not present.")
                     .arg(id),
                 ctx);
}

std::optional<PracticeResponse> PracticeGraphApi::requirePermission(const PracticeGraphContext &ctx,
                                                                    const QStringList &anyOf) const
{
    for (const QString &p : anyOf)
        if (ctx.caller.permissions.contains(p, Qt::CaseInsensitive))
            return std::nullopt;
    return error(403, QStringLiteral("Authorization_RequestDenied"),
                 QStringLiteral("Insufficient privileges to complete the operation."), ctx);
}

std::optional<PracticeResponse> PracticeGraphApi::takeWrite(const PracticeGraphContext &ctx)
{
    const qint64 waitMs = m_faults.takeWrite(qint64(std::floor(ctx.nowMs)));
    if (waitMs <= 0)
        return std::nullopt;
    PracticeResponse r = error(429, QStringLiteral("TooManyRequests"),
                               QStringLiteral("Please retry again later."), ctx);
    // Fractional seconds, as Graph sends them ("2.128"), rounded up to the millisecond.
    r.setHeader("Retry-After", QByteArray::number(waitMs / 1000.0, 'f', 3));
    return r;
}

std::optional<PracticeResponse> PracticeGraphApi::selection(const PracticeRequest &request,
                                                            const PracticeGraphContext &ctx,
                                                            QStringList *properties) const
{
    const QString select = request.queryItem(QStringLiteral("$select"));
    if (select.isEmpty()) {
        *properties = defaultUserProperties();
        return std::nullopt;
    }
    properties->clear();
    for (const QString &raw : select.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString p = raw.trimmed();
        if (!knownUserProperties().contains(p) ||
            m_faults.settings().unknownUserProperties.contains(p))
            return error(400, QStringLiteral("Request_BadRequest"),
                         QStringLiteral("Could not find a property named '%1' on type "
                                        "'microsoft.graph.user'.")
                             .arg(p),
                         ctx);
        properties->append(p);
    }
    return std::nullopt;
}

void PracticeGraphApi::logWrite(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                const QString &targetId, const QJsonObject &before)
{
    PracticeWrite w;
    w.atMs = ctx.nowMs;
    w.requestId = ctx.requestId;
    w.clientRequestId = ctx.clientRequestId;
    w.method = request.method;
    w.path = request.path;
    w.targetId = targetId;
    w.before = before;
    w.body = request.jsonBody();
    w.inBatch = request.inBatch;
    m_writes.append(w);
}

PracticeResponse PracticeGraphApi::dispatch(const PracticeRequest &request,
                                            const PracticeGraphContext &ctx)
{
    const QStringList s = request.path.mid(6).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const QByteArray &m = request.method;
    const auto notAllowed = [&] {
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."),
                     ctx);
    };
    if (s.isEmpty())
        return error(400, QStringLiteral("BadRequest"), QStringLiteral("Invalid request."), ctx);

    const bool beta = request.path.startsWith(QLatin1String("/beta/"));
    if (s.at(0) == QLatin1String("me") && s.size() == 1) {
        if (m != "GET")
            return notAllowed();
        if (ctx.caller.isAppOnly())
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("/me request is only valid with delegated authentication "
                                        "flow."),
                         ctx);
        // Any signed-in user may read their own profile (User.Read, which every delegated
        // token of the tenant's apps includes).
        const int i = m_directory.indexOfUser(ctx.caller.userUpn);
        if (i < 0)
            return notFound(ctx.caller.userUpn, ctx);
        QStringList properties;
        if (auto bad = selection(request, ctx, &properties))
            return *bad;
        QJsonObject body = project(m_directory.users.at(i), properties);
        body.insert(QLatin1String("@odata.context"),
                    metadata(ctx, QStringLiteral("users/$entity")));
        return PracticeResponse::json(200, body);
    }
    if (s.at(0) == QLatin1String("users")) {
        if (s.size() == 1)
            return m == "GET" ? listUsers(request, ctx, false) : notAllowed();
        if (s.size() == 2 && s.at(1) == QLatin1String("$count"))
            return m == "GET" ? countUsers(request, ctx, false) : notAllowed();
        if (s.size() == 2 && (s.at(1) == QLatin1String("delta") ||
                              s.at(1) == QLatin1String("microsoft.graph.delta")))
            return m == "GET" ? usersDelta(request, ctx) : notAllowed();
        if (s.size() == 3 && s.at(2) == QLatin1String("onPremisesSyncBehavior"))
            return m == "GET" ? syncBehavior(request, ctx, s.at(1)) : notAllowed();
        if (s.size() == 2 && beta && m == "PATCH" &&
            request.jsonBody().contains(QLatin1String("onPremisesObjectIdentifier")))
            return clearObjectIdentifier(request, ctx, s.at(1));
        if (s.size() == 2) {
            if (m == "GET")
                return getUser(request, ctx, s.at(1));
            if (m == "PATCH")
                return patchUser(request, ctx, s.at(1));
            return notAllowed();
        }
    } else if (s.at(0) == QLatin1String("directory") && s.size() >= 2) {
        if (s.at(1) == QLatin1String("onPremisesSynchronization") && s.size() == 2) {
            if (m != "GET")
                return notAllowed();
            if (auto denied = requirePermission(
                    ctx, {QStringLiteral("OnPremDirectorySynchronization.Read.All"),
                          QStringLiteral("OnPremDirectorySynchronization.ReadWrite.All")}))
                return *denied;
            QJsonObject item;
            item.insert(QLatin1String("id"), m_directory.tenantId);
            item.insert(QLatin1String("configuration"), QJsonObject());
            item.insert(QLatin1String("features"),
                        m_directory.onPremisesSynchronization.value(QLatin1String("features")));
            QJsonObject page;
            page.insert(QLatin1String("@odata.context"),
                        metadata(ctx, QStringLiteral("directory/onPremisesSynchronization")));
            page.insert(QLatin1String("value"), QJsonArray{item});
            return PracticeResponse::json(200, page);
        }
        if (s.at(1) == QLatin1String("deletedItems")) {
            if (s.size() == 3 && s.at(2) == QLatin1String("microsoft.graph.user"))
                return m == "GET" ? listUsers(request, ctx, true) : notAllowed();
            if (s.size() == 4 && s.at(2) == QLatin1String("microsoft.graph.user") &&
                s.at(3) == QLatin1String("$count"))
                return m == "GET" ? countUsers(request, ctx, true) : notAllowed();
            if (s.size() == 3 && s.at(2) == QLatin1String("microsoft.graph.group"))
                return m == "GET"
                           ? listDirectoryObjects(
                                 request, ctx, m_directory.deletedGroups, QStringLiteral("group"),
                                 QStringLiteral("directory/deletedItems/microsoft.graph.group"))
                           : notAllowed();
            if (s.size() == 3) {
                if (m == "GET" || m == "DELETE")
                    return deletedItem(request, ctx, s.at(2), false);
                return notAllowed();
            }
            if (s.size() == 4 && s.at(3) == QLatin1String("restore"))
                return m == "POST" ? deletedItem(request, ctx, s.at(2), true) : notAllowed();
        }
    } else if (s.at(0) == QLatin1String("domains")) {
        if (m != "GET")
            return notAllowed();
        if (auto denied = requirePermission(
                ctx, {QStringLiteral("Domain.Read.All"), QStringLiteral("Directory.Read.All")}))
            return *denied;
        if (s.size() == 1) {
            QJsonArray value;
            for (const QJsonObject &d : std::as_const(m_directory.domains))
                value.append(d);
            return PracticeResponse::json(
                200, {{QLatin1String("@odata.context"), metadata(ctx, QStringLiteral("domains"))},
                      {QLatin1String("value"), value}});
        }
        if (s.size() == 2) {
            if (const QJsonObject *d = m_directory.domain(s.at(1)))
                return PracticeResponse::json(200, *d);
            return notFound(s.at(1), ctx);
        }
    } else if (s.at(0) == QLatin1String("organization") && s.size() == 1) {
        if (m != "GET")
            return notAllowed();
        if (auto denied = requirePermission(ctx, {QStringLiteral("Organization.Read.All"),
                                                  QStringLiteral("Directory.Read.All")}))
            return *denied;
        QJsonObject org = m_directory.organization;
        org.insert(QLatin1String("id"), m_directory.tenantId);
        org.insert(QLatin1String("displayName"), m_directory.displayName);
        if (!org.contains(QLatin1String("onPremisesSyncEnabled")))
            org.insert(QLatin1String("onPremisesSyncEnabled"), QJsonValue(QJsonValue::Null));
        QJsonArray verified;
        for (const QJsonObject &d : std::as_const(m_directory.domains))
            verified.append(
                QJsonObject{{QLatin1String("name"), d.value(QLatin1String("id"))},
                            {QLatin1String("isDefault"), d.value(QLatin1String("isDefault"))},
                            {QLatin1String("isInitial"), d.value(QLatin1String("isInitial"))}});
        org.insert(QLatin1String("verifiedDomains"), verified);
        const QString select = request.queryItem(QStringLiteral("$select"));
        if (!select.isEmpty()) {
            QJsonObject picked;
            for (const QString &p : select.split(QLatin1Char(',')))
                picked.insert(p, org.value(p));
            picked.insert(QLatin1String("id"), m_directory.tenantId);
            org = picked;
        }
        return PracticeResponse::json(
            200, {{QLatin1String("@odata.context"), metadata(ctx, QStringLiteral("organization"))},
                  {QLatin1String("value"), QJsonArray{org}}});
    } else if (s.at(0) == QLatin1String("groups") && s.size() == 1) {
        if (m != "GET")
            return notAllowed();
        return listDirectoryObjects(request, ctx, m_directory.groups, QStringLiteral("group"),
                                    QStringLiteral("groups"));
    } else if (s.at(0) == QLatin1String("groups") && s.size() == 4 &&
               (s.at(2) == QLatin1String("transitiveMembers") ||
                s.at(2) == QLatin1String("members")) &&
               s.at(3) == QLatin1String("microsoft.graph.user")) {
        if (m != "GET")
            return notAllowed();
        return groupUserMembers(request, ctx, s.at(1),
                                s.at(2) == QLatin1String("transitiveMembers"));
    } else if (s.at(0) == QLatin1String("contacts") && s.size() == 1) {
        if (m != "GET")
            return notAllowed();
        return listDirectoryObjects(request, ctx, m_directory.contacts,
                                    QStringLiteral("orgContact"), QStringLiteral("contacts"));
    } else if (s.at(0) == QLatin1String("roleManagement")) {
        if (m != "GET")
            return notAllowed();
        return roleManagement(request, ctx, s, beta);
    } else if (s.at(0) == QLatin1String("directoryRoles")) {
        if (m != "GET")
            return notAllowed();
        return roles(request, ctx, s);
    } else if (s.at(0) == QLatin1String("$batch") && s.size() == 1) {
        if (m != "POST")
            return notAllowed();
        if (request.inBatch)
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("A batch cannot contain another batch."), ctx);
        return batch(request, ctx);
    }
    return error(400, QStringLiteral("BadRequest"),
                 QStringLiteral("Resource not found for the segment '%1'.").arg(s.last()), ctx);
}

PracticeResponse PracticeGraphApi::listPage(const PracticeRequest &request,
                                            const PracticeGraphContext &ctx,
                                            const QList<QJsonObject> &items,
                                            const QString &contextName,
                                            const Projection &projection)
{
    int top = 100;
    if (request.hasQueryItem(QStringLiteral("$top"))) {
        const QString raw = request.queryItem(QStringLiteral("$top"));
        bool ok = false;
        top = raw.toInt(&ok);
        if (!ok || top < 1 || top > 999)
            return error(400, QStringLiteral("Request_UnsupportedQuery"),
                         QStringLiteral("Invalid page size specified: '%1'. Must be between 1 and "
                                        "999 inclusive.")
                             .arg(raw),
                         ctx);
    }
    qint64 offset = 0;
    if (request.hasQueryItem(QStringLiteral("$skiptoken"))) {
        const QString token = request.queryItem(QStringLiteral("$skiptoken"));
        const auto it = m_skipTokens.constFind(token);
        if (it == m_skipTokens.cend())
            return error(400, QStringLiteral("Request_BadRequest"),
                         QStringLiteral("Invalid paging token specified."), ctx);
        offset = *it;
    }
    QJsonArray value;
    const qint64 end = std::min<qint64>(items.size(), offset + top);
    for (qint64 i = offset; i < end; ++i)
        value.append(projection(items.at(i)));
    QJsonObject page;
    page.insert(QLatin1String("@odata.context"), metadata(ctx, contextName));
    if (request.queryItem(QStringLiteral("$count")) == QLatin1String("true"))
        page.insert(QLatin1String("@odata.count"), qint64(items.size()));
    if (end < items.size()) {
        const QString token = randomSkipToken();
        m_skipTokens.insert(token, end);
        if (request.hasQueryItem(QStringLiteral("$filter")))
            m_filteredCursors.insert(token, items);
        QUrlQuery next;
        for (const auto &item : request.query.queryItems(QUrl::FullyDecoded))
            if (item.first != QLatin1String("$skiptoken"))
                next.addQueryItem(item.first,
                                  QString::fromLatin1(QUrl::toPercentEncoding(item.second, "$,")));
        next.addQueryItem(QStringLiteral("$skiptoken"), token);
        page.insert(QLatin1String("@odata.nextLink"),
                    QString(ctx.baseUrl + request.path + QLatin1Char('?') +
                            next.toString(QUrl::FullyEncoded)));
    }
    page.insert(QLatin1String("value"), value);
    PracticeResponse response = PracticeResponse::json(200, page);
    response.delayMs = m_faults.settings().pageDelayMs; // Graph's page latency
    return response;
}

PracticeResponse PracticeGraphApi::listUsers(const PracticeRequest &request,
                                             const PracticeGraphContext &ctx, bool deleted)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("User.Read.All"),
                                              QStringLiteral("User.ReadWrite.All"),
                                              QStringLiteral("Directory.Read.All")}))
        return *denied;
    QStringList properties;
    if (auto bad = selection(request, ctx, &properties))
        return *bad;
    if (deleted && !properties.contains(QLatin1String("deletedDateTime")))
        properties.append(QStringLiteral("deletedDateTime"));
    const QList<QJsonObject> &source = deleted ? m_directory.deletedUsers : m_directory.users;

    QList<QJsonObject> matched;
    // A startswith list is a cursor: its later pages come from the users it matched first,
    // not from filtering the directory again (which a 200k-user tenant pays per page). The
    // advanced filters are checked again on every page, as Graph does.
    if (const auto cursor =
            m_filteredCursors.constFind(request.queryItem(QStringLiteral("$skiptoken")));
        cursor != m_filteredCursors.cend() &&
        request.queryItem(QStringLiteral("$filter"))
            .trimmed()
            .startsWith(QLatin1String("startswith("), Qt::CaseInsensitive))
        matched = *cursor;
    else if (auto bad = filterUsers(request, ctx, source, &matched))
        return *bad;
    return listPage(request, ctx, matched,
                    deleted ? QStringLiteral("directory/deletedItems/microsoft.graph.user")
                            : QStringLiteral("users"),
                    [&](const QJsonObject &o) { return project(o, properties); });
}

std::optional<PracticeResponse> PracticeGraphApi::filterUsers(const PracticeRequest &request,
                                                              const PracticeGraphContext &ctx,
                                                              const QList<QJsonObject> &source,
                                                              QList<QJsonObject> *matched) const
{
    const QString filter = request.queryItem(QStringLiteral("$filter"));
    if (filter.trimmed().isEmpty()) {
        *matched = source;
        return std::nullopt;
    }
    if (auto answer = collectionFilter(request, ctx, source, QStringLiteral("user"), matched)) {
        if (answer->status != 200)
            return *answer;
        return std::nullopt;
    }
    const auto unsupported = [&](const QString &property) {
        return error(400, QStringLiteral("Request_UnsupportedQuery"),
                     QStringLiteral("Unsupported or invalid query filter clause specified for "
                                    "property '%1' of resource 'User'.")
                         .arg(property),
                     ctx);
    };
    // startswith/endswith(property,'value'): startswith is a basic query on the string
    // properties below; endswith needs the advanced query parameters. Both compare without
    // regard to case.
    static const QRegularExpression function(
        QStringLiteral(
            "^\\s*(startswith|endswith)\\(\\s*(\\w+)\\s*,\\s*'((?:[^']|'')*)'\\s*\\)\\s*$"),
        QRegularExpression::CaseInsensitiveOption);
    if (const QRegularExpressionMatch hit = function.match(filter); hit.hasMatch()) {
        const bool ends =
            hit.captured(1).compare(QLatin1String("endswith"), Qt::CaseInsensitive) == 0;
        const QString property = hit.captured(2);
        static const QSet<QString> searchable = {
            kUpn, QStringLiteral("displayName"), QStringLiteral("mail"),
            QStringLiteral("givenName"), QStringLiteral("surname")};
        if (!searchable.contains(property))
            return unsupported(property);
        if (ends && (request.header("consistencylevel").toLower() != "eventual" ||
                     request.queryItem(QStringLiteral("$count")) != QLatin1String("true")))
            return error(400, QStringLiteral("Request_UnsupportedQuery"),
                         QStringLiteral("Operator 'endsWith' is not supported because the "
                                        "required parameters might be missing. Try adding $count "
                                        "with a value of true and setting ConsistencyLevel "
                                        "header to eventual."),
                         ctx);
        const QString wanted = hit.captured(3).replace(QLatin1String("''"), QLatin1String("'"));
        for (const QJsonObject &u : source) {
            const QString have = u.value(property).toString();
            if (ends ? have.endsWith(wanted, Qt::CaseInsensitive)
                     : have.startsWith(wanted, Qt::CaseInsensitive))
                matched->append(u);
        }
        return std::nullopt;
    }
    static const QRegularExpression eq(
        QStringLiteral("^\\s*(\\w+)\\s+eq\\s+'((?:[^']|'')*)'\\s*$"));
    const QRegularExpressionMatch match = eq.match(filter);
    const QString property = match.hasMatch() ? match.captured(1) : QString();
    if (property != kImmutableId && property != kUpn && property != QLatin1String("mail"))
        return unsupported(property.isEmpty() ? filter : property);
    const QString wanted = match.captured(2).replace(QLatin1String("''"), QLatin1String("'"));
    for (const QJsonObject &u : source) {
        const QString have = u.value(property).toString();
        const bool hit = property == kImmutableId ? have == wanted
                                                  : have.compare(wanted, Qt::CaseInsensitive) == 0;
        if (hit)
            matched->append(u);
    }
    return std::nullopt;
}

PracticeResponse PracticeGraphApi::usersDelta(const PracticeRequest &request,
                                              const PracticeGraphContext &ctx)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("User.Read.All"),
                                              QStringLiteral("User.ReadWrite.All"),
                                              QStringLiteral("Directory.Read.All")}))
        return *denied;
    const PracticeFaultSettings &f = m_faults.settings();
    // Which users changed since a delta link was issued: the state of each user then
    // (a hash of its JSON object, not of its text: serialising 200k users took the
    // practice tenant seconds a delta round of Graph does not) against now. Removed users
    // come as {"id", "@removed"}.
    // Computed once per request: the directory does not change while it is answered.
    std::optional<DeltaState> current;
    const auto stateNow = [this, &current] {
        if (current)
            return *current;
        DeltaState state;
        state.issuedMs = -1;
        state.hashes.reserve(m_directory.users.size());
        for (const QJsonObject &u : std::as_const(m_directory.users))
            state.hashes.insert(u.value(QLatin1String("id")).toString(), qHash(u));
        current = state;
        return state;
    };
    const auto deltaLink = [&](const QString &select) {
        DeltaState state = stateNow();
        state.issuedMs = qint64(ctx.nowMs);
        state.select = select;
        const QString token = randomSkipToken();
        m_deltaStates.insert(token, state);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("$deltatoken"), token);
        return QString(ctx.baseUrl + QLatin1String("/v1.0/users/delta?") +
                       q.toString(QUrl::FullyEncoded));
    };
    const QString metadataName = QStringLiteral("users");

    // A page of a delta round already computed.
    if (request.hasQueryItem(QStringLiteral("$skiptoken"))) {
        const auto it = m_deltaRounds.find(request.queryItem(QStringLiteral("$skiptoken")));
        if (it == m_deltaRounds.end())
            return error(400, QStringLiteral("Request_BadRequest"),
                         QStringLiteral("Invalid paging token specified."), ctx);
        DeltaRound round = *it;
        m_deltaRounds.erase(it);
        return deltaPage(round, ctx, deltaLink);
    }
    QStringList properties;
    QString select;
    DeltaRound round;
    if (request.hasQueryItem(QStringLiteral("$deltatoken"))) {
        const QString token = request.queryItem(QStringLiteral("$deltatoken"));
        if (token == QLatin1String("latest")) {
            // "Sync from now": no users, only a delta link.
            if (auto bad = selection(request, ctx, &properties))
                return *bad;
            QJsonObject page;
            page.insert(QLatin1String("@odata.context"), metadata(ctx, metadataName));
            page.insert(QLatin1String("@odata.deltaLink"),
                        deltaLink(request.queryItem(QStringLiteral("$select"))));
            page.insert(QLatin1String("value"), QJsonArray());
            return PracticeResponse::json(200, page);
        }
        if (f.deltaResync) {
            // The service cannot give the changes for this token: a full read is needed.
            PracticeResponse r = error(410, QStringLiteral("resyncRequired"),
                                       QStringLiteral("Resync required. The delta token is no "
                                                      "longer valid; synchronize again."),
                                       ctx);
            r.setHeader("Location", (ctx.baseUrl + QLatin1String("/v1.0/users/delta")).toLatin1());
            return r;
        }
        const auto it = m_deltaStates.constFind(token);
        if (it == m_deltaStates.cend() || ctx.nowMs - it->issuedMs > f.deltaTokenLifetimeMs)
            return error(400, QStringLiteral("syncStateNotFound"),
                         QStringLiteral("The sync state generation is not found. The delta token "
                                        "is expired and data must be synchronized again."),
                         ctx);
        // The delta link carries the first request's $select.
        select = it->select;
        const DeltaState now = stateNow();
        for (const QJsonObject &u : std::as_const(m_directory.users)) {
            const QString id = u.value(QLatin1String("id")).toString();
            const auto was = it->hashes.constFind(id);
            if (was == it->hashes.cend() || *was != now.hashes.value(id))
                round.changed.append(id);
        }
        for (auto was = it->hashes.cbegin(); was != it->hashes.cend(); ++was)
            if (!now.hashes.contains(was.key()))
                round.removed.append(was.key());
    } else {
        // The first round: every user.
        select = request.queryItem(QStringLiteral("$select"));
        for (const QJsonObject &u : std::as_const(m_directory.users))
            round.changed.append(u.value(QLatin1String("id")).toString());
    }
    PracticeRequest selectOnly;
    selectOnly.query.addQueryItem(QStringLiteral("$select"), select);
    if (select.isEmpty())
        selectOnly.query.clear();
    if (auto bad = selection(selectOnly, ctx, &properties))
        return *bad;
    round.properties = properties;
    round.select = select;
    return deltaPage(round, ctx, deltaLink);
}

PracticeResponse
PracticeGraphApi::deltaPage(DeltaRound round, const PracticeGraphContext &ctx,
                            const std::function<QString(const QString &)> &deltaLink)
{
    // Graph's delta pages hold up to 100 users by default; 999 here, as the scan asks for
    // its other pages.
    constexpr int kPage = 999;
    QJsonArray value;
    while (value.size() < kPage && !round.changed.isEmpty()) {
        const QString id = round.changed.takeFirst();
        const int i = m_directory.indexOfUser(id);
        if (i >= 0)
            value.append(project(m_directory.users.at(i), round.properties));
    }
    while (value.size() < kPage && !round.removed.isEmpty()) {
        const QString id = round.removed.takeFirst();
        // "changed": in the recycle bin (restorable); "deleted": gone for good.
        const bool soft = std::any_of(
            m_directory.deletedUsers.cbegin(), m_directory.deletedUsers.cend(),
            [&](const QJsonObject &d) { return d.value(QLatin1String("id")).toString() == id; });
        value.append(QJsonObject{
            {QLatin1String("id"), id},
            {QLatin1String("@removed"),
             QJsonObject{{QLatin1String("reason"),
                          soft ? QStringLiteral("changed") : QStringLiteral("deleted")}}}});
    }
    QJsonObject page;
    page.insert(QLatin1String("@odata.context"), metadata(ctx, QStringLiteral("users")));
    if (!round.changed.isEmpty() || !round.removed.isEmpty()) {
        const QString token = randomSkipToken();
        m_deltaRounds.insert(token, round);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("$skiptoken"), token);
        page.insert(QLatin1String("@odata.nextLink"),
                    QString(ctx.baseUrl + QLatin1String("/v1.0/users/delta?") +
                            q.toString(QUrl::FullyEncoded)));
    } else {
        page.insert(QLatin1String("@odata.deltaLink"), deltaLink(round.select));
    }
    page.insert(QLatin1String("value"), value);
    PracticeResponse response = PracticeResponse::json(200, page);
    response.delayMs = m_faults.settings().pageDelayMs; // Graph's page latency
    return response;
}

PracticeResponse PracticeGraphApi::countUsers(const PracticeRequest &request,
                                              const PracticeGraphContext &ctx, bool deleted)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("User.Read.All"),
                                              QStringLiteral("User.ReadWrite.All"),
                                              QStringLiteral("Directory.Read.All")}))
        return *denied;
    // A raw count is an advanced query: refused without the header.
    if (request.header("consistencylevel").toLower() != "eventual")
        return error(400, QStringLiteral("Request_UnsupportedQuery"),
                     QStringLiteral("Raw count (/$count) is not supported because the "
                                    "'ConsistencyLevel:eventual' header is missing. Refer to "
                                    "https://aka.ms/graph-docs/advanced-queries for more "
                                    "information"),
                     ctx);
    QList<QJsonObject> matched;
    if (auto bad = filterUsers(request, ctx, deleted ? m_directory.deletedUsers : m_directory.users,
                               &matched))
        return *bad;
    // Eventual consistency: the index may lag behind the directory (countOffset).
    const qint64 count = std::max<qint64>(0, matched.size() + m_faults.settings().countOffset);
    return PracticeResponse::text(200, "text/plain", QByteArray::number(count));
}

PracticeResponse PracticeGraphApi::getUser(const PracticeRequest &request,
                                           const PracticeGraphContext &ctx, const QString &id)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("User.Read.All"),
                                              QStringLiteral("User.ReadWrite.All"),
                                              QStringLiteral("Directory.Read.All")}))
        return *denied;
    QStringList properties;
    if (auto bad = selection(request, ctx, &properties))
        return *bad;
    const int i = m_directory.indexOfUser(id);
    if (i < 0)
        return notFound(id, ctx);
    QJsonObject body = project(m_directory.users.at(i), properties);
    body.insert(QLatin1String("@odata.context"), metadata(ctx, QStringLiteral("users/$entity")));
    return PracticeResponse::json(200, body);
}

PracticeResponse PracticeGraphApi::patchUser(const PracticeRequest &request,
                                             const PracticeGraphContext &ctx, const QString &id)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("User.ReadWrite.All")}))
        return *denied;
    if (auto throttled = takeWrite(ctx))
        return *throttled;
    const int i = m_directory.indexOfUser(id);
    if (i < 0)
        return notFound(id, ctx);
    bool ok = false;
    const QJsonObject body = request.jsonBody(&ok);
    if (!ok)
        return error(400, QStringLiteral("BadRequest"),
                     QStringLiteral("Unable to read JSON request payload. Please ensure "
                                    "Content-Type header is set and payload is of valid JSON "
                                    "format."),
                     ctx);
    static const QSet<QString> writable = {kImmutableId,
                                           kUpn,
                                           QStringLiteral("displayName"),
                                           QStringLiteral("givenName"),
                                           QStringLiteral("surname"),
                                           QStringLiteral("jobTitle"),
                                           QStringLiteral("accountEnabled")};
    for (auto it = body.constBegin(); it != body.constEnd(); ++it)
        if (!writable.contains(it.key()))
            return error(
                400, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Property '%1' is read-only and cannot be set.").arg(it.key()), ctx);

    QJsonObject user = m_directory.users.at(i);
    const QString userId = user.value(QLatin1String("id")).toString();
    if (user.value(kSyncEnabled).toBool(false))
        return error(400, QStringLiteral("Request_BadRequest"), kSyncedMessage, ctx);

    const QJsonObject before = user;
    QString upn = user.value(kUpn).toString();
    if (body.contains(kUpn)) {
        const QString newUpn = body.value(kUpn).toString();
        if (!newUpn.contains(QLatin1Char('@')) || !m_directory.isVerifiedDomainOf(newUpn))
            return error(
                400, QStringLiteral("Request_BadRequest"),
                QStringLiteral("The domain portion of the userPrincipalName property is "
                               "invalid. You must use one of the verified domain names "
                               "in your organization."),
                ctx,
                QJsonArray{QJsonObject{{QLatin1String("code"), QStringLiteral("InvalidValue")},
                                       {QLatin1String("target"), kUpn}}});
        if (!m_directory.upnHolder(newUpn, userId).isEmpty())
            return error(
                400, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Another object with the same value for property "
                               "userPrincipalName already exists."),
                ctx,
                QJsonArray{QJsonObject{{QLatin1String("code"), QStringLiteral("ObjectConflict")},
                                       {QLatin1String("target"), kUpn}}});
        upn = newUpn;
    }
    if (body.contains(kImmutableId)) {
        const QJsonValue v = body.value(kImmutableId);
        if (!(v.isNull() || (v.isString() && !v.toString().isEmpty())))
            return error(400, QStringLiteral("Request_BadRequest"),
                         QStringLiteral("Invalid value specified for property "
                                        "'onPremisesImmutableId' of resource 'User'."),
                         ctx);
        if (m_directory.isFederatedUpn(upn))
            return error(400, QStringLiteral("Request_BadRequest"), kFederatedMessage, ctx);
        if (v.isString() && !m_directory.immutableIdHolder(v.toString(), userId).isEmpty())
            return error(
                400, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Another object with the same value for property "
                               "onPremisesImmutableId already exists."),
                ctx,
                QJsonArray{QJsonObject{{QLatin1String("code"), QStringLiteral("ObjectConflict")},
                                       {QLatin1String("target"), kImmutableId}}});
    }
    for (auto it = body.constBegin(); it != body.constEnd(); ++it)
        user.insert(it.key(), it.value());
    m_directory.setUser(i, user);
    logWrite(request, ctx, userId, before);
    return PracticeResponse::noContent();
}

PracticeResponse PracticeGraphApi::deletedItem(const PracticeRequest &request,
                                               const PracticeGraphContext &ctx, const QString &id,
                                               bool restore)
{
    const bool write = request.method != "GET";
    if (write) {
        // DESIGN.md §7: User.DeleteRestore.All (delegated or application), or the older
        // delegated User.ReadWrite.All; an application's User.ReadWrite.All cannot purge.
        const QString deleteRestore = QStringLiteral("User.DeleteRestore.All");
        const bool delegatedWrite = !ctx.caller.isAppOnly() &&
                                    ctx.caller.permissions.contains(
                                        QStringLiteral("User.ReadWrite.All"), Qt::CaseInsensitive);
        if (!delegatedWrite &&
            !(restore && ctx.caller.permissions.contains(QStringLiteral("User.ReadWrite.All"),
                                                         Qt::CaseInsensitive)))
            if (auto denied = requirePermission(ctx, {deleteRestore}))
                return *denied;
        if (auto throttled = takeWrite(ctx))
            return *throttled;
    } else if (auto denied = requirePermission(
                   ctx, {QStringLiteral("User.Read.All"), QStringLiteral("User.ReadWrite.All")})) {
        return *denied;
    }
    const int i = m_directory.indexOfDeletedUser(id);
    if (i < 0)
        return notFound(id, ctx);
    QJsonObject user = m_directory.deletedUsers.at(i);
    if (!write) {
        QStringList properties;
        if (auto bad = selection(request, ctx, &properties))
            return *bad;
        properties.append(QStringLiteral("deletedDateTime"));
        return PracticeResponse::json(200, project(user, properties));
    }
    if (restore) {
        const QString upn = user.value(kUpn).toString();
        if (!m_directory.upnHolder(upn, id).isEmpty())
            return error(
                400, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Another object with the same value for property "
                               "userPrincipalName already exists."),
                ctx,
                QJsonArray{QJsonObject{{QLatin1String("code"), QStringLiteral("ObjectConflict")},
                                       {QLatin1String("target"), kUpn}}});
        const QJsonObject before = user;
        m_directory.deletedUsers.removeAt(i);
        user.remove(QLatin1String("deletedDateTime"));
        m_directory.users.append(user);
        m_directory.reindex();
        logWrite(request, ctx, id, before);
        QJsonObject out = project(user, defaultUserProperties());
        out.insert(QLatin1String("@odata.type"), QStringLiteral("#microsoft.graph.user"));
        return PracticeResponse::json(200, out);
    }
    const QJsonObject before = user;
    m_directory.removeDeletedUser(i);
    logWrite(request, ctx, id, before);
    return PracticeResponse::noContent();
}

PracticeResponse PracticeGraphApi::roles(const PracticeRequest &request,
                                         const PracticeGraphContext &ctx, const QStringList &s)
{
    if (auto denied = requirePermission(ctx, {QStringLiteral("RoleManagement.Read.Directory"),
                                              QStringLiteral("Directory.Read.All")}))
        return *denied;
    if (s.size() == 1) {
        QJsonArray value;
        for (const PracticeRole &r : std::as_const(m_directory.roles))
            value.append(QJsonObject{{QLatin1String("id"), r.id},
                                     {QLatin1String("displayName"), r.displayName},
                                     {QLatin1String("roleTemplateId"), r.roleTemplateId}});
        return PracticeResponse::json(200, {{QLatin1String("@odata.context"),
                                             metadata(ctx, QStringLiteral("directoryRoles"))},
                                            {QLatin1String("value"), value}});
    }
    if (s.size() == 3 && s.at(2) == QLatin1String("members")) {
        for (const PracticeRole &r : std::as_const(m_directory.roles)) {
            if (r.id != s.at(1))
                continue;
            QList<QJsonObject> members;
            for (const QString &id : r.memberIds) {
                const int i = m_directory.indexOfUser(id);
                QJsonObject m{
                    {QLatin1String("@odata.type"), QStringLiteral("#microsoft.graph.user")},
                    {QLatin1String("id"), id}};
                if (i >= 0) {
                    m.insert(QLatin1String("displayName"),
                             m_directory.users.at(i).value(QLatin1String("displayName")));
                    m.insert(kUpn, m_directory.users.at(i).value(kUpn));
                }
                members.append(m);
            }
            const QString select = request.queryItem(QStringLiteral("$select"));
            return listPage(
                request, ctx, members, QStringLiteral("directoryObjects"),
                [&](const QJsonObject &o) {
                    if (select.isEmpty())
                        return o;
                    QJsonObject out{
                        {QLatin1String("@odata.type"), o.value(QLatin1String("@odata.type"))},
                        {QLatin1String("id"), o.value(QLatin1String("id"))}};
                    for (const QString &p : select.split(QLatin1Char(',')))
                        out.insert(p, o.value(p));
                    return out;
                });
        }
        return notFound(s.at(1), ctx);
    }
    return error(400, QStringLiteral("BadRequest"),
                 QStringLiteral("Resource not found for the segment '%1'.").arg(s.last()), ctx);
}

PracticeResponse PracticeGraphApi::batch(const PracticeRequest &request,
                                         const PracticeGraphContext &ctx)
{
    bool ok = false;
    const QJsonObject body = request.jsonBody(&ok);
    const QJsonArray requests = body.value(QLatin1String("requests")).toArray();
    if (!ok || !body.value(QLatin1String("requests")).isArray())
        return error(400, QStringLiteral("BadRequest"),
                     QStringLiteral("Invalid batch payload format."), ctx);
    if (requests.size() > 20)
        return error(400, QStringLiteral("BadRequest"),
                     QStringLiteral("Number of requests in the batch exceeded the limit of 20."),
                     ctx);
    QSet<QString> ids;
    for (const QJsonValue &v : requests) {
        const QJsonObject r = v.toObject();
        const QString id = r.value(QLatin1String("id")).toString();
        if (id.isEmpty() || r.value(QLatin1String("method")).toString().isEmpty() ||
            r.value(QLatin1String("url")).toString().isEmpty())
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("Every request in a batch needs an id, a method and a "
                                        "url."),
                         ctx);
        if (ids.contains(id))
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("Batch request contains duplicate request ids."), ctx);
        ids.insert(id);
        const QString url = r.value(QLatin1String("url")).toString();
        if (url.contains(QLatin1String("://")))
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("Request id : %1 has an absolute url; batch request urls "
                                        "must be relative.")
                             .arg(id),
                         ctx);
        const QJsonObject headers = r.value(QLatin1String("headers")).toObject();
        bool hasContentType = false;
        for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
            if (it.key().compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0)
                hasContentType = true;
        if (r.contains(QLatin1String("body")) && !hasContentType)
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("Write request id : %1 does not contain Content-Type "
                                        "header or body.")
                             .arg(id),
                         ctx);
        for (const QJsonValue &d : r.value(QLatin1String("dependsOn")).toArray())
            if (!ids.contains(d.toString()))
                return error(400, QStringLiteral("BadRequest"),
                             QStringLiteral("Request id : %1 depends on '%2', which is not an "
                                            "earlier request in the batch.")
                                 .arg(id, d.toString()),
                             ctx);
    }

    QHash<QString, int> statusOf;
    QJsonArray responses;
    for (const QJsonValue &v : requests) {
        const QJsonObject r = v.toObject();
        const QString id = r.value(QLatin1String("id")).toString();
        PracticeGraphContext inner = ctx;
        inner.requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        PracticeResponse answer;
        bool dependencyFailed = false;
        for (const QJsonValue &d : r.value(QLatin1String("dependsOn")).toArray()) {
            const int st = statusOf.value(d.toString());
            if (st < 200 || st >= 300)
                dependencyFailed = true;
        }
        if (dependencyFailed) {
            answer = error(424, QStringLiteral("FailedDependency"),
                           QStringLiteral("The request was not executed because a request it "
                                          "depends on failed."),
                           inner);
        } else {
            PracticeRequest sub;
            sub.inBatch = true;
            sub.method = r.value(QLatin1String("method")).toString().toUpper().toLatin1();
            QString url = r.value(QLatin1String("url")).toString();
            if (!url.startsWith(QLatin1Char('/')))
                url.prepend(QLatin1Char('/'));
            const QUrl parsed(QLatin1String("http://x/v1.0") + url);
            sub.path = parsed.path(QUrl::FullyDecoded);
            sub.query = QUrlQuery(parsed.query(QUrl::FullyEncoded));
            const QJsonObject headers = r.value(QLatin1String("headers")).toObject();
            for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
                sub.headers.insert(it.key().toLower().toLatin1(), it.value().toString().toUtf8());
            if (r.contains(QLatin1String("body")))
                sub.body = QJsonDocument(r.value(QLatin1String("body")).toObject())
                               .toJson(QJsonDocument::Compact);
            const PracticeFaultRule *rule = m_faults.hit(sub, true);
            if (rule && (rule->effect == PracticeFaultRule::Effect::ServiceUnavailable ||
                         rule->effect == PracticeFaultRule::Effect::Throttle))
                answer = faultResponse(*rule, inner);
            else
                answer = dispatch(sub, inner);
        }
        statusOf.insert(id, answer.status);
        QJsonObject h;
        h.insert(QLatin1String("request-id"), inner.requestId);
        for (const auto &header : std::as_const(answer.headers))
            h.insert(QString::fromLatin1(header.first), QString::fromLatin1(header.second));
        QJsonObject out;
        out.insert(QLatin1String("id"), id);
        out.insert(QLatin1String("status"), answer.status);
        out.insert(QLatin1String("headers"), h);
        if (!answer.body.isEmpty())
            out.insert(QLatin1String("body"), QJsonDocument::fromJson(answer.body).object());
        // Graph may answer in any order; answering in reverse keeps clients honest.
        responses.prepend(out);
    }
    return PracticeResponse::json(200, {{QLatin1String("responses"), responses}});
}

std::optional<PracticeResponse>
PracticeGraphApi::collectionFilter(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                   const QList<QJsonObject> &items, const QString &type,
                                   QList<QJsonObject> *matched) const
{
    const QString filter = request.queryItem(QStringLiteral("$filter")).trimmed();
    static const QRegularExpression errorsAny(
        QStringLiteral("^onPremisesProvisioningErrors/any\\((\\w+):\\s*\\1/"
                       "category\\s+eq\\s+'((?:[^']|'')*)'\\)$"));
    static const QRegularExpression proxyAny(
        QStringLiteral("^proxyAddresses/any\\((\\w+):\\s*\\1\\s+eq\\s+'((?:[^']|'')*)'\\)$"));
    if (const QRegularExpressionMatch hit = errorsAny.match(filter); hit.hasMatch()) {
        // An advanced query: Graph refuses it without ConsistencyLevel: eventual and
        // $count=true, on every page (the header is not carried by the nextLink).
        if (request.header("consistencylevel").toLower() != "eventual" ||
            request.queryItem(QStringLiteral("$count")) != QLatin1String("true"))
            return error(400, QStringLiteral("Request_UnsupportedQuery"),
                         QStringLiteral("Unsupported or invalid query filter clause specified "
                                        "for property 'onPremisesProvisioningErrors' of resource "
                                        "'%1'.")
                             .arg(type.at(0).toUpper() + type.mid(1)),
                         ctx);
        const QString category = hit.captured(2).replace(QLatin1String("''"), QLatin1String("'"));
        for (const QJsonObject &o : items)
            for (const QJsonValue &e :
                 o.value(QLatin1String("onPremisesProvisioningErrors")).toArray())
                if (e.toObject().value(QLatin1String("category")).toString() == category) {
                    matched->append(o);
                    break;
                }
        return PracticeResponse::json(200, {});
    }
    if (const QRegularExpressionMatch hit = proxyAny.match(filter); hit.hasMatch()) {
        const QString wanted = hit.captured(2).replace(QLatin1String("''"), QLatin1String("'"));
        for (const QJsonObject &o : items)
            for (const QJsonValue &p : o.value(QLatin1String("proxyAddresses")).toArray())
                if (p.toString().compare(wanted, Qt::CaseInsensitive) == 0) {
                    matched->append(o);
                    break;
                }
        return PracticeResponse::json(200, {});
    }
    return std::nullopt;
}

PracticeResponse PracticeGraphApi::listDirectoryObjects(const PracticeRequest &request,
                                                        const PracticeGraphContext &ctx,
                                                        const QList<QJsonObject> &items,
                                                        const QString &type,
                                                        const QString &contextName)
{
    const QStringList permissions =
        type == QLatin1String("orgContact")
            ? QStringList{QStringLiteral("OrgContact.Read.All"),
                          QStringLiteral("Directory.Read.All")}
            : QStringList{QStringLiteral("Group.Read.All"), QStringLiteral("Directory.Read.All"),
                          QStringLiteral("Group.ReadWrite.All")};
    if (auto denied = requirePermission(ctx, permissions))
        return *denied;
    QStringList properties = defaultObjectProperties(type);
    const QString select = request.queryItem(QStringLiteral("$select"));
    if (!select.isEmpty()) {
        properties.clear();
        for (const QString &raw : select.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString p = raw.trimmed();
            if (!knownObjectProperties(type).contains(p))
                return error(400, QStringLiteral("Request_BadRequest"),
                             QStringLiteral("Could not find a property named '%1' on type "
                                            "'microsoft.graph.%2'.")
                                 .arg(p, type),
                             ctx);
            properties.append(p);
        }
    }
    if (contextName.startsWith(QLatin1String("directory/deletedItems")) &&
        !properties.contains(QLatin1String("deletedDateTime")))
        properties.append(QStringLiteral("deletedDateTime"));
    const auto projection = [&](const QJsonObject &o) {
        return project(o, properties);
    };
    QList<QJsonObject> matched;
    if (auto answer = collectionFilter(request, ctx, items, type, &matched)) {
        if (answer->status != 200)
            return *answer;
        return listPage(request, ctx, matched, contextName, projection);
    }
    if (const QString filter = request.queryItem(QStringLiteral("$filter")); !filter.isEmpty())
        return error(400, QStringLiteral("Request_UnsupportedQuery"),
                     QStringLiteral("Unsupported or invalid query filter clause specified for "
                                    "resource '%1'.")
                         .arg(type),
                     ctx);
    return listPage(request, ctx, items, contextName, projection);
}

PracticeResponse PracticeGraphApi::syncBehavior(const PracticeRequest &request,
                                                const PracticeGraphContext &ctx, const QString &id)
{
    Q_UNUSED(request);
    // Graph documents only the ReadWrite permission, for reading too.
    if (auto denied =
            requirePermission(ctx, {QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")}))
        return *denied;
    const int i = m_directory.indexOfUser(id);
    if (i < 0)
        return notFound(id, ctx);
    const QJsonObject user = m_directory.users.at(i);
    const QString userId = user.value(QLatin1String("id")).toString();
    QJsonObject body;
    body.insert(
        QLatin1String("@odata.context"),
        metadata(ctx, QStringLiteral("users('%1')/onPremisesSyncBehavior/$entity").arg(userId)));
    body.insert(QLatin1String("id"), userId);
    body.insert(QLatin1String("isCloudManaged"), user.value(QLatin1String("onPremisesSyncBehavior"))
                                                     .toObject()
                                                     .value(QLatin1String("isCloudManaged"))
                                                     .toBool(false));
    return PracticeResponse::json(200, body);
}

PracticeResponse PracticeGraphApi::groupUserMembers(const PracticeRequest &request,
                                                    const PracticeGraphContext &ctx,
                                                    const QString &id, bool transitive)
{
    // Graph documents GroupMember.Read.All as the least privileged; Group.Read.All and
    // Directory.Read.All also read members.
    if (auto denied = requirePermission(
            ctx, {QStringLiteral("GroupMember.Read.All"), QStringLiteral("Group.Read.All"),
                  QStringLiteral("Directory.Read.All"), QStringLiteral("GroupMember.ReadWrite.All"),
                  QStringLiteral("Group.ReadWrite.All")}))
        return *denied;
    if (m_directory.indexOfGroup(id) < 0)
        return notFound(id, ctx); // also the answer for a service principal's id
    QStringList properties;
    if (auto bad = selection(request, ctx, &properties))
        return *bad;
    QList<QJsonObject> members;
    for (const QString &userId : m_directory.userMembersOf(id, transitive)) {
        const int i = m_directory.indexOfUser(userId);
        if (i >= 0)
            members.append(m_directory.users.at(i));
    }
    return listPage(request, ctx, members, QStringLiteral("users"),
                    [&](const QJsonObject &o) { return project(o, properties); });
}

PracticeResponse PracticeGraphApi::clearObjectIdentifier(const PracticeRequest &request,
                                                         const PracticeGraphContext &ctx,
                                                         const QString &id)
{
    if (auto denied =
            requirePermission(ctx, {QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")}))
        return *denied;
    if (auto throttled = takeWrite(ctx))
        return *throttled;
    const int i = m_directory.indexOfUser(id);
    if (i < 0)
        return notFound(id, ctx);
    const QJsonObject body = request.jsonBody();
    const QLatin1String key("onPremisesObjectIdentifier");
    if (body.size() != 1 || !body.value(key).isNull())
        // It can only be cleared: nothing may write a value back.
        return error(400, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Invalid value specified for property "
                                    "'onPremisesObjectIdentifier' of resource 'User'."),
                     ctx);
    QJsonObject user = m_directory.users.at(i);
    const QJsonObject before = user;
    user.remove(key);
    m_directory.users[i] = user;
    logWrite(request, ctx, user.value(QLatin1String("id")).toString(), before);
    return PracticeResponse::noContent();
}

PracticeResponse PracticeGraphApi::roleManagement(const PracticeRequest &request,
                                                  const PracticeGraphContext &ctx,
                                                  const QStringList &s, bool beta)
{
    if (s.size() != 3 || s.at(1) != QLatin1String("directory"))
        return error(400, QStringLiteral("BadRequest"),
                     QStringLiteral("Resource not found for the segment '%1'.").arg(s.last()), ctx);
    const QString &what = s.at(2);
    QList<QJsonObject> items;
    QString type;
    if (what == QLatin1String("roleEligibilitySchedules")) {
        if (auto denied = requirePermission(
                ctx, {QStringLiteral("RoleEligibilitySchedule.Read.Directory"),
                      QStringLiteral("RoleManagement.Read.Directory"),
                      QStringLiteral("RoleManagement.Read.All"),
                      QStringLiteral("RoleEligibilitySchedule.ReadWrite.Directory"),
                      QStringLiteral("RoleManagement.ReadWrite.Directory")}))
            return *denied;
        items = m_directory.roleEligibilitySchedules;
        type = QStringLiteral("unifiedRoleEligibilitySchedule");
    } else {
        if (auto denied =
                requirePermission(ctx, {QStringLiteral("RoleManagement.Read.Directory"),
                                        QStringLiteral("RoleManagement.Read.All"),
                                        QStringLiteral("RoleManagement.ReadWrite.Directory"),
                                        QStringLiteral("Directory.Read.All")}))
            return *denied;
        if (what == QLatin1String("roleAssignments")) {
            items = m_directory.roleAssignments();
            type = QStringLiteral("unifiedRoleAssignment");
        } else if (what == QLatin1String("roleDefinitions")) {
            items = m_directory.roleDefinitions;
            type = QStringLiteral("unifiedRoleDefinition");
        } else {
            return error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("Resource not found for the segment '%1'.").arg(what), ctx);
        }
    }
    QStringList properties;
    for (const QJsonObject &o : std::as_const(items))
        for (auto it = o.constBegin(); it != o.constEnd(); ++it)
            if (!properties.contains(it.key()))
                properties.append(it.key());
    // isPrivileged exists in beta only.
    if (!beta)
        properties.removeAll(QStringLiteral("isPrivileged"));
    else if (type == QLatin1String("unifiedRoleDefinition") &&
             !properties.contains(QLatin1String("isPrivileged")))
        properties.append(QStringLiteral("isPrivileged"));
    const QString select = request.queryItem(QStringLiteral("$select"));
    QStringList picked = properties;
    if (!select.isEmpty()) {
        static const QSet<QString> always = {QStringLiteral("id"),
                                             QStringLiteral("principalId"),
                                             QStringLiteral("roleDefinitionId"),
                                             QStringLiteral("displayName"),
                                             QStringLiteral("directoryScopeId"),
                                             QStringLiteral("status"),
                                             QStringLiteral("memberType"),
                                             QStringLiteral("templateId"),
                                             QStringLiteral("isBuiltIn"),
                                             QStringLiteral("isEnabled")};
        picked.clear();
        for (const QString &raw : select.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString p = raw.trimmed();
            if (!properties.contains(p) && !always.contains(p))
                return error(400, QStringLiteral("Request_BadRequest"),
                             QStringLiteral("Could not find a property named '%1' on type "
                                            "'microsoft.graph.%2'.")
                                 .arg(p, type),
                             ctx);
            picked.append(p);
        }
    }
    return listPage(request, ctx, items, QStringLiteral("roleManagement/directory/") + what,
                    [&](const QJsonObject &o) {
                        QJsonObject out = project(o, picked);
                        if (beta && out.contains(QLatin1String("isPrivileged")) &&
                            out.value(QLatin1String("isPrivileged")).isNull())
                            out.insert(QLatin1String("isPrivileged"), false);
                        return out;
                    });
}
