#include "partitioneduserreadjob.h"

#include "graphclient.h"
#include "graphrequestjob.h"

#include <QJsonArray>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace {
// Splitting stops at this prefix length.
constexpr int kMaxPrefix = 6;
} // namespace

PartitionedUserReadJob::PartitionedUserReadJob(GraphClient *client, const QString &collectionPath,
                                               const QString &select, int pageSize)
    : Job(client), m_client(client), m_collection(collectionPath), m_select(select),
      m_pageSize(pageSize)
{}

QString PartitionedUserReadJob::partitionCharacters()
{
    // Entra's userPrincipalName: A–Z a–z 0–9 ' . - _ ! # ^ ~ (no accented or other
    // characters). startswith ignores case, so one partition per letter.
    return QStringLiteral("abcdefghijklmnopqrstuvwxyz0123456789'.-_!#^~");
}

void PartitionedUserReadJob::doStart()
{
    m_clock.start();
    m_counts.append({QString(), QString(), true, 0});
    pump();
}

void PartitionedUserReadJob::cancelAll()
{
    for (const QPointer<GraphRequestJob> &job : std::as_const(m_inFlight))
        if (job) {
            job->disconnect(this);
            job->cancel();
        }
    m_inFlight.clear();
    m_queue.clear();
    m_counts.clear();
}

void PartitionedUserReadJob::doCancel()
{
    cancelAll();
    fail(Cancelled, tr("Cancelled."));
    emitResult();
}

QString PartitionedUserReadJob::filterQuery(const QString &prefix) const
{
    if (prefix.isEmpty())
        return {};
    QString literal = prefix;
    literal.replace(QLatin1Char('\''), QLatin1String("''")); // OData string literal
    // Percent-encoded in full: '#' would end the URL and '^' is not allowed in one.
    return QLatin1String("$filter=") +
           QString::fromLatin1(QUrl::toPercentEncoding(
               QStringLiteral("startswith(userPrincipalName,'%1')").arg(literal)));
}

void PartitionedUserReadJob::startPlain(const QString &why)
{
    cancelAll();
    if (!why.isEmpty()) {
        m_warnings.append(why);
        Q_EMIT infoMessage(why);
        m_partitioned = false;
    }
    m_plain = true;
    m_users.clear();
    m_index.clear();
    m_queue.append(Pending{});
    pump();
}

void PartitionedUserReadJob::pump()
{
    m_pumpScheduled = false;
    while (!isFinished() && m_inFlight.size() < m_maxInFlight &&
           !(m_counts.isEmpty() && m_queue.isEmpty())) {
        QList<Pending> &from = m_counts.isEmpty() ? m_queue : m_counts;
        const Pending next = from.first();
        // Costs as Graph counts them: a page of /users with $select, or a $count.
        const int cost = next.count
                             ? 1
                             : GraphReadBudget::costOf("GET", m_collection,
                                                       QUrlQuery(QStringLiteral("$select=x")));
        const qint64 wait = m_budget.take(m_clock.elapsed(), cost);
        if (wait > 0) {
            // Stay inside the app's read budget rather than meet Graph's 429.
            if (!m_pumpScheduled) {
                m_pumpScheduled = true;
                QTimer::singleShot(int(wait), this, &PartitionedUserReadJob::pump);
            }
            return;
        }
        from.removeFirst();
        send(next);
    }
}

void PartitionedUserReadJob::send(const Pending &pending)
{
    if (!m_client)
        return;
    QString path = pending.nextLink;
    if (pending.count) {
        path = m_collection + QLatin1String("/$count");
        if (!pending.prefix.isEmpty())
            path += QLatin1Char('?') + filterQuery(pending.prefix);
    } else if (path.isEmpty()) {
        path = QStringLiteral("%1?$select=%2&$top=%3").arg(m_collection, m_select).arg(m_pageSize);
        if (!pending.prefix.isEmpty())
            path += QLatin1Char('&') + filterQuery(pending.prefix);
    } else {
        // Follow a link only on our own Graph endpoint: it gets the token.
        const QString v1 = m_client->config().graphBase();
        if (!path.startsWith(v1.left(v1.size() - 4))) {
            m_failed = GraphResult();
            m_failed.advice = tr("Graph returned a next-page link to another host (%1); "
                                 "refusing to send the token there.")
                                  .arg(QUrl(path).host());
            cancelAll();
            fail(RequestFailed, m_failed.advice);
            emitResult();
            return;
        }
    }
    ++m_requests;
    GraphRequestJob *job = m_client->request("GET", path, std::nullopt, true,
                                             QLatin1String(GraphPermission::UserRead));
    if (pending.count)
        job->setHeader("ConsistencyLevel", "eventual"); // a raw count is an advanced query
    m_inFlight.append(job);
    connect(job, &Job::finished, this, [this, job, pending] {
        if (pending.count)
            onCount(job, pending);
        else
            onPage(job, pending);
    });
    job->start();
}

