#include "findingfilterproxy.h"

#include "findingtablemodel.h"
#include "slices.h"

#include <QTimer>

#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

FindingFilterProxy::FindingFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FindingFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    if (m_findings)
        disconnect(m_findings, nullptr, this, nullptr);
    clearCaches();
    m_findings = qobject_cast<const FindingTableModel *>(model);
    Q_ASSERT_X(!model || m_findings, "FindingFilterProxy",
               "the source must be a FindingTableModel");
    if (m_findings) {
        // Before the reset: the re-sort that follows it must rank the new rows.
        connect(m_findings, &QAbstractItemModel::modelAboutToBeReset, this,
                &FindingFilterProxy::clearCaches);
        connect(m_findings, &QAbstractItemModel::rowsAboutToBeInserted, this,
                &FindingFilterProxy::clearCaches);
        connect(m_findings, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                &FindingFilterProxy::clearCaches);
        connect(m_findings, &FindingTableModel::findingsAboutToBeReplaced, this,
                &FindingFilterProxy::onFindingsAboutToBeReplaced);
    }
    QSortFilterProxyModel::setSourceModel(model);
}

void FindingFilterProxy::onFindingsAboutToBeReplaced(int newRowCount)
{
    const int column = m_deferredColumn >= 0 ? m_deferredColumn : sortColumn();
    if (newRowCount < m_deferThreshold || column < 0)
        return;
    m_deferredColumn = column;
    m_deferredOrder = m_deferredColumn == sortColumn() ? sortOrder() : m_deferredOrder;
    QSortFilterProxyModel::sort(-1); // model order through the reset: cheap
    // Two steps, each its own event: rank the column, then sort by the ranks.
    QTimer::singleShot(0, this, [this] {
        if (m_deferredColumn < 0)
            return;
        rankFor(m_deferredColumn);
        QTimer::singleShot(0, this, &FindingFilterProxy::resumeDeferredSort);
    });
}

void FindingFilterProxy::resumeDeferredSort()
{
    if (m_deferredColumn < 0)
        return;
    const int column = m_deferredColumn;
    m_deferredColumn = -1;
    QSortFilterProxyModel::sort(column, m_deferredOrder);
}

void FindingFilterProxy::sort(int column, Qt::SortOrder order)
{
    m_deferredColumn = -1; // an explicit sort replaces a deferred one
    QSortFilterProxyModel::sort(column, order);
}

void FindingFilterProxy::clearCaches()
{
    m_ranks.clear();
    m_lastRankColumn = -1;
    m_lastRank = nullptr;
    m_haystacks.clear();
}

namespace {

// Appends the case-folded UTF-8 of s: a byte loop for ASCII (nearly every UPN, DN and id),
// QString::toCaseFolded() for anything else.
void appendFolded(QByteArray &out, const QString &s)
{
    const QChar *p = s.constData();
    const qsizetype n = s.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (p[i].unicode() >= 0x80) {
            out += s.toCaseFolded().toUtf8();
            return;
        }
    }
    const qsizetype at = out.size();
    out.resize(at + n);
    char *d = out.data() + at;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = p[i].unicode();
        d[i] = char(c >= u'A' && c <= u'Z' ? c + 32 : c);
    }
}

} // namespace

const QList<int> *FindingFilterProxy::rankFor(int column) const
{
    if (column == m_lastRankColumn)
        return m_lastRank;
    m_lastRankColumn = column;
    m_lastRank = rankingFor(column);
    return m_lastRank;
}

