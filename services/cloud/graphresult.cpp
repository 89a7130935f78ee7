#include "graphresult.h"

#include "graphconfig.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>
#include <QStringList>

#include <cerrno>
#include <cmath>
#include <cstdlib>

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

qint64 GraphResult::parseRetryAfter(const QByteArray &value, const QDateTime &nowUtc)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    if (std::isdigit(static_cast<unsigned char>(v.front())) || v.front() == '.' ||
        v.front() == '+' || v.startsWith("inf") || v.startsWith("Inf") || v.startsWith("INF")) {
        // delay-seconds. strtod saturates to HUGE_VAL on overflow and reads "inf"; the
        // conversion to milliseconds is done in double and clamped, so no value can
        // overflow an integer.
        errno = 0;
        char *end = nullptr;
        const double seconds = std::strtod(v.constData(), &end);
        if (end != v.constData() + v.size() || std::isnan(seconds) || seconds < 0)
            return -1;
        const double ms = std::ceil(seconds * 1000.0);
        if (!std::isfinite(ms) || ms >= double(RetryAfterTooLong))
            return RetryAfterTooLong;
        return qint64(ms);
    }
    // HTTP-date: the three forms RFC 9110 §5.6.7 requires a recipient to accept.
    // Day and month names are English whatever the system locale.
    const QString text = QString::fromLatin1(v).simplified();
    const QLocale c = QLocale::c();
    QDateTime when;
    for (const QString &format :
         {QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"), // IMF-fixdate
          QStringLiteral("dddd, dd-MMM-yy HH:mm:ss 'GMT'"),  // RFC 850
          QStringLiteral("ddd MMM d HH:mm:ss yyyy")}) {      // asctime (simplified)
        when = c.toDateTime(text, format);
        if (when.isValid())
            break;
    }
    if (!when.isValid())
        when = QDateTime::fromString(text, Qt::RFC2822Date); // "… +0000"
    if (!when.isValid())
        return -1;
    if (when.timeSpec() == Qt::LocalTime)
        when.setTimeSpec(Qt::UTC);                    // every HTTP-date form is GMT
    return std::max<qint64>(0, nowUtc.msecsTo(when)); // qint64 throughout: no truncation
}

bool graphPatchLanded(const QJsonObject &patchBody, const QJsonObject &user)
{
    if (patchBody.isEmpty())
        return false;
    for (auto it = patchBody.constBegin(); it != patchBody.constEnd(); ++it) {
        const QJsonValue want = it.value();
        const QJsonValue have = user.value(it.key());
        if (it.key() == QLatin1String("onPremisesImmutableId") ||
            it.key() == QLatin1String("onPremisesObjectIdentifier")) {
            if (want.toString() != have.toString()) // null and "" both mean "not set"
                return false;
        } else if (it.key() == QLatin1String("userPrincipalName")) {
            if (want.toString().compare(have.toString(), Qt::CaseInsensitive) != 0)
                return false;
        } else if (want != have) {
            return false;
        }
    }
    return true;
}

QString graphSelectFor(const QJsonObject &patchBody)
{
    QStringList select{QStringLiteral("id")};
    for (auto it = patchBody.constBegin(); it != patchBody.constEnd(); ++it)
        select.append(it.key());
    return select.join(QLatin1Char(','));
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

QString GraphAdvice::outcomeUnknown(const QString &why)
{
    return tr("outcome unknown: %1 Anchorfix could not read the target back to tell whether "
              "the change was made; the journal keeps it as pending and rollback reads it "
              "back first.")
        .arg(why);
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
