#pragma once

#include <QList>
#include <QtGlobal>

// Keeps writes within a sliding-window quota (Graph's identity write quota: 3,000 writes
// per 2 min 30 s per app and tenant), so that a large run is paced instead of throttled.
// Writes are reckoned from when their answer came (the server counted them before
// that), plus a small margin.
class WritePacer
{
public:
    WritePacer(int writesPerWindow = 3000, qint64 windowMs = 150000);

    int writesPerWindow() const { return m_quota; }
    qint64 windowMs() const { return m_windowMs; }

    // How long to wait at nowMs before `writes` more may be sent (0 = now).
    qint64 delayFor(int writes, qint64 nowMs);
    // Records `writes` sent at nowMs.
    void recordWrites(int writes, qint64 nowMs);
    // The answer to writes sent at sentMs came at answeredMs: the server counted them
    // somewhere in between, so the window is reckoned from the (later) answer.
    void confirmWrites(int writes, qint64 sentMs, qint64 answeredMs);

private:
    void forgetBefore(qint64 nowMs);

    int m_quota;
    qint64 m_windowMs;
    qint64 m_marginMs;
    QList<qint64> m_sent; // send times, oldest first
};
