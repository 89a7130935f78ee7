#include "writepacer.h"

#include <algorithm>

WritePacer::WritePacer(int writesPerWindow, qint64 windowMs)
    : m_quota(qMax(1, writesPerWindow)), m_windowMs(qMax<qint64>(1, windowMs)),
      m_marginMs(qMax<qint64>(1, windowMs / 500))
{}

void WritePacer::forgetBefore(qint64 nowMs)
{
    qsizetype drop = 0;
    while (drop < m_sent.size() && m_sent.at(drop) + m_windowMs + m_marginMs <= nowMs)
        ++drop;
    m_sent.remove(0, drop);
}

qint64 WritePacer::delayFor(int writes, qint64 nowMs)
{
    forgetBefore(nowMs);
    writes = qMin(writes, m_quota);
    const qsizetype excess = m_sent.size() + writes - m_quota;
    if (excess <= 0)
        return 0;
    // The excess-th oldest send must leave the window first.
    return qMax<qint64>(0, m_sent.at(excess - 1) + m_windowMs + m_marginMs - nowMs);
}

void WritePacer::recordWrites(int writes, qint64 nowMs)
{
    for (int i = 0; i < writes; ++i)
        m_sent.append(nowMs);
}

void WritePacer::confirmWrites(int writes, qint64 sentMs, qint64 answeredMs)
{
    for (qsizetype i = 0; i < m_sent.size() && writes > 0; ++i) {
        if (m_sent.at(i) == sentMs) {
            m_sent[i] = answeredMs;
            --writes;
        }
    }
    std::sort(m_sent.begin(), m_sent.end());
}
