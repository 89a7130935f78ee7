#include "practicehttp.h"

#include <QJsonDocument>

QJsonObject PracticeRequest::jsonBody(bool *ok) const
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (ok)
        *ok = error.error == QJsonParseError::NoError && doc.isObject();
    return doc.object();
}

QString PracticeRequest::queryItem(const QString &key) const
{
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

void PracticeResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray PracticeResponse::header(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

PracticeResponse PracticeResponse::json(int status, const QJsonObject &body)
{
    PracticeResponse r;
    r.status = status;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.setHeader("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8");
    return r;
}

PracticeResponse PracticeResponse::noContent()
{
    PracticeResponse r;
    r.status = 204;
    return r;
}

PracticeResponse PracticeResponse::text(int status, const QByteArray &contentType,
                                        const QByteArray &body)
{
    PracticeResponse r;
    r.status = status;
    r.body = body;
    r.setHeader("Content-Type", contentType);
    return r;
}

PracticeResponse PracticeResponse::redirect(const QString &location)
{
    PracticeResponse r;
    r.status = 302;
    r.setHeader("Location", location.toUtf8());
    return r;
}

QByteArray httpReasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 424:
        return "Failed Dependency";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}
