#pragma once

#include "finding.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// `anchorfix practice` as a separate process, as an admin would run it, plus its
// /_practice control endpoints, and a runner for the anchorfix binary with the
// connection options that reach it (client credentials, secret in the environment).
class PracticeProcess
{
public:
    ~PracticeProcess();

    // Writes the tenant to a file in folder and starts the server; false + message.
    bool start(const QJsonObject &tenant, const QString &folder, QString *error);
    QString baseUrl() const { return m_baseUrl; }
    QString tenantId() const { return m_tenantId; }
    qint64 processId() const { return m_process.processId(); }

    QJsonObject state();                       // GET /_practice/state
    QJsonArray writes();                       // GET /_practice/writes
    QJsonArray requests();                     // GET /_practice/requests (every Graph call)
    bool reset();                              // POST /_practice/reset
    bool setFaults(const QJsonObject &faults); // PUT /_practice/faults
    // POST /_practice/sync: one simulated sync cycle at `at` for these (anchor, UPN) pairs.
    QJsonObject sync(const QList<QPair<QString, QString>> &anchorAndUpn, const QDateTime &at);

    // cloud id → (UPN, onPremisesImmutableId) of the active users.
    QHash<QString, QPair<QString, QString>> users();

    QStringList connectionArgs(const QString &clientId) const;
    static QProcessEnvironment environment(const QString &clientSecret);

private:
    QByteArray call(const QByteArray &method, const QString &path, const QByteArray &body = {});

    QProcess m_process;
    QString m_baseUrl;
    QString m_tenantId;
};

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs anchorfix with args, or (program set) another program with programArgs.
CliRun runAnchorfix(const QStringList &args, const QProcessEnvironment &env, int timeoutMs = 60000,
                    const QString &program = QString(), const QStringList &programArgs = {});
bool writePlan(const QString &path, const QList<Finding> &rows);
