#include "auditlog.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

AuditRecord record(AuditResult result, const QString &message = QString())
{
    AuditRecord r;
    r.timestampUtc = QDateTime(QDate(2026, 11, 21), QTime(12, 30, 1, 250), Qt::UTC);
    r.runId = QStringLiteral("run-1");
    r.operatorName = QStringLiteral("admin@contoso.com");
    r.tenantId = QStringLiteral("tenant");
    r.rowId = QStringLiteral("7");
    r.cloudId = QStringLiteral("id-7");
    r.cloudUpn = QStringLiteral("u7@contoso.com");
    r.action = AuditAction::Stamp;
    r.oldImmutableId = QStringLiteral("=old");
    r.newImmutableId = QStringLiteral("+new==");
    r.result = result;
    r.httpStatus = 204;
    r.requestId = QStringLiteral("req");
    r.message = message;
    return r;
}

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_AuditLog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("readBack");
        QTest::newRow("plain") << "ok"
                               << "ok";
        QTest::newRow("comma and quote") << "a, \"b\""
                                         << "a, \"b\"";
        QTest::newRow("formula") << "=HYPERLINK(\"x\")"
                                 << "=HYPERLINK(\"x\")";
        QTest::newRow("line break folded") << "one\r\ntwo\nthree"
                                           << "one two three";
    }
    void roundTrip()
    {
        QFETCH(QString, message);
        QFETCH(QString, readBack);
        const QString path = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()));
        AuditLog log;
        QString error;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        QVERIFY(log.append(record(AuditResult::Applied, message), &error));
        log.close();
        QList<AuditRecord> records;
        QVERIFY2(AuditLog::read(path, &records, &error), qPrintable(error));
        QCOMPARE(records.size(), 1);
        AuditRecord expected = record(AuditResult::Applied, readBack);
        QCOMPARE(records.first(), expected);
        QVERIFY(contents(path).startsWith(
            QByteArray(AuditLog::csvHeader().join(u',').toUtf8() + "\r\n")));
    }

    void appendsAndNeverRewrites()
    {
        const QString path = m_dir.filePath(QStringLiteral("append.csv"));
        QString error;
        {
            AuditLog log;
            QVERIFY(log.open(path, &error));
            QVERIFY(log.append(record(AuditResult::Started), &error));
        }
        const QByteArray first = contents(path);
        {
            AuditLog log;
            QVERIFY(log.open(path, &error));
            QVERIFY(
                log.append({record(AuditResult::Applied), record(AuditResult::Verified)}, &error));
        }
        const QByteArray second = contents(path);
        QVERIFY(second.startsWith(first));
        QCOMPARE(second.count("timestamp_utc"), 1);
        QList<AuditRecord> records;
        QVERIFY(AuditLog::read(path, &records, &error));
        QCOMPARE(records.size(), 3);
        QCOMPARE(records.at(2).result, AuditResult::Verified);
    }

    void refusesAFileThatIsNotAnAuditTrail()
    {
        const QString path = m_dir.filePath(QStringLiteral("other.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious,data\r\n");
        f.close();
        AuditLog log;
        QString error;
        QVERIFY(!log.open(path, &error));
        QVERIFY(error.contains(u"never rewrites"));
        QCOMPARE(contents(path), QByteArray("precious,data\r\n"));
    }

    void tornLastLineStartsAFreshLine()
    {
        const QString path = m_dir.filePath(QStringLiteral("torn.csv"));
        QString error;
        {
            AuditLog log;
            QVERIFY(log.open(path, &error));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("2026-11-21T12:00:00Z,run-0");
        f.close();
        AuditLog log;
        QVERIFY(log.open(path, &error));
        QVERIFY(log.append(record(AuditResult::Applied), &error));
        log.close();
        const QByteArray all = contents(path);
        QVERIFY(all.contains("run-0\r\n2026-11-21T12:30:01.250Z,run-1,"));
    }
};

QTEST_GUILESS_MAIN(tst_AuditLog)
#include "tst_auditlog.moc"
