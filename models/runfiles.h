#pragma once

#include <QString>

// Where a run's files are: the one place both front-ends derive them from. The wizard puts
// every file of a run in a folder of its own (inFolder); the command line is given the
// plan, audit and rollback paths and derives the rest beside them. Pure string work.
struct RunFiles
{
    QString folder;
    QString auditCsv;    // append-only audit trail
    QString rollbackCsv; // journal, then the undo list
    QString rollbackPs1; // the same undo as Graph PowerShell, beside rollbackCsv
    QString planCsv;     // the plan as executed
    // The AD side (adopt_cloud_anchor) as ActiveDirectory PowerShell, written instead of
    // running it when the on-prem source is an export file (nothing to write to).
    QString adScript;

    // Every file in one folder under its usual name: audit.csv, rollback.csv, rollback.ps1,
    // plan.csv, set-aduser.ps1.
    static RunFiles inFolder(const QString &folder);
    // "x/rollback.csv" -> "x/rollback.ps1" (any name: its .csv replaced by, or + ".ps1").
    static QString rollbackScriptFor(const QString &rollbackCsv);
    // "…/plan.csv" -> "…/plan.approvals.json" (any other name: name + ".approvals.json").
    static QString approvalsFor(const QString &planCsv);
    // The usual file name of a plan in a folder ("folder/plan.csv").
    static QString planIn(const QString &folder);
};
