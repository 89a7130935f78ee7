#include "onpremuser.h"

#include "immutableid.h"

QString anchorRuleName(AnchorRule rule)
{
    switch (rule) {
    case AnchorRule::ObjectGuid:
        return QStringLiteral("objectGUID");
    case AnchorRule::ConsistencyGuid:
        return QStringLiteral("mS-DS-ConsistencyGuid");
    case AnchorRule::ConsistencyGuidElseObjectGuid:
        break;
    }
    return QStringLiteral("consistency-guid-else-objectguid");
}

bool anchorRuleFromName(QStringView name, AnchorRule *rule)
{
    for (AnchorRule r : {AnchorRule::ObjectGuid, AnchorRule::ConsistencyGuid,
                         AnchorRule::ConsistencyGuidElseObjectGuid}) {
        if (name.compare(anchorRuleName(r), Qt::CaseInsensitive) == 0) {
            *rule = r;
            return true;
        }
    }
    return false;
}

QString OnPremUser::anchor(AnchorRule rule) const
{
    return ImmutableId::base64Of(anchorBytes(rule));
}

QByteArray OnPremUser::anchorBytes(AnchorRule rule) const
{
    const auto valid = [](const QByteArray &bytes) {
        return bytes.size() == 16 ? bytes : QByteArray();
    };
    switch (rule) {
    case AnchorRule::ObjectGuid:
        return valid(objectGuid);
    case AnchorRule::ConsistencyGuid:
        return valid(consistencyGuid);
    case AnchorRule::ConsistencyGuidElseObjectGuid:
        break;
    }
    return consistencyGuid.size() == 16 ? consistencyGuid : valid(objectGuid);
}

QString OnPremUser::primarySmtp() const
{
    return primarySmtpOf(mail, proxyAddresses);
}

QString primarySmtpOf(const QString &mail, const QStringList &proxyAddresses)
{
    // Upper-case "SMTP:" marks the primary address; "smtp:" ones are aliases.
    for (const QString &address : proxyAddresses)
        if (address.startsWith(u"SMTP:"))
            return address.mid(5);
    return mail;
}
