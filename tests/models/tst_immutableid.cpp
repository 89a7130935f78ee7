#include "immutableid.h"

#include <QTest>

class tst_ImmutableId : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goldenVectors_data()
    {
        QTest::addColumn<QString>("guid");
        QTest::addColumn<QString>("base64");
        QTest::addColumn<QString>("hex");
        QTest::newRow("seed 001") << "7754d487-1fc3-4206-9e95-ce012f1586e5"
                                  << "h9RUd8MfBkKelc4BLxWG5Q=="
                                  << "87 d4 54 77 c3 1f 06 42 9e 95 ce 01 2f 15 86 e5";
        QTest::newRow("issue 2") << "8c4ac332-975f-4717-ad7b-ba4a4e968fff"
                                 << "MsNKjF+XF0ete7pKTpaP/w=="
                                 << "32 c3 4a 8c 5f 97 17 47 ad 7b ba 4a 4e 96 8f ff";
    }
    void goldenVectors()
    {
        QFETCH(QString, guid);
        QFETCH(QString, base64);
        QFETCH(QString, hex);
        QString ldap = QStringLiteral("\\") + hex.split(u' ').join(u'\\');
        const QStringList forms{guid,
                                guid.toUpper(),
                                u'{' + guid + u'}',
                                base64,
                                hex,
                                hex.toUpper(),
                                QString(hex).remove(u' '),
                                ldap,
                                u"  " + base64 + u"\n"};
        for (const QString &form : forms) {
            QString error;
            const auto id = ImmutableId::parse(form, &error);
            QVERIFY2(id, qPrintable(form + u": " + error));
            QCOMPARE(id->toGuid(), guid);
            QCOMPARE(id->toBase64(), base64);
            QCOMPARE(id->toHex(), hex);
            QCOMPARE(id->toLdapFilter(), ldap);
        }
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("seed 000 typo: 21 data characters") << "3WyOMyLejk2wiReWLQSGw=="
                                                           << "21 data characters";
        QTest::newRow("unpadded base64") << "h9RUd8MfBkKelc4BLxWG5Q"
                                         << "22 followed by";
        QTest::newRow("one padding char") << "h9RUd8MfBkKelc4BLxWG5Q="
                                          << "24 in all";
        QTest::newRow("non-canonical last char") << "h9RUd8MfBkKelc4BLxWG5R=="
                                                 << "canonical";
        QTest::newRow("short guid") << "7754d487-1fc3-4206-9e95-ce012f1586e"
                                    << "not a source anchor";
        QTest::newRow("15 hex octets") << "87 d4 54 77 c3 1f 06 42 9e 95 ce 01 2f 15 86"
                                       << "has 15 hex octets";
        QTest::newRow("17 hex octets") << "87d45477c31f06429e95ce012f1586e5aa"
                                       << "has 17 hex octets";
        QTest::newRow("half brace") << "{7754d487-1fc3-4206-9e95-ce012f1586e5"
                                    << "not a source anchor";
        QTest::newRow("ldap short") << "\\87\\d4\\54"
                                    << "not a source anchor";
        QTest::newRow("empty") << "  "
                               << "empty";
        QTest::newRow("upn") << "anna@contoso.com"
                             << "not a source anchor";
    }
    void rejects()
    {
        QFETCH(QString, input);
        QFETCH(QString, messagePart);
        QString error;
        QVERIFY(!ImmutableId::parse(input, &error));
        QVERIFY2(error.contains(messagePart, Qt::CaseInsensitive), qPrintable(error));
        // Every rejection tells the admin which forms are accepted.
        QVERIFY2(error.contains(u"h9RUd8MfBkKelc4BLxWG5Q=="), qPrintable(error));
    }

    void bytesRoundTrip()
    {
        QByteArray bytes;
        for (int i = 0; i < 16; ++i)
            bytes.append(char(0xf0 + i));
        const ImmutableId id = ImmutableId::fromBytes(bytes);
        QCOMPARE(id.bytes(), bytes);
        QCOMPARE(ImmutableId::parse(id.toGuid())->bytes(), bytes);
        QCOMPARE(ImmutableId::parse(id.toBase64())->bytes(), bytes);
        QVERIFY(ImmutableId::fromBytes(bytes.left(15)).isNull());
        QCOMPARE(ImmutableId::base64Of(bytes.left(15)), QString());
    }

    // The reconciler hashes and compares anchors through base64TextOf: it must be
    // base64Of, byte for byte, for every value of every byte.
    void base64TextIsBase64Of()
    {
        for (int seed = 0; seed < 4096; ++seed) {
            QByteArray bytes(16, '\0');
            for (int i = 0; i < 16; ++i)
                bytes[i] = char((seed * 37 + i * (seed | 1) * 11) & 0xff);
            bytes[seed % 16] = char(seed / 16);
            QCOMPARE(ImmutableId::base64TextOf(bytes).view().toString(),
                     ImmutableId::base64Of(bytes));
        }
        QVERIFY(ImmutableId::base64TextOf(QByteArray(15, 'x')).view().isEmpty());
        QVERIFY(ImmutableId::base64TextOf(QByteArray(17, 'x')).view().isEmpty());
        const QByteArray field =
            ImmutableId::parse(u"7754d487-1fc3-4206-9e95-ce012f1586e5")->bytes();
        QCOMPARE(ImmutableId::base64TextOf(field).view().toString(),
                 QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
    }
};

QTEST_GUILESS_MAIN(tst_ImmutableId)
#include "tst_immutableid.moc"
