// Unit tests of the offline sources: LdifReader, AdCsvReader, format/encoding detection and
// OnPremFileJob on real files. Table-driven; every malformed line must come back as a
// warning with its line number.
#include <adcsvreader.h>
#include <ldifreader.h>
#include <onpremfileformat.h>
#include <onpremfilejob.h>

#include <QBuffer>
#include <QSignalSpy>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(OnPremFileFormat::Kind)
Q_DECLARE_METATYPE(QStringConverter::Encoding)

namespace {

const char Guid[] = "7754d487-1fc3-4206-9e95-ce012f1586e5";
const char GuidB64[] = "h9RUd8MfBkKelc4BLxWG5Q==";
const char OtherB64[] = "5aJcQs/EGmEnv1f1eYUWdw==";

QByteArray utf16le(const QString &text, bool bom)
{
    QStringEncoder encoder(QStringConverter::Utf16LE, bom ? QStringConverter::Flag::WriteBom
                                                          : QStringConverter::Flag::Default);
    return encoder.encode(text);
}

struct Parsed
{
    QList<OnPremUser> users;
    QStringList warnings;
    QString error;
    OnPremFileFormat format;
};

Parsed parse(const QByteArray &bytes, const QString &name = QStringLiteral("export"))
{
    Parsed p;
    p.format = OnPremFileFormat::detect(bytes, name);
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QTextStream stream(&buffer);
    stream.setEncoding(p.format.encoding);
    if (p.format.kind == OnPremFileFormat::Kind::Ldif) {
        LdifReader reader(stream);
        LdifRecord record;
        while (reader.readRecord(&record)) {
            OnPremUser user;
            if (LdifReader::toUser(record, name, &user, &p.warnings))
                p.users << user;
        }
        p.warnings = reader.warnings() + p.warnings;
    } else if (p.format.kind == OnPremFileFormat::Kind::Csv) {
        AdCsvReader reader(stream);
        if (!reader.read(name, &p.users))
            p.error = reader.errorString();
        p.warnings = reader.warnings();
    } else {
        p.error = QStringLiteral("unknown format");
    }
    return p;
}

// Every expected fragment ("line 7:" …) must be in some warning, and no other warnings.
void checkWarnings(const QStringList &warnings, const QStringList &expected)
{
    for (const QString &part : expected) {
        bool found = false;
        for (const QString &w : warnings)
            found = found || w.contains(part);
        QVERIFY2(found, qPrintable(QStringLiteral("no warning with \"%1\" in: %2")
                                       .arg(part, warnings.join(QStringLiteral(" | ")))));
    }
    QVERIFY2(warnings.size() == expected.size(), qPrintable(warnings.join(QStringLiteral(" | "))));
}

} // namespace

class tst_OnPremReaders : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ldif_data();
    void ldif();
    void ldifDetails();
    void csv_data();
    void csv();
    void csvDetails();
    void csvFatal_data();
    void csvFatal();
    void splitProxyAddresses_data();
    void splitProxyAddresses();
    void detect_data();
    void detect();
    void fileJob_data();
    void fileJob();
};

