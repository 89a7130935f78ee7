#pragma once

#include <QString>
#include <QStringList>

// What the signed-in session knows about the tenant (GET /organization, GET /domains):
// for the Execute confirm step, the audit's run-start row and UPN switches.
struct TenantFacts
{
    QString id;
    QString displayName;   // organization displayName; empty when it could not be read
    QString initialDomain; // the *.onmicrosoft.com domain (isInitial)
    QStringList verifiedDomains;
    QStringList federatedDomains; // authenticationType Federated

    // "Contoso (contoso.onmicrosoft.com)", falling back to what is known, then the id.
    QString describe() const;

    friend bool operator==(const TenantFacts &, const TenantFacts &) = default;
};
