#include "tenantfacts.h"

QString TenantFacts::describe() const
{
    if (!displayName.isEmpty() && !initialDomain.isEmpty())
        return QStringLiteral("%1 (%2)").arg(displayName, initialDomain);
    if (!displayName.isEmpty())
        return displayName;
    if (!initialDomain.isEmpty())
        return initialDomain;
    return id;
}
