// The wizard in a helpdesk session, offscreen on the demo environment: several runs in
// one session (scan → run → rescan → run → roll back the first), retrying failed rows,
// no way back to a stale Review, the Review layout, keyboard use on every page, nothing
// lost by closing, run files kept under the user's data folder, and the smaller points.
#include "connectpage.h"
#include "executepage.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardharness.h"

#include <QAbstractButton>
#include <QAccessible>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
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

QString tenantAnchor(PracticeTenant *tenant, const QString &id)
{
    const int index = tenant->directory().indexOfUser(id);
    return index < 0
               ? QString()
               : tenant->directory().users.at(index).value(u"onPremisesImmutableId").toString();
}

// The run_id column of the audit rows of one file (second column).
QSet<QString> runIds(const QString &auditCsv)
{
    QSet<QString> ids;
    const QStringList lines = readLines(auditCsv);
    for (qsizetype i = 1; i < lines.size(); ++i)
        ids.insert(lines.at(i).section(u',', 1, 1));
    return ids;
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

// A recycle-bin user that holds this anchor: Entra refuses a stamp of it (ObjectConflict).
void addConflictingHolder(PracticeTenant *tenant, const QString &anchor)
{
    QJsonObject holder;
    holder.insert(u"id", QStringLiteral("0badc0de-0000-4000-8000-000000000001"));
    holder.insert(u"userPrincipalName", QStringLiteral("0badc0de@contoso.example"));
    holder.insert(u"displayName", QStringLiteral("Late arrival"));
    holder.insert(u"onPremisesImmutableId", anchor);
    holder.insert(u"deletedDateTime", QStringLiteral("2026-11-20T10:00:00Z"));
    holder.insert(u"accountEnabled", false);
    holder.insert(u"proxyAddresses", QJsonArray());
    tenant->directory().deletedUsers.append(holder);
    tenant->directory().reindex();
}

// The mnemonic letter of a text ("Se&rver:" → 'r'), or 0.
QChar mnemonic(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        if (text.at(i + 1) == u'&') {
            ++i;
            continue;
        }
        return text.at(i + 1).toLower();
    }
    return {};
}

// Every mnemonic a widget tree offers, with the text it comes from.
QList<QPair<QChar, QString>> mnemonics(QWidget *root)
{
    QList<QPair<QChar, QString>> found;
    const auto add = [&found](const QString &text) {
        if (const QChar c = mnemonic(text); !c.isNull())
            found.append({c, text});
    };
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *w : std::as_const(widgets)) {
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            add(button->text());
        else if (auto *label = qobject_cast<QLabel *>(w); label && label->buddy())
            add(label->text());
        else if (auto *box = qobject_cast<QGroupBox *>(w); box && box->isCheckable())
            add(box->title());
    }
    return found;
}

} // namespace

