#include "flatindex.h"

#include <QStringList>
#include <QTest>

class tst_FlatIndex : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void foldedHashIgnoresCase_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("ascii") << "Anna@Contoso.COM"
                               << "anna@contoso.com";
        QTest::newRow("latin-1") << "ZOË.Ångström@contoso.com"
                                 << "zoë.ångström@contoso.com";
        QTest::newRow("greek") << "ΑΘΗΝΑ@contoso.gr"
                               << "αθηνα@contoso.gr";
    }
    void foldedHashIgnoresCase()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QCOMPARE(a.compare(b, Qt::CaseInsensitive), 0);
        QCOMPARE(FlatIndex::foldedHashOf(a), FlatIndex::foldedHashOf(b));
        QVERIFY(FlatIndex::hashOf(a) != FlatIndex::hashOf(b)); // the exact hash keeps case
    }

    void findsEveryEntryAfterGrowing()
    {
        FlatIndex index;
        index.reserve(4); // far too small: the index must grow and keep every entry
        QStringList keys;
        for (int i = 0; i < 5000; ++i)
            keys << QStringLiteral("user%1@contoso.com").arg(i);
        for (int i = 0; i < int(keys.size()); ++i)
            index.insert(FlatIndex::hashOf(keys.at(i)), {i, i % 3});
        for (int i = 0; i < int(keys.size()); ++i) {
            const FlatIndex::Entry e =
                index.find(FlatIndex::hashOf(keys.at(i)),
                           [&](FlatIndex::Entry e) { return keys.at(e.item) == keys.at(i); });
            QCOMPARE(e.item, i);
            QCOMPARE(e.part, i % 3);
        }
        const QString absent = QStringLiteral("nobody@contoso.com");
        QCOMPARE(index.find(FlatIndex::hashOf(absent), [](FlatIndex::Entry) { return true; }).item,
                 -1);
    }

    void keepsEveryEntryUnderOneHash()
    {
        FlatIndex index;
        index.reserve(8);
        for (int i = 0; i < 3; ++i)
            index.insert(42, {i, 0});
        QList<int> seen;
        index.find(42, [&](FlatIndex::Entry e) {
            seen << e.item;
            return false;
        });
        QCOMPARE(seen, (QList<int>{0, 1, 2}));
        QCOMPARE(index.find(42, [](FlatIndex::Entry e) { return e.item == 1; }).item, 1);
    }

    // Only 32 bits of a hash are kept: two hashes alike in those bits are both visited, and
    // the caller's key compare tells them apart. Parts given late read back; earlier
    // entries read part 0.
    void hashesAlikeInTheKeptBitsAreToldApartByTheCaller()
    {
        FlatIndex index;
        index.reserve(2);
        const uint64_t a = 0x0000000100000002ull;
        const uint64_t b = 0x0000000200000001ull; // a ^ (a >> 32) == b ^ (b >> 32)
        index.insert(a, {7, 0});
        index.insert(b, {9, 4});
        for (int i = 0; i < 100; ++i) // grows past the reserve
            index.insert(1000 + uint64_t(i), {100 + i, 0});
        QList<int> visited;
        const FlatIndex::Entry found = index.find(b, [&](FlatIndex::Entry e) {
            visited << e.item;
            return e.item == 9;
        });
        QCOMPARE(visited, (QList<int>{7, 9}));
        QCOMPARE(found.part, 4);
        QCOMPARE(index.find(a, [](FlatIndex::Entry e) { return e.item == 7; }).part, 0);
        QCOMPARE(index.find(1042, [](FlatIndex::Entry e) { return e.item == 142; }).item, 142);
    }
};

QTEST_GUILESS_MAIN(tst_FlatIndex)
#include "tst_flatindex.moc"
