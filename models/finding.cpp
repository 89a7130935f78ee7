#include "finding.h"

#include "immutableid.h"

#include <QCoreApplication>

#include <array>

namespace {

struct CategoryInfo
{
    Category category;
    const char *name;
    const char *title;
    Severity severity;
    bool needsApproval;
    Action defaultAction;
    unsigned allowed; // bit (1 << Action) per allowed action
};

constexpr unsigned bit(Action a)
{
    return 1u << unsigned(a);
}

// DESIGN.md §3, one line per category.
const std::array<CategoryInfo, CategoryCount> &categoryTable()
{
    using A = Action;
    using S = Severity;
    static const std::array<CategoryInfo, CategoryCount> table{{
        {Category::InSync, "in_sync", QT_TRANSLATE_NOOP("Category", "In sync"), S::Info, false,
         A::None, bit(A::None)},
        {Category::SoftMatchPending, "soft_match_pending",
         QT_TRANSLATE_NOOP("Category", "Soft match pending"), S::Info, false, A::Stamp,
         bit(A::None) | bit(A::Stamp)},
        {Category::AnchorMismatch, "anchor_mismatch",
         QT_TRANSLATE_NOOP("Category", "Anchor mismatch"), S::Warning, true, A::Stamp,
         bit(A::None) | bit(A::Stamp) | bit(A::Clear)},
        {Category::SyncedObject, "synced_object", QT_TRANSLATE_NOOP("Category", "Still synced"),
         S::Warning, true, A::None, bit(A::None)},
        {Category::DeletedAnchorHolder, "deleted_anchor_holder",
         QT_TRANSLATE_NOOP("Category", "Anchor held in recycle bin"), S::Conflict, true,
         A::PurgeDeleted, bit(A::None) | bit(A::PurgeDeleted)},
        {Category::DuplicateAddress, "duplicate_address",
         QT_TRANSLATE_NOOP("Category", "Duplicate address"), S::Conflict, true, A::None,
         bit(A::None)},
        {Category::AmbiguousMatch, "ambiguous_match",
         QT_TRANSLATE_NOOP("Category", "Ambiguous match"), S::Conflict, true, A::None,
         bit(A::None)},
        {Category::FederatedDomain, "federated_domain",
         QT_TRANSLATE_NOOP("Category", "Federated domain"), S::Warning, true, A::Stamp,
         bit(A::None) | bit(A::Stamp)},
        {Category::OrphanedAnchor, "orphaned_anchor",
         QT_TRANSLATE_NOOP("Category", "Orphaned anchor"), S::Warning, true, A::None,
         bit(A::None) | bit(A::Clear)},
        {Category::DuplicateOnPremAnchor, "duplicate_onprem_anchor",
         QT_TRANSLATE_NOOP("Category", "Duplicate on-prem anchor"), S::Conflict, true, A::None,
         bit(A::None)},
        {Category::NoCloudMatch, "no_cloud_match", QT_TRANSLATE_NOOP("Category", "No cloud match"),
         S::Info, false, A::None, bit(A::None)},
        {Category::CloudOnly, "cloud_only", QT_TRANSLATE_NOOP("Category", "Cloud only"), S::Info,
         false, A::None, bit(A::None)},
        {Category::AdminRole, "admin_role", QT_TRANSLATE_NOOP("Category", "Admin role"),
         S::Conflict, true, A::None, bit(A::None)},
        {Category::CloudManaged, "cloud_managed",
         QT_TRANSLATE_NOOP("Category", "Cloud-managed (SOA moved)"), S::Warning, true, A::None,
         bit(A::None)},
    }};
    return table;
}

const CategoryInfo &infoFor(Category category)
{
    return categoryTable()[size_t(category)];
}

} // namespace

QString categoryName(Category category)
{
    return QString::fromLatin1(infoFor(category).name);
}

std::optional<Category> categoryFromName(QStringView name)
{
    for (const CategoryInfo &info : categoryTable())
        if (name.compare(QLatin1StringView(info.name), Qt::CaseInsensitive) == 0)
            return info.category;
    return std::nullopt;
}

QString categoryTitle(Category category)
{
    return QCoreApplication::translate("Category", infoFor(category).title);
}

QList<Category> allCategories()
{
    QList<Category> out;
    for (const CategoryInfo &info : categoryTable())
        out.append(info.category);
    return out;
}

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Conflict:
        break;
    }
    return QStringLiteral("conflict");
}

