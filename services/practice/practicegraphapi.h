#pragma once

#include "practicehttp.h"
#include "practicetokenservice.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

class PracticeDirectory;
class PracticeFaults;
struct PracticeFaultRule;

// One change the practice tenant accepted (PATCH/DELETE/POST that changed state).
struct PracticeWrite
{
    double atMs = 0; // monotonic, since the tenant started
    QString requestId;
    QString clientRequestId;
    QByteArray method;
    QString path; // "/v1.0/users/{id}"
    QString targetId;
    QJsonObject before; // the object before the change (empty for purge)
    QJsonObject body;   // what was sent
    bool inBatch = false;

    QJsonObject toJson() const;
};

// Per-request facts the Graph emulation needs.
struct PracticeGraphContext
{
    PracticeCaller caller;
    QString requestId;
    QString clientRequestId;
    double nowMs = 0;
    QString baseUrl; // http://127.0.0.1:PORT
};

// Microsoft Graph v1.0 as documented for the endpoints Anchorfix uses (DESIGN.md §7):
// users (default property set, $select, $top 1..999, $skiptoken paging, $filter on
// onPremisesImmutableId/userPrincipalName/mail, startswith, $count), PATCH with the documented
// refusals, the recycle bin, domains, organization, onPremisesSynchronization, directoryRoles and
// their members, and $batch. Errors use Graph's envelope.
class PracticeGraphApi
{
public:
    PracticeGraphApi(PracticeDirectory &directory, PracticeFaults &faults);

    // request.path starts with /v1.0/. The caller is already authenticated.
    PracticeResponse dispatch(const PracticeRequest &request, const PracticeGraphContext &ctx);

    // Graph's error envelope with innerError date/request-id/client-request-id.
    static PracticeResponse error(int status, const QString &code, const QString &message,
                                  const PracticeGraphContext &ctx, const QJsonArray &details = {});
    // The 503 or 429 a fault rule asks for, with its Retry-After.
    static PracticeResponse faultResponse(const PracticeFaultRule &rule,
                                          const PracticeGraphContext &ctx);
    // Graph's 404 Request_ResourceNotFound for an id that names nothing.
    static PracticeResponse notFound(const QString &id, const PracticeGraphContext &ctx);

    const QList<PracticeWrite> &writes() const { return m_writes; }
    void clearWrites() { m_writes.clear(); }

