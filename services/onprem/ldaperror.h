#pragma once

#include <QString>

// What went wrong talking to the directory, as something an admin can act on. The jobs
// report these as Job::error() == ldapJobError(code) with the message as errorString().
enum class LdapError {
    None = 0,
    InvalidConfig,           // the settings are incomplete or malformed
    ServerUnreachable,       // no TCP/LDAP connection (name, port, firewall, DC down)
    CertificateUntrusted,    // issuer not in the CA file / system store
    CertificateNameMismatch, // the certificate does not name the host in the URI
    CertificateExpired,      // expired or not yet valid
    TlsFailed,               // TLS failed for another reason (protocol, StartTLS refused)
    PlainBindRefused,        // we refuse to send a password without TLS
    TlsRequiredByServer,     // the server refuses a simple bind without TLS (strong auth)
    WrongPassword,           // 49 / data 52e (or 525: unknown user)
    AccountLocked,           // data 775
    AccountDisabled,         // data 533
    AccountExpired,          // data 701
    PasswordExpired,         // data 532 / 773 (must change password)
    LogonNotPermitted,       // data 530 / 531 (logon hours, workstations)
    AnonymousRefused,        // 00002020 / 000004DC: a bind account is required
    AccessDenied,            // 50 insufficient access
    NoSuchBase,              // 32 the base DN or OU does not exist
    BadFilter,               // 87 the LDAP filter does not parse
    SizeLimit,               // 4 / 11 size or admin limit
    TimeLimit,               // 3 server time limit
    Timeout,                 // no answer within timeoutSeconds
    Referral,                // 10 the base lives on another server
    ProtocolError,           // anything else libldap reports
    // Writes (mS-DS-ConsistencyGuid); appended so the numbers above stay stable.
    PlainWriteRefused,   // we refuse to write over a connection without TLS
    WriteAccessDenied,   // 50 on a modify: the right to write the attribute is missing
    ConstraintViolation, // 19 the directory refused the value
    ObjectNotFound,      // 32 on the target: deleted since the scan
    ObjectMoved,         // 32 on the DN, but the objectGUID lives elsewhere now
    ObjectReplaced,      // the DN now holds another object (other objectGUID)
    UnwillingToPerform,  // 53 e.g. a system-only attribute
};

struct LdapFailure
{
    LdapError code = LdapError::None;
    QString message;
    bool isError() const { return code != LdapError::None; }
};

// The Job::error() value for an LdapError (Job::UserDefinedError + code).
int ldapJobError(LdapError code);
// The inverse; LdapError::None for Job::NoError and Cancelled.
LdapError ldapErrorFromJobError(int jobError);
// A stable lower-case name for logs and tests ("wrong_password").
QString ldapErrorName(LdapError code);

// Maps a libldap result code and the server's diagnostic message (AD puts "data 52e" etc.
// in it) to an LdapError and an admin-facing message. `operation` says what was being done
// ("bind", "search") and `subject` names its object (the bind account or the base DN).
LdapFailure ldapFailureFor(int resultCode, const QString &diagnostic, const QString &operation,
                           const QString &subject, const QString &uri);

// The same for a modify of `attribute` on the user `dn` by `bindDn`: insufficient access
// names the right to grant, a missing object says it was deleted or moved since the scan.
LdapFailure ldapWriteFailureFor(int resultCode, const QString &diagnostic, const QString &dn,
                                const QString &attribute, const QString &bindDn,
                                const QString &uri);
