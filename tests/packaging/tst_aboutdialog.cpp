#include "aboutdialog.h"
#include "aboutinfo.h"
#include "anchorfixversion.h"
#include "executepage.h"
#include "wizardharness.h"

#include <QAbstractButton>
#include <QLabel>
#include <QRegularExpression>
#include <QTest>
#include <QWizard>

#include <ldap_features.h>

// The About box names the version, the licence and the libraries with the versions this
// process actually runs with.
class TestAboutDialog : public QObject
{
    Q_OBJECT

private slots:
    void libraryVersions_data();
    void libraryVersions();
    void identityFromTheBuild();
    void dialogShowsEverything();
    void wizardButtonOpensOneBox();
    void aboutButtonThroughTheRun_data();
    void aboutButtonThroughTheRun();

private:
    static QString aboutText(const AboutDialog &dialog)
    {
        const auto *label = dialog.findChild<QLabel *>(QStringLiteral("aboutText"));
        return label ? label->text() : QString();
    }
};

void TestAboutDialog::libraryVersions_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("licence");
    QTest::newRow("Qt, at run time") << "Qt" << QString::fromLatin1(qVersion()) << "LGPL-3.0";
    // Run time through LDAP_OPT_API_INFO; the headers name the same library version.
    QTest::newRow("libldap, at run time") << "OpenLDAP libldap"
                                          << QStringLiteral("%1.%2.%3")
                                                 .arg(LDAP_VENDOR_VERSION_MAJOR)
                                                 .arg(LDAP_VENDOR_VERSION_MINOR)
                                                 .arg(LDAP_VENDOR_VERSION_PATCH)
                                          << "OpenLDAP Public License 2.8";
    QTest::newRow("QtKeychain, as built against")
        << "QtKeychain" << QStringLiteral(ANCHORFIX_QTKEYCHAIN_VERSION) << "BSD-2-Clause";
}

void TestAboutDialog::libraryVersions()
{
    QFETCH(QString, name);
    QFETCH(QString, version);
    QFETCH(QString, licence);
    const AboutInfo info = anchorfixAboutInfo();
    const auto it = std::find_if(info.libraries.cbegin(), info.libraries.cend(),
                                 [&](const AboutInfo::Library &l) { return l.name == name; });
    QVERIFY2(it != info.libraries.cend(), qPrintable(name));
    QCOMPARE(it->version, version);
    QCOMPARE(it->licence, licence);
    QVERIFY2(
        QRegularExpression(QStringLiteral("\\d+\\.\\d+\\.\\d+$")).match(it->version).hasMatch(),
        qPrintable(it->version));
}

void TestAboutDialog::identityFromTheBuild()
{
    const AboutInfo info = anchorfixAboutInfo();
    QCOMPARE(info.version, QStringLiteral(ANCHORFIX_VERSION));
    QVERIFY(
        QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$")).match(info.version).hasMatch());
    QCOMPARE(info.licence, QStringLiteral("MIT"));
    QVERIFY(info.homepage.startsWith(QLatin1String("https://")));
}

void TestAboutDialog::dialogShowsEverything()
{
    AboutInfo info;
    info.version = QStringLiteral("9.8.7");
    info.licence = QStringLiteral("MIT");
    info.homepage = QStringLiteral("https://anchorfix.example.org");
    info.libraries = {{QStringLiteral("Qt"), QStringLiteral("6.4.2"), QStringLiteral("LGPL-3.0")},
                      {QStringLiteral("Lib <b>"), QStringLiteral("1.0"), QStringLiteral("X")}};
    const AboutDialog dialog(info);
    const QString text = aboutText(dialog);
    QVERIFY2(text.contains(QLatin1String("Anchorfix 9.8.7")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("MIT licence")));
    QVERIFY(text.contains(QLatin1String("https://anchorfix.example.org")));
    QVERIFY(text.contains(QLatin1String("<td>Qt</td><td>&nbsp;6.4.2</td><td>&nbsp;LGPL-3.0</td>")));
    // Names are text, not markup.
    QVERIFY(text.contains(QLatin1String("Lib &lt;b&gt;")));
    QCOMPARE(dialog.windowTitle(), QStringLiteral("About Anchorfix"));
}

void TestAboutDialog::wizardButtonOpensOneBox()
{
    QWizard wizard;
    wizard.addPage(new QWizardPage);
    AboutDialog::addTo(&wizard, anchorfixAboutInfo());
    wizard.show();
    QAbstractButton *about = wizard.button(QWizard::HelpButton);
    QVERIFY(about->isVisible());
    QCOMPARE(about->text(), QStringLiteral("About"));

    about->click();
    about->click(); // a second click raises the open box instead of adding one
    const QList<AboutDialog *> boxes = wizard.findChildren<AboutDialog *>();
    QCOMPARE(boxes.size(), 1);
    QVERIFY(boxes.first()->isVisible());
    QVERIFY(aboutText(*boxes.first()).contains(QLatin1String(ANCHORFIX_VERSION)));
    QVERIFY(aboutText(*boxes.first()).contains(QLatin1String("OpenLDAP libldap")));

    // Closing deletes it; the next click opens a fresh one.
    boxes.first()->reject();
    QTRY_VERIFY(wizard.findChildren<AboutDialog *>().isEmpty());
    about->click();
    QTRY_COMPARE(wizard.findChildren<AboutDialog *>().size(), 1);
}

void TestAboutDialog::aboutButtonThroughTheRun_data()
{
    QTest::addColumn<bool>("withAbout");
    QTest::newRow("the app's wizard, with About") << true;
    QTest::newRow("a wizard without About shows no help button") << false;
}

// The Execute page sets its own button layout, which ignores HaveHelpButton: the About
// button must stay on every page where the app has one, and appear on none otherwise.
void TestAboutDialog::aboutButtonThroughTheRun()
{
    QFETCH(bool, withAbout);
    WizardHarness h(true);
    QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
    AnchorfixWizard *w = h.wizard.get();
    if (withAbout)
        AboutDialog::addTo(w, anchorfixAboutInfo());
    w->show();
    const auto aboutShown = [w] {
        QAbstractButton *b = w->button(QWizard::HelpButton);
        return b && b->isVisible();
    };
    QCOMPARE(aboutShown(), withAbout);
    QVERIFY(h.scanToReview());
    QCOMPARE(aboutShown(), withAbout);
    w->next();
    QCOMPARE(w->currentId(), int(AnchorfixWizard::Execute));
    QCOMPARE(aboutShown(), withAbout);
    ExecutePage *execute = w->executePage();
    execute->startRun();
    QCOMPARE(aboutShown(), withAbout); // the running layout
    QVERIFY(QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000));
    QCOMPARE(aboutShown(), withAbout);
    w->next();
    QCOMPARE(w->currentId(), int(AnchorfixWizard::Summary));
    QCOMPARE(aboutShown(), withAbout);
}

QTEST_MAIN(TestAboutDialog)
#include "tst_aboutdialog.moc"