const QList<int> *FindingFilterProxy::rankingFor(int column) const
{
    using C = FindingTableModel::Column;
    const auto c = C(column);
    if (c != C::Category && c != C::OnPremUpn && c != C::CloudUpn && c != C::CloudImmutableId &&
        c != C::ExpectedImmutableId)
        return nullptr;
    if (auto it = m_ranks.constFind(column); it != m_ranks.cend())
        return &it.value();
    const QList<Finding> &rows = m_findings->findings();
    const int n = int(rows.size());
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (c == C::Category) {
        // Most serious first in an ascending sort, then by category.
        std::vector<int> key(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i)
            key[size_t(i)] = (2 - int(rows.at(i).severity)) * 64 + int(rows.at(i).category);
        std::sort(order.begin(), order.end(), [&key](int a, int b) {
            return key[size_t(a)] != key[size_t(b)] ? key[size_t(a)] < key[size_t(b)] : a < b;
        });
    } else {
        // Sort on the first 16 bytes packed into two integers (contiguous, cheap to compare)
        // and build the whole key again only on a tie: 500k keys kept as byte arrays would
        // cost 500k allocations of fresh memory, slower than the sort itself.
        const bool upn = c == C::OnPremUpn || c == C::CloudUpn;
        const auto keyOf = [&](int i) {
            const Finding &f = rows.at(i);
            const QString v = c == C::OnPremUpn          ? f.onPremUpn
                              : c == C::CloudUpn         ? f.cloudUpn
                              : c == C::CloudImmutableId ? f.cloudImmutableId
                                                         : f.expectedImmutableId();
            QByteArray bytes;
            if (upn)
                appendFolded(bytes, v);
            else
                bytes = v.toUtf8();
            return bytes;
        };
        struct Key
        {
            quint64 high;
            quint64 low;
            int row;
        };
        std::vector<Key> keys(static_cast<size_t>(n));
        Slices::forEach(n, [&](int, int from, int to) {
            for (int i = from; i < to; ++i) {
                const QByteArray bytes = keyOf(i);
                quint64 high = 0, low = 0;
                for (int k = 0; k < 8; ++k) {
                    high = (high << 8) | (k < bytes.size() ? quint8(bytes.at(k)) : 0u);
                    low = (low << 8) | (k + 8 < bytes.size() ? quint8(bytes.at(k + 8)) : 0u);
                }
                keys[size_t(i)] = {high, low, i};
            }
        });
        std::sort(keys.begin(), keys.end(), [&keyOf](const Key &a, const Key &b) {
            if (a.high != b.high)
                return a.high < b.high;
            if (a.low != b.low)
                return a.low < b.low;
            const QByteArray x = keyOf(a.row);
            const QByteArray y = keyOf(b.row);
            if (x != y)
                return x < y;
            return a.row < b.row;
        });
        for (int i = 0; i < n; ++i)
            order[size_t(i)] = keys[size_t(i)].row;
    }
    QList<int> rank(n);
    for (int i = 0; i < n; ++i)
        rank[order[size_t(i)]] = i;
    return &*m_ranks.insert(column, std::move(rank));
}

const QList<QByteArray> &FindingFilterProxy::haystacks() const
{
    if (!m_haystacks.isEmpty() || !m_findings)
        return m_haystacks;
    std::array<QByteArray, CategoryCount> categoryText;
    for (Category c : allCategories())
        categoryText[size_t(c)] =
            QString(categoryName(c) + u"\n" + categoryTitle(c)).toCaseFolded().toUtf8();
    const QList<Finding> &rows = m_findings->findings();
    QList<QByteArray> haystacks(rows.size());
    QByteArray *out = haystacks.data(); // each slice writes only its own rows
    Slices::forEach(rows.size(), [&](int, int from, int to) {
        for (int i = from; i < to; ++i) {
            const Finding &f = rows.at(i);
            const QString reason = f.reason();
            const QString guid = f.onPremGuid();
            const QString expected = f.expectedImmutableId();
            QByteArray &text = out[i];
            text.reserve(f.onPremUpn.size() + f.cloudUpn.size() + f.onPremDn.size() +
                         f.cloudId.size() + 2 * 24 + guid.size() + reason.size() + 64);
            for (const QString *field : {&f.onPremUpn, &f.cloudUpn, &f.onPremDn, &f.cloudId,
                                         &expected, &f.cloudImmutableId, &guid, &reason}) {
                appendFolded(text, *field);
                text += '\n';
            }
            text += categoryText[size_t(f.category)];
        }
    });
    m_haystacks = std::move(haystacks);
    return m_haystacks;
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
    m_needle.setPattern(trimmed.toCaseFolded().toUtf8());
    refilter();
}

void FindingFilterProxy::setExecutableOnly(bool executableOnly)
{
    if (executableOnly == m_executableOnly)
        return;
    m_executableOnly = executableOnly;
    refilter();
}

void FindingFilterProxy::setSyncErrorsOnly(bool syncErrorsOnly)
{
    if (syncErrorsOnly == m_syncErrorsOnly)
        return;
    m_syncErrorsOnly = syncErrorsOnly;
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
    if (m_syncErrorsOnly && f.syncErrors.isEmpty())
        return false;
    if (m_needle.pattern().isEmpty())
        return true;
    return m_needle.indexIn(haystacks().at(sourceRow)) >= 0;
}

bool FindingFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_findings)
        return QSortFilterProxyModel::lessThan(left, right);
    if (const QList<int> *rank = rankFor(left.column()))
        return rank->at(left.row()) < rank->at(right.row());
    const Finding &a = m_findings->finding(left.row());
    const Finding &b = m_findings->finding(right.row());
    using C = FindingTableModel::Column;
    if (C(left.column()) == C::Action) {
        if (a.action != b.action)
            return int(a.action) < int(b.action);
    } else if (C(left.column()) == C::Approval) {
        // Pending approvals first, then approved, then rows that need none.
        const auto rank = [](const Finding &f) {
            return f.needsApproval() ? (f.approved ? 1 : 0) : 2;
        };
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
    }
    return left.row() < right.row(); // stable tie-break
}
