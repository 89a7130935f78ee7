// The real wizard driven end to end on the demo environment (practice tenant + demo
// LDIF), offscreen: connect, scan, filter, change an action, approve a flagged row,
// execute, summary, audit trail, practice tenant state, rollback; and the unhappy paths
// that need no directory server: a cancelled scan and a failed row.
#include "connectpage.h"
#include "executepage.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "saveplanjob.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardharness.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

using Column = FindingTableModel::Column;

namespace {

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

QJsonObject tenantUser(PracticeTenant *tenant, const QString &id)
{
    const int index = tenant->directory().indexOfUser(id);
    return index < 0 ? QJsonObject() : tenant->directory().users.at(index);
}

// Selects one source row in the Review page's view.
void selectSourceRow(ReviewPage *page, int sourceRow)
{
    const QModelIndex proxyIndex =
        page->proxy()->mapFromSource(page->proxy()->sourceModel()->index(sourceRow, 0));
    QVERIFY(proxyIndex.isValid());
    page->view()->setCurrentIndex(proxyIndex);
    page->view()->selectionModel()->select(proxyIndex, QItemSelectionModel::ClearAndSelect |
                                                           QItemSelectionModel::Rows);
}

// The Graph requests in the practice tenant's request log, from this log index on.
QList<PracticeRequestRecord> graphRequests(PracticeTenant *tenant, qsizetype from = 0)
{
    QList<PracticeRequestRecord> graph;
    const QList<PracticeRequestRecord> log = tenant->requestLog();
    for (qsizetype i = from; i < log.size(); ++i)
        if (log.at(i).path.startsWith(u"/v1.0/"))
            graph.append(log.at(i));
    return graph;
}

const QString readAll = QStringLiteral("User.Read.All");
const QString readWriteAll = QStringLiteral("User.ReadWrite.All");

} // namespace

