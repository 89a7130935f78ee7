// Graph JSON: a user object or a page of them ({"value":[…]}) as GraphClient reads it.
// No crash on any JSON; and a user written from what was read reads back the same
// (userFromJson(toJson(userFromJson(x))) == userFromJson(x)).
#include "clouduser.h"
#include "fuzzcheck.h"
#include "graphclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

QJsonObject toJson(const CloudUser &u)
{
    QJsonObject o;
    o.insert(QLatin1String("id"), u.id);
    o.insert(QLatin1String("userPrincipalName"), u.upn);
    o.insert(QLatin1String("displayName"), u.displayName);
    o.insert(QLatin1String("mail"), u.mail);
    o.insert(QLatin1String("proxyAddresses"), QJsonArray::fromStringList(u.proxyAddresses));
    o.insert(QLatin1String("onPremisesImmutableId"), u.immutableId);
    o.insert(QLatin1String("onPremisesSyncEnabled"),
             u.syncEnabled ? QJsonValue(*u.syncEnabled) : QJsonValue(QJsonValue::Null));
    o.insert(QLatin1String("onPremisesObjectIdentifier"), u.onPremisesObjectIdentifier);
    o.insert(QLatin1String("accountEnabled"), u.accountEnabled);
    if (u.deletedDateTime.isValid())
        o.insert(QLatin1String("deletedDateTime"), u.deletedDateTime.toString(Qt::ISODateWithMs));
    return o;
}

void check(const QJsonObject &json)
{
    const CloudUser u = GraphClient::userFromJson(json);
    CloudUser back = GraphClient::userFromJson(toJson(u));
    FUZZ_CHECK_EQ(back.id, u.id);
    FUZZ_CHECK_EQ(back.upn, u.upn);
    FUZZ_CHECK_EQ(back.mail, u.mail);
    FUZZ_CHECK_EQ(back.proxyAddresses, u.proxyAddresses);
    FUZZ_CHECK_EQ(back.immutableId, u.immutableId);
    FUZZ_CHECK(back.syncEnabled == u.syncEnabled);
    FUZZ_CHECK_EQ(back.accountEnabled, u.accountEnabled);
    FUZZ_CHECK_EQ(back.deletedDateTime.isValid(), u.deletedDateTime.isValid());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(fuzzBytes(data, size));
    if (!doc.isObject())
        return 0;
    const QJsonObject root = doc.object();
    check(root);
    for (const QJsonValue &v : root.value(QLatin1String("value")).toArray())
        check(v.toObject());
    return 0;
}
