#include "findingfilterproxy.h"

#include "findingtablemodel.h"

#include <QMutexLocker>

#include <algorithm>

FindingFilterProxy::FindingFilterProxy(QObject *parent) : QAbstractProxyModel(parent) {}

FindingFilterProxy::~FindingFilterProxy()
{
    stopWorker();
}

void FindingFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    const auto *findings = qobject_cast<const FindingTableModel *>(model);
    Q_ASSERT_X(!model || findings, "FindingFilterProxy", "the source must be a FindingTableModel");
    beginResetModel();
    stopWorker();
    if (m_findings)
        disconnect(m_findings, nullptr, this, nullptr);
    m_findings = findings;
    QAbstractProxyModel::setSourceModel(model);
    if (m_findings) {
        connect(m_findings, &FindingTableModel::storageAboutToChange, this,
                &FindingFilterProxy::onStorageAboutToChange, Qt::DirectConnection);
        connect(m_findings, &QAbstractItemModel::modelAboutToBeReset, this,
                &FindingFilterProxy::onSourceAboutToReset);
        connect(m_findings, &QAbstractItemModel::modelReset, this,
                &FindingFilterProxy::onSourceReset);
        connect(m_findings, &QAbstractItemModel::dataChanged, this,
                &FindingFilterProxy::onSourceDataChanged);
        connect(m_findings, &QObject::destroyed, this, [this] {
            beginResetModel();
            m_findings = nullptr; // the worker was stopped by storageAboutToChange
            showNewRows();
            endResetModel();
        });
        // The table only resets; any other change of shape is taken as a reset too.
        for (auto about :
             {&QAbstractItemModel::rowsAboutToBeInserted, &QAbstractItemModel::rowsAboutToBeRemoved,
              &QAbstractItemModel::columnsAboutToBeInserted,
              &QAbstractItemModel::columnsAboutToBeRemoved})
            connect(m_findings, about, this, &FindingFilterProxy::onSourceAboutToReset);
        for (auto done :
             {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved,
              &QAbstractItemModel::columnsInserted, &QAbstractItemModel::columnsRemoved})
            connect(m_findings, done, this, &FindingFilterProxy::onSourceReset);
    }
    showNewRows();
    endResetModel();
    if (m_order.count() >= m_backgroundThreshold)
        update();
}

// ---- requests ----------------------------------------------------------------------------

FindingView FindingFilterProxy::currentView() const
{
    FindingView view = m_view;
    if (view.readsChoices() && m_findings)
        view.choices =
            FindingOrder::choicesOf(m_findings->findings().constData(), m_findings->rowCount());
    return view;
}

void FindingFilterProxy::update()
{
    if (!m_findings)
        return;
    ++m_generation;
    FindingView view = currentView();
    if (m_order.count() < m_backgroundThreshold) {
        stopWorker();
        m_order.moveTo(m_findings->findings().constData());
        const std::atomic_bool never = false;
        apply(m_order.rows(view, never));
        setBusy(false);
        return;
    }
    bool running;
    {
        QMutexLocker lock(&m_mutex);
        m_pending = std::move(view);
        m_pendingGeneration = m_generation;
        running = m_workerRunning;
    }
    setBusy(true);
    if (!running)
        startWorker();
}

void FindingFilterProxy::startWorker()
{
    if (m_worker.joinable())
        m_worker.join(); // it has finished: it cleared m_workerRunning on its way out
    m_order.moveTo(m_findings->findings().constData());
    m_cancel = false;
    {
        QMutexLocker lock(&m_mutex);
        m_workerRunning = true;
    }
    m_worker = std::thread([this] {
        for (;;) {
            FindingView view;
            quint64 generation = 0;
            {
                QMutexLocker lock(&m_mutex);
                if (!m_pending) {
                    m_workerRunning = false;
                    return;
                }
                view = std::move(*m_pending);
                m_pending.reset();
                generation = m_pendingGeneration;
            }
            try {
                std::vector<int> rows = m_order.rows(view, m_cancel);
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, rows = std::move(rows)]() mutable {
                        if (generation != m_generation)
                            return; // a newer request is on its way
                        apply(std::move(rows));
                        setBusy(false);
                    },
                    Qt::QueuedConnection);
            } catch (const FindingOrder::Cancelled &) {
                QMutexLocker lock(&m_mutex);
                m_workerRunning = false;
                return;
            }
        }
    });
}

void FindingFilterProxy::stopWorker()
{
    m_cancel = true;
    if (m_worker.joinable())
        m_worker.join();
    m_cancel = false;
    QMutexLocker lock(&m_mutex);
    m_pending.reset();
    m_workerRunning = false;
}

void FindingFilterProxy::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void FindingFilterProxy::apply(std::vector<int> rows)
{
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList from = persistentIndexList();
    std::vector<int> sources(size_t(from.size()), -1);
    for (qsizetype i = 0; i < from.size(); ++i)
        if (const int row = from.at(i).row(); row >= 0 && size_t(row) < m_proxyToSource.size())
            sources[size_t(i)] = m_proxyToSource[size_t(row)];
    setRows(std::move(rows));
    QModelIndexList to;
    to.reserve(from.size());
    for (qsizetype i = 0; i < from.size(); ++i) {
        const int source = sources[size_t(i)];
        const int row = source >= 0 ? m_sourceToProxy[size_t(source)] : -1;
        to.append(row >= 0 ? createIndex(row, from.at(i).column()) : QModelIndex());
    }
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged();
}

