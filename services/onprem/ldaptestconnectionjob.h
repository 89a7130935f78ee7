#pragma once

#include "ldapconfig.h"
#include "ldaperror.h"

#include <job.h>

class LdapWorker;

// The wizard's "Test connection": connect, TLS, bind, and read the rootDSE. On success
// defaultNamingContext() is the domain's base DN (DC=corp,DC=example) to offer as base DN.
// Runs on its own thread. On failure error() is ldapJobError(ldapError()).
class LdapTestConnectionJob : public Job
{
    Q_OBJECT
public:
    explicit LdapTestConnectionJob(LdapConfig config, QObject *parent = nullptr);
    ~LdapTestConnectionJob() override;

    QString defaultNamingContext() const { return m_defaultNamingContext; }
    // The server's dnsHostName from the rootDSE (may be empty).
    QString serverName() const { return m_serverName; }
    LdapError ldapError() const { return ldapErrorFromJobError(error()); }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onWorkerFinished();

    LdapConfig m_config;
    LdapWorker *m_worker = nullptr;
    QString m_defaultNamingContext;
    QString m_serverName;
};
