#include "findingtablemodel.h"

#include <algorithm>

FindingTableModel::FindingTableModel(QObject *parent) : QAbstractTableModel(parent) {}

FindingTableModel::~FindingTableModel()
{
    Q_EMIT storageAboutToChange();
}

Finding &FindingTableModel::editable(int row)
{
    m_tally.reset();
    if (!m_rows.isDetached())
        Q_EMIT storageAboutToChange(); // the edit copies the shared rows to a new place
    return m_rows[row];
}

void FindingTableModel::setFindings(QList<Finding> findings)
{
    Q_EMIT storageAboutToChange();
    beginResetModel();
    m_rows = std::move(findings);
    m_tally.reset();
    m_categoryCounts.fill(0);
    for (const Finding &f : std::as_const(m_rows))
        ++m_categoryCounts[size_t(f.category)];
    endResetModel();
    Q_EMIT choicesChanged();
}

QString FindingTableModel::columnTitle(Column column)
{
    switch (column) {
    case Column::Category:
        return tr("Category");
    case Column::OnPremUpn:
        return tr("On-prem UPN");
    case Column::CloudUpn:
        return tr("Cloud UPN");
    case Column::CloudImmutableId:
        return tr("Current ImmutableId");
    case Column::ExpectedImmutableId:
        return tr("Expected ImmutableId");
    case Column::Action:
        return tr("Action");
    case Column::Approval:
        return tr("Approved");
    case Column::Count:
        break;
    }
    return {};
}

QString FindingTableModel::actionTitle(Action action)
{
    return ::actionTitle(action);
}

QString FindingTableModel::changeLine(const Finding &f)
{
    const auto value = [](const QString &v) {
        return v.isEmpty() ? tr("(none)") : v;
    };
    const QString anchor = tr("onPremisesImmutableId %1 → %2")
                               .arg(value(f.cloudImmutableId), value(f.expectedImmutableId()));
    const QString user = !f.cloudUpn.isEmpty()    ? f.cloudUpn
                         : !f.onPremUpn.isEmpty() ? f.onPremUpn
                                                  : f.cloudId;
    QString how;
    switch (f.action) {
    case Action::None:
        return {};
    case Action::Stamp:
        how = anchor;
        if (f.category == Category::FederatedDomain)
            how += u' ' + tr("(UPN switched to the initial domain and back)");
        break;
    case Action::Clear:
        how = tr("onPremisesImmutableId %1 → (none)").arg(value(f.cloudImmutableId));
        break;
    case Action::PurgeDeleted:
        how = tr("IRREVERSIBLE: purge recycle-bin user %1; then %2").arg(f.deletedHolderId, anchor);
        break;
    case Action::AdoptCloudAnchor:
        how = tr("AD %1: mS-DS-ConsistencyGuid → %2").arg(f.onPremDn, value(f.cloudImmutableId));
        break;
    case Action::ClearObjectIdentifier:
        how = tr("IRREVERSIBLE: onPremisesObjectIdentifier (set) → (none); then %1").arg(anchor);
        break;
    case Action::CopyObjectGuid:
        how = tr("AD %1: mS-DS-ConsistencyGuid (none) → %2 (its objectGUID)")
                  .arg(f.onPremDn, value(f.expectedImmutableId()));
        break;
    }
    return tr("%1 — %2: %3").arg(user, actionTitle(f.action), how);
}

int FindingTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FindingTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant FindingTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const Finding &f = m_rows.at(index.row());
    const auto column = Column(index.column());
    if (role == RowIdRole)
        return f.rowId;
    if (role == SeverityRole)
        return int(f.severity);
    if (role == AllowedActionsRole) {
        QList<int> allowed;
        for (Action a : f.allowedActions)
            allowed.append(int(a));
        return QVariant::fromValue(allowed);
    }

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Column::Category:
            return categoryTitle(f.category);
        case Column::OnPremUpn:
            return f.onPremUpn;
        case Column::CloudUpn:
            return f.cloudUpn;
        case Column::CloudImmutableId:
            return f.cloudImmutableId;
        case Column::ExpectedImmutableId:
            return f.expectedImmutableId();
        case Column::Action:
            return actionTitle(f.action);
        case Column::Approval:
            if (!Plan::takesApproval(f))
                return tr("not needed");
            return f.approved ? tr("approved") : tr("needs approval");
        case Column::Count:
            break;
        }
        break;
    case Qt::EditRole:
        if (column == Column::Action)
            return int(f.action);
        if (column == Column::Approval && Plan::takesApproval(f))
            return f.approved;
        break;
    case Qt::CheckStateRole:
        if (column == Column::Approval && Plan::takesApproval(f))
            return f.approved ? Qt::Checked : Qt::Unchecked;
        break;
    case Qt::ToolTipRole:
        if (column == Column::Category)
            return f.warnings.isEmpty() ? f.reason()
                                        : QString(f.reason() + u'\n' + f.warnings.join(u'\n'));
        if (column == Column::Action)
            return f.allowedActions.size() > 1
                       ? tr("Double-click or press F2 to choose another action.")
                       : tr("This category allows no change from Anchorfix.");
        if (column == Column::Approval && Plan::takesApproval(f))
            return tr("This row is flagged: it runs only once you approve it.");
        break;
    case UnderlyingDataRole:
        switch (column) {
        case Column::Category:
            return int(f.category);
        case Column::OnPremUpn:
            return f.onPremUpn;
        case Column::CloudUpn:
            return f.cloudUpn;
        case Column::CloudImmutableId:
            return f.cloudImmutableId;
        case Column::ExpectedImmutableId:
            return f.expectedImmutableId();
        case Column::Action:
            return int(f.action);
        case Column::Approval:
            return Plan::takesApproval(f) ? QVariant(f.approved) : QVariant();
        case Column::Count:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant FindingTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= int(Column::Count))
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return columnTitle(Column(section));
    return {};
}

