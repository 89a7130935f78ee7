#include "verifyjob.h"

#include "graphbatchjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"

#include <QHash>
#include <QJsonArray>
#include <QUrl>

namespace {

constexpr int BatchSize = 20; // Graph's $batch limit

QDateTime parseTime(const QJsonValue &value)
{
    QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(value.toString(), Qt::ISODate);
    return t.isValid() ? t.toUTC() : QDateTime();
}

QString showTime(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

bool isVerifiedAction(AuditAction action)
{
    return action == AuditAction::Stamp || action == AuditAction::Clear ||
           action == AuditAction::AdoptCloudAnchor;
}

// "PropertyConflict on UserPrincipalName: ann@contoso.com (since …)"; several joined by "; ".
QString provisioningErrorsText(const QJsonArray &errors)
{
    QStringList parts;
    for (const QJsonValue &v : errors) {
        const QJsonObject e = v.toObject();
        QString text = e.value(QLatin1String("category")).toString();
        const QString property = e.value(QLatin1String("propertyCausingError")).toString();
        if (!property.isEmpty())
            text += QStringLiteral(" on %1").arg(property);
        const QString value = e.value(QLatin1String("value")).toString();
        if (!value.isEmpty())
            text += QStringLiteral(": %1").arg(value);
        const QDateTime at = parseTime(e.value(QLatin1String("occurredDateTime")));
        if (at.isValid())
            text += QStringLiteral(" (since %1)").arg(showTime(at));
        parts << text;
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

AuditResult auditResultFor(VerifyResult result)
{
    switch (result) {
    case VerifyResult::Joined:
        return AuditResult::Joined;
    case VerifyResult::WaitingForSync:
        return AuditResult::WaitingForSync;
    case VerifyResult::SyncError:
        return AuditResult::SyncError;
    }
    return AuditResult::Unrecognised;
}

QString verifyResultName(VerifyResult result)
{
    return auditResultName(auditResultFor(result));
}

VerifyJob::VerifyJob(GraphClient *client, VerifySettings settings, QObject *parent)
    : Job(parent), m_client(client), m_settings(std::move(settings))
{}

int VerifyJob::count(VerifyResult result) const
{
    return int(std::count_if(m_outcomes.cbegin(), m_outcomes.cend(),
                             [result](const VerifyOutcome &o) { return o.result == result; }));
}

QString VerifyJob::userSelect()
{
    return QStringLiteral("id,userPrincipalName,onPremisesImmutableId,onPremisesSyncEnabled,"
                          "onPremisesLastSyncDateTime,onPremisesProvisioningErrors");
}

QList<AuditRecord> VerifyJob::changesToVerify(const QList<AuditRecord> &audit)
{
    QHash<QString, qsizetype> latest; // cloud id → index of its last applied change
    QList<AuditRecord> ordered;
    for (const AuditRecord &r : audit) {
        if (r.cloudId.isEmpty())
            continue;
        if (r.result == AuditResult::Applied && isVerifiedAction(r.action)) {
            latest.insert(r.cloudId, ordered.size());
            ordered << r;
        } else if (r.result == AuditResult::RolledBack) {
            latest.remove(r.cloudId); // undone: nothing left to verify
        }
    }
    QList<qsizetype> keep = latest.values();
    std::sort(keep.begin(), keep.end());
    QList<AuditRecord> changes;
    for (const qsizetype i : keep)
        changes << ordered.at(i);
    return changes;
}

VerifyOutcome VerifyJob::evaluate(const AuditRecord &change, const QJsonObject &user,
                                  int httpStatus, const QDateTime &tenantLastSync,
                                  const QDateTime &now, int syncIntervalMinutes)
{
    VerifyOutcome o;
    o.change = change;
    o.httpStatus = httpStatus;
    if (httpStatus == 404) {
        o.result = VerifyResult::SyncError;
        o.message = QObject::tr("The cloud user %1 no longer exists (404): it was deleted after "
                                "the change; look for it in the recycle bin.")
                        .arg(change.cloudId);
        return o;
    }
    const QDateTime changedAt = change.timestampUtc.toUTC();
    const QDateTime userSync = parseTime(user.value(QLatin1String("onPremisesLastSyncDateTime")));
    const bool synced = user.value(QLatin1String("onPremisesSyncEnabled")).toBool(false);
    const QString anchor = user.value(QLatin1String("onPremisesImmutableId")).toString();
    // A clear plans no particular anchor: the sync soft-matches and sets the on-prem one.
    const QString planned = change.newImmutableId;
    const bool anchorOk = planned.isEmpty() ? !anchor.isEmpty() : anchor == planned;
    const bool syncedSince = (userSync.isValid() && userSync > changedAt) ||
                             (tenantLastSync.isValid() && tenantLastSync > changedAt);
    const QJsonArray errors = user.value(QLatin1String("onPremisesProvisioningErrors")).toArray();
    bool errorSince = false;
    for (const QJsonValue &e : errors)
        errorSince = errorSince ||
                     parseTime(e.toObject().value(QLatin1String("occurredDateTime"))) > changedAt;

    const QString shown = anchor.isEmpty() ? QObject::tr("no ImmutableId") : anchor;
    if (syncedSince && synced && anchorOk && errors.isEmpty()) {
        o.result = VerifyResult::Joined;
        o.message = QObject::tr("Joined: synced with ImmutableId %1 (last sync %2).")
                        .arg(anchor, showTime(userSync.isValid() ? userSync : tenantLastSync));
        return o;
    }
    if (!errors.isEmpty() && (syncedSince || errorSince)) {
        o.result = VerifyResult::SyncError;
        o.message = QObject::tr("Entra Connect reports a sync error: %1. The cloud user has %2.")
                        .arg(provisioningErrorsText(errors), shown);
        return o;
    }
    o.result = VerifyResult::WaitingForSync;
    if (!tenantLastSync.isValid()) {
        o.message = QObject::tr("No sync yet: the tenant has no last sync time "
                                "(onPremisesLastSyncDateTime is empty).");
        return o;
    }
    const QDateTime next = tenantLastSync.addSecs(qint64(syncIntervalMinutes) * 60);
    const QDateTime clock = now.isValid() ? now.toUTC() : QDateTime::currentDateTimeUtc();
    if (syncedSince)
        o.message = QObject::tr("A sync ran at %1, after the change, but the user is not joined "
                                "with the planned anchor yet (it has %2, synced: %3). The next "
                                "sync is expected around %4.")
                        .arg(showTime(tenantLastSync), shown,
                             synced ? QObject::tr("yes") : QObject::tr("no"), showTime(next));
    else if (next < clock)
        o.message = QObject::tr("No sync since the change. The tenant last synced at %1; the "
                                "next sync was expected around %2 (every %3 minutes): check "
                                "that the Entra Connect scheduler is running "
                                "(Get-ADSyncScheduler).")
                        .arg(showTime(tenantLastSync), showTime(next))
                        .arg(syncIntervalMinutes);
    else
        o.message = QObject::tr("No sync since the change. The tenant last synced at %1; the "
                                "next sync is expected around %2.")
                        .arg(showTime(tenantLastSync), showTime(next));
    return o;
}

void VerifyJob::doStart()
{
    QList<AuditRecord> audit;
    QString error;
    if (!AuditLog::read(m_settings.auditPath, &audit, &error)) {
        finishWithError(AuditFileError, error);
        return;
    }
    m_changes = changesToVerify(audit);
    if (!m_audit.open(m_settings.auditPath, &error)) {
        finishWithError(AuditFileError, error);
        return;
    }
    setProgress(0, m_changes.size());
    if (m_changes.isEmpty()) {
        Q_EMIT infoMessage(tr("%1 records no applied change to verify.").arg(m_settings.auditPath));
        m_audit.close();
        emitResult();
        return;
    }
    if (!m_client) {
        finishWithError(ReadFailed, tr("No connection to Microsoft Graph."));
        return;
    }
    readOrganization();
}

void VerifyJob::readOrganization()
{
    auto *job = m_client->request(
        "GET",
        QStringLiteral("/organization?$select=id,onPremisesSyncEnabled,onPremisesLastSyncDateTime"),
        std::nullopt, true, QLatin1String(GraphPermission::OrganizationRead));
    m_current = job;
    connect(job, &Job::finished, this, [this, job] {
        m_current = nullptr;
        const GraphResult r = job->result();
        if (isCancelRequested()) {
            finishWithError(Cancelled, tr("Verification cancelled."));
            return;
        }
        if (!r.ok) {
            finishWithError(ReadFailed, tr("Could not read the tenant's last sync time: %1")
                                            .arg(r.advice.isEmpty() ? r.message : r.advice));
            return;
        }
        const QJsonArray value = r.body.value(QLatin1String("value")).toArray();
        m_tenantLastSync =
            parseTime(value.first().toObject().value(QLatin1String("onPremisesLastSyncDateTime")));
        nextBatch();
    });
    job->start();
}

void VerifyJob::nextBatch()
{
    if (isCancelRequested()) {
        finishWithError(Cancelled, tr("Verification cancelled after %1 of %2 changes.")
                                       .arg(m_outcomes.size())
                                       .arg(m_changes.size()));
        return;
    }
    if (m_next >= m_changes.size()) {
        QString error;
        if (!m_audit.sync(&error)) {
            finishWithError(AuditFileError, error);
            return;
        }
        m_audit.close();
        Q_EMIT infoMessage(tr("%1 joined, %2 waiting for sync, %3 with sync errors.")
                               .arg(count(VerifyResult::Joined))
                               .arg(count(VerifyResult::WaitingForSync))
                               .arg(count(VerifyResult::SyncError)));
        emitResult();
        return;
    }
    QList<GraphBatchRequest> requests;
    for (int i = m_next; i < m_changes.size() && requests.size() < BatchSize; ++i) {
        const QString path = QLatin1String("/users/") +
                             QString::fromLatin1(QUrl::toPercentEncoding(m_changes.at(i).cloudId)) +
                             QLatin1String("?$select=") + userSelect();
        requests.append(
            {QString::number(requests.size() + 1), "GET", path, std::nullopt, {}, true});
    }
    auto *job = m_client->batch(requests);
    m_current = job;
    connect(job, &Job::finished, this, [this, job] { onBatchFinished(job); });
    job->start();
}

void VerifyJob::onBatchFinished(GraphBatchJob *job)
{
    m_current = nullptr;
    if (job->error() != NoError) {
        finishWithError(job->error() == Cancelled ? int(Cancelled) : int(ReadFailed),
                        job->error() == Cancelled
                            ? tr("Verification cancelled.")
                            : tr("Could not read the changed users: %1").arg(job->errorString()));
        return;
    }
    const QList<GraphResult> results = job->results();
    QList<AuditRecord> rows;
    QString failure;
    for (int k = 0; k < results.size(); ++k) {
        const GraphResult &r = results.at(k);
        const AuditRecord &change = m_changes.at(m_next + k);
        if (!r.ok && r.httpStatus != 404) {
            failure = tr("Could not read %1 (%2): %3")
                          .arg(change.cloudUpn.isEmpty() ? change.cloudId : change.cloudUpn)
                          .arg(r.httpStatus)
                          .arg(r.advice.isEmpty() ? r.message : r.advice);
            break;
        }
        VerifyOutcome o = evaluate(change, r.body, r.httpStatus, m_tenantLastSync, m_settings.now,
                                   m_settings.syncIntervalMinutes);
        o.requestId = r.requestId;
        m_outcomes << o;
        AuditRecord row;
        row.runId = m_settings.identity.runId;
        row.operatorName = m_settings.identity.operatorName;
        row.tenantId = m_settings.identity.tenantId;
        row.rowId = change.rowId;
        row.cloudId = change.cloudId;
        row.cloudUpn = change.cloudUpn;
        row.action = change.action;
        row.oldImmutableId = change.oldImmutableId;
        row.newImmutableId = change.newImmutableId;
        row.result = auditResultFor(o.result);
        row.httpStatus = r.httpStatus;
        row.requestId = r.requestId;
        row.message = o.message;
        rows << row;
    }
    QString error;
    if (!rows.isEmpty() && !m_audit.append(rows, &error)) {
        finishWithError(AuditFileError, error);
        return;
    }
    if (!failure.isEmpty()) {
        finishWithError(ReadFailed, failure);
        return;
    }
    m_next += int(results.size());
    setProgress(m_outcomes.size(), m_changes.size());
    nextBatch();
}

void VerifyJob::doCancel()
{
    if (!m_current)
        Job::doCancel();
    // else: the request in flight finishes first, then the job ends as Cancelled
}

void VerifyJob::finishWithError(int error, const QString &text)
{
    if (m_audit.isOpen()) {
        QString ignored;
        m_audit.sync(&ignored);
        m_audit.close();
    }
    fail(error, text);
    emitResult();
}
