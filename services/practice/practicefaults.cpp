#include "practicefaults.h"

#include <QJsonArray>

namespace {
QJsonArray toArray(const QList<int> &list)
{
    QJsonArray a;
    for (int n : list)
        a.append(n);
    return a;
}

QList<int> toIntList(const QJsonValue &value)
{
    QList<int> list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toInt());
    return list;
}
} // namespace

QJsonObject PracticeFaultSettings::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("writeQuota"), writeQuota);
    o.insert(QLatin1String("writeWindowMs"), writeWindowMs);
    o.insert(QLatin1String("serviceUnavailableOn"), toArray(serviceUnavailableOn));
    o.insert(QLatin1String("serviceUnavailableRetryAfter"), serviceUnavailableRetryAfter);
    o.insert(QLatin1String("dropOn"), toArray(dropOn));
    o.insert(QLatin1String("delayMs"), delayMs);
    o.insert(QLatin1String("unknownUserProperties"),
             QJsonArray::fromStringList(unknownUserProperties));
    return o;
}

PracticeFaultSettings PracticeFaultSettings::fromJson(const QJsonObject &o)
{
    PracticeFaultSettings s;
    s.writeQuota = o.value(QLatin1String("writeQuota")).toInt(0);
    s.writeWindowMs = o.value(QLatin1String("writeWindowMs")).toInt(150000);
    s.serviceUnavailableOn = toIntList(o.value(QLatin1String("serviceUnavailableOn")));
    s.serviceUnavailableRetryAfter =
        o.value(QLatin1String("serviceUnavailableRetryAfter")).toDouble(-1);
    s.dropOn = toIntList(o.value(QLatin1String("dropOn")));
    s.delayMs = o.value(QLatin1String("delayMs")).toInt(0);
    for (const QJsonValue &v : o.value(QLatin1String("unknownUserProperties")).toArray())
        s.unknownUserProperties.append(v.toString());
    return s;
}

void PracticeFaults::set(const PracticeFaultSettings &settings)
{
    m_settings = settings;
    m_requests = 0;
    m_writeTimes.clear();
}

bool PracticeFaults::shouldDrop(int requestNumber) const
{
    return m_settings.dropOn.contains(requestNumber);
}

bool PracticeFaults::shouldFail503(int requestNumber) const
{
    return m_settings.serviceUnavailableOn.contains(requestNumber);
}

qint64 PracticeFaults::takeWrite(qint64 nowMs)
{
    if (m_settings.writeQuota <= 0)
        return 0;
    const qint64 window = m_settings.writeWindowMs;
    while (!m_writeTimes.isEmpty() && m_writeTimes.first() + window <= nowMs)
        m_writeTimes.removeFirst();
    if (m_writeTimes.size() < m_settings.writeQuota) {
        m_writeTimes.append(nowMs);
        return 0;
    }
    return std::max<qint64>(1, m_writeTimes.first() + window - nowMs);
}
