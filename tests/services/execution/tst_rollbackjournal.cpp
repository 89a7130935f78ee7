#include "rollbackjournal.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

RollbackEntry entry(const char *id, RollbackStatus status, const QString &newId = QString())
{
    return {QLatin1String(id),
            QLatin1String(id) + QStringLiteral("@contoso.com"),
            QStringLiteral("old=="),
            newId.isEmpty() ? QStringLiteral("+new==") : newId,
            status == RollbackStatus::Pending
                ? QDateTime()
                : QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC),
            status};
}

} // namespace

class tst_RollbackJournal : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    QString path() { return m_dir.filePath(QStringLiteral("r%1.csv").arg(++m_n)); }

private Q_SLOTS:
    void lastRowPerCloudIdWins_data()
    {
        using S = RollbackStatus;
        QTest::addColumn<QList<RollbackEntry>>("rows");
        QTest::addColumn<QList<RollbackEntry>>("folded");
        QTest::newRow("pending then applied")
            << QList{entry("a", S::Pending), entry("a", S::Applied)}
            << QList{entry("a", S::Applied)};
        QTest::newRow("crash: still pending")
            << QList{entry("a", S::Pending), entry("a", S::Applied), entry("b", S::Pending)}
            << QList{entry("a", S::Applied), entry("b", S::Pending)};
        QTest::newRow("order of first appearance")
            << QList{entry("b", S::Pending), entry("a", S::Pending), entry("b", S::Failed),
                     entry("a", S::Applied)}
            << QList{entry("b", S::Failed), entry("a", S::Applied)};
    }
    void lastRowPerCloudIdWins()
    {
        QFETCH(QList<RollbackEntry>, rows);
        QFETCH(QList<RollbackEntry>, folded);
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY2(journal.create(file, &error), qPrintable(error));
        for (const RollbackEntry &e : rows)
            QVERIFY(journal.append(e, &error));
        journal.close();
        QList<RollbackEntry> read;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read, folded);
        // The formula guard on "+new==" is written and removed again.
        QFile raw(file);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QVERIFY(raw.readAll().contains(",'+new==,"));
    }

    void compactLeavesOneRowPerChange()
    {
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(
            {entry("a", RollbackStatus::Pending), entry("b", RollbackStatus::Pending)}, &error));
        QVERIFY(journal.append(
            {entry("a", RollbackStatus::Applied), entry("b", RollbackStatus::Failed)}, &error,
            RollbackJournal::Durability::Flushed));
        QVERIFY2(journal.compact(&error), qPrintable(error));
        QList<RollbackEntry> rows;
        QVERIFY(RollbackJournal::readRows(file, &rows, &error));
        QCOMPARE(rows,
                 (QList{entry("a", RollbackStatus::Applied), entry("b", RollbackStatus::Failed)}));
        QVERIFY(!QFile::exists(file + QStringLiteral(".tmp-") +
                               QString::number(QCoreApplication::applicationPid())));
    }

    void tornLastLineIsIgnored()
    {
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(entry("a", RollbackStatus::Pending), &error));
        journal.close();
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write("b,b@contoso.com,old==,ne"); // killed in the middle of a write
        f.close();
        QList<RollbackEntry> read;
        QString warning;
        QVERIFY2(RollbackJournal::read(file, &read, &error, &warning), qPrintable(error));
        QCOMPARE(read, QList{entry("a", RollbackStatus::Pending)});
        QVERIFY(warning.contains(u"incomplete"));
    }

    void createRefusesAnExistingJournal()
    {
        const QString file = path();
        RollbackJournal first;
        QString error;
        QVERIFY(first.create(file, &error));
        QVERIFY(first.append(entry("a", RollbackStatus::Applied), &error));
        first.close();
        RollbackJournal second;
        QVERIFY(!second.create(file, &error));
        QVERIFY(error.contains(u"already exists"));
        QVERIFY(second.openForAppend(file, &error));
    }

    void rejectsOtherFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("another csv") << QByteArray("a,b\r\n1,2\r\n");
        QTest::newRow("unknown status")
            << QByteArray("cloud_id,cloud_upn,old_immutable_id,new_immutable_id,applied_at_utc,"
                          "status\r\nx,x@y,a,b,,done\r\n");
    }
    void rejectsOtherFiles()
    {
        QFETCH(QByteArray, content);
        const QString file = path();
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        QList<RollbackEntry> read;
        QString error;
        QVERIFY(!RollbackJournal::read(file, &read, &error));
        QVERIFY(!error.isEmpty());
        RollbackJournal journal;
        QVERIFY(!journal.openForAppend(file, &error));
    }
};

QTEST_GUILESS_MAIN(tst_RollbackJournal)
#include "tst_rollbackjournal.moc"