void FindingFilterProxy::setRows(std::vector<int> rows)
{
    m_proxyToSource = std::move(rows);
    m_sourceToProxy.assign(size_t(m_order.count()), -1);
    for (size_t i = 0; i < m_proxyToSource.size(); ++i)
        m_sourceToProxy[size_t(m_proxyToSource[i])] = int(i);
}

// ---- the source's changes ----------------------------------------------------------------

void FindingFilterProxy::onStorageAboutToChange()
{
    // The worker reads the rows in place: stop it before they move. A reset brings its own
    // update; an edit that moved the rows (they were shared) asks again once they have.
    const bool wasBusy = m_busy;
    stopWorker();
    if (wasBusy)
        QMetaObject::invokeMethod(
            this,
            [this] {
                bool running;
                {
                    QMutexLocker lock(&m_mutex);
                    running = m_workerRunning;
                }
                if (m_busy && !running)
                    update();
            },
            Qt::QueuedConnection);
}

void FindingFilterProxy::onSourceAboutToReset()
{
    stopWorker();
    beginResetModel();
}

void FindingFilterProxy::onSourceReset()
{
    stopWorker();
    showNewRows();
    endResetModel();
    if (m_order.count() >= m_backgroundThreshold)
        update();
}

void FindingFilterProxy::showNewRows()
{
    ++m_generation; // whatever was on its way was for the old rows
    setBusy(false);
    const int n = m_findings ? m_findings->rowCount() : 0;
    m_order.reset(m_findings ? m_findings->findings().constData() : nullptr, n);
    const std::atomic_bool never = false;
    if (n < m_backgroundThreshold) {
        setRows(m_order.rows(currentView(), never));
        return;
    }
    // A large table shows its rows at once in model order, through the filters that cost
    // nothing (none at all while a search is on); the worker then sorts and searches.
    FindingView quick = currentView();
    quick.sortColumn = -1;
    setRows(quick.needle.isEmpty() ? m_order.rows(quick, never) : std::vector<int>{});
}

void FindingFilterProxy::onSourceDataChanged(const QModelIndex &topLeft,
                                             const QModelIndex &bottomRight,
                                             const QList<int> &roles)
{
    if (!topLeft.isValid() || !bottomRight.isValid())
        return;
    int first = -1, last = -1;
    for (int source = topLeft.row(); source <= bottomRight.row(); ++source) {
        const int row =
            size_t(source) < m_sourceToProxy.size() ? m_sourceToProxy[size_t(source)] : -1;
        if (row < 0)
            continue;
        first = first < 0 ? row : std::min(first, row);
        last = std::max(last, row);
    }
    // One signal over the span the changed rows cover: a bulk change of 200k rows
    // scattered by the sort would otherwise be 200k signals.
    if (first >= 0)
        Q_EMIT dataChanged(index(first, topLeft.column()), index(last, bottomRight.column()),
                           roles);
    using C = FindingTableModel::Column;
    const bool choicesChanged =
        bottomRight.column() >= int(C::Action) && topLeft.column() <= int(C::Approval);
    if (choicesChanged && m_view.readsChoices())
        update();
}

// ---- settings ----------------------------------------------------------------------------

void FindingFilterProxy::setCategories(const QSet<Category> &categories)
{
    if (categories == m_view.categories)
        return;
    m_view.categories = categories;
    refilter();
}

void FindingFilterProxy::setSeverities(const QSet<Severity> &severities)
{
    if (severities == m_view.severities)
        return;
    m_view.severities = severities;
    refilter();
}

void FindingFilterProxy::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_searchText)
        return;
    m_searchText = trimmed;
    m_view.needle = trimmed.toCaseFolded().toUtf8();
    refilter();
}

void FindingFilterProxy::setExecutableOnly(bool executableOnly)
{
    if (executableOnly == m_view.executableOnly)
        return;
    m_view.executableOnly = executableOnly;
    refilter();
}

void FindingFilterProxy::setSyncErrorsOnly(bool syncErrorsOnly)
{
    if (syncErrorsOnly == m_view.syncErrorsOnly)
        return;
    m_view.syncErrorsOnly = syncErrorsOnly;
    refilter();
}

void FindingFilterProxy::refilter()
{
    update();
    Q_EMIT filterChanged();
}

void FindingFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (column >= columnCount())
        column = -1;
    m_view.sortColumn = column;
    m_view.sortOrder = order;
    update();
}

// ---- mapping -----------------------------------------------------------------------------

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

QModelIndex FindingFilterProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!m_findings || !proxyIndex.isValid() || proxyIndex.model() != this ||
        size_t(proxyIndex.row()) >= m_proxyToSource.size())
        return {};
    return m_findings->index(m_proxyToSource[size_t(proxyIndex.row())], proxyIndex.column());
}

QModelIndex FindingFilterProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!m_findings || !sourceIndex.isValid() || sourceIndex.model() != m_findings ||
        size_t(sourceIndex.row()) >= m_sourceToProxy.size())
        return {};
    const int row = m_sourceToProxy[size_t(sourceIndex.row())];
    return row < 0 ? QModelIndex() : createIndex(row, sourceIndex.column());
}

QModelIndex FindingFilterProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex FindingFilterProxy::parent(const QModelIndex &) const
{
    return {};
}

QModelIndex FindingFilterProxy::sibling(int row, int column, const QModelIndex &) const
{
    return index(row, column);
}

int FindingFilterProxy::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_proxyToSource.size());
}

int FindingFilterProxy::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_findings ? 0 : m_findings->columnCount();
}

bool FindingFilterProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && rowCount() > 0;
}
