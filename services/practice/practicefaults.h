#pragma once

#include <QJsonObject>
#include <QList>
#include <QStringList>

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
    // User properties $select refuses as unknown (e.g. onPremisesObjectIdentifier, which
    // v1.0 does not document).
    QStringList unknownUserProperties;

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

    // Takes one write from the quota at nowMs (monotonic). Returns 0 when allowed, else
    // the milliseconds until the window frees a slot (the Retry-After to announce).
    qint64 takeWrite(qint64 nowMs);

private:
    PracticeFaultSettings m_settings;
    int m_requests = 0;
    QList<qint64> m_writeTimes; // sliding window of accepted writes
};
