#pragma once

#include "onpremfileformat.h"

#include <job.h>
#include <onpremuser.h>

#include <QList>
#include <QString>
#include <QStringList>

class QThread;

// Reads on-prem users from an export instead of a live directory: an LDIF file (ldifde,
// ldapsearch) or a Get-ADUser | Export-Csv file, told apart by content (LdifReader,
// AdCsvReader). Parsing runs on a worker thread. Lines that could not be used are listed
// in warnings() with their line numbers; the job still succeeds unless the file cannot be
// read or parsed at all.
class OnPremFileJob : public Job
{
    Q_OBJECT
public:
    enum Error {
        CannotRead = UserDefinedError + 200, // missing file, no permission
        UnknownFormat,                       // neither LDIF nor CSV
        BadFile,                             // a CSV whose structure is broken, no header…
        NoUsers,                             // parsed, but not a single user in it
    };

    explicit OnPremFileJob(QString fileName, QObject *parent = nullptr);
    ~OnPremFileJob() override;

    QString fileName() const { return m_fileName; }
    QList<OnPremUser> users() const { return m_users; }
    QStringList warnings() const { return m_warnings; }
    OnPremFileFormat format() const { return m_format; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Result
    {
        int error = NoError;
        QString errorString;
        QList<OnPremUser> users;
        QStringList warnings;
        OnPremFileFormat format;
    };
    static Result parse(const QString &fileName, const std::atomic_bool &abort);
    void onParsed();

    QString m_fileName;
    QThread *m_thread = nullptr;
    std::atomic_bool m_abort{false};
    Result m_result;
    QList<OnPremUser> m_users;
    QStringList m_warnings;
    OnPremFileFormat m_format;
};