void PartitionedUserReadJob::onCount(GraphRequestJob *job, const Pending &pending)
{
    m_inFlight.removeAll(job);
    if (isFinished())
        return;
    const GraphResult r = job->result();
    bool ok = false;
    const qint64 count = r.ok ? job->textBody().trimmed().toLongLong(&ok) : -1;
    if (m_verifying) {
        const qint64 read = m_users.size();
        if (ok && count == read) {
            m_counted = count;
            emitResult();
            return;
        }
        startPlain(ok ? tr("The partitioned read found %1 users but Graph counts %2 (changes "
                           "during the scan, or a name starting with a character outside A–Z "
                           "0–9 ' . - _ ! # ^ ~): read again page by page.")
                            .arg(read)
                            .arg(count)
                      : tr("Graph did not count the users after the partitioned read (%1 %2): "
                           "read again page by page to be sure no one is missing.")
                            .arg(r.httpStatus)
                            .arg(r.code));
        return;
    }
    if (pending.prefix.isEmpty()) {
        // The total decides: small, or not countable → page by page (complete by
        // construction, nothing to warn about).
        if (!ok || count <= partitionThreshold()) {
            startPlain(QString());
            return;
        }
        m_counted = count;
        m_partitioned = true;
        Q_EMIT infoMessage(tr("Counting %1 users in partitions…").arg(count));
        for (const QChar c : partitionCharacters())
            m_counts.append({QString(c), QString(), true, 0});
        m_firstLevelPending = int(m_counts.size());
        pump();
        return;
    }
    if (!ok) {
        startPlain(tr("Graph did not count the partition startswith(userPrincipalName,'%1') "
                      "(%2 %3): the users were read page by page.")
                       .arg(pending.prefix)
                       .arg(r.httpStatus)
                       .arg(r.code));
        return;
    }
    plan(pending.prefix, count);
    if (pending.prefix.size() == 1) {
        m_firstLevelSum += count;
        if (--m_firstLevelPending == 0 && m_firstLevelSum != m_counted) {
            startPlain(tr("The partitions by first character hold %1 users but Graph counts %2 "
                          "(a name starting with a character outside A–Z 0–9 ' . - _ ! # ^ ~, "
                          "or changes during the scan): the users were read page by page.")
                           .arg(m_firstLevelSum)
                           .arg(m_counted));
            return;
        }
    }
    if (m_counts.isEmpty() && m_queue.isEmpty() && m_inFlight.isEmpty()) {
        allDone();
        return;
    }
    pump();
}

void PartitionedUserReadJob::plan(const QString &prefix, qint64 count)
{
    if (count <= 0)
        return; // nothing there: no page to wait for
    // A partition that would take longer than the whole read spread over the requests in
    // flight is split, so that it does not finish alone at the end.
    const qint64 splitAbove = std::max<qint64>(m_pageSize, m_counted / m_maxInFlight);
    if (count > splitAbove && prefix.size() < kMaxPrefix) {
        const QString chars = partitionCharacters() + QLatin1Char('@'); // '@' ends the name
        for (const QChar c : chars)
            m_counts.append({prefix + c, QString(), true, 0});
        return;
    }
    // Biggest first, after the next links of partitions already running.
    const Pending p{prefix, QString(), false, count};
    auto at = std::find_if(m_queue.begin(), m_queue.end(), [&](const Pending &q) {
        return q.nextLink.isEmpty() && q.size < count;
    });
    m_queue.insert(at, p);
}

void PartitionedUserReadJob::failWith(GraphRequestJob *job)
{
    m_failed = job->result();
    cancelAll();
    fail(RequestFailed, job->errorString());
    emitResult();
}

void PartitionedUserReadJob::onPage(GraphRequestJob *job, const Pending &pending)
{
    m_inFlight.removeAll(job);
    if (isFinished())
        return;
    const GraphResult r = job->result();
    if (!r.ok) {
        if (!pending.prefix.isEmpty() && r.httpStatus == 400) {
            // Graph refused a partition's query: read plainly. Said only once the plain
            // read works (a refused $select fails it too, and the caller handles that).
            startPlain(QString());
            m_partitioned = false;
            m_pendingWarning = tr("Graph refused the partition filter startswith("
                                  "userPrincipalName,'%1') (%2 %3): the users were read page "
                                  "by page.")
                                   .arg(pending.prefix)
                                   .arg(r.httpStatus)
                                   .arg(r.code);
            return;
        }
        failWith(job);
        return;
    }
    ++m_pages;
    m_bytes += job->bytesReceived();
    if (!m_pendingWarning.isEmpty()) {
        m_warnings.append(std::exchange(m_pendingWarning, QString()));
        Q_EMIT infoMessage(m_warnings.last());
    }
    consume(r.body);
    const QString next = r.body.value(QLatin1String("@odata.nextLink")).toString();
    if (!next.isEmpty())
        m_queue.prepend({pending.prefix, next, false, 0});
    else if (!m_plain)
        ++m_partitionsDone;
    if (m_counts.isEmpty() && m_queue.isEmpty() && m_inFlight.isEmpty()) {
        allDone();
        return;
    }
    pump();
}

void PartitionedUserReadJob::allDone()
{
    if (m_plain) {
        emitResult();
        return;
    }
    // The proof: a fresh count of the whole collection.
    m_verifying = true;
    m_counts.append({QString(), QString(), true, 0});
    pump();
}

void PartitionedUserReadJob::consume(const QJsonObject &page)
{
    const QJsonArray values = page.value(QLatin1String("value")).toArray();
    // Room for the users the count promised (up to a bound: a count is the server's word):
    // growing a list of 200k users step by step moves every user again at each step, on
    // the GUI thread.
    if (const qint64 room = std::min<qint64>(m_counted, 2'000'000); room > m_users.capacity())
        m_users.reserve(room);
    for (const QJsonValue &v : values) {
        CloudUser u = GraphClient::userFromJson(v.toObject());
        if (!u.id.isEmpty()) {
            if (m_index.contains(u.id))
                continue; // in two partitions (cannot happen by construction): once
            m_index.insert(u.id, int(m_users.size()));
        }
        m_users.append(std::move(u));
    }
    setProgress(m_users.size(), m_counted > 0 ? m_counted : 0);
    Q_EMIT infoMessage(tr("Page %1: %2 users").arg(m_pages).arg(m_users.size()));
}
