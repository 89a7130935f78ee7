// AdCommand: the PowerShell and LDIF an admin sees for an on-prem change (dry run, details
// pane, rollback.ps1). A DN must never break out of its literal.
#include "adcommand.h"
#include "immutableid.h"

#include <QTest>

class tst_AdCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void setAdUser_data()
    {
        QTest::addColumn<QString>("dn");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("expected");
        const QByteArray golden = ImmutableId::parse(u"h9RUd8MfBkKelc4BLxWG5Q==")->bytes();
        QTest::newRow("replace with the golden vector")
            << "CN=Anna,OU=Staff,DC=corp,DC=example" << golden
            << "Set-ADUser -Identity 'CN=Anna,OU=Staff,DC=corp,DC=example' -Replace "
               "@{'mS-DS-ConsistencyGuid' = [byte[]](0x87,0xd4,0x54,0x77,0xc3,0x1f,0x06,0x42,"
               "0x9e,0x95,0xce,0x01,0x2f,0x15,0x86,0xe5)}";
        QTest::newRow("clear") << "CN=Anna,DC=corp" << QByteArray()
                               << "Set-ADUser -Identity 'CN=Anna,DC=corp' -Clear "
                                  "'mS-DS-ConsistencyGuid'";
        QTest::newRow("quote in the DN is doubled")
            << "CN=O'Brien,DC=corp" << QByteArray()
            << "Set-ADUser -Identity 'CN=O''Brien,DC=corp' -Clear 'mS-DS-ConsistencyGuid'";
        QTest::newRow("typographic quote is doubled too")
            << QString::fromUtf8("CN=O\u2019Brien'; Remove-ADUser x; '") << QByteArray()
            << QString::fromUtf8("Set-ADUser -Identity 'CN=O\u2019\u2019Brien''; Remove-ADUser "
                                 "x; ''' -Clear 'mS-DS-ConsistencyGuid'");
        QTest::newRow("$ and backtick stay literal")
            << "CN=$(calc) `n,DC=corp" << QByteArray()
            << "Set-ADUser -Identity 'CN=$(calc) `n,DC=corp' -Clear 'mS-DS-ConsistencyGuid'";
    }
    void setAdUser()
    {
        QFETCH(QString, dn);
        QFETCH(QByteArray, value);
        QFETCH(QString, expected);
        QCOMPARE(AdCommand::setAdUser(dn, value), expected);
    }

    void ldif_data()
    {
        QTest::addColumn<QString>("dn");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("expected");
        const QByteArray golden = ImmutableId::parse(u"h9RUd8MfBkKelc4BLxWG5Q==")->bytes();
        QTest::newRow("replace") << "CN=Anna,DC=corp" << golden
                                 << "dn: CN=Anna,DC=corp\nchangetype: modify\n"
                                    "replace: mS-DS-ConsistencyGuid\n"
                                    "mS-DS-ConsistencyGuid:: h9RUd8MfBkKelc4BLxWG5Q==\n-";
        QTest::newRow("delete") << "CN=Anna,DC=corp" << QByteArray()
                                << "dn: CN=Anna,DC=corp\nchangetype: modify\n"
                                   "delete: mS-DS-ConsistencyGuid\n-";
        QTest::newRow("non-ASCII DN is base64")
            << QString::fromUtf8("CN=Zoë,DC=corp") << QByteArray()
            << "dn:: " + QString::fromLatin1(QByteArray("CN=Zo\xc3\xab,DC=corp").toBase64()) +
                   "\nchangetype: modify\ndelete: mS-DS-ConsistencyGuid\n-";
        QTest::newRow("newline in a DN cannot add a line")
            << "CN=x\nchangetype: delete" << QByteArray()
            << "dn:: " + QString::fromLatin1(QByteArray("CN=x\nchangetype: delete").toBase64()) +
                   "\nchangetype: modify\ndelete: mS-DS-ConsistencyGuid\n-";
    }
    void ldif()
    {
        QFETCH(QString, dn);
        QFETCH(QByteArray, value);
        QFETCH(QString, expected);
        QCOMPARE(AdCommand::ldif(dn, value), expected);
    }
};

QTEST_GUILESS_MAIN(tst_AdCommand)
#include "tst_adcommand.moc"
