#pragma once

#include "changeunit.h"
#include "previewedrequest.h"

#include <QList>
#include <QString>

// What a run would send, request by request, with the Microsoft Graph PowerShell
// equivalent: the --dry-run output and the wizard's "show requests" view. Pure.
namespace RequestPreview {

// The writes of the units in the order the executor sends them (per unit). Every unit
// is also read before (stale check) and after (verification); those GETs are not listed.
QList<PreviewedRequest> forUnits(const QList<ChangeUnit> &units, const QString &graphUrl);
QString toText(const QList<PreviewedRequest> &requests);

} // namespace RequestPreview
