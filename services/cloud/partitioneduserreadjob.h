#pragma once

#include "clouduser.h"
#include "graphreadbudget.h"
#include "graphresult.h"
#include "job.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

class GraphClient;
class GraphRequestJob;

// Reads a whole user collection (/users or /directory/deletedItems/microsoft.graph.user)
// with several requests in flight, and proves that it missed no one:
//  1. GET {collection}/$count (ConsistencyLevel: eventual). A collection of at most
//     partitionThreshold() users (or one Graph will not count) is read page by page.
//  2. Otherwise one partition per character a userPrincipalName may start with (Entra
//     allows A–Z a–z 0–9 ' . - _ ! # ^ ~; startswith compares without regard to case),
//     each counted first ($count with the same $filter): an empty partition costs no page,
//     and one too big to finish alongside the others is split into one partition per next
//     character (plus '@'). The partitions' counts must add up to the total, else the read
//     is plain from the start.
//  3. The partitions are read with the basic query $filter=startswith(userPrincipalName,
//     'p'), the biggest first, at most maxInFlight() requests at a time and within the
//     app's read budget (GraphReadBudget).
//  4. The distinct users read (each id once) must equal a fresh $count. When they differ
//     (a user whose name starts with a character outside the list, changes during the
//     read, Graph refusing a filter), everything is read again page by page, and warnings()
//     says why.
class PartitionedUserReadJob : public Job
{
    Q_OBJECT
public:
    enum Error { RequestFailed = UserDefinedError + 1 };

    // select: the $select list; the collection's pages are $top=pageSize.
    PartitionedUserReadJob(GraphClient *client, const QString &collectionPath,
                           const QString &select, int pageSize = 999);

    // The first characters of the partitions (lower case for letters).
    static QString partitionCharacters();

    void setMaxInFlight(int requests) { m_maxInFlight = qMax(1, requests); }
    int maxInFlight() const { return m_maxInFlight; }
    // Collections of at most this many users are read page by page (default 2 pages).
    void setPartitionThreshold(qint64 users) { m_threshold = users; }
    qint64 partitionThreshold() const { return m_threshold < 0 ? 2 * m_pageSize : m_threshold; }
    // Resource units per 10 s the read may spend (default: the smallest documented quota).
    void setReadBudget(int units) { m_budget.setQuota(units); }

    // The users read, in the order read; each id once.
    QList<CloudUser> takeUsers() { return std::exchange(m_users, {}); }
    // Each user's id → its index in takeUsers()'s list (users without an id are not in it):
    // built page by page, so a caller need not hash 500k ids again in one go.
    QHash<QString, int> takeIndex() { return std::exchange(m_index, {}); }
    QStringList warnings() const { return m_warnings; }
    GraphResult failedRequest() const { return m_failed; }
    bool wasPartitioned() const { return m_partitioned; }
    int partitionsRead() const { return m_partitionsDone; }
    qint64 countedUsers() const { return m_counted; }
    int pagesRead() const { return m_pages; }
    int requestsSent() const { return m_requests; }
    qint64 bytesRead() const { return m_bytes; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Pending
    {
        QString prefix;   // empty = the whole collection
        QString nextLink; // empty = the first page
        bool count = false;
        qint64 size = 0; // the partition's count (biggest read first)
    };
    void startPlain(const QString &why);
    void plan(const QString &prefix, qint64 count);
    void pump();
    void send(const Pending &pending);
    void onCount(GraphRequestJob *job, const Pending &pending);
    void onPage(GraphRequestJob *job, const Pending &pending);
    void allDone();
    void consume(const QJsonObject &page);
    QString filterQuery(const QString &prefix) const;
    void failWith(GraphRequestJob *job);
    void cancelAll();

    QPointer<GraphClient> m_client;
    QString m_collection;
    QString m_select;
    int m_pageSize = 999;
    int m_maxInFlight = 6;
    qint64 m_threshold = -1;
    GraphReadBudget m_budget{3500};
    QElapsedTimer m_clock;
    bool m_pumpScheduled = false;

    QList<Pending> m_counts; // sent before any page
    QList<Pending> m_queue;  // pages: next links first, then partitions by size
    QList<QPointer<GraphRequestJob>> m_inFlight;
    bool m_partitioned = false;
    bool m_plain = false;
    int m_partitionsDone = 0;
    qint64 m_counted = -1;
    qint64 m_firstLevelSum = 0;
    int m_firstLevelPending = 0;
    bool m_verifying = false;

    QList<CloudUser> m_users;
    QHash<QString, int> m_index; // id → index in m_users
    QStringList m_warnings;
    QString m_pendingWarning; // said once the plain read after it has a page
    GraphResult m_failed;
    int m_pages = 0;
    int m_requests = 0;
    qint64 m_bytes = 0;
};
