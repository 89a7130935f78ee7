#include "findingorder.h"

#include "findingtablemodel.h"
#include "slices.h"

#include <QByteArrayMatcher>

#include <algorithm>
#include <array>
#include <numeric>

namespace {

using Column = FindingTableModel::Column;

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

void throwIfCancelled(const std::atomic_bool &cancel)
{
    if (cancel.load(std::memory_order_relaxed))
        throw FindingOrder::Cancelled{};
}

// Runs perRow(i) for every row, in parallel slices; stops early and throws once cancelled.
template <typename PerRow> void forEachRow(int count, const std::atomic_bool &cancel, PerRow perRow)
{
    Slices::forEach(count, [&](int, int from, int to) {
        for (int i = from; i < to; ++i) {
            if ((i & 0xfff) == 0 && cancel.load(std::memory_order_relaxed))
                return; // a slice's thread must not throw
            perRow(i);
        }
    });
    throwIfCancelled(cancel);
}

// A comparison that gives up when cancelled: a 500k-row sort should not hold a reset back.
template <typename Less> auto cancellable(const std::atomic_bool &cancel, Less less)
{
    return [&cancel, less, calls = 0u](auto a, auto b) mutable {
        if ((++calls & 0xffff) == 0)
            throwIfCancelled(cancel);
        return less(a, b);
    };
}

} // namespace

bool FindingView::readsChoices() const
{
    return executableOnly || sortColumn == int(Column::Action) ||
           sortColumn == int(Column::Approval);
}

void FindingOrder::reset(const Finding *rows, int count)
{
    m_rows = rows;
    m_count = rows ? count : 0;
    m_keys.clear();
    m_haystacks.clear();
    m_haveHaystacks = false;
}

std::vector<FindingView::Choice> FindingOrder::choicesOf(const Finding *rows, int count)
{
    std::vector<FindingView::Choice> choices(size_t(std::max(count, 0)));
    for (int i = 0; i < count; ++i) {
        const Finding &f = rows[i];
        choices[size_t(i)] = {quint8(f.action),
                              quint8(f.needsApproval() ? (f.approved ? 1 : 0) : 2),
                              f.isExecutable()};
    }
    return choices;
}

const std::vector<int> &FindingOrder::keysOf(int column, const std::atomic_bool &cancel)
{
    if (auto it = m_keys.find(column); it != m_keys.end())
        return it->second;
    const auto c = Column(column);
    const int n = m_count;
    std::vector<int> keys(static_cast<size_t>(n));
    if (c == Column::Category) {
        // Most serious first in an ascending sort, then by category.
        for (int i = 0; i < n; ++i)
            keys[size_t(i)] = (2 - int(m_rows[i].severity)) * 64 + int(m_rows[i].category);
        return m_keys[column] = std::move(keys);
    }
    // Text columns: sort on the first 16 bytes packed into two integers (contiguous, cheap
    // to compare) and build the whole text again only on a tie; then number the distinct
    // values in order. 500k keys kept as byte arrays would cost 500k allocations.
    const bool upn = c == Column::OnPremUpn || c == Column::CloudUpn;
    const auto textOf = [&](int i) {
        const Finding &f = m_rows[i];
        const QString v = c == Column::OnPremUpn          ? f.onPremUpn
                          : c == Column::CloudUpn         ? f.cloudUpn
                          : c == Column::CloudImmutableId ? f.cloudImmutableId
                                                          : f.expectedImmutableId();
        QByteArray bytes;
        if (upn)
            appendFolded(bytes, v);
        else
            bytes = v.toUtf8();
        return bytes;
    };
    struct Prefix
    {
        quint64 high;
        quint64 low;
        int row;
    };
    std::vector<Prefix> prefixes(static_cast<size_t>(n));
    forEachRow(n, cancel, [&](int i) {
        const QByteArray bytes = textOf(i);
        quint64 high = 0, low = 0;
        for (int k = 0; k < 8; ++k) {
            high = (high << 8) | (k < bytes.size() ? quint8(bytes.at(k)) : 0u);
            low = (low << 8) | (k + 8 < bytes.size() ? quint8(bytes.at(k + 8)) : 0u);
        }
        prefixes[size_t(i)] = {high, low, i};
    });
    const auto samePrefix = [](const Prefix &a, const Prefix &b) {
        return a.high == b.high && a.low == b.low;
    };
    std::sort(prefixes.begin(), prefixes.end(),
              cancellable(cancel, [&](const Prefix &a, const Prefix &b) {
                  if (!samePrefix(a, b))
                      return a.high != b.high ? a.high < b.high : a.low < b.low;
                  const QByteArray x = textOf(a.row);
                  const QByteArray y = textOf(b.row);
                  return x != y ? x < y : a.row < b.row;
              }));
    int key = 0;
    for (int i = 0; i < n; ++i) {
        if (i > 0 && (!samePrefix(prefixes[size_t(i - 1)], prefixes[size_t(i)]) ||
                      textOf(prefixes[size_t(i - 1)].row) != textOf(prefixes[size_t(i)].row)))
            ++key;
        keys[size_t(prefixes[size_t(i)].row)] = key;
    }
    return m_keys[column] = std::move(keys);
}