    static QStringList defaultUserProperties();

private:
    using Projection = std::function<QJsonObject(const QJsonObject &)>;
    PracticeResponse listPage(const PracticeRequest &request, const PracticeGraphContext &ctx,
                              const QList<QJsonObject> &items, const QString &contextName,
                              const Projection &projection);
    PracticeResponse listUsers(const PracticeRequest &request, const PracticeGraphContext &ctx,
                               bool deleted);
    // GET /users/delta: the first round (every user, pages, then @odata.deltaLink),
    // $deltatoken=latest (only a delta link), and a delta link's round (users changed or
    // added since, and {"id","@removed":{"reason"}} for those gone). The link keeps the
    // first request's $select. An expired link (deltaTokenLifetimeMs) is refused with 400
    // syncStateNotFound; the deltaResync fault answers 410 Gone (resyncRequired).
    PracticeResponse usersDelta(const PracticeRequest &request, const PracticeGraphContext &ctx);
    struct DeltaState
    {
        qint64 issuedMs = 0;
        QString select;
        QHash<QString, size_t> hashes; // user id → hash of its JSON when the link was issued
    };
    struct DeltaRound
    {
        QStringList changed; // ids still to send
        QStringList removed;
        QStringList properties;
        QString select;
    };
    PracticeResponse deltaPage(DeltaRound round, const PracticeGraphContext &ctx,
                               const std::function<QString(const QString &)> &deltaLink);
    // GET /users/$count and /directory/deletedItems/microsoft.graph.user/$count (text/plain;
    // needs ConsistencyLevel: eventual), with the same $filter as the list.
    PracticeResponse countUsers(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                bool deleted);
    // The users a list's $filter keeps: none = all; eq on onPremisesImmutableId,
    // userPrincipalName, mail; startswith (basic) and endswith (advanced) on the string
    // properties; the any() filters of collectionFilter. nullopt = ok, else Graph's 400.
    std::optional<PracticeResponse> filterUsers(const PracticeRequest &request,
                                                const PracticeGraphContext &ctx,
                                                const QList<QJsonObject> &source,
                                                QList<QJsonObject> *matched) const;
    PracticeResponse getUser(const PracticeRequest &request, const PracticeGraphContext &ctx,
                             const QString &id);
    PracticeResponse patchUser(const PracticeRequest &request, const PracticeGraphContext &ctx,
                               const QString &id);
    PracticeResponse deletedItem(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                 const QString &id, bool restore);
    PracticeResponse batch(const PracticeRequest &request, const PracticeGraphContext &ctx);
    PracticeResponse roles(const PracticeRequest &request, const PracticeGraphContext &ctx,
                           const QStringList &segments);
    // /roleManagement/directory/{roleDefinitions|roleAssignments|roleEligibilitySchedules}
    // (v1.0; beta adds isPrivileged to role definitions).
    PracticeResponse roleManagement(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                    const QStringList &segments, bool beta);
    // /groups, /contacts, /directory/deletedItems/microsoft.graph.group.
    PracticeResponse listDirectoryObjects(const PracticeRequest &request,
                                          const PracticeGraphContext &ctx,
                                          const QList<QJsonObject> &items, const QString &type,
                                          const QString &contextName);
    PracticeResponse syncBehavior(const PracticeRequest &request, const PracticeGraphContext &ctx,
                                  const QString &id);
    // GET /groups/{id}/transitiveMembers/microsoft.graph.user (and …/members/…): the user
    // members of a group, through nested groups for transitiveMembers.
    PracticeResponse groupUserMembers(const PracticeRequest &request,
                                      const PracticeGraphContext &ctx, const QString &id,
                                      bool transitive);
    // PATCH /beta/users/{id} {"onPremisesObjectIdentifier": null}.
    PracticeResponse clearObjectIdentifier(const PracticeRequest &request,
                                           const PracticeGraphContext &ctx, const QString &id);
    // The advanced $filter on onPremisesProvisioningErrors or the proxyAddresses any():
    // matched items, or the 400 Graph sends. nullopt result = not such a filter.
    std::optional<PracticeResponse> collectionFilter(const PracticeRequest &request,
                                                     const PracticeGraphContext &ctx,
                                                     const QList<QJsonObject> &items,
                                                     const QString &type,
                                                     QList<QJsonObject> *matched) const;

    // nullopt = allowed; else the 403 to send.
    std::optional<PracticeResponse> requirePermission(const PracticeGraphContext &ctx,
                                                      const QStringList &anyOf) const;
    std::optional<PracticeResponse> takeWrite(const PracticeGraphContext &ctx);
    // The $select list, or an error (unknown property).
    std::optional<PracticeResponse> selection(const PracticeRequest &request,
                                              const PracticeGraphContext &ctx,
                                              QStringList *properties) const;
    void logWrite(const PracticeRequest &request, const PracticeGraphContext &ctx,
                  const QString &targetId, const QJsonObject &before);

    PracticeDirectory &m_directory;
    PracticeFaults &m_faults;
    QList<PracticeWrite> m_writes;
    QHash<QString, qint64> m_skipTokens;                  // opaque token → offset
    QHash<QString, QList<QJsonObject>> m_filteredCursors; // token → the users a filter matched
    QHash<QString, DeltaState> m_deltaStates;             // $deltatoken → the users' state then
    QHash<QString, DeltaRound> m_deltaRounds; // delta $skiptoken → what is left to send
};
