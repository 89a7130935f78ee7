#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

// Microsoft Graph's identity and access read budget ("Microsoft Graph service-specific
// throttling limits", Identity and access service limits): every request costs resource
// units (GET /users 2, any other identity path 1; $select −1, $expand +1, $top below 20 −1;
// never below 1), and an app may spend per tenant S 3,500 / M 5,000 / L 8,000 units per
// 10 seconds (S under 50 users, M up to 500, L above). The practice tenant throttles with
// it; the cloud scan paces itself with it so that a parallel read stays inside it.
class GraphReadBudget
{
public:
    static constexpr int kWindowMs = 10000;

    // The cost of one request. path is below the version ("/users", "/users/{id}", …);
    // a leading "/v1.0" or "/beta" is ignored.
    static int costOf(const QByteArray &method, const QString &path, const QUrlQuery &query);
    // The app+tenant quota per 10 s for a tenant with this many users.
    static int appTenantQuota(qint64 tenantUsers);

    // A sliding window of spent units: quota units per windowMs (quota <= 0: unlimited).
    explicit GraphReadBudget(int quota = 0, int windowMs = kWindowMs);
    void setQuota(int quota, int windowMs = kWindowMs);
    int quota() const { return m_quota; }
    int windowMs() const { return m_windowMs; }
    // Spends cost at nowMs (monotonic) when it fits and returns 0; else spends nothing and
    // returns the milliseconds until it would fit (at least 1).
    qint64 take(qint64 nowMs, int cost);
    // Units spent within the window ending at nowMs.
    int spent(qint64 nowMs);

private:
    void expire(qint64 nowMs);

    int m_quota = 0;
    int m_windowMs = kWindowMs;
    int m_spent = 0;
    QList<QPair<qint64, int>> m_spends; // (time, cost), oldest first
};
