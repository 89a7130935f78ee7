#include "recheck.h"

#include <QCoreApplication>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Recheck", text);
}

QString actionList(const QList<Action> &actions)
{
    QStringList names;
    for (Action a : actions)
        names << actionName(a);
    return names.join(QStringLiteral(", "));
}

} // namespace

CloudUserFacts CloudUserFacts::fromRow(const Finding &row)
{
    CloudUserFacts facts;
    facts.upn = row.cloudUpn;
    facts.immutableId = row.cloudImmutableId;
    facts.syncEnabled = row.cloudSyncEnabled;
    return facts;
}

namespace Recheck {

bool isOnPremRow(const Finding &row)
{
    return !row.onPremDn.isEmpty() || !row.onPremUpn.isEmpty() || row.hasOnPremGuid() ||
           row.hasExpectedImmutableId();
}

bool inDomain(QStringView upn, const QStringList &domains)
{
    const qsizetype at = upn.lastIndexOf(u'@');
    if (at < 0)
        return false;
    QStringView domain = upn.mid(at + 1);
    while (!domain.isEmpty()) {
        for (const QString &d : domains)
            if (domain.compare(d, Qt::CaseInsensitive) == 0)
                return true;
        const qsizetype dot = domain.indexOf(u'.');
        if (dot < 0)
            break;
        domain = domain.mid(dot + 1);
    }
    return false;
}

std::optional<Derived> derive(const Finding &row, const CloudUserFacts &facts)
{
    Derived d;
    const bool cloudRow =
        row.category == Category::OrphanedAnchor || row.category == Category::CloudOnly;
    if (!cloudRow && isOnPremRow(row)) {
        // Rules 2, 6-11 of DESIGN.md §3 for the matched cloud user X; rules 1, 3-5 need the
        // whole tenant and allow no change.
        switch (row.category) {
        case Category::InSync:
        case Category::SoftMatchPending:
        case Category::AnchorMismatch:
        case Category::SyncedObject:
        case Category::DeletedAnchorHolder:
        case Category::FederatedDomain:
        case Category::AdminRole:
            break;
        default:
            return std::nullopt;
        }
        if (row.cloudId.isEmpty())
            return std::nullopt;
        if (row.hasExpectedImmutableId() && facts.immutableId == row.expectedImmutableId())
            d.category = Category::InSync;
        else if (facts.holdsAdminRole.value_or(row.category == Category::AdminRole))
            d.category = Category::AdminRole;
        else if (facts.syncEnabled.value_or(false))
            d.category = Category::SyncedObject;
        else if (row.category == Category::DeletedAnchorHolder && !row.deletedHolderId.isEmpty())
            d.category = Category::DeletedAnchorHolder; // the recycle bin is not re-read
        else if (facts.federated.value_or(row.category == Category::FederatedDomain))
            d.category = Category::FederatedDomain;
        else if (facts.immutableId.isEmpty())
            d.category = Category::SoftMatchPending;
        else
            d.category = Category::AnchorMismatch;
        d.allowedActions = allowedActionsFor(d.category);
        if (!row.hasExpectedImmutableId())
            d.allowedActions.removeAll(Action::Stamp); // nothing to stamp
        Finding now = row; // adopt_cloud_anchor depends on the category and cloud anchor now
        now.category = d.category;
        now.cloudImmutableId = facts.immutableId;
        if (now.canAdoptCloudAnchor())
            d.allowedActions.append(Action::AdoptCloudAnchor);
        if (now.canClearObjectIdentifier())
            d.allowedActions.append(Action::ClearObjectIdentifier);
        if (now.canCopyObjectGuid())
            d.allowedActions.append(Action::CopyObjectGuid);
        return d;
    }
    if (!cloudRow)
        return std::nullopt;
    d.category = facts.immutableId.isEmpty() ? Category::CloudOnly : Category::OrphanedAnchor;
    d.allowedActions = allowedActionsFor(d.category);
    if (d.category == Category::OrphanedAnchor && facts.federated.value_or(false))
        d.allowedActions.removeAll(Action::Clear); // Entra refuses it for federated users
    return d;
}

QString staleReason(const Finding &row, const CloudUserFacts &facts)
{
    const std::optional<Derived> d = derive(row, facts);
    if (!d)
        return {};
    if (d->category != row.category)
        return tr("the row is now %1, the plan says %2")
            .arg(categoryName(d->category), categoryName(row.category));
    if (!d->allowedActions.contains(row.action))
        return tr("%1 is no longer allowed for this user (now: %2)")
            .arg(actionName(row.action), actionList(d->allowedActions));
    for (Action a : row.allowedActions)
        if (!d->allowedActions.contains(a))
            return tr("the plan allows %1, the tenant now allows only %2")
                .arg(actionList(row.allowedActions), actionList(d->allowedActions));
    return {};
}

} // namespace Recheck
