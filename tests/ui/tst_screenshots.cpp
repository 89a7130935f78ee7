// Walks the real wizard through the demo on a real X server (run by screenshots.sh under
// xvfb-run) and saves what the screen shows of each page as PNG files in the folder given
// by ANCHORFIX_SCREENSHOT_DIR, at 1024×768 and at 1920×1080, plus the Execute page while
// it waits on a throttled request. The script then checks every file with ImageMagick.
#include "checkresultspanel.h"
#include "connectpage.h"
#include "executepage.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardharness.h"

#include <QDir>
#include <QGuiApplication>
#include <QLabel>
#include <QScreen>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

class tst_Screenshots : public QObject
{
    Q_OBJECT
private:
    QDir m_out;

    // What the X server shows of the wizard window (not a widget rendering).
    void shoot(QWidget *window, const QString &name)
    {
        window->raise();
        window->activateWindow();
        QTest::qWait(300); // let the X server draw it
        QScreen *screen = window->screen();
        QVERIFY(screen);
        const QPixmap pixmap = screen->grabWindow(window->winId());
        QVERIFY(!pixmap.isNull());
        QCOMPARE(pixmap.size() / pixmap.devicePixelRatio(), window->size());
        const QString path = m_out.filePath(name + u".png");
        QVERIFY2(pixmap.save(path), qPrintable(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb")); // a real X server
        const QString dir = qEnvironmentVariable("ANCHORFIX_SCREENSHOT_DIR");
        QVERIFY2(!dir.isEmpty(), "set ANCHORFIX_SCREENSHOT_DIR");
        QVERIFY(QDir().mkpath(dir));
        m_out = QDir(dir);
        QStandardPaths::setTestModeEnabled(true); // run files in the script's private HOME
    }

    void everyPage_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1024x768") << QSize(1024, 768);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
    }
    void everyPage()
    {
        QFETCH(QSize, size);
        const QString suffix = QStringLiteral("-%1x%2").arg(size.width()).arg(size.height());
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        QVERIFY2(w->minimumSizeHint().width() <= size.width() &&
                     w->minimumSizeHint().height() <= size.height(),
                 "the window does not fit");
        w->resize(size);
        w->move(0, 0);
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QCOMPARE(w->size(), size);
        shoot(w, u"1-connect" + suffix);

        // Slow approval, so that the device code is on screen for the picture.
        h.services->setPracticeTenant(h.tenant(), 3000);
        w->connectPage()->signIn();
        QVERIFY(QTest::qWaitFor([w] { return !w->connectPage()->deviceCode().isEmpty(); }, 20000));
        shoot(w, u"1a-connect-device-code" + suffix);
        QVERIFY(QTest::qWaitFor([w] { return w->connectPage()->isComplete(); }, 20000));
        shoot(w, u"1b-connect-signed-in" + suffix);

        w->next();
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        shoot(w, u"2-scan" + suffix);

        w->next();
        ReviewPage *review = w->reviewPage();
        const int mismatch = h.rowOf(Category::AnchorMismatch);
        QVERIFY(mismatch >= 0);
        const QModelIndex index =
            review->proxy()->mapFromSource(h.context->findings()->index(mismatch, 0));
        review->view()->setCurrentIndex(index);
        review->view()->scrollTo(index);
        h.context->findings()->setApproved(mismatch, true);
        shoot(w, u"3-review" + suffix);

        w->next();
        shoot(w, u"4-execute-confirm" + suffix);
        w->executePage()->startRun();
        QVERIFY(QTest::qWaitFor([w] { return w->executePage()->hasFinished(); }, 30000));
        shoot(w, u"4b-execute-done" + suffix);

        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
        shoot(w, u"5-summary" + suffix);

        // Check results after the demo's simulated sync cycle: the changed users joined.
        CheckResultsPanel *check = w->summaryPage()->checkResults();
        check->simulateSync();
        QVERIFY(QTest::qWaitFor([check] { return !check->isBusy(); }, 20000));
        check->check();
        QVERIFY(QTest::qWaitFor([check] { return !check->isBusy(); }, 20000));
        QVERIFY(check->lastCheck().count(AuditResult::Joined) > 0);
        shoot(w, u"5a-check-results" + suffix);
    }

    // The Execute page while Graph throttles the writes: the current row and the reason
    // of the wait are on screen.
    void executeWaitingOnThrottle()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        w->resize(1024, 768);
        w->move(0, 0);
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(h.scanToReview());
        h.context->findings()->setApproved(h.rowOf(Category::AnchorMismatch), true);
        QVERIFY(h.context->findings()->executableCount() >= 2);
        // One write per 12 s: the second write is answered 429 with a Retry-After.
        PracticeFaultSettings faults;
        faults.writeQuota = 1;
        faults.writeWindowMs = 12000;
        h.tenant()->setFaults(faults);
        w->next();
        ExecutePage *execute = w->executePage();
        execute->startRun();
        auto *current = execute->findChild<QLabel *>(QStringLiteral("currentUser"));
        QVERIFY(current);
        QVERIFY2(
            QTest::qWaitFor([current] { return current->text().contains(u"slow down"); }, 30000),
            qPrintable(current->text()));
        QTest::qWait(1500); // the countdown has moved
        shoot(w, QStringLiteral("4a-execute-throttled-1024x768"));
        h.tenant()->setFaults(PracticeFaultSettings());
        QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 60000));
    }
};

QTEST_MAIN(tst_Screenshots)
#include "tst_screenshots.moc"
