#pragma once

#include "clouduser.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

// What `anchorfix scan` keeps beside its plan (plan.csv → plan.rescan.json) so that
// `scan --since-previous` reads only the users changed since (GET /users/delta), as the
// wizard's "Scan again" does within a session. JSON, owner-only (it lists identities):
//   {"format": "anchorfix-rescan-v1", "tenant": "<--tenant as given>",
//    "tenantId": "<organization id>", "select": "<the delta link's $select>",
//    "scannedAtUtc": "<ISO 8601>", "deltaLink": "<@odata.deltaLink>",
//    "users": [{"id", "userPrincipalName", "displayName", "mail", "proxyAddresses",
//               "onPremisesImmutableId", "onPremisesSyncEnabled",
//               "onPremisesObjectIdentifier", "accountEnabled"}, …]}
// No secret: the delta link's $deltatoken is a position in Graph's change feed that is
// of no use without an access token (and the scan sends the token only to its own Graph
// host). Roles, sync errors and everything but the users are read again on a rescan.
struct RescanState
{
    QString tenant;   // --tenant as the scan was given it (a GUID or a domain)
    QString tenantId; // the organization id the scan read
    QString select;   // the $select the delta link was taken with
    QDateTime scannedAt;
    QString deltaLink;
    QList<CloudUser> users;

    static RescanState fromSnapshot(const CloudSnapshot &snapshot, const QString &tenant);
    // What CloudScanJob::setPrevious needs.
    CloudSnapshot toSnapshot() const;

    QByteArray toJson() const;
    static bool fromJson(const QByteArray &json, RescanState *state, QString *why);
};

namespace RescanStateFile {

// plan.csv → plan.rescan.json; a path that already ends in .rescan.json is kept.
QString pathFor(const QString &planPath);
// false + message naming the file when it is missing or not a rescan state.
bool read(const QString &path, RescanState *state, QString *error);
// Written whole or not at all, owner-only permissions.
bool write(const QString &path, const RescanState &state, QString *error);
// Whether state can serve a rescan of `tenant` (as given on the command line) by an
// engine that reads the users with one of `selects`; else false and why not.
bool usableFor(const RescanState &state, const QString &tenant, const QStringList &selects,
               QString *why);

} // namespace RescanStateFile
