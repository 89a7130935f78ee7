#include "cloudscanjob.h"

#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "partitioneduserreadjob.h"

#include <QJsonArray>
#include <QUrl>

#include <algorithm>

namespace {

// $batch holds at most 20 requests.
constexpr int kBatchSize = 20;

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

QList<ProvisioningError> errorsFromJson(const QJsonValue &value)
{
    QList<ProvisioningError> out;
    for (const QJsonValue &v : value.toArray()) {
        const QJsonObject o = v.toObject();
        ProvisioningError e;
        e.category = o.value(QLatin1String("category")).toString();
        e.propertyCausingError = o.value(QLatin1String("propertyCausingError")).toString();
        e.value = o.value(QLatin1String("value")).toString();
        const QString when = o.value(QLatin1String("occurredDateTime")).toString();
        if (!when.isEmpty())
            e.occurredDateTime = QDateTime::fromString(when, Qt::ISODateWithMs);
        out.append(e);
    }
    return out;
}

DirectoryObject objectFromJson(const QJsonObject &o, DirectoryObject::Type type, bool deleted)
{
    DirectoryObject d;
    d.type = type;
    d.id = o.value(QLatin1String("id")).toString();
    d.displayName = o.value(QLatin1String("displayName")).toString();
    d.mail = o.value(QLatin1String("mail")).toString();
    d.upn = o.value(QLatin1String("userPrincipalName")).toString();
    for (const QJsonValue &p : o.value(QLatin1String("proxyAddresses")).toArray())
        d.proxyAddresses.append(p.toString());
    d.deleted = deleted;
    d.provisioningErrors = errorsFromJson(o.value(QLatin1String("onPremisesProvisioningErrors")));
    return d;
}

// An address as Entra compares it: without "smtp:", case-folded.
QString addressKey(const QString &address)
{
    QStringView view(address);
    if (view.startsWith(u"smtp:", Qt::CaseInsensitive))
        view = view.mid(5);
    return view.toString().toCaseFolded();
}

const QLatin1String kObjectSelect("id,displayName,mail,proxyAddresses,onPremisesSyncEnabled,"
                                  "onPremisesProvisioningErrors");

QString groupsDenied()
{
    return CloudScanJob::tr("Groups not read: grant %1. Provisioning errors on groups and groups "
                            "(also deleted ones) holding an address of a scanned account are not "
                            "shown.")
        .arg(QLatin1String(GraphPermission::GroupRead));
}

QString contactsDenied()
{
    return CloudScanJob::tr("Contacts not read: grant %1. Provisioning errors on contacts and "
                            "contacts holding an address of a scanned account are not shown.")
        .arg(QLatin1String(GraphPermission::ContactRead));
}

} // namespace

CloudScanJob::CloudScanJob(GraphClient *client) : Job(client), m_client(client) {}

void CloudScanJob::doStart()
{
    if (!m_previous.usersDeltaLink.isEmpty()) {
        // Only what changed since the previous scan.
        m_snapshot.users = m_previous.users;
        for (CloudUser &u : m_snapshot.users) {
            // Roles, errors and the source of authority are read again below.
            u.holdsAdminRole = false;
            u.roles.clear();
            u.provisioningErrors.clear();
            u.cloudManaged.reset();
        }
        for (qsizetype i = 0; i < m_snapshot.users.size(); ++i)
            m_userIndex.insert(m_snapshot.users.at(i).id, int(i));
        m_snapshot.usersDeltaSelect = m_previous.usersDeltaSelect;
        Q_EMIT infoMessage(tr("Reading the users changed since the previous scan…"));
        runGet(Stage::UsersDelta, m_previous.usersDeltaLink);
    } else {
        startUsers();
    }
    startFacts();
}

QStringList CloudScanJob::userSelects()
{
    return {GraphClient::userSelect() + QLatin1String(",onPremisesObjectIdentifier"),
            GraphClient::userSelect()};
}

QString CloudScanJob::usersSelect() const
{
    return userSelects().at(m_withoutObjectIdentifier ? 1 : 0);
}

void CloudScanJob::startUsers()
{
    // The delta link first: changes made while the users are read come with the next
    // rescan.
    m_snapshot.usersDeltaSelect = usersSelect();
    runGet(Stage::UsersDeltaLink,
           QStringLiteral("/users/delta?$select=%1&$deltatoken=latest").arg(usersSelect()));
}

