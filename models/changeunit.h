#pragma once

#include "finding.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// One plan row turned into the steps that carry it out, in dependency order:
// purge_deleted of the recycle-bin holder before the stamp; for a federated-domain user
// the UPN goes to the initial domain, the stamp is made, and the UPN comes back;
// clear_object_identifier clears onPremisesObjectIdentifier (beta, not reversible) before
// the stamp. AdoptCloudAnchor changes the on-prem user instead (mS-DS-ConsistencyGuid over
// LDAP).
struct ChangeUnit
{
    enum class Kind {
        Stamp,
        Clear,
        PurgeAndStamp,
        FederatedStamp,
        ClearIdentifierAndStamp,
        AdoptCloudAnchor,
        CopyObjectGuid
    };

    Finding row;
    Kind kind = Kind::Stamp;
    QString newImmutableId; // empty for a clear; AdoptCloudAnchor: the value written to AD
    QString temporaryUpn;   // FederatedStamp: local part @ initial domain

    // nullopt (with a message) when the row cannot be executed as it stands.
    static std::optional<ChangeUnit> fromRow(const Finding &row, const QString &initialDomain,
                                             QString *error);
    // The executable rows of a plan as units, clears first (they may free an anchor a
    // stamp needs), then stamps, purge-and-stamps and federated stamps, and the on-prem
    // writes last; plan order within each.
    static QList<ChangeUnit> fromRows(const QList<Finding> &rows, const QString &initialDomain,
                                      QStringList *errors);

    QString user() const { return row.cloudUpn.isEmpty() ? row.cloudId : row.cloudUpn; }
    // Executed over LDAP on the on-prem user (row.onPremDn), not through Graph.
    bool isOnPrem() const { return kind == Kind::AdoptCloudAnchor || kind == Kind::CopyObjectGuid; }

    // The temporary UPN of a federated-domain stamp (DESIGN.md §5): the same local part at
    // the tenant's initial domain; empty when the UPN has no local part or the initial
    // domain is unknown. The one rule for the executor, rollback, the reconciler's reason
    // and the wizard's PowerShell view.
    static QString temporaryUpnFor(const QString &upn, const QString &initialDomain);
    // The 16 bytes an ImmutableId in base64 stands for (what adopt_cloud_anchor writes to
    // mS-DS-ConsistencyGuid); empty when it is not the base64 of 16 bytes.
    static QByteArray anchorBytes(const QString &immutableId);
};
