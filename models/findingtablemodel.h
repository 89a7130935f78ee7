#pragma once

#include "finding.h"
#include "plan.h"

#include <QAbstractTableModel>
#include <QList>

#include <array>
#include <optional>

// The findings of a plan as a table: one row per Finding. The action and the approval
// are editable; everything else is read-only. QtCore only (no colours, no icons): the
// view decides how a row looks, through UnderlyingDataRole.
//
// The rules for a person's choices are Plan's (Plan::chooseAction/chooseApproval): the
// table asks them and only reports what changed.
class FindingTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Column {
        Category,
        OnPremUpn,
        CloudUpn,
        CloudImmutableId,    // current value in the cloud
        ExpectedImmutableId, // the anchor the on-prem user yields
        Action,
        Approval,
        Count
    };
    // Raw values: Category/Action as int, ImmutableIds and UPNs as QString, approval as
    // bool (or an invalid QVariant on rows that need no approval).
    static constexpr int UnderlyingDataRole = Qt::UserRole;
    // The row's Finding::rowId, on every column.
    static constexpr int RowIdRole = Qt::UserRole + 1;
    // The actions the row allows, as a QList<int> of Action values (any column).
    static constexpr int AllowedActionsRole = Qt::UserRole + 2;
    // The row's Severity as int (any column), for views that colour rows.
    static constexpr int SeverityRole = Qt::UserRole + 3;

    explicit FindingTableModel(QObject *parent = nullptr);
    ~FindingTableModel() override;

    void setFindings(QList<Finding> findings);
    void setPlan(const Plan &plan) { setFindings(plan.rows()); }
    const QList<Finding> &findings() const { return m_rows; }
    Plan plan() const { return Plan(m_rows); }
    const Finding &finding(int row) const { return m_rows.at(row); }

    // Change one row; false (and a message an admin can act on) when not allowed.
    bool setAction(int row, Action action, QString *error = nullptr);
    bool setApproved(int row, bool approved, QString *error = nullptr);
    // Bulk changes; rows that do not allow the change are skipped. Returns how many
    // rows changed.
    int setActionForRows(const QList<int> &rows, Action action);
    int setApprovedForRows(const QList<int> &rows, bool approved);

    int countByCategory(Category category) const { return m_categoryCounts[size_t(category)]; }
    int executableCount() const;
    int countByAction(Action action, bool executableOnly = true) const;
    // Flagged rows with an action that still wait for an approval.
    int pendingApprovalCount() const;

    static QString columnTitle(Column column);
    static QString actionTitle(Action action); // ::actionTitle(), for the views
    // One line for the confirm step: who changes, how, old → new value; irreversible
    // changes (purge, clear of onPremisesObjectIdentifier) say so.
    // "alice@contoso.com — Stamp ImmutableId: onPremisesImmutableId (none) → h9RU…".
    static QString changeLine(const Finding &f);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

Q_SIGNALS:
    // An action or an approval changed (one or many rows): totals may have changed.
    void choicesChanged();
    // The rows are about to be replaced, moved (a shared list copied on an edit) or freed:
    // a reader on another thread must stop reading them in place (FindingFilterProxy).
    void storageAboutToChange();

private:
    Finding &editable(int row); // m_rows[row], telling readers first if the rows move
    bool applyAction(int row, Action action, QString *error);
    bool applyApproved(int row, bool approved, QString *error);
    void emitRowsChanged(QList<int> rows, Column first, Column last);

    // The counts behind the totals, worked out in one pass when first asked for after a
    // change (the Review page asks for several at a time, over 500k rows).
    struct ChoiceTally
    {
        std::array<int, ActionList.size()> byAction{};
        std::array<int, ActionList.size()> executableByAction{};
        int executable = 0;
        int pendingApproval = 0;
    };
    const ChoiceTally &tally() const;

    QList<Finding> m_rows;
    std::array<int, CategoryCount> m_categoryCounts{};
    mutable std::optional<ChoiceTally> m_tally; // reset by every edit and every new set
};
