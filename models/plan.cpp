#include "plan.h"

#include "csv.h"
#include "immutableid.h"
#include "recheck.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>

#include <algorithm>
#include <array>
#include <vector>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Plan", text);
}

enum Column {
    RowId,
    CategoryColumn,
    SeverityColumn,
    OnPremDn,
    OnPremUpn,
    OnPremGuid,
    ExpectedImmutableId,
    CloudId,
    CloudUpn,
    CloudImmutableId,
    CloudSyncEnabled,
    DeletedHolderId,
    ActionColumn,
    RequiresApproval,
    Approved,
    Reason,
    // Appended columns (DESIGN.md §4): a plan without them still reads.
    AllowedActions,
    RowCheck,
    TenantId,
    ScannedAtUtc,
    SyncErrors, // every provisioning error of the row, " | " between them
    ColumnCount
};
constexpr int RequiredColumnCount = AllowedActions;
// One sync_errors cell holds every provisioning error of a row.
const QLatin1String kSyncErrorSeparator(" | ");

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

QString yesNo(std::optional<bool> value)
{
    return value ? yesNo(*value) : QString();
}

// A hand-edited plan may say yes/true/1 or no/false/0; empty means unknown.
enum class YesNo { Unknown, Yes, No, Invalid };

YesNo parseYesNo(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty())
        return YesNo::Unknown;
    if (t == u"yes" || t == u"true" || t == u"1" || t == u"y")
        return YesNo::Yes;
    if (t == u"no" || t == u"false" || t == u"0" || t == u"n")
        return YesNo::No;
    return YesNo::Invalid;
}

QString joinedReason(const Finding &f)
{
    QString text = f.reason();
    for (const QString &warning : f.warnings)
        text += u' ' + tr("Warning: %1").arg(warning);
    return text;
}

QString actionList(const QList<Action> &actions, const QString &separator = QStringLiteral(", "))
{
    QStringList names;
    for (Action a : actions)
        names << actionName(a);
    return names.join(separator);
}

// --- reading cells as bytes: a million rows must not cost a QString per cell ------

bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && isAsciiSpace(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && isAsciiSpace(v.back()))
        v.chop(1);
    return v;
}

// What the old QString reader saw: the cell unguarded, then trimmed.
QByteArrayView bytesOf(QByteArrayView cell)
{
    return trimmed(Csv::unguardCell(cell));
}

QString textOf(QByteArrayView cell)
{
    return Csv::fromUtf8(Csv::unguardCell(cell)).trimmed();
}

// Empty once trimmed as text (a cell of non-ASCII spaces too), without a QString for
// the usual ASCII cell.
bool isBlank(QByteArrayView cell)
{
    const QByteArrayView b = bytesOf(cell);
    if (b.isEmpty())
        return true;
    for (char c : b)
        if (uchar(c) >= 0x80)
            return textOf(cell).isEmpty();
    return false;
}

bool sameAscii(QByteArrayView bytes, const QString &name)
{
    return QLatin1StringView(bytes).compare(name, Qt::CaseInsensitive) == 0;
}

// Names as QStrings once, so that matching a cell allocates nothing.
template <typename T, size_t N>
std::optional<T> fastLookup(QByteArrayView cell, const std::array<T, N> &values,
                            QString (*nameOf)(T))
{
    static const auto names = [&] {
        std::array<QString, N> out;
        for (size_t i = 0; i < N; ++i)
            out[i] = nameOf(values[i]);
        return out;
    }();
    const QByteArrayView bytes = bytesOf(cell);
    for (size_t i = 0; i < N; ++i)
        if (sameAscii(bytes, names[i]))
            return values[i];
    return std::nullopt;
}

std::optional<Category> categoryOf(QByteArrayView cell)
{
    static const auto categories = [] {
        std::array<Category, CategoryCount> out{};
        const QList<Category> all = allCategories();
        for (int i = 0; i < CategoryCount; ++i)
            out[size_t(i)] = all.at(i);
        return out;
    }();
    if (auto c = fastLookup(cell, categories, &categoryName))
        return c;
    return categoryFromName(textOf(cell)); // non-ASCII spaces and the like
}

std::optional<Action> actionOf(QByteArrayView cell)
{
    if (auto a = fastLookup(cell, ActionList, &actionName))
        return a;
    return actionFromName(textOf(cell));
}

