#include "plan.h"

#include "csv.h"
#include "immutableid.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

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
    ColumnCount
};

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
    QString text = f.reason;
    for (const QString &warning : f.warnings)
        text += u' ' + tr("Warning: %1").arg(warning);
    return text;
}

QString actionList(const QList<Action> &actions)
{
    QStringList names;
    for (Action a : actions)
        names << actionName(a);
    return names.join(QStringLiteral(", "));
}

} // namespace

int Plan::indexOfRow(int rowId) const
{
    for (int i = 0; i < size(); ++i)
        if (m_rows.at(i).rowId == rowId)
            return i;
    return -1;
}

bool Plan::setAction(int index, Action action, QString *error)
{
    Finding &row = m_rows[index];
    if (!row.allows(action)) {
        if (error)
            *error = tr("Row %1 (%2) allows only: %3.")
                         .arg(row.rowId)
                         .arg(categoryName(row.category), actionList(row.allowedActions));
        return false;
    }
    row.action = action;
    return true;
}

void Plan::setApproved(int index, bool approved)
{
    m_rows[index].approved = approved;
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
            QStringLiteral("reason")};
}

void Plan::write(QTextStream &out) const
{
    out << Csv::formatRecord(csvHeader());
    for (const Finding &f : m_rows) {
        out << Csv::formatRecord(
            {QString::number(f.rowId), categoryName(f.category), severityName(f.severity),
             f.onPremDn, f.onPremUpn, f.onPremGuid, f.expectedImmutableId, f.cloudId, f.cloudUpn,
             f.cloudImmutableId, yesNo(f.cloudSyncEnabled), f.deletedHolderId, actionName(f.action),
             yesNo(f.requiresApproval), yesNo(f.approved), joinedReason(f)});
    }
}

bool Plan::read(QTextStream &in, Plan *plan, QString *error)
{
    Csv::Reader reader(in);
    QStringList cells;
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
                     .arg(csvHeader().join(u','));
        return false;
    }
    // Columns are found by name, so a spreadsheet that reorders or adds columns still works.
    const QStringList expected = csvHeader();
    const qsizetype headerSize = cells.size();
    int position[ColumnCount];
    for (int c = 0; c < ColumnCount; ++c) {
        position[c] = int(cells.indexOf(expected.at(c)));
        if (position[c] < 0)
            return fail(1, int(cells.size()) + 1,
                        tr("the column \"%1\" is missing; the header must name all of: %2.")
                            .arg(expected.at(c), expected.join(u',')));
    }

    QList<Finding> rows;
    QSet<int> rowIds;
    while (reader.readRecord(&cells)) {
        const int line = reader.recordLine();
        if (cells.size() == 1 && cells.first().trimmed().isEmpty())
            continue; // a blank line, as editors leave at the end
        if (cells.size() != headerSize)
            return fail(line, int(std::min(cells.size(), headerSize)),
                        tr("expected %1 cells like the header, found %2 (a comma inside a cell "
                           "needs quotes).")
                            .arg(headerSize)
                            .arg(cells.size()));
        auto cell = [&](Column c) {
            return Csv::unguardCell(cells.value(position[c])).trimmed();
        };
        auto col = [&](Column c) {
            return position[c] + 1;
        };

        Finding f;
        bool ok = false;
        f.rowId = cell(RowId).toInt(&ok);
        if (!ok || f.rowId <= 0)
            return fail(line, col(RowId),
                        tr("row_id \"%1\" is not a positive number.").arg(cell(RowId)));
        if (rowIds.contains(f.rowId))
            return fail(line, col(RowId), tr("row_id %1 appears twice.").arg(f.rowId));
        rowIds.insert(f.rowId);

        const auto category = categoryFromName(cell(CategoryColumn));
        if (!category) {
            QStringList names;
            for (Category c : allCategories())
                names << categoryName(c);
            return fail(line, col(CategoryColumn),
                        tr("\"%1\" is not a category; use one of %2.")
                            .arg(cell(CategoryColumn), names.join(QStringLiteral(", "))));
        }
        f.category = *category;
        f.allowedActions = allowedActionsFor(f.category);
        f.severity = baseSeverityFor(f.category);
        if (!cell(SeverityColumn).isEmpty()) {
            const auto severity = severityFromName(cell(SeverityColumn));
            if (!severity)
                return fail(line, col(SeverityColumn),
                            tr("\"%1\" is not a severity; use info, warning or conflict.")
                                .arg(cell(SeverityColumn)));
            f.severity = *severity;
        }

        f.onPremDn = cell(OnPremDn);
        f.onPremUpn = cell(OnPremUpn);
        f.onPremGuid = cell(OnPremGuid);
        f.expectedImmutableId = cell(ExpectedImmutableId);
        f.cloudId = cell(CloudId);
        f.cloudUpn = cell(CloudUpn);
        f.cloudImmutableId = cell(CloudImmutableId);
        f.deletedHolderId = cell(DeletedHolderId);
        f.reason = Csv::unguardCell(cells.value(position[Reason]));

        if (!f.expectedImmutableId.isEmpty()) {
            QString why;
            const auto anchor = ImmutableId::parse(f.expectedImmutableId, &why);
            if (!anchor)
                return fail(line, col(ExpectedImmutableId),
                            tr("expected_immutable_id is not a source anchor. %1").arg(why));
            f.expectedImmutableId = anchor->toBase64(); // a GUID typed by hand is fine too
        } else if (!f.onPremDn.isEmpty() || !f.onPremUpn.isEmpty()) {
            f.allowedActions.removeAll(Action::Stamp);
        }

        const YesNo syncEnabled = parseYesNo(cell(CloudSyncEnabled));
        if (syncEnabled == YesNo::Invalid)
            return fail(line, col(CloudSyncEnabled),
                        tr("\"%1\" is not yes or no.").arg(cell(CloudSyncEnabled)));
        if (syncEnabled != YesNo::Unknown)
            f.cloudSyncEnabled = syncEnabled == YesNo::Yes;

        if (f.canAdoptCloudAnchor())
            f.allowedActions.append(Action::AdoptCloudAnchor);
        const auto action = actionFromName(cell(ActionColumn));
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
        if ((f.action == Action::Stamp || f.action == Action::Clear ||
             f.action == Action::PurgeDeleted) &&
            f.cloudId.isEmpty())
            return fail(line, col(CloudId),
                        tr("the action %1 needs a cloud_id.").arg(actionName(f.action)));

        const YesNo needsApproval = parseYesNo(cell(RequiresApproval));
        if (needsApproval == YesNo::Invalid)
            return fail(line, col(RequiresApproval),
                        tr("\"%1\" is not yes or no.").arg(cell(RequiresApproval)));
        // A file cannot lift the approval a category needs.
        f.requiresApproval = categoryNeedsApproval(f.category) || needsApproval == YesNo::Yes;

        const YesNo approved = parseYesNo(cell(Approved));
        if (approved == YesNo::Invalid)
            return fail(line, col(Approved), tr("\"%1\" is not yes or no.").arg(cell(Approved)));
        f.approved = approved == YesNo::Yes;
        rows.append(f);
    }
    if (reader.hasError())
        return csvFailed();
    *plan = Plan(rows);
    return true;
}
