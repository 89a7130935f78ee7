#include "ldifreader.h"

#include <immutableid.h>

#include <QCoreApplication>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LdifReader", text);
}

QStringView baseName(QStringView attribute)
{
    const qsizetype semicolon = attribute.indexOf(u';');
    return semicolon < 0 ? attribute : attribute.left(semicolon);
}

bool isName(QStringView name, const char *wanted)
{
    return baseName(name).compare(QLatin1String(wanted), Qt::CaseInsensitive) == 0;
}

// objectGUID / mS-DS-ConsistencyGuid: raw bytes (base64 in LDIF), or a GUID/base64 string.
QByteArray anchorBytes(const LdifAttribute &a, const QString &dn, QStringList *warnings)
{
    if (a.wasBase64 && a.value.size() == 16)
        return a.value;
    QString error;
    const auto id = ImmutableId::parse(QString::fromUtf8(a.value).trimmed(), &error);
    if (id && !id->isNull())
        return id->bytes();
    *warnings << tr("line %1: %2 of %3 is not a 16-byte GUID (%4 bytes); it is ignored. %5")
                     .arg(a.line)
                     .arg(a.name, dn)
                     .arg(a.value.size())
                     .arg(error);
    return {};
}

// What ldapsearch prints around entries: "version: 1", and per search result "search: 2",
// "result: 0 Success", "text:", "matchedDN:", "ref:", "control: …", "pagedresults: cookie=".
bool isLdapsearchTrailer(QStringView name)
{
    for (const char *trailer :
         {"version", "search", "result", "text", "matchedDN", "ref", "control", "pagedresults"})
        if (isName(name, trailer))
            return true;
    return false;
}

} // namespace

QList<const LdifAttribute *> LdifRecord::values(QStringView name) const
{
    QList<const LdifAttribute *> out;
    for (const LdifAttribute &a : attributes)
        if (baseName(a.name).compare(name, Qt::CaseInsensitive) == 0)
            out << &a;
    return out;
}

void LdifReader::warn(int line, const QString &text)
{
    m_warnings << tr("line %1: %2").arg(line).arg(text);
}

bool LdifReader::readPhysicalLine(QString *line, int *lineNo)
{
    if (m_hasLookahead) {
        *line = m_lookahead;
        *lineNo = m_lookaheadLine;
        m_hasLookahead = false;
        return true;
    }
    if (!m_stream.readLineInto(line))
        return false;
    *lineNo = ++m_line;
    if (m_line == 1 && line->startsWith(QChar(0xfeff)))
        line->remove(0, 1);
    if (line->endsWith(u'\r'))
        line->chop(1);
    return true;
}

bool LdifReader::readLogicalLine(QString *line, int *startLine)
{
    QString physical;
    for (;;) {
        if (!readPhysicalLine(&physical, startLine))
            return false;
        const bool comment = physical.startsWith(u'#');
        QString logical = physical;
        // Join continuation lines (RFC 2849: a line that starts with one space).
        QString next;
        int nextLine = 0;
        while (readPhysicalLine(&next, &nextLine)) {
            if (next.startsWith(u' ')) {
                logical += QStringView(next).mid(1);
                continue;
            }
            m_lookahead = next;
            m_lookaheadLine = nextLine;
            m_hasLookahead = true;
            break;
        }
        if (comment)
            continue;
        *line = logical;
        return true;
    }
}

