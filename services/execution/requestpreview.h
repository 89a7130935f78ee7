#pragma once

#include "changeunit.h"

#include <QList>
#include <QString>

// What a run would send, request by request, with the Microsoft Graph PowerShell
// equivalent: the --dry-run output and the wizard's "show requests" view. Pure.
struct PreviewedRequest
{
    int rowId = 0;
    QString user;       // UPN (or id) of the user the request is for
    QString method;     // PATCH | DELETE
    QString url;        // absolute
    QString body;       // compact JSON; empty for DELETE
    QString powershell; // Invoke-MgGraphRequest …
};

namespace RequestPreview {

// The writes of the units in the order the executor sends them (per unit). Every unit
// is also read before (stale check) and after (verification); those GETs are not listed.
QList<PreviewedRequest> forUnits(const QList<ChangeUnit> &units, const QString &graphUrl);
QString toText(const QList<PreviewedRequest> &requests);

} // namespace RequestPreview
