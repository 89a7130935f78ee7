#include "connectionoptions.h"

#include "cloudsession.h"
#include "credentialstore.h"
#include "job.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTextStream>

namespace {

QCommandLineOption option(const char *name, const char *description, const char *value = nullptr)
{
    return value ? QCommandLineOption(QLatin1String(name), QString::fromUtf8(description),
                                      QLatin1String(value))
                 : QCommandLineOption(QLatin1String(name), QString::fromUtf8(description));
}

} // namespace

ConnectionOptions::ConnectionOptions(int parts) : m_parts(parts)
{
    // Every subcommand that connects accepts every connection option and ignores those it
    // does not need (DESIGN.md §5): one set of options serves scan, apply and rollback.
    {
        m_options << option("ldap-uri", "LDAP server, ldap://host or ldaps://host.", "uri")
                  << option("bind-dn",
                            "Account to bind as (DN or UPN); the password comes "
                            "from ANCHORFIX_LDAP_PASSWORD or the keychain.",
                            "dn")
                  << option("base-dn", "Search base, e.g. DC=corp,DC=example.", "dn")
                  << option("ldap-filter", "LDAP filter for the users to scan.", "filter")
                  << option("anchor",
                            "Source anchor rule: objectGUID, mS-DS-ConsistencyGuid or "
                            "consistency-guid-else-objectguid (default).",
                            "rule")
                  << option("ca-file",
                            "PEM file with the CA that signed the LDAP server's "
                            "certificate.",
                            "file")
                  << option("onprem-file",
                            "Read on-prem users from an LDIF or CSV export "
                            "instead of LDAP.",
                            "file");
    }
    {
        m_options << option("tenant", "Entra tenant id or verified domain.", "tenant")
                  << option("client-id",
                            "Application (client) id; its secret comes from "
                            "ANCHORFIX_CLIENT_SECRET or the keychain.",
                            "id")
                  << option("graph-url",
                            "Microsoft Graph, scheme and host (default "
                            "https://graph.microsoft.com).",
                            "url")
                  << option("authority-url",
                            "Sign-in authority, scheme and host (default "
                            "https://login.microsoftonline.com).",
                            "url");
    }
}

void ConnectionOptions::addTo(QCommandLineParser &parser) const
{
    for (const QCommandLineOption &o : m_options)
        parser.addOption(o);
}

bool ConnectionOptions::readOnPrem(const QCommandLineParser &parser, QString *error)
{
    const auto v = [&](const char *name) {
        return parser.value(QLatin1String(name));
    };
    if (parser.isSet(QStringLiteral("anchor")) && !anchorRuleFromName(v("anchor"), &m_anchorRule)) {
        *error = QStringLiteral("--anchor must be objectGUID, mS-DS-ConsistencyGuid or "
                                "consistency-guid-else-objectguid.");
        return false;
    }
    m_onPremFile = v("onprem-file");
    if (!m_onPremFile.isEmpty()) {
        if (parser.isSet(QStringLiteral("ldap-uri"))) {
            *error = QStringLiteral("Give either --onprem-file or --ldap-uri, not both.");
            return false;
        }
        return true;
    }
    if (!parser.isSet(QStringLiteral("ldap-uri"))) {
        *error = QStringLiteral("Say where the on-prem users come from: --ldap-uri (with "
                                "--bind-dn and --base-dn) or --onprem-file.");
        return false;
    }
    m_ldap.uri = v("ldap-uri");
    m_ldap.bindDn = v("bind-dn");
    m_ldap.baseDn = v("base-dn");
    if (parser.isSet(QStringLiteral("ldap-filter")))
        m_ldap.filter = v("ldap-filter");
    m_ldap.caFile = v("ca-file");
    const QString problem = m_ldap.validate(true);
    if (!problem.isEmpty()) {
        *error = problem;
        return false;
    }
    return true;
}

bool ConnectionOptions::hasCloud(const QCommandLineParser &parser) const
{
    return parser.isSet(QStringLiteral("tenant")) || parser.isSet(QStringLiteral("client-id"));
}

