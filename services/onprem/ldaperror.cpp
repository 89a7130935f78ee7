#include "ldaperror.h"

#include <job.h>

#include <QCoreApplication>
#include <QRegularExpression>

#include <ldap.h>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LdapError", text);
}

// AD's bind diagnostics look like "80090308: LdapErr: DSID-0C09042A, comment:
// AcceptSecurityContext error, data 52e, v4563". Returns the lower-case data code.
QString adDataCode(const QString &diagnostic)
{
    static const QRegularExpression re(QStringLiteral("\\bdata ([0-9a-fA-F]+)\\b"));
    const QRegularExpressionMatch m = re.match(diagnostic);
    return m.hasMatch() ? m.captured(1).toLower() : QString();
}

QString detail(int resultCode, const QString &diagnostic)
{
    QString text =
        QString::fromUtf8(ldap_err2string(resultCode)) + QStringLiteral(" (%1)").arg(resultCode);
    if (!diagnostic.trimmed().isEmpty())
        text += QStringLiteral(": ") + diagnostic.trimmed();
    return text;
}

} // namespace

int ldapJobError(LdapError code)
{
    return code == LdapError::None ? int(Job::NoError) : int(Job::UserDefinedError) + int(code);
}

LdapError ldapErrorFromJobError(int jobError)
{
    if (jobError <= Job::UserDefinedError ||
        jobError > Job::UserDefinedError + int(LdapError::UnwillingToPerform))
        return LdapError::None;
    return LdapError(jobError - Job::UserDefinedError);
}

QString ldapErrorName(LdapError code)
{
    switch (code) {
    case LdapError::None:
        return QStringLiteral("none");
    case LdapError::InvalidConfig:
        return QStringLiteral("invalid_config");
    case LdapError::ServerUnreachable:
        return QStringLiteral("server_unreachable");
    case LdapError::CertificateUntrusted:
        return QStringLiteral("certificate_untrusted");
    case LdapError::CertificateNameMismatch:
        return QStringLiteral("certificate_name_mismatch");
    case LdapError::CertificateExpired:
        return QStringLiteral("certificate_expired");
    case LdapError::TlsFailed:
        return QStringLiteral("tls_failed");
    case LdapError::PlainBindRefused:
        return QStringLiteral("plain_bind_refused");
    case LdapError::TlsRequiredByServer:
        return QStringLiteral("tls_required_by_server");
    case LdapError::WrongPassword:
        return QStringLiteral("wrong_password");
    case LdapError::AccountLocked:
        return QStringLiteral("account_locked");
    case LdapError::AccountDisabled:
        return QStringLiteral("account_disabled");
    case LdapError::AccountExpired:
        return QStringLiteral("account_expired");
    case LdapError::PasswordExpired:
        return QStringLiteral("password_expired");
    case LdapError::LogonNotPermitted:
        return QStringLiteral("logon_not_permitted");
    case LdapError::AnonymousRefused:
        return QStringLiteral("anonymous_refused");
    case LdapError::AccessDenied:
        return QStringLiteral("access_denied");
    case LdapError::NoSuchBase:
        return QStringLiteral("no_such_base");
    case LdapError::BadFilter:
        return QStringLiteral("bad_filter");
    case LdapError::SizeLimit:
        return QStringLiteral("size_limit");
    case LdapError::TimeLimit:
        return QStringLiteral("time_limit");
    case LdapError::Timeout:
        return QStringLiteral("timeout");
    case LdapError::Referral:
        return QStringLiteral("referral");
    case LdapError::ProtocolError:
        return QStringLiteral("protocol_error");
    case LdapError::PlainWriteRefused:
        return QStringLiteral("plain_write_refused");
    case LdapError::WriteAccessDenied:
        return QStringLiteral("write_access_denied");
    case LdapError::ConstraintViolation:
        return QStringLiteral("constraint_violation");
    case LdapError::ObjectNotFound:
        return QStringLiteral("object_not_found");
    case LdapError::ObjectMoved:
        return QStringLiteral("object_moved");
    case LdapError::ObjectReplaced:
        return QStringLiteral("object_replaced");
    case LdapError::UnwillingToPerform:
        return QStringLiteral("unwilling_to_perform");
    }
    return QStringLiteral("unknown");
}

