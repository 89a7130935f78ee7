#pragma once

#include <onpremuser.h>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

// One attribute value of an LDIF entry, with the line it started on.
struct LdifAttribute
{
    QString name;     // as written, options included ("proxyAddresses;range=0-1499")
    QByteArray value; // decoded: UTF-8 text, or the raw bytes of an "attr:: base64" value
    int line = 0;
    bool wasBase64 = false;
};

struct LdifRecord
{
    QString dn;
    int line = 0; // the line of "dn:"
    QList<LdifAttribute> attributes;

    // The values of one attribute, matched case-insensitively and ignoring options.
    QList<const LdifAttribute *> values(QStringView name) const;
};

// Reads LDIF (RFC 2849) as ldifde and ldapsearch write it: "version: 1", comments,
// folded lines (a continuation line starts with one space), "attr:: base64", multi-valued
// attributes, "changetype: add", and ldapsearch's own lines (search:, result:, ref:,
// pagedresults comments). Anything it cannot use is reported in warnings() with its line
// number; it never drops a line without saying so.
class LdifReader
{
public:
    explicit LdifReader(QTextStream &stream) : m_stream(stream) {}

    // The next entry with a DN; false at the end of the input.
    bool readRecord(LdifRecord *record);
    QStringList warnings() const { return m_warnings; }
    int line() const { return m_line; }

    // An entry as an on-prem user. false (with a warning) when it is not a user (a group,
    // a computer, an OU…). Unusable values (an objectGUID that is not 16 bytes) add warnings.
    static bool toUser(const LdifRecord &record, const QString &source, OnPremUser *user,
                       QStringList *warnings);

private:
    // The next logical line (continuations joined, comments skipped); an empty string is an
    // entry separator. false at the end of the input.
    bool readLogicalLine(QString *line, int *startLine);
    bool readPhysicalLine(QString *line, int *lineNo);
    void warn(int line, const QString &text);

    QTextStream &m_stream;
    QString m_lookahead;
    int m_lookaheadLine = 0;
    bool m_hasLookahead = false;
    int m_line = 0;
    QStringList m_warnings;
};
