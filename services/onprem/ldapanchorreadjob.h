#pragma once

#include "ldapanchorchange.h"
#include "ldapconfig.h"

#include <job.h>

class LdapWorker;

// Reads objectGUID and mS-DS-ConsistencyGuid of the given users (by DN; the objectGUID, when
// given, tells a moved object from a deleted one) on the LDAP worker thread. This is the
// "old value read first" of an on-prem write: the caller journals it, then writes with
// LdapAnchorWriteJob. A user that is gone is a state with exists == false, not a job error;
// error() is set only when the directory could not be read at all.
class LdapAnchorReadJob : public Job
{
    Q_OBJECT
public:
    LdapAnchorReadJob(LdapConfig config, QList<LdapAnchorChange> entries,
                      QObject *parent = nullptr);
    ~LdapAnchorReadJob() override;

    // One per entry, in order (all of them when finished without error).
    QList<LdapAnchorState> states() const { return m_states; }
    LdapError ldapError() const { return ldapErrorFromJobError(error()); }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onWorkerFinished();

    LdapConfig m_config;
    QList<LdapAnchorChange> m_entries;
    LdapWorker *m_worker = nullptr;
    QList<LdapAnchorState> m_states;
};
