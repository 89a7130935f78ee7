#pragma once

#include <QStyledItemDelegate>

// Tints a Review table cell by the row's severity (FindingTableModel::SeverityRole):
// conflicts red, warnings amber, information plain — the same colours as the chips.
class SeverityDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};
