#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

// Which on-prem attribute yields the source anchor (an Entra Connect setting).
enum class AnchorRule {
    ObjectGuid,
    ConsistencyGuid,
    ConsistencyGuidElseObjectGuid, // Entra Connect's default since 1.1.524
};

QString anchorRuleName(
    AnchorRule rule); // objectGUID | mS-DS-ConsistencyGuid | consistency-guid-else-objectguid
bool anchorRuleFromName(QStringView name, AnchorRule *rule);

// An on-prem user as read from AD (LDAP), an LDIF export or a CSV export.
struct OnPremUser
{
    QString dn;
    QByteArray objectGuid;      // 16 raw bytes as stored in AD; empty when the source lacks it
    QByteArray consistencyGuid; // mS-DS-ConsistencyGuid, 16 raw bytes or empty
    QString upn;
    QString mail;
    QStringList proxyAddresses; // "SMTP:primary@x", "smtp:alias@x", "SIP:…" as stored
    QString samAccountName;
    QString displayName;
    bool enabled = true; // from userAccountControl (ACCOUNTDISABLE clear)
    QString source;      // where it came from: an LDAP URI or a file name

    // The base64 ImmutableId Entra Connect would use for this user, or empty.
    QString anchor(AnchorRule rule) const;
    // The 16 bytes that anchor is made of (shared, not copied), or empty.
    QByteArray anchorBytes(AnchorRule rule) const;
    // The primary SMTP address: the "SMTP:" proxy address, else mail.
    QString primarySmtp() const;

    friend bool operator==(const OnPremUser &, const OnPremUser &) = default;
};

// The primary SMTP address of a mailbox: the "SMTP:" proxy address, else mail.
QString primarySmtpOf(const QString &mail, const QStringList &proxyAddresses);
