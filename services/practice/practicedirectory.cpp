#include "practicedirectory.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace {
QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &v : array)
        list.append(v.toString());
    return list;
}

QJsonArray toArray(const QStringList &list)
{
    QJsonArray a;
    for (const QString &s : list)
        a.append(s);
    return a;
}

QString domainOf(const QString &upn)
{
    return upn.section(QLatin1Char('@'), 1).toLower();
}

const QStringList allPermissions = {QStringLiteral("User.Read.All"),
                                    QStringLiteral("User.ReadWrite.All"),
                                    QStringLiteral("Domain.Read.All"),
                                    QStringLiteral("Organization.Read.All"),
                                    QStringLiteral("RoleManagement.Read.Directory"),
                                    QStringLiteral("OnPremDirectorySynchronization.Read.All"),
                                    QStringLiteral("Group.Read.All"),
                                    QStringLiteral("OrgContact.Read.All"),
                                    QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")};

// Built-in roles Entra marks isPrivileged (a subset of its list: the ones tenants assign
// most), by template id.
const QSet<QString> &privilegedTemplates()
{
    static const QSet<QString> ids = {
        QStringLiteral("62e90394-69f5-4237-9190-012177145e10"), // Global Administrator
        QStringLiteral("e8611ab8-c189-46e8-94e1-60213ab1f814"), // Privileged Role Administrator
        QStringLiteral("7be44c8a-adaf-4e2a-84d6-ab2649e08a13"), // Privileged Authentication Admin
        QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1"), // User Administrator
        QStringLiteral("8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"), // Hybrid Identity Administrator
        QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8"), // Helpdesk Administrator
        QStringLiteral("c4e39bd9-1100-46d3-8c65-fb160da0071f"), // Authentication Administrator
        QStringLiteral("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"), // Application Administrator
        QStringLiteral("158c047a-c907-4556-b7ef-446551a6b5f7"), // Cloud Application Administrator
        QStringLiteral("194ae4cb-b126-40b2-bd5b-6091b380977d"), // Security Administrator
    };
    return ids;
}
} // namespace

QString PracticeDirectory::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("Cannot open the tenant file %1: %2").arg(path, file.errorString());
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("The tenant file %1 is not valid JSON: %2 at offset %3")
            .arg(path, error.errorString())
            .arg(error.offset);
    if (!doc.isObject())
        return QStringLiteral("The tenant file %1 must hold a JSON object.").arg(path);
    return load(doc.object());
}