// A canonical base64 ImmutableId (22 data characters, "==", no stray bits): what
// ImmutableId::parse accepts as base64 and returns unchanged, checked without a copy.
bool isCanonicalBase64Anchor(QByteArrayView b)
{
    if (b.size() != 24 || b.at(22) != '=' || b.at(23) != '=')
        return false;
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    };
    for (int i = 0; i < 22; ++i)
        if (value(b.at(i)) < 0)
            return false;
    return (value(b.at(21)) & 0x0f) == 0; // 132 bits carry 128
}

// The actions named in an allowed_actions cell ("none stamp", also with ; | or commas).
// false with the unknown name.
bool actionsOf(QByteArrayView cell, QList<Action> *actions, QString *unknown)
{
    const QByteArrayView b = Csv::unguardCell(cell);
    qsizetype i = 0;
    while (i < b.size()) {
        auto separator = [](char c) {
            return isAsciiSpace(c) || c == ';' || c == '|' || c == ',';
        };
        while (i < b.size() && separator(b.at(i)))
            ++i;
        const qsizetype from = i;
        while (i < b.size() && !separator(b.at(i)))
            ++i;
        if (i == from)
            break;
        const QByteArrayView name = b.sliced(from, i - from);
        const auto a = fastLookup(name, ActionList, &actionName);
        if (!a) {
            *unknown = Csv::fromUtf8(name);
            return false;
        }
        if (!actions->contains(*a))
            actions->append(*a);
    }
    return true;
}

YesNo yesNoOf(QByteArrayView cell)
{
    const QByteArrayView b = bytesOf(cell);
    if (b.size() <= 5) {
        const QLatin1StringView t(b);
        if (t.isEmpty())
            return YesNo::Unknown;
        for (const char *yes : {"yes", "true", "1", "y"})
            if (t.compare(QLatin1StringView(yes), Qt::CaseInsensitive) == 0)
                return YesNo::Yes;
        for (const char *no : {"no", "false", "0", "n"})
            if (t.compare(QLatin1StringView(no), Qt::CaseInsensitive) == 0)
                return YesNo::No;
    }
    return parseYesNo(textOf(cell));
}

} // namespace

int Plan::indexOfRow(int rowId) const
{
    for (int i = 0; i < size(); ++i)
        if (m_rows.at(i).rowId == rowId)
            return i;
    return -1;
}

Plan::Choice Plan::chooseAction(Finding &row, Action action, QString *error)
{
    if (!row.allows(action)) {
        if (error) {
            QStringList titles;
            for (Action a : std::as_const(row.allowedActions))
                titles << QStringLiteral("%1 (%2)").arg(actionTitle(a), actionName(a));
            *error = tr("Row %1 (%2) does not allow “%3”; it allows only: %4.")
                         .arg(row.rowId)
                         .arg(categoryTitle(row.category), actionTitle(action),
                              titles.join(QStringLiteral(", ")));
        }
        return Choice::Refused;
    }
    if (row.action == action)
        return Choice::Unchanged;
    row.action = action;
    row.approved = false; // an approval is for the action it was given for
    return Choice::Changed;
}

Plan::Choice Plan::chooseApproval(Finding &row, bool approved, QString *error)
{
    if (!takesApproval(row)) {
        if (error)
            *error = tr("Row %1 (%2) needs no approval.")
                         .arg(row.rowId)
                         .arg(categoryTitle(row.category));
        return Choice::Refused;
    }
    if (row.approved == approved)
        return Choice::Unchanged;
    row.approved = approved;
    return Choice::Changed;
}

bool Plan::setAction(int index, Action action, QString *error)
{
    return chooseAction(m_rows[index], action, error) != Choice::Refused;
}

bool Plan::setApproved(int index, bool approved, QString *error)
{
    return chooseApproval(m_rows[index], approved, error) != Choice::Refused;
}

QList<Finding> Plan::executableRows() const
{
    QList<Finding> out;
    for (const Finding &f : m_rows)
        if (f.isExecutable())
            out.append(f);
    return out;
}

int Plan::countByCategory(Category category) const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [category](const Finding &f) { return f.category == category; }));
}

