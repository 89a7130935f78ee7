#pragma once

#include "ldapanchorchange.h"
#include "ldapconfig.h"
#include "ldaperror.h"

#include <onpremuser.h>

#include <QList>
#include <QMutex>
#include <QThread>

#include <atomic>

// The thread that owns the LDAP connection for LdapScanJob and LdapTestConnectionJob
// (libldap blocks). After Qt's mandelbrot RenderThread: the inputs are copied in before
// start, an abort flag is checked at every step and set by the destructor before wait(),
// and results leave by queued signals (pageRead) or are read once the thread has finished.
class LdapConnection;

class LdapWorker : public QThread
{
    Q_OBJECT
public:
    enum class Task {
        TestConnection,
        Scan,
        ReadAnchors,  // anchorChanges(): dn + objectGuid are read
        WriteAnchors, // anchorChanges() are written one by one, each read before and after
    };

    LdapWorker(Task task, LdapConfig config, QObject *parent = nullptr);
    ~LdapWorker() override;

    // For a job's destructor: aborts the worker and deletes it once its thread has ended,
    // without blocking the caller for longer than a moment (a worker stuck in a TCP connect
    // finishes on its own, up to timeoutSeconds later, and then deletes itself).
    static void release(LdapWorker *worker);

    // The entries to read or write (ReadAnchors, WriteAnchors); set before start().
    void setAnchorChanges(const QList<LdapAnchorChange> &changes) { m_changes = changes; }

    void abort();
    bool isAborted() const { return m_abort; }

    // Valid once the thread has finished.
    LdapFailure failure() const;
    QString defaultNamingContext() const;
    QString serverInfo() const;
    QStringList warnings() const;
    int searchReferencesSkipped() const;
    // Pages completed after abort() was first called (the guarantee is at most one).
    int pagesReadAfterAbort() const;

    // ReadAnchors: one state per change, in order (valid once the thread has finished).
    QList<LdapAnchorState> anchorStates() const;

    // The LDAP attributes a scan reads.
    static QStringList scanAttributes();

Q_SIGNALS:
    // One page of users (already converted); page counts from 1 over all search bases.
    void pageRead(const QList<OnPremUser> &users, int page);
    // WriteAnchors: one per change attempted, in order (index into the changes).
    void anchorChangeFinished(const LdapAnchorOutcome &outcome, int index);

protected:
    void run() override;

private:
    void runTest();
    void runScan();
    void runReadAnchors();
    void runWriteAnchors();
    LdapAnchorOutcome writeOne(LdapConnection &connection, const LdapAnchorChange &change,
                               bool *connectionLost);

    const Task m_task;
    const LdapConfig m_config;
    std::atomic_bool m_abort{false};
    std::atomic_int m_pagesRead{0};
    std::atomic_int m_pagesAtAbort{-1};
    mutable QMutex m_mutex;
    LdapFailure m_failure;
    QString m_defaultNamingContext;
    QString m_serverInfo;
    QStringList m_warnings;
    int m_referencesSkipped = 0;
    QList<LdapAnchorChange> m_changes;
    QList<LdapAnchorState> m_states;
};
