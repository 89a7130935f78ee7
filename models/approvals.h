#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

// One reviewed row: approved or rejected, why, and (approved) the row's own digest
// (ApprovalDigest::rowDigest) when it was approved.
struct ApprovalDecision
{
    int rowId = 0;
    bool approved = false;
    QString reason;
    QString rowDigest;

    friend bool operator==(const ApprovalDecision &, const ApprovalDecision &) = default;
};

// plan.approvals.json, beside the plan: a second person's review of the plan's flagged
// rows (issue 17). sealed = the approver signed in with the browser (auth code + PKCE)
// and the ID token's nonce is `digest`; a device-code sign-in cannot carry a nonce, so
// its approval names the approver but is unsealed. The ID token is kept as Entra issued
// it: it is the seal (its audience is this app, not Graph: it grants no access).
struct Approvals
{
    static constexpr int FormatVersion = 1;

    QString tenantId; // the plan's tenant
    QString approverUpn;
    QString approverOid;
    QString approverName;
    QDateTime approvedAtUtc;
    bool sealed = false;
    QString digest; // ApprovalDigest::sealDigest over the approved rows
    QString idToken;
    QList<ApprovalDecision> decisions;

    const ApprovalDecision *decision(int rowId) const;
    // The approved rows' digests in row id order (what `digest` is computed over).
    QList<QString> approvedRowDigests() const;
    int approvedCount() const;

    QByteArray toJson() const;
    // false with a message naming what is wrong; a file is read strictly (a decision
    // named twice, an approved row without its digest, an unknown format are refused).
    static bool fromJson(const QByteArray &json, Approvals *approvals, QString *error);

    friend bool operator==(const Approvals &, const Approvals &) = default;
};
