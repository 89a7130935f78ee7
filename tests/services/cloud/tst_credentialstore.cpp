// CredentialStore against a real secret service: run by with-keyring.sh inside a private
// D-Bus session with an unlocked gnome-keyring.

#include "credentialstore.h"

#include <QSignalSpy>
#include <QTest>

class tst_CredentialStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTrip_data();
    void roundTrip();
    void missingEntry();
    void removeMissingEntry();

private:
    // Starts a job and waits for it; the job is deleted afterwards.
    struct Outcome
    {
        bool finished = false;
        int error = 0;
        QString secret;
        bool found = false;
        bool sessionOnly = false;
        QString note;
    };
    static Outcome run(CredentialJob *job)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        Outcome o;
        o.finished = spy.wait(20000);
        o.error = job->error();
        o.secret = job->secret();
        o.found = job->isFound();
        o.sessionOnly = job->isSessionOnly();
        o.note = job->note();
        delete job;
        return o;
    }
};

void tst_CredentialStore::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
             "run this test through with-keyring.sh (ctest does)");
}

void tst_CredentialStore::roundTrip_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("secret");
    QTest::newRow("refresh token") << CredentialStore::refreshTokenKey("Contoso.com", "ID")
                                   << "0.AXoA-refresh-token-" + QString(1500, QLatin1Char('x'));
    QTest::newRow("unicode password") << "ldap/cn=svc" << QStringLiteral("pä$$wörd ✓ \"quoted\"");
    QTest::newRow("empty key") << QString() << "s";
}

void tst_CredentialStore::roundTrip()
{
    QFETCH(QString, key);
    QFETCH(QString, secret);
    {
        CredentialStore store(QStringLiteral("AnchorfixTest"));
        const Outcome w = run(store.write(key, secret));
        QVERIFY(w.finished);
        QCOMPARE(w.error, 0);
        QVERIFY2(!w.sessionOnly, qPrintable(w.note));
        QVERIFY(!store.isSessionOnly());
    }
    // A new store (no shared memory) reads it back from the keychain.
    CredentialStore store(QStringLiteral("AnchorfixTest"));
    Outcome r = run(store.read(key));
    QVERIFY(r.finished);
    QVERIFY2(!r.sessionOnly, qPrintable(r.note));
    QVERIFY(r.found);
    QCOMPARE(r.secret, secret);
    // Another service does not see it.
    CredentialStore other(QStringLiteral("AnchorfixOther"));
    QVERIFY(!run(other.read(key)).found);

    QVERIFY(run(store.remove(key)).finished);
    r = run(store.read(key));
    QVERIFY(!r.found);
    QVERIFY(!r.sessionOnly);
}

void tst_CredentialStore::missingEntry()
{
    CredentialStore store(QStringLiteral("AnchorfixTest"));
    const Outcome r = run(store.read(QStringLiteral("never-written")));
    QVERIFY(r.finished);
    QCOMPARE(r.error, 0);
    QVERIFY(!r.found);
    QVERIFY(!r.sessionOnly); // "not found" is an answer, not a keychain failure
    QVERIFY(!store.isSessionOnly());
}

void tst_CredentialStore::removeMissingEntry()
{
    CredentialStore store(QStringLiteral("AnchorfixTest"));
    const Outcome r = run(store.remove(QStringLiteral("never-written")));
    QVERIFY(r.finished);
    QCOMPARE(r.error, 0);
    QVERIFY(!store.isSessionOnly());
}

QTEST_GUILESS_MAIN(tst_CredentialStore)
#include "tst_credentialstore.moc"
