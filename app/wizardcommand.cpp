#include "commands.h"
#include "processhardening.h"

#include "aboutinfo.h"
#include "anchorfixwizard.h"
#include "appwizardservices.h"
#include "wizardcontext.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTextStream>

int Commands::wizard(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Anchorfix: find and repair broken source anchors (ImmutableId) between "
                       "Active Directory and Entra ID.\nWithout a subcommand it opens the wizard. "
                       "Subcommands: convert, scan, apply, approve, rollback, verify, practice."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(
        QStringLiteral("demo"), QStringLiteral("Open the wizard on the bundled practice tenant."));
    const QCommandLineOption ldapUri(QStringLiteral("ldap-uri"), QStringLiteral("LDAP server."),
                                     QStringLiteral("uri"));
    const QCommandLineOption bindDn(QStringLiteral("bind-dn"), QStringLiteral("Bind account."),
                                    QStringLiteral("dn"));
    const QCommandLineOption baseDn(QStringLiteral("base-dn"), QStringLiteral("Search base."),
                                    QStringLiteral("dn"));
    const QCommandLineOption filter(QStringLiteral("ldap-filter"), QStringLiteral("LDAP filter."),
                                    QStringLiteral("filter"));
    const QCommandLineOption anchor(QStringLiteral("anchor"),
                                    QStringLiteral("objectGUID, mS-DS-ConsistencyGuid or "
                                                   "consistency-guid-else-objectguid."),
                                    QStringLiteral("rule"));
    const QCommandLineOption caFile(
        QStringLiteral("ca-file"), QStringLiteral("CA file for LDAP TLS."), QStringLiteral("file"));
    const QCommandLineOption onPremFile(QStringLiteral("onprem-file"),
                                        QStringLiteral("LDIF or CSV export instead of LDAP."),
                                        QStringLiteral("file"));
    const QCommandLineOption tenant(
        QStringLiteral("tenant"), QStringLiteral("Tenant id or domain."), QStringLiteral("tenant"));
    const QCommandLineOption clientId(QStringLiteral("client-id"),
                                      QStringLiteral("Application (client) id."),
                                      QStringLiteral("id"));
    const QCommandLineOption graphUrl(QStringLiteral("graph-url"),
                                      QStringLiteral("Graph endpoint (scheme and host)."),
                                      QStringLiteral("url"));
    const QCommandLineOption authorityUrl(QStringLiteral("authority-url"),
                                          QStringLiteral("Sign-in endpoint (scheme and host)."),
                                          QStringLiteral("url"));
    parser.addOptions({demo, ldapUri, bindDn, baseDn, filter, anchor, caFile, onPremFile, tenant,
                       clientId, graphUrl, authorityUrl});
    if (!parser.parse(QStringList{QCoreApplication::applicationFilePath()} + args)) {
        QTextStream(stderr) << parser.errorText() << "\n" << parser.helpText();
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return Done;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' '
                            << QCoreApplication::applicationVersion() << '\n';
        return Done;
    }
    if (!parser.positionalArguments().isEmpty()) {
        QTextStream(stderr) << "Unknown command: " << parser.positionalArguments().first() << "\n"
                            << parser.helpText();
        return Usage;
    }

    QSettings settings;
    AppWizardServices services;
    WizardContext context(&services, &settings);
    OnPremSettings onPrem = OnPremSettings::load(settings);
    CloudSettings cloud = CloudSettings::load(settings);
    if (parser.isSet(onPremFile)) {
        onPrem.source = OnPremSettings::Source::File;
        onPrem.filePath = parser.value(onPremFile);
    }
    if (parser.isSet(ldapUri)) {
        onPrem.source = OnPremSettings::Source::Ldap;
        onPrem.ldapUri = parser.value(ldapUri);
        if (onPrem.ldapUri.startsWith(u"ldaps://", Qt::CaseInsensitive))
            onPrem.tlsMode = OnPremSettings::TlsMode::Ldaps;
    }
    if (parser.isSet(bindDn))
        onPrem.bindDn = parser.value(bindDn);
    if (parser.isSet(baseDn))
        onPrem.baseDn = parser.value(baseDn);
    if (parser.isSet(filter))
        onPrem.filter = parser.value(filter);
    if (parser.isSet(caFile))
        onPrem.caFile = parser.value(caFile);
    if (parser.isSet(anchor)) {
        AnchorRule rule;
        if (!anchorRuleFromName(parser.value(anchor), &rule)) {
            QTextStream(stderr) << "--anchor must be objectGUID, mS-DS-ConsistencyGuid or "
                                   "consistency-guid-else-objectguid.\n";
            return Usage;
        }
        onPrem.anchorRule = rule;
    }
    // Secrets from the environment (never from arguments), as for the headless commands;
    // taken out of it, so that xdg-open (links, browser sign-in) does not inherit them.
    onPrem.password = ProcessHardening::takeEnvironmentSecret("ANCHORFIX_LDAP_PASSWORD");
    cloud.clientSecret = ProcessHardening::takeEnvironmentSecret("ANCHORFIX_CLIENT_SECRET");
    if (parser.isSet(tenant))
        cloud.tenant = parser.value(tenant);
    if (parser.isSet(clientId))
        cloud.clientId = parser.value(clientId);
    if (parser.isSet(graphUrl) || parser.isSet(authorityUrl))
        cloud.cloud = CloudSettings::Cloud::Custom;
    if (parser.isSet(graphUrl))
        cloud.graphUrl = QUrl(parser.value(graphUrl));
    if (parser.isSet(authorityUrl))
        cloud.authorityUrl = QUrl(parser.value(authorityUrl));

    if (parser.isSet(demo)) {
        QString output;
        if (const QString error = services.startDemo(&onPrem, &cloud, &output); !error.isEmpty()) {
            QTextStream(stderr) << error << '\n';
            return Error;
        }
        context.setDemo(true);
        if (!output.isEmpty())
            context.setOutputFolder(output);
    }
    context.setOnPremSettings(onPrem);
    context.setCloudSettings(cloud);

    AnchorfixWizard wizard(&context);
    AboutDialog::addTo(&wizard, anchorfixAboutInfo());
    wizard.show();
    return QApplication::exec() == 0 ? Done : Error;
}
