// The Connect and Scan pages against the Samba AD DC of the ctest fixture samba_dc:
// a right and a wrong bind password, through "Test connection" and through a scan.
#include "connectpage.h"
#include "scanpage.h"
#include "wizardharness.h"

#include "../services/onprem/sambadc.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

class tst_WizardLdap : public QObject
{
    Q_OBJECT
private:
    OnPremSettings settingsFor(const SambaDc &dc, const QString &password)
    {
        OnPremSettings s;
        s.source = OnPremSettings::Source::Ldap;
        s.ldapUri = QStringLiteral("ldaps://127.0.0.1");
        s.tlsMode = OnPremSettings::TlsMode::Ldaps;
        s.caFile = dc.caFile();
        s.bindDn = dc.adminUpn();
        s.password = password;
        s.baseDn = dc.baseDn();
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SambaDc dc;
        QVERIFY2(dc.isValid(), qPrintable(dc.error()));
    }

    void testConnection_data()
    {
        QTest::addColumn<bool>("rightPassword");
        QTest::addColumn<QString>("expected");
        QTest::newRow("right password") << true << QStringLiteral("DC=");
        QTest::newRow("wrong password") << false << QStringLiteral("password");
    }
    void testConnection()
    {
        QFETCH(bool, rightPassword);
        QFETCH(QString, expected);
        SambaDc dc;
        WizardHarness h(false);
        ConnectPage *page = h.wizard->connectPage();
        page->setOnPremSettings(settingsFor(
            dc, rightPassword ? dc.adminPassword() : QStringLiteral("Not-The-Password-1")));
        auto *button = page->findChild<QPushButton *>(QStringLiteral("testConnection"));
        QVERIFY(button);
        button->click();
        QVERIFY(!button->isEnabled()); // running
        QVERIFY(QTest::qWaitFor([button] { return button->isEnabled(); }, 60000));
        const QString status = page->onPremStatus();
        QVERIFY2(status.contains(expected, Qt::CaseInsensitive), qPrintable(status));
        // The message for a wrong password is the LDAP layer's advice, in words.
        if (!rightPassword)
            QVERIFY2(!status.contains(u"Connected"), qPrintable(status));
    }

    // The scan with a wrong password fails with the same advice and the page stays
    // incomplete; the wizard never reaches the Review page.
    void scanWithWrongPassword()
    {
        SambaDc dc;
        WizardHarness h(true); // the practice tenant is the cloud side
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        ConnectPage *page = h.wizard->connectPage();
        page->setOnPremSettings(settingsFor(dc, QStringLiteral("Not-The-Password-1")));
        QVERIFY(h.signIn());
        h.wizard->next();
        ScanPage *scan = h.wizard->scanPage();
        QSignalSpy ended(scan, &ScanPage::scanEnded);
        QVERIFY(ended.wait(60000));
        QCOMPARE(ended.first().first().toBool(), false);
        QVERIFY(!scan->isComplete());
        QVERIFY2(scan->statusText().contains(u"On-premises"), qPrintable(scan->statusText()));
        QVERIFY2(scan->statusText().contains(u"password", Qt::CaseInsensitive),
                 qPrintable(scan->statusText()));
    }
};

QTEST_MAIN(tst_WizardLdap)
#include "tst_wizardldap.moc"
