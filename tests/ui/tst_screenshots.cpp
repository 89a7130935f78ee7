// Walks the real wizard through the demo on a real X server (run by screenshots.sh under
// xvfb-run) and saves what the screen shows of each page as PNG files in the folder given
// by ANCHORFIX_SCREENSHOT_DIR. The script then checks every file with ImageMagick.
#include "connectpage.h"
#include "executepage.h"
#include "findingfilterproxy.h"
#include "findingtablemodel.h"
#include "reviewpage.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardharness.h"

#include <QDir>
#include <QGuiApplication>
#include <QScreen>
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
    }

    void everyPage()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        AnchorfixWizard *w = h.wizard.get();
        w->resize(1200, 760);
        w->move(0, 0);
        QVERIFY(QTest::qWaitForWindowExposed(w));
        shoot(w, QStringLiteral("1-connect"));

        // Slow approval, so that the device code is on screen for the picture.
        h.services->setPracticeTenant(h.tenant(), 3000);
        w->connectPage()->signIn();
        QVERIFY(QTest::qWaitFor([w] { return !w->connectPage()->deviceCode().isEmpty(); }, 20000));
        shoot(w, QStringLiteral("1a-connect-device-code"));
        QVERIFY(QTest::qWaitFor([w] { return w->connectPage()->isComplete(); }, 20000));
        shoot(w, QStringLiteral("1b-connect-signed-in"));

        w->next();
        QVERIFY(QTest::qWaitFor([w] { return w->scanPage()->isComplete(); }, 20000));
        shoot(w, QStringLiteral("2-scan"));

        w->next();
        ReviewPage *review = w->reviewPage();
        const int mismatch = h.rowOf(Category::AnchorMismatch);
        QVERIFY(mismatch >= 0);
        const QModelIndex index =
            review->proxy()->mapFromSource(h.context->findings()->index(mismatch, 0));
        review->view()->setCurrentIndex(index);
        review->view()->scrollTo(index);
        h.context->findings()->setApproved(mismatch, true);
        shoot(w, QStringLiteral("3-review"));

        w->next();
        shoot(w, QStringLiteral("4-execute-confirm"));
        w->executePage()->startRun();
        QVERIFY(QTest::qWaitFor([w] { return w->executePage()->hasFinished(); }, 30000));
        shoot(w, QStringLiteral("4b-execute-done"));

        w->next();
        QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
        shoot(w, QStringLiteral("5-summary"));
    }
};

QTEST_MAIN(tst_Screenshots)
#include "tst_screenshots.moc"