void tst_OnPremReaders::ldif_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("users");
    QTest::addColumn<QString>("firstUpn");
    QTest::addColumn<QString>("firstAnchor");
    QTest::addColumn<QStringList>("firstProxies");
    QTest::addColumn<QStringList>("warnings");

    QTest::newRow("ldifde export")
        << QByteArray("dn: CN=Ann Lee,OU=Staff,DC=corp,DC=example\n"
                      "changetype: add\n"
                      "objectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"
                      "userPrincipalName: ann@corp.example\n"
                      "\n"
                      "dn: CN=Bob,OU=Staff,DC=corp,DC=example\n"
                      "changetype: add\n"
                      "objectGUID:: 5aJcQs/EGmEnv1f1eYUWdw==\n"
                      "userPrincipalName: bob@corp.example\n\n")
        << 2 << "ann@corp.example" << GuidB64 << QStringList() << QStringList();
    QTest::newRow("ldapsearch with comments, version, reference and trailer")
        << QByteArray(
               "# extended LDIF\n#\n# LDAPv3\n# base <DC=corp> with scope subtree\n"
               "# filter: (objectClass=user)\n# with pagedResults control: size=1000\n#\n\n"
               "version: 1\n\n"
               "# Ann, Staff, corp.example\n"
               "dn: CN=Ann,OU=Staff,DC=corp\n"
               "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
               "objectClass: user\n"
               "objectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"
               "proxyAddresses: SMTP:ann@corp.example\n"
               "proxyAddresses: smtp:a@alias.example\n"
               "proxyAddresses: SIP:ann@corp.example\n"
               "userPrincipalName: ann@corp.example\n\n"
               "# search reference\nref: ldap://corp.example/CN=Configuration,DC=corp\n\n"
               "# pagedresults: cookie=\n"
               "# search result\nsearch: 2\nresult: 0 Success\n"
               "control: 1.2.840.113556.1.4.319 false MA\n UCAQAEAA==\npagedresults: cookie=\n\n"
               "# numResponses: 3\n# numEntries: 1\n")
        << 1 << "ann@corp.example" << GuidB64
        << QStringList{"SMTP:ann@corp.example", "smtp:a@alias.example", "SIP:ann@corp.example"}
        << QStringList();
    QTest::newRow("folded lines")
        << QByteArray("# a comment that is\n  folded onto a second line\n"
                      "dn: CN=A very long name that ldifde folds,OU=Staff,DC=co\n"
                      " rp,DC=example\n"
                      "objectGUID:: h9RUd8MfBkKel\n c4BLxWG5Q==\n"
                      "proxyAddresses: SMTP:averylongaddress@corp.ex\n ample\n"
                      "userPrincipalName: long@\n corp.example\n")
        << 1 << "long@corp.example" << GuidB64 << QStringList{"SMTP:averylongaddress@corp.example"}
        << QStringList();
    QTest::newRow("CRLF line endings")
        << QByteArray(
               "version: 1\r\n\r\ndn: CN=Ann,DC=corp\r\nobjectGUID:: h9RUd8MfBkKelc4BLxWG5Q=="
               "\r\nuserPrincipalName: ann@corp.example\r\n\r\n")
        << 1 << "ann@corp.example" << GuidB64 << QStringList() << QStringList();
    QTest::newRow("consistency GUID wins the default rule")
        << QByteArray("dn: CN=Ann,DC=corp\nobjectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"
                      "mS-DS-ConsistencyGuid:: 5aJcQs/EGmEnv1f1eYUWdw==\n"
                      "userPrincipalName: ann@corp.example\n")
        << 1 << "ann@corp.example" << OtherB64 << QStringList() << QStringList();
    QTest::newRow("GUID written as text")
        << QByteArray("dn: CN=Ann,DC=corp\nobjectGUID: 7754d487-1fc3-4206-9e95-ce012f1586e5\n"
                      "userPrincipalName: ann@corp.example\n")
        << 1 << "ann@corp.example" << GuidB64 << QStringList() << QStringList();
    QTest::newRow("malformed lines reported with their numbers")
        << QByteArray("dn: CN=Ann,DC=corp\n"                     // 1
                      "objectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"  // 2
                      "this line has no colon\n"                 // 3
                      "mail:: ###notbase64###\n"                 // 4
                      "userPrincipalName: ann@corp.example\n"    // 5
                      "\n"                                       // 6
                      "dn: CN=Short,DC=corp\n"                   // 7
                      "objectGUID:: AAECAwQFBgcICQ==\n"          // 8
                      "userPrincipalName: short@corp.example\n"  // 9
                      "\n"                                       // 10
                      "dn: CN=Admins,DC=corp\n"                  // 11
                      "objectClass: group\n"                     // 12
                      "\n"                                       // 13
                      "dn: CN=Ann,DC=corp\n"                     // 14
                      "changetype: modify\n"                     // 15
                      "replace: mail\n"                          // 16
                      "mail: x@y\n"                              // 17
                      "-\n"                                      // 18
                      "\n"                                       // 19
                      "dn: CN=Pic,DC=corp\n"                     // 20
                      "jpegPhoto:< file:///tmp/a.jpg\n"          // 21
                      "userAccountControl: lots\n"               // 22
                      "sAMAccountName: pic\n"                    // 23
                      "\n"                                       // 24
                      "userPrincipalName: orphan@corp.example\n" // 25
                      "\n"                                       // 26
                      "search: 3\n"                              // 27
                      "result: 4 Size limit exceeded\n")         // 28
        << 3 << "ann@corp.example" << GuidB64 << QStringList()
        << QStringList{"line 3: not an LDIF line",
                       "line 4: the base64 value of \"mail\"",
                       "line 8: objectGUID of CN=Short,DC=corp is not a 16-byte GUID (10 bytes)",
                       "line 11: CN=Admins,DC=corp is not a user (objectClass group)",
                       "line 15: the entry CN=Ann,DC=corp is a change record",
                       "line 21: \"jpegPhoto\" refers to a file",
                       "line 22: userAccountControl of CN=Pic,DC=corp is not a number",
                       "line 25: \"userPrincipalName\" outside an entry",
                       "line 28: the export ends with the result \"4 Size limit exceeded\""};
    QTest::newRow("computer skipped with a warning")
        << QByteArray(
               "dn: CN=PC1,DC=corp\nobjectClass: user\nobjectClass: computer\n\n"
               "dn: CN=Ann,DC=corp\nobjectClass: user\nuserPrincipalName: ann@corp.example\n")
        << 1 << "ann@corp.example" << QString() << QStringList()
        << QStringList{"line 1: CN=PC1,DC=corp is not a user (objectClass user, computer)"};
    QTest::newRow("ldifde -l objectGuid,userPrincipalName of a whole domain")
        << QByteArray(
               "dn: DC=corp,DC=example\nchangetype: add\nobjectGUID:: 5aJcQs/EGmEnv1f1eYUWdw==\n\n"
               "dn: OU=Staff,DC=corp,DC=example\nchangetype: add\n"
               "objectGUID:: 5aJcQs/EGmEnv1f1eYUWdw==\n\n"
               "dn: CN=Ann,OU=Staff,DC=corp,DC=example\nchangetype: add\n"
               "objectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\nuserPrincipalName: ann@corp.example\n")
        << 1 << "ann@corp.example" << GuidB64 << QStringList()
        << QStringList{"line 1: DC=corp,DC=example has no objectClass",
                       "line 5: OU=Staff,DC=corp,DC=example has no objectClass"};
    QTest::newRow("empty input") << QByteArray() << 0 << QString() << QString() << QStringList()
                                 << QStringList();
}

