#include "cloudscanjob.h"

#include "graphclient.h"
#include "graphrequestjob.h"

#include <QJsonArray>
#include <QUrl>

CloudScanJob::CloudScanJob(GraphClient *client) : Job(client), m_client(client) {}

void CloudScanJob::doStart()
{
    m_stage = Stage::Users;
    Q_EMIT infoMessage(tr("Reading users…"));
    runGet(QStringLiteral("/users?$select=%1,onPremisesObjectIdentifier&$top=%2")
               .arg(GraphClient::userSelect())
               .arg(m_pageSize),
           GraphPermission::UserRead);
}

void CloudScanJob::doCancel()
{
    if (m_current) {
        m_current->disconnect(this);
        m_current->cancel();
    }
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

void CloudScanJob::runGet(const QString &pathOrNextLink, const char *permission)
{
    if (!m_client)
        return;
    QString path = pathOrNextLink;
    if (path.startsWith(QLatin1String("http"))) {
        // Follow a nextLink only on our own Graph endpoint: it gets the bearer token.
        const QString base = m_client->config().graphBase() + QLatin1Char('/');
        if (!path.startsWith(base)) {
            m_failed = GraphResult();
            m_failed.advice = tr("Graph returned a next-page link to another host (%1); "
                                 "refusing to send the token there.")
                                  .arg(QUrl(path).host());
            fail(RequestFailed, m_failed.advice);
            emitResult();
            return;
        }
    }
    m_current = m_client->request("GET", path, std::nullopt, true, QLatin1String(permission));
    GraphRequestJob *job = m_current;
    connect(job, &Job::finished, this, [this, job] { onPage(job); });
    connect(job, &Job::infoMessage, this, &Job::infoMessage);
    job->start();
}

void CloudScanJob::onPage(GraphRequestJob *job)
{
    m_current = nullptr;
    if (isFinished())
        return;
    const GraphResult result = job->result();
    if (!result.ok && m_stage == Stage::SyncFeatures && result.httpStatus == 403) {
        // Not worth stopping the scan for: the findings only lose two pre-flight warnings.
        m_warnings.append(tr("The tenant's sync settings (blockSoftMatch, "
                             "blockCloudObjectTakeoverThroughHardMatch) could not be read: the "
                             "app lacks %1. Their pre-flight warnings are missing.")
                              .arg(QLatin1String(GraphPermission::SyncRead)));
        Q_EMIT infoMessage(m_warnings.last());
        nextStage();
        return;
    }
    if (!result.ok && m_stage == Stage::Users && m_pages == 0 && !m_withoutObjectIdentifier &&
        result.httpStatus == 400) {
        // onPremisesObjectIdentifier is not documented for v1.0: a Graph that refuses it in
        // $select refuses the first page. Read the users without it.
        m_withoutObjectIdentifier = true;
        m_warnings.append(tr("Graph did not return onPremisesObjectIdentifier: the pre-flight "
                             "warning for cloud users that still carry one (hard match blocked "
                             "since July 2026) is missing."));
        Q_EMIT infoMessage(m_warnings.last());
        runGet(QStringLiteral("/users?$select=%1&$top=%2")
                   .arg(GraphClient::userSelect())
                   .arg(m_pageSize),
               GraphPermission::UserRead);
        return;
    }
    if (!result.ok) {
        m_failed = result;
        fail(RequestFailed, job->errorString());
        emitResult();
        return;
    }
    ++m_pages;
    m_bytes += job->bytesReceived();
    consume(result.body);
    const QString next = result.body.value(QLatin1String("@odata.nextLink")).toString();
    if (!next.isEmpty()) {
        const char *perm =
            m_stage == Stage::RoleMembers ? GraphPermission::RoleRead : GraphPermission::UserRead;
        runGet(next, perm);
        return;
    }
    nextStage();
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

void CloudScanJob::consume(const QJsonObject &page)
{
    const QJsonArray values = page.value(QLatin1String("value")).toArray();
    switch (m_stage) {
    case Stage::Users:
        // No reserve() per page: an exact reserve each page would copy the list every time.
        for (const QJsonValue &v : values) {
            CloudUser u = GraphClient::userFromJson(v.toObject());
            if (skippedWithoutId(u))
                continue;
            m_userIndex.insert(u.id, int(m_snapshot.users.size()));
            m_snapshot.users.append(std::move(u));
        }
        setProgress(m_snapshot.users.size(), 0);
        Q_EMIT infoMessage(tr("Page %1: %2 users").arg(m_pages).arg(m_snapshot.users.size()));
        break;
    case Stage::DeletedUsers:
        for (const QJsonValue &v : values)
            if (CloudUser u = GraphClient::userFromJson(v.toObject()); !skippedWithoutId(u))
                m_snapshot.deletedUsers.append(std::move(u));
        break;
    case Stage::Domains:
        for (const QJsonValue &v : values) {
            const QJsonObject o = v.toObject();
            CloudDomain d;
            d.name = o.value(QLatin1String("id")).toString();
            d.federated = o.value(QLatin1String("authenticationType"))
                              .toString()
                              .compare(QLatin1String("Federated"), Qt::CaseInsensitive) == 0;
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
        m_flagsKnown = true;
        break;
    }
    case Stage::Roles:
        for (const QJsonValue &v : values)
            m_roleIds.append(v.toObject().value(QLatin1String("id")).toString());
        break;
    case Stage::RoleMembers:
        for (const QJsonValue &v : values)
            m_adminIds.insert(v.toObject().value(QLatin1String("id")).toString());
        break;
    case Stage::Done:
        break;
    }
}

void CloudScanJob::nextStage()
{
    switch (m_stage) {
    case Stage::Users:
        m_stage = Stage::DeletedUsers;
        Q_EMIT infoMessage(tr("Reading the recycle bin…"));
        runGet(QStringLiteral("/directory/deletedItems/microsoft.graph.user?$select=%1,"
                              "deletedDateTime&$top=%2")
                   .arg(GraphClient::userSelect())
                   .arg(m_pageSize),
               GraphPermission::UserRead);
        return;
    case Stage::DeletedUsers:
        m_stage = Stage::Domains;
        Q_EMIT infoMessage(tr("Reading domains…"));
        runGet(QStringLiteral("/domains"), GraphPermission::DomainRead);
        return;
    case Stage::Domains:
        m_stage = Stage::Organization;
        runGet(QStringLiteral("/organization?$select=id,onPremisesSyncEnabled,"
                              "onPremisesLastSyncDateTime"),
               GraphPermission::OrganizationRead);
        return;
    case Stage::Organization:
        m_stage = Stage::SyncFeatures;
        runGet(QStringLiteral("/directory/onPremisesSynchronization"), GraphPermission::SyncRead);
        return;
    case Stage::SyncFeatures:
        m_stage = Stage::Roles;
        Q_EMIT infoMessage(tr("Reading admin roles…"));
        runGet(QStringLiteral("/directoryRoles"), GraphPermission::RoleRead);
        return;
    case Stage::Roles:
    case Stage::RoleMembers:
        if (m_roleIndex < m_roleIds.size()) {
            m_stage = Stage::RoleMembers;
            const QString id = m_roleIds.at(m_roleIndex++);
            runGet(QStringLiteral("/directoryRoles/%1/members?$select=id")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(id))),
                   GraphPermission::RoleRead);
            return;
        }
        m_stage = Stage::Done;
        for (const QString &id : std::as_const(m_adminIds)) {
            const int i = m_userIndex.value(id, -1);
            if (i >= 0)
                m_snapshot.users[i].holdsAdminRole = true;
        }
        m_snapshot.scannedAt = QDateTime::currentDateTimeUtc();
        setProgress(m_snapshot.users.size(), m_snapshot.users.size());
        Q_EMIT infoMessage(tr("%1 users, %2 in the recycle bin.")
                               .arg(m_snapshot.users.size())
                               .arg(m_snapshot.deletedUsers.size()));
        emitResult();
        return;
    case Stage::Done:
        return;
    }
}