Qt::ItemFlags FindingTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    const Finding &f = m_rows.at(index.row());
    const auto column = Column(index.column());
    if (column == Column::Action && f.allowedActions.size() > 1)
        flags |= Qt::ItemIsEditable;
    if (column == Column::Approval && Plan::takesApproval(f))
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

bool FindingTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return false;
    const int row = index.row();
    const auto column = Column(index.column());
    if (column == Column::Action && (role == Qt::EditRole || role == UnderlyingDataRole)) {
        std::optional<Action> action;
        if (value.typeId() == QMetaType::QString) {
            action = actionFromName(value.toString());
        } else {
            bool ok = false;
            const int n = value.toInt(&ok);
            if (ok && n >= 0 && n <= int(Action::CopyObjectGuid))
                action = Action(n);
        }
        return action && setAction(row, *action);
    }
    if (column == Column::Approval) {
        if (role == Qt::CheckStateRole)
            return setApproved(row, value.toInt() == Qt::Checked);
        if (role == Qt::EditRole || role == UnderlyingDataRole)
            return setApproved(row, value.toBool());
    }
    return false;
}

// The rules are Plan's: the table only asks, and reports what changed.
bool FindingTableModel::applyAction(int row, Action action, QString *error)
{
    return Plan::chooseAction(editable(row), action, error) == Plan::Choice::Changed;
}

bool FindingTableModel::applyApproved(int row, bool approved, QString *error)
{
    return Plan::chooseApproval(editable(row), approved, error) == Plan::Choice::Changed;
}

bool FindingTableModel::setAction(int row, Action action, QString *error)
{
    if (row < 0 || row >= m_rows.size()) {
        if (error)
            *error = tr("There is no row %1.").arg(row);
        return false;
    }
    switch (Plan::chooseAction(editable(row), action, error)) {
    case Plan::Choice::Refused:
        return false;
    case Plan::Choice::Unchanged:
        return true;
    case Plan::Choice::Changed:
        break;
    }
    emitRowsChanged({row}, Column::Action, Column::Approval);
    Q_EMIT choicesChanged();
    return true;
}

bool FindingTableModel::setApproved(int row, bool approved, QString *error)
{
    if (row < 0 || row >= m_rows.size()) {
        if (error)
            *error = tr("There is no row %1.").arg(row);
        return false;
    }
    switch (Plan::chooseApproval(editable(row), approved, error)) {
    case Plan::Choice::Refused:
        return false;
    case Plan::Choice::Unchanged:
        return true;
    case Plan::Choice::Changed:
        break;
    }
    emitRowsChanged({row}, Column::Approval, Column::Approval);
    Q_EMIT choicesChanged();
    return true;
}

int FindingTableModel::setActionForRows(const QList<int> &rows, Action action)
{
    QList<int> changed;
    for (int row : rows)
        if (row >= 0 && row < m_rows.size() && applyAction(row, action, nullptr))
            changed.append(row);
    if (!changed.isEmpty()) {
        emitRowsChanged(changed, Column::Action, Column::Approval);
        Q_EMIT choicesChanged();
    }
    return int(changed.size());
}

int FindingTableModel::setApprovedForRows(const QList<int> &rows, bool approved)
{
    QList<int> changed;
    for (int row : rows)
        if (row >= 0 && row < m_rows.size() && applyApproved(row, approved, nullptr))
            changed.append(row);
    if (!changed.isEmpty()) {
        emitRowsChanged(changed, Column::Approval, Column::Approval);
        Q_EMIT choicesChanged();
    }
    return int(changed.size());
}

void FindingTableModel::emitRowsChanged(QList<int> rows, Column first, Column last)
{
    // One dataChanged per run of consecutive rows keeps a bulk change of 200k rows cheap.
    std::sort(rows.begin(), rows.end());
    const QList<int> roles{Qt::DisplayRole, Qt::EditRole, Qt::CheckStateRole, UnderlyingDataRole};
    qsizetype i = 0;
    while (i < rows.size()) {
        qsizetype j = i;
        while (j + 1 < rows.size() && rows.at(j + 1) == rows.at(j) + 1)
            ++j;
        Q_EMIT dataChanged(index(rows.at(i), int(first)), index(rows.at(j), int(last)), roles);
        i = j + 1;
    }
}

const FindingTableModel::ChoiceTally &FindingTableModel::tally() const
{
    if (!m_tally) {
        ChoiceTally t;
        for (const Finding &f : m_rows) {
            const bool runs = f.isExecutable();
            ++t.byAction[size_t(f.action)];
            t.executableByAction[size_t(f.action)] += runs ? 1 : 0;
            t.executable += runs ? 1 : 0;
            t.pendingApproval += Plan::awaitsApproval(f) ? 1 : 0;
        }
        m_tally = t;
    }
    return *m_tally;
}

int FindingTableModel::executableCount() const
{
    return tally().executable;
}

int FindingTableModel::countByAction(Action action, bool executableOnly) const
{
    return (executableOnly ? tally().executableByAction : tally().byAction)[size_t(action)];
}

int FindingTableModel::pendingApprovalCount() const
{
    return tally().pendingApproval;
}
