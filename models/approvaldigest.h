#pragma once

#include "finding.h"

#include <QByteArray>
#include <QList>
#include <QString>

// The digest a second person's approval seals (issue 17): SHA-256 over a canonical form
// of the approved rows. Each row's canonical form is its row id, category, action, target
// ids (on-prem DN and GUID, cloud id, recycle-bin holder), UPNs and the old and new anchor
// values, each field as "<byte length>:<UTF-8 bytes>" so no value can spill into the next.
// The seal's digest is SHA-256 over "anchorfix-approval-v1", the tenant id and the rows'
// own SHA-256 digests in row id order — so a changed row is found by its own digest while
// the set as a whole is what the ID token's nonce binds. Digests are base64url without
// padding (43 characters): a nonce Entra takes as it is.
namespace ApprovalDigest {

QByteArray canonicalRow(const Finding &row);
// base64url SHA-256 of canonicalRow.
QString rowDigest(const Finding &row);
// The seal's digest over row digests (in the order given: callers sort by row id).
QString sealDigest(const QString &tenantId, const QList<QString> &rowDigests);
// The same, from the rows themselves (sorted by row id here).
QString sealDigest(const QString &tenantId, QList<Finding> approvedRows);

} // namespace ApprovalDigest
