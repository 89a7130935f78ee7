#include "severitydelegate.h"

#include "finding.h"
#include "findingtablemodel.h"

#include <QColor>

void SeverityDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    switch (Severity(index.data(FindingTableModel::SeverityRole).toInt())) {
    case Severity::Conflict:
        option->backgroundBrush = QColor(0xfb, 0xe3, 0xe1);
        break;
    case Severity::Warning:
        option->backgroundBrush = QColor(0xff, 0xf1, 0xd6);
        break;
    case Severity::Info:
        break;
    }
}
