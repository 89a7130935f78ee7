#include "commands.h"

#include <QTextStream>

int Commands::wizard(const QStringList &)
{
    QTextStream(stderr) << "The wizard is not available in this build yet; try "
                           "'anchorfix convert --help'.\n";
    return Commands::Error;
}
