#include "practiceprocess.h"

#include "plan.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

PracticeProcess::~PracticeProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(3000);
    }
}

bool PracticeProcess::start(const QJsonObject &tenant, const QString &folder, QString *error)
{
    const QString file = folder + QStringLiteral("/tenant.json");
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(tenant).toJson()) < 0) {
        *error = f.errorString();
        return false;
    }
    f.close();
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(QStringLiteral(ANCHORFIX_BINARY),
                    {QStringLiteral("practice"), QStringLiteral("--tenant"), file,
                     QStringLiteral("--port"), QStringLiteral("0")});
    const QRegularExpression serving(QStringLiteral("serving on (http://127\\.0\\.0\\.1:\\d+)"));
    QString output;
    for (int i = 0; i < 100 && m_baseUrl.isEmpty(); ++i) {
        if (!m_process.waitForReadyRead(100) && m_process.state() == QProcess::NotRunning)
            break;
        output += QString::fromUtf8(m_process.readAllStandardOutput());
        const auto match = serving.match(output);
        if (match.hasMatch())
            m_baseUrl = match.captured(1);
    }
    if (m_baseUrl.isEmpty()) {
        *error = QStringLiteral("anchorfix practice did not start: ") + output +
                 QString::fromUtf8(m_process.readAllStandardError());
        return false;
    }
    m_tenantId = tenant.value(QLatin1String("tenantId")).toString();
    return true;
}

QByteArray PracticeProcess::call(const QByteArray &method, const QString &path,
                                 const QByteArray &body)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(m_baseUrl + path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray data = reply->readAll();
    reply->deleteLater();
    return data;
}

QJsonObject PracticeProcess::state()
{
    return QJsonDocument::fromJson(call("GET", QStringLiteral("/_practice/state"))).object();
}

QJsonArray PracticeProcess::requests()
{
    const QJsonDocument doc =
        QJsonDocument::fromJson(call("GET", QStringLiteral("/_practice/requests")));
    return doc.object().value(QLatin1String("requests")).toArray();
}

QJsonArray PracticeProcess::writes()
{
    const QJsonDocument doc =
        QJsonDocument::fromJson(call("GET", QStringLiteral("/_practice/writes")));
    return doc.isArray() ? doc.array() : doc.object().value(QLatin1String("writes")).toArray();
}

bool PracticeProcess::reset()
{
    call("POST", QStringLiteral("/_practice/reset"));
    return writes().isEmpty();
}

bool PracticeProcess::setFaults(const QJsonObject &faults)
{
    call("PUT", QStringLiteral("/_practice/faults"), QJsonDocument(faults).toJson());
    return true;
}

QJsonObject PracticeProcess::sync(const QList<QPair<QString, QString>> &anchorAndUpn,
                                  const QDateTime &at)
{
    QJsonArray users;
    for (const auto &[anchor, upn] : anchorAndUpn)
        users.append(QJsonObject{{QStringLiteral("anchor"), anchor},
                                 {QStringLiteral("userPrincipalName"), upn}});
    return QJsonDocument::fromJson(
               call("POST", QStringLiteral("/_practice/sync"),
                    QJsonDocument(
                        QJsonObject{{QStringLiteral("users"), users},
                                    {QStringLiteral("at"), at.toUTC().toString(Qt::ISODate)}})
                        .toJson()))
        .object();
}

QHash<QString, QPair<QString, QString>> PracticeProcess::users()
{
    QHash<QString, QPair<QString, QString>> map;
    for (const QJsonValue &v : state().value(QLatin1String("users")).toArray()) {
        const QJsonObject u = v.toObject();
        map.insert(u.value(QLatin1String("id")).toString(),
                   {u.value(QLatin1String("userPrincipalName")).toString(),
                    u.value(QLatin1String("onPremisesImmutableId")).toString()});
    }
    return map;
}

QStringList PracticeProcess::connectionArgs(const QString &clientId) const
{
    return {
        QStringLiteral("--tenant"),    m_tenantId, QStringLiteral("--client-id"),     clientId,
        QStringLiteral("--graph-url"), m_baseUrl,  QStringLiteral("--authority-url"), m_baseUrl};
}

QProcessEnvironment PracticeProcess::environment(const QString &clientSecret)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ANCHORFIX_CLIENT_SECRET"), clientSecret);
    env.remove(QStringLiteral("DISPLAY")); // never a keychain prompt
    return env;
}

CliRun runAnchorfix(const QStringList &args, const QProcessEnvironment &env, int timeoutMs,
                    const QString &program, const QStringList &programArgs)
{
    QProcess process;
    process.setProcessEnvironment(env);
    if (program.isEmpty())
        process.start(QStringLiteral(ANCHORFIX_BINARY), args);
    else
        process.start(program, programArgs);
    process.waitForFinished(timeoutMs);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

bool writePlan(const QString &path, const QList<Finding> &rows)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QTextStream out(&file);
    out.setEncoding(QStringConverter::Utf8);
    Plan(rows).write(out);
    return true;
}
