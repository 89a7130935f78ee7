#include "adcommand.h"

#include <QStringList>

QString AdCommand::psLiteral(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'\'';
    for (const QChar c : text) {
        if (c == u'\'' || c == QChar(0x2018) || c == QChar(0x2019) || c == QChar(0x201A) ||
            c == QChar(0x201B))
            out += c;
        out += c;
    }
    out += u'\'';
    return out;
}

QString AdCommand::setAdUser(const QString &dn, const QByteArray &value)
{
    const QString attribute = QString::fromLatin1(ConsistencyGuidAttribute);
    if (value.isEmpty())
        return QStringLiteral("Set-ADUser -Identity %1 -Clear %2")
            .arg(psLiteral(dn), psLiteral(attribute));
    QStringList bytes;
    for (const char b : value)
        bytes << QStringLiteral("0x%1").arg(uint(uchar(b)), 2, 16, QLatin1Char('0'));
    return QStringLiteral("Set-ADUser -Identity %1 -Replace @{%2 = [byte[]](%3)}")
        .arg(psLiteral(dn), psLiteral(attribute), bytes.join(u','));
}

QString AdCommand::ldif(const QString &dn, const QByteArray &value)
{
    const QString attribute = QString::fromLatin1(ConsistencyGuidAttribute);
    bool safe = !dn.isEmpty() && dn.at(0) != u' ' && dn.at(0) != u':' && dn.at(0) != u'<';
    for (const QChar c : dn)
        safe = safe && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    QString text =
        safe ? QStringLiteral("dn: %1\n").arg(dn)
             : QStringLiteral("dn:: %1\n").arg(QString::fromLatin1(dn.toUtf8().toBase64()));
    text += QStringLiteral("changetype: modify\n");
    if (value.isEmpty())
        text += QStringLiteral("delete: %1\n-").arg(attribute);
    else
        text += QStringLiteral("replace: %1\n%1:: %2\n-")
                    .arg(attribute, QString::fromLatin1(value.toBase64()));
    return text;
}
