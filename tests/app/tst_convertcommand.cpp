// `anchorfix convert` as a user runs it: the real binary, its output and exit codes.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run anchorfix(const QStringList &args, bool withDisplay = true)
{
    QProcess process;
    if (!withDisplay) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        process.setProcessEnvironment(env);
    }
    process.start(QStringLiteral(ANCHORFIX_BINARY), args);
    process.waitForFinished(30'000);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class tst_ConvertCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void printsEveryForm_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("guid") << "7754d487-1fc3-4206-9e95-ce012f1586e5";
        QTest::newRow("base64") << "h9RUd8MfBkKelc4BLxWG5Q==";
        QTest::newRow("hex") << "87 d4 54 77 c3 1f 06 42 9e 95 ce 01 2f 15 86 e5";
        QTest::newRow("ldap") << "\\87\\d4\\54\\77\\c3\\1f\\06\\42\\9e\\95\\ce\\01\\2f\\15\\86\\e5";
    }
    void printsEveryForm()
    {
        QFETCH(QString, value);
        const Run run = anchorfix({QStringLiteral("convert"), value});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(u"7754d487-1fc3-4206-9e95-ce012f1586e5"));
        QVERIFY(run.out.contains(u"h9RUd8MfBkKelc4BLxWG5Q=="));
        QVERIFY(run.out.contains(u"87 d4 54 77 c3 1f 06 42 9e 95 ce 01 2f 15 86 e5"));
        QVERIFY(run.out.contains(u"\\87\\d4\\54\\77"));
        QVERIFY(run.err.isEmpty());
    }

    void printsJson()
    {
        const Run run = anchorfix({QStringLiteral("convert"), QStringLiteral("--json"),
                                   QStringLiteral("8c4ac332-975f-4717-ad7b-ba4a4e968fff")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value(u"immutableId").toString(), QStringLiteral("MsNKjF+XF0ete7pKTpaP/w=="));
        QCOMPARE(json.value(u"guid").toString(),
                 QStringLiteral("8c4ac332-975f-4717-ad7b-ba4a4e968fff"));
    }

    void badInputIsAUsageError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("seed 000 typo")
            << QStringList{"convert", "3WyOMyLejk2wiReWLQSGw=="} << "21 data characters";
        QTest::newRow("no value") << QStringList{"convert"} << "exactly one VALUE";
        QTest::newRow("two values") << QStringList{"convert", "a", "b"} << "exactly one VALUE";
    }
    void badInputIsAUsageError()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, messagePart);
        const Run run = anchorfix(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(messagePart), qPrintable(run.err));
    }

    // A headless server has no display: help, version and typos must still be answered.
    void helpAndVersionNeedNoDisplay_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("outPart");
        QTest::newRow("--help") << QStringList{"--help"} << 0 << "Subcommands: convert";
        QTest::newRow("--version") << QStringList{"--version"} << 0 << "anchorfix 0.";
        QTest::newRow("convert --help") << QStringList{"convert", "--help"} << 0 << "VALUE";
        QTest::newRow("unknown subcommand") << QStringList{"convrt"} << 2 << QString();
    }
    void helpAndVersionNeedNoDisplay()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, outPart);
        const Run run = anchorfix(args, false);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.out.contains(outPart), qPrintable(run.out + run.err));
        if (exitCode == 2)
            QVERIFY(run.err.contains(u"Unknown command: convrt"));
    }
};

QTEST_GUILESS_MAIN(tst_ConvertCommand)
#include "tst_convertcommand.moc"
