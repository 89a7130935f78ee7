#include "approvalreviewdialog.h"

#include "findingdetails.h"
#include "findingtablemodel.h"
#include "runfiles.h"
#include "wizardcontext.h"
#include "wizardservices.h"

#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

ApprovalReviewDialog::ApprovalReviewDialog(WizardContext *context, const CloudSettings &cloud,
                                           QWidget *parent)
    : QDialog(parent), m_ctx(context), m_cloud(cloud)
{
    setWindowTitle(tr("Review a plan for approval"));
    resize(900, 620);
    auto *layout = new QVBoxLayout(this);
    m_file = new QLabel(this);
    m_file->setWordWrap(true);
    layout->addWidget(m_file);
    auto *intro = new QLabel(
        tr("Decide each flagged row: approve or reject it, with a reason. Then sign in as "
           "yourself: Entra ID signs an ID token that carries the digest of the rows you "
           "approved, and the run refuses any row that changes afterwards. You must not be "
           "the person who runs the plan."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("approvalRows"));
    m_table->setHorizontalHeaderLabels(
        {tr("Row"), tr("Category"), tr("Action"), tr("User"), tr("Decision"), tr("Reason")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ApprovalReviewDialog::showDetails);
    connect(m_table, &QTableWidget::itemChanged, this, &ApprovalReviewDialog::updateButtons);
    layout->addWidget(m_table, 2);
    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("approvalDetails"));
    layout->addWidget(m_details, 1);
    auto *form = new QFormLayout;
    m_approver = new QLineEdit(this);
    m_approver->setObjectName(QStringLiteral("approverAccount"));
    m_approver->setPlaceholderText(tr("your account, e.g. bob@contoso.com (optional)"));
    form->addRow(tr("&Approver:"), m_approver);
    layout->addLayout(form);
    m_seal = new QPushButton(tr("&Sign in and seal the approval"), this);
    m_seal->setObjectName(QStringLiteral("sealApproval"));
    connect(m_seal, &QPushButton::clicked, this, &ApprovalReviewDialog::seal);
    layout->addWidget(m_seal, 0, Qt::AlignRight);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("approvalStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    updateButtons();
}

void ApprovalReviewDialog::openPlan(const QString &path)
{
    m_planPath = path;
    m_file->setText(tr("Plan: %1").arg(QDir::toNativeSeparators(path)));
    m_status->setText(tr("Reading the plan…"));
    ValueJob<Plan> *job = m_ctx->services()->loadPlan(path);
    m_job = job;
    connect(job, &Job::finished, this, [this, job] {
        m_job = nullptr;
        const bool ok = job->error() == Job::NoError;
        m_flagged.clear();
        m_table->setRowCount(0);
        if (ok) {
            m_plan = job->value();
            for (const Finding &f : m_plan.rows())
                if (f.needsApproval() && f.action != Action::None)
                    m_flagged.append(f);
            m_table->blockSignals(true);
            m_table->setRowCount(int(m_flagged.size()));
            for (int i = 0; i < m_flagged.size(); ++i) {
                const Finding &f = m_flagged.at(i);
                const auto cell = [](const QString &text) {
                    auto *item = new QTableWidgetItem(text);
                    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
                    return item;
                };
                m_table->setItem(i, RowColumn, cell(QString::number(f.rowId)));
                m_table->setItem(i, CategoryColumn, cell(categoryTitle(f.category)));
                m_table->setItem(i, ActionColumn, cell(FindingTableModel::actionTitle(f.action)));
                m_table->setItem(i, UserColumn,
                                 cell(f.cloudUpn.isEmpty() ? f.onPremUpn : f.cloudUpn));
                auto *decision = new QComboBox(m_table);
                decision->addItems({tr("Undecided"), tr("Approve"), tr("Reject")});
                connect(decision, &QComboBox::currentIndexChanged, this,
                        &ApprovalReviewDialog::updateButtons);
                m_table->setCellWidget(i, DecisionColumn, decision);
                m_table->setItem(i, ReasonColumn, new QTableWidgetItem());
            }
            m_table->blockSignals(false);
            m_table->resizeColumnsToContents();
            if (!m_flagged.isEmpty())
                m_table->selectRow(0);
            m_status->setText(
                m_flagged.isEmpty()
                    ? tr("This plan has no flagged rows that change anything: "
                         "nothing to approve.")
                    : tr("%n flagged row(s) to decide.", nullptr, int(m_flagged.size())));
        } else {
            m_status->setText(job->errorString());
        }
        updateButtons();
        Q_EMIT planOpened(ok);
    });
    job->start();
}

void ApprovalReviewDialog::setDecision(int index, Decision decision, const QString &reason)
{
    if (auto *combo = qobject_cast<QComboBox *>(m_table->cellWidget(index, DecisionColumn)))
        combo->setCurrentIndex(decision);
    m_table->item(index, ReasonColumn)->setText(reason);
}

void ApprovalReviewDialog::setApprover(const QString &upn)
{
    m_approver->setText(upn);
}

QString ApprovalReviewDialog::statusText() const
{
    return m_status->text();
}

void ApprovalReviewDialog::showDetails()
{
    const int i = m_table->currentRow();
    if (i < 0 || i >= m_flagged.size())
        return;
    const Finding &f = m_flagged.at(i);
    QString html = u"<p><b>" + categoryTitle(f.category).toHtmlEscaped() + u"</b> — " +
                   f.reason().toHtmlEscaped() + u"</p>";
    for (const QString &w : f.warnings)
        html += u"<p>" + tr("Warning: %1").arg(w.toHtmlEscaped()) + u"</p>";
    html += u"<p>" + tr("What the approved row runs, as PowerShell:") + u"</p><pre>" +
            FindingDetails::powerShell(f, m_cloud.graphUrl, QString()).toHtmlEscaped() + u"</pre>";
    m_details->setHtml(html);
}

QList<ApprovalDecision> ApprovalReviewDialog::decisions() const
{
    QList<ApprovalDecision> out;
    for (int i = 0; i < m_flagged.size(); ++i) {
        const auto *combo = qobject_cast<QComboBox *>(m_table->cellWidget(i, DecisionColumn));
        if (!combo || combo->currentIndex() == Undecided)
            continue;
        ApprovalDecision d;
        d.rowId = m_flagged.at(i).rowId;
        d.approved = combo->currentIndex() == Approve;
        d.reason = m_table->item(i, ReasonColumn)->text().trimmed();
        out.append(d);
    }
    return out;
}

bool ApprovalReviewDialog::canSeal() const
{
    return !m_job && !m_flagged.isEmpty() && decisions().size() == m_flagged.size();
}

void ApprovalReviewDialog::updateButtons()
{
    m_seal->setEnabled(canSeal());
    m_seal->setToolTip(canSeal() ? QString() : tr("Decide every flagged row first."));
}

void ApprovalReviewDialog::seal()
{
    if (!canSeal())
        return;
    ValueJob<Approvals> *job = m_ctx->services()->sealApproval(
        m_cloud, m_plan, decisions(), m_planPath, m_approver->text().trimmed());
    m_job = job;
    updateButtons();
    m_status->setText(tr("Sign in as the approver in your browser…"));
    connect(job, &Job::infoMessage, m_status, &QLabel::setText);
    connect(job, &Job::finished, this, [this, job] {
        m_job = nullptr;
        const bool ok = job->error() == Job::NoError;
        if (ok) {
            const Approvals &a = job->value();
            m_status->setText(
                tr("Approved %1, rejected %2, by %3; %4. Written: %5")
                    .arg(a.approvedCount())
                    .arg(a.decisions.size() - a.approvedCount())
                    .arg(a.approverUpn,
                         a.sealed ? tr("sealed by Entra ID (digest %1)").arg(a.digest)
                                  : tr("not sealed"),
                         QDir::toNativeSeparators(RunFiles::approvalsFor(m_planPath))));
        } else {
            m_status->setText(job->errorString());
        }
        updateButtons();
        Q_EMIT sealFinished(ok);
    });
    job->start();
}
