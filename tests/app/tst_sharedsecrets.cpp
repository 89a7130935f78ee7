// One keychain name per secret for both front-ends: the command line reads exactly what
// the wizard stored, and a secret stored under an older wizard name is still found (and
// moved to the current one). Run by with-keyring.sh in a private D-Bus session with an
// unlocked gnome-keyring.
#include "appwizardservices.h"
#include "cloudsession.h"
#include "connectpage.h"
#include "credentialstore.h"
#include "executepage.h"
#include "practiceprocess.h"
#include "practicescenario.h"
#include "wizardharness.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Runs a job to its end; true when it finished without error.
bool run(Job *job)
{
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    const bool ok = (job->isFinished() || spy.wait(20000)) && job->error() == Job::NoError;
    delete job;
    return ok;
}

// The environment of an admin's shell: the keyring's session bus, no secret variables.
QProcessEnvironment shell()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("ANCHORFIX_CLIENT_SECRET"));
    env.remove(QStringLiteral("ANCHORFIX_LDAP_PASSWORD"));
    return env;
}

} // namespace

class tst_SharedSecrets : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    PracticeScenario m_scenario = PracticeScenario::build(2, 0, 0, 0);

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
                 "run this test through with-keyring.sh (ctest does)");
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
        QVERIFY(writePlan(m_dir.filePath("plan.csv"), m_scenario.plan));
    }

    void cliReadsWhatTheWizardStored()
    {
        // The wizard remembers the app secret ("Remember in the keychain")…
        AppWizardServices wizard;
        const SecretRef ref =
            SecretRef::clientSecret(m_practice.tenantId(), PracticeScenario::clientId);
        ValueJob<QString> *write = wizard.writeSecret(ref, PracticeScenario::clientSecret);
        QVERIFY(run(write));
        // …and `anchorfix apply --dry-run` signs in with it: client credentials, no device
        // code (which would wait for a person and time out here).
        const CliRun dry =
            runAnchorfix(QStringList{"apply", "--dry-run", "--plan", m_dir.filePath("plan.csv")} +
                             m_practice.connectionArgs(PracticeScenario::clientId),
                         shell(), 30000);
        QVERIFY2(dry.exitCode == 0, qPrintable(dry.out + dry.err));
        QVERIFY2(!dry.err.contains(u"enter the code"), qPrintable(dry.err));
        QVERIFY(dry.out.contains(u"Dry run: 2 changes"));
        // The same name, read directly.
        CredentialStore store;
        CredentialJob *read = store.read(
            CredentialStore::clientSecretKey(m_practice.tenantId(), PracticeScenario::clientId));
        read->setAutoDelete(false);
        QSignalSpy spy(read, &Job::finished);
        read->start();
        QVERIFY(spy.wait(20000));
        QCOMPARE(read->secret(), PracticeScenario::clientSecret);
        delete read;
    }

    void ldapPasswordSharedToo()
    {
        // The LDAP password the wizard stored is the one `scan` reads: it gets past the
        // password and fails only on connecting (no server at that address).
        AppWizardServices wizard;
        const QString uri = QStringLiteral("ldap://127.0.0.1:9");
        const QString dn = QStringLiteral("CN=svc,OU=Service,DC=corp,DC=example");
        QVERIFY(run(wizard.writeSecret(SecretRef::ldapPassword(uri, dn), QStringLiteral("pw"))));
        const QStringList args{"scan",       "--plan",    m_dir.filePath("scan.csv"),
                               "--ldap-uri", uri,         "--bind-dn",
                               dn,           "--base-dn", "DC=corp,DC=example"};
        const CliRun scan = runAnchorfix(
            args + m_practice.connectionArgs(PracticeScenario::clientId), shell(), 30000);
        QCOMPARE(scan.exitCode, 1);
        QVERIFY2(!scan.err.contains(u"No LDAP password"), qPrintable(scan.err));
        // Another account has no password stored: the CLI says so.
        QStringList other = args;
        other[other.indexOf(dn)] = QStringLiteral("CN=other,DC=corp,DC=example");
        const CliRun missing = runAnchorfix(
            other + m_practice.connectionArgs(PracticeScenario::clientId), shell(), 30000);
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(u"No LDAP password"), qPrintable(missing.err));
    }

    void deviceCodeSignInLeavesTheKeychainAlone()
    {
        // Nothing touches the keychain unless "Remember in the keychain" is ticked: the
        // demo's device-code sign-in stores no refresh token there.
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.signIn());
        const CloudSettings cloud = h.wizard->connectPage()->cloudSettings();
        CredentialStore store;
        CredentialJob *read =
            store.read(CredentialStore::refreshTokenKey(cloud.tenant, cloud.clientId));
        read->setAutoDelete(false);
        QSignalSpy spy(read, &Job::finished);
        read->start();
        QVERIFY(spy.wait(20000));
        QVERIFY(!read->isSessionOnly()); // the keychain answered…
        QVERIFY(!read->isFound());       // …and holds nothing of this sign-in
        delete read;
        const QString status = h.wizard->connectPage()->cloudStatus();
        QVERIFY2(!status.contains(u"secret") && !status.contains(u"keychain"), qPrintable(status));
    }

    void confirmStepNamesTenantAndAccount()
    {
        // The Execute confirm step names the tenant (display name, initial domain) and the
        // signed-in account before anything is sent (issue 10 item 7, from CloudSession).
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(h.scanToReview());
        h.wizard->next();
        QCOMPARE(h.wizard->currentId(), int(AnchorfixWizard::Execute));
        const CloudSession *session = h.services->cloudSession();
        const QString text = h.wizard->executePage()->confirmationText();
        QVERIFY(!session->tenant().displayName.isEmpty());
        QVERIFY2(text.contains(session->tenant().describe().toHtmlEscaped()), qPrintable(text));
        QVERIFY2(text.contains(u"Signed in as " + session->operatorName()), qPrintable(text));
        QVERIFY(session->operatorName().contains(u'@'));       // a person, from the ID token
        QVERIFY(!text.contains(u"will not run: the sign-in")); // delegated: nothing left out
    }

    void oldWizardNamesAreMigrated_data()
    {
        QTest::addColumn<bool>("ldap");
        QTest::newRow("client secret under client:TENANT|CLIENT") << false;
        QTest::newRow("LDAP password under ldap:URI|DN") << true;
    }
    void oldWizardNamesAreMigrated()
    {
        QFETCH(bool, ldap);
        const QString a = ldap ? QStringLiteral("ldaps://dc9.corp.example") : QStringLiteral("t9");
        const QString b = ldap ? QStringLiteral("svc9@corp.example") : QStringLiteral("c9");
        const QString oldKey =
            (ldap ? QStringLiteral("ldap:") : QStringLiteral("client:")) + a + u'|' + b;
        const QString newKey =
            ldap ? CredentialStore::ldapPasswordKey(a, b) : CredentialStore::clientSecretKey(a, b);
        CredentialStore store;
        QVERIFY(run(store.write(oldKey, QStringLiteral("kept-since-last-year"))));

        AppWizardServices wizard;
        ValueJob<QString> *read =
            wizard.readSecret(ldap ? SecretRef::ldapPassword(a, b) : SecretRef::clientSecret(a, b));
        read->setAutoDelete(false);
        QSignalSpy spy(read, &Job::finished);
        read->start();
        QVERIFY(spy.wait(20000));
        QCOMPARE(read->value(), QStringLiteral("kept-since-last-year"));
        delete read;

        // Moved: the current name holds it, the old one is gone.
        const auto lookup = [&store](const QString &key) {
            CredentialJob *job = store.read(key);
            job->setAutoDelete(false);
            QSignalSpy done(job, &Job::finished);
            job->start();
            done.wait(20000);
            const QString secret = job->isFound() ? job->secret() : QStringLiteral("<none>");
            delete job;
            return secret;
        };
        QTRY_COMPARE_WITH_TIMEOUT(lookup(newKey), QStringLiteral("kept-since-last-year"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(lookup(oldKey), QStringLiteral("<none>"), 10000);
    }
};

QTEST_MAIN(tst_SharedSecrets)
#include "tst_sharedsecrets.moc"
