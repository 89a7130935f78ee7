#include "changeunit.h"

#include "immutableid.h"

#include <QCoreApplication>

#include <algorithm>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ChangeUnit", text);
}

} // namespace

std::optional<ChangeUnit> ChangeUnit::fromRow(const Finding &row, const QString &initialDomain,
                                              QString *error)
{
    auto failWith = [&](const QString &message) -> std::optional<ChangeUnit> {
        if (error)
            *error = tr("Row %1: %2").arg(row.rowId).arg(message);
        return std::nullopt;
    };
    if (row.cloudId.isEmpty())
        return failWith(tr("no cloud_id; the plan row has no cloud user to change."));
    if (!row.allows(row.action))
        return failWith(tr("action %1 is not allowed for category %2.")
                            .arg(actionName(row.action), categoryName(row.category)));
    ChangeUnit unit;
    unit.row = row;
    switch (row.action) {
    case Action::None:
        return failWith(tr("action none is not a change."));
    case Action::Clear:
        if (row.category == Category::FederatedDomain)
            return failWith(tr("Entra refuses to clear the anchor of a federated-domain user."));
        unit.kind = Kind::Clear;
        return unit;
    case Action::PurgeDeleted:
        if (row.deletedHolderId.isEmpty())
            return failWith(tr("purge_deleted needs deleted_holder_id (the recycle-bin user)."));
        unit.kind = Kind::PurgeAndStamp;
        break;
    case Action::Stamp:
        unit.kind = row.category == Category::FederatedDomain ? Kind::FederatedStamp : Kind::Stamp;
        break;
    case Action::ClearObjectIdentifier:
        unit.kind = Kind::ClearIdentifierAndStamp;
        break;
    case Action::AdoptCloudAnchor:
        // The cloud user's anchor goes into AD as it is: the cloud is not written.
        if (row.onPremDn.isEmpty())
            return failWith(tr("adopt_cloud_anchor needs onprem_dn (the AD user to write)."));
        if (anchorBytes(row.cloudImmutableId).isEmpty())
            return failWith(tr("adopt_cloud_anchor needs a cloud_immutable_id of 16 bytes "
                               "(24 base64 characters); \"%1\" is not one.")
                                .arg(row.cloudImmutableId));
        unit.kind = Kind::AdoptCloudAnchor;
        unit.newImmutableId = row.cloudImmutableId;
        return unit;
    case Action::CopyObjectGuid:
        // The anchor the user already syncs with (its objectGUID), now also in the attribute.
        if (!row.canCopyObjectGuid() || anchorBytes(row.expectedImmutableId()).isEmpty())
            return failWith(tr("copy_objectguid needs an in_sync row with onprem_dn and an "
                               "expected_immutable_id that is its objectGUID (onprem_guid)."));
        unit.kind = Kind::CopyObjectGuid;
        unit.newImmutableId = row.expectedImmutableId();
        return unit;
    }
    if (!row.hasExpectedImmutableId())
        return failWith(tr("no expected_immutable_id to stamp."));
    unit.newImmutableId = row.expectedImmutableId();
    if (unit.kind == Kind::FederatedStamp) {
        if (initialDomain.isEmpty())
            return failWith(tr("the tenant's initial (*.onmicrosoft.com) domain is unknown, so "
                               "the temporary UPN switch is impossible."));
        unit.temporaryUpn = temporaryUpnFor(row.cloudUpn, initialDomain);
        if (unit.temporaryUpn.isEmpty())
            return failWith(tr("cloud_upn \"%1\" has no local part.").arg(row.cloudUpn));
    }
    return unit;
}

QByteArray ChangeUnit::anchorBytes(const QString &immutableId)
{
    // Only the base64 form: a GUID or hex string in onPremisesImmutableId is not an anchor
    // Entra Connect wrote, and its bytes would not hard-match.
    const auto id = ImmutableId::parse(immutableId);
    return id && id->toBase64() == immutableId ? id->bytes() : QByteArray();
}

QString ChangeUnit::temporaryUpnFor(const QString &upn, const QString &initialDomain)
{
    const qsizetype at = upn.lastIndexOf(u'@');
    if (at <= 0 || initialDomain.isEmpty())
        return {};
    return upn.left(at) + u'@' + initialDomain;
}

QList<ChangeUnit> ChangeUnit::fromRows(const QList<Finding> &rows, const QString &initialDomain,
                                       QStringList *errors)
{
    QList<ChangeUnit> units;
    for (const Finding &row : rows) {
        if (!row.isExecutable())
            continue;
        QString error;
        if (auto unit = fromRow(row, initialDomain, &error))
            units.append(*unit);
        else if (errors)
            errors->append(error);
    }
    std::stable_sort(units.begin(), units.end(), [](const ChangeUnit &a, const ChangeUnit &b) {
        return int(a.kind == Kind::Clear ? 0 : int(a.kind) + 1) <
               int(b.kind == Kind::Clear ? 0 : int(b.kind) + 1);
    });
    return units;
}
