// "Review a plan for approval" in the wizard (issue 17), offscreen on the real services
// and the demo's practice tenant: the operator's wizard saves a plan; a second person opens
// it from the Connect page, decides each flagged row, and the demo's sign-in seals it; the
// file written is the sealed approval of exactly those decisions.
#include "approvalreviewdialog.h"
#include "approvalseal.h"
#include "approvalsfile.h"
#include "connectpage.h"
#include "findingdetails.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "runfiles.h"
#include "wizardharness.h"

#include <QFileDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>

class tst_ApprovalReview : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The approver's view has a plan, not the tenant's initial domain: a federated stamp
    // still shows its UPN switch (with a placeholder), not a bare stamp Entra would refuse.
    void federatedStampShowsTheUpnSwitchWithoutTheInitialDomain()
    {
        Finding f;
        f.category = Category::FederatedDomain;
        f.action = Action::Stamp;
        f.cloudId = QStringLiteral("fed-1");
        f.cloudUpn = QStringLiteral("heidi@fed.contoso.example");
        f.setExpectedImmutableId(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
        const QUrl graph(QStringLiteral("https://graph.microsoft.com"));
        const QString unknown = FindingDetails::powerShell(f, graph, QString());
        QVERIFY2(unknown.contains(u"\"heidi@<tenant>.onmicrosoft.com\"") &&
                     unknown.contains(u"Replace <tenant>.onmicrosoft.com"),
                 qPrintable(unknown));
        const QString known =
            FindingDetails::powerShell(f, graph, QStringLiteral("contoso.onmicrosoft.com"));
        QVERIFY2(known.contains(u"\"heidi@contoso.onmicrosoft.com\"") &&
                     !known.contains(u"<tenant>"),
                 qPrintable(known));
        QCOMPARE(known.count(u"userPrincipalName"), 2);
    }
    void secondPersonSealsThePlan()
    {
        WizardHarness operatorSide(true);
        QVERIFY2(operatorSide.error.isEmpty(), qPrintable(operatorSide.error));
        QVERIFY(operatorSide.scanToReview());
        const QString planPath = operatorSide.dir.filePath(QStringLiteral("plan.csv"));
        operatorSide.wizard->reviewPage()->exportPlan(planPath);
        QTRY_VERIFY(QFile::exists(planPath));
        QTRY_VERIFY(QFileInfo(planPath).size() > 0);

        // The approver's wizard on the same tenant, from the Connect page.
        WizardHarness approver(false);
        approver.services->setPracticeTenant(operatorSide.tenant(), 10);
        ConnectPage *connect = approver.wizard->connectPage();
        connect->setCloudSettings(operatorSide.context->cloudSettings());
        auto *button = connect->findChild<QPushButton *>(QStringLiteral("reviewPlanForApproval"));
        QVERIFY(button && button->isEnabled());
        button->click();
        QFileDialog *picker = nullptr;
        QTRY_VERIFY((picker = connect->findChild<QFileDialog *>()) && picker->isVisible());
        picker->selectFile(planPath);
        QMetaObject::invokeMethod(picker, "accept");
        ApprovalReviewDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = connect->findChild<ApprovalReviewDialog *>()) != nullptr);
        QVERIFY(!dialog->isModal());
        QTRY_VERIFY(dialog->flaggedCount() > 1);
        // Each flagged row shows its reason and PowerShell; sealing waits for every decision.
        auto *details = dialog->findChild<QTextBrowser *>(QStringLiteral("approvalDetails"));
        QVERIFY(details->toPlainText().contains(QLatin1String("Invoke-Mg")) ||
                details->toPlainText().contains(QLatin1String("Set-ADUser")));
        auto *seal = dialog->findChild<QPushButton *>(QStringLiteral("sealApproval"));
        QVERIFY(!seal->isEnabled());
        for (int i = 0; i < dialog->flaggedCount(); ++i)
            dialog->setDecision(
                i, i == 0 ? ApprovalReviewDialog::Reject : ApprovalReviewDialog::Approve,
                QStringLiteral("reason %1").arg(i));
        QVERIFY(seal->isEnabled());
        dialog->setApprover(QStringLiteral("bob@contoso.example"));
        QSignalSpy sealed(dialog, &ApprovalReviewDialog::sealFinished);
        seal->click();
        QVERIFY(sealed.wait(20000));
        QVERIFY2(sealed.first().first().toBool(), qPrintable(dialog->statusText()));
        QVERIFY(dialog->statusText().contains(QLatin1String("sealed by Entra ID")));

        std::optional<Approvals> approvals;
        QString error;
        QVERIFY(ApprovalsFile::read(RunFiles::approvalsFor(planPath), &approvals, &error));
        QVERIFY(approvals);
        QVERIFY(approvals->sealed);
        QCOMPARE(approvals->approverUpn, QStringLiteral("bob@contoso.example"));
        QCOMPARE(approvals->tenantId, operatorSide.tenant()->tenantId());
        QCOMPARE(approvals->decisions.size(), dialog->flaggedCount());
        QCOMPARE(approvals->approvedCount(), dialog->flaggedCount() - 1);
        QCOMPARE(approvals->decisions.at(1).reason, QStringLiteral("reason 1"));
        const auto token = Jwt::parse(approvals->idToken, nullptr);
        QVERIFY(token);
        QCOMPARE(token->claim("nonce"), approvals->digest);
    }
};

QTEST_MAIN(tst_ApprovalReview)
#include "tst_approvalreview.moc"
