#include "graphresult.h"

#include "graphconfig.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("GraphAdvice", text);
}
} // namespace

void GraphResult::parseErrorEnvelope(const QJsonObject &envelope)
{
    const QJsonObject error = envelope.value(QLatin1String("error")).toObject();
    if (error.isEmpty())
        return;
    code = error.value(QLatin1String("code")).toString();
    message = error.value(QLatin1String("message")).toString();
    const QJsonArray details = error.value(QLatin1String("details")).toArray();
    if (!details.isEmpty())
        detailCode = details.first().toObject().value(QLatin1String("code")).toString();
    QJsonObject inner = error.value(QLatin1String("innerError")).toObject();
    if (inner.isEmpty())
        inner = error.value(QLatin1String("innererror")).toObject();
    const QString rid = inner.value(QLatin1String("request-id")).toString();
    if (requestId.isEmpty())
        requestId = rid;
}

QString GraphAdvice::objectConflict()
{
    return tr("A user in the recycle bin or another user holds this ImmutableId: purge or "
              "fix that object first.");
}

QString GraphAdvice::syncedObject()
{
    return tr("This user is still synced; change it on-prem or stop sync first.");
}

QString GraphAdvice::federatedDomain()
{
    return tr("The user's UPN is in a federated domain: switch UPN to the initial "
              "(*.onmicrosoft.com) domain first, stamp, then switch it back.");
}

QString GraphAdvice::signInAgain()
{
    return tr("The sign-in has expired or was refused: sign in again.");
}

QString graphAdviceFor(int httpStatus, const QString &code, const QString &detailCode,
                       const QString &requiredPermission)
{
    if (detailCode == QLatin1String("ObjectConflict"))
        return GraphAdvice::objectConflict();
    if (httpStatus == 0)
        return tr("Microsoft Graph could not be reached (network error or timeout): check the "
                  "connection and try again.");
    if (httpStatus == 401 || code == QLatin1String("InvalidAuthenticationToken"))
        return GraphAdvice::signInAgain();
    if (httpStatus == 403 || code == QLatin1String("Authorization_RequestDenied")) {
        if (requiredPermission.isEmpty())
            return tr("Access denied: the signed-in account or app lacks the Graph permission "
                      "for this request.");
        if (requiredPermission == QLatin1String(GraphPermission::UserWrite))
            return tr("Access denied: this change needs the %1 permission (delegated, granted "
                      "by an admin) and a signed-in User Administrator or higher.")
                .arg(requiredPermission);
        return tr("Access denied: grant the %1 permission to the app (admin consent) and sign "
                  "in again.")
            .arg(requiredPermission);
    }
    if (httpStatus == 404 || code == QLatin1String("Request_ResourceNotFound"))
        return tr("The object no longer exists in the tenant: scan again.");
    if (httpStatus == 429 || code == QLatin1String("TooManyRequests"))
        return tr("Microsoft Graph is throttling this app: wait a few minutes and run again "
                  "(finished rows are skipped).");
    if (httpStatus == 503 || httpStatus == 504 || httpStatus == 502)
        return tr("Microsoft Graph is temporarily unavailable: try again later.");
    if (httpStatus == 424)
        return tr("Not sent: a request it depends on in the same batch failed.");
    if (httpStatus >= 500)
        return tr("Microsoft Graph had an internal error: try again later; if it persists, "
                  "quote the request-id to Microsoft support.");
    if (httpStatus == 400)
        return tr("Microsoft Graph refused the request as invalid (%1).").arg(code);
    return tr("Microsoft Graph answered HTTP %1 (%2).").arg(httpStatus).arg(code);
}
