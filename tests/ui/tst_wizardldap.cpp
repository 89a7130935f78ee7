// The wizard against the Samba AD DC of the ctest fixture samba_dc: a right and a wrong
// bind password, through "Test connection" and through a scan; and the AD-side repair
// (adopt_cloud_anchor) written, rolled back and written again through the Execute page's
// write bind, checked in AD with ldapsearch.
#include "connectpage.h"
#include "executepage.h"
#include "findingtablemodel.h"
#include "immutableid.h"
#include "practicetenant.h"
#include "scanpage.h"
#include "summarypage.h"
#include "wizardharness.h"
#include "writebindbox.h"

#include "../services/onprem/sambadc.h"

#include <QCryptographicHash>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableWidget>
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

    // mS-DS-ConsistencyGuid of dn as ldapsearch reads it; "-" when dn does not exist.
    static QByteArray consistencyGuid(const SambaDc &dc, const QString &dn)
    {
        return dc.binaryAttribute(dn, "mS-DS-ConsistencyGuid");
    }

    static QString ou(const SambaDc &dc) { return QStringLiteral("OU=WizardAdopt,") + dc.baseDn(); }
    static QString userDn(const SambaDc &dc) { return QStringLiteral("CN=wiz-adopt,") + ou(dc); }
    static QString readerDn(const SambaDc &dc)
    {
        return QStringLiteral("CN=svc-wizreader,CN=Users,") + dc.baseDn();
    }
    static QString readerUpn() { return QStringLiteral("svc-wizreader@corp.example.test"); }

    // Review → Execute with the adopt row approved; back on the confirm step.
    static bool adoptOnReview(WizardHarness &h, const QString &cloudId)
    {
        FindingTableModel *model = h.context->findings();
        for (int r = 0; r < model->rowCount(); ++r) {
            const Finding &f = model->finding(r);
            if (f.cloudId != cloudId)
                continue;
            if (f.category != Category::AnchorMismatch ||
                !f.allowedActions.contains(Action::AdoptCloudAnchor))
                return false;
            QString error;
            if (!model->setAction(r, Action::AdoptCloudAnchor, &error) ||
                !model->setApproved(r, true, &error)) {
                qWarning("%s", qPrintable(error));
                return false;
            }
            h.wizard->next();
            return h.wizard->currentId() == AnchorfixWizard::Execute;
        }
        return false;
    }

    static bool run(WizardHarness &h)
    {
        ExecutePage *execute = h.wizard->executePage();
        execute->startRun();
        if (!QTest::qWaitFor([execute] { return execute->hasFinished(); }, 60000))
            return false;
        h.wizard->next();
        return h.wizard->currentId() == AnchorfixWizard::Summary;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SambaDc dc;
        QVERIFY2(dc.isValid(), qPrintable(dc.error()));
    }

    // Issue 12's "done when" in the wizard: a recreated account whose cloud user keeps its
    // anchor. The scan runs on a read-only account; the write bind on the confirm step is
    // asked for because the plan writes to AD. Written as the read-only account it fails
    // with the right to grant named and AD unchanged; retried as an account that may write
    // it, it lands; Summary rolls it back over LDAP with the bind that wrote it; scanned
    // and run again, it lands again.
    void adoptRollbackRunAgain()
    {
        SambaDc dc;
        const QString quoted = QStringLiteral("\"%1\"").arg(dc.servicePassword());
        const QByteArray utf16(reinterpret_cast<const char *>(quoted.utf16()), quoted.size() * 2);
        dc.runTool(QStringLiteral("ldapdelete"), {userDn(dc)});
        const QByteArray ldif =
            "dn: " + ou(dc).toUtf8() + "\nobjectClass: organizationalUnit\n\n" +
            "dn: " + readerDn(dc).toUtf8() +
            "\nobjectClass: user\nsAMAccountName: svc-wizreader\nuserPrincipalName: " +
            readerUpn().toUtf8() + "\nunicodePwd:: " + utf16.toBase64() +
            "\nuserAccountControl: 512\n\n" + "dn: " + userDn(dc).toUtf8() +
            "\nobjectClass: user\nsAMAccountName: wiz-adopt\n"
            "userPrincipalName: wiz-adopt@corp.example.test\nuserAccountControl: 544\n";
        QString err;
        dc.runTool(QStringLiteral("ldapadd"), {QStringLiteral("-c")}, ldif, nullptr, &err);
        QVERIFY2(err.isEmpty() || err.contains(u"Already exists"), qPrintable(err));
        QCOMPARE(consistencyGuid(dc, userDn(dc)), QByteArray());
        const auto cleanup = qScopeGuard([&dc] {
            dc.runTool(QStringLiteral("ldapdelete"), {userDn(dc)});
            dc.runTool(QStringLiteral("ldapdelete"), {readerDn(dc)});
            dc.runTool(QStringLiteral("ldapdelete"), {ou(dc)});
        });

        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        // The cloud user of the account before it was recreated: its anchor is the old
        // account's, which no object in AD yields any more.
        const QByteArray cloudAnchor =
            QCryptographicHash::hash("wizard-adopt-old-account", QCryptographicHash::Md5);
        const QString cloudId = QStringLiteral("abcdabcd-0000-4000-8000-000000000001");
        PracticeDirectory &cloud = h.tenant()->directory();
        cloud.domains.append(QJsonObject{
            {"id", "corp.example.test"}, {"authenticationType", "Managed"}, {"isVerified", true}});
        cloud.users.append(
            QJsonObject{{"id", cloudId},
                        {"userPrincipalName", "wiz-adopt@corp.example.test"},
                        {"displayName", "wiz-adopt"},
                        {"accountEnabled", true},
                        {"onPremisesImmutableId", ImmutableId::base64Of(cloudAnchor)}});
        cloud.reindex();

        OnPremSettings scan = settingsFor(dc, dc.servicePassword());
        scan.bindDn = readerUpn(); // scans with an account that may only read
        scan.ous = {ou(dc)};
        h.wizard->connectPage()->setOnPremSettings(scan);
        QVERIFY(h.scanToReview());
        QVERIFY(adoptOnReview(h, cloudId));

        // The write bind is asked for, the scan's account filled in: written as it, the
        // change is refused by AD.
        ExecutePage *execute = h.wizard->executePage();
        WriteBindBox *box = execute->writeBindBox();
        QVERIFY(box->isVisible());
        auto *dn = box->findChild<QLineEdit *>(QStringLiteral("writeBindDn"));
        auto *password = box->findChild<QLineEdit *>(QStringLiteral("writeBindPassword"));
        QVERIFY(dn && password);
        QCOMPARE(dn->text(), readerUpn());
        QVERIFY(run(h));
        QCOMPARE(h.context->report().count(ChangeStatus::Failed), 1);
        const QString refusal = h.context->report().outcomes.first().errorString;
        QVERIFY2(refusal.contains(u"may not write mS-DS-ConsistencyGuid") &&
                     refusal.contains(u"Grant"),
                 qPrintable(refusal));
        QCOMPARE(consistencyGuid(dc, userDn(dc)), QByteArray());

        // Retried as an account that may write it: a DN without its password cannot start.
        auto *retry =
            h.wizard->summaryPage()->findChild<QPushButton *>(QStringLiteral("retryFailed"));
        QVERIFY(retry && retry->isEnabled());
        retry->click();
        QCOMPARE(h.wizard->currentId(), int(AnchorfixWizard::Execute));
        auto *start = execute->findChild<QPushButton *>(QStringLiteral("startRun"));
        dn->setText(dc.adminUpn());
        QVERIFY(!start->isEnabled());
        QVERIFY2(start->toolTip().contains(u"password"), qPrintable(start->toolTip()));
        password->setText(dc.adminPassword());
        QVERIFY(start->isEnabled());
        h.tenant()->clearLogs();
        QVERIFY(run(h));
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), 1);
        QCOMPARE(consistencyGuid(dc, userDn(dc)), cloudAnchor);
        // Nothing was written to the cloud: the repair is on the AD side. The tenant was
        // read (the cloud anchor is checked before it is adopted) with the scan's read-only
        // token: no write access was asked for.
        QVERIFY(h.tenant()->writeLog().isEmpty());
        int graphReads = 0;
        for (const PracticeRequestRecord &r : h.tenant()->requestLog()) {
            QVERIFY2(!r.permissions.contains(u"User.ReadWrite.All"), qPrintable(r.path));
            graphReads += r.permissions.isEmpty() ? 0 : 1;
        }
        QVERIFY(graphReads > 0);

        // Summary rolls the run back with the bind that wrote it: the attribute is removed
        // (it was empty before).
        SummaryPage *summary = h.wizard->summaryPage();
        QSignalSpy rolledBack(summary, &SummaryPage::rollbackEnded);
        summary->requestRollback();
        summary->confirmRollback();
        QVERIFY(rolledBack.wait(60000));
        QVERIFY2(rolledBack.first().first().toBool(), qPrintable(summary->rollbackStatus()));
        QCOMPARE(consistencyGuid(dc, userDn(dc)), QByteArray());

        // Scanned and run again: the same row, written again.
        auto *scanAgain = summary->findChild<QPushButton *>(QStringLiteral("scanAgainFromSummary"));
        QVERIFY(scanAgain && scanAgain->isEnabled());
        scanAgain->click();
        QVERIFY(QTest::qWaitFor([&h] { return h.wizard->scanPage()->isComplete(); }, 60000));
        h.wizard->next();
        QVERIFY(adoptOnReview(h, cloudId));
        dn->setText(dc.adminUpn());
        password->setText(dc.adminPassword());
        QVERIFY(run(h));
        QCOMPARE(h.context->report().count(ChangeStatus::Applied), 1);
        QCOMPARE(consistencyGuid(dc, userDn(dc)), cloudAnchor);
        QCOMPARE(h.context->runs().size(), 3);
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
