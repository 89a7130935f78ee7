#pragma once

#include "practicedirectory.h"
#include "practicefaults.h"
#include "practicegraphapi.h"
#include "practicetokenservice.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <optional>

class PracticeHttpServer;

// One request the practice tenant received (control endpoints excluded).
struct PracticeRequestRecord
{
    double atMs = 0; // arrival, monotonic ms since the tenant started
    QByteArray method;
    QString path;
    QString query;
    int status = 0; // 0 = connection dropped on purpose
    QString requestId;
    QString clientRequestId;
    double retryAfterSeconds = -1; // the Retry-After announced, if any
    QStringList permissions;       // Graph: what the request's valid token granted
    QString fault;                 // the PracticeFaultRule effect that hit it, if any

    QJsonObject toJson() const;
};

// The practice tenant: a local stand-in for Microsoft Graph v1.0 and the Microsoft
// identity platform, loaded from a tenant JSON file (see PracticeDirectory), serving on
// 127.0.0.1 only and issuing tokens only to the client ids in its file. Used by the test
// suite, `anchorfix --demo` and `anchorfix practice`.
//
// Endpoints (base http://127.0.0.1:PORT):
//   /{tenant}/oauth2/v2.0/token | devicecode | authorize    sign-in (authorize with a
//                           login_hint signs that user in at once: no browser needed)
//   /{tenant}/discovery/v2.0/keys                           the ID tokens' signing key (JWKS)
//   /v1.0/…                                                 Graph (see PracticeGraphApi)
//   /_practice/devicelogin  GET form, POST user_code=…[&action=decline]
//   /_practice/faults       GET / PUT a PracticeFaultSettings JSON
//   /_practice/state        GET the directory as a tenant JSON (what was written)
//   /_practice/writes       GET the write log, in order
//   /_practice/requests     GET the request log (arrival times, statuses, Retry-After)
//   /_practice/reset        POST: reload the tenant as loaded, clear logs and faults
//   /_practice/sync         POST {"users":[{"anchor","userPrincipalName"}], "at"?}: one
//                           simulated Entra Connect sync cycle (PracticeDirectory::simulateSync)
// The /_practice endpoints are for tests and training; they need no token.
class PracticeTenant : public QObject
{
    Q_OBJECT
public:
    explicit PracticeTenant(QObject *parent = nullptr);
    ~PracticeTenant() override;

    // Empty on success, else what is wrong.
    QString loadFile(const QString &path);
    QString loadJson(const QJsonObject &tenant);

    // Listens on 127.0.0.1; port 0 = any free port. Returns the port, 0 on failure.
    quint16 listen(quint16 port = 0);
    quint16 port() const { return m_port; }
    QString baseUrl() const; // "http://127.0.0.1:PORT"

    QString tenantId() const { return m_directory.tenantId; }
    QString practiceClientId() const; // the first client in the file
    PracticeDirectory &directory() { return m_directory; }
    PracticeTokenService &tokens() { return m_tokens; }

    void setFaults(const PracticeFaultSettings &faults);
    PracticeFaultSettings faults() const { return m_faults.settings(); }

    QList<PracticeWrite> writeLog() const { return m_graph.writes(); }
    QList<PracticeRequestRecord> requestLog() const { return m_requests; }
    void clearLogs();

    bool approveDeviceCode(const QString &userCode, const QString &upn = QString());
    bool declineDeviceCode(const QString &userCode);

    // An access token for tests. permissions empty = every permission the first client
    // has; upn empty = app-only.
    QString issueAccessToken(const QStringList &permissions = {}, const QString &upn = {});

    double nowMs() const { return m_clock.nsecsElapsed() / 1e6; }

    // Handles one request (public for $batch-free unit tests; the server calls it).
    PracticeResponse handle(const PracticeRequest &request);

Q_SIGNALS:
    void deviceCodeIssued(const QString &userCode, const QString &verificationUri);

private:
    PracticeResponse handleControl(const PracticeRequest &request);
    PracticeResponse handleGraph(const PracticeRequest &request, PracticeRequestRecord &record);
    // The read budget (PracticeFaultSettings::readBudget): nullopt = within it, else the 429.
    std::optional<PracticeResponse> spendReadUnits(const PracticeRequest &request,
                                                   const PracticeGraphContext &ctx);

    PracticeDirectory m_directory;
    QJsonObject m_loaded;
    PracticeFaults m_faults;
    PracticeTokenService m_tokens;
    PracticeGraphApi m_graph;
    PracticeHttpServer *m_server = nullptr;
    quint16 m_port = 0;
    QElapsedTimer m_clock;
    QList<PracticeRequestRecord> m_requests;
};
