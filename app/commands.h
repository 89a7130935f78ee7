#pragma once

#include <QStringList>

// Each subcommand of the anchorfix command line, one file each. argv excludes the
// program name and the subcommand; the return value is the process exit code
// (0 done, 1 error, 2 usage, 3 finished with failed rows — DESIGN.md §5).
namespace Commands {

enum ExitCode { Done = 0, Error = 1, Usage = 2, FinishedWithFailures = 3 };

int convert(const QStringList &args);
int scan(const QStringList &args);
int apply(const QStringList &args);
// A second person reviews and seals a plan's flagged rows (plan.approvals.json).
int approve(const QStringList &args);
int rollback(const QStringList &args);
int verify(const QStringList &args);
int practice(const QStringList &args);
// The wizard; args are the global options (--demo, connection options).
int wizard(const QStringList &args);

} // namespace Commands
