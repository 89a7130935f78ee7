#include "commands.h"

#include "practicetenant.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

// anchorfix practice --tenant tenant.json --port N: serves the practice tenant on
// 127.0.0.1 until killed.
int Commands::practice(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve the practice tenant: a local stand-in for Microsoft Graph and its sign-in "
        "endpoints, on 127.0.0.1 only."));
    parser.addHelpOption();
    const QCommandLineOption tenantOption(QStringLiteral("tenant"),
                                          QStringLiteral("The practice tenant JSON file."),
                                          QStringLiteral("file"));
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("TCP port on 127.0.0.1 (0 = any free)."),
                                        QStringLiteral("port"), QStringLiteral("0"));
    parser.addOption(tenantOption);
    parser.addOption(portOption);
    if (!parser.parse(QStringList{QStringLiteral("anchorfix practice")} + args)) {
        err << parser.errorText() << "\n";
        return Commands::Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return Commands::Done;
    }
    if (!parser.isSet(tenantOption)) {
        err << "anchorfix practice: --tenant FILE is required (e.g. resources/demo/"
               "demo-tenant.json).\n";
        return Commands::Usage;
    }
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (!portOk || port > 65535) {
        err << "anchorfix practice: --port must be a number from 0 to 65535.\n";
        return Commands::Usage;
    }

    PracticeTenant tenant;
    const QString error = tenant.loadFile(parser.value(tenantOption));
    if (!error.isEmpty()) {
        err << "anchorfix practice: " << error << "\n";
        return Commands::Error;
    }
    const quint16 bound = tenant.listen(quint16(port));
    if (bound == 0) {
        err << "anchorfix practice: cannot listen on 127.0.0.1:" << port
            << " (in use or not allowed).\n";
        return Commands::Error;
    }
    const QString base = tenant.baseUrl();
    out << "Practice tenant " << tenant.tenantId() << " serving on " << base << "\n"
        << "  --authority-url " << base << "\n"
        << "  --graph-url     " << base << "\n"
        << "  --tenant        " << tenant.tenantId() << "\n"
        << "  --client-id     " << tenant.practiceClientId() << "\n"
        << "  token endpoint  " << base << "/" << tenant.tenantId() << "/oauth2/v2.0/token\n"
        << "  Graph           " << base << "/v1.0/\n"
        << "  device login    " << base << "/_practice/devicelogin\n"
        << "  control         " << base << "/_practice/{faults,state,writes,requests,reset}\n"
        << "Stop with Ctrl+C.\n";
    out.flush();
    QObject::connect(&tenant, &PracticeTenant::deviceCodeIssued, &tenant,
                     [](const QString &code, const QString &uri) {
                         QTextStream(stdout)
                             << "Device code " << code << " issued; approve it at " << uri << "\n";
                     });
    return QCoreApplication::exec();
}