void CloudScanJob::startFacts()
{
    // Graph's read budget holds them easily: about fifteen resource units in all, beside
    // the thousands per 10 s the partitioned user reads leave free.
    const QString errorsFilter = QStringLiteral(
        "$filter=onPremisesProvisioningErrors/any(o:o/category%20eq%20'PropertyConflict')"
        "&$count=true");
    const QString v1 = m_client ? m_client->config().graphBase() : QString();
    m_factsRunning = {Stage::DeletedUsers,    Stage::Domains,         Stage::Organization,
                      Stage::SyncFeatures,    Stage::RoleDefinitions, Stage::RoleAssignments,
                      Stage::RoleEligibility, Stage::UserErrors,      Stage::GroupErrors,
                      Stage::DeletedGroups,   Stage::ContactErrors};
    Q_EMIT infoMessage(tr("Reading the recycle bin, domains, admin roles and sync errors…"));
    readUsers(true);
    runGet(Stage::Domains, QStringLiteral("/domains"));
    runGet(Stage::Organization, QStringLiteral("/organization?$select=id,onPremisesSyncEnabled,"
                                               "onPremisesLastSyncDateTime"));
    runGet(Stage::SyncFeatures, QStringLiteral("/directory/onPremisesSynchronization"));
    runGet(Stage::RoleDefinitions,
           v1.left(v1.size() - 4) + QLatin1String("beta/roleManagement/directory/roleDefinitions"
                                                  "?$select=id,displayName,isPrivileged"));
    runGet(Stage::RoleAssignments, QStringLiteral("/roleManagement/directory/roleAssignments"
                                                  "?$select=principalId,roleDefinitionId"));
    runGet(Stage::RoleEligibility,
           QStringLiteral("/roleManagement/directory/roleEligibilitySchedules"
                          "?$select=principalId,roleDefinitionId"));
    runGet(Stage::UserErrors,
           QStringLiteral("/users?%1&$select=id,onPremisesProvisioningErrors&$top=999")
               .arg(errorsFilter));
    runGet(Stage::GroupErrors,
           QStringLiteral("/groups?%1&$select=%2&$top=999").arg(errorsFilter, kObjectSelect));
    runGet(Stage::DeletedGroups,
           QStringLiteral("/directory/deletedItems/microsoft.graph.group?$select=id,"
                          "displayName,mail,proxyAddresses,deletedDateTime&$top=999"));
    runGet(Stage::ContactErrors,
           QStringLiteral("/contacts?%1&$select=%2&$top=999").arg(errorsFilter, kObjectSelect));
}

void CloudScanJob::fullReadAfterDelta(const QString &why)
{
    m_fullReadReason = why;
    m_warnings.append(why);
    Q_EMIT infoMessage(why);
    m_snapshot.users.clear();
    m_userIndex.clear();
    m_usersFromDelta = false;
    startUsers();
}

void CloudScanJob::mergeDelta(const QJsonArray &values)
{
    for (const QJsonValue &v : values) {
        const QJsonObject o = v.toObject();
        const QString id = o.value(QLatin1String("id")).toString();
        const int i = m_userIndex.value(id, -1);
        if (o.contains(QLatin1String("@removed"))) {
            if (i >= 0) {
                // Swap with the last user: the index stays valid for everyone else.
                const int last = int(m_snapshot.users.size()) - 1;
                if (i != last) {
                    m_snapshot.users.swapItemsAt(i, last);
                    m_userIndex.insert(m_snapshot.users.at(i).id, i);
                }
                m_snapshot.users.removeLast();
                m_userIndex.remove(id);
            }
            continue;
        }
        CloudUser fresh = GraphClient::userFromJson(o);
        if (skippedWithoutId(fresh))
            continue;
        if (i < 0) {
            m_userIndex.insert(id, int(m_snapshot.users.size()));
            m_snapshot.users.append(std::move(fresh));
            continue;
        }
        // A changed user may carry only what changed: keep the rest.
        CloudUser &u = m_snapshot.users[i];
        const auto has = [&o](const char *key) {
            return o.contains(QLatin1String(key));
        };
        if (has("userPrincipalName"))
            u.upn = fresh.upn;
        if (has("displayName"))
            u.displayName = fresh.displayName;
        if (has("mail"))
            u.mail = fresh.mail;
        if (has("proxyAddresses"))
            u.proxyAddresses = fresh.proxyAddresses;
        if (has("onPremisesImmutableId"))
            u.immutableId = fresh.immutableId;
        if (has("onPremisesSyncEnabled"))
            u.syncEnabled = fresh.syncEnabled;
        if (has("onPremisesObjectIdentifier"))
            u.onPremisesObjectIdentifier = fresh.onPremisesObjectIdentifier;
        if (has("accountEnabled"))
            u.accountEnabled = fresh.accountEnabled;
    }
    setProgress(m_snapshot.users.size(), 0);
}

void CloudScanJob::readUsers(bool deleted)
{
    if (!m_client || isFinished())
        return;
    const QString select =
        deleted ? GraphClient::userSelect() + QLatin1String(",deletedDateTime") : usersSelect();
    auto *job = new PartitionedUserReadJob(
        m_client,
        deleted ? QStringLiteral("/directory/deletedItems/microsoft.graph.user")
                : QStringLiteral("/users"),
        select, m_pageSize);
    job->setMaxInFlight(m_maxInFlight);
    if (m_partitionThreshold >= 0)
        job->setPartitionThreshold(m_partitionThreshold);
    (deleted ? m_deletedRead : m_userRead) = job;
    connect(job, &Job::finished, this, [this, job, deleted] { onUsersRead(job, deleted); });
    connect(job, &Job::infoMessage, this, &Job::infoMessage);
    if (!deleted)
        connect(job, &Job::progressChanged, this,
                qOverload<const JobProgress &>(&CloudScanJob::setProgress));
    job->start();
}

