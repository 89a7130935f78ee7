#include "rollbackscript.h"

#include <QRegularExpression>
#include <QTest>

namespace {

// The parts of PowerShell's tokenizer that decide what runs (about_Quoting_Rules,
// about_Comments, about_Special_Characters): single quotes are ' and the typographic
// ‘ ’ ‚ ‛ (doubled inside a literal, no escapes); double quotes " “ ” „ open an
// expandable string; ` escapes; # starts a comment up to the end of the line; <# opens a
// block comment. Lines end at CR or LF; NEL and U+2028/U+2029 count as line ends too
// (editors show them so), which is stricter than PowerShell.
bool isSingleQuote(QChar c)
{
    return c == u'\'' || c == QChar(0x2018) || c == QChar(0x2019) || c == QChar(0x201A) ||
           c == QChar(0x201B);
}
bool isDoubleQuote(QChar c)
{
    return c == u'"' || c == QChar(0x201C) || c == QChar(0x201D) || c == QChar(0x201E);
}
bool isLineEnd(QChar c)
{
    return c == u'\n' || c == u'\r' || c == QChar(0x85) || c == QChar(0x2028) || c == QChar(0x2029);
}

struct Tokens
{
    QStringList codeLines; // each line, comments removed, every literal as '…'
    QStringList literals;  // every single-quoted literal, unquoted
    QString problem;       // the first rule broken; empty if none
};

Tokens tokenize(const QString &script)
{
    Tokens t;
    QString line;
    for (qsizetype i = 0; i < script.size(); ++i) {
        const QChar c = script.at(i);
        if (isLineEnd(c)) {
            t.codeLines.append(line);
            line.clear();
            continue;
        }
        if (c == u'#') {
            if (line.endsWith(u'<')) {
                t.problem = QStringLiteral("block comment: ") + line;
                return t;
            }
            while (i + 1 < script.size() && !isLineEnd(script.at(i + 1)))
                ++i;
            continue;
        }
        if (isDoubleQuote(c)) {
            t.problem = QStringLiteral("double-quoted string: ") + line;
            return t;
        }
        if (c == u'`') {
            t.problem = QStringLiteral("backtick in code: ") + line;
            return t;
        }
        if (isSingleQuote(c)) {
            QString value;
            qsizetype j = i + 1;
            for (;; ++j) {
                if (j >= script.size()) {
                    t.problem = QStringLiteral("literal never closed: ") + line;
                    return t;
                }
                const QChar d = script.at(j);
                if (isLineEnd(d)) {
                    t.problem = QStringLiteral("literal spans lines: ") + line;
                    return t;
                }
                if (isSingleQuote(d)) {
                    if (j + 1 < script.size() && isSingleQuote(script.at(j + 1))) {
                        value += d;
                        ++j;
                        continue;
                    }
                    break;
                }
                value += d;
            }
            t.literals.append(value);
            line += QStringLiteral("'…'");
            i = j;
            continue;
        }
        line += c;
    }
    if (!line.isEmpty())
        t.codeLines.append(line);
    return t;
}

// Whether a line of code is one the generator writes, with every value (a literal, $null,
// [char]0x…, or a parenthesised sum of them) folded to V.
bool isGeneratedLine(QString code)
{
    static const QRegularExpression atom(QStringLiteral(R"('…'|\$null\b|\[char\]0x[0-9a-f]{4})"));
    static const QRegularExpression sum(QStringLiteral(R"(\(V( \+ V)+\))"));
    code.replace(atom, QStringLiteral("V"));
    for (QString before; before != code;) {
        before = code;
        code.replace(sum, QStringLiteral("V"));
    }
    static const QStringList generated = {
        QString(),
        QStringLiteral("$ErrorActionPreference = V"),
        QStringLiteral("Connect-MgGraph -TenantId V -Scopes V -NoWelcome"),
        QStringLiteral("function Get-AnchorfixUser($Id) {"),
        QStringLiteral("    Invoke-MgGraphRequest -Method GET -Uri (V + $Id + V)"),
        QStringLiteral("}"),
        QStringLiteral("} else {"),
        QStringLiteral("$u = Get-AnchorfixUser V"),
        QStringLiteral("if ($u.onPremisesImmutableId -eq V) {"),
        QStringLiteral("if ($u.userPrincipalName -ne V) {"),
        QStringLiteral("    Invoke-MgGraphRequest -Method PATCH -Uri V -ContentType V -Body (@{ "
                       "onPremisesImmutableId = V } | ConvertTo-Json)"),
        QStringLiteral("    Invoke-MgGraphRequest -Method PATCH -Uri V -ContentType V -Body (@{ "
                       "userPrincipalName = V } | ConvertTo-Json)"),
        QStringLiteral("    Write-Warning V"),
        QStringLiteral("Write-Host V"),
    };
    return generated.contains(code);
}

bool isControl(QChar c)
{
    return c.unicode() < 0x20 || c == QChar(0x85) || c == QChar(0x2028) || c == QChar(0x2029);
}

} // namespace

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

    void scriptSaysAnIdentifierClearCannotBeUndone()
    {
        RollbackScriptStep clear;
        clear.kind = RollbackScriptStep::Kind::ObjectIdentifierNotUndoable;
        clear.cloudId = QStringLiteral("id-7");
        clear.cloudUpn = QStringLiteral("carol@contoso.com");
        const QString script =
            RollbackScript::render(QStringLiteral("https://graph.microsoft.com"),
                                   QStringLiteral("tenant-1"), QStringLiteral("run-9"), {clear});
        QVERIFY2(script.contains(u"# id-7 (carol@contoso.com): onPremisesObjectIdentifier "
                                 u"cleared by Anchorfix."),
                 qPrintable(script));
        QVERIFY(script.contains(u"NOT reversible"));
        // A comment only: nothing is sent for it.
        QVERIFY(!script.contains(u"onPremisesObjectIdentifier ="));
        QVERIFY(!script.contains(u"/beta/"));
        QCOMPARE(
            RollbackScript::clearObjectIdentifierCommand(
                QStringLiteral("https://graph.microsoft.com/"), QStringLiteral("id-7")),
            QStringLiteral("Invoke-MgGraphRequest -Method PATCH -Uri "
                           "'https://graph.microsoft.com/beta/users/id-7' -ContentType "
                           "'application/json' -Body '{\"onPremisesObjectIdentifier\":null}'"));
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

    // Values from the tenant that try to break out of the script's literals and comments.
    void hostileValuesStayLiterals_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("newline and subexpression")
            << QStringLiteral("x\n$(Remove-MgUser -UserId evil)\n#");
        QTest::newRow("CR") << QStringLiteral("x\rRemove-MgUser evil");
        QTest::newRow("CRLF then quote") << QStringLiteral("x'\r\nRemove-MgUser evil; '");
        QTest::newRow("quote closes") << QStringLiteral("x'; Remove-MgUser evil; '");
        QTest::newRow("smart quotes")
            << QStringLiteral("x\u2019; Remove-MgUser evil; \u2018x\u201A\u201B");
        QTest::newRow("double quotes")
            << QStringLiteral("\"$(Remove-MgUser evil)\"\u201C$(Remove-MgUser evil)\u201D");
        QTest::newRow("backtick") << QStringLiteral("x`n`$(Remove-MgUser evil)`");
        QTest::newRow("NEL") << QStringLiteral("x\u0085Remove-MgUser evil");
        QTest::newRow("line separators") << QStringLiteral("x\u2028Remove-MgUser evil\u2029y");
        QTest::newRow("starts with a line break") << QStringLiteral("\nRemove-MgUser evil");
        QTest::newRow("block comment") << QStringLiteral("<#\n#>Remove-MgUser evil");
        QTest::newRow("path traversal") << QStringLiteral("../../directory/deletedItems/x?a=b");
    }
    void hostileValuesStayLiterals()
    {
        QFETCH(QString, value);
        RollbackScriptStep stamp;
        stamp.kind = RollbackScriptStep::Kind::RestoreImmutableId;
        stamp.cloudId = value;
        stamp.cloudUpn = value;
        stamp.value = value;
        stamp.wroteValue = value;
        RollbackScriptStep upn;
        upn.kind = RollbackScriptStep::Kind::RestoreUpn;
        upn.cloudId = value;
        upn.cloudUpn = value;
        upn.value = value;
        RollbackScriptStep purge;
        purge.kind = RollbackScriptStep::Kind::PurgeNotUndoable;
        purge.cloudId = value;
        purge.wroteValue = value;
        const QString script =
            RollbackScript::render(QStringLiteral("https://graph.microsoft.com"), value,
                                   QStringLiteral("run-1"), {stamp, upn, purge});
        const Tokens t = tokenize(script);
        QVERIFY2(t.problem.isEmpty(), qPrintable(t.problem + u"\n---\n" + script));
        for (const QString &code : t.codeLines)
            QVERIFY2(isGeneratedLine(code),
                     qPrintable(u"not a generated line: " + code + u"\n---\n" + script));
        // The value reaches PowerShell unchanged: as one literal, or as the literals of a
        // sum whose line breaks are [char] codes.
        QString printable = value;
        printable.removeIf(isControl);
        QVERIFY2(t.literals.join(QString()).contains(printable), qPrintable(script));
        // An id is one URI path segment: it cannot point the request at another resource.
        QVERIFY(!script.contains(u"/v1.0/users/../"));
    }

    void literalRebuildsTheValue_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "abc"
                               << "'abc'";
        QTest::newRow("newline inside") << "a\nb"
                                        << "('a' + [char]0x000a + 'b')";
        QTest::newRow("newline first") << "\nb"
                                       << "('' + [char]0x000a + 'b')";
        QTest::newRow("line separator and quote")
            << QStringLiteral("a\u2028'") << QStringLiteral("('a' + [char]0x2028 + '''')");
    }
    void literalRebuildsTheValue()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(RollbackScript::literal(value), expected);
    }
};

QTEST_GUILESS_MAIN(tst_RollbackScript)
#include "tst_rollbackscript.moc"
