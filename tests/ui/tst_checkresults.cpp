// The wizard's follow-through, offscreen on the real services and the practice tenant:
// Check results on the Summary page before and after a sync cycle (/_practice/sync:
// waiting_for_sync → joined, and a sync_error), the demo's simulated sync cycle, an
// earlier run's audit file opened from the Connect page, and the Review page's two
// repairs for a row that can keep the cloud anchor (details pane and action editor).
#include "adcommand.h"
#include "auditlog.h"
#include "checkresultsdialog.h"
#include "checkresultspanel.h"
#include "connectpage.h"
#include "executepage.h"
#include "findingdetails.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "immutableid.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "summarypage.h"
#include "wizardharness.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>

using Column = FindingTableModel::Column;

namespace {

// The stamp / clear / adopt rows a run applied, from its audit trail (what a check reads).
QList<AuditRecord> appliedChanges(const QString &auditPath)
{
    QList<AuditRecord> rows;
    QString error;
    if (!AuditLog::read(auditPath, &rows, &error))
        qWarning("%s", qPrintable(error));
    QList<AuditRecord> changes;
    for (const AuditRecord &r : rows)
        if (r.result == AuditResult::Applied &&
            (r.action == AuditAction::Stamp || r.action == AuditAction::Clear ||
             r.action == AuditAction::AdoptCloudAnchor))
            changes << r;
    return changes;
}

QStringList auditResults(const QString &auditPath)
{
    QList<AuditRecord> rows;
    QString error;
    AuditLog::read(auditPath, &rows, &error);
    QStringList results;
    for (const AuditRecord &r : rows)
        results << auditResultName(r.result);
    return results;
}

// One Entra Connect sync cycle on the practice tenant, the way a test (or a trainer)
// asks for it: POST /_practice/sync with the on-prem users the engine would see.
QJsonObject practiceSync(PracticeTenant *tenant, const QJsonArray &users, const QDateTime &at)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(tenant->baseUrl() + QStringLiteral("/_practice/sync")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const QJsonObject body{{QStringLiteral("users"), users},
                           {QStringLiteral("at"), at.toUTC().toString(Qt::ISODate)}};
    QNetworkReply *reply = network.post(request, QJsonDocument(body).toJson());
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!done.wait(10000))
        return {};
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

// Runs one check on the panel the way the button does and waits for it, watching that
// the GUI stays responsive (the check is a job: the button is off, progress shows).
bool runCheck(CheckResultsPanel *panel)
{
    auto *button = panel->findChild<QPushButton *>(QStringLiteral("checkResultsButton"));
    auto *progress = panel->findChild<QProgressBar *>(QStringLiteral("checkProgress"));
    if (!button || !progress || !button->isEnabled())
        return false;
    QSignalSpy checked(panel, &CheckResultsPanel::checked);
    button->click();
    if (!panel->isBusy() || button->isEnabled() || progress->isHidden())
        return false; // the click returned at once with the check still running
    if (!checked.wait(20000) || checked.size() != 1)
        return false;
    return checked.at(0).at(0).toBool() && !panel->isBusy() && button->isEnabled() &&
           progress->isHidden();
}

QString resultOf(CheckResultsPanel *panel, const QString &user, QString *why = nullptr)
{
    QTableWidget *table = panel->table();
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 0)->text() == user) {
            if (why)
                *why = table->item(row, 3)->text();
            return table->item(row, 2)->data(Qt::UserRole).toString();
        }
    return {};
}

void selectSourceRow(ReviewPage *page, int sourceRow)
{
    const QModelIndex proxyIndex =
        page->proxy()->mapFromSource(page->proxy()->sourceModel()->index(sourceRow, 0));
    QVERIFY(proxyIndex.isValid());
    page->view()->setCurrentIndex(proxyIndex);
    page->view()->selectionModel()->select(proxyIndex, QItemSelectionModel::ClearAndSelect |
                                                           QItemSelectionModel::Rows);
}

} // namespace

