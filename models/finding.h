#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <array>
#include <optional>

// Finding categories (DESIGN.md §3). Their names are stable: the table, plan.csv and
// the command line use them.
enum class Category : quint8 {
    InSync,
    SoftMatchPending,
    AnchorMismatch,
    SyncedObject,
    DeletedAnchorHolder,
    DuplicateAddress,
    AmbiguousMatch,
    FederatedDomain,
    OrphanedAnchor,
    DuplicateOnPremAnchor,
    NoCloudMatch,
    CloudOnly,
    AdminRole,
    CloudManaged,
};
inline constexpr int CategoryCount = 14;

enum class Severity : quint8 { Info, Warning, Conflict };

// Cloud-side actions change the cloud user; AdoptCloudAnchor changes the on-prem user: it
// writes the cloud user's ImmutableId (16 bytes) into mS-DS-ConsistencyGuid over LDAP.
// ClearObjectIdentifier clears the cloud user's onPremisesObjectIdentifier (PATCH
// /beta/users/{id} null; it cannot be written back), then stamps the anchor: since July
// 2026 a hard match is blocked while it is set.
// CopyObjectGuid (optional hygiene, off by default) copies an in_sync user's objectGUID into
// its empty mS-DS-ConsistencyGuid over LDAP, so the link survives a forest move or a move
// to Cloud Sync (what Entra Connect's ConsistencyGuid writeback does where it is on).
enum class Action : quint8 {
    None,
    Stamp,
    Clear,
    PurgeDeleted,
    AdoptCloudAnchor,
    ClearObjectIdentifier,
    CopyObjectGuid
};
// Every action, in the order plan.csv, the review and the audit list them: the one list
// (allActions() is the same as a QList; plan.csv's reader matches cells against it).
inline constexpr std::array<Action, 7> ActionList{Action::None,
                                                  Action::Stamp,
                                                  Action::Clear,
                                                  Action::PurgeDeleted,
                                                  Action::AdoptCloudAnchor,
                                                  Action::ClearObjectIdentifier,
                                                  Action::CopyObjectGuid};

QString categoryName(Category category); // "in_sync", "anchor_mismatch", …
std::optional<Category> categoryFromName(QStringView name);
QString categoryTitle(Category category); // "In sync", "Anchor mismatch", … for people
QList<Category> allCategories();

QString severityName(Severity severity); // info | warning | conflict
std::optional<Severity> severityFromName(QStringView name);

// none | stamp | clear | purge_deleted | adopt_cloud_anchor | clear_object_identifier |
// copy_objectguid
QString actionName(Action action);
QString actionTitle(Action action); // "Stamp ImmutableId", … for people
std::optional<Action> actionFromName(QStringView name);
QList<Action> allActions();
// True for actions executed over LDAP (they need a write bind, not a Graph write).
bool isOnPremAction(Action action);
// True for actions whose change cannot be undone (a purge, clearing
// onPremisesObjectIdentifier): the confirm step, rollback files and audit say so.
bool isIrreversibleAction(Action action);

// What each category allows, proposes and whether a person must approve it.
QList<Action> allowedActionsFor(Category category);
Action defaultActionFor(Category category);
bool categoryNeedsApproval(Category category);
Severity baseSeverityFor(Category category);

// One row of the diff: an on-prem user and what was found for it in the cloud, or a
// cloud user that no on-prem user refers to.
struct Finding
{
    // The small fields first, side by side: a large scan holds 500k rows at once.
    int rowId = 0;
    Category category = Category::InSync;
    Severity severity = Severity::Info;
    Action action = Action::None;
    bool requiresApproval = false;
    bool approved = false;
    std::optional<bool> cloudSyncEnabled;
    // Indexes into the reconciler's inputs (-1 = none), for detail views.
    int onPremIndex = -1;
    int cloudIndex = -1;

private:
    bool m_standardReason = false;

public:
    QString onPremDn;
    QString onPremUpn;
    // The anchor the on-prem user yields (base64). A scan keeps the 16 bytes it is made
    // of (shared with the scanned user) and words them when read; plan.csv's rows keep text.
    QString expectedImmutableId() const;
    bool hasExpectedImmutableId() const
    {
        return !m_expectedAnchorBytes.isEmpty() || !m_expectedAnchorText.isEmpty();
    }
    void setExpectedImmutableId(const QString &base64);
    void setExpectedAnchorBytes(const QByteArray &bytes);
    // objectGUID as a GUID string. A scan keeps the user's 16 bytes (shared with the
    // scanned user, not copied) and words them when read; plan.csv's rows keep text.
    QString onPremGuid() const;
    bool hasOnPremGuid() const
    {
        return !m_onPremGuidBytes.isEmpty() || !m_onPremGuidText.isEmpty();
    }
    void setOnPremGuid(const QString &text);
    void setOnPremGuidBytes(const QByteArray &objectGuid);

    QString cloudId;
    QString cloudUpn;
    QString cloudImmutableId;
    QString deletedHolderId; // the recycle-bin user holding the anchor

    QList<Action> allowedActions;

    // Plain language: what was found and why it matters.
    QString reason() const;
    void setReason(const QString &text);
    void appendToReason(const QString &text);
    // The reconciler's common reasons are worded from the row's category and fields when
    // read: 500k rows would otherwise hold ~250 MB of near-identical sentences (issue 15).
    // Only categories with a standard reason have one; others, and plan.csv's rows, keep
    // their text.
    static bool hasStandardReason(Category category);
    void useStandardReason();
    bool usesStandardReason() const { return m_standardReason; }

    QStringList warnings; // pre-flight warnings; plan.csv appends them to reason
    // The sync engine's onPremisesProvisioningErrors that concern this row (its cloud
    // user's own, and conflicts on its addresses recorded on other objects), as text.
    QStringList syncErrors;

    bool allows(Action a) const { return allowedActions.contains(a); }
    // What a row itself must have for adopt_cloud_anchor (DESIGN.md §3): an on-prem user
    // (DN), a cloud user with a valid ImmutableId, category anchor_mismatch or
    // synced_object. The reconciler also checks the anchor rule and that no scanned on-prem
    // object yields that ImmutableId; a plan file can only be checked this far.
    bool canAdoptCloudAnchor() const;
    // What a row itself must have for clear_object_identifier: an on-prem anchor to stamp
    // after the clear and a matched cloud user, category
    // soft_match_pending or anchor_mismatch (the rows a stamp serves without a UPN switch).
    // The reconciler offers it only where the cloud user has onPremisesObjectIdentifier
    // set; a plan file cannot show that, and clearing an unset value changes nothing.
    bool canClearObjectIdentifier() const;
    // What a row must have for copy_objectguid: in_sync, an on-prem user (DN) whose anchor
    // is its objectGUID. That mS-DS-ConsistencyGuid is still empty is known to the scan
    // (which offers the action only then) and checked again over LDAP before the write.
    bool canCopyObjectGuid() const;
    // Will this row be executed by apply?
    // Clearing onPremisesObjectIdentifier cannot be undone: a person approves it always.
    bool needsApproval() const
    {
        return requiresApproval || action == Action::ClearObjectIdentifier;
    }
    bool isExecutable() const { return action != Action::None && (!needsApproval() || approved); }

    // Rows are equal when they read alike: a worded reason equals the same text stored.
    friend bool operator==(const Finding &a, const Finding &b);

private:
    QString m_reasonText;
    QString m_onPremGuidText;
    QByteArray m_onPremGuidBytes;
    QString m_expectedAnchorText;
    QByteArray m_expectedAnchorBytes;
};
