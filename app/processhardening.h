#pragma once

#include <QString>

// Keeps secrets inside the process: no core dump can carry a token, a password or a
// client secret, and no child process (xdg-open for a link, a browser) inherits one.
namespace ProcessHardening {

// No core file (RLIMIT_CORE 0) and, on Linux, not dumpable (PR_SET_DUMPABLE 0: no core,
// no ptrace attach by other processes of the same user). Call first thing in main().
void apply();

// Reads a secret from the environment and removes it from the environment, so processes
// started later (QDesktopServices runs xdg-open) do not inherit it.
QString takeEnvironmentSecret(const char *name);

} // namespace ProcessHardening
