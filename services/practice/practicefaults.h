#pragma once

#include "graphreadbudget.h"
#include "practicehttp.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

// One targeted fault: which requests it matches, which of those it hits, what it does.
// Switchable per test: in C++ (PracticeFaultSettings::rules) or in the /_practice/faults
// JSON ("rules": [{"effect": "lostReply", "method": "POST", "pathContains": "$batch",
// "bodyContains": "onPremisesImmutableId", "times": 3}]).
struct PracticeFaultRule
{
    enum class Effect {
        LostReply,          // do the request, then close the connection without answering
        SlowReply,          // do the request, answer only after delayMs
        ServiceUnavailable, // 503 serviceNotAvailable, nothing done
        Throttle,           // 429 TooManyRequests, nothing done
        Drop,               // close the connection before doing anything
    };
    Effect effect = Effect::LostReply;
    QByteArray method;    // "PATCH", "POST", "DELETE", …; empty = any
    QString pathContains; // e.g. "/$batch", a user id; empty = any
    QString bodyContains; // e.g. "\"userPrincipalName\""; empty = any
    // Match the requests inside a $batch (ServiceUnavailable and Throttle only: an inner
    // response with that status) instead of HTTP requests.
    bool inBatch = false;
    int skip = 0;       // let this many matching requests through first
    int times = 1;      // then hit this many; 3 gets a lost reply past Qt's two silent re-sends
    int delayMs = 0;    // SlowReply
    QString retryAfter; // ServiceUnavailable/Throttle: Retry-After as sent; empty = none

    QJsonObject toJson() const;
    static PracticeFaultRule fromJson(const QJsonObject &json);
    static QString effectName(Effect effect);
};

// Fault injection for the practice tenant, switchable per test (C++) or over HTTP
// (PUT /_practice/faults with this object's JSON). Request numbers count Graph requests
// (/v1.0/…, outer $batch = one) from the moment the faults were set, starting at 1.
struct PracticeFaultSettings
{
    int writeQuota = 0;                       // writes allowed per window; 0 = unlimited
    int writeWindowMs = 150000;               // Graph's identity quota window is 2 min 30 s
    QList<int> serviceUnavailableOn;          // answer 503 to these request numbers
    double serviceUnavailableRetryAfter = -1; // seconds; < 0 = no Retry-After header
    QList<int> dropOn;                        // close the connection without answer on these
    int delayMs = 0;                          // answer every Graph request this much later
    // Graph's latency for a page of a collection (users, recycle bin, delta, groups, …):
    // each such page is answered this much later (real Graph: about a second for 999 users).
    int pageDelayMs = 0;
    // Graph's read budget (GraphReadBudget): resource units per readWindowMs for the app;
    // 0 = unlimited, -1 = Graph's quota for the tenant's size (3,500 / 5,000 / 8,000).
    // Beyond it a request gets 429 TooManyRequests with Retry-After, like Graph.
    int readBudget = 0;
    int readWindowMs = 10000;
    // $count answers this much more (or less) than there are: the eventually consistent
    // index lagging behind the directory.
    int countOffset = 0;
    // Delta links older than this are refused (Graph: 7 days for directory objects).
    qint64 deltaTokenLifetimeMs = 7LL * 24 * 3600 * 1000;
    // Answer every delta link with 410 Gone (resyncRequired): a full read is needed.
    bool deltaResync = false;
    // User properties $select refuses as unknown (e.g. onPremisesObjectIdentifier, which
    // v1.0 does not document).
    QStringList unknownUserProperties;
    QList<PracticeFaultRule> rules; // targeted faults, first hit wins

    QJsonObject toJson() const;
    static PracticeFaultSettings fromJson(const QJsonObject &json);
};

// The running state of the faults.
class PracticeFaults
{
public:
    void set(const PracticeFaultSettings &settings);
    const PracticeFaultSettings &settings() const { return m_settings; }

    // Counts one Graph request; returns its number.
    int nextRequest() { return ++m_requests; }
    bool shouldDrop(int requestNumber) const;
    bool shouldFail503(int requestNumber) const;
    // Counts the request against every rule that matches it and returns the first rule
    // it hits, if any. inBatch: a request inside a $batch.
    const PracticeFaultRule *hit(const PracticeRequest &request, bool inBatch);

    // Takes one write from the quota at nowMs (monotonic). Returns 0 when allowed, else
    // the milliseconds until the window frees a slot (the Retry-After to announce).
    qint64 takeWrite(qint64 nowMs);
    // Spends cost resource units of the read budget (quota: the budget in force). Returns
    // 0 when allowed, else the milliseconds until the units are free again.
    qint64 takeReadUnits(qint64 nowMs, int cost, int quota);

private:
    PracticeFaultSettings m_settings;
    int m_requests = 0;
    QList<int> m_ruleMatches;   // per rule: matching requests seen
    QList<qint64> m_writeTimes; // sliding window of accepted writes
    GraphReadBudget m_readUnits;
};
