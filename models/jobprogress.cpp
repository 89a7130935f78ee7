#include "jobprogress.h"

#include <QCoreApplication>

QString JobProgress::toText() const
{
    QString text = total > 0 ? QStringLiteral("%1/%2").arg(done).arg(total) : QString::number(done);
    if (!currentUser.isEmpty())
        text += QStringLiteral(" · ") + currentUser;
    if (perMinute > 0)
        text += QStringLiteral(" · %1/min").arg(qRound(perMinute));
    if (secondsLeft >= 0)
        text += QStringLiteral(" · %1:%2 left")
                    .arg(secondsLeft / 60)
                    .arg(secondsLeft % 60, 2, 10, QLatin1Char('0'));
    if (paused)
        text += QStringLiteral(" · ") + QCoreApplication::translate("Executor", "paused");
    if (!waitReason.isEmpty()) {
        text += QStringLiteral(" · ") + waitReason;
        if (waitSecondsLeft >= 0)
            text += QCoreApplication::translate("Executor", ": next request in %1 s")
                        .arg(waitSecondsLeft);
    }
    return text;
}
