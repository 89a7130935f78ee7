#pragma once

#include "finding.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// What a fresh read of a row's cloud user says (the executor reads every user right
// before it changes it). Facts that were not read are nullopt.
struct CloudUserFacts
{
    QString upn;
    QString immutableId;
    std::optional<bool> syncEnabled;
    std::optional<bool> federated;      // the UPN is in a federated domain
    std::optional<bool> holdsAdminRole; // an Entra admin role, active or eligible

    // The facts a plan row itself records about its cloud user (federation and roles
    // are not in plan.csv).
    static CloudUserFacts fromRow(const Finding &row);
};

// Re-derives a row's category and allowed actions from facts about its cloud user, by the
// rules of DESIGN.md §3 that can be decided per user. A plan file may only narrow what
// these allow, never widen it: apply runs a row only while the tenant still says what
// the file says.
namespace Recheck {

struct Derived
{
    Category category = Category::InSync;
    QList<Action> allowedActions;
};

// Does the row stand for an on-prem user (rather than a cloud user no on-prem row refers to)?
bool isOnPremRow(const Finding &row);
// Is the UPN in one of the domains, or in a subdomain of one?
bool inDomain(QStringView upn, const QStringList &domains);

// The category and allowed actions of the row under these facts; nullopt for a row
// whose category needs the whole tenant to decide (duplicate_address, ambiguous_match,
// no_cloud_match, …): such a row allows no change anyway.
std::optional<Derived> derive(const Finding &row, const CloudUserFacts &facts);

// Empty when the row is still what the file says; else why not, in words for an admin.
QString staleReason(const Finding &row, const CloudUserFacts &facts);

} // namespace Recheck
