#include "auditvocabulary.h"

#include <QLatin1String>

#include <iterator>

namespace {

// The one table of audit.csv's words. A row action has no spelling of its own here: it is
// written as the plan writes it (actionName()), so the two files cannot drift apart.
struct ActionWord
{
    AuditAction action;
    std::optional<Action> rowAction;
    const char *name; // only for the run steps
};

constexpr ActionWord kActions[] = {
    {AuditAction::None, Action::None, nullptr},
    {AuditAction::Stamp, Action::Stamp, nullptr},
    {AuditAction::Clear, Action::Clear, nullptr},
    {AuditAction::PurgeDeleted, Action::PurgeDeleted, nullptr},
    {AuditAction::AdoptCloudAnchor, Action::AdoptCloudAnchor, nullptr},
    {AuditAction::ClearObjectIdentifier, Action::ClearObjectIdentifier, nullptr},
    {AuditAction::CopyObjectGuid, Action::CopyObjectGuid, nullptr},
    {AuditAction::Run, std::nullopt, "run"},
    {AuditAction::UpnSwitch, std::nullopt, "upn_switch"},
    {AuditAction::UpnRestore, std::nullopt, "upn_restore"},
};

struct ResultWord
{
    AuditResult result;
    const char *name;
};

constexpr ResultWord kResults[] = {
    {AuditResult::Started, "started"},      {AuditResult::Finished, "finished"},
    {AuditResult::Applied, "applied"},      {AuditResult::Failed, "failed"},
    {AuditResult::Stale, "stale"},          {AuditResult::Skipped, "skipped"},
    {AuditResult::Unknown, "unknown"},      {AuditResult::Verified, "verified"},
    {AuditResult::Mismatch, "mismatch"},    {AuditResult::RolledBack, "rolled_back"},
    {AuditResult::Joined, "joined"},        {AuditResult::WaitingForSync, "waiting_for_sync"},
    {AuditResult::SyncError, "sync_error"}, {AuditResult::Approved, "approved"},
};

const ActionWord *findAction(AuditAction action)
{
    for (const ActionWord &w : kActions)
        if (w.action == action)
            return &w;
    return nullptr;
}

QString spell(const ActionWord &w)
{
    return w.rowAction ? actionName(*w.rowAction) : QString::fromLatin1(w.name);
}

} // namespace

QString auditActionName(AuditAction action)
{
    const ActionWord *w = findAction(action);
    return w ? spell(*w) : QString();
}

AuditAction auditActionFromName(QStringView name)
{
    // Exact: the file is written by Anchorfix, and a word it does not write is not one of ours.
    for (const ActionWord &w : kActions)
        if (name == spell(w))
            return w.action;
    return AuditAction::Unrecognised;
}

QList<AuditAction> allAuditActions()
{
    QList<AuditAction> out;
    for (const ActionWord &w : kActions)
        out << w.action;
    return out;
}

AuditAction auditActionFor(Action action)
{
    for (const ActionWord &w : kActions)
        if (w.rowAction == action)
            return w.action;
    return AuditAction::Unrecognised; // an Action added without its row in the table
}

std::optional<Action> rowActionOf(AuditAction action)
{
    const ActionWord *w = findAction(action);
    return w ? w->rowAction : std::nullopt;
}

QString auditResultName(AuditResult result)
{
    for (const ResultWord &w : kResults)
        if (w.result == result)
            return QString::fromLatin1(w.name);
    return {};
}

AuditResult auditResultFromName(QStringView name)
{
    for (const ResultWord &w : kResults)
        if (name == QLatin1String(w.name))
            return w.result;
    return AuditResult::Unrecognised;
}

QList<AuditResult> allAuditResults()
{
    QList<AuditResult> out;
    for (const ResultWord &w : kResults)
        out << w.result;
    return out;
}

AuditResult auditResultFor(ChangeStatus status)
{
    switch (status) {
    case ChangeStatus::Applied:
        return AuditResult::Applied;
    case ChangeStatus::Stale:
        return AuditResult::Stale;
    case ChangeStatus::Skipped:
        return AuditResult::Skipped;
    case ChangeStatus::Failed:
        return AuditResult::Failed;
    case ChangeStatus::Unknown:
        return AuditResult::Unknown;
    }
    return AuditResult::Unrecognised;
}