QStringList Plan::csvHeader()
{
    return {QStringLiteral("row_id"),
            QStringLiteral("category"),
            QStringLiteral("severity"),
            QStringLiteral("onprem_dn"),
            QStringLiteral("onprem_upn"),
            QStringLiteral("onprem_guid"),
            QStringLiteral("expected_immutable_id"),
            QStringLiteral("cloud_id"),
            QStringLiteral("cloud_upn"),
            QStringLiteral("cloud_immutable_id"),
            QStringLiteral("cloud_sync_enabled"),
            QStringLiteral("deleted_holder_id"),
            QStringLiteral("action"),
            QStringLiteral("requires_approval"),
            QStringLiteral("approved"),
            QStringLiteral("reason"),
            QStringLiteral("allowed_actions"),
            QStringLiteral("row_check"),
            QStringLiteral("tenant_id"),
            QStringLiteral("scanned_at_utc"),
            QStringLiteral("sync_errors")};
}

void Plan::setScan(const QString &tenantId, const QDateTime &scannedAtUtc)
{
    m_tenantId = tenantId;
    // Whole seconds: what plan.csv keeps.
    m_scannedAt = scannedAtUtc.isValid()
                      ? QDateTime::fromSecsSinceEpoch(scannedAtUtc.toSecsSinceEpoch(), Qt::UTC)
                      : QDateTime();
}

QString Plan::rowCheck(const Finding &f, const QString &tenantId)
{
    const QChar sep(0x1f); // unit separator: in no cell a scan writes
    const QString facts = QStringList{QString::number(f.rowId),
                                      categoryName(f.category),
                                      f.onPremDn,
                                      f.onPremUpn,
                                      f.onPremGuid(),
                                      f.expectedImmutableId(),
                                      f.cloudId,
                                      f.cloudUpn,
                                      f.cloudImmutableId,
                                      yesNo(f.cloudSyncEnabled),
                                      f.deletedHolderId,
                                      actionList(f.allowedActions, QStringLiteral(" ")),
                                      yesNo(f.needsApproval()),
                                      tenantId}
                              .join(sep);
    const QByteArray digest = QCryptographicHash::hash(
        QByteArray(QByteArray("anchorfix-row-v1") + facts.toUtf8()), QCryptographicHash::Sha256);
    return QString::fromLatin1(digest.left(8).toHex());
}

void Plan::write(QTextStream &out) const
{
    out << Csv::formatRecord(csvHeader());
    for (const Finding &f : m_rows)
        out << csvRecord(f, m_tenantId, m_scannedAt);
}

QString Plan::csvRecord(const Finding &f, const QString &tenantId, const QDateTime &scannedAtUtc)
{
    return Csv::formatRecord(
        {QString::number(f.rowId),
         categoryName(f.category),
         severityName(f.severity),
         f.onPremDn,
         f.onPremUpn,
         f.onPremGuid(),
         f.expectedImmutableId(),
         f.cloudId,
         f.cloudUpn,
         f.cloudImmutableId,
         yesNo(f.cloudSyncEnabled),
         f.deletedHolderId,
         actionName(f.action),
         yesNo(f.needsApproval()),
         yesNo(f.approved),
         joinedReason(f),
         actionList(f.allowedActions, QStringLiteral(" ")),
         rowCheck(f, tenantId),
         tenantId,
         scannedAtUtc.isValid() ? scannedAtUtc.toUTC().toString(Qt::ISODate) : QString(),
         f.syncErrors.join(kSyncErrorSeparator)});
}

bool Plan::read(QTextStream &in, Plan *plan, QString *error, Rows rows)
{
    // QTextStream has decoded whatever the file was in; the reader works on UTF-8.
    QByteArray bytes = in.readAll().toUtf8();
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    return read(&buffer, plan, error, rows);
}

