#pragma once

#include <onpremuser.h>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

// Reads what admins export with PowerShell:
//   Get-ADUser -Filter * -Properties mail,proxyAddresses,… | Export-Csv users.csv
// PowerShell 5's "#TYPE …" first line, UTF-8 with or without BOM and UTF-16 LE (set the
// stream's encoding; OnPremFileFormat::detect finds it). Columns are matched by name, case-
// insensitively: ObjectGUID (a GUID string) and/or ImmutableID (base64, or any form
// ImmutableId::parse accepts), mS-DS-ConsistencyGuid, UserPrincipalName, mail/EmailAddress,
// proxyAddresses (joined with ; , | space or newline), DistinguishedName, SamAccountName,
// DisplayName/Name, Enabled (True/False) or userAccountControl. Bad rows and values are
// reported in warnings() with their line numbers; the row is skipped only when nothing
// usable is left, and that is said too.
class AdCsvReader
{
public:
    explicit AdCsvReader(QTextStream &stream) : m_stream(stream) {}

    // Reads every row. false when the file cannot be used at all (errorString()).
    bool read(const QString &source, QList<OnPremUser> *users);
    QStringList warnings() const { return m_warnings; }
    QString errorString() const { return m_error; }

    // Splits a proxyAddresses cell into addresses (each "prefix:address").
    static QStringList splitProxyAddresses(const QString &cell);

private:
    QTextStream &m_stream;
    QStringList m_warnings;
    QString m_error;
};
