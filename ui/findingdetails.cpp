#include "findingdetails.h"

#include "adcommand.h"
#include "changeunit.h"
#include "findingtablemodel.h"
#include "immutableid.h"

#include <QCoreApplication>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("FindingDetails", text);
}

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

// A PowerShell double-quoted string literal: escape the characters PowerShell expands.
QString psString(const QString &s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += u'"';
    for (QChar c : s) {
        if (c == u'"' || c == u'`' || c == u'$')
            out += u'`';
        out += c;
    }
    out += u'"';
    return out;
}

QString graphBase(const QUrl &graphUrl)
{
    QString base =
        graphUrl.toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::StripTrailingSlash);
    if (base.isEmpty())
        base = QStringLiteral("https://graph.microsoft.com");
    return base + u"/v1.0";
}

QString patch(const QString &base, const QString &userId, const QString &property,
              const QString &psValue)
{
    return QStringLiteral(
               "Invoke-MgGraphRequest -Method PATCH -Uri \"%1/users/%2\" -Body @{%3 = %4}")
        .arg(base, userId, property, psValue);
}

QString row(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><td style=\"padding-right:12px\"><b>%1</b></td><td>%2</td></tr>")
        .arg(esc(label), value.isEmpty() ? QStringLiteral("—") : value);
}

QString yesNo(std::optional<bool> v)
{
    if (!v)
        return tr("never synced");
    return *v ? tr("yes") : tr("no");
}

} // namespace

QString FindingDetails::anchorForms(const QString &base64)
{
    if (base64.isEmpty())
        return QStringLiteral("—");
    const auto id = ImmutableId::parse(base64);
    if (!id)
        return esc(base64) + u" <i>" + esc(tr("(not a 16-byte anchor)")) + u"</i>";
    return QStringLiteral("<code>%1</code><br>GUID <code>%2</code><br>hex <code>%3</code>"
                          "<br>LDAP <code>%4</code>")
        .arg(esc(id->toBase64()), esc(id->toGuid()), esc(id->toHex()), esc(id->toLdapFilter()));
}

QString FindingDetails::powerShell(const Finding &f, const QUrl &graphUrl,
                                   const QString &initialDomain)
{
    const QString base = graphBase(graphUrl);
    QStringList lines;
    lines << (isOnPremAction(f.action)
                  ? QStringLiteral("# Import-Module ActiveDirectory")
                  : QStringLiteral("# Connect-MgGraph -Scopes User.ReadWrite.All"));
    switch (f.action) {
    case Action::None:
        lines << tr("# No change is planned for this row.");
        break;
    case Action::Stamp:
        if (f.category == Category::FederatedDomain) {
            // An approver's view may not know the tenant's initial domain: a placeholder
            // keeps the switch visible rather than showing a stamp Entra would refuse.
            const QString temporary = ChangeUnit::temporaryUpnFor(
                f.cloudUpn, initialDomain.isEmpty() ? QStringLiteral("<tenant>.onmicrosoft.com")
                                                    : initialDomain);
            lines << tr("# Federated domain: move the UPN to the initial domain, stamp, move it "
                        "back.");
            if (initialDomain.isEmpty())
                lines << tr("# Replace <tenant>.onmicrosoft.com with the tenant's initial domain.");
            lines << patch(base, f.cloudId, QStringLiteral("userPrincipalName"),
                           psString(temporary))
                  << patch(base, f.cloudId, QStringLiteral("onPremisesImmutableId"),
                           psString(f.expectedImmutableId()))
                  << patch(base, f.cloudId, QStringLiteral("userPrincipalName"),
                           psString(f.cloudUpn));
        } else {
            lines << patch(base, f.cloudId, QStringLiteral("onPremisesImmutableId"),
                           psString(f.expectedImmutableId()));
        }
        break;
    case Action::Clear:
        lines << patch(base, f.cloudId, QStringLiteral("onPremisesImmutableId"),
                       QStringLiteral("$null"));
        break;
    case Action::PurgeDeleted:
        lines << tr("# Permanent: the recycle-bin user cannot be restored afterwards.")
              << QStringLiteral(
                     "Invoke-MgGraphRequest -Method DELETE -Uri \"%1/directory/deletedItems/%2\"")
                     .arg(base, f.deletedHolderId);
        if (!f.cloudId.isEmpty())
            lines << patch(base, f.cloudId, QStringLiteral("onPremisesImmutableId"),
                           psString(f.expectedImmutableId()));
        break;
    case Action::ClearObjectIdentifier:
        lines << tr("# NOT reversible: onPremisesObjectIdentifier cannot be written back. "
                    "Needs User-OnPremisesSyncBehavior.ReadWrite.All (beta).")
              << QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri \"%1/users/%2\" -Body "
                                "'{\"onPremisesObjectIdentifier\":null}' -ContentType "
                                "'application/json'")
                     .arg(base.left(base.size() - 4) + QStringLiteral("beta"), f.cloudId)
              << patch(base, f.cloudId, QStringLiteral("onPremisesImmutableId"),
                       psString(f.expectedImmutableId()));
        break;
    case Action::AdoptCloudAnchor:
        lines << tr("# On-prem (ActiveDirectory module): keep the cloud anchor, write it to AD.")
              << AdCommand::setAdUser(
                     f.onPremDn,
                     ImmutableId::parse(f.cloudImmutableId).value_or(ImmutableId()).bytes());
        break;
    case Action::CopyObjectGuid:
        lines << tr("# On-prem (ActiveDirectory module): copy objectGUID into the empty "
                    "mS-DS-ConsistencyGuid.")
              << AdCommand::setAdUser(
                     f.onPremDn,
                     ImmutableId::parse(f.expectedImmutableId()).value_or(ImmutableId()).bytes());
        break;
    }
    return lines.join(u'\n');
}