bool Plan::read(QIODevice *device, Plan *plan, QString *error, Rows mode, qsizetype *rowCount)
{
    // A spreadsheet's "Unicode text" is UTF-16: QTextStream decodes it, into UTF-8.
    if (const QByteArray bom = device->peek(2); bom == "\xff\xfe" || bom == "\xfe\xff") {
        QTextStream in(device);
        QByteArray bytes = in.readAll().toUtf8();
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::ReadOnly);
        return read(&buffer, plan, error, mode, rowCount);
    }
    Csv::ByteReader reader(device);
    std::vector<QByteArrayView> cells;
    auto fail = [&](int line, int column, const QString &what) {
        *error = tr("line %1, column %2: %3").arg(line).arg(column).arg(what);
        return false;
    };
    auto csvFailed = [&] {
        return fail(reader.errorLine(), reader.errorColumn(), reader.errorString());
    };

    if (!reader.readRecord(&cells)) {
        if (reader.hasError())
            return csvFailed();
        *error = tr("line 1: the file is empty; a plan starts with the header row %1.")
                     .arg(csvHeader().mid(0, RequiredColumnCount).join(u','));
        return false;
    }
    // Columns are found by name, so a spreadsheet that reorders or adds columns still works.
    const QStringList expected = csvHeader();
    QStringList header;
    for (QByteArrayView c : cells)
        header << Csv::fromUtf8(c);
    const qsizetype headerSize = header.size();
    int position[ColumnCount];
    for (int c = 0; c < ColumnCount; ++c) {
        position[c] = int(header.indexOf(expected.at(c)));
        if (position[c] < 0 && c < RequiredColumnCount)
            return fail(1, int(headerSize) + 1,
                        tr("the column \"%1\" is missing; the header must name all of: %2.")
                            .arg(expected.at(c), expected.mid(0, RequiredColumnCount).join(u',')));
    }

    QList<Finding> rows;
    std::vector<std::pair<int, int>> rowIds; // row_id, line: duplicates are found at the end
    qsizetype count = 0;
    bool firstRow = true;
    QByteArray tenantCell, scannedCell;
    QString tenantId;
    QDateTime scannedAt;
    QStringList notes;
    while (reader.readRecord(&cells)) {
        const int line = reader.recordLine();
        if (cells.size() == 1 && isBlank(cells.front()))
            continue; // a blank line, as editors leave at the end
        if (qsizetype(cells.size()) != headerSize)
            return fail(line, int(std::min(qsizetype(cells.size()), headerSize)),
                        tr("expected %1 cells like the header, found %2 (a comma inside a cell "
                           "needs quotes).")
                            .arg(headerSize)
                            .arg(cells.size()));
        ++count;
        auto has = [&](Column c) {
            return position[c] >= 0;
        };
        auto raw = [&](Column c) {
            return has(c) ? cells[size_t(position[c])] : QByteArrayView();
        };
        auto cell = [&](Column c) {
            return textOf(raw(c));
        };
        auto col = [&](Column c) {
            return position[c] + 1;
        };

        Finding f;
        bool ok = false;
        f.rowId = bytesOf(raw(RowId)).toInt(&ok);
        if (!ok)
            f.rowId = cell(RowId).toInt(&ok);
        if (!ok || f.rowId <= 0)
            return fail(line, col(RowId),
                        tr("row_id \"%1\" is not a positive number.").arg(cell(RowId)));
        rowIds.emplace_back(f.rowId, line);

        const auto category = categoryOf(raw(CategoryColumn));
        if (!category) {
            QStringList names;
            for (Category c : allCategories())
                names << categoryName(c);
            return fail(line, col(CategoryColumn),
                        tr("\"%1\" is not a category; use one of %2.")
                            .arg(cell(CategoryColumn), names.join(QStringLiteral(", "))));
        }
        f.category = *category;
        f.severity = baseSeverityFor(f.category);
        if (!isBlank(raw(SeverityColumn))) {
            static const std::array<Severity, 3> severities{Severity::Info, Severity::Warning,
                                                            Severity::Conflict};
            auto severity = fastLookup(raw(SeverityColumn), severities, &severityName);
            if (!severity)
                severity = severityFromName(cell(SeverityColumn));
            if (!severity)
                return fail(line, col(SeverityColumn),
                            tr("\"%1\" is not a severity; use info, warning or conflict.")
                                .arg(cell(SeverityColumn)));
            f.severity = *severity;
        }

        const auto action = actionOf(raw(ActionColumn));
        const bool keep =
            mode == Rows::All || (action && *action != Action::None && !isBlank(raw(CloudId)));
        QString expectedAnchor;
        const QByteArrayView expectedBytes = bytesOf(raw(ExpectedImmutableId));
        if (isCanonicalBase64Anchor(expectedBytes)) {
            // A row apply skips needs only to know there is one.
            expectedAnchor = keep ? QString::fromLatin1(expectedBytes) : QStringLiteral("x");
        } else if (!isBlank(raw(ExpectedImmutableId))) {
            QString why;
            const auto anchor = ImmutableId::parse(cell(ExpectedImmutableId), &why);
            if (!anchor)
                return fail(line, col(ExpectedImmutableId),
                            tr("expected_immutable_id is not a source anchor. %1").arg(why));
            expectedAnchor = anchor->toBase64(); // a GUID typed by hand is fine too
        }

        const YesNo syncEnabled = yesNoOf(raw(CloudSyncEnabled));
        if (syncEnabled == YesNo::Invalid)
            return fail(line, col(CloudSyncEnabled),
                        tr("\"%1\" is not yes or no.").arg(cell(CloudSyncEnabled)));
        const YesNo needsApproval = yesNoOf(raw(RequiresApproval));
        const YesNo approved = yesNoOf(raw(Approved));

        // Every row of a plan comes from one scan of one tenant.
        const QByteArrayView tenantBytes = bytesOf(raw(TenantId));
        const QByteArrayView scannedBytes = bytesOf(raw(ScannedAtUtc));
        if (firstRow) {
            firstRow = false;
            tenantCell = tenantBytes.toByteArray();
            scannedCell = scannedBytes.toByteArray();
            tenantId = cell(TenantId);
            if (!cell(ScannedAtUtc).isEmpty()) {
                scannedAt = QDateTime::fromString(cell(ScannedAtUtc), Qt::ISODate);
                if (!scannedAt.isValid())
                    return fail(line, col(ScannedAtUtc),
                                tr("scanned_at_utc \"%1\" is not a date and time like "
                                   "2026-11-30T08:15:00Z.")
                                    .arg(cell(ScannedAtUtc)));
            }
        } else if (tenantBytes != tenantCell) {
            return fail(line, col(TenantId),
                        tr("tenant_id \"%1\" differs from the first row's \"%2\"; a plan "
                           "belongs to one tenant.")
                            .arg(cell(TenantId), tenantId));
        } else if (scannedBytes != scannedCell) {
            return fail(line, col(ScannedAtUtc),
                        tr("scanned_at_utc \"%1\" differs from the first row's \"%2\"; a plan "
                           "comes from one scan.")
                            .arg(cell(ScannedAtUtc), Csv::fromUtf8(scannedCell)));
        }

        // A row kept needs every cell as text; a row apply skips only needs checking.
        f.setExpectedImmutableId(expectedAnchor);
        if (keep) {
            f.onPremDn = cell(OnPremDn);
            f.onPremUpn = cell(OnPremUpn);
            f.setOnPremGuid(cell(OnPremGuid));
            f.cloudId = cell(CloudId);
            f.cloudUpn = cell(CloudUpn);
            f.cloudImmutableId = cell(CloudImmutableId);
            f.deletedHolderId = cell(DeletedHolderId);
            f.setReason(Csv::fromUtf8(Csv::unguardCell(raw(Reason))));
            if (!isBlank(raw(SyncErrors)))
                f.syncErrors = Csv::fromUtf8(Csv::unguardCell(raw(SyncErrors)))
                                   .split(kSyncErrorSeparator, Qt::SkipEmptyParts);
        } else {
            // Only whether they are empty matters below.
            auto marker = [&](Column c) {
                return isBlank(raw(c)) ? QString() : QStringLiteral("x");
            };
            f.onPremDn = marker(OnPremDn);
            f.onPremUpn = marker(OnPremUpn);
            f.setOnPremGuid(marker(OnPremGuid));
            f.cloudId = marker(CloudId);
            f.deletedHolderId = marker(DeletedHolderId);
            // Whether adopt_cloud_anchor is allowed depends on the cloud anchor itself.
            if (f.category == Category::AnchorMismatch || f.category == Category::SyncedObject)
                f.cloudImmutableId = cell(CloudImmutableId);
            // … and copy_objectguid on whether the anchor is the objectGUID.
            if (f.category == Category::InSync)
                f.setOnPremGuid(cell(OnPremGuid));
        }
        if (syncEnabled != YesNo::Unknown)
            f.cloudSyncEnabled = syncEnabled == YesNo::Yes;

        // What the category allows for this row; allowed_actions may narrow it, never widen.
        QList<Action> allowed = allowedActionsFor(f.category);
        if (Recheck::isOnPremRow(f) && !f.hasExpectedImmutableId())
            allowed.removeAll(Action::Stamp); // nothing to stamp
        if (f.canAdoptCloudAnchor())
            allowed.append(Action::AdoptCloudAnchor);
        if (f.canClearObjectIdentifier())
            allowed.append(Action::ClearObjectIdentifier);
        if (f.canCopyObjectGuid())
            allowed.append(Action::CopyObjectGuid);
        if (!isBlank(raw(AllowedActions))) {
            QList<Action> listed;
            QString unknown;
            if (!actionsOf(raw(AllowedActions), &listed, &unknown))
                return fail(line, col(AllowedActions),
                            tr("\"%1\" in allowed_actions is not an action; use %2.")
                                .arg(unknown, actionList(allowed)));
            for (Action a : listed)
                if (!allowed.contains(a))
                    return fail(
                        line, col(AllowedActions),
                        tr("allowed_actions lists %1, which %2 does not allow for this "
                           "row (%3); a plan can only narrow what a category allows.")
                            .arg(actionName(a), categoryName(f.category), actionList(allowed)));
            // Narrowed (none always stays); the shared list is copied only when it changes.
            if (std::any_of(allowed.cbegin(), allowed.cend(),
                            [&](Action a) { return a != Action::None && !listed.contains(a); }))
                allowed.removeIf(
                    [&](Action a) { return a != Action::None && !listed.contains(a); });
        } else if (action != Action::ClearObjectIdentifier)
            // Without allowed_actions (an older plan) the clear is allowed only where the
            // row chose it: whether the user has onPremisesObjectIdentifier set is not in
            // the file, and an older scan did not offer it.
            allowed.removeAll(Action::ClearObjectIdentifier);
        f.allowedActions = allowed;

        if (!action)
            return fail(line, col(ActionColumn),
                        tr("\"%1\" is not an action; use %2.")
                            .arg(cell(ActionColumn), actionList(f.allowedActions)));
        if (!f.allows(*action))
            return fail(line, col(ActionColumn),
                        tr("the action \"%1\" is not allowed for %2; use %3.")
                            .arg(cell(ActionColumn), categoryName(f.category),
                                 actionList(f.allowedActions)));
        f.action = *action;
        if (f.action == Action::PurgeDeleted && f.deletedHolderId.isEmpty())
            return fail(line, col(DeletedHolderId),
                        tr("purge_deleted needs the deleted_holder_id of the recycle-bin user."));
        if (f.action != Action::None && f.cloudId.isEmpty()) {
            // No cloud user to change: this row is refused, the others still run.
            const QString note = tr("Row %1 (line %2) is left out: the action %3 needs a "
                                    "cloud_id, and the row has none. Scan again to get it.")
                                     .arg(f.rowId)
                                     .arg(line)
                                     .arg(actionName(f.action));
            notes << note;
            f.warnings << note;
            f.action = Action::None;
        }

        if (needsApproval == YesNo::Invalid)
            return fail(line, col(RequiresApproval),
                        tr("\"%1\" is not yes or no.").arg(cell(RequiresApproval)));
        if (approved == YesNo::Invalid)
            return fail(line, col(Approved), tr("\"%1\" is not yes or no.").arg(cell(Approved)));
        // A file cannot lift the approval a category needs.
        f.requiresApproval = categoryNeedsApproval(f.category) || needsApproval == YesNo::Yes ||
                             f.action == Action::ClearObjectIdentifier; // irreversible
        f.approved = approved == YesNo::Yes;

        if (f.action != Action::None) {
            // The category must fit the facts the row records (a relabelled row does not).
            const auto derived = Recheck::derive(f, CloudUserFacts::fromRow(f));
            if (derived && derived->category != f.category)
                return fail(line, col(CategoryColumn),
                            tr("the category %1 does not fit this row, whose cells say %2 "
                               "(cloud_immutable_id \"%3\", cloud_sync_enabled \"%4\"). Scan "
                               "again rather than relabel a row.")
                                .arg(categoryName(f.category), categoryName(derived->category),
                                     f.cloudImmutableId, cell(CloudSyncEnabled)));
            // A row whose check does not match was edited beyond action and approval: it
            // runs only once a person approves it, whatever its category says.
            if (!has(RowCheck) ||
                cell(RowCheck).compare(rowCheck(f, tenantId), Qt::CaseInsensitive) != 0)
                f.requiresApproval = true;
        }
        if (keep)
            rows.append(f);
    }
    if (reader.hasError())
        return csvFailed();
    std::stable_sort(rowIds.begin(), rowIds.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (size_t i = 1; i < rowIds.size(); ++i)
        if (rowIds[i].first == rowIds[i - 1].first)
            return fail(rowIds[i].second, position[RowId] + 1,
                        tr("row_id %1 appears twice.").arg(rowIds[i].first));
    *plan = Plan(rows);
    plan->setScan(tenantId, scannedAt);
    plan->m_notes = notes;
    if (rowCount)
        *rowCount = count;
    return true;
}
