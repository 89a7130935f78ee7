#include "graphconfig.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("GraphConfig", text);
}

QString trimmedBase(const QUrl &url)
{
    QString s = url.toString(QUrl::RemoveQuery | QUrl::RemoveFragment);
    while (s.endsWith(QLatin1Char('/')))
        s.chop(1);
    return s;
}
} // namespace

GraphConfig GraphConfig::forCloud(CloudPreset preset)
{
    GraphConfig c;
    const CloudEndpoints endpoints = cloudEndpoints(preset);
    c.authorityUrl = endpoints.authority;
    c.graphUrl = endpoints.graph;
    return c;
}

QString GraphConfig::cloudName(CloudPreset preset)
{
    switch (preset) {
    case CloudPreset::Global:
        return QStringLiteral("Global");
    case CloudPreset::UsGov:
        return QStringLiteral("US Gov");
    case CloudPreset::UsGovDoD:
        return QStringLiteral("US Gov DoD");
    case CloudPreset::China:
        return QStringLiteral("China");
    }
    return {};
}

bool GraphConfig::isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString GraphConfig::fieldName(Field field) const
{
    const bool cli = phrasing == Phrasing::CommandLine;
    switch (field) {
    case Field::Tenant:
        return cli ? QStringLiteral("--tenant") : tr("Tenant");
    case Field::ClientId:
        return cli ? QStringLiteral("--client-id") : tr("Client id");
    case Field::AuthorityUrl:
        return cli ? QStringLiteral("--authority-url") : tr("Sign-in endpoint");
    case Field::GraphUrl:
        return cli ? QStringLiteral("--graph-url") : tr("Graph endpoint");
    case Field::ClientSecret:
        return cli ? QStringLiteral("ANCHORFIX_CLIENT_SECRET") : tr("Secret value");
    }
    return {};
}

static QString checkBaseUrl(const QUrl &url, const QString &name)
{
    if (!url.isValid() || url.host().isEmpty())
        return tr("%1 must be a URL with a scheme and a host, e.g. https://graph.microsoft.com.")
            .arg(name);
    if (!url.path().isEmpty() && url.path() != QLatin1String("/"))
        return tr("%1 must be scheme and host only (no path): %2").arg(name, url.toString());
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return tr("%1 must be scheme and host only: %2").arg(name, url.toString());
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http")) {
        if (GraphConfig::isLoopbackHost(url.host()))
            return {};
        return tr("%1 uses http:// for %2; only the local practice tenant (127.0.0.1, ::1, "
                  "localhost) may use http. Use https://.")
            .arg(name, url.host());
    }
    return tr("%1 must use https:// (got %2).").arg(name, url.scheme());
}

QString GraphConfig::validate() const
{
    if (QString e = checkBaseUrl(authorityUrl, fieldName(Field::AuthorityUrl)); !e.isEmpty())
        return e;
    if (QString e = checkBaseUrl(graphUrl, fieldName(Field::GraphUrl)); !e.isEmpty())
        return e;
    const bool cli = phrasing == Phrasing::CommandLine;
    if (tenant.trimmed().isEmpty())
        return cli ? tr("No tenant given: pass --tenant with the tenant id or a verified domain.")
                   : tr("No tenant given: enter the tenant id or a verified domain under "
                        "Tenant.");
    if (tenant.contains(QLatin1Char('/')) || tenant.contains(QLatin1Char('?')))
        return tr("The tenant must be a tenant id or a domain name, not a URL: %1").arg(tenant);
    if (clientId.trimmed().isEmpty())
        return cli ? tr("No client id given: pass --client-id with the application (client) "
                        "id of the app registration.")
                   : tr("No client id given: enter the application (client) id of the app "
                        "registration under Client id.");
    return {};
}

QUrl GraphConfig::tokenUrl() const
{
    return QUrl(trimmedBase(authorityUrl) + QLatin1Char('/') + tenant +
                QLatin1String("/oauth2/v2.0/token"));
}

QUrl GraphConfig::deviceCodeUrl() const
{
    return QUrl(trimmedBase(authorityUrl) + QLatin1Char('/') + tenant +
                QLatin1String("/oauth2/v2.0/devicecode"));
}

QUrl GraphConfig::authorizeUrl() const
{
    return QUrl(trimmedBase(authorityUrl) + QLatin1Char('/') + tenant +
                QLatin1String("/oauth2/v2.0/authorize"));
}

QString GraphConfig::graphBase() const
{
    return trimmedBase(graphUrl) + QLatin1String("/v1.0");
}

QUrl GraphConfig::graphEndpoint(const QString &pathAndQuery) const
{
    return QUrl(graphBase() + pathAndQuery); // tolerant: encodes spaces in $filter
}

QStringList GraphConfig::readScopes() const
{
    const QString base = trimmedBase(graphUrl) + QLatin1Char('/');
    return {base + QLatin1String(GraphPermission::UserRead),
            base + QLatin1String(GraphPermission::DomainRead),
            base + QLatin1String(GraphPermission::OrganizationRead),
            base + QLatin1String(GraphPermission::RoleRead),
            base + QLatin1String(GraphPermission::SyncRead),
            base + QLatin1String(GraphPermission::GroupRead),
            base + QLatin1String(GraphPermission::ContactRead),
            // openid + profile: the ID token names the signed-in person (the audit's operator).
            QStringLiteral("openid"), QStringLiteral("profile"), QStringLiteral("offline_access")};
}

QStringList GraphConfig::writeScopes() const
{
    QStringList scopes = readScopes();
    scopes.insert(scopes.size() - 1, trimmedBase(graphUrl) + QLatin1Char('/') +
                                         QLatin1String(GraphPermission::UserWrite));
    for (const QString &extra : extraWritePermissions)
        scopes.insert(scopes.size() - 1, trimmedBase(graphUrl) + QLatin1Char('/') + extra);
    return scopes;
}

QString GraphConfig::defaultScope() const
{
    return trimmedBase(graphUrl) + QLatin1String("/.default");
}
