#pragma once

#include "ldaperror.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

// One write of mS-DS-ConsistencyGuid on one user (adopt_cloud_anchor, or its rollback).
// The write happens only when the entry still is what the caller saw: the same objectGUID
// (when given) and exactly expectedValue in mS-DS-ConsistencyGuid; otherwise it is stale
// and nothing is written.
struct LdapAnchorChange
{
    QString dn;
    QByteArray objectGuid;    // 16 bytes the entry must have; empty = not checked
    QByteArray expectedValue; // the current mS-DS-ConsistencyGuid it must have (empty = unset)
    QByteArray newValue;      // 16 bytes to write; empty = remove the attribute (rollback)

    friend bool operator==(const LdapAnchorChange &, const LdapAnchorChange &) = default;
};

// What one user's entry holds now (read before a write, and read back after it).
struct LdapAnchorState
{
    QString dn;
    bool exists = false;
    QByteArray objectGuid;
    QByteArray consistencyGuid; // empty = not set
    QString movedTo;            // when the DN is gone but the objectGUID lives on elsewhere
    LdapFailure failure;        // why it could not be read (ObjectNotFound, ObjectMoved, …)

    friend bool operator==(const LdapAnchorState &, const LdapAnchorState &) = default;
};

enum class LdapAnchorStatus {
    Applied, // written and read back
    Stale,   // the entry changed since it was read: nothing written
    Failed,  // refused or not verifiable (failure says why)
};

struct LdapAnchorOutcome
{
    LdapAnchorChange change;
    LdapAnchorStatus status = LdapAnchorStatus::Failed;
    LdapAnchorState before; // as read just before the write
    QByteArray readBack;    // mS-DS-ConsistencyGuid read after the write
    LdapFailure failure;    // for Failed; for Stale a message saying what changed
    // Failed only: the modify may have been sent, but the connection was lost before the
    // entry could be read back. A journal keeps such a change `pending`.
    bool outcomeUnknown = false;
    QString message() const { return failure.message; }
};

Q_DECLARE_METATYPE(LdapAnchorState)
Q_DECLARE_METATYPE(LdapAnchorOutcome)

// The attribute written, as LDAP names it.
inline constexpr char ConsistencyGuidAttribute[] = "mS-DS-ConsistencyGuid";
