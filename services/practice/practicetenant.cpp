#include "practicetenant.h"

#include "practicehttpserver.h"

#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QUuid>

#include <algorithm>

QJsonObject PracticeRequestRecord::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("atMs"), atMs);
    o.insert(QLatin1String("method"), QString::fromLatin1(method));
    o.insert(QLatin1String("path"), path);
    o.insert(QLatin1String("query"), query);
    o.insert(QLatin1String("status"), status);
    o.insert(QLatin1String("requestId"), requestId);
    o.insert(QLatin1String("clientRequestId"), clientRequestId);
    if (retryAfterSeconds >= 0)
        o.insert(QLatin1String("retryAfterSeconds"), retryAfterSeconds);
    if (!permissions.isEmpty())
        o.insert(QLatin1String("permissions"), QJsonArray::fromStringList(permissions));
    if (!fault.isEmpty())
        o.insert(QLatin1String("fault"), fault);
    return o;
}

PracticeTenant::PracticeTenant(QObject *parent)
    : QObject(parent), m_tokens(m_directory), m_graph(m_directory, m_faults)
{
    m_clock.start();
}

PracticeTenant::~PracticeTenant() = default;

QString PracticeTenant::loadFile(const QString &path)
{
    const QString error = m_directory.loadFile(path);
    if (!error.isEmpty())
        return error;
    // Keep the file's own JSON (with secrets) for /_practice/reset.
    QFile file(path);
    if (file.open(QIODevice::ReadOnly))
        m_loaded = QJsonDocument::fromJson(file.readAll()).object();
    return {};
}

QString PracticeTenant::loadJson(const QJsonObject &tenant)
{
    const QString error = m_directory.load(tenant);
    if (error.isEmpty())
        m_loaded = tenant;
    return error;
}

quint16 PracticeTenant::listen(quint16 port)
{
    if (!m_server)
        m_server = new PracticeHttpServer(
            [this](const PracticeRequest &request) { return handle(request); }, this);
    m_port = m_server->listen(QHostAddress::LocalHost, port);
    m_tokens.setBaseUrl(baseUrl());
    return m_port;
}

QString PracticeTenant::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QString PracticeTenant::practiceClientId() const
{
    return m_directory.clients.isEmpty() ? QString() : m_directory.clients.first().clientId;
}

void PracticeTenant::setFaults(const PracticeFaultSettings &faults)
{
    m_faults.set(faults);
}

void PracticeTenant::clearLogs()
{
    m_requests.clear();
    m_graph.clearWrites();
}

bool PracticeTenant::approveDeviceCode(const QString &userCode, const QString &upn)
{
    return m_tokens.approveDeviceCode(userCode, upn);
}

bool PracticeTenant::declineDeviceCode(const QString &userCode)
{
    return m_tokens.declineDeviceCode(userCode);
}

QString PracticeTenant::issueAccessToken(const QStringList &permissions, const QString &upn)
{
    PracticeCaller caller;
    caller.clientId = practiceClientId();
    caller.userUpn = upn;
    caller.permissions = permissions;
    if (caller.permissions.isEmpty() && !m_directory.clients.isEmpty())
        caller.permissions = upn.isEmpty() ? m_directory.clients.first().applicationPermissions
                                           : m_directory.clients.first().delegatedPermissions;
    return m_tokens.issueAccessToken(caller, qint64(nowMs()));
}