bool LdifReader::readRecord(LdifRecord *record)
{
    *record = LdifRecord();
    QString line;
    int lineNo = 0;
    bool inEntry = false;
    bool skipping = false;         // an entry we report once and then pass over
    QList<LdifAttribute> headless; // lines before any dn: (version, ldapsearch trailers)
    for (;;) {
        const bool more = readLogicalLine(&line, &lineNo);
        if (!more || line.trimmed().isEmpty()) {
            if (inEntry && !skipping)
                return true;
            if (!headless.isEmpty()) {
                // ldapsearch trailers ("search: 2", "result: 0 Success", "control: …") and
                // search references ("ref: ldap://…") are not entries; a failed result is.
                for (const LdifAttribute &a : headless) {
                    if (isName(a.name, "result") && !a.value.startsWith("0 ")) {
                        warn(a.line, tr("the export ends with the result \"%1\": it may be "
                                        "incomplete.")
                                         .arg(QString::fromUtf8(a.value)));
                    } else if (!isLdapsearchTrailer(a.name)) {
                        warn(a.line, tr("\"%1\" outside an entry (no dn: line before it); "
                                        "ignored.")
                                         .arg(a.name));
                    }
                }
                headless.clear();
            }
            if (!more)
                return false;
            *record = LdifRecord();
            inEntry = false;
            skipping = false;
            continue;
        }
        if (skipping)
            continue; // the rest of a change record, already reported
        const qsizetype colon = line.indexOf(u':');
        if (colon <= 0) {
            warn(
                lineNo,
                tr("not an LDIF line (\"%1\"); expected \"attribute: value\".").arg(line.left(60)));
            continue;
        }
        LdifAttribute a;
        a.name = line.left(colon).trimmed();
        a.line = lineNo;
        QStringView rest = QStringView(line).mid(colon + 1);
        if (rest.startsWith(u':')) {
            a.wasBase64 = true;
            const QByteArray encoded = rest.mid(1).trimmed().toLatin1();
            const auto decoded =
                QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                warn(lineNo, tr("the base64 value of \"%1\" is not valid base64; the value is "
                                "ignored.")
                                 .arg(a.name));
                continue;
            }
            a.value = *decoded;
        } else if (rest.startsWith(u'<')) {
            warn(lineNo, tr("\"%1\" refers to a file (\"attr:< URL\"), which is not supported; "
                            "the value is ignored.")
                             .arg(a.name));
            continue;
        } else {
            while (rest.startsWith(u' '))
                rest = rest.mid(1);
            a.value = rest.toUtf8();
        }

        if (!inEntry) {
            if (isName(a.name, "dn")) {
                inEntry = true;
                record->dn = QString::fromUtf8(a.value);
                record->line = lineNo;
            } else {
                headless << a;
            }
            continue;
        }
        if (isName(a.name, "changetype")) {
            const QString type = QString::fromUtf8(a.value).trimmed();
            if (type.compare(u"add", Qt::CaseInsensitive) != 0) {
                warn(lineNo, tr("the entry %1 is a change record (changetype: %2), not an "
                                "export; it is skipped.")
                                 .arg(record->dn, type));
                skipping = true;
            }
            continue;
        }
        record->attributes << a;
    }
}

bool LdifReader::toUser(const LdifRecord &record, const QString &source, OnPremUser *user,
                        QStringList *warnings)
{
    const auto classes = record.values(u"objectClass");
    if (!classes.isEmpty()) {
        bool isUser = false;
        bool isComputer = false;
        QStringList names;
        for (const LdifAttribute *c : classes) {
            const QString name = QString::fromUtf8(c->value).trimmed();
            names << name;
            if (name.compare(u"user", Qt::CaseInsensitive) == 0 ||
                name.compare(u"inetOrgPerson", Qt::CaseInsensitive) == 0)
                isUser = true;
            if (name.compare(u"computer", Qt::CaseInsensitive) == 0)
                isComputer = true;
        }
        if (!isUser || isComputer) {
            *warnings << tr("line %1: %2 is not a user (objectClass %3); skipped.")
                             .arg(record.line)
                             .arg(record.dn, names.join(QStringLiteral(", ")));
            return false;
        }
    } else if (record.values(u"userPrincipalName").isEmpty() &&
               record.values(u"sAMAccountName").isEmpty() && record.values(u"mail").isEmpty() &&
               record.values(u"proxyAddresses").isEmpty()) {
        // ldifde -l objectGuid,userPrincipalName exports OUs, groups and containers too,
        // without objectClass: with no name or address at all it is not taken for a user.
        *warnings << tr("line %1: %2 has no objectClass, userPrincipalName, sAMAccountName or "
                        "mail; not taken for a user, skipped.")
                         .arg(record.line)
                         .arg(record.dn);
        return false;
    }

    *user = OnPremUser();
    user->dn = record.dn;
    user->source = source;
    for (const LdifAttribute &a : record.attributes) {
        const QString text = QString::fromUtf8(a.value);
        if (isName(a.name, "objectGUID"))
            user->objectGuid = anchorBytes(a, record.dn, warnings);
        else if (isName(a.name, "mS-DS-ConsistencyGuid"))
            user->consistencyGuid = anchorBytes(a, record.dn, warnings);
        else if (isName(a.name, "userPrincipalName"))
            user->upn = text;
        else if (isName(a.name, "mail"))
            user->mail = text;
        else if (isName(a.name, "proxyAddresses"))
            user->proxyAddresses << text;
        else if (isName(a.name, "sAMAccountName"))
            user->samAccountName = text;
        else if (isName(a.name, "displayName"))
            user->displayName = text;
        else if (isName(a.name, "userAccountControl")) {
            bool ok = false;
            const qint64 flags = text.trimmed().toLongLong(&ok);
            if (ok)
                user->enabled = (flags & 0x2) == 0;
            else
                *warnings << tr("line %1: userAccountControl of %2 is not a number (\"%3\").")
                                 .arg(a.line)
                                 .arg(record.dn, text);
        }
    }
    return true;
}
