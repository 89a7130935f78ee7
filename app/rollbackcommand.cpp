#include "commands.h"

#include <QTextStream>

int Commands::rollback(const QStringList &)
{
    QTextStream(stderr) << "anchorfix rollback: not available in this build yet.\n";
    return Commands::Error;
}
