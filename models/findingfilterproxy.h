#pragma once

#include "findingorder.h"

#include <QAbstractProxyModel>
#include <QList>
#include <QMutex>
#include <QSet>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

class FindingTableModel;

// Filters and sorts a FindingTableModel: by category, by severity and by free text
// (case-insensitive, over both UPNs, the DN, the cloud id, the objectGUID, both
// ImmutableIds, the category and the reason).
//
// A large table (from 20,000 rows on, see setBackgroundThreshold) is sorted and filtered on
// a worker thread: the view keeps its rows until the new order is ready, then takes it in
// one layout change, so a sort, a search or a reset of 500k rows never holds the event
// loop for long. isBusy() says a new order is on its way. A small table is sorted and
// filtered at once, as QSortFilterProxyModel would.
//
// The worker reads the findings in place, never a copy: the table tells the proxy
// (FindingTableModel::storageAboutToChange) before their storage moves, and the proxy
// stops the worker first.
class FindingFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
public:
    explicit FindingFilterProxy(QObject *parent = nullptr);
    ~FindingFilterProxy() override;

    // Must be a FindingTableModel.
    void setSourceModel(QAbstractItemModel *model) override;

    // An empty set shows every category / severity.
    void setCategories(const QSet<Category> &categories);
    QSet<Category> categories() const { return m_view.categories; }
    void setSeverities(const QSet<Severity> &severities);
    QSet<Severity> severities() const { return m_view.severities; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_searchText; }
    // Show only rows that would run (action set and, if flagged, approved)?
    void setExecutableOnly(bool executableOnly);
    bool isExecutableOnly() const { return m_view.executableOnly; }
    // Show only rows the sync engine reports errors for (onPremisesProvisioningErrors)?
    void setSyncErrorsOnly(bool syncErrorsOnly);
    bool isSyncErrorsOnly() const { return m_view.syncErrorsOnly; }

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_view.sortColumn; }
    Qt::SortOrder sortOrder() const { return m_view.sortOrder; }

    // From this many rows on, the worker thread sorts and filters. Default 20,000.
    void setBackgroundThreshold(int rows) { m_backgroundThreshold = rows; }
    bool isBusy() const { return m_busy; }

    // Source rows of the given proxy indexes (unique, in proxy order).
    QList<int> sourceRows(const QModelIndexList &proxyIndexes) const;

    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex &idx) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;

Q_SIGNALS:
    // A filter setting changed (at once; the rows may follow later, see busyChanged).
    void filterChanged();
    // A new order is on its way (true) or has been shown (false).
    void busyChanged(bool busy);

private:
    void refilter();
    // Recomputes the rows: at once for a small table, on the worker for a large one.
    void update();
    void startWorker();
    void stopWorker(); // cancels and joins; the view stays as it is
    // Shows these source rows, in this order: in one layout change (apply), or inside a
    // reset (setRows, showNewRows).
    void apply(std::vector<int> rows);
    void setRows(std::vector<int> rows);
    void showNewRows();
    void setBusy(bool busy);
    FindingView currentView() const;

    void onStorageAboutToChange();
    void onSourceAboutToReset();
    void onSourceReset();
    void onSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                             const QList<int> &roles);

    const FindingTableModel *m_findings = nullptr;
    FindingView m_view; // without choices: those are taken when a computation starts
    QString m_searchText;
    std::vector<int> m_proxyToSource;
    std::vector<int> m_sourceToProxy; // -1 for rows the filter hides
    int m_backgroundThreshold = 20000;
    bool m_busy = false;
    quint64 m_generation = 0; // of the latest request; older results are dropped

    // Shared with the worker (under m_mutex): the latest request not yet taken.
    QMutex m_mutex;
    std::optional<FindingView> m_pending;
    quint64 m_pendingGeneration = 0;
    bool m_workerRunning = false;

    // Owned by whoever computes: the worker while it runs, else the GUI thread.
    FindingOrder m_order;
    std::atomic_bool m_cancel = false;
    std::thread m_worker;
};