class tst_CheckResults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A run on the practice tenant: before the next sync every change waits (with the
    // tenant's last and next sync), after /_practice/sync they are joined, except the one
    // whose on-prem object now yields another anchor: a sync error with Entra's text.
    // Every check appends its rows to the run's audit trail.
    void summaryBeforeAndAfterSync()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        // Besides the pending soft matches that run by default: the recreated account and
        // the federated user, approved.
        FindingTableModel *model = h.context->findings();
        for (Category c : {Category::AnchorMismatch, Category::FederatedDomain}) {
            const int row = h.rowOf(c);
            QVERIFY(row >= 0);
            QCOMPARE(model->finding(row).action, Action::Stamp);
            QVERIFY(model->setApproved(row, true));
        }
        // A stamp onto a cloud user whose onPremisesObjectIdentifier is set is blocked at the
        // sync (July 2026) and would never join: clear it first where the row offers that.
        for (int row = 0; row < model->rowCount(); ++row) {
            if (!model->finding(row).allows(Action::ClearObjectIdentifier))
                continue;
            QVERIFY(model->setAction(row, Action::ClearObjectIdentifier));
            QVERIFY(model->setApproved(row, true));
        }
        QVERIFY(h.runToSummary());
        SummaryPage *summary = h.wizard->summaryPage();
        CheckResultsPanel *panel = summary->checkResults();
        const RunFiles files = h.context->runFiles();
        QCOMPARE(panel->auditPath(), files.auditCsv);
        QVERIFY(panel->table()->isHidden()); // nothing checked yet
        const QList<AuditRecord> changes = appliedChanges(files.auditCsv);
        QVERIFY2(changes.size() >= 3, qPrintable(QString::number(changes.size())));
        const qsizetype auditRows = auditResults(files.auditCsv).size();

        // Before the sync: all waiting, with the last and the next expected sync.
        QVERIFY(runCheck(panel));
        ResultCheck check = panel->lastCheck();
        QCOMPARE(check.changes.size(), changes.size());
        QCOMPARE(panel->table()->rowCount(), int(changes.size()));
        QVERIFY(!panel->table()->isHidden());
        QVERIFY(check.tenantLastSync.isValid());
        for (const AuditRecord &c : changes) {
            QString why;
            QCOMPARE(resultOf(panel, c.cloudUpn, &why), QStringLiteral("waiting_for_sync"));
            QVERIFY2(why.contains(u"No sync since the change") &&
                         why.contains(u"next sync is expected around"),
                     qPrintable(why));
        }
        QVERIFY2(panel->statusText().contains(
                     QStringLiteral("0 joined, %1 waiting for sync, 0 with a sync error")
                         .arg(changes.size())),
                 qPrintable(panel->statusText()));
        QVERIFY2(panel->statusText().contains(u"next sync is expected around"),
                 qPrintable(panel->statusText()));
        QStringList results = auditResults(files.auditCsv);
        QCOMPARE(results.size(), auditRows + changes.size());
        QCOMPARE(results.count(QStringLiteral("waiting_for_sync")), int(changes.size()));

        // A sync cycle: AD yields the planned anchor for every changed user but the first,
        // whose account was recreated again (another anchor): a UPN conflict.
        const QString recreated = changes.first().cloudUpn;
        QJsonArray users;
        for (const AuditRecord &c : changes)
            users.append(QJsonObject{
                {QStringLiteral("anchor"),
                 c.cloudUpn == recreated
                     ? ImmutableId::parse(u"0f0e0d0c-0b0a-0908-0706-050403020100")->toBase64()
                     : c.newImmutableId},
                {QStringLiteral("userPrincipalName"), c.cloudUpn}});
        const QJsonObject cycle =
            practiceSync(h.tenant(), users, QDateTime::currentDateTimeUtc().addSecs(5));
        QCOMPARE(cycle.value(u"joined").toArray().size(), changes.size() - 1);
        QCOMPARE(cycle.value(u"conflicts").toArray().size(), 1);

        QVERIFY(runCheck(panel));
        check = panel->lastCheck();
        QCOMPARE(check.count(AuditResult::Joined), int(changes.size()) - 1);
        QCOMPARE(check.count(AuditResult::SyncError), 1);
        for (const AuditRecord &c : changes) {
            QString why;
            const QString result = resultOf(panel, c.cloudUpn, &why);
            if (c.cloudUpn == recreated) {
                QCOMPARE(result, QStringLiteral("sync_error"));
                QVERIFY2(why.contains(u"PropertyConflict on UserPrincipalName: " + recreated),
                         qPrintable(why));
            } else {
                QCOMPARE(result, QStringLiteral("joined"));
                QVERIFY2(why.contains(c.newImmutableId), qPrintable(why));
            }
        }
        QVERIFY2(panel->statusText().contains(QStringLiteral("%1 joined, 0 waiting for sync, 1 "
                                                             "with a sync error")
                                                  .arg(changes.size() - 1)),
                 qPrintable(panel->statusText()));
        results = auditResults(files.auditCsv);
        QCOMPARE(results.size(), auditRows + 2 * changes.size());
        QCOMPARE(results.count(QStringLiteral("joined")), int(changes.size()) - 1);
        QCOMPARE(results.count(QStringLiteral("sync_error")), 1);
    }

    // --demo: "Simulate a sync cycle" runs the practice tenant's sync on the demo
    // directory; the changed users are joined afterwards. A real tenant has no such button.
    void demoSimulatedSync()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        QVERIFY(h.runToSummary());
        CheckResultsPanel *panel = h.wizard->summaryPage()->checkResults();
        auto *sync = panel->findChild<QPushButton *>(QStringLiteral("simulateSync"));
        QVERIFY(sync && !sync->isHidden() && sync->isEnabled());
        const QDateTime before = QDateTime::fromString(
            h.tenant()->directory().organization.value(u"onPremisesLastSyncDateTime").toString(),
            Qt::ISODate);
        QVERIFY(before.isValid() && before < QDateTime::currentDateTimeUtc());

        sync->click();
        QVERIFY(panel->isBusy());
        QVERIFY(!sync->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 20000);
        QVERIFY2(panel->statusText().contains(u"Simulated sync cycle at"),
                 qPrintable(panel->statusText()));
        const QDateTime after = QDateTime::fromString(
            h.tenant()->directory().organization.value(u"onPremisesLastSyncDateTime").toString(),
            Qt::ISODate);
        QVERIFY(after > before);

        QVERIFY(runCheck(panel));
        const ResultCheck check = panel->lastCheck();
        QVERIFY(!check.changes.isEmpty());
        QCOMPARE(check.count(AuditResult::Joined), int(check.changes.size()));

        // Against a tenant that is not the demo's, there is nothing to simulate.
        WizardHarness real(false);
        QVERIFY(!real.services->canSimulateSync());
        QVERIFY(real.wizard->summaryPage()
                    ->checkResults()
                    ->findChild<QPushButton *>(QStringLiteral("simulateSync"))
                    ->isHidden());
    }

    // Later, in another session: the Connect page opens the audit file of an earlier run
    // ("Check an earlier run…", a file dialog that does not block) and checks it with the
    // session signed in there; before signing in it says to sign in first.
    void earlierRunFromConnectPage()
    {
        WizardHarness first(true);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QVERIFY(first.scanToReview());
        QVERIFY(first.runToSummary());
        const QString auditPath = first.context->runFiles().auditCsv;
        const QList<AuditRecord> changes = appliedChanges(auditPath);
        QVERIFY(!changes.isEmpty());
        QJsonArray users;
        for (const AuditRecord &c : changes)
            users.append(QJsonObject{{QStringLiteral("anchor"), c.newImmutableId},
                                     {QStringLiteral("userPrincipalName"), c.cloudUpn}});
        QVERIFY(!practiceSync(first.tenant(), users, QDateTime::currentDateTimeUtc().addSecs(5))
                     .isEmpty());
        const qsizetype auditRows = auditResults(auditPath).size();

        // A new wizard on the same tenant, not signed in yet.
        WizardHarness later(false);
        later.services->setPracticeTenant(first.tenant(), 10);
        ConnectPage *connect = later.wizard->connectPage();
        connect->setOnPremSettings(first.context->onPremSettings());
        connect->setCloudSettings(first.context->cloudSettings());
        auto *button = connect->findChild<QPushButton *>(QStringLiteral("checkEarlierRun"));
        QVERIFY(button && button->isEnabled());
        button->click();
        QFileDialog *picker = nullptr;
        QTRY_VERIFY((picker = connect->findChild<QFileDialog *>()) && picker->isVisible());
        picker->selectFile(auditPath);
        QMetaObject::invokeMethod(picker, "accept"); // the Open button
        CheckResultsDialog *dialog = connect->checkResultsDialog();
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY(!dialog->isModal());
        QCOMPARE(dialog->panel()->auditPath(), auditPath);
        QVERIFY2(dialog->panel()->statusText().contains(u"Sign in to the tenant"),
                 qPrintable(dialog->panel()->statusText()));
        QCOMPARE(auditResults(auditPath).size(), auditRows); // nothing read, nothing added

        QVERIFY(later.signIn());
        QVERIFY(runCheck(dialog->panel()));
        const ResultCheck check = dialog->panel()->lastCheck();
        QCOMPARE(check.changes.size(), changes.size());
        QCOMPARE(check.count(AuditResult::Joined), int(changes.size()));
        QCOMPARE(auditResults(auditPath).size(), auditRows + changes.size());
    }

    // The demo's on-prem side is an export file, not a directory: a row set to keep the
    // cloud anchor cannot be written there. The confirm step says so, the run leaves it
    // out (nothing is sent for it, the cloud user stays as it was) and saves its
    // Set-ADUser command beside the run's files; the Summary page points at it.
    void exportFileAdRowsBecomeScript()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        const int row = h.rowOf(Category::SyncedObject);
        QVERIFY(row >= 0);
        QVERIFY(model->setAction(row, Action::AdoptCloudAnchor));
        QVERIFY(model->setApproved(row, true));
        const Finding dave = model->finding(row);
        const QJsonObject before =
            h.tenant()->directory().users.at(h.tenant()->directory().indexOfUser(dave.cloudId));

        h.wizard->next();
        const QString confirmation = h.wizard->executePage()->confirmationText();
        QVERIFY2(confirmation.contains(u"1 change(s) would write to Active Directory, but the "
                                       u"on-prem side is an export file"),
                 qPrintable(confirmation));
        QVERIFY(confirmation.contains(u"set-aduser.ps1"));
        QVERIFY(h.runToSummary());

        const RunFiles files = h.context->runFiles();
        QFile script(files.adScript);
        QVERIFY2(script.open(QIODevice::ReadOnly), qPrintable(files.adScript));
        const QString text = QString::fromUtf8(script.readAll());
        const QString command =
            AdCommand::setAdUser(dave.onPremDn, ImmutableId::parse(dave.cloudImmutableId)->bytes());
        QVERIFY2(text.contains(u'\n' + command + u'\n'), qPrintable(text));
        QVERIFY(text.contains(u"Import-Module ActiveDirectory"));
        QCOMPARE(text.count(u"Set-ADUser"), 1);
        // Nothing was sent for it: the cloud user and the audit trail show no change.
        QCOMPARE(
            h.tenant()->directory().users.at(h.tenant()->directory().indexOfUser(dave.cloudId)),
            before);
        for (const AuditRecord &c : appliedChanges(files.auditCsv))
            QVERIFY(c.cloudId != dave.cloudId);
        SummaryPage *summary = h.wizard->summaryPage();
        QVERIFY2(summary->headline().contains(u"1 change(s) to Active Directory were not made"),
                 qPrintable(summary->headline()));
        QVERIFY(!summary->findChild<QPushButton *>(QStringLiteral("openAdScript"))->isHidden());
    }

    // A row that can keep the cloud anchor: the details pane explains both repairs, each
    // with its PowerShell (the Graph PATCH, and Set-ADUser from AdCommand), and the action
    // editor offers exactly what the row allows; choosing "write to AD" shows its command.
    void adoptRow_data()
    {
        QTest::addColumn<Category>("category");
        QTest::addColumn<bool>("cloudStampPossible");
        QTest::newRow("recreated account (anchor_mismatch)") << Category::AnchorMismatch << true;
        QTest::newRow("still synced (synced_object)") << Category::SyncedObject << false;
    }
    void adoptRow()
    {
        QFETCH(Category, category);
        QFETCH(bool, cloudStampPossible);
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        ReviewPage *review = h.wizard->reviewPage();
        FindingTableModel *model = h.context->findings();
        int row = -1;
        for (int r = 0; r < model->rowCount() && row < 0; ++r)
            if (model->finding(r).category == category &&
                model->finding(r).allows(Action::AdoptCloudAnchor))
                row = r;
        QVERIFY2(row >= 0, "the demo has an adopt-capable row of this category");
        const Finding f = model->finding(row);
        QCOMPARE(f.allows(Action::Stamp), cloudStampPossible);
        QVERIFY(f.canAdoptCloudAnchor());

        selectSourceRow(review, row);
        const QString details = review->details()->toPlainText();
        QVERIFY2(details.contains(u"Two ways to repair this row"), qPrintable(details));
        QVERIFY(details.contains(u"Stamp the new anchor in the cloud"));
        QVERIFY(details.contains(u"Keep the cloud anchor and write it to AD"));
        const QString setAdUser =
            AdCommand::setAdUser(f.onPremDn, ImmutableId::parse(f.cloudImmutableId)->bytes());
        QVERIFY2(setAdUser.startsWith(u"Set-ADUser -Identity '" + f.onPremDn + u"' -Replace"),
                 qPrintable(setAdUser));
        QVERIFY2(details.contains(setAdUser), qPrintable(details));
        Finding stamp = f;
        stamp.action = Action::Stamp;
        const QString cloudCommand =
            FindingDetails::powerShell(stamp, h.context->cloudSettings().graphUrl, QString())
                .split(u'\n')
                .last();
        QVERIFY(cloudCommand.contains(u"onPremisesImmutableId = \"" + f.expectedImmutableId()));
        QCOMPARE(details.contains(cloudCommand), cloudStampPossible);
        QCOMPARE(details.contains(u"not possible: the cloud user is still synced"),
                 !cloudStampPossible);

        // The editor offers what the row allows, nothing else.
        const QModelIndex actionIndex =
            review->proxy()->mapFromSource(model->index(row, int(Column::Action)));
        review->view()->setCurrentIndex(actionIndex);
        review->view()->edit(actionIndex);
        auto *editor = review->view()->findChild<QComboBox *>(QStringLiteral("actionEditor"));
        QVERIFY(editor);
        QList<Action> offered;
        for (int i = 0; i < editor->count(); ++i)
            offered << Action(editor->itemData(i).toInt());
        QCOMPARE(offered, f.allowedActions);
        QVERIFY(offered.contains(Action::AdoptCloudAnchor));
        QCOMPARE(offered.contains(Action::Stamp), cloudStampPossible);
        QVERIFY(!offered.contains(Action::PurgeDeleted));
        const int adopt = editor->findData(int(Action::AdoptCloudAnchor));
        editor->setCurrentIndex(adopt);
        emit editor->activated(adopt);
        QTRY_COMPARE(model->finding(row).action, Action::AdoptCloudAnchor);
        selectSourceRow(review, row);
        const QString chosen = review->details()->toPlainText();
        const int section = chosen.indexOf(u"PowerShell equivalent of “Write cloud anchor to AD”");
        QVERIFY2(section >= 0, qPrintable(chosen));
        QVERIFY(chosen.indexOf(setAdUser, section) > section);

        // A row that cannot adopt (a pending soft match) is offered no AD write.
        const int soft = h.rowOf(Category::SoftMatchPending);
        QVERIFY(soft >= 0);
        QVERIFY(!model->finding(soft).allows(Action::AdoptCloudAnchor));
        selectSourceRow(review, soft);
        QVERIFY(!review->details()->toPlainText().contains(u"Two ways to repair this row"));
    }
};

QTEST_MAIN(tst_CheckResults)
#include "tst_checkresults.moc"
