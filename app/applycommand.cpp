#include "commands.h"

#include <QTextStream>

int Commands::apply(const QStringList &)
{
    QTextStream(stderr) << "anchorfix apply: not available in this build yet.\n";
    return Commands::Error;
}
