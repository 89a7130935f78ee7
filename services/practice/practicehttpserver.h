#pragma once

#include "practicehttp.h"

#include <QAbstractHttpServer>

#include <functional>

// The practice tenant's HTTP front: QAbstractHttpServer (QtHttpServer 6.4) parses the
// requests; answers are written straight to the socket, which is what lets the tenant
// answer late (slow replies) or drop the connection without an answer — neither is
// possible through QHttpServerResponder in 6.4.
class PracticeHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<PracticeResponse(const PracticeRequest &)>;

    explicit PracticeHttpServer(Handler handler, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    static void writeResponse(QTcpSocket *socket, const PracticeResponse &response);

    Handler m_handler;
};