void CloudScanJob::onUsersRead(PartitionedUserReadJob *job, bool deleted)
{
    (deleted ? m_deletedRead : m_userRead) = nullptr;
    if (isFinished())
        return;
    m_requests += job->requestsSent();
    m_pages += job->pagesRead();
    m_bytes += job->bytesRead();
    if (job->error() != Job::NoError) {
        const GraphResult result = job->failedRequest();
        if (!deleted && !m_withoutObjectIdentifier && job->pagesRead() == 0 &&
            result.httpStatus == 400) {
            // onPremisesObjectIdentifier is not documented for v1.0: a Graph that refuses
            // it in $select refuses the first page. Read the users without it.
            m_withoutObjectIdentifier = true;
            m_warnings.append(tr("Graph did not return onPremisesObjectIdentifier: the "
                                 "pre-flight warning for cloud users that still carry one (hard "
                                 "match blocked since July 2026) is missing."));
            Q_EMIT infoMessage(m_warnings.last());
            m_snapshot.usersDeltaLink.clear();
            startUsers(); // the delta link with the same $select
            return;
        }
        if (job->error() == Job::Cancelled) {
            cancelAll();
            fail(Cancelled, job->errorString());
            emitResult();
            return;
        }
        failWith(result, job->errorString());
        return;
    }
    for (const QString &w : job->warnings())
        if (!m_warnings.contains(w))
            m_warnings.append(w);
    if (!deleted) {
        m_usersPartitioned = job->wasPartitioned();
        m_partitionsRead = job->partitionsRead();
    }
    QList<CloudUser> users = job->takeUsers();
    QList<CloudUser> &target = deleted ? m_snapshot.deletedUsers : m_snapshot.users;
    const bool allHaveIds = std::all_of(users.cbegin(), users.cend(),
                                        [](const CloudUser &u) { return !u.id.isEmpty(); });
    if (target.isEmpty() && allHaveIds) {
        // The usual case, taken whole with the read's index: 200k users moved one by one
        // and 500k ids hashed again held the GUI thread for a quarter of a second each.
        target = std::move(users);
        if (!deleted)
            m_userIndex = job->takeIndex();
        stageDone(deleted ? Stage::DeletedUsers : Stage::Users);
        return;
    }
    target.reserve(target.size() + users.size());
    for (CloudUser &u : users) {
        if (skippedWithoutId(u))
            continue;
        if (!deleted)
            m_userIndex.insert(u.id, int(target.size()));
        target.append(std::move(u));
    }
    stageDone(deleted ? Stage::DeletedUsers : Stage::Users);
}

void CloudScanJob::cancelAll()
{
    for (PartitionedUserReadJob *read : {m_userRead.data(), m_deletedRead.data()})
        if (read) {
            read->disconnect(this);
            read->cancel();
        }
    for (const QPointer<GraphRequestJob> &job : std::as_const(m_gets))
        if (job) {
            job->disconnect(this);
            job->cancel();
        }
    m_gets.clear();
    if (m_currentBatch) {
        m_currentBatch->disconnect(this);
        m_currentBatch->cancel();
    }
}

