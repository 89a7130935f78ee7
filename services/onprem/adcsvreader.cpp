#include "adcsvreader.h"

#include <csv.h>
#include <immutableid.h>

#include <QCoreApplication>
#include <QRegularExpression>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AdCsvReader", text);
}

enum class Column {
    ObjectGuid,
    ImmutableId,
    ConsistencyGuid,
    Upn,
    Mail,
    ProxyAddresses,
    Dn,
    Sam,
    DisplayName,
    Name,
    Enabled,
    UserAccountControl,
};

const QHash<QString, Column> &columnNames()
{
    static const QHash<QString, Column> names{
        {QStringLiteral("objectguid"), Column::ObjectGuid},
        {QStringLiteral("immutableid"), Column::ImmutableId},
        {QStringLiteral("onpremisesimmutableid"), Column::ImmutableId},
        {QStringLiteral("sourceanchor"), Column::ImmutableId},
        {QStringLiteral("ms-ds-consistencyguid"), Column::ConsistencyGuid},
        {QStringLiteral("userprincipalname"), Column::Upn},
        {QStringLiteral("upn"), Column::Upn},
        {QStringLiteral("mail"), Column::Mail},
        {QStringLiteral("emailaddress"), Column::Mail},
        {QStringLiteral("proxyaddresses"), Column::ProxyAddresses},
        {QStringLiteral("distinguishedname"), Column::Dn},
        {QStringLiteral("samaccountname"), Column::Sam},
        {QStringLiteral("displayname"), Column::DisplayName},
        {QStringLiteral("name"), Column::Name},
        {QStringLiteral("enabled"), Column::Enabled},
        {QStringLiteral("useraccountcontrol"), Column::UserAccountControl},
    };
    return names;
}

// What PowerShell writes for a value it cannot turn into text.
bool isTypeName(const QString &cell)
{
    return cell == u"System.Byte[]" || cell == u"System.Object[]" ||
           cell.startsWith(u"Microsoft.ActiveDirectory.Management.") ||
           cell == u"System.Collections.ArrayList";
}

} // namespace

QStringList AdCsvReader::splitProxyAddresses(const QString &cell)
{
    QString text = cell.trimmed();
    if (text.startsWith(u'{') && text.endsWith(u'}'))
        text = text.mid(1, text.size() - 2);
    // A separator is a run of ; , | or white space followed by the next "prefix:" — so the
    // ; and spaces inside an X400 address (C=US;A= ;P=Org;…) stay where they are.
    static const QRegularExpression separator(
        QStringLiteral("[;,|\\s]+(?=[A-Za-z][A-Za-z0-9-]*:)"));
    QStringList out;
    for (QString part : text.split(separator, Qt::SkipEmptyParts)) {
        part = part.trimmed();
        while (part.endsWith(u';') || part.endsWith(u',') || part.endsWith(u'|'))
            part.chop(1);
        if (!part.isEmpty())
            out << part;
    }
    return out;
}