bool ConnectionOptions::readCloud(const QCommandLineParser &parser, QString *error)
{
    const auto v = [&](const char *name) {
        return parser.value(QLatin1String(name));
    };
    m_graph.tenant = v("tenant");
    m_graph.clientId = v("client-id");
    if (parser.isSet(QStringLiteral("graph-url")))
        m_graph.graphUrl = QUrl(v("graph-url"));
    if (parser.isSet(QStringLiteral("authority-url")))
        m_graph.authorityUrl = QUrl(v("authority-url"));
    if (m_graph.tenant.isEmpty() || m_graph.clientId.isEmpty()) {
        *error = QStringLiteral("--tenant and --client-id are required to reach the tenant.");
        return false;
    }
    const QString problem = m_graph.validate();
    if (!problem.isEmpty()) {
        *error = problem;
        return false;
    }
    return true;
}

int ConnectionOptions::waitFor(Job *job)
{
    job->setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
    job->start();
    if (!job->isFinished())
        loop.exec();
    return job->error();
}

QString ConnectionOptions::secretFromKeychain(SecretKind kind, QString *note) const
{
    CredentialStore store;
    store.setTimeout(5000);
    // The names the wizard stores them under (CredentialStore keeps them in one place).
    CredentialJob *job = kind == SecretKind::LdapPassword
                             ? store.readLdapPassword(m_ldap.uri, m_ldap.bindDn)
                             : store.readClientSecret(m_graph.tenant, m_graph.clientId);
    waitFor(job);
    const QString secret = job->isFound() ? job->secret() : QString();
    if (note && job->isSessionOnly())
        *note = job->note();
    delete job;
    return secret;
}

std::optional<LdapConfig> ConnectionOptions::writeBind(const QCommandLineParser &parser,
                                                       QString *error, bool *usage)
{
    QString why;
    *usage = !readOnPrem(parser, &why) || usesOnPremFile();
    if (*usage) {
        *error = QStringLiteral("give --ldap-uri, --bind-dn (an account that may write it) and "
                                "--base-dn. %1")
                     .arg(usesOnPremFile() ? QStringLiteral("An export file cannot be written to.")
                                           : why);
        return std::nullopt;
    }
    if (!loadLdapPassword(error))
        return std::nullopt;
    return m_ldap;
}

bool ConnectionOptions::loadLdapPassword(QString *error)
{
    if (m_ldap.bindDn.isEmpty())
        return true; // anonymous (AD refuses it, and says so)
    m_ldap.password = qEnvironmentVariable(ldapPasswordVariable);
    if (!m_ldap.password.isEmpty())
        return true;
    QString note;
    m_ldap.password = secretFromKeychain(SecretKind::LdapPassword, &note);
    if (m_ldap.password.isEmpty()) {
        *error =
            QStringLiteral("No LDAP password: set %1 or store it in the keychain with "
                           "the wizard.%2")
                .arg(QLatin1String(ldapPasswordVariable), note.isEmpty() ? QString() : u' ' + note);
        return false;
    }
    return true;
}

CloudSession *ConnectionOptions::signIn(QObject *parent, bool writeAccess, QString *error,
                                        const QStringList &extraWritePermissions)
{
    QString secret = qEnvironmentVariable(clientSecretVariable);
    if (secret.isEmpty())
        secret = secretFromKeychain(SecretKind::ClientSecret, nullptr);
    GraphConfig config = m_graph;
    config.signInMethod = secret.isEmpty() ? SignInMethod::DeviceCode : SignInMethod::ClientSecret;
    config.extraWritePermissions = extraWritePermissions;
    // Lives as long as the command: a long run renews its access token through it.
    auto *session = new CloudSession(parent);
    QObject::connect(session, &CloudSession::deviceCodeIssued, session,
                     [](const QString &, const QUrl &, const QString &message) {
                         QTextStream(stderr) << message << "\n";
                     });
    Job *job = session->signIn(config, secret, writeAccess);
    job->setAutoDelete(false);
    const int code = waitFor(job);
    const QString text = job->errorString();
    delete job;
    if (code != 0) {
        *error = QStringLiteral("Sign-in failed: %1").arg(text);
        delete session;
        return nullptr;
    }
    return session;
}