void CloudScanJob::doCancel()
{
    cancelAll();
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void CloudScanJob::failWith(const GraphResult &result, const QString &message)
{
    // One request failed: the others have nothing left to complete.
    m_failed = result;
    cancelAll();
    fail(RequestFailed, message);
    emitResult();
}

void CloudScanJob::runGet(Stage stage, const QString &pathOrNextLink)
{
    if (!m_client || isFinished())
        return;
    QString path = pathOrNextLink;
    if (path.startsWith(QLatin1String("http"))) {
        // Follow a link only on our own Graph endpoint (v1.0 or beta): it gets the token.
        const QString v1 = m_client->config().graphBase();
        const QString root = v1.left(v1.size() - 4); // "{graph}/"
        if (!path.startsWith(root)) {
            GraphResult refused;
            refused.advice = tr("Graph returned a next-page link to another host (%1); "
                                "refusing to send the token there.")
                                 .arg(QUrl(path).host());
            failWith(refused, refused.advice);
            return;
        }
    }
    const char *permission = GraphPermission::UserRead;
    switch (stage) {
    case Stage::Domains:
        permission = GraphPermission::DomainRead;
        break;
    case Stage::Organization:
        permission = GraphPermission::OrganizationRead;
        break;
    case Stage::SyncFeatures:
        permission = GraphPermission::SyncRead;
        break;
    case Stage::RoleDefinitions:
    case Stage::RoleAssignments:
    case Stage::RoleEligibility:
        permission = GraphPermission::RoleRead;
        break;
    case Stage::GroupErrors:
    case Stage::DeletedGroups:
    case Stage::RoleGroups:
        permission = GraphPermission::GroupRead;
        break;
    case Stage::ContactErrors:
        permission = GraphPermission::ContactRead;
        break;
    default:
        break;
    }
    ++m_requests;
    GraphRequestJob *job =
        m_client->request("GET", path, std::nullopt, true, QLatin1String(permission));
    m_gets.append(job);
    // The advanced queries need the header on every page: the nextLink does not carry it.
    if (stage == Stage::UserErrors || stage == Stage::GroupErrors || stage == Stage::ContactErrors)
        job->setHeader("ConsistencyLevel", "eventual");
    connect(job, &Job::finished, this, [this, stage, job] { onPage(stage, job); });
    connect(job, &Job::infoMessage, this, &Job::infoMessage);
    job->start();
}

bool CloudScanJob::tolerate(Stage stage, const GraphResult &result)
{
    const bool denied = result.httpStatus == 403;
    const QString answer = tr("Graph answered %1 %2").arg(result.httpStatus).arg(result.code);
    QString warning;
    switch (stage) {
    case Stage::UsersDeltaLink:
        if (result.httpStatus == 400 && !m_withoutObjectIdentifier && !m_deltaLinkRetried) {
            // Perhaps onPremisesObjectIdentifier in $select: once more without it.
            m_deltaLinkRetried = true;
            m_snapshot.usersDeltaSelect = GraphClient::userSelect();
            runGet(Stage::UsersDeltaLink,
                   QStringLiteral("/users/delta?$select=%1&$deltatoken=latest")
                       .arg(GraphClient::userSelect()));
            return true;
        }
        // Not needed for this scan: only "Scan again" reads all users instead of changes.
        Q_EMIT infoMessage(tr("No delta link (%1): a rescan will read every user.").arg(answer));
        m_snapshot.usersDeltaLink.clear();
        m_snapshot.usersDeltaSelect.clear();
        readUsers(false);
        return true;
    case Stage::UsersDelta:
        // Documented: 400 syncStateNotFound (older than 7 days), 410 Gone with
        // resyncRequired (Graph lost the state); anything 400/404 is no better.
        if (result.httpStatus == 410 || result.code == QLatin1String("syncStateNotFound") ||
            result.code == QLatin1String("resyncRequired") || result.httpStatus == 400 ||
            result.httpStatus == 404) {
            fullReadAfterDelta(
                result.httpStatus == 410
                    ? tr("Graph can no longer tell what changed since the previous scan (410 "
                         "Gone, %1): every user is read again.")
                          .arg(result.code)
                : result.code == QLatin1String("syncStateNotFound")
                    ? tr("The previous scan is too old to read only the changes (its delta link "
                         "expired; Graph keeps them 7 days): every user is read again.")
                    : tr("Graph refused the previous scan's delta link (%1): every user is read "
                         "again.")
                          .arg(answer));
            return true;
        }
        return false;
    case Stage::SyncFeatures:
        // Not worth stopping the scan for: the findings only lose their pre-flight warnings.
        // Graph serves this endpoint to delegated Global Administrators in the global cloud
        // only, so an app-only sign-in or a national cloud is refused too (400/404).
        warning =
            tr("The tenant's sync settings (blockSoftMatch, "
               "blockCloudObjectTakeoverThroughHardMatch, the onPremisesObjectIdentifier "
               "bypass) could not be read (%1). Their pre-flight warnings are missing.")
                .arg(denied ? tr("the app lacks %1").arg(QLatin1String(GraphPermission::SyncRead))
                            : tr("%1; Graph serves them to a signed-in Global "
                                 "Administrator in the global cloud only")
                                  .arg(answer));
        break;
    case Stage::RoleDefinitions:
        if (!m_rolesFromBeta)
            return false;
        // isPrivileged exists in beta only; v1.0 names the roles.
        m_rolesFromBeta = false;
        m_warnings.append(tr("Role definitions were read without isPrivileged (the beta "
                             "endpoint refused: %1): every role a user is only eligible for "
                             "through PIM is treated as privileged.")
                              .arg(answer));
        Q_EMIT infoMessage(m_warnings.last());
        m_roleNames.clear();
        runGet(Stage::RoleDefinitions,
               QStringLiteral("/roleManagement/directory/roleDefinitions?$select=id,displayName"));
        return true;
    case Stage::RoleEligibility:
        warning = denied ? tr("Eligible roles not checked: grant %1 (PIM eligibility schedules "
                              "answered 403). A user who is only eligible for a privileged role "
                              "is not shown as admin_role, yet Entra refuses its hard match "
                              "since July 2026.")
                               .arg(QLatin1String(GraphPermission::RoleRead))
                         : tr("Eligible roles not checked: %1 for the PIM eligibility schedules "
                              "(PIM needs Microsoft Entra ID P2). A user who is only eligible "
                              "for a privileged role is not shown as admin_role.")
                               .arg(answer);
        break;
    case Stage::RoleGroups:
        if (result.httpStatus == 404) {
            // The principal is not a group (a service principal): nothing to expand.
            nextRoleGroup();
            return true;
        }
        warning = denied ? tr("Roles held through role-assignable groups not checked: grant "
                              "%1 (group members answered 403). A member of a group that "
                              "holds an admin role is not shown as admin_role, yet Entra "
                              "refuses its match.")
                               .arg(QLatin1String(GraphPermission::GroupRead))
                         : tr("Roles held through role-assignable groups not checked: %1 for "
                              "the members of group %2.")
                               .arg(answer, m_roleGroup);
        m_roleGroupQueue.clear(); // one warning; the rest would answer the same
        break;
    case Stage::UserErrors:
        warning = tr("Provisioning errors of users not read (%1): the sync engine's own "
                     "conflicts are not shown on the rows.")
                      .arg(answer);
        break;
    case Stage::GroupErrors:
    case Stage::DeletedGroups:
        warning = denied ? groupsDenied()
                         : tr("Groups not read (%1): provisioning errors on groups are not "
                              "shown.")
                               .arg(answer);
        break; // the deleted groups, read at the same time, say the same once
    case Stage::ContactErrors:
        warning = denied ? contactsDenied()
                         : tr("Contacts not read (%1): provisioning errors on contacts are not "
                              "shown.")
                               .arg(answer);
        break;
    default:
        return false;
    }
    if (!m_warnings.contains(warning)) {
        m_warnings.append(warning);
        Q_EMIT infoMessage(warning);
    }
    stageDone(stage);
    return true;
}

void CloudScanJob::onPage(Stage stage, GraphRequestJob *job)
{
    m_gets.removeAll(job);
    if (isFinished())
        return;
    const GraphResult result = job->result();
    if (!result.ok && tolerate(stage, result))
        return;
    if (!result.ok) {
        failWith(result, job->errorString());
        return;
    }
    ++m_pages;
    m_bytes += job->bytesReceived();
    consume(stage, result.body);
    const QString next = result.body.value(QLatin1String("@odata.nextLink")).toString();
    if (!next.isEmpty()) {
        runGet(stage, next);
        return;
    }
    stageDone(stage);
}

bool CloudScanJob::skippedWithoutId(const CloudUser &user)
{
    if (!user.id.isEmpty())
        return false;
    // Nothing can be written to a user without its object id: it never becomes a row.
    const QString who = !user.upn.isEmpty()           ? user.upn
                        : !user.displayName.isEmpty() ? user.displayName
                                                      : tr("(no name)");
    m_warnings.append(tr("Graph returned a user without an id (%1); it was left out of the "
                         "scan.")
                          .arg(who));
    Q_EMIT infoMessage(m_warnings.last());
    return true;
}

void CloudScanJob::consume(Stage stage, const QJsonObject &page)
{
    const QJsonArray values = page.value(QLatin1String("value")).toArray();
    switch (stage) {
    case Stage::UsersDeltaLink:
    case Stage::UsersDelta:
        if (stage == Stage::UsersDelta)
            mergeDelta(values);
        if (const QString link = page.value(QLatin1String("@odata.deltaLink")).toString();
            !link.isEmpty())
            m_snapshot.usersDeltaLink = link;
        break;
    case Stage::Users:
    case Stage::DeletedUsers:
        break; // read by PartitionedUserReadJob
    case Stage::Domains:
        for (const QJsonValue &v : values) {
            const QJsonObject o = v.toObject();
            CloudDomain d;
            d.name = o.value(QLatin1String("id")).toString();
            d.federated =
                CloudDomain::isFederated(o.value(QLatin1String("authenticationType")).toString());
            d.initial = o.value(QLatin1String("isInitial")).toBool();
            d.isDefault = o.value(QLatin1String("isDefault")).toBool();
            d.verified = o.value(QLatin1String("isVerified")).toBool(true);
            m_snapshot.domains.append(d);
        }
        break;
    case Stage::Organization:
        if (!values.isEmpty()) {
            const QJsonObject org = values.first().toObject();
            m_snapshot.tenantId = org.value(QLatin1String("id")).toString();
            const QJsonValue sync = org.value(QLatin1String("onPremisesSyncEnabled"));
            if (sync.isBool())
                m_snapshot.directorySyncEnabled = sync.toBool();
            const QString last = org.value(QLatin1String("onPremisesLastSyncDateTime")).toString();
            if (!last.isEmpty())
                m_snapshot.lastSyncDateTime = QDateTime::fromString(last, Qt::ISODateWithMs);
        }
        break;
    case Stage::SyncFeatures: {
        // The collection holds one onPremisesDirectorySynchronization object.
        QJsonObject item = page;
        if (!values.isEmpty())
            item = values.first().toObject();
        const QJsonObject f = item.value(QLatin1String("features")).toObject();
        m_snapshot.flags.blockSoftMatch = f.value(QLatin1String("blockSoftMatchEnabled")).toBool();
        m_snapshot.flags.blockCloudObjectTakeoverThroughHardMatch =
            f.value(QLatin1String("blockCloudObjectTakeoverThroughHardMatchEnabled")).toBool();
        // The temporary bypass of the July 2026 onPremisesObjectIdentifier block.
        m_snapshot.flags.allowOnPremUpdateOfObjectIdentifier =
            f.value(QLatin1String("allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled")).toBool();
        m_snapshot.flags.known = true;
        m_flagsKnown = true;
        break;
    }
    case Stage::RoleDefinitions:
        for (const QJsonValue &v : values) {
            const QJsonObject o = v.toObject();
            const QString id = o.value(QLatin1String("id")).toString();
            m_roleNames.insert(id, o.value(QLatin1String("displayName")).toString());
            const QJsonValue privileged = o.value(QLatin1String("isPrivileged"));
            if (privileged.isBool()) {
                m_rolePrivileged.insert(id, privileged.toBool());
                m_privilegeKnown = true;
            }
        }
        break;
    case Stage::RoleAssignments:
        m_assignmentPages.append(values); // the role definitions may still be on their way
        break;
    case Stage::RoleEligibility:
        m_eligibilityPages.append(values);
        break;
    case Stage::RoleGroups: {
        const QList<RoleGrant> held = m_grants.value(m_roleGroup);
        for (const QJsonValue &v : values) {
            const QString member = v.toObject().value(QLatin1String("id")).toString();
            QList<RoleGrant> &grants = m_groupGrants[member];
            for (RoleGrant g : held) {
                g.viaGroupId = m_roleGroup;
                if (!grants.contains(g))
                    grants.append(g);
            }
        }
        break;
    }
    case Stage::UserErrors:
        m_userErrorPages.append(values); // the users may still be on their way
        break;
    case Stage::GroupErrors:
    case Stage::ContactErrors:
    case Stage::DeletedGroups:
        for (const QJsonValue &v : values)
            m_snapshot.otherObjects.append(objectFromJson(v.toObject(),
                                                          stage == Stage::ContactErrors
                                                              ? DirectoryObject::Type::Contact
                                                              : DirectoryObject::Type::Group,
                                                          stage == Stage::DeletedGroups));
        break;
    case Stage::Holders:
    case Stage::SyncBehavior:
    case Stage::Done:
        break;
    }
}

void CloudScanJob::finishRoles()
{
    const auto grant = [this](const QString &userId, const QList<RoleGrant> &roles) {
        const int i = m_userIndex.value(userId, -1);
        if (i < 0)
            return; // a group or service principal: not a user the reconciler matches
        CloudUser &u = m_snapshot.users[i];
        u.holdsAdminRole = true;
        for (const RoleGrant &g : roles)
            if (!u.roles.contains(g))
                u.roles.append(g);
    };
    for (auto it = m_grants.cbegin(); it != m_grants.cend(); ++it)
        grant(it.key(), it.value());
    for (auto it = m_groupGrants.cbegin(); it != m_groupGrants.cend(); ++it)
        grant(it.key(), it.value());
}

void CloudScanJob::applyGrants()
{
    const auto take = [this](const QList<QJsonArray> &pages, bool eligible) {
        for (const QJsonArray &values : pages)
            for (const QJsonValue &v : values) {
                const QJsonObject o = v.toObject();
                const QString role = o.value(QLatin1String("roleDefinitionId")).toString();
                // July 2026: eligibility blocks only for a privileged role. Without
                // isPrivileged every eligible role counts (the safe side: never stamp a
                // maybe-admin).
                if (eligible && m_privilegeKnown && !m_rolePrivileged.value(role, true))
                    continue;
                RoleGrant grant{m_roleNames.value(role, role), eligible};
                QList<RoleGrant> &grants =
                    m_grants[o.value(QLatin1String("principalId")).toString()];
                if (!grants.contains(grant))
                    grants.append(grant);
            }
    };
    take(std::exchange(m_assignmentPages, {}), false);
    take(std::exchange(m_eligibilityPages, {}), true);
}

void CloudScanJob::applyUserErrors()
{
    for (const QJsonArray &values : std::exchange(m_userErrorPages, {}))
        for (const QJsonValue &v : values) {
            const QJsonObject o = v.toObject();
            const int i = m_userIndex.value(o.value(QLatin1String("id")).toString(), -1);
            if (i >= 0)
                m_snapshot.users[i].provisioningErrors =
                    errorsFromJson(o.value(QLatin1String("onPremisesProvisioningErrors")));
        }
}

void CloudScanJob::stageDone(Stage stage)
{
    switch (stage) {
    case Stage::UsersDeltaLink:
        Q_EMIT infoMessage(tr("Reading users…"));
        readUsers(false);
        return;
    case Stage::UsersDelta:
        m_usersFromDelta = true;
        Q_EMIT infoMessage(
            tr("%1 users after the changes since the previous scan.").arg(m_snapshot.users.size()));
        Q_FALLTHROUGH();
    case Stage::Users:
        m_usersDone = true;
        afterFacts();
        return;
    case Stage::RoleGroups:
        nextRoleGroup();
        return;
    case Stage::Holders:
        m_stage = Stage::SyncBehavior;
        startSyncBehaviorReads();
        return;
    case Stage::SyncBehavior:
        finish();
        return;
    case Stage::Done:
        return;
    default: // one of the small collections
        m_factsRunning.removeAll(stage);
        afterFacts();
        return;
    }
}

void CloudScanJob::afterFacts()
{
    if (!m_usersDone || !m_factsRunning.isEmpty() || m_stage != Stage::Users)
        return;
    if (m_usersFromDelta && !m_previous.tenantId.isEmpty() &&
        m_previous.tenantId.compare(m_snapshot.tenantId, Qt::CaseInsensitive) != 0) {
        // A delta link of another tenant: its changes were merged into the wrong users.
        GraphResult refused;
        refused.advice = tr("The previous scan is of tenant %1, this one is %2: its changes say "
                            "nothing about this tenant. Scan it in full.")
                             .arg(m_previous.tenantId, m_snapshot.tenantId);
        failWith(refused, refused.advice);
        return;
    }
    applyUserErrors();
    applyGrants();
    // Principals that are no user may be role-assignable groups: expand their members.
    m_roleGroupQueue.clear();
    for (auto it = m_grants.cbegin(); it != m_grants.cend(); ++it)
        if (!m_userIndex.contains(it.key()))
            m_roleGroupQueue.append(it.key());
    m_roleGroupQueue.sort(); // a stable order of requests
    m_stage = Stage::RoleGroups;
    nextRoleGroup();
}

void CloudScanJob::nextRoleGroup()
{
    if (m_roleGroupQueue.isEmpty()) {
        finishRoles();
        m_stage = Stage::Holders;
        startHolderLookups();
        return;
    }
    m_roleGroup = m_roleGroupQueue.takeFirst();
    // Graph documents transitive membership for groups; role-assignable groups cannot
    // nest, but a transitive read stays right if that ever changes.
    runGet(Stage::RoleGroups,
           QStringLiteral("/groups/%1/transitiveMembers/microsoft.graph.user?$select=id&$top=999")
               .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_roleGroup))));
}

