#pragma once

#include "ldapconfig.h"
#include "ldaperror.h"

#include <job.h>
#include <onpremuser.h>

#include <QList>
#include <QStringList>

class LdapWorker;

// Reads the users of an Active Directory over LDAP: connect, TLS, bind, then a paged
// subtree search (RFC 2696, config.pageSize per page) of every search base, skipping search
// references. Runs on its own thread; the caller's thread never blocks.
// Progress: progressChanged(entries so far, 0) and an infoMessage per page. cancel() stops
// within one page (the worker polls every 100 ms and abandons the search).
// On failure error() is ldapJobError(ldapError()) and errorString() says what to do.
class LdapScanJob : public Job
{
    Q_OBJECT
public:
    explicit LdapScanJob(LdapConfig config, QObject *parent = nullptr);
    ~LdapScanJob() override;

    // The users read so far (all of them once finished without error).
    QList<OnPremUser> users() const { return m_users; }
    // Entries that were read but look wrong (e.g. a consistency GUID that is not 16 bytes).
    QStringList warnings() const { return m_warnings; }
    LdapError ldapError() const { return ldapErrorFromJobError(error()); }
    int pages() const { return m_pages; }
    // From the configuration: true when OUs or a non-default filter limit the scan.
    bool isScoped() const { return m_scoped; }
    QString source() const { return m_source; }
    // After cancel(): how many pages the worker still completed (0 or 1: the one it was on).
    int pagesReadAfterCancel() const { return m_pagesAfterCancel; }
    // Search references (continuation to other partitions) that were skipped, not followed.
    int searchReferencesSkipped() const { return m_referencesSkipped; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onPageRead(const QList<OnPremUser> &users, int page);
    void onWorkerFinished();

    LdapConfig m_config;
    LdapWorker *m_worker = nullptr;
    QList<OnPremUser> m_users;
    QStringList m_warnings;
    QString m_source;
    int m_pages = 0;
    int m_pagesAfterCancel = 0;
    int m_referencesSkipped = 0;
    bool m_scoped = false;
};
