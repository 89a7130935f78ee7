#include "onpremfilejob.h"

#include "adcsvreader.h"
#include "ldifreader.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QTextStream>
#include <QThread>

OnPremFileJob::OnPremFileJob(QString fileName, QObject *parent)
    : Job(parent), m_fileName(std::move(fileName))
{}

OnPremFileJob::~OnPremFileJob()
{
    if (m_thread) {
        m_abort = true;
        m_thread->wait();
    }
}

void OnPremFileJob::doStart()
{
    Q_EMIT infoMessage(tr("Reading %1…").arg(QFileInfo(m_fileName).fileName()));
    m_thread = QThread::create([this] { m_result = parse(m_fileName, m_abort); });
    m_thread->setParent(this);
    connect(m_thread, &QThread::finished, this, &OnPremFileJob::onParsed);
    m_thread->start();
}

void OnPremFileJob::doCancel()
{
    m_abort = true; // onParsed finishes the job as Cancelled
}

void OnPremFileJob::onParsed()
{
    m_users = std::move(m_result.users);
    m_warnings = std::move(m_result.warnings);
    m_format = m_result.format;
    if (isCancelRequested()) {
        fail(Cancelled, tr("Reading %1 was cancelled.").arg(m_fileName));
    } else if (m_result.error != NoError) {
        fail(m_result.error, m_result.errorString);
    } else {
        setProgress(m_users.size(), m_users.size());
        Q_EMIT infoMessage(tr("Read %1 users from %2 (%3), %4 warnings.")
                               .arg(QLocale().toString(m_users.size()), m_fileName,
                                    OnPremFileFormat::kindName(m_format.kind))
                               .arg(m_warnings.size()));
    }
    emitResult();
}

OnPremFileJob::Result OnPremFileJob::parse(const QString &fileName, const std::atomic_bool &abort)
{
    Result r;
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        r.error = CannotRead;
        r.errorString = tr("Cannot read %1: %2").arg(fileName, file.errorString());
        return r;
    }
    r.format = OnPremFileFormat::detect(file.peek(8192), fileName);
    const QString source = QFileInfo(fileName).fileName();
    QTextStream stream(&file);
    stream.setEncoding(r.format.encoding);
    stream.setAutoDetectUnicode(true);

    switch (r.format.kind) {
    case OnPremFileFormat::Kind::Unknown:
        r.error = UnknownFormat;
        r.errorString = tr("%1 is neither an LDIF export (ldifde -f export.ldf, ldapsearch) nor "
                           "a CSV export (Get-ADUser … | Export-Csv).")
                            .arg(fileName);
        return r;
    case OnPremFileFormat::Kind::Ldif: {
        LdifReader reader(stream);
        LdifRecord record;
        QStringList userWarnings;
        while (!abort && reader.readRecord(&record)) {
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
            r.error = BadFile;
            r.errorString = tr("%1 cannot be used: %2").arg(fileName, reader.errorString());
            r.users.clear();
            return r;
        }
        break;
    }
    }
    if (r.users.isEmpty() && !abort) {
        r.error = NoUsers;
        r.errorString = tr("%1 contains no users.").arg(fileName);
        if (!r.warnings.isEmpty())
            r.errorString += QLatin1Char(' ') + r.warnings.first();
    }
    return r;
}
