#pragma once

#include "ldapanchorchange.h"
#include "ldapconfig.h"

#include <job.h>

class LdapWorker;

// Writes mS-DS-ConsistencyGuid on users over LDAP, one change after the other on the LDAP
// worker thread: read the entry (same objectGUID, value still expectedValue, else Stale and
// nothing written), modify-replace the 16 bytes (or delete the attribute), read it back.
// Refuses to write over a connection without TLS unless config.allowPlainWrite.
// changeFinished() reports each change as it is done (for the audit trail); a refusal of
// one change (access, constraint, object gone) does not stop the others; a lost connection
// does (error() set, the rest not attempted).
class LdapAnchorWriteJob : public Job
{
    Q_OBJECT
public:
    LdapAnchorWriteJob(LdapConfig config, QList<LdapAnchorChange> changes,
                       QObject *parent = nullptr);
    ~LdapAnchorWriteJob() override;

    QList<LdapAnchorOutcome> outcomes() const { return m_outcomes; }
    LdapError ldapError() const { return ldapErrorFromJobError(error()); }

Q_SIGNALS:
    void changeFinished(const LdapAnchorOutcome &outcome, int index);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onChangeFinished(const LdapAnchorOutcome &outcome, int index);
    void onWorkerFinished();

    LdapConfig m_config;
    QList<LdapAnchorChange> m_changes;
    LdapWorker *m_worker = nullptr;
    QList<LdapAnchorOutcome> m_outcomes;
};
