#pragma once

#include "clouduser.h"
#include "finding.h"
#include "onpremuser.h"

#include <QList>

struct ReconcileInput
{
    QList<OnPremUser> onPrem;
    CloudSnapshot cloud;
    AnchorRule anchorRule = AnchorRule::ConsistencyGuidElseObjectGuid;
    bool onPremScanScoped = false; // an OU or filter limited the on-prem scan
};

// The diff engine: pure, synchronous, deterministic. One Finding per on-prem user (in
// input order) then one per cloud user no on-prem row refers to (in input order).
// Precedence of the rules is DESIGN.md §3 "Rows and precedence".
class Reconciler
{
public:
    static QList<Finding> reconcile(const ReconcileInput &input);

    // Tenant-wide pre-flight notes (DESIGN.md §3): what the tenant's sync flags and the
    // targets' onPremisesObjectIdentifier mean for the actions rows plan now. Empty when
    // nothing stands in the way. Anchorfix never changes the flags.
    static QStringList tenantPreflight(const CloudSnapshot &cloud, const QList<Finding> &rows);
};
