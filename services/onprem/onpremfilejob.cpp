#include "onpremfilejob.h"

#include "adcsvreader.h"
#include "ldifreader.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QTextStream>

OnPremFileJob::OnPremFileJob(QString fileName, QObject *parent)
    : ThreadJob<OnPremFile>(
          StatusWork([fileName](ThreadWorkStatus *s) { return parse(fileName, s); }), parent),
      m_fileName(std::move(fileName))
{
    setCancelText(tr("Reading %1 was cancelled.").arg(m_fileName));
}

void OnPremFileJob::doStart()
{
    Q_EMIT infoMessage(tr("Reading %1…").arg(QFileInfo(m_fileName).fileName()));
    ThreadJob<OnPremFile>::doStart();
}

void OnPremFileJob::workReturned()
{
    if (error() != NoError)
        return;
    const qsizetype users = value().users.size();
    setProgress(users, users);
    Q_EMIT infoMessage(tr("Read %1 users from %2 (%3), %4 warnings.")
                           .arg(QLocale().toString(users), m_fileName,
                                OnPremFileFormat::kindName(value().format.kind))
                           .arg(value().warnings.size()));
}

OnPremFile OnPremFileJob::parse(const QString &fileName, ThreadWorkStatus *status)
{
    OnPremFile r;
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        status->code = CannotRead;
        status->error = tr("Cannot read %1: %2").arg(fileName, file.errorString());
        return r;
    }
    r.format = OnPremFileFormat::detect(file.peek(8192), fileName);
    const QString source = QFileInfo(fileName).fileName();
    QTextStream stream(&file);
    stream.setEncoding(r.format.encoding);
    stream.setAutoDetectUnicode(true);

    switch (r.format.kind) {
    case OnPremFileFormat::Kind::Unknown:
        status->code = UnknownFormat;
        status->error = tr("%1 is neither an LDIF export (ldifde -f export.ldf, ldapsearch) nor "
                           "a CSV export (Get-ADUser … | Export-Csv).")
                            .arg(fileName);
        return r;
    case OnPremFileFormat::Kind::Ldif: {
        LdifReader reader(stream);
        LdifRecord record;
        QStringList userWarnings;
        while (!status->isAborted() && reader.readRecord(&record)) {
            OnPremUser user;
            if (LdifReader::toUser(record, source, &user, &userWarnings))
                r.users << user;
        }
        r.warnings = reader.warnings() + userWarnings;
        // Sort by line number so that warnings read top to bottom.
        std::stable_sort(r.warnings.begin(), r.warnings.end(),
                         [](const QString &a, const QString &b) {
                             return a.section(u' ', 1, 1).section(u':', 0, 0).toInt() <
                                    b.section(u' ', 1, 1).section(u':', 0, 0).toInt();
                         });
        break;
    }
    case OnPremFileFormat::Kind::Csv: {
        AdCsvReader reader(stream);
        const bool ok = reader.read(source, &r.users);
        r.warnings = reader.warnings();
        if (!ok) {
            status->code = BadFile;
            status->error = tr("%1 cannot be used: %2").arg(fileName, reader.errorString());
            r.users.clear();
            return r;
        }
        break;
    }
    }
    if (r.users.isEmpty() && !status->isAborted()) {
        status->code = NoUsers;
        status->error = tr("%1 contains no users.").arg(fileName);
        if (!r.warnings.isEmpty())
            status->error += QLatin1Char(' ') + r.warnings.first();
    }
    return r;
}
