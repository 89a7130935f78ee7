#pragma once

#include <QStyledItemDelegate>

// The Review table's action editor: a combo box that offers only the actions the row's
// category allows (FindingTableModel::AllowedActionsRole), committed as soon as one is
// picked.
class ActionDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override;
};
