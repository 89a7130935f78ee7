// LdapScanJob against a server that accepts the connection and never answers (a QTcpServer
// in this process; no Samba needed): the job times out with a clear error, cancel() ends it
// while it waits, and deleting a job whose worker is blocked inside libldap neither blocks
// nor leaks (the worker deletes itself once libldap returns).
#include <ldapscanjob.h>
#include <ldapworker.h>

#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

Q_DECLARE_METATYPE(LdapConfig::TlsMode)
Q_DECLARE_METATYPE(LdapError)

class tst_LdapSilentServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void timesOut_data();
    void timesOut();
    void cancelWhileWaiting();
    void deleteWhileBlocked();

private:
    LdapConfig config(LdapConfig::TlsMode mode) const;
    QTcpServer m_server;
    QList<QTcpSocket *> m_sockets; // kept open, never answered
};

void tst_LdapSilentServer::init()
{
    if (!m_server.isListening()) {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                m_sockets << s;
        });
    }
}

LdapConfig tst_LdapSilentServer::config(LdapConfig::TlsMode mode) const
{
    LdapConfig c;
    c.uri = QStringLiteral("ldap://127.0.0.1:%1").arg(m_server.serverPort());
    c.tlsMode = mode;
    c.baseDn = QStringLiteral("DC=corp,DC=example");
    c.timeoutSeconds = 1;
    return c; // anonymous: no password is ever sent to this server
}

void tst_LdapSilentServer::timesOut_data()
{
    QTest::addColumn<LdapConfig::TlsMode>("mode");
    QTest::addColumn<LdapError>("expected");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("search never answered")
        << LdapConfig::TlsMode::None << LdapError::Timeout << QStringLiteral("did not answer");
    QTest::newRow("StartTLS never answered")
        << LdapConfig::TlsMode::StartTls << LdapError::Timeout
        << QStringLiteral("did not answer the StartTLS request in time");
}

void tst_LdapSilentServer::timesOut()
{
    QFETCH(LdapConfig::TlsMode, mode);
    QFETCH(LdapError, expected);
    QFETCH(QString, messagePart);
    LdapScanJob job(config(mode));
    job.setAutoDelete(false);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QVERIFY(finished.wait(60000));
    QCOMPARE(job.ldapError(), expected);
    QVERIFY2(job.errorString().contains(messagePart), qPrintable(job.errorString()));
    qInfo() << job.errorString();
}

void tst_LdapSilentServer::cancelWhileWaiting()
{
    LdapScanJob job(config(LdapConfig::TlsMode::None));
    job.setAutoDelete(false);
    QSignalSpy finished(&job, &Job::finished);
    QSignalSpy info(&job, &Job::infoMessage);
    job.start();
    QVERIFY(info.wait(10000)); // "Connecting to …": the worker is running
    job.cancel();
    QVERIFY(finished.wait(60000));
    QCOMPARE(job.error(), int(Job::Cancelled));
    QVERIFY(job.users().isEmpty());
}

void tst_LdapSilentServer::deleteWhileBlocked()
{
    LdapConfig c = config(LdapConfig::TlsMode::StartTls);
    c.timeoutSeconds = 3; // libldap blocks in the StartTLS exchange this long
    auto *job = new LdapScanJob(c);
    QSignalSpy info(job, &Job::infoMessage);
    job->start();
    QVERIFY(info.wait(10000));
    QPointer<LdapWorker> worker = job->findChild<LdapWorker *>();
    QVERIFY(worker);
    QTRY_VERIFY(!m_sockets.isEmpty()); // connected, now waiting for the StartTLS answer
    delete job;
    // Released: it no longer belongs to the job and goes away by itself once libldap returns.
    QTRY_VERIFY_WITH_TIMEOUT(worker.isNull(), 60000);
}

QTEST_GUILESS_MAIN(tst_LdapSilentServer)
#include "tst_ldapsilentserver.moc"
