#pragma once

#include "finding.h"

#include <QDateTime>
#include <QList>
#include <QTextStream>

// The findings with the actions people chose. Enforces the rules: an action must be
// one the row's category allows, and flagged rows run only once approved.
class Plan
{
public:
    Plan() = default;
    explicit Plan(QList<Finding> rows) : m_rows(std::move(rows)) {}

    const QList<Finding> &rows() const { return m_rows; }
    int size() const { return int(m_rows.size()); }
    const Finding &at(int index) const { return m_rows.at(index); }
    int indexOfRow(int rowId) const;

    // false (and a message) if the row does not allow the action.
    bool setAction(int index, Action action, QString *error = nullptr);
    void setApproved(int index, bool approved);

    QList<Finding> executableRows() const;
    int countByCategory(Category category) const;

    // plan.csv (DESIGN.md §4).
    static QStringList csvHeader();
    void write(QTextStream &out) const;
    // Reads a plan.csv, possibly hand-edited. On error returns false with a message
    // that names the line and column ("line 7, column 13: …").
    static bool read(QTextStream &in, Plan *plan, QString *error);

private:
    QList<Finding> m_rows;
};
