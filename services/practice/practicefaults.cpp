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

QString PracticeFaultRule::effectName(Effect effect)
{
    switch (effect) {
    case Effect::LostReply:
        return QStringLiteral("lostReply");
    case Effect::SlowReply:
        return QStringLiteral("slowReply");
    case Effect::ServiceUnavailable:
        return QStringLiteral("serviceUnavailable");
    case Effect::Throttle:
        return QStringLiteral("throttle");
    case Effect::Drop:
        return QStringLiteral("drop");
    }
    return {};
}

QJsonObject PracticeFaultRule::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("effect"), effectName(effect));
    if (!method.isEmpty())
        o.insert(QLatin1String("method"), QString::fromLatin1(method));
    if (!pathContains.isEmpty())
        o.insert(QLatin1String("pathContains"), pathContains);
    if (!bodyContains.isEmpty())
        o.insert(QLatin1String("bodyContains"), bodyContains);
    o.insert(QLatin1String("inBatch"), inBatch);
    o.insert(QLatin1String("skip"), skip);
    o.insert(QLatin1String("times"), times);
    if (delayMs > 0)
        o.insert(QLatin1String("delayMs"), delayMs);
    if (!retryAfter.isEmpty())
        o.insert(QLatin1String("retryAfter"), retryAfter);
    return o;
}

PracticeFaultRule PracticeFaultRule::fromJson(const QJsonObject &o)
{
    PracticeFaultRule r;
    const QString effect = o.value(QLatin1String("effect")).toString();
    for (Effect e : {Effect::LostReply, Effect::SlowReply, Effect::ServiceUnavailable,
                     Effect::Throttle, Effect::Drop})
        if (effect.compare(effectName(e), Qt::CaseInsensitive) == 0)
            r.effect = e;
    r.method = o.value(QLatin1String("method")).toString().toUpper().toLatin1();
    r.pathContains = o.value(QLatin1String("pathContains")).toString();
    r.bodyContains = o.value(QLatin1String("bodyContains")).toString();
    r.inBatch = o.value(QLatin1String("inBatch")).toBool(false);
    r.skip = o.value(QLatin1String("skip")).toInt(0);
    r.times = o.value(QLatin1String("times")).toInt(1);
    r.delayMs = o.value(QLatin1String("delayMs")).toInt(0);
    const QJsonValue ra = o.value(QLatin1String("retryAfter"));
    r.retryAfter = ra.isDouble() ? QString::number(ra.toDouble()) : ra.toString();
    return r;
}

QJsonObject PracticeFaultSettings::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("writeQuota"), writeQuota);
    o.insert(QLatin1String("writeWindowMs"), writeWindowMs);
    o.insert(QLatin1String("serviceUnavailableOn"), toArray(serviceUnavailableOn));
    o.insert(QLatin1String("serviceUnavailableRetryAfter"), serviceUnavailableRetryAfter);
    o.insert(QLatin1String("dropOn"), toArray(dropOn));
    o.insert(QLatin1String("delayMs"), delayMs);
    o.insert(QLatin1String("pageDelayMs"), pageDelayMs);
    o.insert(QLatin1String("readBudget"), readBudget);
    o.insert(QLatin1String("readWindowMs"), readWindowMs);
    o.insert(QLatin1String("countOffset"), countOffset);
    o.insert(QLatin1String("deltaTokenLifetimeMs"), double(deltaTokenLifetimeMs));
    o.insert(QLatin1String("deltaResync"), deltaResync);
    o.insert(QLatin1String("unknownUserProperties"),
             QJsonArray::fromStringList(unknownUserProperties));
    QJsonArray list;
    for (const PracticeFaultRule &r : rules)
        list.append(r.toJson());
    o.insert(QLatin1String("rules"), list);
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
    s.pageDelayMs = o.value(QLatin1String("pageDelayMs")).toInt(0);
    s.readBudget = o.value(QLatin1String("readBudget")).toInt(0);
    s.readWindowMs = o.value(QLatin1String("readWindowMs")).toInt(10000);
    s.countOffset = o.value(QLatin1String("countOffset")).toInt(0);
    s.deltaTokenLifetimeMs =
        qint64(o.value(QLatin1String("deltaTokenLifetimeMs")).toDouble(7.0 * 24 * 3600 * 1000));
    s.deltaResync = o.value(QLatin1String("deltaResync")).toBool(false);
    for (const QJsonValue &v : o.value(QLatin1String("unknownUserProperties")).toArray())
        s.unknownUserProperties.append(v.toString());
    for (const QJsonValue &v : o.value(QLatin1String("rules")).toArray())
        s.rules.append(PracticeFaultRule::fromJson(v.toObject()));
    return s;
}

void PracticeFaults::set(const PracticeFaultSettings &settings)
{
    m_settings = settings;
    m_requests = 0;
    m_writeTimes.clear();
    m_readUnits = GraphReadBudget();
    m_ruleMatches = QList<int>(settings.rules.size(), 0);
}

const PracticeFaultRule *PracticeFaults::hit(const PracticeRequest &request, bool inBatch)
{
    const PracticeFaultRule *first = nullptr;
    for (int i = 0; i < m_settings.rules.size(); ++i) {
        const PracticeFaultRule &rule = m_settings.rules.at(i);
        if (rule.inBatch != inBatch)
            continue;
        if (!rule.method.isEmpty() && rule.method != request.method)
            continue;
        if (!rule.pathContains.isEmpty() && !request.path.contains(rule.pathContains))
            continue;
        if (!rule.bodyContains.isEmpty() &&
            !QString::fromUtf8(request.body).contains(rule.bodyContains))
            continue;
        const int seen = m_ruleMatches[i]++;
        if (!first && seen >= rule.skip && seen < rule.skip + rule.times)
            first = &rule;
    }
    return first;
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

qint64 PracticeFaults::takeReadUnits(qint64 nowMs, int cost, int quota)
{
    if (quota <= 0)
        return 0;
    if (m_readUnits.quota() != quota || m_readUnits.windowMs() != m_settings.readWindowMs)
        m_readUnits.setQuota(quota, m_settings.readWindowMs);
    return m_readUnits.take(nowMs, cost);
}
