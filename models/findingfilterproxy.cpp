#include "findingfilterproxy.h"

#include "findingtablemodel.h"

FindingFilterProxy::FindingFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FindingFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_findings = qobject_cast<const FindingTableModel *>(model);
    Q_ASSERT_X(!model || m_findings, "FindingFilterProxy",
               "the source must be a FindingTableModel");
    QSortFilterProxyModel::setSourceModel(model);
}

void FindingFilterProxy::setCategories(const QSet<Category> &categories)
{
    if (categories == m_categories)
        return;
    m_categories = categories;
    refilter();
}

void FindingFilterProxy::setSeverities(const QSet<Severity> &severities)
{
    if (severities == m_severities)
        return;
    m_severities = severities;
    refilter();
}

void FindingFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_searchText)
        return;
    m_searchText = trimmed;
    refilter();
}

void FindingFilterProxy::setExecutableOnly(bool executableOnly)
{
    if (executableOnly == m_executableOnly)
        return;
    m_executableOnly = executableOnly;
    refilter();
}

void FindingFilterProxy::refilter()
{
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

QList<int> FindingFilterProxy::sourceRows(const QModelIndexList &proxyIndexes) const
{
    QList<int> rows;
    QSet<int> seen;
    for (const QModelIndex &index : proxyIndexes) {
        const int row = mapToSource(index).row();
        if (row >= 0 && !seen.contains(row)) {
            seen.insert(row);
            rows.append(row);
        }
    }
    return rows;
}

bool FindingFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_findings || sourceParent.isValid())
        return false;
    const Finding &f = m_findings->finding(sourceRow);
    if (!m_categories.isEmpty() && !m_categories.contains(f.category))
        return false;
    if (!m_severities.isEmpty() && !m_severities.contains(f.severity))
        return false;
    if (m_executableOnly && !f.isExecutable())
        return false;
    if (m_searchText.isEmpty())
        return true;
    const auto has = [this](const QString &s) {
        return s.contains(m_searchText, Qt::CaseInsensitive);
    };
    return has(f.onPremUpn) || has(f.cloudUpn) || has(f.onPremDn) || has(f.cloudId) ||
           has(f.expectedImmutableId) || has(f.cloudImmutableId) || has(f.onPremGuid) ||
           has(categoryName(f.category)) || has(categoryTitle(f.category)) || has(f.reason);
}

bool FindingFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_findings)
        return QSortFilterProxyModel::lessThan(left, right);
    const Finding &a = m_findings->finding(left.row());
    const Finding &b = m_findings->finding(right.row());
    const auto text = [](const QString &x, const QString &y) {
        const int c = x.compare(y, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : false;
    };
    using C = FindingTableModel::Column;
    switch (C(left.column())) {
    case C::Category:
        // Most serious first in an ascending sort, then by category.
        if (a.severity != b.severity)
            return int(a.severity) > int(b.severity);
        if (a.category != b.category)
            return int(a.category) < int(b.category);
        break;
    case C::OnPremUpn:
        if (a.onPremUpn.compare(b.onPremUpn, Qt::CaseInsensitive) != 0)
            return text(a.onPremUpn, b.onPremUpn);
        break;
    case C::CloudUpn:
        if (a.cloudUpn.compare(b.cloudUpn, Qt::CaseInsensitive) != 0)
            return text(a.cloudUpn, b.cloudUpn);
        break;
    case C::CloudImmutableId:
        if (a.cloudImmutableId != b.cloudImmutableId)
            return a.cloudImmutableId < b.cloudImmutableId;
        break;
    case C::ExpectedImmutableId:
        if (a.expectedImmutableId != b.expectedImmutableId)
            return a.expectedImmutableId < b.expectedImmutableId;
        break;
    case C::Action:
        if (a.action != b.action)
            return int(a.action) < int(b.action);
        break;
    case C::Approval: {
        // Pending approvals first, then approved, then rows that need none.
        const auto rank = [](const Finding &f) {
            return f.requiresApproval ? (f.approved ? 1 : 0) : 2;
        };
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
        break;
    }
    case C::Count:
        break;
    }
    return a.rowId < b.rowId; // stable tie-break
}
