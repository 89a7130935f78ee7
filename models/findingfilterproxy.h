#pragma once

#include "finding.h"

#include <QByteArray>
#include <QByteArrayMatcher>
#include <QHash>
#include <QList>
#include <QSet>
#include <QSortFilterProxyModel>

class FindingTableModel;

// Filters and sorts a FindingTableModel: by category, by severity and by free text
// (case-insensitive, over both UPNs, the DN, the cloud id, the objectGUID, both
// ImmutableIds, the category and the reason). Reads the findings straight from the source
// model, so 200k rows sort and filter without building a QVariant per comparison:
// columns that change only when the model is reset are ranked once (a sort is then an
// int comparison on a contiguous array), and the searchable text of every row is
// case-folded once, on the first search after a reset.
class FindingFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FindingFilterProxy(QObject *parent = nullptr);

    // Must be a FindingTableModel.
    void setSourceModel(QAbstractItemModel *model) override;

    // An empty set shows every category / severity.
    void setCategories(const QSet<Category> &categories);
    QSet<Category> categories() const { return m_categories; }
    void setSeverities(const QSet<Severity> &severities);
    QSet<Severity> severities() const { return m_severities; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_searchText; }
    // Show only rows that would run (action set and, if flagged, approved)?
    void setExecutableOnly(bool executableOnly);
    bool isExecutableOnly() const { return m_executableOnly; }
    // Show only rows the sync engine reports errors for (onPremisesProvisioningErrors)?
    void setSyncErrorsOnly(bool syncErrorsOnly);
    bool isSyncErrorsOnly() const { return m_syncErrorsOnly; }

    // From this many rows on, a sorted proxy does not re-sort inside a model reset: the
    // rows appear in model order and are sorted two events later (first the ranks, then
    // the sort), so that no single step blocks the event loop long. Default 20,000.
    void setDeferredSortThreshold(int rows) { m_deferThreshold = rows; }
    bool isSortDeferred() const { return m_deferredColumn >= 0; }

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Source rows of the given proxy indexes (unique, in proxy order).
    QList<int> sourceRows(const QModelIndexList &proxyIndexes) const;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void refilter();
    void clearCaches();
    void onFindingsAboutToBeReplaced(int newRowCount);
    void resumeDeferredSort();
    // The position of each source row in the ascending order of a static column (the
    // tie-break is the source row), or nullptr for columns that change (action, approval).
    const QList<int> *rankFor(int column) const;    // through the one-column cache below
    const QList<int> *rankingFor(int column) const; // finds or builds the column's ranks
    const QList<QByteArray> &haystacks() const;

    const FindingTableModel *m_findings = nullptr;
    QSet<Category> m_categories;
    QSet<Severity> m_severities;
    QString m_searchText;
    QByteArrayMatcher m_needle; // case-folded UTF-8 of m_searchText
    mutable QHash<int, QList<int>> m_ranks;
    // The column a sort asked for last: a 500k-row sort asks ~10M times, a hash lookup
    // each time cost a third of it.
    mutable int m_lastRankColumn = -1;
    mutable const QList<int> *m_lastRank = nullptr;
    mutable QList<QByteArray> m_haystacks;
    bool m_executableOnly = false;
    bool m_syncErrorsOnly = false;
    int m_deferThreshold = 20000;
    int m_deferredColumn = -1;
    Qt::SortOrder m_deferredOrder = Qt::AscendingOrder;
};
