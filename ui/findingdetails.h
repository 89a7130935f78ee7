#pragma once

#include "clouduser.h"
#include "finding.h"
#include "onpremuser.h"

#include <QString>
#include <QUrl>

// The text of the Review page's detail pane for one row: the plain-language reason,
// every form of both anchors, both sides' attributes, and the exact Microsoft Graph
// PowerShell an admin could run instead of Anchorfix.
class FindingDetails
{
public:
    // onPrem / cloud / deletedHolder may be null when the row has no such side.
    static QString html(const Finding &finding, const OnPremUser *onPrem, const CloudUser *cloud,
                        const CloudUser *deletedHolder, const QUrl &graphUrl,
                        const QString &initialDomain);

    // Invoke-MgGraphRequest commands for the row's chosen action (a comment for none).
    // graphUrl is scheme and host ("https://graph.microsoft.com").
    static QString powerShell(const Finding &finding, const QUrl &graphUrl,
                              const QString &initialDomain);

    // "GUID / base64 / hex / LDAP filter" lines for one anchor, or a dash.
    static QString anchorForms(const QString &base64);
};
