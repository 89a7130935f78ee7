#include "commands.h"

#include <QTextStream>

int Commands::practice(const QStringList &)
{
    QTextStream(stderr) << "anchorfix practice: not available in this build yet.\n";
    return Commands::Error;
}
