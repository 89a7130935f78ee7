#include "connectionsettings.h"

#include "cloudpreset.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectionSettings", text);
}

} // namespace

QString OnPremSettings::tlsModeName(TlsMode mode)
{
    switch (mode) {
    case TlsMode::None:
        return QStringLiteral("none");
    case TlsMode::StartTls:
        return QStringLiteral("starttls");
    case TlsMode::Ldaps:
        break;
    }
    return QStringLiteral("ldaps");
}

QString OnPremSettings::validate(bool requireBaseDn) const
{
    if (source == Source::File) {
        if (filePath.isEmpty())
            return tr("Choose the LDIF or CSV export to read.");
        if (!QFileInfo(filePath).isReadable())
            return tr("Cannot read %1: check the path and that you may read the file.")
                .arg(filePath);
        return {};
    }
    if (ldapUri.trimmed().isEmpty())
        return tr("Enter the LDAP server, for example ldap://dc1.corp.example.");
    const QUrl url(ldapUri.trimmed());
    if (!url.isValid() || (url.scheme() != u"ldap" && url.scheme() != u"ldaps") ||
        url.host().isEmpty())
        return tr("“%1” is not an LDAP address: use ldap://host or ldaps://host.").arg(ldapUri);
    if (bindDn.trimmed().isEmpty())
        return tr("Enter the bind account (a DN or user@domain): AD refuses anonymous reads.");
    if (password.isEmpty())
        return tr("Enter the bind account's password.");
    if (requireBaseDn && baseDn.trimmed().isEmpty())
        return tr("Enter the base DN to search, for example DC=corp,DC=example.");
    if (!caFile.isEmpty() && !QFileInfo(caFile).isReadable())
        return tr("Cannot read the CA file %1.").arg(caFile);
    return {};
}

QString OnPremSettings::describe() const
{
    if (source == Source::File)
        return QFileInfo(filePath).fileName();
    return tr("%1 (base %2)").arg(ldapUri, baseDn);
}

void OnPremSettings::save(QSettings &s) const
{
    s.setValue(QStringLiteral("onprem/source"), source == Source::File ? "file" : "ldap");
    s.setValue(QStringLiteral("onprem/uri"), ldapUri);
    s.setValue(QStringLiteral("onprem/bindDn"), bindDn);
    s.setValue(QStringLiteral("onprem/rememberPassword"), rememberPassword);
    s.setValue(QStringLiteral("onprem/tls"), tlsModeName(tlsMode));
    s.setValue(QStringLiteral("onprem/caFile"), caFile);
    s.setValue(QStringLiteral("onprem/baseDn"), baseDn);
    s.setValue(QStringLiteral("onprem/ous"), ous);
    s.setValue(QStringLiteral("onprem/filter"), filter);
    s.setValue(QStringLiteral("onprem/anchor"), anchorRuleName(anchorRule));
    s.setValue(QStringLiteral("onprem/file"), filePath);
}

OnPremSettings OnPremSettings::load(const QSettings &s)
{
    OnPremSettings o;
    o.source = s.value(QStringLiteral("onprem/source")).toString() == u"file" ? Source::File
                                                                              : Source::Ldap;
    o.ldapUri = s.value(QStringLiteral("onprem/uri")).toString();
    o.bindDn = s.value(QStringLiteral("onprem/bindDn")).toString();
    o.rememberPassword = s.value(QStringLiteral("onprem/rememberPassword"), false).toBool();
    const QString tls = s.value(QStringLiteral("onprem/tls")).toString();
    for (TlsMode m : {TlsMode::None, TlsMode::StartTls, TlsMode::Ldaps})
        if (tls == tlsModeName(m))
            o.tlsMode = m;
    o.caFile = s.value(QStringLiteral("onprem/caFile")).toString();
    o.baseDn = s.value(QStringLiteral("onprem/baseDn")).toString();
    o.ous = s.value(QStringLiteral("onprem/ous")).toStringList();
    o.filter = s.value(QStringLiteral("onprem/filter")).toString();
    AnchorRule rule;
    if (anchorRuleFromName(s.value(QStringLiteral("onprem/anchor")).toString(), &rule))
        o.anchorRule = rule;
    o.filePath = s.value(QStringLiteral("onprem/file")).toString();
    return o;
}

