#include "progressline.h"

#include "connectionoptions.h"
#include "job.h"

#include <QCommandLineParser>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace {
const qint64 quietForMs = 1000;      // work done within a second shows nothing
const qint64 unknownTotalMs = 10000; // without a total: a plain line every 10 s

std::atomic_bool interrupted{false};

void onInterrupt(int)
{
    interrupted = true;
}
} // namespace

ProgressLine::ProgressLine(const QString &label, bool quiet)
    : m_label(label), m_quiet(quiet), m_terminal(::isatty(STDERR_FILENO) == 1), m_err(stderr)
{
    m_clock.start();
}

ProgressLine::~ProgressLine()
{
    finish();
}

void ProgressLine::addQuietOption(QCommandLineParser &parser)
{
    parser.addOption(
        QCommandLineOption(QStringLiteral("quiet"), QStringLiteral("Show no progress on stderr.")));
}

bool ProgressLine::isQuiet(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("quiet"));
}

void ProgressLine::watch(Job *job, const QString &unit)
{
    QObject::connect(job, &Job::progressChanged, job,
                     [this, unit](const JobProgress &p) { update(p, unit); });
}

void ProgressLine::runCancellable(Job *job, const QString &stoppingText)
{
    watch(job);
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    // The signal handler only sets a flag; the event loop turns it into a cancel.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, job, [this, job, stoppingText] {
        if (interrupted.exchange(false)) {
            if (!stoppingText.isEmpty()) {
                m_err << '\n' << stoppingText << '\n';
                m_err.flush();
            }
            job->cancel();
        }
    });
    poll.start(100);
    ConnectionOptions::waitFor(job);
    poll.stop();
    std::signal(SIGINT, previous);
    finish();
}

void ProgressLine::update(const JobProgress &progress, const QString &unit)
{
    QString text = progress.toText();
    if (!unit.isEmpty()) { // after the count, before any detail
        const qsizetype end = text.indexOf(QStringLiteral(" · "));
        text.insert(end < 0 ? text.size() : end, u' ' + unit);
    }
    show(progress.done, progress.total, text);
}

void ProgressLine::update(qint64 done, qint64 total, const QString &unit)
{
    JobProgress p;
    p.done = done;
    p.total = total;
    update(p, unit);
}

void ProgressLine::show(qint64 done, qint64 total, const QString &text)
{
    if (m_quiet)
        return;
    const QString line = m_label.isEmpty() ? text : m_label + QStringLiteral(": ") + text;
    // A live line is rewritten in place, so it costs nothing on quick work; the lines
    // written to a file or pipe start only once the work has taken a second.
    if (m_terminal) {
        m_err << '\r' << line << QString(qMax(0, m_lastWidth - int(line.size())), u' ');
        m_err.flush();
        m_lastWidth = int(line.size());
        return;
    }
    if (m_clock.elapsed() < quietForMs)
        return;
    if (total > 0) {
        const int decile = int(qMin<qint64>(10, done * 10 / total));
        if (decile <= m_lastDecile)
            return;
        m_lastDecile = decile;
    } else {
        if (m_lastLineMs > 0 && m_clock.elapsed() - m_lastLineMs < unknownTotalMs)
            return;
        m_lastLineMs = m_clock.elapsed();
    }
    m_err << line << '\n';
    m_err.flush();
}

void ProgressLine::finish()
{
    if (m_terminal && m_lastWidth > 0) {
        m_err << '\n';
        m_err.flush();
    }
    m_lastWidth = 0;
}