QString FindingDetails::html(const Finding &f, const OnPremUser *onPrem, const CloudUser *cloud,
                             const CloudUser *deletedHolder, const QUrl &graphUrl,
                             const QString &initialDomain)
{
    QString out;
    out += QStringLiteral("<h3>%1 <small>(%2, %3)</small></h3>")
               .arg(esc(categoryTitle(f.category)), esc(categoryName(f.category)),
                    esc(severityName(f.severity)));
    out += u"<p>" + esc(f.reason()) + u"</p>";
    for (const QString &w : f.warnings)
        out += u"<p style=\"color:#8a5300\">⚠ " + esc(w) + u"</p>";
    // The sync engine's own word (onPremisesProvisioningErrors) on this row.
    for (const QString &e : f.syncErrors)
        out += u"<p style=\"color:#a00000\">" + esc(tr("Sync error: %1").arg(e)) + u"</p>";
    if (f.needsApproval())
        out += u"<p><i>" +
               esc(f.approved ? tr("Approved: this row runs in the Execute step.")
                              : tr("Flagged: this row runs only after you approve it.")) +
               u"</i></p>";

    out += u"<h4>" + esc(tr("Anchors")) + u"</h4><table>";
    out += row(tr("Expected (on-prem)"), anchorForms(f.expectedImmutableId()));
    out += row(tr("Current (cloud)"), anchorForms(f.cloudImmutableId));
    out += u"</table>";

    out += u"<h4>" + esc(tr("On-premises")) + u"</h4><table>";
    if (onPrem) {
        out += row(tr("DN"), esc(onPrem->dn));
        out += row(tr("UPN"), esc(onPrem->upn));
        out += row(tr("Mail"), esc(onPrem->mail));
        out += row(tr("Proxy addresses"), esc(onPrem->proxyAddresses.join(QStringLiteral(", "))));
        out += row(tr("sAMAccountName"), esc(onPrem->samAccountName));
        out += row(tr("objectGUID"), esc(ImmutableId::fromBytes(onPrem->objectGuid).toGuid()));
        out += row(tr("mS-DS-ConsistencyGuid"),
                   esc(ImmutableId::fromBytes(onPrem->consistencyGuid).toGuid()));
        out += row(tr("Enabled"), onPrem->enabled ? tr("yes") : tr("no"));
        out += row(tr("Source"), esc(onPrem->source));
    } else if (!f.onPremDn.isEmpty() || !f.onPremUpn.isEmpty()) {
        out += row(tr("DN"), esc(f.onPremDn));
        out += row(tr("UPN"), esc(f.onPremUpn));
        out += row(tr("objectGUID"), esc(f.onPremGuid()));
    } else {
        out += row(tr("User"), esc(tr("none: no scanned on-prem user refers to this cloud user")));
    }
    out += u"</table>";

    out += u"<h4>" + esc(tr("Entra ID")) + u"</h4><table>";
    if (cloud) {
        out += row(tr("Object id"), esc(cloud->id));
        out += row(tr("UPN"), esc(cloud->upn));
        out += row(tr("Display name"), esc(cloud->displayName));
        out += row(tr("Mail"), esc(cloud->mail));
        out += row(tr("Proxy addresses"), esc(cloud->proxyAddresses.join(QStringLiteral(", "))));
        out += row(tr("Synced from on-prem"), esc(yesNo(cloud->syncEnabled)));
        QStringList roles;
        for (const RoleGrant &g : cloud->roles)
            roles << (g.eligible ? tr("%1 (eligible)") : tr("%1 (active)")).arg(g.roleName) +
                         (g.viaGroupId.isEmpty() ? QString()
                                                 : u' ' + tr("via group %1").arg(g.viaGroupId));
        out += row(tr("Admin role"),
                   esc(cloud->holdsAdminRole
                           ? (roles.isEmpty() ? tr("yes") : roles.join(QStringLiteral(", ")))
                           : tr("no")));
        if (cloud->cloudManaged)
            out +=
                row(tr("Source of authority"),
                    esc(*cloud->cloudManaged ? tr("cloud (isCloudManaged)") : tr("on-premises")));
        out += row(tr("onPremisesObjectIdentifier"), esc(cloud->onPremisesObjectIdentifier));
    } else if (!f.cloudId.isEmpty()) {
        out += row(tr("Object id"), esc(f.cloudId));
        out += row(tr("UPN"), esc(f.cloudUpn));
    } else {
        out += row(tr("User"), esc(tr("none")));
    }
    if (deletedHolder || !f.deletedHolderId.isEmpty()) {
        out += row(tr("Recycle-bin holder"),
                   esc(deletedHolder ? deletedHolder->upn + u" (" + deletedHolder->id + u")"
                                     : f.deletedHolderId));
    }
    out += u"</table>";

    if (f.allows(Action::AdoptCloudAnchor)) {
        // Both repairs side by side: the admin picks one in the Action column.
        out += u"<h4>" + esc(tr("Two ways to repair this row")) + u"</h4>";
        Finding cloudSide = f;
        cloudSide.action = Action::Stamp;
        if (f.allows(Action::Stamp))
            out += u"<p><b>" + esc(tr("Stamp the new anchor in the cloud")) + u"</b> — " +
                   esc(tr("the cloud user takes the anchor AD yields now (%1); AD is not "
                          "touched.")
                           .arg(f.expectedImmutableId())) +
                   u"</p><pre>" + esc(powerShell(cloudSide, graphUrl, initialDomain)) + u"</pre>";
        else
            out += u"<p><b>" + esc(tr("Stamp the new anchor in the cloud")) + u"</b> — " +
                   esc(tr("not possible: the cloud user is still synced, so Entra refuses "
                          "changes to its ImmutableId.")) +
                   u"</p>";
        Finding adSide = f;
        adSide.action = Action::AdoptCloudAnchor;
        out += u"<p><b>" + esc(tr("Keep the cloud anchor and write it to AD")) + u"</b> — " +
               esc(tr("%1 goes into mS-DS-ConsistencyGuid of %2 (LDAP, needs a bind that may "
                      "write it); the next sync hard-matches the existing cloud user, which "
                      "keeps its ImmutableId.")
                       .arg(f.cloudImmutableId, f.onPremDn)) +
               u"</p><pre>" + esc(powerShell(adSide, graphUrl, initialDomain)) + u"</pre>";
    }
    out += u"<h4>" +
           esc(tr("PowerShell equivalent of “%1”").arg(FindingTableModel::actionTitle(f.action))) +
           u"</h4><pre>" + esc(powerShell(f, graphUrl, initialDomain)) + u"</pre>";
    return out;
}
