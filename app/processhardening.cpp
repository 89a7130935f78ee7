#include "processhardening.h"

#include <QtGlobal>

#include <sys/resource.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

void ProcessHardening::apply()
{
    const struct rlimit none
    {
        0, 0
    };
    ::setrlimit(RLIMIT_CORE, &none);
#ifdef Q_OS_LINUX
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

QString ProcessHardening::takeEnvironmentSecret(const char *name)
{
    QString value = qEnvironmentVariable(name);
    qunsetenv(name);
    return value;
}
