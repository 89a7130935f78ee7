// CredentialStore when the keychain never answers: a session bus that accepts the
// connection and then says nothing (what a locked keyring waiting on a prompt looks like
// to QtKeychain). Every job must still finish, session-only, with a note.

#include "credentialstore.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class tst_CredentialStoreTimeout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void operations_data();
    void operations();

private:
    QTemporaryDir m_dir;
    QLocalServer m_silentBus;
    QList<QLocalSocket *> m_clients;
    CredentialStore *m_store = nullptr;
};

void tst_CredentialStoreTimeout::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("bus"));
    QVERIFY(m_silentBus.listen(path));
    connect(&m_silentBus, &QLocalServer::newConnection, this, [this] {
        while (m_silentBus.hasPendingConnections())
            m_clients.append(m_silentBus.nextPendingConnection()); // and never answer
    });
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(path));
    qunsetenv("DISPLAY");
    m_store = new CredentialStore(QStringLiteral("AnchorfixTest"), this);
    m_store->setTimeout(500);
}

void tst_CredentialStoreTimeout::operations_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<bool>("found");
    // In order: the first job meets the silent keychain, later ones skip it.
    QTest::newRow("write times out, kept in memory") << "write" << false;
    QTest::newRow("read from the session store") << "read" << true;
    QTest::newRow("remove from the session store") << "remove" << false;
    QTest::newRow("read after remove") << "read" << false;
}

void tst_CredentialStoreTimeout::operations()
{
    QFETCH(QString, operation);
    QFETCH(bool, found);
    const QString key = QStringLiteral("refresh-token/t/c");
    CredentialJob *job = operation == QLatin1String("write")
                             ? m_store->write(key, QStringLiteral("secret-value"))
                         : operation == QLatin1String("read") ? m_store->read(key)
                                                              : m_store->remove(key);
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    QSignalSpy fallback(m_store, &CredentialStore::sessionOnlyChanged);
    job->start();
    QVERIFY(spy.wait(20000));
    QCOMPARE(job->error(), 0);
    QVERIFY(job->isSessionOnly());
    QVERIFY2(job->note().contains(QLatin1String("this session only")), qPrintable(job->note()));
    QVERIFY(m_store->isSessionOnly());
    QVERIFY(m_store->sessionOnlyReason().contains(QLatin1String("did not answer")));
    QCOMPARE(fallback.size(), operation == QLatin1String("write") && !found ? 1 : 0);
    if (operation == QLatin1String("read")) {
        QCOMPARE(job->isFound(), found);
        QCOMPARE(job->secret(), found ? QStringLiteral("secret-value") : QString());
    }
    delete job;
}

QTEST_GUILESS_MAIN(tst_CredentialStoreTimeout)
#include "tst_credentialstoretimeout.moc"