std::optional<Severity> severityFromName(QStringView name)
{
    for (Severity s : {Severity::Info, Severity::Warning, Severity::Conflict})
        if (name.compare(severityName(s), Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

QString actionName(Action action)
{
    switch (action) {
    case Action::None:
        return QStringLiteral("none");
    case Action::Stamp:
        return QStringLiteral("stamp");
    case Action::Clear:
        return QStringLiteral("clear");
    case Action::PurgeDeleted:
        return QStringLiteral("purge_deleted");
    case Action::AdoptCloudAnchor:
        return QStringLiteral("adopt_cloud_anchor");
    case Action::ClearObjectIdentifier:
        return QStringLiteral("clear_object_identifier");
    case Action::CopyObjectGuid:
        break;
    }
    return QStringLiteral("copy_objectguid");
}

QString actionTitle(Action action)
{
    switch (action) {
    case Action::None:
        return QCoreApplication::translate("Action", "No change");
    case Action::Stamp:
        return QCoreApplication::translate("Action", "Stamp ImmutableId");
    case Action::Clear:
        return QCoreApplication::translate("Action", "Clear ImmutableId");
    case Action::PurgeDeleted:
        return QCoreApplication::translate("Action", "Purge deleted holder, then stamp");
    case Action::AdoptCloudAnchor:
        return QCoreApplication::translate("Action", "Write cloud anchor to AD");
    case Action::ClearObjectIdentifier:
        return QCoreApplication::translate(
            "Action", "Clear onPremisesObjectIdentifier (irreversible), then stamp");
    case Action::CopyObjectGuid:
        return QCoreApplication::translate("Action", "Copy objectGUID to mS-DS-ConsistencyGuid");
    }
    return {};
}

QList<Action> allActions()
{
    return QList<Action>(ActionList.cbegin(), ActionList.cend());
}

bool isOnPremAction(Action action)
{
    return action == Action::AdoptCloudAnchor || action == Action::CopyObjectGuid;
}

bool Finding::canCopyObjectGuid() const
{
    if (category != Category::InSync || onPremDn.isEmpty() || !hasExpectedImmutableId())
        return false;
    const auto guid = ImmutableId::parse(onPremGuid());
    return guid && guid->toBase64() == expectedImmutableId();
}

bool isIrreversibleAction(Action action)
{
    return action == Action::PurgeDeleted || action == Action::ClearObjectIdentifier;
}

bool Finding::canClearObjectIdentifier() const
{
    return (category == Category::SoftMatchPending || category == Category::AnchorMismatch) &&
           !cloudId.isEmpty() && hasExpectedImmutableId();
}

bool Finding::canAdoptCloudAnchor() const
{
    return (category == Category::AnchorMismatch || category == Category::SyncedObject) &&
           !onPremDn.isEmpty() && ImmutableId::parse(cloudImmutableId).has_value();
}

std::optional<Action> actionFromName(QStringView name)
{
    for (Action a : allActions())
        if (name.compare(actionName(a), Qt::CaseInsensitive) == 0)
            return a;
    return std::nullopt;
}

QList<Action> allowedActionsFor(Category category)
{
    // Built once: every finding of a category shares one implicitly shared list.
    static const auto lists = [] {
        std::array<QList<Action>, CategoryCount> out;
        for (const CategoryInfo &info : categoryTable())
            for (Action a : {Action::None, Action::Stamp, Action::Clear, Action::PurgeDeleted})
                if (info.allowed & bit(a))
                    out[size_t(info.category)].append(a);
        return out;
    }();
    return lists[size_t(category)];
}

Action defaultActionFor(Category category)
{
    return infoFor(category).defaultAction;
}

bool categoryNeedsApproval(Category category)
{
    return infoFor(category).needsApproval;
}

Severity baseSeverityFor(Category category)
{
    return infoFor(category).severity;
}

// A new Action goes at the end of the enum and of ActionList.
static_assert(int(Action::CopyObjectGuid) + 1 == int(ActionList.size()) &&
              ActionList.back() == Action::CopyObjectGuid);

namespace {

QString reconcilerTr(const char *text)
{
    // The reconciler's context: these sentences are the reconciler's, worded later.
    return QCoreApplication::translate("Reconciler", text);
}

// "UPN" when the cloud user was found by the on-prem UPN, else the primary SMTP address
// (the reconciler tries the UPN first).
QString matchedOn(const Finding &f)
{
    const bool onUpn =
        !f.onPremUpn.isEmpty() && f.cloudUpn.compare(f.onPremUpn, Qt::CaseInsensitive) == 0;
    return onUpn ? reconcilerTr("UPN") : reconcilerTr("primary SMTP address");
}

QString orNone(const QString &value)
{
    return value.isEmpty() ? reconcilerTr("(none)") : value;
}

} // namespace

bool Finding::hasStandardReason(Category category)
{
    switch (category) {
    case Category::InSync:
    case Category::SoftMatchPending:
    case Category::AnchorMismatch:
    case Category::NoCloudMatch:
    case Category::CloudOnly:
    case Category::OrphanedAnchor:
        return true;
    default:
        return false;
    }
}

QString Finding::reason() const
{
    if (!m_standardReason)
        return m_reasonText;
    switch (category) {
    case Category::InSync: {
        QString text =
            reconcilerTr("Cloud user %1 already holds this account's anchor %2 (hard match).")
                .arg(cloudUpn, expectedImmutableId());
        if (cloudUpn.compare(onPremUpn, Qt::CaseInsensitive) != 0)
            text += u' ' + reconcilerTr("Its UPN differs (cloud %1, on-prem %2); the next sync "
                                        "updates it.")
                               .arg(cloudUpn, orNone(onPremUpn));
        return text;
    }
    case Category::SoftMatchPending:
        return reconcilerTr("Cloud user %1 has no ImmutableId and matches this account on %2; the "
                            "next sync soft-matches it, or stamp %3 now for a hard match.")
            .arg(cloudUpn, matchedOn(*this), orNone(expectedImmutableId()));
    case Category::AnchorMismatch: {
        QString text =
            reconcilerTr("Cloud user %1 has ImmutableId %2; the AD account was recreated or moved "
                         "and now yields %3. Stamp the new value for a hard match, or clear it so "
                         "the next sync soft-matches on %4.")
                .arg(cloudUpn, cloudImmutableId, orNone(expectedImmutableId()), matchedOn(*this));
        if (allows(Action::AdoptCloudAnchor))
            text += u' ' + reconcilerTr("Or keep the cloud anchor: write %1 into this account's "
                                        "mS-DS-ConsistencyGuid (adopt_cloud_anchor), and the next "
                                        "sync hard-matches %2 without a cloud write.")
                               .arg(cloudImmutableId, cloudUpn);
        return text;
    }
    case Category::NoCloudMatch:
        return reconcilerTr("No cloud user has this account's anchor, UPN or primary SMTP "
                            "address; the next sync creates one.");
    case Category::CloudOnly:
        return reconcilerTr("Cloud-only user: no ImmutableId and no on-prem account with its UPN "
                            "or SMTP address.");
    case Category::OrphanedAnchor:
        return reconcilerTr("Cloud user %1 has ImmutableId %2, which no scanned on-prem account "
                            "yields, and no on-prem account has its UPN or SMTP address.")
            .arg(cloudUpn, cloudImmutableId);
    default:
        break;
    }
    return m_reasonText; // a category without a standard reason: useStandardReason refused it
}

QString Finding::onPremGuid() const
{
    return m_onPremGuidBytes.isEmpty() ? m_onPremGuidText
                                       : ImmutableId::fromBytes(m_onPremGuidBytes).toGuid();
}

void Finding::setOnPremGuid(const QString &text)
{
    m_onPremGuidText = text;
    m_onPremGuidBytes.clear();
}

void Finding::setOnPremGuidBytes(const QByteArray &objectGuid)
{
    m_onPremGuidText.clear();
    m_onPremGuidBytes = objectGuid.size() == 16 ? objectGuid : QByteArray();
}

QString Finding::expectedImmutableId() const
{
    return m_expectedAnchorBytes.isEmpty() ? m_expectedAnchorText
                                           : ImmutableId::base64Of(m_expectedAnchorBytes);
}

void Finding::setExpectedImmutableId(const QString &base64)
{
    m_expectedAnchorText = base64;
    m_expectedAnchorBytes.clear();
}

void Finding::setExpectedAnchorBytes(const QByteArray &bytes)
{
    m_expectedAnchorText.clear();
    m_expectedAnchorBytes = bytes.size() == 16 ? bytes : QByteArray();
}

void Finding::setReason(const QString &text)
{
    m_reasonText = text;
    m_standardReason = false;
}

void Finding::appendToReason(const QString &text)
{
    setReason(reason() + text);
}

void Finding::useStandardReason()
{
    Q_ASSERT(hasStandardReason(category));
    if (!hasStandardReason(category))
        return;
    m_reasonText.clear();
    m_standardReason = true;
}

bool operator==(const Finding &a, const Finding &b)
{
    return a.rowId == b.rowId && a.category == b.category && a.severity == b.severity &&
           a.onPremDn == b.onPremDn && a.onPremUpn == b.onPremUpn &&
           a.onPremGuid() == b.onPremGuid() && a.expectedImmutableId() == b.expectedImmutableId() &&
           a.cloudId == b.cloudId && a.cloudUpn == b.cloudUpn &&
           a.cloudImmutableId == b.cloudImmutableId && a.cloudSyncEnabled == b.cloudSyncEnabled &&
           a.deletedHolderId == b.deletedHolderId && a.allowedActions == b.allowedActions &&
           a.action == b.action && a.requiresApproval == b.requiresApproval &&
           a.approved == b.approved && a.warnings == b.warnings && a.syncErrors == b.syncErrors &&
           a.onPremIndex == b.onPremIndex && a.cloudIndex == b.cloudIndex &&
           a.reason() == b.reason();
}
