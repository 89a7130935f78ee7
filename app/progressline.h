#pragma once

#include "jobprogress.h"

#include <QElapsedTimer>
#include <QString>
#include <QTextStream>

class Job;
class QCommandLineParser;

// Progress of a long command on stderr (DESIGN.md §5): a live line rewritten with \r on
// a terminal (count, rate, time left, the wait while Graph throttles —
// JobProgress::toText()); when stderr is a file or a pipe, nothing for work done
// within a second, then one line per 10 %; nothing at all with --quiet.
class ProgressLine
{
public:
    ProgressLine(const QString &label, bool quiet);
    ~ProgressLine();

    // --quiet, for the commands that show progress.
    static void addQuietOption(QCommandLineParser &parser);
    static bool isQuiet(const QCommandLineParser &parser);

    // Shows every progress the job reports (Job::progressChanged), with an optional unit
    // after the count ("users read"); the line must outlive the job's run.
    void watch(Job *job, const QString &unit = QString());
    void update(const JobProgress &progress, const QString &unit = QString());
    // Runs a job that changes the tenant (apply, rollback) to its end: its progress on this
    // line, Ctrl+C as cancel (with stoppingText on stderr, if any), then finish().
    void runCancellable(Job *job, const QString &stoppingText = QString());
    // done of total (total 0 = not known yet), with an optional unit ("users read").
    void update(qint64 done, qint64 total, const QString &unit = QString());
    // Ends a live line (so the next output starts on a line of its own).
    void finish();

    bool isTerminal() const { return m_terminal; }
    // Tests: pretend stderr is (not) a terminal.
    void setTerminal(bool terminal) { m_terminal = terminal; }

private:
    void show(qint64 done, qint64 total, const QString &text);

    QString m_label;
    bool m_quiet;
    bool m_terminal;
    QElapsedTimer m_clock;
    QTextStream m_err;
    int m_lastWidth = 0;
    int m_lastDecile = -1;
    qint64 m_lastLineMs = 0;
};
