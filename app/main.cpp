#include "anchorfixversion.h"
#include "commands.h"
#include "processhardening.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>

#include <functional>
#include <memory>

namespace {

struct Subcommand
{
    const char *name;
    std::function<int(const QStringList &)> run;
};

const Subcommand subcommands[] = {
    {"convert", Commands::convert},   {"scan", Commands::scan},
    {"apply", Commands::apply},       {"approve", Commands::approve},
    {"rollback", Commands::rollback}, {"practice", Commands::practice},
    {"verify", Commands::verify},
};

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Anchorfix"));
    QCoreApplication::setApplicationName(QStringLiteral("anchorfix"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ANCHORFIX_VERSION));
}

} // namespace

int main(int argc, char **argv)
{
    // Before anything reads a secret or a token: a crash must not dump them to a core file.
    ProcessHardening::apply();
    // Headless subcommands never create a QApplication, so they run without a display.
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    for (const Subcommand &sub : subcommands) {
        if (first == QLatin1StringView(sub.name)) {
            QCoreApplication app(argc, argv);
            setIdentity();
            QStringList args = app.arguments();
            args.remove(0, 2);
            return sub.run(args);
        }
    }
    // Help, version and a mistyped subcommand are answered without a display, too.
    bool needsDisplay = first.isEmpty() || first.startsWith(u'-');
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" ||
            arg == "--version")
            needsDisplay = false;
    }
    std::unique_ptr<QCoreApplication> app;
    if (needsDisplay)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    setIdentity();
    QStringList args = app->arguments();
    args.removeFirst();
    return Commands::wizard(args);
}
