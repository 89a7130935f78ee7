#include "actiondelegate.h"

#include "finding.h"
#include "findingtablemodel.h"

#include <QComboBox>

QWidget *ActionDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &,
                                      const QModelIndex &index) const
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("actionEditor"));
    const auto allowed = index.data(FindingTableModel::AllowedActionsRole).value<QList<int>>();
    for (int a : allowed)
        combo->addItem(FindingTableModel::actionTitle(Action(a)), a);
    combo->setToolTip(tr("Only the actions this category allows are offered."));
    connect(combo, &QComboBox::activated, this, [this, combo] {
        auto *self = const_cast<ActionDelegate *>(this);
        Q_EMIT self->commitData(combo);
        Q_EMIT self->closeEditor(combo);
    });
    return combo;
}

void ActionDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    auto *combo = static_cast<QComboBox *>(editor);
    combo->setCurrentIndex(combo->findData(index.data(FindingTableModel::UnderlyingDataRole)));
}

void ActionDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                  const QModelIndex &index) const
{
    auto *combo = static_cast<QComboBox *>(editor);
    if (combo->currentIndex() >= 0)
        model->setData(index, combo->currentData(), Qt::EditRole);
}