PracticeResponse PracticeTenant::handle(const PracticeRequest &request)
{
    if (request.path.startsWith(QLatin1String("/_practice/")))
        return handleControl(request);

    PracticeRequestRecord record;
    record.atMs = nowMs();
    record.method = request.method;
    record.path = request.path;
    record.query = request.query.toString(QUrl::FullyDecoded);
    record.requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.clientRequestId = QString::fromLatin1(request.header("client-request-id"));

    PracticeResponse response;
    const QStringList s = request.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool keys = s.size() == 4 && s.at(1) == QLatin1String("discovery") &&
                      s.at(2) == QLatin1String("v2.0") && s.at(3) == QLatin1String("keys");
    if (keys ||
        (s.size() == 4 && s.at(1) == QLatin1String("oauth2") && s.at(2) == QLatin1String("v2.0"))) {
        if (!m_directory.isTenantName(s.at(0))) {
            QJsonObject e{{QLatin1String("error"), QStringLiteral("invalid_request")},
                          {QLatin1String("error_description"),
                           QStringLiteral("AADSTS90002: Tenant '%1' not found. Check to make sure "
                                          "you have the correct tenant ID and are signing into "
                                          "the correct cloud.")
                               .arg(s.at(0))},
                          {QLatin1String("error_codes"), QJsonArray{90002}}};
            response = PracticeResponse::json(400, e);
        } else {
            response = m_tokens.handle(request, s.at(3), qint64(record.atMs));
            if (s.at(3) == QLatin1String("devicecode") && response.status == 200) {
                const QJsonObject o = QJsonDocument::fromJson(response.body).object();
                Q_EMIT deviceCodeIssued(o.value(QLatin1String("user_code")).toString(),
                                        o.value(QLatin1String("verification_uri")).toString());
            }
        }
    } else if (request.path.startsWith(QLatin1String("/v1.0/")) ||
               request.path.startsWith(QLatin1String("/beta/"))) {
        response = handleGraph(request, record);
    } else {
        response = PracticeResponse::text(404, "text/plain", "Not found in the practice tenant.");
    }

    response.setHeader("request-id", record.requestId.toLatin1());
    if (!record.clientRequestId.isEmpty())
        response.setHeader("client-request-id", record.clientRequestId.toLatin1());
    response.setHeader("Date", QLocale::c()
                                   .toString(QDateTime::currentDateTimeUtc(),
                                             QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
                                   .toLatin1());
    record.status = response.drop ? 0 : response.status;
    const QByteArray retryAfter = response.header("Retry-After");
    if (!retryAfter.isEmpty())
        record.retryAfterSeconds = retryAfter.toDouble();
    m_requests.append(record);
    return response;
}

PracticeResponse PracticeTenant::handleGraph(const PracticeRequest &request,
                                             PracticeRequestRecord &record)
{
    const int number = m_faults.nextRequest();
    const PracticeFaultSettings &f = m_faults.settings();
    PracticeGraphContext ctx;
    ctx.requestId = record.requestId;
    ctx.clientRequestId = record.clientRequestId;
    ctx.nowMs = record.atMs;
    ctx.baseUrl = baseUrl();

    PracticeResponse response;
    using Effect = PracticeFaultRule::Effect;
    const PracticeFaultRule *rule = m_faults.hit(request, false);
    if (rule)
        record.fault = PracticeFaultRule::effectName(rule->effect);
    if (m_faults.shouldDrop(number) || (rule && rule->effect == Effect::Drop)) {
        response.drop = true;
        return response;
    }
    if (rule && (rule->effect == Effect::ServiceUnavailable || rule->effect == Effect::Throttle)) {
        response = PracticeGraphApi::faultResponse(*rule, ctx);
    } else if (m_faults.shouldFail503(number)) {
        response = PracticeGraphApi::error(
            503, QStringLiteral("serviceNotAvailable"),
            QStringLiteral("Service is temporarily unavailable. Please retry later."), ctx);
        if (f.serviceUnavailableRetryAfter >= 0)
            response.setHeader("Retry-After",
                               QByteArray::number(f.serviceUnavailableRetryAfter, 'f', 3));
    } else {
        QString why;
        const auto caller =
            m_tokens.validate(request.header("authorization"), qint64(record.atMs), &why);
        if (!caller) {
            response = PracticeGraphApi::error(401, QStringLiteral("InvalidAuthenticationToken"),
                                               why, ctx);
            response.setHeader("WWW-Authenticate",
                               "Bearer realm=\"\", authorization_uri=\"" + baseUrl().toLatin1() +
                                   "/" + tenantId().toLatin1() +
                                   "/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-"
                                   "000000000000\"");
        } else {
            ctx.caller = *caller;
            record.permissions = caller->permissions;
            if (auto throttled = spendReadUnits(request, ctx))
                return *throttled;
            response = m_graph.dispatch(request, ctx);
            if (request.path == QLatin1String("/v1.0/$batch") && response.status == 200) {
                // Record the largest Retry-After announced inside the batch.
                const QJsonArray responses = QJsonDocument::fromJson(response.body)
                                                 .object()
                                                 .value(QLatin1String("responses"))
                                                 .toArray();
                for (const QJsonValue &v : responses) {
                    const QString ra = v.toObject()
                                           .value(QLatin1String("headers"))
                                           .toObject()
                                           .value(QLatin1String("Retry-After"))
                                           .toString();
                    if (!ra.isEmpty())
                        record.retryAfterSeconds =
                            std::max(record.retryAfterSeconds, ra.toDouble());
                }
            }
        }
    }
    response.delayMs += f.delayMs;
    if (rule && rule->effect == Effect::LostReply)
        response.drop = true; // done, but the client never hears of it
    else if (rule && rule->effect == Effect::SlowReply)
        response.delayMs = std::max(response.delayMs, rule->delayMs);
    return response;
}

std::optional<PracticeResponse> PracticeTenant::spendReadUnits(const PracticeRequest &request,
                                                               const PracticeGraphContext &ctx)
{
    const PracticeFaultSettings &f = m_faults.settings();
    if (f.readBudget == 0)
        return std::nullopt;
    int cost = 0;
    if (request.path.endsWith(QLatin1String("/$batch"))) {
        // Each request inside a batch is counted as if it had been sent alone.
        for (const QJsonValue &v : request.jsonBody().value(QLatin1String("requests")).toArray()) {
            const QJsonObject o = v.toObject();
            const QUrl inner(o.value(QLatin1String("url")).toString());
            cost += GraphReadBudget::costOf(o.value(QLatin1String("method")).toString().toLatin1(),
                                            inner.path(), QUrlQuery(inner));
        }
        cost = std::max(cost, 1);
    } else {
        cost = GraphReadBudget::costOf(request.method, request.path, request.query);
    }
    const int quota =
        f.readBudget > 0 ? f.readBudget : GraphReadBudget::appTenantQuota(m_directory.users.size());
    const qint64 waitMs = m_faults.takeReadUnits(qint64(ctx.nowMs), cost, quota);
    if (waitMs <= 0)
        return std::nullopt;
    // What Graph sends when an app spends more than its resource units.
    PracticeResponse r = PracticeGraphApi::error(429, QStringLiteral("TooManyRequests"),
                                                 QStringLiteral("Please retry again later."), ctx);
    r.setHeader("Retry-After", QByteArray::number(waitMs / 1000.0, 'f', 3));
    r.setHeader("x-ms-throttle-scope", "Tenant_Application/Read/" + ctx.caller.clientId.toLatin1() +
                                           '/' + m_directory.tenantId.toLatin1());
    r.setHeader("x-ms-throttle-information", "ResourceUnitLimitExceeded");
    return r;
}

PracticeResponse PracticeTenant::handleControl(const PracticeRequest &request)
{
    const QString what = request.path.mid(int(qstrlen("/_practice/")));
    const auto jsonArray = [](const auto &list) {
        QJsonArray a;
        for (const auto &item : list)
            a.append(item.toJson());
        return a;
    };
    if (what == QLatin1String("faults")) {
        if (request.method == "PUT" || request.method == "POST") {
            bool ok = false;
            const QJsonObject o = request.jsonBody(&ok);
            if (!ok)
                return PracticeResponse::json(
                    400, {{QLatin1String("error"), QStringLiteral("The body must be a JSON "
                                                                  "object of fault settings.")}});
            setFaults(PracticeFaultSettings::fromJson(o));
        }
        return PracticeResponse::json(200, m_faults.settings().toJson());
    }
    if (what == QLatin1String("state") && request.method == "GET")
        return PracticeResponse::json(200, m_directory.toJson());
    if (what == QLatin1String("writes") && request.method == "GET")
        return PracticeResponse::json(200, {{QLatin1String("writes"), jsonArray(writeLog())}});
    if (what == QLatin1String("requests") && request.method == "GET")
        return PracticeResponse::json(200, {{QLatin1String("requests"), jsonArray(m_requests)}});
    if (what == QLatin1String("reset") && request.method == "POST") {
        m_directory.load(m_loaded);
        m_faults.set({});
        clearLogs();
        return PracticeResponse::json(200, {{QLatin1String("reset"), true}});
    }
    if (what == QLatin1String("sync") && request.method == "POST") {
        bool ok = false;
        const QJsonObject o = request.jsonBody(&ok);
        QList<PracticeSyncedUser> onPrem;
        for (const QJsonValue &v : o.value(QLatin1String("users")).toArray())
            onPrem.append({v.toObject().value(QLatin1String("anchor")).toString(),
                           v.toObject().value(QLatin1String("userPrincipalName")).toString()});
        QDateTime at = QDateTime::fromString(o.value(QLatin1String("at")).toString(), Qt::ISODate);
        if (!at.isValid())
            at = QDateTime::currentDateTimeUtc();
        if (!ok)
            return PracticeResponse::json(
                400, {{QLatin1String("error"),
                       QStringLiteral(
                           "The body must be {\"users\":[{\"anchor\",\"userPrincipalName\"}]}.")}});
        const PracticeSyncResult r = m_directory.simulateSync(onPrem, at);
        return PracticeResponse::json(
            200, {{QLatin1String("joined"), QJsonArray::fromStringList(r.joined)},
                  {QLatin1String("conflicts"), QJsonArray::fromStringList(r.conflicts)},
                  {QLatin1String("at"), at.toUTC().toString(Qt::ISODate)}});
    }
    if (what == QLatin1String("devicelogin")) {
        if (request.method == "POST") {
            QUrlQuery form(
                QString::fromUtf8(request.body).replace(QLatin1Char('+'), QStringLiteral("%20")));
            const QString code =
                form.queryItemValue(QStringLiteral("user_code"), QUrl::FullyDecoded);
            const QString upn = form.queryItemValue(QStringLiteral("upn"), QUrl::FullyDecoded);
            const bool decline =
                form.queryItemValue(QStringLiteral("action")) == QLatin1String("decline");
            const bool done = decline ? declineDeviceCode(code) : approveDeviceCode(code, upn);
            if (!done)
                return PracticeResponse::text(
                    400, "text/html; charset=utf-8",
                    "<html><body><p>That code is not valid or was already used.</p></body></html>");
            return PracticeResponse::text(
                200, "text/html; charset=utf-8",
                decline ? QByteArray("<html><body><p>Sign-in declined. You can close this "
                                     "window.</p></body></html>")
                        : QByteArray("<html><body><p>You have signed in to the practice tenant. "
                                     "You can close this window.</p></body></html>"));
        }
        return PracticeResponse::text(
            200, "text/html; charset=utf-8",
            "<html><head><title>Practice tenant sign-in</title></head><body>"
            "<h1>Practice tenant: enter code</h1>"
            "<form method=\"post\"><input name=\"user_code\" autofocus>"
            "<button name=\"action\" value=\"approve\">Sign in</button>"
            "<button name=\"action\" value=\"decline\">Decline</button></form>"
            "</body></html>");
    }
    return PracticeResponse::text(404, "text/plain", "Unknown practice control endpoint.");
}