bool AdCsvReader::read(const QString &source, QList<OnPremUser> *users)
{
    Csv::Reader reader(m_stream);
    QStringList cells;
    QHash<int, Column> columns;
    int headerLine = 0;
    while (columns.isEmpty()) {
        if (!reader.readRecord(&cells)) {
            m_error = reader.hasError() ? tr("line %1, column %2: %3")
                                              .arg(reader.errorLine())
                                              .arg(reader.errorColumn())
                                              .arg(reader.errorString())
                                        : tr("The CSV file has no header row.");
            return false;
        }
        if (cells.size() == 1 && cells.first().trimmed().isEmpty())
            continue; // blank line
        if (cells.first().startsWith(u"#TYPE") || cells.first().startsWith(u"#"))
            continue; // PowerShell 5's type line
        headerLine = reader.recordLine();
        for (int i = 0; i < cells.size(); ++i) {
            const auto it = columnNames().constFind(cells.at(i).trimmed().toLower());
            if (it != columnNames().cend())
                columns.insert(i, *it);
        }
        if (columns.isEmpty()) {
            m_error = tr("line %1: none of the columns is known (%2). Export at least "
                         "ObjectGUID or ImmutableID and UserPrincipalName, e.g. Get-ADUser "
                         "-Filter * -Properties mail,proxyAddresses | Export-Csv users.csv")
                          .arg(headerLine)
                          .arg(cells.join(QStringLiteral(", ")));
            return false;
        }
    }
    const QList<Column> present = columns.values();
    if (!present.contains(Column::ObjectGuid) && !present.contains(Column::ImmutableId) &&
        !present.contains(Column::ConsistencyGuid))
        m_warnings << tr("line %1: the file has no ObjectGUID or ImmutableID column: the users "
                         "have no source anchor.")
                          .arg(headerLine);
    const int columnCount = int(cells.size());

    while (reader.readRecord(&cells)) {
        const int line = reader.recordLine();
        if (cells.size() == 1 && cells.first().trimmed().isEmpty())
            continue;
        if (cells.size() != columnCount) {
            m_warnings << tr("line %1: %2 cells where the header has %3; the row is skipped.")
                              .arg(line)
                              .arg(cells.size())
                              .arg(columnCount);
            continue;
        }
        OnPremUser user;
        user.source = source;
        QByteArray immutableId;
        bool hasEnabled = false;
        for (auto it = columns.cbegin(); it != columns.cend(); ++it) {
            const QString cell = cells.at(it.key()).trimmed();
            if (cell.isEmpty())
                continue;
            const auto anchor = [&](const char *what) -> QByteArray {
                if (isTypeName(cell)) {
                    m_warnings << tr("line %1: %2 was exported as \"%3\", not as its value; "
                                     "convert it in the export (e.g. [guid] or "
                                     "[Convert]::ToBase64String).")
                                      .arg(line)
                                      .arg(QLatin1String(what), cell);
                    return {};
                }
                QString error;
                const auto id = ImmutableId::parse(cell, &error);
                if (!id || id->isNull()) {
                    m_warnings << tr("line %1: %2 \"%3\" is not a GUID: %4")
                                      .arg(line)
                                      .arg(QLatin1String(what), cell, error);
                    return {};
                }
                return id->bytes();
            };
            switch (it.value()) {
            case Column::ObjectGuid:
                user.objectGuid = anchor("ObjectGUID");
                break;
            case Column::ImmutableId:
                immutableId = anchor("ImmutableID");
                break;
            case Column::ConsistencyGuid:
                user.consistencyGuid = anchor("mS-DS-ConsistencyGuid");
                break;
            case Column::Upn:
                user.upn = cell;
                break;
            case Column::Mail:
                user.mail = cell;
                break;
            case Column::ProxyAddresses:
                if (isTypeName(cell))
                    m_warnings << tr("line %1: proxyAddresses was exported as \"%2\"; export "
                                     "it with @{n='proxyAddresses';e={$_.proxyAddresses -join "
                                     "';'}}.")
                                      .arg(line)
                                      .arg(cell);
                else
                    user.proxyAddresses = splitProxyAddresses(cell);
                break;
            case Column::Dn:
                user.dn = cell;
                break;
            case Column::Sam:
                user.samAccountName = cell;
                break;
            case Column::DisplayName:
                user.displayName = cell;
                break;
            case Column::Name:
                if (user.displayName.isEmpty() && !present.contains(Column::DisplayName))
                    user.displayName = cell;
                break;
            case Column::Enabled:
                if (cell.compare(u"true", Qt::CaseInsensitive) == 0 || cell == u"1") {
                    user.enabled = true;
                    hasEnabled = true;
                } else if (cell.compare(u"false", Qt::CaseInsensitive) == 0 || cell == u"0") {
                    user.enabled = false;
                    hasEnabled = true;
                } else {
                    m_warnings << tr("line %1: Enabled is \"%2\", expected True or False.")
                                      .arg(line)
                                      .arg(cell);
                }
                break;
            case Column::UserAccountControl:
                if (!hasEnabled) {
                    bool ok = false;
                    const qint64 flags = cell.toLongLong(&ok);
                    if (ok)
                        user.enabled = (flags & 0x2) == 0;
                    else
                        m_warnings << tr("line %1: userAccountControl \"%2\" is not a number.")
                                          .arg(line)
                                          .arg(cell);
                }
                break;
            }
        }
        // ImmutableID is the anchor Entra Connect uses: objectGUID's bytes, or the
        // consistency GUID when that differs.
        if (!immutableId.isEmpty()) {
            if (user.objectGuid.isEmpty())
                user.objectGuid = immutableId;
            else if (immutableId != user.objectGuid && user.consistencyGuid.isEmpty())
                user.consistencyGuid = immutableId;
            else if (immutableId != user.objectGuid && immutableId != user.consistencyGuid)
                m_warnings << tr("line %1: ImmutableID %2 matches neither ObjectGUID nor "
                                 "mS-DS-ConsistencyGuid; ImmutableID is ignored.")
                                  .arg(line)
                                  .arg(ImmutableId::base64Of(immutableId));
        }
        if (user.objectGuid.isEmpty() && user.consistencyGuid.isEmpty() && user.upn.isEmpty() &&
            user.mail.isEmpty() && user.proxyAddresses.isEmpty()) {
            m_warnings << tr("line %1: no anchor, UPN or address; the row is skipped.").arg(line);
            continue;
        }
        users->append(user);
    }
    if (reader.hasError()) {
        // A broken quote shifts every later cell: better no result than a wrong one.
        m_error = tr("line %1, column %2: %3. Fix the file and load it again.")
                      .arg(reader.errorLine())
                      .arg(reader.errorColumn())
                      .arg(reader.errorString());
        return false;
    }
    return true;
}
