#pragma once

#include "tenantfacts.h"

#include <QByteArray>
#include <QString>

class Plan;

// The audit's run-start row names where and what (DESIGN.md §4): the tenant (display
// name, initial domain) and the plan file's SHA-256. The command line and the wizard
// both build it here.
namespace RunStartMessage {

// "tenant Contoso (contoso.onmicrosoft.com); plan /runs/plan.csv sha256 3f2a…"
QString text(const TenantFacts &tenant, const QString &planFile, const QByteArray &planContent);
// The bytes SavePlanJob writes for this plan (to hash the plan as executed).
QByteArray planContent(const Plan &plan);

} // namespace RunStartMessage