const std::vector<QByteArray> &FindingOrder::haystacks(const std::atomic_bool &cancel)
{
    if (m_haveHaystacks)
        return m_haystacks;
    std::array<QByteArray, CategoryCount> categoryText;
    for (Category c : allCategories())
        categoryText[size_t(c)] =
            QString(categoryName(c) + u"\n" + categoryTitle(c)).toCaseFolded().toUtf8();
    std::vector<QByteArray> haystacks(static_cast<size_t>(m_count));
    forEachRow(m_count, cancel, [&](int i) {
        const Finding &f = m_rows[i];
        const QString reason = f.reason();
        const QString guid = f.onPremGuid();
        const QString expected = f.expectedImmutableId();
        QByteArray &text = haystacks[size_t(i)];
        text.reserve(f.onPremUpn.size() + f.cloudUpn.size() + f.onPremDn.size() + f.cloudId.size() +
                     2 * 24 + guid.size() + reason.size() + 64);
        for (const QString *field : {&f.onPremUpn, &f.cloudUpn, &f.onPremDn, &f.cloudId, &expected,
                                     &f.cloudImmutableId, &guid, &reason}) {
            appendFolded(text, *field);
            text += '\n';
        }
        text += categoryText[size_t(f.category)];
    });
    m_haystacks = std::move(haystacks);
    m_haveHaystacks = true;
    return m_haystacks;
}

std::vector<int> FindingOrder::rows(const FindingView &view, const std::atomic_bool &cancel)
{
    const int n = m_count;
    const bool withChoices = view.readsChoices() && view.choices.size() == size_t(n);
    const std::vector<QByteArray> *texts = view.needle.isEmpty() ? nullptr : &haystacks(cancel);
    const QByteArrayMatcher needle(view.needle);
    std::vector<char> shown(static_cast<size_t>(n));
    forEachRow(n, cancel, [&](int i) {
        const Finding &f = m_rows[i];
        shown[size_t(i)] =
            (view.categories.isEmpty() || view.categories.contains(f.category)) &&
            (view.severities.isEmpty() || view.severities.contains(f.severity)) &&
            (!view.executableOnly || (withChoices && view.choices[size_t(i)].executable)) &&
            (!view.syncErrorsOnly || !f.syncErrors.isEmpty()) &&
            (!texts || needle.indexIn((*texts)[size_t(i)]) >= 0);
    });
    std::vector<int> result;
    result.reserve(size_t(std::count(shown.begin(), shown.end(), char(1))));
    for (int i = 0; i < n; ++i)
        if (shown[size_t(i)])
            result.push_back(i);

    const auto c = Column(view.sortColumn);
    if (view.sortColumn < 0 || view.sortColumn >= int(Column::Count))
        return result;
    std::vector<int> dynamicKeys;
    const std::vector<int> *keys = &dynamicKeys;
    if (c == Column::Action || c == Column::Approval) {
        if (!withChoices)
            return result;
        dynamicKeys.resize(size_t(n));
        for (int i = 0; i < n; ++i)
            dynamicKeys[size_t(i)] = c == Column::Action ? view.choices[size_t(i)].action
                                                         : view.choices[size_t(i)].approvalRank;
    } else {
        keys = &keysOf(view.sortColumn, cancel);
    }
    const bool descending = view.sortOrder == Qt::DescendingOrder;
    std::sort(result.begin(), result.end(), cancellable(cancel, [&](int a, int b) {
                  const int ka = (*keys)[size_t(a)], kb = (*keys)[size_t(b)];
                  if (ka != kb)
                      return descending ? ka > kb : ka < kb;
                  return a < b;
              }));
    return result;
}
