#pragma once

#include "onpremfileformat.h"

#include <onpremuser.h>
#include <threadjob.h>

#include <QList>
#include <QString>
#include <QStringList>

// What an export file held.
struct OnPremFile
{
    QList<OnPremUser> users;
    QStringList warnings;
    OnPremFileFormat format;
};

// Reads on-prem users from an export instead of a live directory: an LDIF file (ldifde,
// ldapsearch) or a Get-ADUser | Export-Csv file, told apart by content (LdifReader,
// AdCsvReader). Parsing runs on a pool thread (ThreadJob); a cancel stops it between
// records. Lines that could not be used are listed in warnings() with their line numbers;
// the job still succeeds unless the file cannot be read or parsed at all.
class OnPremFileJob : public ThreadJob<OnPremFile>
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

    QString fileName() const { return m_fileName; }
    QList<OnPremUser> users() const { return value().users; }
    QStringList warnings() const { return value().warnings; }
    OnPremFileFormat format() const { return value().format; }

protected:
    void doStart() override;
    void workReturned() override;

private:
    static OnPremFile parse(const QString &fileName, ThreadWorkStatus *status);

    QString m_fileName;
};