LdapFailure ldapFailureFor(int resultCode, const QString &diagnostic, const QString &operation,
                           const QString &subject, const QString &uri)
{
    if (resultCode == LDAP_SUCCESS)
        return {};
    const QString why = detail(resultCode, diagnostic);
    const QString data = adDataCode(diagnostic);

    if (resultCode == LDAP_INVALID_CREDENTIALS) {
        if (data == u"775")
            return {LdapError::AccountLocked,
                    tr("The account \"%1\" is locked out. Wait for the lockout to expire or ask "
                       "an AD administrator to unlock it, then try again. (%2)")
                        .arg(subject, why)};
        if (data == u"533")
            return {LdapError::AccountDisabled,
                    tr("The account \"%1\" is disabled. Enable it in Active Directory or use "
                       "another account to read the directory. (%2)")
                        .arg(subject, why)};
        if (data == u"701")
            return {LdapError::AccountExpired,
                    tr("The account \"%1\" has expired. Extend its expiry date in Active "
                       "Directory or use another account. (%2)")
                        .arg(subject, why)};
        if (data == u"532" || data == u"773")
            return {LdapError::PasswordExpired,
                    tr("The password of \"%1\" has expired or must be changed at next logon. "
                       "Change it, then try again. (%2)")
                        .arg(subject, why)};
        if (data == u"530" || data == u"531")
            return {LdapError::LogonNotPermitted,
                    tr("\"%1\" may not log on now or from this computer (logon hours or "
                       "workstation restrictions). (%2)")
                        .arg(subject, why)};
        return {LdapError::WrongPassword,
                tr("The directory rejected the user name or password for \"%1\". Check the "
                   "bind account (a DN or user@domain) and its password. (%2)")
                    .arg(subject, why)};
    }
    if (diagnostic.contains(u"00002020") || diagnostic.contains(u"000004DC", Qt::CaseInsensitive))
        return {LdapError::AnonymousRefused,
                tr("The directory does not allow anonymous reads. Enter a bind account and "
                   "password (any domain user can read users). (%1)")
                    .arg(why)};
    switch (resultCode) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
        return {LdapError::ServerUnreachable,
                tr("Cannot reach the directory at %1. Check the server name and port, that the "
                   "domain controller is running and that no firewall blocks it. (%2)")
                    .arg(uri, why)};
    case LDAP_TIMEOUT:
        return {LdapError::Timeout,
                tr("The directory at %1 did not answer the %2 in time. Check the network or "
                   "raise the timeout. (%3)")
                    .arg(uri, operation, why)};
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
        return {LdapError::TlsRequiredByServer,
                tr("The directory requires a protected connection for a password bind. Use "
                   "ldaps:// or StartTLS. (%1)")
                    .arg(why)};
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
        return {LdapError::SizeLimit,
                tr("The directory stopped the %1 of %2 at its size limit. Scan smaller OUs or "
                   "ask an AD administrator about MaxPageSize/MaxResultSetSize. (%3)")
                    .arg(operation, subject, why)};
    case LDAP_TIMELIMIT_EXCEEDED:
        return {LdapError::TimeLimit,
                tr("The directory stopped the %1 of %2 at its time limit (MaxQueryDuration). "
                   "Scan smaller OUs or use a narrower filter. (%3)")
                    .arg(operation, subject, why)};
    case LDAP_REFERRAL:
    case LDAP_PARTIAL_RESULTS:
        return {LdapError::Referral,
                tr("%1 is not held by the server at %2; it referred the %3 elsewhere. Connect "
                   "to a domain controller of the domain that holds it. (%4)")
                    .arg(subject, uri, operation, why)};
    case LDAP_NO_SUCH_OBJECT:
        return {LdapError::NoSuchBase,
                tr("\"%1\" does not exist in the directory. Check the base DN or OU (for "
                   "example OU=Staff,DC=corp,DC=example). (%2)")
                    .arg(subject, why)};
    case LDAP_INSUFFICIENT_ACCESS:
        return {LdapError::AccessDenied,
                tr("The bind account may not %1 %2. Use an account that can read users. (%3)")
                    .arg(operation, subject, why)};
    case LDAP_FILTER_ERROR:
        return {LdapError::BadFilter,
                tr("The LDAP filter is not valid. Check its parentheses and escape * ( ) \\ in "
                   "values. (%1)")
                    .arg(why)};
    case LDAP_INVALID_DN_SYNTAX:
        return {LdapError::InvalidConfig,
                tr("\"%1\" is not a valid DN (for example DC=corp,DC=example). (%2)")
                    .arg(subject, why)};
    default:
        break;
    }
    return {LdapError::ProtocolError, tr("The %1 at %2 failed: %3").arg(operation, uri, why)};
}

LdapFailure ldapWriteFailureFor(int resultCode, const QString &diagnostic, const QString &dn,
                                const QString &attribute, const QString &bindDn, const QString &uri)
{
    if (resultCode == LDAP_SUCCESS)
        return {};
    const QString why = detail(resultCode, diagnostic);
    const QString account = bindDn.isEmpty() ? tr("the anonymous connection") : bindDn;
    switch (resultCode) {
    case LDAP_INSUFFICIENT_ACCESS:
        return {LdapError::WriteAccessDenied,
                tr("\"%1\" may not write %2 on %3. Grant it \"Write %2\" (write property "
                   "%2 on descendant User objects) on the users' OU, e.g. dsacls \"<OU DN>\" "
                   "/I:S /G \"DOMAIN\\account:WP;%2;user\", or use an account that has it. "
                   "Nothing was written. (%4)")
                    .arg(account, attribute, dn, why)};
    case LDAP_CONSTRAINT_VIOLATION:
    case LDAP_INVALID_SYNTAX:
    case LDAP_TYPE_OR_VALUE_EXISTS:
        return {LdapError::ConstraintViolation,
                tr("The directory refused the new value of %1 on %2 (constraint violation): "
                   "it must be exactly one 16-byte value. Nothing was written. (%3)")
                    .arg(attribute, dn, why)};
    case LDAP_NO_SUCH_OBJECT:
        return {LdapError::ObjectNotFound,
                tr("%1 no longer exists: the user was deleted or moved since the scan. Scan "
                   "again and review the row. Nothing was written. (%2)")
                    .arg(dn, why)};
    case LDAP_UNWILLING_TO_PERFORM:
        return {LdapError::UnwillingToPerform,
                tr("The directory is unwilling to change %1 on %2. Nothing was written. (%3)")
                    .arg(attribute, dn, why)};
    default:
        break;
    }
    return ldapFailureFor(resultCode, diagnostic, tr("change of %1").arg(attribute), dn, uri);
}
