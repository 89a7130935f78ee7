#pragma once

// Small builders for reconciler and plan tests: deterministic anchors and users.
#include "clouduser.h"
#include "immutableid.h"
#include "onpremuser.h"
#include "reconciler.h"

namespace Scenario {

// 16 deterministic anchor bytes per seed.
inline QByteArray guid(int seed)
{
    QByteArray bytes(16, '\0');
    for (int i = 0; i < 16; ++i)
        bytes[i] = char((i * 11 + 3) & 0xff);
    for (int i = 0; i < 4; ++i)
        bytes[i] = char((seed >> (8 * i)) & 0xff); // unique per seed
    return bytes;
}

inline QString anchor(int seed)
{
    return ImmutableId::base64Of(guid(seed));
}

inline OnPremUser onPrem(const QString &upn, int guidSeed, const QString &mail = {},
                         const QStringList &proxies = {})
{
    OnPremUser u;
    u.upn = upn;
    u.dn = QStringLiteral("CN=%1,OU=Staff,DC=corp,DC=example,DC=test").arg(upn.section(u'@', 0, 0));
    u.samAccountName = upn.section(u'@', 0, 0);
    u.objectGuid = guid(guidSeed);
    u.mail = mail;
    u.proxyAddresses = proxies;
    u.source = QStringLiteral("test");
    return u;
}

inline CloudUser cloud(const QString &id, const QString &upn, const QString &immutableId = {},
                       const QString &mail = {}, const QStringList &proxies = {})
{
    CloudUser c;
    c.id = id;
    c.upn = upn;
    c.immutableId = immutableId;
    c.mail = mail;
    c.proxyAddresses = proxies;
    c.syncEnabled = immutableId.isEmpty() ? std::optional<bool>() : std::optional<bool>(false);
    return c;
}

inline CloudSnapshot tenant(const QList<CloudUser> &users, const QList<CloudUser> &deleted = {})
{
    CloudSnapshot s;
    s.tenantId = QStringLiteral("00000000-0000-0000-0000-0000000000aa");
    s.users = users;
    s.deletedUsers = deleted;
    s.domains = {{QStringLiteral("contoso.com"), false, false, true, true},
                 {QStringLiteral("contoso.onmicrosoft.com"), false, true, false, true}};
    return s;
}

inline ReconcileInput input(const QList<OnPremUser> &onPrem, const CloudSnapshot &cloud)
{
    ReconcileInput in;
    in.onPrem = onPrem;
    in.cloud = cloud;
    return in;
}

} // namespace Scenario
