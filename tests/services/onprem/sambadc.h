#pragma once

#include <ldapconfig.h>

#include <QHash>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// The Samba AD DC the ctest fixture started (tests/samba/samba-dc.sh), found through
// ANCHORFIX_SAMBA_DC_DIR and its dc.env. Passwords are read from their files; command-line
// tools get them with -y FILE, never in argv.
class SambaDc
{
public:
    SambaDc();
    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    QString value(const QString &key) const { return m_env.value(key); }
    QString dir() const { return value(QStringLiteral("SAMBA_DC_DIR")); }
    QString baseDn() const { return value(QStringLiteral("SAMBA_DC_BASE_DN")); }
    QString caFile() const { return value(QStringLiteral("SAMBA_DC_CA")); }
    QString otherCaFile() const { return value(QStringLiteral("SAMBA_DC_OTHER_CA")); }
    QString adminUpn() const { return value(QStringLiteral("SAMBA_DC_ADMIN_UPN")); }
    QString passwordFile() const { return value(QStringLiteral("SAMBA_DC_PASSWORD_FILE")); }
    QString adminPassword() const;
    // The password of the svc-* accounts (disabled, expired, must-change, locked).
    QString servicePassword() const;
    int userCount() const { return value(QStringLiteral("SAMBA_DC_USERS")).toInt(); }

    // ldaps://127.0.0.1, bound as Administrator, verified against the test CA.
    LdapConfig ldapsConfig() const;

    // Runs an OpenLDAP tool (ldapsearch, ldapadd, ldapdelete, ldapmodify) against ldaps with
    // the test CA, bound as Administrator (-y password file). Returns stdout; *ok on exit 0.
    QByteArray runTool(const QString &tool, const QStringList &arguments,
                       const QByteArray &input = {}, bool *ok = nullptr,
                       QString *errorOutput = nullptr) const;
    // One binary attribute of dn as ldapsearch reads it (empty when unset); "-" when dn
    // does not exist. The tests' independent view of what Anchorfix wrote.
    QByteArray binaryAttribute(const QString &dn, const QByteArray &name) const;

private:
    QHash<QString, QString> m_env;
    QString m_error;
};
