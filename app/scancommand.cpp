#include "commands.h"

#include <QTextStream>

int Commands::scan(const QStringList &)
{
    QTextStream(stderr) << "anchorfix scan: not available in this build yet.\n";
    return Commands::Error;
}
