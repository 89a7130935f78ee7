#pragma once

#include "finding.h"

#include <QByteArray>
#include <QSet>

#include <atomic>
#include <map>
#include <vector>

// What the Review table asks to see: a sort and a filter over the findings.
struct FindingView
{
    int sortColumn = -1; // a FindingTableModel::Column, or -1 for model order
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    QSet<Category> categories; // empty: every category
    QSet<Severity> severities; // empty: every severity
    QByteArray needle;         // case-folded UTF-8 of the search text; empty: no search
    bool executableOnly = false;
    bool syncErrorsOnly = false;

    // The person's choices change under a view: they come as a snapshot (see
    // FindingOrder::choicesOf), filled only when the view sorts or filters by them.
    struct Choice
    {
        quint8 action = 0;
        quint8 approvalRank = 0; // pending 0, approved 1, needs none 2
        bool executable = false;
    };
    std::vector<Choice> choices;

    bool readsChoices() const;
};

// Which findings a view shows, in which order: the pure work behind FindingFilterProxy,
// written so that it can run on a worker thread while the GUI thread edits choices. It
// reads only what a finding keeps from a reset to the next (category, severity, UPNs, DN,
// ids, anchors, reason, sync errors); the choices come in the view's snapshot.
//
// Keys of the text columns and the case-folded search text are built once per set of rows
// and kept, so a later sort or search only compares.
class FindingOrder
{
public:
    // Thrown out of rows() when `cancel` turned true meanwhile; what is cached stays whole.
    struct Cancelled
    {
    };

    // Forgets the caches; the rows must stay alive and in place until the next reset.
    void reset(const Finding *rows, int count);
    int count() const { return m_count; }
    // The same rows at a new address (a shared list that detached on an edit): caches stay.
    void moveTo(const Finding *rows) { m_rows = rows; }

    // Source rows the view shows, in its order; ties in the sort keep source order.
    std::vector<int> rows(const FindingView &view, const std::atomic_bool &cancel);

    // The snapshot of choices a view needs (empty when it needs none).
    static std::vector<FindingView::Choice> choicesOf(const Finding *rows, int count);

private:
    // Per row, a number whose order is the column's ascending order (equal values equal).
    const std::vector<int> &keysOf(int column, const std::atomic_bool &cancel);
    const std::vector<QByteArray> &haystacks(const std::atomic_bool &cancel);

    const Finding *m_rows = nullptr;
    int m_count = 0;
    std::map<int, std::vector<int>> m_keys;
    std::vector<QByteArray> m_haystacks;
    bool m_haveHaystacks = false;
};