void tst_OnPremReaders::ldif()
{
    QFETCH(QByteArray, input);
    QFETCH(int, users);
    QFETCH(QString, firstUpn);
    QFETCH(QString, firstAnchor);
    QFETCH(QStringList, firstProxies);
    QFETCH(QStringList, warnings);
    QBuffer buffer(&input);
    buffer.open(QIODevice::ReadOnly);
    QTextStream stream(&buffer);
    LdifReader reader(stream);
    LdifRecord record;
    QList<OnPremUser> read;
    QStringList userWarnings;
    while (reader.readRecord(&record)) {
        OnPremUser user;
        if (LdifReader::toUser(record, QStringLiteral("export.ldf"), &user, &userWarnings))
            read << user;
    }
    checkWarnings(reader.warnings() + userWarnings, warnings);
    QCOMPARE(read.size(), users);
    if (users == 0)
        return;
    QCOMPARE(read.first().upn, firstUpn);
    QCOMPARE(read.first().anchor(AnchorRule::ConsistencyGuidElseObjectGuid), firstAnchor);
    QCOMPARE(read.first().proxyAddresses, firstProxies);
    QCOMPARE(read.first().source, QStringLiteral("export.ldf"));
}

void tst_OnPremReaders::ldifDetails()
{
    const QByteArray input = "dn:: " + QString("CN=Zoë,OU=Staff,DC=corp").toUtf8().toBase64() +
                             "\n"
                             "displayName:: " +
                             QString("Zoë Ünïcode").toUtf8().toBase64() +
                             "\n"
                             "objectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"
                             "sAMAccountName: zoe\n"
                             "mail: zoe@corp.example\n"
                             "userAccountControl: 514\n";
    const Parsed p = parse(input);
    QCOMPARE(p.format.kind, OnPremFileFormat::Kind::Ldif);
    QCOMPARE(p.users.size(), 1);
    const OnPremUser &u = p.users.first();
    QCOMPARE(u.dn, QStringLiteral("CN=Zoë,OU=Staff,DC=corp"));
    QCOMPARE(u.displayName, QStringLiteral("Zoë Ünïcode"));
    QCOMPARE(u.samAccountName, QStringLiteral("zoe"));
    QCOMPARE(u.mail, QStringLiteral("zoe@corp.example"));
    QCOMPARE(u.objectGuid, QByteArray::fromBase64(GuidB64));
    QVERIFY(!u.enabled);
    QVERIFY(p.warnings.isEmpty());
}

