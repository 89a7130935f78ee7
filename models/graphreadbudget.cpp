#include "graphreadbudget.h"

#include <algorithm>

int GraphReadBudget::costOf(const QByteArray &method, const QString &path, const QUrlQuery &query)
{
    QStringView p(path);
    for (const auto prefix : {u"/v1.0", u"/beta"})
        if (p.startsWith(prefix)) {
            p = p.mid(qsizetype(std::char_traits<char16_t>::length(prefix)));
            break;
        }
    while (p.endsWith(u'/'))
        p.chop(1);
    // Base costs from Graph's table; everything not listed costs 1.
    int cost = 1;
    if (method == "GET") {
        if (p == u"/users" || p == u"/applications" || p == u"/oauth2PermissionGrants")
            cost = 2;
        else if (p == u"/contracts" || p == u"/subscribedSkus")
            cost = 3;
        else if (p.startsWith(u"/groups/") && p.endsWith(u"/members"))
            cost = 3;
        else if (p.startsWith(u"/groups/") && p.endsWith(u"/transitiveMembers"))
            cost = 5;
    }
    if (query.hasQueryItem(QStringLiteral("$select")))
        cost -= 1;
    if (query.hasQueryItem(QStringLiteral("$expand")))
        cost += 1;
    if (query.hasQueryItem(QStringLiteral("$top"))) {
        bool ok = false;
        const int top = query.queryItemValue(QStringLiteral("$top")).toInt(&ok);
        if (ok && top < 20)
            cost -= 1;
    }
    return std::max(cost, 1);
}

int GraphReadBudget::appTenantQuota(qint64 tenantUsers)
{
    if (tenantUsers < 50)
        return 3500;
    if (tenantUsers <= 500)
        return 5000;
    return 8000;
}

GraphReadBudget::GraphReadBudget(int quota, int windowMs) : m_quota(quota), m_windowMs(windowMs) {}

void GraphReadBudget::setQuota(int quota, int windowMs)
{
    m_quota = quota;
    m_windowMs = std::max(1, windowMs);
}

void GraphReadBudget::expire(qint64 nowMs)
{
    while (!m_spends.isEmpty() && m_spends.first().first + m_windowMs <= nowMs) {
        m_spent -= m_spends.first().second;
        m_spends.removeFirst();
    }
}

qint64 GraphReadBudget::take(qint64 nowMs, int cost)
{
    if (m_quota <= 0)
        return 0;
    expire(nowMs);
    if (m_spent + cost <= m_quota || m_spends.isEmpty()) {
        m_spends.append({nowMs, cost});
        m_spent += cost;
        return 0;
    }
    // The earliest moment enough old spends have left the window.
    int freed = 0;
    for (const auto &[at, c] : std::as_const(m_spends)) {
        freed += c;
        if (m_spent - freed + cost <= m_quota)
            return std::max<qint64>(1, at + m_windowMs - nowMs);
    }
    return std::max<qint64>(1, m_spends.last().first + m_windowMs - nowMs);
}

int GraphReadBudget::spent(qint64 nowMs)
{
    expire(nowMs);
    return m_spent;
}
