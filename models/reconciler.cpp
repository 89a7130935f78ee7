#include "reconciler.h"

QList<Finding> Reconciler::reconcile(const ReconcileInput &)
{
    return {}; // being written
}