class tst_Wizard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void demoEndToEnd()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Connect));
        QVERIFY(!w->button(QWizard::NextButton)->isEnabled()); // not signed in yet

        // Connect: device code sign-in, shown in the page.
        QVERIFY(h.signIn());
        QVERIFY(!w->connectPage()->deviceCode().isEmpty());
        QVERIFY(w->button(QWizard::NextButton)->isEnabled());

        // Scan.
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Scan));
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        QVERIFY2(w->scanPage()->statusText().contains(u"Done"),
                 qPrintable(w->scanPage()->statusText()));
        // Least privilege: the scan read with a token that cannot change users.
        const QList<PracticeRequestRecord> scanRequests = graphRequests(h.tenant());
        QVERIFY(!scanRequests.isEmpty());
        for (const PracticeRequestRecord &r : scanRequests) {
            QVERIFY2(r.permissions.contains(readAll), qPrintable(r.path));
            QVERIFY2(!r.permissions.contains(readWriteAll), qPrintable(r.path));
        }

        // Review: one chip per category found; the demo shows many of them.
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Review));
        ReviewPage *review = w->reviewPage();
        FindingTableModel *model = h.context->findings();
        QVERIFY(model->rowCount() > 0);
        int categoriesSeen = 0;
        for (Category c : allCategories()) {
            const int n = model->countByCategory(c);
            QCOMPARE(review->chip(c) != nullptr, n > 0);
            if (review->chip(c)) {
                ++categoriesSeen;
                QVERIFY(review->chip(c)->text().contains(QString::number(n)));
            }
        }
        QVERIFY2(categoriesSeen >= 8, qPrintable(QString::number(categoriesSeen)));
        // The 2026 rules: rows with the sync engine's errors have their chip, and the
        // pre-flight names carol's onPremisesObjectIdentifier (a planned stamp it blocks).
        QVERIFY(!review->syncErrorChip()->isHidden());
        review->syncErrorChip()->click();
        QVERIFY(review->proxy()->rowCount() > 0);
        QVERIFY(review->proxy()->rowCount() < model->rowCount());
        for (int r = 0; r < review->proxy()->rowCount(); ++r)
            QVERIFY(
                !model->finding(review->proxy()->mapToSource(review->proxy()->index(r, 0)).row())
                     .syncErrors.isEmpty());
        review->syncErrorChip()->click();
        QCOMPARE(review->proxy()->rowCount(), model->rowCount());
        QVERIFY2(review->preflightText().contains(u"onPremisesObjectIdentifier"),
                 qPrintable(review->preflightText()));

        // Filter by a chip, then by text.
        const int mismatchRow = h.rowOf(Category::AnchorMismatch);
        const int softRow = h.rowOf(Category::SoftMatchPending);
        const int deletedRow = h.rowOf(Category::DeletedAnchorHolder);
        QVERIFY(mismatchRow >= 0 && softRow >= 0 && deletedRow >= 0);
        review->chip(Category::AnchorMismatch)->click();
        QCOMPARE(review->proxy()->rowCount(), model->countByCategory(Category::AnchorMismatch));
        for (int r = 0; r < review->proxy()->rowCount(); ++r)
            QCOMPARE(
                review->proxy()->index(r, 0).data(FindingTableModel::UnderlyingDataRole).toInt(),
                int(Category::AnchorMismatch));
        review->chip(Category::AnchorMismatch)->click();
        QCOMPARE(review->proxy()->rowCount(), model->rowCount());
        const QString softUpn = model->finding(softRow).onPremUpn;
        review->setSearchText(softUpn.toUpper());
        QVERIFY(review->proxy()->rowCount() >= 1);
        for (int r = 0; r < review->proxy()->rowCount(); ++r) {
            const Finding &f =
                model->finding(review->proxy()->mapToSource(review->proxy()->index(r, 0)).row());
            QVERIFY(f.onPremUpn.compare(softUpn, Qt::CaseInsensitive) == 0 ||
                    f.cloudUpn.contains(softUpn, Qt::CaseInsensitive) ||
                    f.onPremDn.contains(softUpn, Qt::CaseInsensitive) ||
                    f.reason().contains(softUpn, Qt::CaseInsensitive));
        }
        review->setSearchText(QString());
        QCOMPARE(review->proxy()->rowCount(), model->rowCount());

        // Change an action through the row's editor: it offers only the allowed actions.
        const Finding mismatch = model->finding(mismatchRow);
        QCOMPARE(mismatch.action, Action::Stamp);
        QVERIFY(mismatch.requiresApproval);
        const QModelIndex actionIndex =
            review->proxy()->mapFromSource(model->index(mismatchRow, int(Column::Action)));
        review->view()->setCurrentIndex(actionIndex);
        review->view()->edit(actionIndex);
        auto *editor = review->view()->findChild<QComboBox *>(QStringLiteral("actionEditor"));
        QVERIFY(editor);
        QCOMPARE(editor->count(), int(mismatch.allowedActions.size()));
        QCOMPARE(editor->findData(int(Action::PurgeDeleted)), -1);
        const int clearIndex = editor->findData(int(Action::Clear));
        QVERIFY(clearIndex >= 0);
        editor->setCurrentIndex(clearIndex);
        emit editor->activated(clearIndex);
        QTRY_COMPARE(model->finding(mismatchRow).action, Action::Clear);

        // Flagged: it does not run until approved; approve it as a selection.
        QVERIFY(!model->finding(mismatchRow).isExecutable());
        selectSourceRow(review, mismatchRow);
        review->findChild<QPushButton *>(QStringLiteral("approveSelected"))->click();
        QVERIFY(model->finding(mismatchRow).approved);
        QVERIFY(model->finding(mismatchRow).isExecutable());
        // The deleted anchor holder stays unapproved: its purge must not run.
        QVERIFY(!model->finding(deletedRow).isExecutable());

        // Detail pane: reason, anchor forms, the exact PowerShell for a clear.
        const QString details = review->details()->toPlainText();
        QVERIFY2(details.contains(u"Invoke-MgGraphRequest -Method PATCH -Uri"),
                 qPrintable(details));
        QVERIFY(details.contains(u"/v1.0/users/" + mismatch.cloudId));
        QVERIFY(details.contains(u"onPremisesImmutableId = $null"));
        QVERIFY(details.contains(mismatch.cloudImmutableId));

        // Export the plan: a job saves it off the GUI thread, the buttons wait for it.
        auto *exportButton = review->findChild<QPushButton *>(QStringLiteral("exportPlan"));
        auto *importButton = review->findChild<QPushButton *>(QStringLiteral("importPlan"));
        auto *reviewMessage = review->findChild<QLabel *>(QStringLiteral("reviewMessage"));
        QVERIFY(exportButton && importButton && reviewMessage);
        QSignalSpy planFileSpy(review, &ReviewPage::planFileFinished);
        const QString planPath = h.dir.filePath(QStringLiteral("exported-plan.csv"));
        review->exportPlan(planPath);
        QVERIFY(review->isPlanFileBusy());
        QVERIFY(!exportButton->isEnabled());
        QVERIFY(!importButton->isEnabled());
        QVERIFY(!review->isComplete());
        QCOMPARE(reviewMessage->text(), QStringLiteral("Saving plan…"));
        QTRY_COMPARE(planFileSpy.size(), 1);
        QVERIFY2(planFileSpy.at(0).at(0).toBool(), qPrintable(planFileSpy.at(0).at(1).toString()));
        QVERIFY(!review->isPlanFileBusy());
        QVERIFY(exportButton->isEnabled());
        QVERIFY(importButton->isEnabled());
        QVERIFY(review->isComplete());
        QCOMPARE(reviewMessage->text(), QStringLiteral("Plan saved to %1.").arg(planPath));
        const QStringList planLines = readLines(planPath);
        QCOMPARE(planLines.size(), model->rowCount() + 1);
        QVERIFY(planLines.first().startsWith(u"row_id,category,severity"));

        // Import it back over a changed choice: the file's choices return.
        QVERIFY(model->setAction(softRow, Action::None));
        planFileSpy.clear();
        review->importPlan(planPath);
        QVERIFY(!exportButton->isEnabled());
        QVERIFY(!importButton->isEnabled());
        QCOMPARE(reviewMessage->text(), QStringLiteral("Loading plan…"));
        QTRY_COMPARE(planFileSpy.size(), 1);
        QVERIFY2(planFileSpy.at(0).at(0).toBool(), qPrintable(planFileSpy.at(0).at(1).toString()));
        QVERIFY(exportButton->isEnabled());
        QVERIFY(importButton->isEnabled());
        QCOMPARE(reviewMessage->text(), QStringLiteral("Plan loaded from %1.").arg(planPath));
        QCOMPARE(model->rowCount(), planLines.size() - 1);
        QCOMPARE(model->finding(softRow).action, Action::Stamp);
        QCOMPARE(model->finding(mismatchRow).action, Action::Clear);
        QVERIFY(model->finding(mismatchRow).approved);
        // A broken file is refused with a message, and the table stays as it is.
        const QString brokenPath = h.dir.filePath(QStringLiteral("broken-plan.csv"));
        {
            QFile broken(brokenPath);
            QVERIFY(broken.open(QIODevice::WriteOnly));
            broken.write("row_id,category\n1,no_such_category\n");
        }
        planFileSpy.clear();
        review->importPlan(brokenPath);
        QTRY_COMPARE(planFileSpy.size(), 1);
        QVERIFY(!planFileSpy.at(0).at(0).toBool());
        const QString error = planFileSpy.at(0).at(1).toString();
        QVERIFY2(error.contains(u"broken-plan.csv"), qPrintable(error));
        QVERIFY2(error.contains(QRegularExpression(QStringLiteral("line \\d+, column \\d+: "))),
                 qPrintable(error));
        QCOMPARE(reviewMessage->text(), error);
        QVERIFY(importButton->isEnabled());
        QCOMPARE(model->rowCount(), planLines.size() - 1);

        const int executable = model->executableCount();
        const QString softCloudId = model->finding(softRow).cloudId;
        const QString softExpected = model->finding(softRow).expectedImmutableId();
        QVERIFY(model->finding(softRow).isExecutable());
        const QString deletedHolder = model->finding(deletedRow).deletedHolderId;

        // Execute: confirmation first, then the run.
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
        ExecutePage *execute = w->executePage();
        QVERIFY(
            execute->confirmationText().contains(FindingTableModel::actionTitle(Action::Clear)));
        QVERIFY(execute->confirmationText().contains(u"audit.csv"));
        // The approval mode in force is named (the plan has flagged rows).
        QVERIFY(execute->confirmationText().contains(u"Approval: single admin"));
        QVERIFY(!w->button(QWizard::CommitButton)->isEnabled());
        const qsizetype beforeExecute = h.tenant()->requestLog().size();
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        QCOMPARE(execute->results()->rowCount(), executable);
        QVERIFY(w->button(QWizard::CommitButton)->isEnabled());
        // Write access was added for the run (through the refresh token), and every
        // request of the run carried it.
        const QList<PracticeRequestRecord> runRequests = graphRequests(h.tenant(), beforeExecute);
        bool wrote = false;
        for (const PracticeRequestRecord &r : runRequests) {
            QVERIFY2(r.permissions.contains(readWriteAll), qPrintable(r.path));
            wrote = wrote || r.method != "GET";
        }
        QVERIFY(wrote);

        // Summary.
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
        const ExecutionReport &report = h.context->report();
        QCOMPARE(report.count(ChangeStatus::Applied), executable);
        QCOMPARE(report.count(ChangeStatus::Failed), 0);
        QVERIFY2(w->summaryPage()->headline().contains(
                     QStringLiteral("%1 changed, 0 failed").arg(executable)),
                 qPrintable(w->summaryPage()->headline()));
        QCOMPARE(w->summaryPage()->outcomes()->rowCount(), executable);

        // The audit trail has one applied row per change.
        const RunFiles files = h.context->runFiles();
        const QStringList audit = readLines(files.auditCsv);
        QVERIFY(!audit.isEmpty());
        QVERIFY(audit.first().startsWith(u"timestamp_utc,run_id,operator,tenant_id,row_id"));
        for (const QString &id : {mismatch.cloudId, softCloudId}) {
            bool applied = false;
            for (const QString &line : audit)
                applied = applied || (line.contains(id) && line.contains(u",applied,"));
            QVERIFY2(applied, qPrintable(id));
        }
        // Its first row names the plan as run by the SHA-256 of plan.csv (worked out off
        // the GUI thread before the run started).
        QTRY_VERIFY(QFile::exists(files.planCsv));
        QFile planFile(files.planCsv);
        QVERIFY(planFile.open(QIODevice::ReadOnly));
        const QString planSha = QString::fromLatin1(
            QCryptographicHash::hash(planFile.readAll(), QCryptographicHash::Sha256).toHex());
        QVERIFY2(audit.value(1).contains(u",run,") &&
                     audit.value(1).contains(u"plan " + files.planCsv + u" sha256 " + planSha),
                 qPrintable(audit.value(1)));
        QVERIFY(QFile::exists(files.rollbackCsv));
        QVERIFY(QFile::exists(files.rollbackPs1));
        for (const char *button :
             {"openAudit", "openRollback", "openScript", "openFolder", "rollback"})
            QVERIFY2(
                w->summaryPage()->findChild<QPushButton *>(QLatin1StringView(button))->isEnabled(),
                button);

        // The practice tenant's state: cleared, stamped, and the unapproved purge not done.
        PracticeTenant *tenant = h.tenant();
        QVERIFY(tenantUser(tenant, mismatch.cloudId)
                    .value(u"onPremisesImmutableId")
                    .toString()
                    .isEmpty());
        QCOMPARE(tenantUser(tenant, softCloudId).value(u"onPremisesImmutableId").toString(),
                 softExpected);
        QVERIFY(tenant->directory().indexOfDeletedUser(deletedHolder) >= 0);

        // Roll the run back from the summary page.
        QSignalSpy rolledBack(w->summaryPage(), &SummaryPage::rollbackEnded);
        w->summaryPage()->requestRollback();
        w->summaryPage()->confirmRollback();
        QVERIFY(rolledBack.wait(30000));
        QVERIFY2(rolledBack.first().first().toBool(),
                 qPrintable(w->summaryPage()->rollbackStatus()));
        QCOMPARE(tenantUser(tenant, mismatch.cloudId).value(u"onPremisesImmutableId").toString(),
                 mismatch.cloudImmutableId);
        QVERIFY(
            tenantUser(tenant, softCloudId).value(u"onPremisesImmutableId").toString().isEmpty());

        // The button of a rolled-back run says so; a second rollback sends nothing.
        auto *rollbackButton =
            w->summaryPage()->findChild<QPushButton *>(QStringLiteral("rollback"));
        QVERIFY(!rollbackButton->isEnabled());
        QVERIFY2(rollbackButton->text().contains(u"Already rolled back"),
                 qPrintable(rollbackButton->text()));
        const qsizetype writes = tenant->writeLog().size();
        w->summaryPage()->requestRollback();
        w->summaryPage()->confirmRollback();
        QVERIFY(rolledBack.wait(30000));
        QVERIFY(rolledBack.last().first().toBool());
        QVERIFY2(w->summaryPage()->rollbackStatus().contains(u"already rolled back"),
                 qPrintable(w->summaryPage()->rollbackStatus()));
        QCOMPARE(tenant->writeLog().size(), writes);
        QCOMPARE(tenantUser(tenant, mismatch.cloudId).value(u"onPremisesImmutableId").toString(),
                 mismatch.cloudImmutableId);
    }

    // Execute gets User.ReadWrite.All right before sending: silently through the
    // session's refresh token, else with a new sign-in shown on the Execute page.
    // Issue 10.7 and 13.4: the confirm step lists every user that will change and how
    // (user, action, old → new), the irreversible clear of onPremisesObjectIdentifier
    // marked; the run asks for User-OnPremisesSyncBehavior.ReadWrite.All with the write
    // scopes, clears carol's identifier on beta, stamps her, and the audit says the clear
    // is not reversible.
    void confirmListsEveryChange()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        AnchorfixWizard *w = h.wizard.get();
        FindingTableModel *model = h.context->findings();
        int carol = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->finding(r).onPremUpn == u"carol@contoso.example")
                carol = r;
        QVERIFY(carol >= 0);
        const Finding before = model->finding(carol);
        QVERIFY(before.allows(Action::ClearObjectIdentifier));
        QVERIFY(model->setAction(carol, Action::ClearObjectIdentifier));
        QVERIFY(!model->finding(carol).isExecutable()); // irreversible: approval first
        QVERIFY(model->setApproved(carol, true));
        for (int r = 0; r < model->rowCount(); ++r) // approve the other flagged stamps
            if (r != carol && model->finding(r).category == Category::AnchorMismatch)
                QVERIFY(model->setApproved(r, true));
        QList<Finding> executable;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->finding(r).isExecutable())
                executable << model->finding(r);
        QVERIFY(executable.size() >= 3);

        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
        ExecutePage *execute = w->executePage();
        const QStringList lines = execute->changeLines();
        QCOMPARE(lines.size(), executable.size());
        for (int i = 0; i < lines.size(); ++i) {
            const Finding &f = executable.at(i);
            QVERIFY2(lines.at(i).startsWith(f.cloudUpn + u" — " +
                                            FindingTableModel::actionTitle(f.action)),
                     qPrintable(lines.at(i)));
            QCOMPARE(lines.at(i).contains(u"IRREVERSIBLE"), isIrreversibleAction(f.action));
            if (f.action == Action::Stamp || f.action == Action::PurgeDeleted ||
                f.action == Action::ClearObjectIdentifier) // old → new anchor
                QVERIFY2(
                    lines.at(i).contains(u"onPremisesImmutableId " +
                                         (f.cloudImmutableId.isEmpty() ? QStringLiteral("(none)")
                                                                       : f.cloudImmutableId) +
                                         u" → " + f.expectedImmutableId()),
                    qPrintable(lines.at(i)));
        }
        const QString carolLine = lines.at(executable.indexOf(model->finding(carol)));
        QVERIFY2(carolLine.contains(u"onPremisesObjectIdentifier (set) → (none)"),
                 qPrintable(carolLine));
        QVERIFY2(execute->confirmationText().contains(u"not reversible"),
                 qPrintable(execute->confirmationText()));
        auto *list = execute->findChild<QListWidget *>(QStringLiteral("changeList"));
        QVERIFY(list && !list->accessibleName().isEmpty());
        QCOMPARE(list->verticalScrollBarPolicy(), Qt::ScrollBarAsNeeded);

        const qsizetype beforeRun = h.tenant()->requestLog().size();
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        QCOMPARE(h.context->report().count(ChangeStatus::Failed), 0);
        const QJsonObject carolNow = tenantUser(h.tenant(), before.cloudId);
        QVERIFY(carolNow.value("onPremisesObjectIdentifier").toString().isEmpty());
        QCOMPARE(carolNow.value("onPremisesImmutableId").toString(), before.expectedImmutableId());
        bool betaClear = false;
        const QList<PracticeRequestRecord> log = h.tenant()->requestLog();
        for (qsizetype i = beforeRun; i < log.size(); ++i)
            if (log.at(i).path == u"/beta/users/" + before.cloudId) {
                betaClear = true;
                QVERIFY(log.at(i).permissions.contains(
                    QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")));
            }
        QVERIFY(betaClear);
        const QString audit = readLines(h.context->runFiles().auditCsv).join(u'\n');
        QVERIFY2(audit.contains(u"clear_object_identifier,,,applied"), qPrintable(audit));
        QVERIFY(audit.contains(u"not reversible"));
    }

    void writeAccessOnExecute_data()
    {
        QTest::addColumn<bool>("revokeRefreshTokens");
        QTest::addColumn<bool>("writeConsented"); // the app may have User.ReadWrite.All
        QTest::addColumn<bool>("decline");
        QTest::addColumn<int>("deviceCodes"); // sign-ins the run asked for
        QTest::addColumn<QString>("failure"); // empty: the run applies every change
        QTest::newRow("refresh token") << false << true << false << 0 << QString();
        QTest::newRow("refresh token refused, new sign-in")
            << true << true << false << 1 << QString();
        QTest::newRow("new sign-in declined")
            << true << true << true << 1 << QStringLiteral("Nothing was changed");
        QTest::newRow("app not consented to write")
            << false << false << false << 1 << QStringLiteral("Ask an admin to consent");
    }
    void writeAccessOnExecute()
    {
        QFETCH(bool, revokeRefreshTokens);
        QFETCH(bool, writeConsented);
        QFETCH(bool, decline);
        QFETCH(int, deviceCodes);
        QFETCH(QString, failure);
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        PracticeTenant *tenant = h.tenant();
        const int executable = h.context->findings()->executableCount();
        QVERIFY(executable > 0);
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
        ExecutePage *execute = w->executePage();

        if (revokeRefreshTokens)
            tenant->tokens().revokeRefreshTokens();
        if (!writeConsented)
            tenant->directory().clients.first().delegatedPermissions.removeAll(readWriteAll);
        if (decline) {
            // No automatic approval: the person at the verification page says no.
            h.services->setPracticeTenant(tenant, 600000);
            connect(tenant, &PracticeTenant::deviceCodeIssued, tenant,
                    [tenant](const QString &code) { tenant->declineDeviceCode(code); });
        }
        QSignalSpy codes(tenant, &PracticeTenant::deviceCodeIssued);
        const qsizetype beforeExecute = tenant->requestLog().size();
        execute->startRun();
        if (deviceCodes > 0) {
            // The code to enter is shown on the Execute page, with what it is for.
            QVERIFY(codes.wait(10000));
            const QString code = codes.first().first().toString();
            QTRY_VERIFY2(execute->statusText().contains(code), qPrintable(execute->statusText()));
            QVERIFY(execute->statusText().contains(u"Executing needs User.ReadWrite.All"));
        }
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        QCOMPARE(codes.size(), deviceCodes);

        const QList<PracticeRequestRecord> runRequests = graphRequests(tenant, beforeExecute);
        if (!failure.isEmpty()) {
            QVERIFY2(execute->statusText().contains(failure), qPrintable(execute->statusText()));
            QCOMPARE(execute->results()->rowCount(), 0);
            QVERIFY(tenant->writeLog().isEmpty());
            QVERIFY(runRequests.isEmpty());
            return;
        }
        QCOMPARE(execute->results()->rowCount(), executable);
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), executable);
        QVERIFY(!tenant->writeLog().isEmpty());
        QVERIFY(!runRequests.isEmpty());
        for (const PracticeRequestRecord &r : runRequests)
            QVERIFY2(r.permissions.contains(readWriteAll), qPrintable(r.path));
    }

    void geometryRemembered()
    {
        WizardHarness h(false);
        h.wizard->resize(1010, 690);
        QVERIFY(QTest::qWaitForWindowExposed(h.wizard.get()));
        h.wizard->reject(); // Cancel: closes, remembers the window
        QVERIFY(h.settings->contains(QStringLiteral("window/geometry")));
        AnchorfixWizard again(h.context.get());
        QCOMPARE(again.size(), QSize(1010, 690));
    }

    void demoOfferedWhenNothingIsConfigured()
    {
        WizardHarness h(false);
        ConnectPage *page = h.wizard->connectPage();
        auto *banner = page->findChild<QWidget *>(QStringLiteral("demoBanner"));
        QVERIFY(banner);
        QVERIFY(banner->isVisible());
        page->findChild<QPushButton *>(QStringLiteral("tryDemo"))->click();
        QVERIFY(!banner->isVisible());
        QVERIFY(h.context->isDemo());
        QCOMPARE(page->cloudSettings().tenant, h.tenant()->tenantId());
        QVERIFY(page->onPremSettings().validate().isEmpty());
        QVERIFY(h.signIn()); // the demo is usable from here
    }

    // Pause holds the run between batches; resume finishes it, cancel ends it with nothing
    // sent. 30 stamps: on-prem users from an export written here that soft-match 30
    // generated cloud users.
    void pauseThenResumeOrCancel_data()
    {
        QTest::addColumn<bool>("resume");
        QTest::newRow("resume") << true;
        QTest::newRow("cancel") << false;
    }
    void pauseThenResumeOrCancel()
    {
        QFETCH(bool, resume);
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        const int first = int(h.tenant()->directory().users.size()) + 1;
        h.tenant()->directory().addSyntheticUsers(30, QStringLiteral("contoso.example"));
        const QString ldif = h.dir.filePath(QStringLiteral("thirty.ldif"));
        {
            QFile file(ldif);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QByteArray out = "version: 1\n\n";
            for (int i = first; i < first + 30; ++i) {
                const QByteArray n = QByteArray::number(i).rightJustified(6, '0');
                QByteArray guid(16, char(0x11));
                guid[0] = char(i);
                out += "dn: CN=User " + n +
                       ",OU=Staff,DC=contoso,DC=example\nobjectClass: user\n"
                       "userPrincipalName: user" +
                       n + "@contoso.example\nobjectGUID:: " + guid.toBase64() +
                       "\nuserAccountControl: 512\n\n";
            }
            file.write(out);
        }
        OnPremSettings onPrem;
        onPrem.source = OnPremSettings::Source::File;
        onPrem.filePath = ldif;
        w->connectPage()->setOnPremSettings(onPrem);
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        QCOMPARE(model->countByCategory(Category::SoftMatchPending), 30);
        QCOMPARE(model->executableCount(), 30);

        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        execute->setPaused(true);
        QTest::qWait(700);
        QVERIFY(execute->isRunning());
        QVERIFY(!execute->hasFinished());
        QCOMPARE(execute->results()->rowCount(), 0); // nothing sent while paused
        // No way back while the run is open, and the window does not close before the
        // run has stopped; then it does, as the page says.
        QVERIFY(!w->button(QWizard::BackButton)->isVisible());
        w->reject();
        QVERIFY(w->isVisible());
        QVERIFY(execute->statusText().contains(u"closes as soon as the run has stopped"));
        if (resume)
            execute->setPaused(false);
        else
            execute->cancelRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 30000);
        QVERIFY(!execute->isRunning());
        QCOMPARE(execute->results()->rowCount(), resume ? 30 : 0);
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), resume ? 30 : 0);
        // Cancelled: the rest is reported as not attempted.
        QCOMPARE(h.context->report().total - h.context->report().outcomes.size(), resume ? 0 : 30);
    }

    // "Remember in the keychain" without a usable keychain: the secret is kept for this
    // session only and the page says so. Either way no secret reaches the settings file.
    void secretsStayOutOfSettings()
    {
        // No session bus and no display: the keychain fails at once instead of prompting.
        const QByteArray bus = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        const QByteArray display = qgetenv("DISPLAY");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("DISPLAY");
        const auto restore = qScopeGuard([&] {
            if (!bus.isEmpty())
                qputenv("DBUS_SESSION_BUS_ADDRESS", bus);
            if (!display.isEmpty())
                qputenv("DISPLAY", display);
        });
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        h.context->setDemo(false); // remember the settings as for a real tenant
        ConnectPage *page = h.wizard->connectPage();
        const QString secret = h.tenant()->directory().clients.first().clientSecret;
        QVERIFY(!secret.isEmpty());
        CloudSettings cloud = page->cloudSettings();
        cloud.signIn = CloudSettings::SignIn::ClientSecret;
        cloud.clientSecret = secret;
        cloud.rememberSecret = true;
        page->setCloudSettings(cloud);
        QVERIFY(h.signIn());
        h.wizard->next(); // saves the settings, asks the keychain to keep the secret
        QTRY_VERIFY_WITH_TIMEOUT(page->cloudStatus().contains(u"this session only"), 15000);
        h.settings->sync();
        QFile ini(h.settings->fileName());
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray stored = ini.readAll();
        QVERIFY(stored.contains(cloud.clientId.toUtf8())); // the settings were written…
        QVERIFY(!stored.contains(secret.toUtf8()));        // …without the secret
    }

    // A device-code sign-in waits for the person; the same button cancels it.
    void cancelSignIn()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        h.services->setPracticeTenant(h.tenant(), 600000); // nobody approves the code
        ConnectPage *page = h.wizard->connectPage();
        auto *button = page->findChild<QPushButton *>(QStringLiteral("signIn"));
        button->click();
        QVERIFY(QTest::qWaitFor([page] { return !page->deviceCode().isEmpty(); }, 20000));
        QVERIFY(button->text().contains(u"Cancel"));
        button->click();
        QTRY_VERIFY(page->cloudStatus().contains(u"Sign-in cancelled."));
        QVERIFY(!page->isComplete());
        QVERIFY(!button->text().contains(u"Cancel"));
    }

    // Profiles keep the connection settings under a name, without the password.
    void profiles()
    {
        WizardHarness h(false);
        ConnectPage *page = h.wizard->connectPage();
        OnPremSettings lab;
        lab.ldapUri = QStringLiteral("ldaps://dc1.lab.example");
        lab.tlsMode = OnPremSettings::TlsMode::Ldaps;
        lab.bindDn = QStringLiteral("svc-anchorfix@lab.example");
        lab.password = QStringLiteral("Lab-Password-7");
        lab.baseDn = QStringLiteral("DC=lab,DC=example");
        lab.ous = {QStringLiteral("OU=Staff,DC=lab,DC=example")};
        lab.anchorRule = AnchorRule::ObjectGuid;
        page->setOnPremSettings(lab);
        auto *profile = page->findChild<QComboBox *>(QStringLiteral("profile"));
        profile->setCurrentText(QStringLiteral("lab"));
        page->findChild<QPushButton *>(QStringLiteral("saveProfile"))->click();
        QCOMPARE(profile->findText(QStringLiteral("lab")), 0);

        page->setOnPremSettings(OnPremSettings());
        QVERIFY(page->onPremSettings().ldapUri.isEmpty());
        emit profile->textActivated(QStringLiteral("lab"));
        const OnPremSettings back = page->onPremSettings();
        QCOMPARE(back.ldapUri, lab.ldapUri);
        QCOMPARE(back.bindDn, lab.bindDn);
        QCOMPARE(back.baseDn, lab.baseDn);
        QCOMPARE(back.ous, lab.ous);
        QCOMPARE(back.tlsMode, lab.tlsMode);
        QCOMPARE(back.anchorRule, lab.anchorRule);
        h.settings->sync();
        QFile ini(h.settings->fileName());
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray stored = ini.readAll();
        QVERIFY(stored.contains("dc1.lab.example"));
        QVERIFY(!stored.contains("Lab-Password-7"));
    }

    // What a scan reads but cannot use is listed on the Scan page, with its line.
    void scanWarningsShown()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString ldif = h.dir.filePath(QStringLiteral("odd.ldif"));
        {
            QFile file(ldif);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("version: 1\n\n"
                       "dn: CN=Good,OU=Staff,DC=contoso,DC=example\nobjectClass: user\n"
                       "userPrincipalName: good@contoso.example\n"
                       "objectGUID:: ERERERERERERERERERERERE=\n\n"
                       "dn: CN=Odd,OU=Staff,DC=contoso,DC=example\nobjectClass: user\n"
                       "userPrincipalName: odd@contoso.example\nobjectGUID:: AQID\n\n");
        }
        OnPremSettings onPrem;
        onPrem.source = OnPremSettings::Source::File;
        onPrem.filePath = ldif;
        h.wizard->connectPage()->setOnPremSettings(onPrem);
        QVERIFY(h.scanToReview());
        const QStringList warnings = h.wizard->scanPage()->warnings();
        QVERIFY(!warnings.isEmpty());
        QVERIFY2(warnings.first().startsWith(u"On-premises: "), qPrintable(warnings.join(u'\n')));
        QVERIFY(h.wizard->scanPage()
                    ->findChild<QWidget *>(QStringLiteral("scanWarnings"))
                    ->isVisibleTo(h.wizard->scanPage()));
    }

    void cancelledScan()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.signIn());
        PracticeFaultSettings slow;
        slow.delayMs = 3000;
        h.tenant()->setFaults(slow);
        w->next();
        ScanPage *scan = w->scanPage();
        QVERIFY(scan->isRunning());
        QSignalSpy ended(scan, &ScanPage::scanEnded);
        scan->cancelScan();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(ended.first().first().toBool(), false);
        QTest::qWait(100);
        QCOMPARE(ended.count(), 1); // the scan ends once
        QVERIFY(!scan->isRunning());
        QVERIFY(!scan->isComplete());
        QVERIFY(!w->button(QWizard::NextButton)->isEnabled());
        QVERIFY2(scan->statusText().contains(u"cancelled"), qPrintable(scan->statusText()));
        QCOMPARE(h.context->findings()->rowCount(), 0);

        // Scan again without the delay: it completes.
        h.tenant()->setFaults(PracticeFaultSettings());
        w->findChild<QPushButton *>(QStringLiteral("scanAgain"))->click();
        QVERIFY(QTest::qWaitFor([scan] { return scan->isComplete(); }, 20000));
        QVERIFY(h.context->findings()->rowCount() > 0);
        QVERIFY(w->button(QWizard::NextButton)->isEnabled());
    }

    // A plan from `scan --hygiene` carries copy_objectguid rows: Review counts them and the
    // Execute confirm step lists them like every other action.
    void hygieneRowsFromAPlanFileCounted()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        Plan plan = model->plan();
        int hygiene = -1;
        for (int r = 0; r < plan.rows().size() && hygiene < 0; ++r) {
            Finding f = plan.rows().at(r);
            if (!f.canCopyObjectGuid())
                continue;
            hygiene = r;
            f.allowedActions.append(Action::CopyObjectGuid); // as scan --hygiene offers it
            f.action = Action::CopyObjectGuid;
            QList<Finding> rows = plan.rows();
            rows[r] = f;
            Plan edited(rows);
            edited.setScan(plan.tenantId(), plan.scannedAt());
            plan = edited;
        }
        QVERIFY(hygiene >= 0);
        const QString path = h.dir.filePath(QStringLiteral("hygiene-plan.csv"));
        QString error;
        QVERIFY2(SavePlanJob::write(plan, path, &error), qPrintable(error));
        ReviewPage *review = h.wizard->reviewPage();
        QSignalSpy loaded(review, &ReviewPage::planFileFinished);
        review->importPlan(path);
        QTRY_COMPARE(loaded.size(), 1);
        QVERIFY2(loaded.at(0).at(0).toBool(), qPrintable(loaded.at(0).at(1).toString()));
        QCOMPARE(model->finding(hygiene).action, Action::CopyObjectGuid);
        const QString title = FindingTableModel::actionTitle(Action::CopyObjectGuid);
        QVERIFY2(review->summaryText().contains(u"1 × " + title),
                 qPrintable(review->summaryText()));

        h.wizard->next();
        QCOMPARE(h.wizard->currentId(), int(AnchorfixWizard::Execute));
        ExecutePage *execute = h.wizard->executePage();
        QVERIFY2(execute->confirmationText().contains(u"1 × " + title),
                 qPrintable(execute->confirmationText()));
        const QStringList lines = execute->changeLines();
        QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                             [&](const QString &line) {
                                 return line.contains(model->finding(hygiene).onPremUpn) &&
                                        line.contains(title);
                             }),
                 qPrintable(lines.join(u'\n')));
    }

    void failedRow()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        const int softRow = h.rowOf(Category::SoftMatchPending);
        QVERIFY(softRow >= 0);
        const Finding soft = model->finding(softRow);
        QVERIFY(soft.isExecutable());

        // After the scan, a recycle-bin user appears that holds the anchor to stamp:
        // Entra refuses the write with ObjectConflict.
        QJsonObject holder;
        holder.insert(u"id", QStringLiteral("0badc0de-0000-4000-8000-000000000001"));
        holder.insert(u"userPrincipalName", QStringLiteral("0badc0de@contoso.example"));
        holder.insert(u"displayName", QStringLiteral("Late arrival"));
        holder.insert(u"onPremisesImmutableId", soft.expectedImmutableId());
        holder.insert(u"deletedDateTime", QStringLiteral("2026-11-20T10:00:00Z"));
        holder.insert(u"accountEnabled", false);
        holder.insert(u"proxyAddresses", QJsonArray());
        h.tenant()->directory().deletedUsers.append(holder);
        h.tenant()->directory().reindex();

        const int executable = model->executableCount();
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));

        const ExecutionReport &report = h.context->report();
        QCOMPARE(report.count(ChangeStatus::Failed), 1);
        QCOMPARE(report.count(ChangeStatus::Applied), executable - 1);
        QVERIFY(w->summaryPage()->headline().contains(u"1 failed"));
        // Failures are listed first, with the reason.
        QTableWidget *outcomes = w->summaryPage()->outcomes();
        QCOMPARE(outcomes->item(0, 0)->text(), soft.cloudUpn);
        QVERIFY(outcomes->item(0, 2)->text().startsWith(u"failed"));
        QVERIFY(!outcomes->item(0, 3)->text().isEmpty());
        QVERIFY(tenantUser(h.tenant(), soft.cloudId)
                    .value(u"onPremisesImmutableId")
                    .toString()
                    .isEmpty());
        bool audited = false;
        for (const QString &line : readLines(h.context->runFiles().auditCsv))
            audited = audited || (line.contains(soft.cloudId) && line.contains(u",failed,"));
        QVERIFY(audited);
    }
};

QTEST_MAIN(tst_Wizard)
#include "tst_wizard.moc"