void tst_OnPremReaders::csv_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("users");
    QTest::addColumn<QString>("firstUpn");
    QTest::addColumn<QString>("firstAnchor");
    QTest::addColumn<QStringList>("firstProxies");
    QTest::addColumn<bool>("firstEnabled");
    QTest::addColumn<QStringList>("warnings");

    const QString ps5 = QStringLiteral(
        "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n"
        "\"DistinguishedName\",\"Enabled\",\"ObjectGUID\",\"SamAccountName\","
        "\"UserPrincipalName\",\"mail\",\"proxyAddresses\"\r\n"
        "\"CN=Zoë,OU=Staff,DC=corp\",\"False\",\"7754d487-1fc3-4206-9e95-ce012f1586e5\",\"zoe\","
        "\"zoe@corp.example\",\"zoe@corp.example\",\"SMTP:zoe@corp.example "
        "smtp:z@alias.example\"\r\n");
    QTest::newRow("PowerShell 5, UTF-16 LE with BOM, #TYPE")
        << utf16le(ps5, true) << 1 << "zoe@corp.example" << GuidB64
        << QStringList{"SMTP:zoe@corp.example", "smtp:z@alias.example"} << false << QStringList();
    QTest::newRow("PowerShell 5, UTF-8 with BOM")
        << QByteArray("\xEF\xBB\xBF") + ps5.toUtf8() << 1 << "zoe@corp.example" << GuidB64
        << QStringList{"SMTP:zoe@corp.example", "smtp:z@alias.example"} << false << QStringList();
    QTest::newRow("PowerShell 7, UTF-8 without BOM, ImmutableID only")
        << QByteArray("\"UserPrincipalName\",\"ImmutableID\",\"Enabled\"\n"
                      "\"ann@corp.example\",\"h9RUd8MfBkKelc4BLxWG5Q==\",\"True\"\n"
                      "\"bob@corp.example\",\"5aJcQs/EGmEnv1f1eYUWdw==\",\"True\"\n")
        << 2 << "ann@corp.example" << GuidB64 << QStringList() << true << QStringList();
    QTest::newRow("ImmutableID differs from ObjectGUID: it is the consistency GUID")
        << QByteArray(
               "ObjectGUID,ImmutableID,UserPrincipalName\n"
               "7754d487-1fc3-4206-9e95-ce012f1586e5,5aJcQs/EGmEnv1f1eYUWdw==,ann@corp.example\n")
        << 1 << "ann@corp.example" << OtherB64 << QStringList() << true << QStringList();
    QTest::newRow("proxyAddresses joined with ; and a newline")
        << QByteArray("UserPrincipalName,proxyAddresses\n"
                      "ann@corp.example,\"SMTP:ann@corp.example;smtp:a@alias.example\n"
                      "X400:C=US;A= ;P=Corp;O=Exchange;S=Lee;G=Ann;\"\n")
        << 1 << "ann@corp.example" << QString()
        << QStringList{"SMTP:ann@corp.example", "smtp:a@alias.example",
                       "X400:C=US;A= ;P=Corp;O=Exchange;S=Lee;G=Ann"}
        << true << QStringList{"line 1: the file has no ObjectGUID or ImmutableID column"};
    QTest::newRow("userAccountControl instead of Enabled")
        << QByteArray("ObjectGUID,UserPrincipalName,userAccountControl\n"
                      "{7754d487-1fc3-4206-9e95-ce012f1586e5},ann@corp.example,514\n")
        << 1 << "ann@corp.example" << GuidB64 << QStringList() << false << QStringList();
    QTest::newRow("bad rows reported with their line numbers")
        << QByteArray("#TYPE Microsoft.ActiveDirectory.Management.ADUser\n"           // 1
                      "ObjectGUID,UserPrincipalName,Enabled,proxyAddresses\n"         // 2
                      "7754d487-1fc3-4206-9e95-ce012f1586e5,ann@corp.example,True,\n" // 3
                      "not-a-guid,bob@corp.example,True,\n"                           // 4
                      "5aJcQs/EGmEnv1f1eYUWdw==,carl@corp.example\n"                  // 5
                      ",,True,\n"                                                     // 6
                      "h9RUd8MfBkKelc4BLxWG5Q,dan@corp.example,maybe,"
                      "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\n" // 7
                      "\n")
        << 3 << "ann@corp.example" << GuidB64 << QStringList() << true
        << QStringList{"line 4: ObjectGUID \"not-a-guid\" is not a GUID",
                       "line 5: 2 cells where the header has 4",
                       "line 6: no anchor, UPN or address; the row is skipped",
                       "line 7: ObjectGUID \"h9RUd8MfBkKelc4BLxWG5Q\" is not a GUID",
                       "line 7: Enabled is \"maybe\"",
                       "line 7: proxyAddresses was exported as"};
}

