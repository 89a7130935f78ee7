#include "practicescenario.h"

#include <QJsonArray>

QString PracticeScenario::anchor(int n)
{
    QByteArray raw(16, '\0');
    raw[0] = char(n % 3 == 0 ? 0xF8 : 0x10);
    for (int i = 0; i < 4; ++i)
        raw[4 + i] = char((n >> (8 * i)) & 0xFF);
    raw[15] = char(0x5A);
    return QString::fromLatin1(raw.toBase64());
}

int PracticeScenario::expectedWrites() const
{
    int n = 0;
    for (const Finding &f : plan)
        n += f.category == Category::FederatedDomain ? 3 : f.action == Action::PurgeDeleted ? 2 : 1;
    return n;
}

PracticeScenario PracticeScenario::build(int stamps, int clears, int purges, int federated)
{
    PracticeScenario s;
    const QStringList perms{QStringLiteral("User.Read.All"), QStringLiteral("User.ReadWrite.All"),
                            QStringLiteral("Domain.Read.All"),
                            QStringLiteral("Organization.Read.All"),
                            QStringLiteral("RoleManagement.Read.Directory")};
    const auto domain = [](const QString &id, const char *auth, bool initial, bool isDefault) {
        return QJsonObject{{"id", id},
                           {"authenticationType", QLatin1String(auth)},
                           {"isInitial", initial},
                           {"isDefault", isDefault},
                           {"isVerified", true}};
    };
    QJsonArray users, deleted;
    users.append(QJsonObject{{"id", "00000000-0000-4000-8000-00000000ad00"},
                             {"userPrincipalName", operatorUpn},
                             {"displayName", "Admin"},
                             {"accountEnabled", true}});
    int rowId = 0;
    int anchorNo = 0;
    const auto addUser = [&](const QString &prefix, int i, const QString &upnDomain,
                             const QString &immutableId) {
        const QString id =
            QStringLiteral("%1-0000-4000-8000-%2").arg(prefix).arg(i, 12, 10, QLatin1Char('0'));
        const QString upn = QStringLiteral("%1.%2@%3").arg(prefix.left(1)).arg(i).arg(upnDomain);
        QJsonObject u{{"id", id},
                      {"userPrincipalName", upn},
                      {"displayName", upn},
                      {"mail", upn},
                      {"accountEnabled", true}};
        if (!immutableId.isEmpty())
            u.insert("onPremisesImmutableId", immutableId);
        users.append(u);
        s.original.insert(id, {upn, immutableId});
        Finding f;
        f.rowId = ++rowId;
        f.cloudId = id;
        f.cloudUpn = upn;
        f.onPremUpn = upn;
        f.cloudImmutableId = immutableId;
        f.cloudSyncEnabled = false;
        return f;
    };
    const QString managed = QStringLiteral("contoso.com");
    for (int i = 0; i < stamps; ++i) {
        Finding f = addUser(QStringLiteral("aaaaaaaa"), i, managed, QString());
        f.category = Category::SoftMatchPending;
        f.setExpectedImmutableId(anchor(++anchorNo));
        f.action = Action::Stamp;
        s.plan.append(f);
    }
    for (int i = 0; i < clears; ++i) {
        Finding f = addUser(QStringLiteral("cccccccc"), i, managed, anchor(++anchorNo));
        f.category = Category::OrphanedAnchor;
        f.action = Action::Clear;
        f.requiresApproval = true;
        f.approved = true;
        s.plan.append(f);
    }
    for (int i = 0; i < purges; ++i) {
        Finding f = addUser(QStringLiteral("dddddddd"), i, managed, QString());
        f.category = Category::DeletedAnchorHolder;
        f.setExpectedImmutableId(anchor(++anchorNo));
        f.deletedHolderId =
            QStringLiteral("eeeeeeee-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
        f.action = Action::PurgeDeleted;
        f.requiresApproval = true;
        f.approved = true;
        deleted.append(QJsonObject{
            {"id", f.deletedHolderId},
            {"userPrincipalName", QString(QString(f.deletedHolderId).remove(u'-') + f.cloudUpn)},
            {"displayName", "Old account"},
            {"onPremisesImmutableId", f.expectedImmutableId()},
            {"deletedDateTime", "2026-11-01T10:00:00Z"}});
        s.plan.append(f);
    }
    for (int i = 0; i < federated; ++i) {
        Finding f = addUser(QStringLiteral("ffffffff"), i, federatedDomain,
                            i % 2 ? anchor(++anchorNo) : QString());
        f.category = Category::FederatedDomain;
        f.setExpectedImmutableId(anchor(++anchorNo));
        f.action = Action::Stamp;
        f.requiresApproval = true;
        f.approved = true;
        s.plan.append(f);
    }
    for (Finding &f : s.plan) {
        f.allowedActions = allowedActionsFor(f.category);
        f.severity = baseSeverityFor(f.category);
    }
    s.tenant = QJsonObject{
        {"tenantId", "0c0ffee0-0000-4000-8000-000000000001"},
        {"displayName", "Contoso (practice)"},
        {"operator", operatorUpn},
        {"organization", QJsonObject{{"onPremisesSyncEnabled", true}}},
        {"clients",
         QJsonArray{QJsonObject{{"clientId", clientId},
                                {"clientSecret", clientSecret},
                                {"displayName", "Anchorfix tests"},
                                {"applicationPermissions", QJsonArray::fromStringList(perms)},
                                {"delegatedPermissions", QJsonArray::fromStringList(perms)}}}},
        {"domains", QJsonArray{domain(managed, "Managed", false, true),
                               domain(federatedDomain, "Federated", false, false),
                               domain(initialDomain, "Managed", true, false)}},
        {"users", users},
        {"deletedUsers", deleted},
    };
    return s;
}
