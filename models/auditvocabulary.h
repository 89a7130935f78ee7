#pragma once

#include "executionreport.h"
#include "finding.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

// The words of audit.csv's `action` and `result` columns (DESIGN.md §4), typed. Their CSV
// spelling lives in one table (auditvocabulary.cpp); a row action is spelled as the plan
// spells it (actionName()).

// A row's action (the plan's Action), or a step of the run around it.
enum class AuditAction {
    None,
    Stamp,
    Clear,
    PurgeDeleted,
    AdoptCloudAnchor,
    ClearObjectIdentifier, // the clear before the stamp (clear_object_identifier)
    CopyObjectGuid,        // hygiene: objectGUID into an empty mS-DS-ConsistencyGuid
    Run,                   // the run's start and end rows
    UpnSwitch,             // federated user: UPN to the initial domain before the stamp
    UpnRestore,            // … and back after it
    Unrecognised           // not set, or read from a file and not a word of this vocabulary
};

enum class AuditResult {
    Started,  // run rows
    Finished, // run rows
    Applied,
    Failed,
    Stale,
    Skipped,
    Unknown, // a write's answer was lost and the tenant could not be read back
    Verified,
    Mismatch,
    RolledBack,
    Joined, // verify
    WaitingForSync,
    SyncError,
    Approved,    // a flagged row's second-person approval, recorded before the run (issue 17)
    Unrecognised // not set, or read from a file and not a word of this vocabulary
};

QString auditActionName(AuditAction action);       // empty (an empty cell) for Unrecognised
AuditAction auditActionFromName(QStringView name); // Unrecognised when not in the table
QList<AuditAction> allAuditActions();              // every word, without Unrecognised
AuditAction auditActionFor(Action action);
std::optional<Action> rowActionOf(AuditAction action); // nullopt for run steps

QString auditResultName(AuditResult result); // empty (an empty cell) for Unrecognised
AuditResult auditResultFromName(QStringView name);
QList<AuditResult> allAuditResults();
AuditResult auditResultFor(ChangeStatus status);