QString PracticeDirectory::load(const QJsonObject &t)
{
    tenantId = t.value(QLatin1String("tenantId")).toString();
    if (tenantId.isEmpty())
        return QStringLiteral("The tenant file has no tenantId.");
    displayName = t.value(QLatin1String("displayName")).toString(QStringLiteral("Practice"));
    operatorUpn = t.value(QLatin1String("operator")).toString();
    organization = t.value(QLatin1String("organization")).toObject();
    onPremisesSynchronization = t.value(QLatin1String("onPremisesSynchronization")).toObject();

    clients.clear();
    for (const QJsonValue &v : t.value(QLatin1String("clients")).toArray()) {
        const QJsonObject o = v.toObject();
        PracticeClient c;
        c.clientId = o.value(QLatin1String("clientId")).toString();
        c.clientSecret = o.value(QLatin1String("clientSecret")).toString();
        c.displayName = o.value(QLatin1String("displayName")).toString();
        c.applicationPermissions =
            o.contains(QLatin1String("applicationPermissions"))
                ? toStringList(o.value(QLatin1String("applicationPermissions")))
                : allPermissions;
        c.delegatedPermissions = o.contains(QLatin1String("delegatedPermissions"))
                                     ? toStringList(o.value(QLatin1String("delegatedPermissions")))
                                     : allPermissions;
        if (c.clientId.isEmpty())
            return QStringLiteral("A client in the tenant file has no clientId.");
        clients.append(c);
    }
    if (clients.isEmpty())
        return QStringLiteral("The tenant file lists no clients: the practice tenant issues "
                              "tokens only to the client ids in its file.");

    domains.clear();
    for (const QJsonValue &v : t.value(QLatin1String("domains")).toArray())
        domains.append(v.toObject());
    users.clear();
    for (const QJsonValue &v : t.value(QLatin1String("users")).toArray()) {
        QJsonObject u = v.toObject();
        if (u.value(QLatin1String("id")).toString().isEmpty())
            u.insert(QLatin1String("id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        users.append(u);
    }
    deletedUsers.clear();
    for (const QJsonValue &v : t.value(QLatin1String("deletedUsers")).toArray())
        deletedUsers.append(v.toObject());
    roles.clear();
    for (const QJsonValue &v : t.value(QLatin1String("directoryRoles")).toArray()) {
        const QJsonObject o = v.toObject();
        roles.append({o.value(QLatin1String("id")).toString(),
                      o.value(QLatin1String("displayName")).toString(),
                      o.value(QLatin1String("roleTemplateId")).toString(),
                      toStringList(o.value(QLatin1String("members")))});
    }
    const auto objects = [&t](const char *key) {
        QList<QJsonObject> out;
        for (const QJsonValue &v : t.value(QLatin1String(key)).toArray())
            out.append(v.toObject());
        return out;
    };
    groups = objects("groups");
    contacts = objects("contacts");
    deletedGroups = objects("deletedGroups");
    roleEligibilitySchedules = objects("roleEligibilitySchedules");
    for (int i = 0; i < roleEligibilitySchedules.size(); ++i) {
        QJsonObject &e = roleEligibilitySchedules[i];
        if (!e.contains(QLatin1String("id")))
            e.insert(QLatin1String("id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        if (!e.contains(QLatin1String("status")))
            e.insert(QLatin1String("status"), QStringLiteral("Provisioned"));
        if (!e.contains(QLatin1String("memberType")))
            e.insert(QLatin1String("memberType"), QStringLiteral("Direct"));
        if (!e.contains(QLatin1String("directoryScopeId")))
            e.insert(QLatin1String("directoryScopeId"), QStringLiteral("/"));
    }
    roleDefinitions = objects("roleDefinitions");
    QSet<QString> defined;
    for (const QJsonObject &d : std::as_const(roleDefinitions))
        defined.insert(d.value(QLatin1String("id")).toString());
    // Built-in definitions: id = template id, as in Entra.
    for (const PracticeRole &r : std::as_const(roles)) {
        if (r.roleTemplateId.isEmpty() || defined.contains(r.roleTemplateId))
            continue;
        defined.insert(r.roleTemplateId);
        roleDefinitions.append(QJsonObject{
            {QLatin1String("id"), r.roleTemplateId},
            {QLatin1String("templateId"), r.roleTemplateId},
            {QLatin1String("displayName"), r.displayName},
            {QLatin1String("isBuiltIn"), true},
            {QLatin1String("isEnabled"), true},
            {QLatin1String("isPrivileged"), privilegedTemplates().contains(r.roleTemplateId)}});
    }
    reindex();
    return {};
}

QList<QJsonObject> PracticeDirectory::roleAssignments() const
{
    QList<QJsonObject> out;
    for (const PracticeRole &r : roles)
        for (const QString &member : r.memberIds)
            out.append(QJsonObject{
                {QLatin1String("id"), QString(r.roleTemplateId + QLatin1Char('_') + member)},
                {QLatin1String("principalId"), member},
                {QLatin1String("roleDefinitionId"), r.roleTemplateId},
                {QLatin1String("directoryScopeId"), QStringLiteral("/")}});
    return out;
}

QJsonObject PracticeDirectory::toJson() const
{
    QJsonObject t;
    t.insert(QLatin1String("tenantId"), tenantId);
    t.insert(QLatin1String("displayName"), displayName);
    if (!operatorUpn.isEmpty())
        t.insert(QLatin1String("operator"), operatorUpn);
    t.insert(QLatin1String("organization"), organization);
    t.insert(QLatin1String("onPremisesSynchronization"), onPremisesSynchronization);
    QJsonArray c;
    for (const PracticeClient &client : clients)
        c.append(QJsonObject{
            {QLatin1String("clientId"), client.clientId},
            {QLatin1String("displayName"), client.displayName},
            {QLatin1String("applicationPermissions"), toArray(client.applicationPermissions)},
            {QLatin1String("delegatedPermissions"), toArray(client.delegatedPermissions)}});
    t.insert(QLatin1String("clients"), c); // secrets are not echoed
    QJsonArray d, u, du, r;
    for (const QJsonObject &o : domains)
        d.append(o);
    for (const QJsonObject &o : users)
        u.append(o);
    for (const QJsonObject &o : deletedUsers)
        du.append(o);
    for (const PracticeRole &role : roles)
        r.append(QJsonObject{{QLatin1String("id"), role.id},
                             {QLatin1String("displayName"), role.displayName},
                             {QLatin1String("roleTemplateId"), role.roleTemplateId},
                             {QLatin1String("members"), toArray(role.memberIds)}});
    t.insert(QLatin1String("domains"), d);
    t.insert(QLatin1String("users"), u);
    t.insert(QLatin1String("deletedUsers"), du);
    t.insert(QLatin1String("directoryRoles"), r);
    const auto array = [](const QList<QJsonObject> &list) {
        QJsonArray a;
        for (const QJsonObject &o : list)
            a.append(o);
        return a;
    };
    t.insert(QLatin1String("roleDefinitions"), array(roleDefinitions));
    t.insert(QLatin1String("roleEligibilitySchedules"), array(roleEligibilitySchedules));
    t.insert(QLatin1String("groups"), array(groups));
    t.insert(QLatin1String("contacts"), array(contacts));
    t.insert(QLatin1String("deletedGroups"), array(deletedGroups));
    return t;
}

void PracticeDirectory::reindex()
{
    m_userById.clear();
    m_userById.reserve(users.size());
    for (int i = 0; i < users.size(); ++i)
        m_userById.insert(users.at(i).value(QLatin1String("id")).toString(), i);
    m_deletedById.clear();
    for (int i = 0; i < deletedUsers.size(); ++i)
        m_deletedById.insert(deletedUsers.at(i).value(QLatin1String("id")).toString(), i);
    m_indexedUsers = -1; // the uniqueness index is rebuilt on its next use
}

void PracticeDirectory::indexHolder(const QJsonObject &user) const
{
    const QString id = user.value(QLatin1String("id")).toString();
    const QString anchor = user.value(QLatin1String("onPremisesImmutableId")).toString();
    if (!anchor.isEmpty())
        m_anchorHolders[anchor].append(id);
    const QString upn = user.value(QLatin1String("userPrincipalName")).toString().toLower();
    if (!upn.isEmpty())
        m_upnHolders[upn].append(id);
}

void PracticeDirectory::unindexHolder(const QJsonObject &user) const
{
    const QString id = user.value(QLatin1String("id")).toString();
    const auto drop = [&id](QHash<QString, QStringList> &index, const QString &key) {
        auto it = index.find(key);
        if (it == index.end())
            return;
        it->removeOne(id);
        if (it->isEmpty())
            index.erase(it);
    };
    drop(m_anchorHolders, user.value(QLatin1String("onPremisesImmutableId")).toString());
    drop(m_upnHolders, user.value(QLatin1String("userPrincipalName")).toString().toLower());
}

void PracticeDirectory::ensureHolderIndex() const
{
    if (m_indexedUsers == users.size() && m_indexedDeleted == deletedUsers.size())
        return;
    m_anchorHolders.clear();
    m_upnHolders.clear();
    m_anchorHolders.reserve(users.size() + deletedUsers.size());
    m_upnHolders.reserve(users.size() + deletedUsers.size());
    for (const QList<QJsonObject> *list : {&users, &deletedUsers})
        for (const QJsonObject &u : *list)
            indexHolder(u);
    m_indexedUsers = users.size();
    m_indexedDeleted = deletedUsers.size();
}

const QJsonObject *PracticeDirectory::userById(const QString &id) const
{
    const QLatin1String key("id");
    const int i = m_userById.value(id, -1);
    if (i >= 0 && i < users.size() && users.at(i).value(key).toString() == id)
        return &users.at(i);
    const int d = m_deletedById.value(id, -1);
    if (d >= 0 && d < deletedUsers.size() && deletedUsers.at(d).value(key).toString() == id)
        return &deletedUsers.at(d);
    for (const QList<QJsonObject> *list : {&users, &deletedUsers}) // an index out of date
        for (const QJsonObject &u : *list)
            if (u.value(key).toString() == id)
                return &u;
    return nullptr;
}

void PracticeDirectory::setUser(int i, const QJsonObject &user)
{
    ensureHolderIndex();
    unindexHolder(users.at(i));
    users[i] = user;
    indexHolder(user);
    m_userById.insert(user.value(QLatin1String("id")).toString(), i);
}

void PracticeDirectory::removeDeletedUser(int i)
{
    ensureHolderIndex();
    unindexHolder(deletedUsers.at(i));
    deletedUsers.removeAt(i);
    m_indexedDeleted = deletedUsers.size();
    m_deletedById.clear();
    for (int j = 0; j < deletedUsers.size(); ++j)
        m_deletedById.insert(deletedUsers.at(j).value(QLatin1String("id")).toString(), j);
}

int PracticeDirectory::indexOfGroup(const QString &id) const
{
    for (int i = 0; i < groups.size(); ++i)
        if (groups.at(i).value(QLatin1String("id")).toString() == id)
            return i;
    return -1;
}

QStringList PracticeDirectory::userMembersOf(const QString &groupId, bool transitive) const
{
    QSet<QString> users_, seenGroups{groupId};
    QStringList todo{groupId};
    while (!todo.isEmpty()) {
        const int g = indexOfGroup(todo.takeFirst());
        if (g < 0)
            continue;
        for (const QJsonValue &v : groups.at(g).value(QLatin1String("members")).toArray()) {
            const QString id = v.toString();
            if (indexOfUser(id) >= 0)
                users_.insert(id);
            else if (transitive && indexOfGroup(id) >= 0 && !seenGroups.contains(id)) {
                seenGroups.insert(id);
                todo.append(id);
            }
        }
    }
    QStringList out(users_.cbegin(), users_.cend());
    out.sort();
    return out;
}

QSet<QString> PracticeDirectory::matchBlockingAdmins() const
{
    QSet<QString> principals;
    for (const PracticeRole &role : roles)
        for (const QString &id : role.memberIds)
            principals.insert(id);
    QSet<QString> privileged;
    for (const QJsonObject &d : roleDefinitions)
        if (d.value(QLatin1String("isPrivileged")).toBool())
            privileged.insert(d.value(QLatin1String("id")).toString());
    for (const QJsonObject &e : roleEligibilitySchedules)
        if (privileged.contains(e.value(QLatin1String("roleDefinitionId")).toString()))
            principals.insert(e.value(QLatin1String("principalId")).toString());
    QSet<QString> admins;
    for (const QString &id : std::as_const(principals)) {
        if (indexOfGroup(id) >= 0) {
            for (const QString &member : userMembersOf(id, true))
                admins.insert(member);
        } else {
            admins.insert(id);
        }
    }
    return admins;
}

int PracticeDirectory::indexOfUser(const QString &idOrUpn) const
{
    const int i = m_userById.value(idOrUpn, -1);
    if (i >= 0)
        return i;
    if (!idOrUpn.contains(QLatin1Char('@')))
        return -1;
    for (int j = 0; j < users.size(); ++j)
        if (users.at(j)
                .value(QLatin1String("userPrincipalName"))
                .toString()
                .compare(idOrUpn, Qt::CaseInsensitive) == 0)
            return j;
    return -1;
}

int PracticeDirectory::indexOfDeletedUser(const QString &id) const
{
    const int d = m_deletedById.value(id, -1);
    if (d >= 0 && d < deletedUsers.size() &&
        deletedUsers.at(d).value(QLatin1String("id")).toString() == id)
        return d;
    for (int i = 0; i < deletedUsers.size(); ++i)
        if (deletedUsers.at(i).value(QLatin1String("id")).toString() == id)
            return i;
    return -1;
}

const PracticeClient *PracticeDirectory::client(const QString &clientId) const
{
    for (const PracticeClient &c : clients)
        if (c.clientId == clientId)
            return &c;
    return nullptr;
}

const QJsonObject *PracticeDirectory::domain(const QString &name) const
{
    for (const QJsonObject &d : domains)
        if (d.value(QLatin1String("id")).toString().compare(name, Qt::CaseInsensitive) == 0)
            return &d;
    return nullptr;
}

bool PracticeDirectory::isTenantName(const QString &name) const
{
    return name.compare(tenantId, Qt::CaseInsensitive) == 0 || domain(name) != nullptr;
}

bool PracticeDirectory::isFederatedUpn(const QString &upn) const
{
    const QJsonObject *d = domain(domainOf(upn));
    return d &&
           d->value(QLatin1String("authenticationType")).toString() == QLatin1String("Federated");
}

bool PracticeDirectory::isVerifiedDomainOf(const QString &upn) const
{
    const QJsonObject *d = domain(domainOf(upn));
    return d && d->value(QLatin1String("isVerified")).toBool(true);
}

QString PracticeDirectory::initialDomain() const
{
    for (const QJsonObject &d : domains)
        if (d.value(QLatin1String("isInitial")).toBool())
            return d.value(QLatin1String("id")).toString();
    return {};
}

QString PracticeDirectory::immutableIdHolder(const QString &value, const QString &exceptId) const
{
    ensureHolderIndex();
    const QLatin1String key("onPremisesImmutableId");
    for (const QString &id : m_anchorHolders.value(value)) {
        const QJsonObject *u = userById(id);
        if (id != exceptId && u && u->value(key).toString() == value)
            return id;
    }
    return {};
}

QString PracticeDirectory::upnHolder(const QString &upn, const QString &exceptId) const
{
    ensureHolderIndex();
    const QLatin1String key("userPrincipalName");
    for (const QString &id : m_upnHolders.value(upn.toLower())) {
        const QJsonObject *u = userById(id);
        if (id != exceptId && u && u->value(key).toString().compare(upn, Qt::CaseInsensitive) == 0)
            return id;
    }
    return {};
}

void PracticeDirectory::addSyntheticUsers(int count, const QString &domain)
{
    users.reserve(users.size() + count);
    const int start = int(users.size());
    for (int i = 0; i < count; ++i) {
        const QString n = QStringLiteral("%1").arg(start + i + 1, 6, 10, QLatin1Char('0'));
        const QString upn = QStringLiteral("user%1@%2").arg(n, domain);
        QJsonObject u;
        u.insert(QLatin1String("id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        u.insert(QLatin1String("userPrincipalName"), upn);
        u.insert(QLatin1String("displayName"), QStringLiteral("Generated User %1").arg(n));
        u.insert(QLatin1String("givenName"), QStringLiteral("Generated"));
        u.insert(QLatin1String("surname"), QStringLiteral("User %1").arg(n));
        u.insert(QLatin1String("mail"), upn);
        u.insert(QLatin1String("proxyAddresses"),
                 QJsonArray{QString(QStringLiteral("SMTP:") + upn),
                            QStringLiteral("smtp:u%1@%2").arg(n, domain)});
        u.insert(QLatin1String("onPremisesImmutableId"), QJsonValue(QJsonValue::Null));
        u.insert(QLatin1String("onPremisesSyncEnabled"), QJsonValue(QJsonValue::Null));
        u.insert(QLatin1String("accountEnabled"), true);
        users.append(u);
    }
    reindex();
}

namespace {

QString isoUtc(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODate);
}

void addProvisioningError(QJsonObject &user, const QString &property, const QString &value,
                          const QDateTime &at)
{
    const QLatin1String key("onPremisesProvisioningErrors");
    QJsonArray errors = user.value(key).toArray();
    for (const QJsonValue &e : std::as_const(errors))
        if (e.toObject().value(QLatin1String("propertyCausingError")).toString() == property &&
            e.toObject().value(QLatin1String("value")).toString() == value)
            return; // Entra keeps one error per conflict, with its first occurrence
    errors.append(QJsonObject{{QLatin1String("category"), QStringLiteral("PropertyConflict")},
                              {QLatin1String("propertyCausingError"), property},
                              {QLatin1String("value"), value},
                              {QLatin1String("occurredDateTime"), isoUtc(at)}});
    user.insert(key, errors);
}

} // namespace

PracticeSyncResult PracticeDirectory::simulateSync(const QList<PracticeSyncedUser> &onPrem,
                                                   const QDateTime &at)
{
    PracticeSyncResult result;
    const QSet<QString> admins = matchBlockingAdmins();
    const QJsonObject features =
        onPremisesSynchronization.value(QLatin1String("features")).toObject();
    const bool blockSoftMatch = features.value(QLatin1String("blockSoftMatchEnabled")).toBool();
    const bool identifierBypass =
        features.value(QLatin1String("allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled"))
            .toBool();
    // July 2026: a cloud-managed user whose onPremisesObjectIdentifier is set is not taken
    // over, unless the temporary bypass is on; and admins never are.
    const auto blocked = [&](const QJsonObject &user) {
        if (admins.contains(user.value(QLatin1String("id")).toString()))
            return true;
        return !user.value(QLatin1String("onPremisesSyncEnabled")).toBool() && !identifierBypass &&
               !user.value(QLatin1String("onPremisesObjectIdentifier")).toString().isEmpty();
    };
    const QLatin1String idKey("id"), anchorKey("onPremisesImmutableId"),
        upnKey("userPrincipalName"), syncKey("onPremisesSyncEnabled"),
        lastSyncKey("onPremisesLastSyncDateTime"), errorsKey("onPremisesProvisioningErrors");
    const auto join = [&](QJsonObject &user) {
        user.insert(syncKey, true);
        user.insert(lastSyncKey, isoUtc(at));
        user.insert(errorsKey, QJsonArray());
        result.joined << user.value(idKey).toString();
    };
    for (const PracticeSyncedUser &person : onPrem) {
        if (person.anchor.isEmpty())
            continue;
        int hard = -1, byUpn = -1;
        for (int i = 0; i < users.size(); ++i) {
            if (users.at(i).value(anchorKey).toString() == person.anchor)
                hard = i;
            if (users.at(i).value(upnKey).toString().compare(person.userPrincipalName,
                                                             Qt::CaseInsensitive) == 0)
                byUpn = i;
        }
        if (hard >= 0) {
            if (blocked(users.at(hard)))
                result.blocked << users.at(hard).value(idKey).toString();
            else
                join(users[hard]);
            continue;
        }
        if (byUpn < 0)
            continue; // the sync would create a new cloud user: not simulated
        QJsonObject &user = users[byUpn];
        if (blocked(user)) {
            result.blocked << user.value(idKey).toString();
            continue;
        }
        const QString holder = immutableIdHolder(person.anchor, QString());
        if (!holder.isEmpty()) { // a deleted user holds the anchor
            addProvisioningError(user, QStringLiteral("SourceAnchor"), person.anchor, at);
            result.conflicts << user.value(idKey).toString();
        } else if (user.value(anchorKey).toString().isEmpty() && !blockSoftMatch) {
            user.insert(anchorKey, person.anchor);
            join(user);
        } else {
            // InvalidSoftMatch: the object the sync would create collides on its UPN
            addProvisioningError(user, QStringLiteral("UserPrincipalName"),
                                 person.userPrincipalName, at);
            result.conflicts << user.value(idKey).toString();
        }
    }
    organization.insert(lastSyncKey, isoUtc(at));
    organization.insert(syncKey, true);
    m_indexedUsers = -1; // anchors were set in place: the uniqueness index is rebuilt
    return result;
}
