#include "practicehttpserver.h"

#include <QHttpServerRequest>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

PracticeHttpServer::PracticeHttpServer(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler))
{}

bool PracticeHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    PracticeRequest r;
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        r.method = "GET";
        break;
    case QHttpServerRequest::Method::Post:
        r.method = "POST";
        break;
    case QHttpServerRequest::Method::Patch:
        r.method = "PATCH";
        break;
    case QHttpServerRequest::Method::Put:
        r.method = "PUT";
        break;
    case QHttpServerRequest::Method::Delete:
        r.method = "DELETE";
        break;
    case QHttpServerRequest::Method::Head:
        r.method = "HEAD";
        break;
    case QHttpServerRequest::Method::Options:
        r.method = "OPTIONS";
        break;
    default:
        r.method = "OTHER";
        break;
    }
    const QUrl url = request.url();
    r.path = url.path(QUrl::FullyDecoded);
    r.query = QUrlQuery(url.query(QUrl::FullyEncoded));
    const auto headers = request.headers();
    for (const auto &h : headers)
        r.headers.insert(h.first.toLower(), h.second);
    r.body = request.body();

    const PracticeResponse response = m_handler(r);
    if (response.delayMs > 0) {
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(response.delayMs, this, [guard, response] {
            if (guard)
                writeResponse(guard, response);
        });
    } else {
        writeResponse(socket, response);
    }
    return true;
}

void PracticeHttpServer::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    writeResponse(socket, PracticeResponse::text(404, "text/plain", "Not Found"));
}

void PracticeHttpServer::writeResponse(QTcpSocket *socket, const PracticeResponse &response)
{
    if (response.drop) {
        socket->abort();
        return;
    }
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                     httpReasonPhrase(response.status) + "\r\n";
    for (const auto &h : response.headers)
        out += h.first + ": " + h.second + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
    out += response.body;
    socket->write(out);
}
