#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

// A request as the practice tenant sees it: copied out of QHttpServerRequest so that
// handlers can answer later (slow replies) and so that $batch can feed inner requests
// through the same code.
struct PracticeRequest
{
    QByteArray method;                     // upper case
    QString path;                          // decoded path, no query
    QUrlQuery query;                       // decoded query
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    bool inBatch = false;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QJsonObject jsonBody(bool *ok = nullptr) const;
    QString queryItem(const QString &key) const; // fully decoded; empty when absent
    bool hasQueryItem(const QString &key) const { return query.hasQueryItem(key); }
};

struct PracticeResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool drop = false; // close the connection without an answer (fault injection)
    int delayMs = 0;   // answer after this long (fault injection)

    void setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray header(const QByteArray &name) const;

    static PracticeResponse json(int status, const QJsonObject &body);
    static PracticeResponse noContent();
    static PracticeResponse text(int status, const QByteArray &contentType, const QByteArray &body);
    // A 302 to location.
    static PracticeResponse redirect(const QString &location);
};

QByteArray httpReasonPhrase(int status);