void CloudScanJob::startHolderLookups()
{
    // Conflicting proxy addresses that no object read so far holds: a group or a contact
    // outside the error lists may hold them.
    QHash<QString, QString> wanted; // key → the value as Graph reported it
    const auto collect = [&wanted](const QList<ProvisioningError> &errors) {
        for (const ProvisioningError &e : errors)
            if (e.propertyCausingError.compare(QLatin1String("ProxyAddresses"),
                                               Qt::CaseInsensitive) == 0 &&
                !e.value.isEmpty())
                wanted.insert(addressKey(e.value), e.value);
    };
    for (const CloudUser &u : std::as_const(m_snapshot.users))
        if (!u.provisioningErrors.isEmpty())
            collect(u.provisioningErrors);
    for (const DirectoryObject &o : std::as_const(m_snapshot.otherObjects))
        collect(o.provisioningErrors);
    if (!wanted.isEmpty()) {
        const auto drop = [&wanted](const QString &upn, const QString &mail,
                                    const QStringList &proxies) {
            if (!upn.isEmpty())
                wanted.remove(addressKey(upn));
            if (!mail.isEmpty())
                wanted.remove(addressKey(mail));
            for (const QString &p : proxies)
                wanted.remove(addressKey(p));
        };
        for (const CloudUser &u : std::as_const(m_snapshot.users))
            drop(u.upn, u.mail, u.proxyAddresses);
        for (const CloudUser &u : std::as_const(m_snapshot.deletedUsers))
            drop(u.upn, u.mail, u.proxyAddresses);
        for (const DirectoryObject &o : std::as_const(m_snapshot.otherObjects))
            drop(o.upn, o.mail, o.proxyAddresses);
    }
    m_pendingBatches.clear();
    m_batchIndex = 0;
    QStringList values = wanted.values();
    values.sort();
    // Two requests per value (groups, contacts).
    for (int i = 0; i < values.size(); i += kBatchSize / 2)
        m_pendingBatches.append(values.mid(i, kBatchSize / 2));
    if (m_pendingBatches.isEmpty()) {
        stageDone(m_stage);
        return;
    }
    Q_EMIT infoMessage(
        tr("Looking up who holds %n conflicting address(es)…", nullptr, int(values.size())));
    runBatch(requestsFor(m_pendingBatches.first()));
}