class tst_WizardSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Run files go to the data location by default: a private one for the tests.
        QVERIFY(m_home.isValid());
        qputenv("HOME", QFile::encodeName(m_home.path()));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(QStringLiteral("share"))));
        QStandardPaths::setTestModeEnabled(true);
    }

    // scan → run → rescan → run → roll back the first run: each run has its own folder,
    // audit rows and rollback file; Next after a rescan runs exactly the new plan.
    void severalRunsInOneSession()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        const int softRow = h.rowOf(Category::SoftMatchPending);
        const int mismatchRow = h.rowOf(Category::AnchorMismatch);
        QVERIFY(softRow >= 0 && mismatchRow >= 0);
        const Finding soft = model->finding(softRow);
        const Finding mismatch = model->finding(mismatchRow);
        QVERIFY(soft.isExecutable());
        QVERIFY(!mismatch.isExecutable()); // flagged, not approved: not in run 1
        const int firstExecutable = model->executableCount();

        // Run 1.
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        // No Back to a Review page that shows the state before the run; the page says why.
        QVERIFY(!w->button(QWizard::BackButton)->isVisible());
        QVERIFY2(execute->statusText().contains(u"no way back to Review"),
                 qPrintable(execute->statusText()));
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
        QVERIFY(!w->button(QWizard::BackButton)->isVisible() ||
                !w->button(QWizard::BackButton)->isEnabled());
        QVERIFY(w->button(QWizard::FinishButton)->isVisible());
        QCOMPARE(h.context->runs().size(), 1);
        const RunFiles firstFiles = h.context->runs().at(0).files;
        QCOMPARE(h.context->runs().at(0).report.count(ChangeStatus::Applied), firstExecutable);
        QCOMPARE(tenantAnchor(h.tenant(), soft.cloudId), soft.expectedImmutableId());

        // Scan again from the Summary page: a new scan, a new plan.
        SummaryPage *summary = w->summaryPage();
        auto *scanAgain = summary->findChild<QPushButton *>(QStringLiteral("scanAgainFromSummary"));
        QVERIFY(scanAgain && scanAgain->isEnabled());
        scanAgain->click();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Scan));
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Review));
        QVERIFY2(w->reviewPage()->subTitle().contains(u"earlier run"),
                 qPrintable(w->reviewPage()->subTitle()));
        // The soft match is in sync now; the mismatch is still there: approve it.
        int newMismatch = -1;
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->finding(r).cloudId == soft.cloudId)
                QCOMPARE(model->finding(r).action, Action::None);
            if (model->finding(r).cloudId == mismatch.cloudId &&
                model->finding(r).category == Category::AnchorMismatch)
                newMismatch = r;
        }
        QVERIFY(newMismatch >= 0);
        QVERIFY(model->setApproved(newMismatch, true));
        const Plan secondPlan = model->plan();
        QList<int> secondRows;
        for (const Finding &f : secondPlan.rows())
            if (f.isExecutable())
                secondRows.append(f.rowId);
        QVERIFY(!secondRows.isEmpty());

        // Next shows the confirmation of the new plan, not the old run's results.
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
        QVERIFY(!execute->hasFinished());
        QVERIFY(!w->button(QWizard::CommitButton)->isEnabled());
        auto *start = execute->findChild<QPushButton *>(QStringLiteral("startRun"));
        QVERIFY(start && start->isVisible() && start->isEnabled());
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        QCOMPARE(execute->results()->rowCount(), secondRows.size());
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
        QCOMPARE(h.context->runs().size(), 2);
        const WizardContext::Run second = h.context->runs().at(1);
        QList<int> ran;
        for (const ChangeOutcome &o : second.report.outcomes)
            ran.append(o.rowId);
        std::sort(ran.begin(), ran.end());
        std::sort(secondRows.begin(), secondRows.end());
        QCOMPARE(ran, secondRows); // exactly the new plan
        QCOMPARE(tenantAnchor(h.tenant(), mismatch.cloudId), mismatch.expectedImmutableId());

        // Own folder, audit rows and rollback file per run.
        QVERIFY(second.files.folder != firstFiles.folder);
        for (const RunFiles &files : {firstFiles, second.files}) {
            QVERIFY2(QFile::exists(files.rollbackCsv), qPrintable(files.rollbackCsv));
            QVERIFY2(QFile::exists(files.planCsv), qPrintable(files.planCsv));
            QCOMPARE(runIds(files.auditCsv).size(), 1);
        }
        QVERIFY(runIds(firstFiles.auditCsv) != runIds(second.files.auditCsv));
        QVERIFY(readLines(firstFiles.auditCsv).join(u'\n').contains(soft.cloudId));
        QVERIFY(!readLines(second.files.auditCsv).join(u'\n').contains(soft.cloudId));

        // Roll back the first run, chosen in the run selector.
        auto *selector = summary->findChild<QComboBox *>(QStringLiteral("runSelector"));
        QVERIFY(selector && selector->isVisible());
        QCOMPARE(selector->count(), 2);
        QCOMPARE(summary->shownRun(), 1);
        selector->setCurrentIndex(0);
        emit selector->activated(0);
        QCOMPARE(summary->shownRun(), 0);
        QVERIFY(summary->headline().contains(QDir::toNativeSeparators(firstFiles.folder)));
        QSignalSpy rolledBack(summary, &SummaryPage::rollbackEnded);
        summary->requestRollback();
        QVERIFY2(summary->confirmationText().contains(u"run 1"),
                 qPrintable(summary->confirmationText()));
        summary->confirmRollback();
        QVERIFY(rolledBack.wait(30000));
        QVERIFY2(rolledBack.first().first().toBool(), qPrintable(summary->rollbackStatus()));
        QVERIFY(tenantAnchor(h.tenant(), soft.cloudId).isEmpty()); // run 1 undone
        QCOMPARE(tenantAnchor(h.tenant(), mismatch.cloudId),
                 mismatch.expectedImmutableId()); // run 2 stays
        // The rollback's rows are in the first run's audit, not the second's.
        QCOMPARE(runIds(firstFiles.auditCsv).size(), 2);
        QCOMPARE(runIds(second.files.auditCsv).size(), 1);
        QVERIFY(!summary->findChild<QPushButton *>(QStringLiteral("rollback"))->isEnabled());
    }

    // Retry failed rows: the failed row alone becomes the plan, confirmed and run again.
    void retryFailedRows()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        const Finding soft = h.context->findings()->finding(h.rowOf(Category::SoftMatchPending));
        addConflictingHolder(h.tenant(), soft.expectedImmutableId());
        QVERIFY(h.runToSummary());
        SummaryPage *summary = w->summaryPage();
        QCOMPARE(h.context->report().count(ChangeStatus::Failed), 1);
        auto *retry = summary->findChild<QPushButton *>(QStringLiteral("retryFailed"));
        QVERIFY(retry && retry->isEnabled());

        // The cause is fixed (the holder is gone), then: retry.
        h.tenant()->directory().deletedUsers.removeLast();
        h.tenant()->directory().reindex();
        retry->click();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
        QCOMPARE(h.context->findings()->rowCount(), 1);
        QCOMPARE(h.context->findings()->finding(0).rowId, soft.rowId);
        ExecutePage *execute = w->executePage();
        QVERIFY(!execute->hasFinished());
        QVERIFY(execute->confirmationText().contains(
            FindingTableModel::actionTitle(Action::Stamp).toHtmlEscaped()));
        QVERIFY(h.runToSummary());
        QCOMPARE(h.context->runs().size(), 2);
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), 1);
        QCOMPARE(h.context->report().outcomes.first().rowId, soft.rowId);
        QCOMPARE(tenantAnchor(h.tenant(), soft.cloudId), soft.expectedImmutableId());
        QVERIFY(!retry->isEnabled()); // nothing failed this time
    }

    // The tenant's domains could not be read at sign-in (Graph kept answering 503): the scan
    // reads them itself and the run goes on, but a rollback needs them (a federated UPN
    // switch is undone by them) and is refused before anything is sent, as on the command
    // line.
    void rollbackNeedsTheTenantDomains()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        PracticeFaultRule unavailable;
        unavailable.effect = PracticeFaultRule::Effect::ServiceUnavailable;
        unavailable.method = "GET";
        unavailable.pathContains = QStringLiteral("/v1.0/domains");
        unavailable.times = 100;
        unavailable.retryAfter = QStringLiteral("0");
        PracticeFaultSettings faults;
        faults.rules.append(unavailable);
        h.tenant()->setFaults(faults);
        QVERIFY(h.signIn());
        h.tenant()->setFaults({});
        AnchorfixWizard *w = h.wizard.get();
        w->next();
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Review));
        QVERIFY(h.runToSummary());
        QVERIFY(h.context->report().count(ChangeStatus::Applied) > 0);

        SummaryPage *summary = w->summaryPage();
        const qsizetype writes = h.tenant()->writeLog().size();
        QSignalSpy rolledBack(summary, &SummaryPage::rollbackEnded);
        summary->requestRollback();
        summary->confirmRollback();
        QVERIFY(rolledBack.wait(30000));
        QVERIFY(!rolledBack.first().first().toBool());
        QVERIFY2(summary->rollbackStatus().contains(u"domains") &&
                     summary->rollbackStatus().contains(u"Nothing was changed"),
                 qPrintable(summary->rollbackStatus()));
        QCOMPARE(h.tenant()->writeLog().size(), writes);
    }

    // Review at 1280×800: Action and Approved right after the UPNs, in view; the window
    // fits 1024×768 and opens inside the screen; layout remembered.
    void reviewLayout()
    {
        QByteArray savedSplitter;
        int savedWidth = 0;
        QSettings *settings = nullptr;
        {
            WizardHarness h(true);
            QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
            AnchorfixWizard *w = h.wizard.get();
            const QSize minimum = w->minimumSizeHint().expandedTo(w->minimumSize());
            QVERIFY2(
                minimum.width() <= 1024 && minimum.height() <= 768,
                qPrintable(QStringLiteral("%1x%2").arg(minimum.width()).arg(minimum.height())));
            const QRect available = w->screen()->availableGeometry();
            QVERIFY2(available.contains(w->frameGeometry()) ||
                         available.width() < minimum.width() ||
                         available.height() < minimum.height(),
                     qPrintable(QStringLiteral("%1x%2 (minimum %5x%6) on %3x%4")
                                    .arg(w->width())
                                    .arg(w->height())
                                    .arg(available.width())
                                    .arg(available.height())
                                    .arg(minimum.width())
                                    .arg(minimum.height())));
            w->resize(1280, 800);
            QVERIFY(h.scanToReview());
            QTableView *view = w->reviewPage()->view();
            QHeaderView *header = view->horizontalHeader();
            const QList<Column> order = {Column::Category, Column::OnPremUpn, Column::CloudUpn,
                                         Column::Action, Column::Approval};
            for (int i = 0; i < order.size(); ++i)
                QCOMPARE(header->logicalIndex(i), int(order.at(i)));
            QApplication::processEvents();
            const QRect viewport = view->viewport()->rect();
            for (Column c : order) {
                const QRect cell = view->visualRect(view->model()->index(0, int(c)));
                QVERIFY2(viewport.contains(cell),
                         qPrintable(QStringLiteral("column %1 at %2..%3, viewport %4")
                                        .arg(int(c))
                                        .arg(cell.left())
                                        .arg(cell.right())
                                        .arg(viewport.width())));
            }
            // Chips wrap inside the page instead of running off its side.
            for (QToolButton *chip : w->reviewPage()
                                         ->findChild<QWidget *>(QStringLiteral("chipBar"))
                                         ->findChildren<QToolButton *>())
                QVERIFY2(w->reviewPage()->rect().contains(
                             QRect(chip->mapTo(w->reviewPage(), QPoint(0, 0)), chip->size())),
                         qPrintable(chip->text()));

            // Change the layout; it is there next time.
            view->setColumnWidth(int(Column::OnPremUpn), 233);
            QSplitter *splitter = w->reviewPage()->splitter();
            splitter->setSizes({600, 500});
            savedSplitter = splitter->saveState();
            savedWidth = view->columnWidth(int(Column::OnPremUpn));
            w->reject(); // nothing decided yet: closes, remembers the layout
            settings = h.settings.release();
            h.dir.setAutoRemove(false);
            m_leftovers.append(h.dir.path());
        }
        AppWizardServices services;
        WizardContext context(&services, settings);
        AnchorfixWizard again(&context);
        QCOMPARE(again.reviewPage()->view()->columnWidth(int(Column::OnPremUpn)), savedWidth);
        QCOMPARE(again.reviewPage()->splitter()->saveState(), savedSplitter);
        delete settings;
    }

    // Every page: unique mnemonics that do not take the wizard buttons' letters, tab
    // order in reading order, and an accessible name on every control.
    void keyboard()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        w->resize(1280, 800);
        QStringList problems;
        const auto checkPage = [&](const QString &name) {
            QApplication::processEvents();
            QWizardPage *page = w->currentPage();
            QHash<QChar, QString> taken;
            for (QWizard::WizardButton which :
                 {QWizard::BackButton, QWizard::NextButton, QWizard::CommitButton,
                  QWizard::FinishButton, QWizard::CancelButton}) {
                QAbstractButton *b = w->button(which);
                if (b->isVisible())
                    if (const QChar c = mnemonic(b->text()); !c.isNull())
                        taken.insert(c, u"wizard button " + b->text());
            }
            for (const auto &[c, text] : mnemonics(page)) {
                if (taken.contains(c))
                    problems << QStringLiteral("%1: '%2' and '%3' share Alt+%4")
                                    .arg(name, text, taken.value(c), QString(c));
                taken.insert(c, text);
            }
            // Tab order: never back up the page, never left on the same line.
            QList<QWidget *> chain;
            QWidget *start = page;
            for (QWidget *next = start->nextInFocusChain(); next && next != start;
                 next = next->nextInFocusChain()) {
                if (!page->isAncestorOf(next) || !next->isVisible() || !next->isEnabled() ||
                    !(next->focusPolicy() & Qt::TabFocus) || chain.contains(next))
                    continue;
                if (next->focusProxy())
                    continue;
                chain.append(next);
            }
            if (chain.isEmpty())
                problems << QStringLiteral("%1: only %2 control(s) reachable with Tab")
                                .arg(name)
                                .arg(chain.size());
            for (qsizetype i = 1; i < chain.size(); ++i) {
                const QRect a(chain.at(i - 1)->mapTo(page, QPoint(0, 0)), chain.at(i - 1)->size());
                const QRect b(chain.at(i)->mapTo(page, QPoint(0, 0)), chain.at(i)->size());
                const bool sameLine = b.top() < a.bottom() && a.top() < b.bottom();
                const bool backUp = b.bottom() <= a.top() && b.left() <= a.left();
                if ((sameLine && b.left() < a.left()) || backUp)
                    problems << QStringLiteral("%1: Tab goes from %2 to %3")
                                    .arg(name, chain.at(i - 1)->objectName(),
                                         chain.at(i)->objectName());
            }
            for (QWidget *control : std::as_const(chain)) {
                QAccessibleInterface *a = QAccessible::queryAccessibleInterface(control);
                if (!a || a->text(QAccessible::Name).trimmed().isEmpty())
                    problems << QStringLiteral("%1: %2 (%3) has no accessible name")
                                    .arg(name, control->objectName(),
                                         QLatin1StringView(control->metaObject()->className()));
            }
        };

        ConnectPage *connect = w->connectPage();
        checkPage(QStringLiteral("Connect (file)"));
        connect->findChild<QRadioButton *>()->setChecked(true); // LDAP
        checkPage(QStringLiteral("Connect (LDAP)"));
        QVERIFY(!mnemonics(connect).isEmpty());
        OnPremSettings demo = h.context->onPremSettings();
        connect->setOnPremSettings(demo);
        QVERIFY(h.signIn());
        checkPage(QStringLiteral("Connect (signed in)"));
        w->next();
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        checkPage(QStringLiteral("Scan"));
        w->next();
        checkPage(QStringLiteral("Review"));
        w->next();
        checkPage(QStringLiteral("Execute (confirm)"));
        w->executePage()->startRun();
        QVERIFY(QTest::qWaitFor([w] { return w->executePage()->hasFinished(); }, 30000));
        checkPage(QStringLiteral("Execute (done)"));
        w->next();
        checkPage(QStringLiteral("Summary"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }

    // Cancel with review decisions that are neither run nor exported asks first.
    void unsavedDecisionsAsk()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        QVERIFY(!w->reviewPage()->hasUnsavedDecisions());
        const int mismatch = h.rowOf(Category::AnchorMismatch);
        QVERIFY(h.context->findings()->setApproved(mismatch, true));
        QVERIFY(w->reviewPage()->hasUnsavedDecisions());

        w->reject();
        auto *box = w->findChild<QMessageBox *>(QStringLiteral("unsavedDecisions"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(w->isVisible());
        box->findChild<QAbstractButton *>(QStringLiteral("keepReviewing"))->click();
        QTRY_VERIFY(!w->findChild<QMessageBox *>(QStringLiteral("unsavedDecisions")));
        QVERIFY(w->isVisible());
        QVERIFY(h.context->findings()->finding(mismatch).approved);

        // Exported: closing asks nothing.
        QSignalSpy saved(w->reviewPage(), &ReviewPage::planFileFinished);
        w->reviewPage()->exportPlan(h.dir.filePath(QStringLiteral("plan.csv")));
        QVERIFY(saved.wait(10000));
        QVERIFY(!w->reviewPage()->hasUnsavedDecisions());
        QVERIFY(h.context->findings()->setApproved(mismatch, false));
        w->reject();
        box = w->findChild<QMessageBox *>(QStringLiteral("unsavedDecisions"));
        QVERIFY(box);
        box->findChild<QAbstractButton *>(QStringLiteral("discardDecisions"))->click();
        QTRY_VERIFY(!w->isVisible());
    }

    // Closing during a run: the window stays while changes are sent and closes once the
    // run has stopped, as the page says.
    void closeDuringRunClosesAfterIt()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        execute->setPaused(true);
        QVERIFY(execute->isRunning());
        w->close();
        QVERIFY(w->isVisible());
        QVERIFY2(execute->statusText().contains(u"closes as soon as the run has stopped"),
                 qPrintable(execute->statusText()));
        execute->cancelRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 30000);
        QVERIFY(!execute->isRunning());
        QCOMPARE(h.context->runs().size(), 1); // the run ended before the window closed
    }

    // Run files default to <AppDataLocation>/runs/<date-time>, the demo's too; they are
    // named on the Summary page and still there after the wizard is gone.
    void runFilesKept()
    {
        RunFiles files;
        {
            WizardHarness h(true, true);
            QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
            const QString root =
                QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                    .filePath(QStringLiteral("runs"));
            QVERIFY(root.startsWith(m_home.path()));
            QCOMPARE(h.context->outputFolder(), root);
            QVERIFY(h.scanToReview());
            QVERIFY(h.runToSummary());
            files = h.context->runFiles();
            QCOMPARE(QFileInfo(files.folder).absolutePath(), root);
            QVERIFY2(QFileInfo(files.folder)
                         .fileName()
                         .contains(QRegularExpression(
                             QStringLiteral("^\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d-demo$"))),
                     qPrintable(files.folder));
            QVERIFY(h.wizard->summaryPage()->headline().contains(
                QDir::toNativeSeparators(files.folder).toHtmlEscaped()));
            h.wizard->button(QWizard::FinishButton)->click();
            QVERIFY(!h.wizard->isVisible());
        }
        for (const QString &path :
             {files.auditCsv, files.rollbackCsv, files.rollbackPs1, files.planCsv})
            QVERIFY2(QFile::exists(path), qPrintable(path));
    }

    // The Connect page's smaller points.
    void connectTexts()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        ConnectPage *page = h.wizard->connectPage();
        // An LDAP error does not stay after switching to a file.
        OnPremSettings ldap;
        ldap.source = OnPremSettings::Source::Ldap;
        ldap.ldapUri = QStringLiteral("ldap://127.0.0.1:1");
        ldap.bindDn = QStringLiteral("reader@contoso.example");
        ldap.password = QStringLiteral("x");
        ldap.baseDn = QStringLiteral("DC=contoso,DC=example");
        page->setOnPremSettings(ldap);
        page->testConnection();
        QTRY_VERIFY_WITH_TIMEOUT(!page->onPremStatus().isEmpty() &&
                                     !page->onPremStatus().contains(u"Connecting"),
                                 20000);
        QVERIFY(page->onPremStatus().contains(u"#b3261e"));   // an error
        page->setOnPremSettings(h.context->onPremSettings()); // the demo's file
        QVERIFY2(page->onPremStatus().isEmpty(), qPrintable(page->onPremStatus()));
        // A file is read, not connected to.
        page->testConnection();
        QTRY_VERIFY_WITH_TIMEOUT(page->onPremStatus().contains(u" in the "), 20000);
        QVERIFY2(page->onPremStatus().contains(u"Read:"), qPrintable(page->onPremStatus()));
        QVERIFY(!page->onPremStatus().contains(u"Connected"));
        // Once the code is shown, the page no longer says it is requesting one.
        h.services->setPracticeTenant(h.tenant(), 2000);
        page->signIn();
        QVERIFY(QTest::qWaitFor([page] { return !page->deviceCode().isEmpty(); }, 20000));
        QVERIFY2(!page->cloudStatus().contains(u"Requesting"), qPrintable(page->cloudStatus()));
        QVERIFY(QTest::qWaitFor([page] { return page->isComplete(); }, 20000));
    }

    // An empty export: the on-prem side says why; the cloud side does not say "Cancelled."
    void emptyExportFile()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString empty = h.dir.filePath(QStringLiteral("empty.ldif"));
        {
            QFile file(empty);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        OnPremSettings onPrem = h.context->onPremSettings();
        onPrem.filePath = empty;
        h.wizard->connectPage()->setOnPremSettings(onPrem);
        QVERIFY(h.signIn());
        h.wizard->next();
        ScanPage *scan = h.wizard->scanPage();
        QSignalSpy ended(scan, &ScanPage::scanEnded);
        QVERIFY(ended.wait(20000));
        QVERIFY(!ended.first().first().toBool());
        const QString cloud = scan->findChild<QLabel *>(QStringLiteral("cloudCount"))->text();
        const QString onPremText = scan->findChild<QLabel *>(QStringLiteral("onPremCount"))->text();
        QVERIFY2(!onPremText.isEmpty() && onPremText != u"Cancelled.", qPrintable(onPremText));
        QVERIFY2(cloud != u"Cancelled." && !cloud.contains(u"Connecting"), qPrintable(cloud));
        QVERIFY2(!scan->statusText().contains(u"cancelled"), qPrintable(scan->statusText()));
    }

    // "Set action for selection" offers only what the selected rows allow.
    void bulkActionMenu()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        ReviewPage *review = h.wizard->reviewPage();
        const int mismatch = h.rowOf(Category::AnchorMismatch);
        const Finding f = h.context->findings()->finding(mismatch);
        selectSourceRow(review, mismatch);
        QMenu *menu = review->findChild<QMenu *>(QStringLiteral("bulkActionMenu"));
        QVERIFY(menu);
        emit menu->aboutToShow();
        QStringList offered;
        for (QAction *a : menu->actions())
            offered << a->text();
        QVERIFY(!offered.isEmpty());
        for (Action a : allActions()) {
            const bool shouldOffer = f.allowedActions.contains(a) && a != f.action;
            bool isOffered = false;
            for (const QString &text : offered)
                isOffered = isOffered || text.startsWith(FindingTableModel::actionTitle(a));
            QVERIFY2(isOffered == shouldOffer,
                     qPrintable(FindingTableModel::actionTitle(a) + u" in " + offered.join(u'|')));
        }
        // Asked anyway for an action the row does not allow: no "set on 0 rows".
        QCOMPARE(review->setActionOnSelection(Action::PurgeDeleted), 0);
        const QString message =
            review->findChild<QLabel *>(QStringLiteral("reviewMessage"))->text();
        QVERIFY2(!message.contains(u"0 row"), qPrintable(message));
        QVERIFY2(message.contains(u"do not allow"), qPrintable(message));
    }

    // A purge-then-stamp row: named as both on Execute and Summary; the rollback says
    // that a purge cannot be undone and counts what it skipped, as the audit does.
    void purgeThenStampRow()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        const int deleted = h.rowOf(Category::DeletedAnchorHolder);
        QVERIFY(deleted >= 0);
        QCOMPARE(model->finding(deleted).action, Action::PurgeDeleted);
        QVERIFY(model->setApproved(deleted, true));
        const QString upn = model->finding(deleted).cloudUpn;
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
        const QString title = FindingTableModel::actionTitle(Action::PurgeDeleted);
        QVERIFY2(title.contains(u"then stamp"), qPrintable(title));
        bool shown = false;
        for (int r = 0; r < execute->results()->rowCount(); ++r)
            if (execute->results()->item(r, 0)->text() == upn)
                shown = execute->results()->item(r, 1)->text() == title;
        QVERIFY(shown);
        w->next();
        SummaryPage *summary = w->summaryPage();
        shown = false;
        for (int r = 0; r < summary->outcomes()->rowCount(); ++r)
            if (summary->outcomes()->item(r, 0)->text() == upn)
                shown = summary->outcomes()->item(r, 1)->text() == title;
        QVERIFY(shown);

        summary->requestRollback();
        QVERIFY2(summary->confirmationText().contains(u"cannot be undone"),
                 qPrintable(summary->confirmationText()));
        const QSet<QString> before = runIds(h.context->runFiles().auditCsv);
        QSignalSpy rolledBack(summary, &SummaryPage::rollbackEnded);
        summary->confirmRollback();
        QVERIFY(rolledBack.wait(30000));
        // The summary's counts are the audit's counts for the rollback.
        QString rollbackId;
        for (const QString &id : runIds(h.context->runFiles().auditCsv))
            if (!before.contains(id))
                rollbackId = id;
        QVERIFY(!rollbackId.isEmpty());
        QHash<QString, int> results;
        for (const QString &line : readLines(h.context->runFiles().auditCsv)) {
            const QStringList cells = line.split(u',');
            if (cells.size() > 10 && cells.at(1) == rollbackId && cells.at(7) != u"run" &&
                !cells.at(10).isEmpty())
                ++results[cells.at(10)];
        }
        const QString status = summary->rollbackStatus();
        QVERIFY2(status.contains(
                     QStringLiteral("%1 skipped").arg(results.value(QStringLiteral("skipped")))),
                 qPrintable(status + u" / audit skipped " +
                            QString::number(results.value(QStringLiteral("skipped")))));
        QVERIFY2(results.value(QStringLiteral("skipped")) >= 1, qPrintable(status));
    }

    // Waiting shows why: while Graph throttles the writes, the Execute page names the row
    // being worked on and the reason for the wait, with a countdown; time left counts it.
    void waitingShowsWhy()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY(h.scanToReview());
        FindingTableModel *model = h.context->findings();
        QVERIFY(model->setApproved(h.rowOf(Category::AnchorMismatch), true));
        QStringList users;
        for (const Finding &f : model->findings())
            if (f.isExecutable())
                users << f.cloudUpn;
        QVERIFY(users.size() >= 2);
        PracticeFaultSettings faults; // one write per 6 s: the second is answered 429
        faults.writeQuota = 1;
        faults.writeWindowMs = 6000;
        h.tenant()->setFaults(faults);
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        auto *current = execute->findChild<QLabel *>(QStringLiteral("currentUser"));
        auto *rate = execute->findChild<QLabel *>(QStringLiteral("rate"));
        QVERIFY(current && rate);
        QVERIFY2(
            QTest::qWaitFor([current] { return current->text().contains(u"Waiting: "); }, 30000),
            qPrintable(current->text()));
        const QString text = current->text();
        bool named = false;
        for (const QString &user : std::as_const(users))
            named = named || text.contains(u"Now: " + user);
        QVERIFY2(named, qPrintable(text));
        QVERIFY2(!rate->text().contains(u"0:00 left"), qPrintable(rate->text()));
        QVERIFY(!execute->statusText().contains(u"/min"));
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 60000));
        QVERIFY(!current->text().contains(u"Waiting"));
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), int(users.size()));
    }

    void cleanupTestCase()
    {
        for (const QString &path : std::as_const(m_leftovers))
            QDir(path).removeRecursively();
    }

private:
    QTemporaryDir m_home;
    QStringList m_leftovers;
};

QTEST_MAIN(tst_WizardSession)
#include "tst_wizardsession.moc"
