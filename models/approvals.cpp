#include "approvals.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Approvals", text);
}
const QLatin1String kFormat("anchorfix-approvals");
} // namespace

const ApprovalDecision *Approvals::decision(int rowId) const
{
    for (const ApprovalDecision &d : decisions)
        if (d.rowId == rowId)
            return &d;
    return nullptr;
}

QList<QString> Approvals::approvedRowDigests() const
{
    QList<ApprovalDecision> approved;
    for (const ApprovalDecision &d : decisions)
        if (d.approved)
            approved.append(d);
    std::sort(
        approved.begin(), approved.end(),
        [](const ApprovalDecision &a, const ApprovalDecision &b) { return a.rowId < b.rowId; });
    QList<QString> digests;
    for (const ApprovalDecision &d : std::as_const(approved))
        digests.append(d.rowDigest);
    return digests;
}

int Approvals::approvedCount() const
{
    return int(std::count_if(decisions.cbegin(), decisions.cend(),
                             [](const ApprovalDecision &d) { return d.approved; }));
}

QByteArray Approvals::toJson() const
{
    QJsonArray rows;
    for (const ApprovalDecision &d : decisions) {
        QJsonObject o{{QLatin1String("row_id"), d.rowId},
                      {QLatin1String("decision"),
                       d.approved ? QStringLiteral("approve") : QStringLiteral("reject")},
                      {QLatin1String("reason"), d.reason}};
        if (d.approved)
            o.insert(QLatin1String("row_digest"), d.rowDigest);
        rows.append(o);
    }
    const QJsonObject approver{{QLatin1String("upn"), approverUpn},
                               {QLatin1String("oid"), approverOid},
                               {QLatin1String("name"), approverName}};
    const QJsonObject o{
        {QLatin1String("format"), kFormat},
        {QLatin1String("version"), FormatVersion},
        {QLatin1String("tenant_id"), tenantId},
        {QLatin1String("approver"), approver},
        {QLatin1String("approved_at_utc"), approvedAtUtc.toUTC().toString(Qt::ISODate)},
        {QLatin1String("sealed"), sealed},
        {QLatin1String("digest"), digest},
        {QLatin1String("decisions"), rows},
        {QLatin1String("id_token"), idToken},
    };
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

bool Approvals::fromJson(const QByteArray &json, Approvals *out, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return fail(tr("not a JSON object (%1)").arg(pe.errorString()));
    const QJsonObject o = doc.object();
    if (o.value(QLatin1String("format")).toString() != kFormat ||
        o.value(QLatin1String("version")).toInt() != FormatVersion)
        return fail(tr("not an approvals file of version %1 (format \"%2\")")
                        .arg(FormatVersion)
                        .arg(kFormat));
    Approvals a;
    a.tenantId = o.value(QLatin1String("tenant_id")).toString();
    const QJsonObject approver = o.value(QLatin1String("approver")).toObject();
    a.approverUpn = approver.value(QLatin1String("upn")).toString();
    a.approverOid = approver.value(QLatin1String("oid")).toString();
    a.approverName = approver.value(QLatin1String("name")).toString();
    a.approvedAtUtc =
        QDateTime::fromString(o.value(QLatin1String("approved_at_utc")).toString(), Qt::ISODate);
    a.approvedAtUtc = a.approvedAtUtc.toUTC();
    // Written back in UTC, a time past 9999 (an offset can take it there) has no ISO form:
    // the file would be refused the next time it is read.
    if (!a.approvedAtUtc.isValid() || a.approvedAtUtc.date().year() > 9999 ||
        a.approvedAtUtc.date().year() < 1)
        return fail(tr("approved_at_utc is not an ISO 8601 time in the years 1 to 9999 UTC"));
    if (!o.value(QLatin1String("sealed")).isBool())
        return fail(tr("\"sealed\" must be true or false"));
    a.sealed = o.value(QLatin1String("sealed")).toBool();
    a.digest = o.value(QLatin1String("digest")).toString();
    a.idToken = o.value(QLatin1String("id_token")).toString();
    if (a.approverUpn.isEmpty() && a.approverOid.isEmpty())
        return fail(tr("the file names no approver"));
    QSet<int> seen;
    for (const QJsonValue &v : o.value(QLatin1String("decisions")).toArray()) {
        const QJsonObject r = v.toObject();
        ApprovalDecision d;
        const QJsonValue rowId = r.value(QLatin1String("row_id"));
        if (!rowId.isDouble())
            return fail(tr("a decision has no row_id"));
        // toInt() makes 3.5 (or 1e10) row 0: a decision for a row no plan has.
        d.rowId = rowId.toInt();
        if (d.rowId <= 0 || double(d.rowId) != rowId.toDouble())
            return fail(tr("a decision's row_id %1 is not a row number").arg(rowId.toDouble()));
        const QString decision = r.value(QLatin1String("decision")).toString();
        if (decision != QLatin1String("approve") && decision != QLatin1String("reject"))
            return fail(tr("row %1: decision must be \"approve\" or \"reject\"").arg(d.rowId));
        d.approved = decision == QLatin1String("approve");
        d.reason = r.value(QLatin1String("reason")).toString();
        d.rowDigest = r.value(QLatin1String("row_digest")).toString();
        if (d.approved && d.rowDigest.isEmpty())
            return fail(tr("row %1 is approved without its row_digest").arg(d.rowId));
        if (seen.contains(d.rowId))
            return fail(tr("row %1 is decided twice").arg(d.rowId));
        seen.insert(d.rowId);
        a.decisions.append(d);
    }
    *out = a;
    return true;
}
