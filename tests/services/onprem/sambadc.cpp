#include "sambadc.h"

#include <QFile>
#include <QProcess>

SambaDc::SambaDc()
{
    const QString dir = qEnvironmentVariable("ANCHORFIX_SAMBA_DC_DIR");
    if (dir.isEmpty()) {
        m_error = QStringLiteral("ANCHORFIX_SAMBA_DC_DIR is not set: run this test through ctest "
                                 "(fixture samba_dc) or start tests/samba/samba-dc.sh yourself.");
        return;
    }
    QFile file(dir + QStringLiteral("/dc.env"));
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("Cannot read %1: %2").arg(file.fileName(), file.errorString());
        return;
    }
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            m_env.insert(line.left(eq), line.mid(eq + 1));
    }
}

QString SambaDc::adminPassword() const
{
    QFile file(passwordFile());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString SambaDc::servicePassword() const
{
    QFile file(value(QStringLiteral("SAMBA_DC_SVC_PASSWORD_FILE")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

LdapConfig SambaDc::ldapsConfig() const
{
    LdapConfig c;
    c.uri = QStringLiteral("ldaps://127.0.0.1");
    c.bindDn = adminUpn();
    c.password = adminPassword();
    c.baseDn = baseDn();
    c.caFile = caFile();
    c.timeoutSeconds = 60;
    return c;
}

QByteArray SambaDc::runTool(const QString &tool, const QStringList &arguments,
                            const QByteArray &input, bool *ok, QString *errorOutput) const
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LDAPTLS_CACERT"), caFile());
    env.insert(QStringLiteral("LDAPTLS_REQCERT"), QStringLiteral("demand"));
    process.setProcessEnvironment(env);
    QStringList args{
        QStringLiteral("-x"), QStringLiteral("-H"), QStringLiteral("ldaps://127.0.0.1"),
        QStringLiteral("-D"), adminUpn(),           QStringLiteral("-y"),
        passwordFile()};
    args += arguments;
    process.start(tool, args);
    process.waitForStarted();
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(600000);
    const bool success = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (ok)
        *ok = success;
    if (errorOutput)
        *errorOutput = QString::fromUtf8(process.readAllStandardError());
    return process.readAllStandardOutput();
}

QByteArray SambaDc::binaryAttribute(const QString &dn, const QByteArray &name) const
{
    bool ok = false;
    const QByteArray out =
        runTool(QStringLiteral("ldapsearch"),
                {QStringLiteral("-LLL"), QStringLiteral("-o"), QStringLiteral("ldif-wrap=no"),
                 QStringLiteral("-s"), QStringLiteral("base"), QStringLiteral("-b"), dn,
                 QStringLiteral("(objectClass=*)"), QString::fromLatin1(name)},
                {}, &ok);
    if (!ok)
        return "-";
    const QByteArray prefix = name + ":: ";
    for (const QByteArray &line : out.split('\n'))
        if (line.startsWith(prefix))
            return QByteArray::fromBase64(line.mid(prefix.size()));
    return {};
}