void tst_OnPremReaders::csv()
{
    QFETCH(QByteArray, input);
    QFETCH(int, users);
    QFETCH(QString, firstUpn);
    QFETCH(QString, firstAnchor);
    QFETCH(QStringList, firstProxies);
    QFETCH(bool, firstEnabled);
    QFETCH(QStringList, warnings);
    const Parsed p = parse(input, QStringLiteral("users.csv"));
    QCOMPARE(p.format.kind, OnPremFileFormat::Kind::Csv);
    QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
    checkWarnings(p.warnings, warnings);
    QCOMPARE(p.users.size(), users);
    QCOMPARE(p.users.first().upn, firstUpn);
    QCOMPARE(p.users.first().anchor(AnchorRule::ConsistencyGuidElseObjectGuid), firstAnchor);
    QCOMPARE(p.users.first().proxyAddresses, firstProxies);
    QCOMPARE(p.users.first().enabled, firstEnabled);
    QCOMPARE(p.users.first().source, QStringLiteral("users.csv"));
}

void tst_OnPremReaders::csvDetails()
{
    const QString text = QStringLiteral(
        "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n"
        "\"DistinguishedName\",\"Enabled\",\"ObjectGUID\",\"SamAccountName\",\"Name\","
        "\"UserPrincipalName\",\"mail\",\"proxyAddresses\"\r\n"
        "\"CN=Zoë Ünïcode,OU=Staff,DC=corp\",\"True\",\"7754d487-1fc3-4206-9e95-ce012f1586e5\","
        "\"zoe\",\"Zoë Ünïcode\",\"zoe@corp.example\",\"zoe@corp.example\","
        "\"{SMTP:zoe@corp.example, smtp:z@alias.example}\"\r\n");
    const Parsed p = parse(utf16le(text, true), QStringLiteral("users.txt"));
    QCOMPARE(p.format.encoding, QStringConverter::Utf16LE);
    QCOMPARE(p.users.size(), 1);
    const OnPremUser &u = p.users.first();
    QCOMPARE(u.dn, QStringLiteral("CN=Zoë Ünïcode,OU=Staff,DC=corp"));
    QCOMPARE(u.displayName, QStringLiteral("Zoë Ünïcode"));
    QCOMPARE(u.samAccountName, QStringLiteral("zoe"));
    QCOMPARE(u.mail, QStringLiteral("zoe@corp.example"));
    QCOMPARE(u.proxyAddresses, (QStringList{"SMTP:zoe@corp.example", "smtp:z@alias.example"}));
    QCOMPARE(u.primarySmtp(), QStringLiteral("zoe@corp.example"));
    QCOMPARE(u.objectGuid, QByteArray::fromBase64(GuidB64));
    QVERIFY(u.consistencyGuid.isEmpty());
}

