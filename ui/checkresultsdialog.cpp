#include "checkresultsdialog.h"

#include "checkresultspanel.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

CheckResultsDialog::CheckResultsDialog(WizardContext *context, QWidget *parent)
    : QDialog(parent), m_file(new QLabel(this)), m_panel(new CheckResultsPanel(context, this))
{
    setObjectName(QStringLiteral("checkResultsDialog"));
    setWindowTitle(tr("Check results of an earlier run"));
    auto *layout = new QVBoxLayout(this);
    m_file->setObjectName(QStringLiteral("checkedFile"));
    m_file->setWordWrap(true);
    m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_file);
    layout->addWidget(m_panel, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(1000, 520);
}

void CheckResultsDialog::checkAuditFile(const QString &path)
{
    m_file->setText(tr("Audit trail: %1").arg(QDir::toNativeSeparators(path)));
    m_panel->setAuditPath(path);
    m_panel->check();
}
