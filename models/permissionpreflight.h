#pragma once

#include "finding.h"
#include "grantedpermissions.h"

#include <QList>
#include <QString>

// A plan row the access token cannot carry out, and why.
struct UnpermittedRow
{
    int rowId = 0;
    QString user; // cloud UPN, else cloud id
    Action action = Action::None;
    QStringList missing; // permissions the row needs that the token lacks
    QString reason;      // "purge_deleted needs User.DeleteRestore.All …", for people

    friend bool operator==(const UnpermittedRow &, const UnpermittedRow &) = default;
};

// Before anything is sent: compares each executable row's action with what the token
// grants (DESIGN.md §7). stamp, clear and the federated UPN switch need
// User.ReadWrite.All; purge_deleted needs User.DeleteRestore.All, or the older delegated
// User.ReadWrite.All (an application's User.ReadWrite.All cannot purge), and then
// User.ReadWrite.All for the stamp that follows; clear_object_identifier needs
// User-OnPremisesSyncBehavior.ReadWrite.All for the clear, then User.ReadWrite.All for
// the stamp.
namespace PermissionPreflight {

// The rows that cannot run, in plan order. Empty when the token's permissions are not
// known (not a JWT): Graph then answers for itself.
QList<UnpermittedRow> check(const QList<Finding> &rows, const GrantedPermissions &granted);
// rows without those listed (to run the rest).
QList<Finding> withoutRows(const QList<Finding> &rows, const QList<UnpermittedRow> &unpermitted);
// Write permissions beyond User.ReadWrite.All that the executable rows need, to ask for
// at execute: User-OnPremisesSyncBehavior.ReadWrite.All for clear_object_identifier.
QStringList extraWritePermissions(const QList<Finding> &rows);
// One line per row: "row 7 alice@contoso.com: purge_deleted needs …".
QStringList describe(const QList<UnpermittedRow> &unpermitted);

} // namespace PermissionPreflight