QString CloudSettings::cloudTitle(Cloud cloud)
{
    switch (cloud) {
    case Cloud::Global:
        return tr("Global (login.microsoftonline.com)");
    case Cloud::UsGov:
        return tr("US Government (GCC High)");
    case Cloud::UsGovDoD:
        return tr("US Government DoD");
    case Cloud::China:
        return tr("China (21Vianet)");
    case Cloud::Custom:
        break;
    }
    return tr("Custom endpoints");
}

// The preset table lives in models/ (cloudEndpoints); Custom starts from Global's.
static CloudPreset presetFor(CloudSettings::Cloud cloud)
{
    switch (cloud) {
    case CloudSettings::Cloud::UsGov:
        return CloudPreset::UsGov;
    case CloudSettings::Cloud::UsGovDoD:
        return CloudPreset::UsGovDoD;
    case CloudSettings::Cloud::China:
        return CloudPreset::China;
    case CloudSettings::Cloud::Global:
    case CloudSettings::Cloud::Custom:
        break;
    }
    return CloudPreset::Global;
}

QUrl CloudSettings::authorityFor(Cloud cloud)
{
    return cloudEndpoints(presetFor(cloud)).authority;
}

QUrl CloudSettings::graphFor(Cloud cloud)
{
    return cloudEndpoints(presetFor(cloud)).graph;
}

QString CloudSettings::validate() const
{
    if (tenant.trimmed().isEmpty())
        return tr("Enter the tenant: its id or a verified domain such as contoso.com.");
    if (clientId.trimmed().isEmpty())
        return tr("Enter the application (client) id registered for Anchorfix in Entra ID.");
    for (const QUrl &url : {authorityUrl, graphUrl}) {
        if (!url.isValid() || url.host().isEmpty())
            return tr("“%1” is not a valid address: use scheme and host only, e.g. "
                      "https://graph.microsoft.com.")
                .arg(url.toString());
        const bool loopback =
            url.host() == u"127.0.0.1" || url.host() == u"localhost" || url.host() == u"::1";
        if (url.scheme() != u"https" && !(url.scheme() == u"http" && loopback))
            return tr("%1 must use https (http is accepted only for the local practice tenant).")
                .arg(url.toString());
    }
    if (signIn == SignIn::ClientSecret && clientSecret.isEmpty())
        return tr("Enter the client secret, or choose another sign-in method.");
    return {};
}

QString CloudSettings::describe() const
{
    return tr("%1 at %2").arg(tenant, graphUrl.host());
}

void CloudSettings::save(QSettings &s) const
{
    s.setValue(QStringLiteral("cloud/cloud"), int(cloud));
    s.setValue(QStringLiteral("cloud/authority"), authorityUrl.toString());
    s.setValue(QStringLiteral("cloud/graph"), graphUrl.toString());
    s.setValue(QStringLiteral("cloud/tenant"), tenant);
    s.setValue(QStringLiteral("cloud/clientId"), clientId);
    s.setValue(QStringLiteral("cloud/signIn"), int(signIn));
    s.setValue(QStringLiteral("cloud/rememberSecret"), rememberSecret);
}

CloudSettings CloudSettings::load(const QSettings &s)
{
    CloudSettings c;
    const int cloud = s.value(QStringLiteral("cloud/cloud"), 0).toInt();
    if (cloud >= 0 && cloud <= int(Cloud::Custom))
        c.cloud = Cloud(cloud);
    c.authorityUrl = QUrl(
        s.value(QStringLiteral("cloud/authority"), authorityFor(c.cloud).toString()).toString());
    c.graphUrl =
        QUrl(s.value(QStringLiteral("cloud/graph"), graphFor(c.cloud).toString()).toString());
    c.tenant = s.value(QStringLiteral("cloud/tenant")).toString();
    c.clientId = s.value(QStringLiteral("cloud/clientId")).toString();
    const int signIn = s.value(QStringLiteral("cloud/signIn"), 0).toInt();
    if (signIn >= 0 && signIn <= int(SignIn::ClientSecret))
        c.signIn = SignIn(signIn);
    c.rememberSecret = s.value(QStringLiteral("cloud/rememberSecret"), false).toBool();
    return c;
}
