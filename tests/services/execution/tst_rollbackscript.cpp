#include "rollbackscript.h"

#include <QTest>

class tst_RollbackScript : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void quotesForPowerShell_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("quoted");
        QTest::newRow("plain") << "abc"
                               << "'abc'";
        QTest::newRow("apostrophe") << "o'neil@contoso.com"
                                    << "'o''neil@contoso.com'";
        QTest::newRow("typographic quote")
            << QStringLiteral("o\u2019neil") << QStringLiteral("'o\u2019\u2019neil'");
        QTest::newRow("dollar stays literal") << "$x"
                                              << "'$x'";
    }
    void quotesForPowerShell()
    {
        QFETCH(QString, text);
        QFETCH(QString, quoted);
        QCOMPARE(RollbackScript::quote(text), quoted);
    }

    void commands_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("restore a value")
            << "h9RUd8MfBkKelc4BLxWG5Q=="
            << "Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.us/v1.0/users/"
               "id-1' -ContentType 'application/json' -Body (@{ onPremisesImmutableId = "
               "'h9RUd8MfBkKelc4BLxWG5Q==' } | ConvertTo-Json)";
        QTest::newRow("clear sends null")
            << ""
            << "Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.us/v1.0/users/"
               "id-1' -ContentType 'application/json' -Body (@{ onPremisesImmutableId = $null } "
               "| ConvertTo-Json)";
    }
    void commands()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(RollbackScript::patchImmutableIdCommand(
                     QStringLiteral("https://graph.microsoft.us/"), QStringLiteral("id-1"), value),
                 expected);
    }

    void scriptSaysAPurgeCannotBeUndone()
    {
        RollbackScriptStep purge;
        purge.kind = RollbackScriptStep::Kind::PurgeNotUndoable;
        purge.cloudId = QStringLiteral("deleted-1");
        RollbackScriptStep stamp;
        stamp.kind = RollbackScriptStep::Kind::RestoreImmutableId;
        stamp.cloudId = QStringLiteral("id-1");
        stamp.wroteValue = QStringLiteral("NEW==");
        RollbackScriptStep upn;
        upn.kind = RollbackScriptStep::Kind::RestoreUpn;
        upn.cloudId = QStringLiteral("id-2");
        upn.value = QStringLiteral("b@fed.example");
        const QString script = RollbackScript::render(QStringLiteral("https://graph.microsoft.com"),
                                                      QStringLiteral("tenant-1"),
                                                      QStringLiteral("run-9"), {stamp, upn, purge});
        QVERIFY(script.contains(u"CANNOT be undone"));
        QVERIFY(script.contains(u"onPremisesImmutableId = $null"));
        QVERIFY(script.contains(u"if ($u.onPremisesImmutableId -eq 'NEW==')"));
        QVERIFY(script.contains(u"userPrincipalName = 'b@fed.example'"));
        QVERIFY(script.contains(u"Connect-MgGraph -TenantId 'tenant-1'"));
        QVERIFY(!script.contains(u"Update-MgUser -"));
        QVERIFY(script.indexOf(u"id-1") < script.indexOf(u"id-2"));
    }

    void pathBesideTheCsv_data()
    {
        QTest::addColumn<QString>("csv");
        QTest::addColumn<QString>("ps1");
        QTest::newRow("csv") << "/tmp/x/rollback.csv"
                             << "/tmp/x/rollback.ps1";
        QTest::newRow("no extension") << "/tmp/x/undo"
                                      << "/tmp/x/undo.ps1";
    }
    void pathBesideTheCsv()
    {
        QFETCH(QString, csv);
        QFETCH(QString, ps1);
        QCOMPARE(RollbackScript::pathFor(csv), ps1);
    }
};

QTEST_GUILESS_MAIN(tst_RollbackScript)
#include "tst_rollbackscript.moc"
