#pragma once

#include "finding.h"

#include <QDateTime>
#include <QList>
#include <QTextStream>

class QIODevice;

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

    // The tenant the plan was scanned in (its organization id) and when; empty/invalid
    // for a plan that does not say (written before plan.csv carried them).
    QString tenantId() const { return m_tenantId; }
    QDateTime scannedAt() const { return m_scannedAt; }
    void setScan(const QString &tenantId, const QDateTime &scannedAtUtc);
    // What read() set aside row by row (a row that cannot run), for the person to read.
    QStringList notes() const { return m_notes; }

    // The rules for a person's choices, one copy for every front-end (the wizard's table
    // asks them too): a row's action must be one the row allows (its category, DESIGN.md
    // §3); a new action withdraws the approval given for the old one; only a row that
    // needs approval takes one. Refused comes with a message an admin can act on.
    enum class Choice { Refused, Unchanged, Changed };
    static Choice chooseAction(Finding &row, Action action, QString *error = nullptr);
    static Choice chooseApproval(Finding &row, bool approved, QString *error = nullptr);
    // Flagged rows, and every row whose action cannot be undone (clear_object_identifier).
    static bool takesApproval(const Finding &row) { return row.needsApproval(); }
    // A row with a change that does not run until a person approves it.
    static bool awaitsApproval(const Finding &row)
    {
        return takesApproval(row) && !row.approved && row.action != Action::None;
    }

    // false (and a message) if the row does not allow the action / takes no approval.
    bool setAction(int index, Action action, QString *error = nullptr);
    bool setApproved(int index, bool approved, QString *error = nullptr);

    QList<Finding> executableRows() const;
    int countByCategory(Category category) const;

    // plan.csv (DESIGN.md §4), with the appended columns allowed_actions, row_check,
    // tenant_id, scanned_at_utc and sync_errors.
    static QStringList csvHeader();
    void write(QTextStream &out) const;
    // One row as write() puts it (for writers that stream rows without holding a Plan).
    static QString csvRecord(const Finding &row, const QString &tenantId,
                             const QDateTime &scannedAtUtc);

    enum class Rows {
        All,     // every row (the wizard shows them)
        Changes, // only rows whose action is not none (apply); the others are still checked
    };
    // Reads a plan.csv (UTF-8), possibly hand-edited. On error returns false with a
    // message that names the line and column ("line 7, column 13: …"). rowCount, if
    // given, receives the number of rows in the file.
    static bool read(QIODevice *device, Plan *plan, QString *error, Rows rows = Rows::All,
                     qsizetype *rowCount = nullptr);
    static bool read(QTextStream &in, Plan *plan, QString *error, Rows rows = Rows::All);

    // The row_check of a row: a digest of what the scan found (category, both users'
    // facts, allowed actions, tenant), not of what a person may edit (action, approved).
    // A row whose check does not match was relabelled by hand and needs approval.
    static QString rowCheck(const Finding &row, const QString &tenantId);

private:
    QList<Finding> m_rows;
    QString m_tenantId;
    QDateTime m_scannedAt;
    QStringList m_notes;
};