void tst_OnPremReaders::csvFatal_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("unclosed quote") << QByteArray("ObjectGUID,UserPrincipalName\n"
                                                  "7754d487-1fc3-4206-9e95-ce012f1586e5,\"ann\n")
                                    << "line 2, column 38";
    QTest::newRow("no known column")
        << QByteArray("Foo,Bar\n1,2\n") << "line 1: none of the columns";
    QTest::newRow("only #TYPE") << QByteArray("#TYPE Microsoft.ActiveDirectory.Management.ADUser\n")
                                << "no header row";
}

void tst_OnPremReaders::csvFatal()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    const Parsed p = parse(input, QStringLiteral("users.csv"));
    QVERIFY2(p.error.contains(error), qPrintable(p.error));
}

void tst_OnPremReaders::splitProxyAddresses_data()
{
    QTest::addColumn<QString>("cell");
    QTest::addColumn<QStringList>("addresses");
    const QStringList two{"SMTP:a@x.example", "smtp:b@y.example"};
    QTest::newRow("space") << "SMTP:a@x.example smtp:b@y.example" << two;
    QTest::newRow("semicolon") << "SMTP:a@x.example;smtp:b@y.example" << two;
    QTest::newRow("comma and space") << "SMTP:a@x.example, smtp:b@y.example" << two;
    QTest::newRow("pipe") << "SMTP:a@x.example|smtp:b@y.example" << two;
    QTest::newRow("newline") << "SMTP:a@x.example\nsmtp:b@y.example" << two;
    QTest::newRow("braces") << "{SMTP:a@x.example, smtp:b@y.example}" << two;
    QTest::newRow("one") << "SMTP:a@x.example" << QStringList{"SMTP:a@x.example"};
    QTest::newRow("X400 keeps its ; and spaces")
        << "X400:C=US;A= ;P=Corp;O=Exchange;S=Lee; SMTP:a@x.example"
        << QStringList{"X400:C=US;A= ;P=Corp;O=Exchange;S=Lee", "SMTP:a@x.example"};
    QTest::newRow("empty") << "" << QStringList();
}

void tst_OnPremReaders::splitProxyAddresses()
{
    QFETCH(QString, cell);
    QFETCH(QStringList, addresses);
    QCOMPARE(AdCsvReader::splitProxyAddresses(cell), addresses);
}