void CloudScanJob::startSyncBehaviorReads()
{
    // Rule 6a candidates: a source-of-authority conversion leaves onPremisesSyncEnabled
    // null and keeps the ImmutableId. Nobody else can be cloud-managed that way.
    m_pendingBatches.clear();
    m_batchIndex = 0;
    QStringList ids;
    for (const CloudUser &u : std::as_const(m_snapshot.users))
        if (!u.syncEnabled.has_value() && !u.immutableId.isEmpty())
            ids.append(u.id);
    for (int i = 0; i < ids.size(); i += kBatchSize)
        m_pendingBatches.append(ids.mid(i, kBatchSize));
    if (m_pendingBatches.isEmpty()) {
        stageDone(m_stage);
        return;
    }
    Q_EMIT infoMessage(
        tr("Reading the source of authority of %n user(s)…", nullptr, int(ids.size())));
    runBatch(requestsFor(m_pendingBatches.first()));
}

QList<GraphBatchRequest> CloudScanJob::requestsFor(const QStringList &batch) const
{
    QList<GraphBatchRequest> requests;
    for (int i = 0; i < batch.size(); ++i) {
        if (m_stage == Stage::SyncBehavior) {
            requests.append({QString::number(i),
                             "GET",
                             QStringLiteral("/users/%1/onPremisesSyncBehavior?$select="
                                            "isCloudManaged")
                                 .arg(encoded(batch.at(i))),
                             std::nullopt,
                             {},
                             true});
            continue;
        }
        // Holders: who has this proxy address, among groups and among contacts.
        QString value = batch.at(i);
        if (!value.contains(QLatin1Char(':')))
            value.prepend(QLatin1String("smtp:"));
        const QString filter =
            encoded(QStringLiteral("proxyAddresses/any(p:p eq '%1')")
                        .arg(value.replace(QLatin1Char('\''), QLatin1String("''"))));
        requests.append({QStringLiteral("g%1").arg(i),
                         "GET",
                         QStringLiteral("/groups?$filter=%1&$select=%2").arg(filter, kObjectSelect),
                         std::nullopt,
                         {},
                         true});
        requests.append(
            {QStringLiteral("c%1").arg(i),
             "GET",
             QStringLiteral("/contacts?$filter=%1&$select=%2").arg(filter, kObjectSelect),
             std::nullopt,
             {},
             true});
    }
    return requests;
}

