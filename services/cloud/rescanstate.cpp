#include "rescanstate.h"

#include "graphclient.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace {

const QLatin1String kFormat("anchorfix-rescan-v1");
const QLatin1String kSuffix(".rescan.json");

QString tr(const char *text)
{
    return QCoreApplication::translate("RescanStateFile", text);
}

QJsonObject userToJson(const CloudUser &u)
{
    // Graph's own names: GraphClient::userFromJson reads them back.
    QJsonObject o{{QLatin1String("id"), u.id},
                  {QLatin1String("userPrincipalName"), u.upn},
                  {QLatin1String("displayName"), u.displayName},
                  {QLatin1String("mail"), u.mail},
                  {QLatin1String("proxyAddresses"), QJsonArray::fromStringList(u.proxyAddresses)},
                  {QLatin1String("accountEnabled"), u.accountEnabled}};
    o.insert(QLatin1String("onPremisesImmutableId"),
             u.immutableId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(u.immutableId));
    o.insert(QLatin1String("onPremisesSyncEnabled"),
             u.syncEnabled ? QJsonValue(*u.syncEnabled) : QJsonValue(QJsonValue::Null));
    if (!u.onPremisesObjectIdentifier.isEmpty())
        o.insert(QLatin1String("onPremisesObjectIdentifier"), u.onPremisesObjectIdentifier);
    return o;
}

} // namespace

RescanState RescanState::fromSnapshot(const CloudSnapshot &snapshot, const QString &tenant)
{
    RescanState s;
    s.tenant = tenant;
    s.tenantId = snapshot.tenantId;
    s.select = snapshot.usersDeltaSelect;
    s.scannedAt = snapshot.scannedAt.toUTC();
    s.deltaLink = snapshot.usersDeltaLink;
    s.users = snapshot.users;
    for (CloudUser &u : s.users) {
        // Read again by every scan: not kept.
        u.holdsAdminRole = false;
        u.roles.clear();
        u.provisioningErrors.clear();
        u.cloudManaged.reset();
    }
    return s;
}

CloudSnapshot RescanState::toSnapshot() const
{
    CloudSnapshot snapshot;
    snapshot.tenantId = tenantId;
    snapshot.users = users;
    snapshot.scannedAt = scannedAt;
    snapshot.usersDeltaLink = deltaLink;
    snapshot.usersDeltaSelect = select;
    return snapshot;
}

QByteArray RescanState::toJson() const
{
    QJsonArray list;
    for (const CloudUser &u : users)
        list.append(userToJson(u));
    const QJsonObject o{{QLatin1String("format"), kFormat},
                        {QLatin1String("tenant"), tenant},
                        {QLatin1String("tenantId"), tenantId},
                        {QLatin1String("select"), select},
                        {QLatin1String("scannedAtUtc"), scannedAt.toUTC().toString(Qt::ISODate)},
                        {QLatin1String("deltaLink"), deltaLink},
                        {QLatin1String("users"), list}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool RescanState::fromJson(const QByteArray &json, RescanState *state, QString *why)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        *why = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                            : tr("not a JSON object");
        return false;
    }
    const QJsonObject o = doc.object();
    if (o.value(QLatin1String("format")).toString() != kFormat) {
        *why = tr("format is not %1").arg(kFormat);
        return false;
    }
    RescanState s;
    s.tenant = o.value(QLatin1String("tenant")).toString();
    s.tenantId = o.value(QLatin1String("tenantId")).toString();
    s.select = o.value(QLatin1String("select")).toString();
    s.scannedAt =
        QDateTime::fromString(o.value(QLatin1String("scannedAtUtc")).toString(), Qt::ISODate);
    s.deltaLink = o.value(QLatin1String("deltaLink")).toString();
    if (s.tenantId.isEmpty() || s.select.isEmpty() || s.deltaLink.isEmpty() ||
        !s.scannedAt.isValid() || !o.value(QLatin1String("users")).isArray()) {
        *why = tr("tenantId, select, scannedAtUtc, deltaLink or users is missing");
        return false;
    }
    const QJsonArray list = o.value(QLatin1String("users")).toArray();
    s.users.reserve(list.size());
    for (const QJsonValue &v : list) {
        CloudUser u = GraphClient::userFromJson(v.toObject());
        if (u.id.isEmpty()) {
            *why = tr("a user without an id");
            return false;
        }
        s.users.append(std::move(u));
    }
    *state = std::move(s);
    return true;
}

QString RescanStateFile::pathFor(const QString &planPath)
{
    if (planPath.endsWith(kSuffix, Qt::CaseInsensitive))
        return planPath;
    QString base = planPath;
    if (base.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        base.chop(4);
    return base + kSuffix;
}

bool RescanStateFile::read(const QString &path, RescanState *state, QString *error)
{
    QFile file(path);
    if (!file.exists()) {
        *error = tr("%1 does not exist: only a scan that wrote its plan with this version keeps "
                    "what a rescan needs. Scan without --since-previous.")
                     .arg(path);
        return false;
    }
    if (QFileInfo(path).isSymLink() || !file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2.")
                     .arg(path, file.isOpen() ? file.errorString() : tr("a symbolic link"));
        return false;
    }
    QString why;
    if (!RescanState::fromJson(file.readAll(), state, &why)) {
        *error = tr("%1 is not a rescan state of Anchorfix (%2). Scan without --since-previous.")
                     .arg(path, why);
        return false;
    }
    return true;
}

bool RescanStateFile::write(const QString &path, const RescanState &state, QString *error)
{
    if (QFileInfo(path).isSymLink()) {
        *error = tr("Cannot write %1: it is a symbolic link.").arg(path);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2.").arg(path, file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(state.toJson());
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool RescanStateFile::usableFor(const RescanState &state, const QString &tenant,
                                const QStringList &selects, QString *why)
{
    // The tenant as given may be its id or one of its domains: either one the state saw.
    if (tenant.compare(state.tenant, Qt::CaseInsensitive) != 0 &&
        tenant.compare(state.tenantId, Qt::CaseInsensitive) != 0) {
        *why = tr("the previous scan is of tenant %1 (%2), not %3: its changes say nothing "
                  "about this tenant. Scan without --since-previous.")
                   .arg(state.tenant, state.tenantId, tenant);
        return false;
    }
    if (!selects.contains(state.select)) {
        // A delta answers only the properties its link was taken with.
        *why = tr("the previous scan read the users with other properties ($select=%1) than "
                  "this version reads: a rescan would miss changes to the others. Scan without "
                  "--since-previous.")
                   .arg(state.select);
        return false;
    }
    return true;
}