void tst_OnPremReaders::detect_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<OnPremFileFormat::Kind>("kind");
    QTest::addColumn<QStringConverter::Encoding>("encoding");
    using K = OnPremFileFormat::Kind;
    using E = QStringConverter::Encoding;
    QTest::newRow("ldifde .txt") << QByteArray("dn: CN=A,DC=corp\nchangetype: add\n")
                                 << "export.txt" << K::Ldif << E::Utf8;
    QTest::newRow("LDIF named .csv")
        << QByteArray("\ndn: CN=A,DC=corp\n") << "users.csv" << K::Ldif << E::Utf8;
    QTest::newRow("ldapsearch comments")
        << QByteArray("# extended LDIF\n#\n") << "out" << K::Ldif << E::Utf8;
    QTest::newRow("version first") << QByteArray("version: 1\n") << "x" << K::Ldif << E::Utf8;
    QTest::newRow("#TYPE") << QByteArray("#TYPE Microsoft.ActiveDirectory.Management.ADUser\n")
                           << "x.ldf" << K::Csv << E::Utf8;
    QTest::newRow("quoted header")
        << QByteArray("\"DistinguishedName\",\"Enabled\"\n") << "x" << K::Csv << E::Utf8;
    QTest::newRow("UTF-8 BOM") << QByteArray("\xEF\xBB\xBFObjectGUID,UserPrincipalName\n") << "x"
                               << K::Csv << E::Utf8;
    QTest::newRow("UTF-16 LE BOM")
        << utf16le(QStringLiteral("#TYPE X\r\n"), true) << "x" << K::Csv << E::Utf16LE;
    QTest::newRow("UTF-16 LE without BOM")
        << utf16le(QStringLiteral("dn: CN=A,DC=b\r\n"), false) << "x" << K::Ldif << E::Utf16LE;
    QTest::newRow("one column, by extension")
        << QByteArray("UserPrincipalName\n") << "u.csv" << K::Csv << E::Utf8;
    QTest::newRow("unknown") << QByteArray("hello world\n") << "notes.txt" << K::Unknown << E::Utf8;
}

void tst_OnPremReaders::detect()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, fileName);
    QFETCH(OnPremFileFormat::Kind, kind);
    QFETCH(QStringConverter::Encoding, encoding);
    const OnPremFileFormat f = OnPremFileFormat::detect(head, fileName);
    QCOMPARE(f.kind, kind);
    QCOMPARE(f.encoding, encoding);
}

void tst_OnPremReaders::fileJob_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content"); // empty = the file does not exist
    QTest::addColumn<int>("error");
    QTest::addColumn<int>("users");
    QTest::addColumn<int>("warnings");
    QTest::newRow("ldifde export.txt")
        << "export.txt"
        << QByteArray("dn: CN=Ann,DC=corp\nchangetype: add\nobjectGUID:: h9RUd8MfBkKelc4BLxWG5Q==\n"
                      "userPrincipalName: ann@corp.example\n\nbroken line\n")
        << int(Job::NoError) << 1 << 1;
    QTest::newRow("UTF-16 CSV") << "users.csv"
                                << utf16le(QStringLiteral("#TYPE X\r\nObjectGUID,UserPrincipalName"
                                                          "\r\n%1,ann@corp.example\r\n")
                                               .arg(QLatin1String(Guid)),
                                           true)
                                << int(Job::NoError) << 1 << 0;
    QTest::newRow("missing file") << "missing.ldf" << QByteArray() << int(OnPremFileJob::CannotRead)
                                  << 0 << 0;
    QTest::newRow("not an export") << "notes.txt" << QByteArray("hello world\n")
                                   << int(OnPremFileJob::UnknownFormat) << 0 << 0;
    QTest::newRow("broken CSV") << "users.csv" << QByteArray("ObjectGUID,UserPrincipalName\n\"x\n")
                                << int(OnPremFileJob::BadFile) << 0 << 0;
    QTest::newRow("no users") << "groups.ldf"
                              << QByteArray("dn: CN=G,DC=corp\nobjectClass: group\n")
                              << int(OnPremFileJob::NoUsers) << 0 << 1;
}

void tst_OnPremReaders::fileJob()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(int, error);
    QFETCH(int, users);
    QFETCH(int, warnings);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(fileName);
    if (!content.isEmpty()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    OnPremFileJob job(path);
    job.setAutoDelete(false);
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    QVERIFY(finished.wait(30000));
    QCOMPARE(job.error(), error);
    QCOMPARE(job.users().size(), users);
    QCOMPARE(job.warnings().size(), warnings);
    if (error != Job::NoError)
        QVERIFY(job.errorString().contains(path));
    else
        QCOMPARE(job.users().first().source, fileName);
}

QTEST_GUILESS_MAIN(tst_OnPremReaders)
#include "tst_onpremreaders.moc"