void CloudScanJob::runBatch(const QList<GraphBatchRequest> &requests)
{
    if (!m_client)
        return;
    ++m_batches;
    m_currentBatch = m_client->batch(requests);
    GraphBatchJob *job = m_currentBatch;
    connect(job, &Job::finished, this, [this, job] { onBatch(job); });
    job->start();
}

void CloudScanJob::onBatch(GraphBatchJob *job)
{
    m_currentBatch = nullptr;
    if (isFinished())
        return;
    if (job->error() != Job::NoError) {
        m_failed = job->outerResult();
        fail(RequestFailed, job->errorString());
        emitResult();
        return;
    }
    const QList<GraphResult> results = job->results();
    const QStringList &batch = m_pendingBatches.at(m_batchIndex);
    bool stop = false;
    if (m_stage == Stage::SyncBehavior) {
        for (const GraphResult &r : results) {
            const int k = r.batchId.toInt();
            if (r.ok) {
                const int i = m_userIndex.value(batch.value(k), -1);
                const QJsonValue managed = r.body.value(QLatin1String("isCloudManaged"));
                if (i >= 0 && managed.isBool()) {
                    m_snapshot.users[i].cloudManaged = managed.toBool();
                    ++m_behaviorRead;
                }
            } else if (r.httpStatus == 403) {
                ++m_behaviorDenied;
                stop = true; // the permission is missing: the other batches fare no better
            } else if (r.httpStatus != 404) {
                ++m_behaviorFailed;
            }
        }
    } else {
        QSet<QString> known;
        for (const DirectoryObject &o : std::as_const(m_snapshot.otherObjects))
            known.insert(o.id);
        for (const GraphResult &r : results) {
            const bool contact = r.batchId.startsWith(u'c');
            if (!r.ok) {
                if (r.httpStatus == 403) {
                    const QString warning = contact ? contactsDenied() : groupsDenied();
                    if (!m_warnings.contains(warning))
                        m_warnings.append(warning);
                } else if (++m_holderLookupsFailed == 1) {
                    m_holderLookupAnswer = tr("Graph answered %1 %2").arg(r.httpStatus).arg(r.code);
                }
                continue;
            }
            for (const QJsonValue &v : r.body.value(QLatin1String("value")).toArray()) {
                DirectoryObject o = objectFromJson(
                    v.toObject(),
                    contact ? DirectoryObject::Type::Contact : DirectoryObject::Type::Group, false);
                if (!known.contains(o.id)) {
                    known.insert(o.id);
                    m_snapshot.otherObjects.append(o);
                }
            }
        }
    }
    ++m_batchIndex;
    if (stop || m_batchIndex >= m_pendingBatches.size()) {
        if (m_stage == Stage::SyncBehavior && (m_behaviorDenied > 0 || m_behaviorFailed > 0)) {
            int candidates = 0;
            for (const QStringList &b : std::as_const(m_pendingBatches))
                candidates += int(b.size());
            const int unchecked = candidates - m_behaviorRead;
            m_warnings.append(
                m_behaviorDenied > 0
                    ? tr("Source of authority not checked for %1 of %2 user(s) without "
                         "onPremisesSyncEnabled that carry an ImmutableId: grant %3 (Graph "
                         "documents no read-only permission for onPremisesSyncBehavior). A user "
                         "whose management was moved to the cloud shows as anchor_mismatch or "
                         "orphaned_anchor instead of cloud_managed.")
                          .arg(unchecked)
                          .arg(candidates)
                          .arg(QLatin1String(GraphPermission::SyncBehaviorWrite))
                    : tr("Source of authority not checked for %1 of %2 user(s): Graph refused "
                         "%3 onPremisesSyncBehavior read(s).")
                          .arg(unchecked)
                          .arg(candidates)
                          .arg(m_behaviorFailed));
            Q_EMIT infoMessage(m_warnings.last());
        }
        if (m_stage == Stage::Holders && m_holderLookupsFailed > 0) {
            // Never a silent gap: the rows cannot name who holds these addresses.
            m_warnings.append(tr("%n lookup(s) of who holds a conflicting address failed (%1): "
                                 "the rows of those addresses do not name the group or contact "
                                 "holding them.",
                                 nullptr, m_holderLookupsFailed)
                                  .arg(m_holderLookupAnswer));
            Q_EMIT infoMessage(m_warnings.last());
        }
        stageDone(m_stage);
        return;
    }
    // The next batch of the same stage.
    runBatch(requestsFor(m_pendingBatches.at(m_batchIndex)));
}

void CloudScanJob::finish()
{
    m_stage = Stage::Done;
    m_snapshot.scannedAt = QDateTime::currentDateTimeUtc();
    setProgress(m_snapshot.users.size(), m_snapshot.users.size());
    Q_EMIT infoMessage(tr("%1 users, %2 in the recycle bin.")
                           .arg(m_snapshot.users.size())
                           .arg(m_snapshot.deletedUsers.size()));
    emitResult();
}
