#include "writepacer.h"

#include <QTest>

class tst_WritePacer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void waitsForTheWindow_data()
    {
        QTest::addColumn<int>("quota");
        QTest::addColumn<int>("windowMs");
        QTest::addColumn<QList<int>>("sentAt"); // one write each
        QTest::addColumn<int>("now");
        QTest::addColumn<int>("writes");
        QTest::addColumn<int>("expectedDelay");
        // Margin: max(1, window / 500) ms.
        QTest::newRow("room left") << 3 << 1000 << QList<int>{0, 10} << 20 << 1 << 0;
        QTest::newRow("full: wait for the oldest")
            << 3 << 1000 << QList<int>{0, 10, 20} << 30 << 1 << 1000 + 2 - 30;
        QTest::newRow("two needed: wait for the second oldest")
            << 3 << 1000 << QList<int>{0, 10, 20} << 30 << 2 << 1010 + 2 - 30;
        QTest::newRow("old writes have left") << 2 << 100 << QList<int>{0, 1} << 200 << 2 << 0;
        QTest::newRow("more than the quota at once waits for all")
            << 2 << 100 << QList<int>{50, 60} << 70 << 5 << 60 + 100 + 1 - 70;
    }
    void waitsForTheWindow()
    {
        QFETCH(int, quota);
        QFETCH(int, windowMs);
        QFETCH(QList<int>, sentAt);
        QFETCH(int, now);
        QFETCH(int, writes);
        QFETCH(int, expectedDelay);
        WritePacer pacer(quota, windowMs);
        for (int t : sentAt)
            pacer.recordWrites(1, t);
        QCOMPARE(pacer.delayFor(writes, now), qint64(expectedDelay));
    }

    void answersMoveTheWindow()
    {
        WritePacer pacer(2, 100);
        pacer.recordWrites(2, 0);
        pacer.confirmWrites(2, 0, 40); // the server counted them up to 40 ms later
        QCOMPARE(pacer.delayFor(1, 50), qint64(40 + 100 + 1 - 50));
    }
};

QTEST_GUILESS_MAIN(tst_WritePacer)
#include "tst_writepacer.moc"
