#include "ldapconnection.h"

#include "ldapcertificatecheck.h"
#include "secret.h"

#include <immutableid.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMultiHash>
#include <QScopeGuard>
#include <QUrl>

#include <ldap.h>

#include <memory>
#include <vector>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LdapConnection", text);
}

constexpr int PollMilliseconds = 100;

// Debian's system store; used when no CA file is given so that a user's ~/.ldaprc or
// LDAPTLS_* variables cannot silently change what this program trusts.
const char SystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

// attribute list in the char** form libldap wants; keeps the bytes alive
struct AttributeList
{
    explicit AttributeList(const QStringList &names)
    {
        for (const QString &name : names)
            bytes.push_back(name.toUtf8());
        for (QByteArray &b : bytes)
            pointers.push_back(b.data());
        pointers.push_back(nullptr);
    }
    char **data() { return bytes.empty() ? nullptr : pointers.data(); }
    std::vector<QByteArray> bytes;
    std::vector<char *> pointers;
};

} // namespace

LdapConnection::LdapConnection(LdapConfig config, const std::atomic_bool *abort)
    : m_config(std::move(config)), m_abort(abort)
{}

LdapConnection::~LdapConnection()
{
    if (m_ld)
        ldap_unbind_ext_s(m_ld, nullptr, nullptr);
    wipeSecret(m_config.password);
}

QString LdapConnection::diagnosticMessage() const
{
    if (!m_ld)
        return {};
    char *text = nullptr;
    ldap_get_option(m_ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
    const QString result = QString::fromUtf8(text);
    ldap_memfree(text);
    return result;
}

void LdapConnection::setFailure(int rc, const QString &operation, const QString &subject)
{
    m_failure = ldapFailureFor(rc, diagnosticMessage(), operation, subject, m_config.uri);
}

bool LdapConnection::configureHandle(LDAP *ld, bool verify)
{
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF); // never chase: we report them
    timeval timeout{qMax(1, m_config.timeoutSeconds), 0};
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
    if (m_config.effectiveTlsMode() == LdapConfig::TlsMode::None)
        return true;

    int require =
        (verify && !m_config.trustAnyCertificate) ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require);
    QByteArray caFile = QFile::encodeName(m_config.caFile);
    if (caFile.isEmpty() && QFileInfo::exists(QString::fromLatin1(SystemCaBundle)))
        caFile = SystemCaBundle;
    if (!caFile.isEmpty())
        ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, caFile.constData());
    int isServer = 0;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &isServer) != LDAP_OPT_SUCCESS) {
        m_failure = {LdapError::TlsFailed,
                     tr("Could not set up TLS with the CA file \"%1\". Check that it is a "
                        "PEM file with the certificate of the CA that issued the domain "
                        "controller's certificate.")
                         .arg(QString::fromLocal8Bit(caFile))};
        return false;
    }
    return true;
}

bool LdapConnection::connectAndSecure(LDAP **ldOut, bool verify)
{
    LDAP *ld = nullptr;
    int rc = ldap_initialize(&ld, m_config.uri.trimmed().toUtf8().constData());
    if (rc != LDAP_SUCCESS) {
        m_failure = {LdapError::InvalidConfig,
                     tr("\"%1\" is not a valid LDAP address: %2")
                         .arg(m_config.uri, QString::fromUtf8(ldap_err2string(rc)))};
        return false;
    }
    *ldOut = ld;
    std::swap(m_ld, ld); // so diagnosticMessage() reads this handle
    const auto restore = qScopeGuard([&] { std::swap(m_ld, ld); });
    if (!configureHandle(*ldOut, verify))
        return false;
    switch (m_config.effectiveTlsMode()) {
    case LdapConfig::TlsMode::None:
        rc = ldap_connect(*ldOut);
        if (rc != LDAP_SUCCESS) {
            setFailure(rc, tr("connection"), m_config.uri);
            return false;
        }
        return true;
    case LdapConfig::TlsMode::Ldaps:
        rc = ldap_connect(*ldOut);
        if (rc != LDAP_SUCCESS) {
            setFailure(rc, tr("TLS connection"), m_config.uri);
            return false;
        }
        return true;
    case LdapConfig::TlsMode::StartTls:
        rc = ldap_connect(*ldOut);
        if (rc != LDAP_SUCCESS) {
            setFailure(rc, tr("connection"), m_config.uri);
            return false;
        }
        rc = ldap_start_tls_s(*ldOut, nullptr, nullptr);
        if (rc != LDAP_SUCCESS) {
            if (rc == LDAP_TIMEOUT)
                setFailure(rc, tr("StartTLS request"), m_config.uri);
            else if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR)
                m_failure = {LdapError::TlsFailed,
                             tr("StartTLS with %1 failed: %2 (%3)")
                                 .arg(m_config.uri, QString::fromUtf8(ldap_err2string(rc)))
                                 .arg(rc)};
            else
                m_failure = {LdapError::TlsFailed,
                             tr("The server at %1 refused StartTLS (%2). Use ldaps:// or "
                                "install a certificate on the domain controller.")
                                 .arg(m_config.uri, QString::fromUtf8(ldap_err2string(rc)))};
            return false;
        }
        return true;
    }
    return false;
}

LdapFailure LdapConnection::diagnoseCertificate(const LdapFailure &original)
{
    LDAP *probe = nullptr;
    const bool connected = connectAndSecure(&probe, false);
    QByteArray der;
    if (connected) {
        berval cert{0, nullptr};
        if (ldap_get_option(probe, LDAP_OPT_X_TLS_PEERCERT, &cert) == LDAP_OPT_SUCCESS &&
            cert.bv_val) {
            der = QByteArray(cert.bv_val, qsizetype(cert.bv_len));
            ber_memfree(cert.bv_val);
        }
    }
    if (probe)
        ldap_unbind_ext_s(probe, nullptr, nullptr);
    if (!connected)
        return original; // not a certificate problem: the server is not there at all
    if (der.isEmpty())
        return {LdapError::TlsFailed,
                tr("The TLS connection to %1 failed and the server certificate could not be "
                   "read. (%2)")
                    .arg(m_config.uri, original.message)};

    return diagnoseServerCertificate(der, QUrl(m_config.uri.trimmed()).host(), m_config.caFile,
                                     QDateTime::currentDateTimeUtc());
}

bool LdapConnection::open()
{
    m_failure = {};
    const QString problem = m_config.validate(false);
    if (!problem.isEmpty()) {
        m_failure = {LdapError::InvalidConfig, problem};
        return false;
    }
    const bool tls = m_config.effectiveTlsMode() != LdapConfig::TlsMode::None;
    if (!m_config.caFile.isEmpty() && !QFileInfo(m_config.caFile).isReadable()) {
        m_failure = {
            LdapError::InvalidConfig,
            tr("The CA file \"%1\" does not exist or cannot be read.").arg(m_config.caFile)};
        return false;
    }
    if (!m_config.bindDn.isEmpty() && m_config.password.isEmpty()) {
        // AD treats a simple bind with an empty password as anonymous: never send one.
        m_failure = {LdapError::InvalidConfig,
                     tr("Enter the password of \"%1\" (a bind without a password would be "
                        "anonymous).")
                         .arg(m_config.bindDn)};
        return false;
    }
    if (!tls && !m_config.bindDn.isEmpty() && !m_config.allowPlainBind) {
        m_failure = {LdapError::PlainBindRefused,
                     tr("Refusing to send the password of \"%1\" unencrypted to %2. Use "
                        "ldaps:// or StartTLS, or allow a plain-text bind explicitly (only on "
                        "a trusted network).")
                         .arg(m_config.bindDn, m_config.uri)};
        return false;
    }

    LDAP *ld = nullptr;
    const bool connected = connectAndSecure(&ld, true);
    if (!connected) {
        if (ld)
            ldap_unbind_ext_s(ld, nullptr, nullptr);
        if (tls && !m_config.trustAnyCertificate && !isAborted() &&
            m_failure.code != LdapError::Timeout)
            m_failure = diagnoseCertificate(m_failure);
        return false;
    }
    m_ld = ld;
    if (isAborted())
        return false;
    if (m_config.bindDn.isEmpty())
        return true; // anonymous

    QByteArray password = m_config.password.toUtf8();
    berval credentials{ber_len_t(password.size()), password.data()};
    int msgid = -1;
    const QByteArray dn = m_config.bindDn.toUtf8();
    int rc = ldap_sasl_bind(m_ld, dn.constData(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr,
                            &msgid);
    wipeSecret(password);
    if (rc != LDAP_SUCCESS) {
        setFailure(rc, tr("bind"), m_config.bindDn);
        return false;
    }
    LDAPMessage *result = nullptr;
    if (!waitForResult(msgid, &result, tr("bind"), m_config.bindDn))
        return false;
    int code = LDAP_OTHER;
    char *diagnostic = nullptr;
    rc = ldap_parse_result(m_ld, result, &code, nullptr, &diagnostic, nullptr, nullptr, 1);
    const QString text = QString::fromUtf8(diagnostic);
    ldap_memfree(diagnostic);
    if (rc != LDAP_SUCCESS)
        code = rc;
    if (code != LDAP_SUCCESS) {
        m_failure = ldapFailureFor(code, text, tr("bind"), m_config.bindDn, m_config.uri);
        return false;
    }
    return true;
}

bool LdapConnection::waitForResult(int msgid, LDAPMessage **result, const QString &operation,
                                   const QString &subject)
{
    QElapsedTimer quiet;
    quiet.start();
    for (;;) {
        if (isAborted()) {
            ldap_abandon_ext(m_ld, msgid, nullptr, nullptr);
            return false;
        }
        timeval poll{0, PollMilliseconds * 1000};
        *result = nullptr;
        const int type = ldap_result(m_ld, msgid, LDAP_MSG_RECEIVED, &poll, result);
        if (type > 0)
            return true;
        if (type < 0) {
            int rc = LDAP_OTHER;
            ldap_get_option(m_ld, LDAP_OPT_RESULT_CODE, &rc);
            setFailure(rc, operation, subject);
            return false;
        }
        if (quiet.elapsed() > qint64(qMax(1, m_config.timeoutSeconds)) * 1000) {
            ldap_abandon_ext(m_ld, msgid, nullptr, nullptr);
            m_failure = ldapFailureFor(LDAP_TIMEOUT, QString(), operation, subject, m_config.uri);
            return false;
        }
    }
}

bool LdapConnection::readRootDse(const QStringList &attributes,
                                 QMultiHash<QString, QString> *values)
{
    AttributeList attrs(attributes);
    int msgid = -1;
    int rc = ldap_search_ext(m_ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs.data(), 0, nullptr,
                             nullptr, nullptr, 1, &msgid);
    if (rc != LDAP_SUCCESS) {
        setFailure(rc, tr("rootDSE read"), tr("the rootDSE"));
        return false;
    }
    bool done = false;
    while (!done) {
        LDAPMessage *chain = nullptr;
        if (!waitForResult(msgid, &chain, tr("rootDSE read"), tr("the rootDSE")))
            return false;
        const auto freeChain = qScopeGuard([&] { ldap_msgfree(chain); });
        for (LDAPMessage *msg = ldap_first_message(m_ld, chain); msg;
             msg = ldap_next_message(m_ld, msg)) {
            const int type = ldap_msgtype(msg);
            if (type == LDAP_RES_SEARCH_ENTRY) {
                for (const QString &name : attributes) {
                    berval **vals = ldap_get_values_len(m_ld, msg, name.toUtf8().constData());
                    for (int i = 0; vals && vals[i]; ++i)
                        values->insert(
                            name, QString::fromUtf8(vals[i]->bv_val, qsizetype(vals[i]->bv_len)));
                    ldap_value_free_len(vals);
                }
            } else if (type == LDAP_RES_SEARCH_RESULT) {
                int code = LDAP_OTHER;
                char *diagnostic = nullptr;
                ldap_parse_result(m_ld, msg, &code, nullptr, &diagnostic, nullptr, nullptr, 0);
                const QString text = QString::fromUtf8(diagnostic);
                ldap_memfree(diagnostic);
                if (code != LDAP_SUCCESS) {
                    m_failure = ldapFailureFor(code, text, tr("rootDSE read"), tr("the rootDSE"),
                                               m_config.uri);
                    return false;
                }
                done = true;
            }
        }
    }
    return true;
}

bool LdapConnection::searchPaged(const QString &base, const QString &filter,
                                 const QStringList &attributes, const EntryHandler &onEntry,
                                 const PageHandler &onPage)
{
    AttributeList attrs(attributes);
    const QByteArray baseBytes = base.toUtf8();
    const QByteArray filterBytes = filter.toUtf8();
    berval cookie{0, nullptr};
    const auto freeCookie = qScopeGuard([&] { ber_memfree(cookie.bv_val); });
    const QString operation = tr("search");
    do {
        LDAPControl *pageControl = nullptr;
        int rc = ldap_create_page_control(m_ld, ber_int_t(qMax(1, m_config.pageSize)),
                                          cookie.bv_val ? &cookie : nullptr, 0, &pageControl);
        if (rc != LDAP_SUCCESS) {
            setFailure(rc, operation, base);
            return false;
        }
        LDAPControl *controls[] = {pageControl, nullptr};
        int msgid = -1;
        rc = ldap_search_ext(m_ld, baseBytes.constData(), LDAP_SCOPE_SUBTREE,
                             filterBytes.constData(), attrs.data(), 0, controls, nullptr, nullptr,
                             LDAP_NO_LIMIT, &msgid);
        ldap_control_free(pageControl);
        if (rc != LDAP_SUCCESS) {
            setFailure(rc, operation, base);
            return false;
        }
        int entriesInPage = 0;
        bool pageDone = false;
        while (!pageDone) {
            LDAPMessage *chain = nullptr;
            if (!waitForResult(msgid, &chain, operation, base))
                return false;
            const auto freeChain = qScopeGuard([&] { ldap_msgfree(chain); });
            for (LDAPMessage *msg = ldap_first_message(m_ld, chain); msg;
                 msg = ldap_next_message(m_ld, msg)) {
                switch (ldap_msgtype(msg)) {
                case LDAP_RES_SEARCH_ENTRY:
                    ++entriesInPage;
                    onEntry(m_ld, msg);
                    break;
                case LDAP_RES_SEARCH_REFERENCE:
                    ++m_skippedReferences; // e.g. DomainDnsZones/Configuration from the root
                    break;
                case LDAP_RES_SEARCH_RESULT: {
                    int code = LDAP_OTHER;
                    char *diagnostic = nullptr;
                    char **referrals = nullptr;
                    LDAPControl **serverControls = nullptr;
                    rc = ldap_parse_result(m_ld, msg, &code, nullptr, &diagnostic, &referrals,
                                           &serverControls, 0);
                    QString text = QString::fromUtf8(diagnostic);
                    if (referrals && referrals[0])
                        text += QStringLiteral(" → ") + QString::fromUtf8(referrals[0]);
                    ldap_memfree(diagnostic);
                    ber_memvfree(reinterpret_cast<void **>(referrals));
                    if (rc != LDAP_SUCCESS)
                        code = rc;
                    ber_memfree(cookie.bv_val);
                    cookie = {0, nullptr};
                    if (code == LDAP_SUCCESS) {
                        LDAPControl *response =
                            ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, serverControls, nullptr);
                        ber_int_t estimate = 0;
                        if (response)
                            ldap_parse_pageresponse_control(m_ld, response, &estimate, &cookie);
                    }
                    ldap_controls_free(serverControls);
                    if (code != LDAP_SUCCESS) {
                        m_failure = ldapFailureFor(code, text, operation, base, m_config.uri);
                        return false;
                    }
                    pageDone = true;
                    break;
                }
                default:
                    break;
                }
            }
        }
        onPage(entriesInPage);
        if (isAborted())
            return false;
    } while (cookie.bv_val && cookie.bv_len > 0);
    return true;
}

bool LdapConnection::readBase(const QString &dn, const QStringList &attributes,
                              QHash<QString, QByteArray> *values, QString *entryDn, int *code)
{
    AttributeList attrs(attributes);
    const QString operation = tr("read");
    int msgid = -1;
    int rc = ldap_search_ext(m_ld, dn.toUtf8().constData(), LDAP_SCOPE_BASE, "(objectClass=*)",
                             attrs.data(), 0, nullptr, nullptr, nullptr, 1, &msgid);
    if (rc != LDAP_SUCCESS) {
        setFailure(rc, operation, dn);
        return false;
    }
    *code = LDAP_OTHER;
    for (;;) {
        LDAPMessage *chain = nullptr;
        if (!waitForResult(msgid, &chain, operation, dn))
            return false;
        const auto freeChain = qScopeGuard([&] { ldap_msgfree(chain); });
        for (LDAPMessage *msg = ldap_first_message(m_ld, chain); msg;
             msg = ldap_next_message(m_ld, msg)) {
            const int type = ldap_msgtype(msg);
            if (type == LDAP_RES_SEARCH_ENTRY) {
                char *name = ldap_get_dn(m_ld, msg);
                *entryDn = QString::fromUtf8(name);
                ldap_memfree(name);
                for (const QString &attribute : attributes) {
                    berval **vals = ldap_get_values_len(m_ld, msg, attribute.toUtf8().constData());
                    if (vals && vals[0])
                        values->insert(attribute,
                                       QByteArray(vals[0]->bv_val, qsizetype(vals[0]->bv_len)));
                    ldap_value_free_len(vals);
                }
            } else if (type == LDAP_RES_SEARCH_RESULT) {
                char *diagnostic = nullptr;
                rc = ldap_parse_result(m_ld, msg, code, nullptr, &diagnostic, nullptr, nullptr, 0);
                const QString text = QString::fromUtf8(diagnostic);
                ldap_memfree(diagnostic);
                if (rc != LDAP_SUCCESS)
                    *code = rc;
                if (*code != LDAP_SUCCESS && *code != LDAP_NO_SUCH_OBJECT) {
                    m_failure = ldapFailureFor(*code, text, operation, dn, m_config.uri);
                    return false;
                }
                return true;
            }
        }
    }
}

bool LdapConnection::readAnchorState(const QString &dn, const QByteArray &expectedGuid,
                                     LdapAnchorState *state)
{
    const QString guidAttribute = QStringLiteral("objectGUID");
    const QString cgAttribute = QString::fromLatin1(ConsistencyGuidAttribute);
    *state = {};
    state->dn = dn;
    QHash<QString, QByteArray> values;
    QString entryDn;
    int code = LDAP_OTHER;
    if (!readBase(dn, {guidAttribute, cgAttribute}, &values, &entryDn, &code))
        return false;
    if (code == LDAP_SUCCESS) {
        state->exists = true;
        state->objectGuid = values.value(guidAttribute);
        state->consistencyGuid = values.value(cgAttribute);
        if (!expectedGuid.isEmpty() && state->objectGuid != expectedGuid)
            state->failure = {LdapError::ObjectReplaced,
                              tr("%1 is now another object (objectGUID %2, the scan saw %3): the "
                                 "account was recreated since the scan. Scan again and review "
                                 "the row. Nothing was written.")
                                  .arg(dn, ImmutableId::fromBytes(state->objectGuid).toGuid(),
                                       ImmutableId::fromBytes(expectedGuid).toGuid())};
        return true;
    }
    // 32: deleted, or renamed/moved. AD finds an object by its GUID with <GUID=…>.
    state->failure =
        ldapWriteFailureFor(code, QString(), dn, cgAttribute, m_config.bindDn, m_config.uri);
    if (expectedGuid.size() != 16)
        return true;
    values.clear();
    entryDn.clear();
    const QString byGuid =
        QStringLiteral("<GUID=%1>").arg(ImmutableId::fromBytes(expectedGuid).toGuid());
    if (!readBase(byGuid, {guidAttribute}, &values, &entryDn, &code))
        return false;
    if (code == LDAP_SUCCESS && !entryDn.isEmpty()) {
        state->movedTo = entryDn;
        state->failure = {LdapError::ObjectMoved,
                          tr("%1 was moved or renamed since the scan; it is now %2. Scan again "
                             "and review the row. Nothing was written.")
                              .arg(dn, entryDn)};
    }
    return true;
}

bool LdapConnection::writeConsistencyGuid(const QString &dn, const QByteArray &value)
{
    QByteArray attribute(ConsistencyGuidAttribute);
    QByteArray bytes = value;
    berval bv{ber_len_t(bytes.size()), bytes.data()};
    berval *vals[] = {&bv, nullptr};
    LDAPMod mod{};
    mod.mod_op = (value.isEmpty() ? LDAP_MOD_DELETE : LDAP_MOD_REPLACE) | LDAP_MOD_BVALUES;
    mod.mod_type = attribute.data();
    mod.mod_bvalues = value.isEmpty() ? nullptr : vals;
    LDAPMod *mods[] = {&mod, nullptr};
    const QString cgAttribute = QString::fromLatin1(ConsistencyGuidAttribute);
    const QString operation = tr("change of %1").arg(cgAttribute);

    int msgid = -1;
    int rc = ldap_modify_ext(m_ld, dn.toUtf8().constData(), mods, nullptr, nullptr, &msgid);
    if (rc != LDAP_SUCCESS) {
        m_failure = ldapWriteFailureFor(rc, diagnosticMessage(), dn, cgAttribute, m_config.bindDn,
                                        m_config.uri);
        return false;
    }
    LDAPMessage *result = nullptr;
    if (!waitForResult(msgid, &result, operation, dn))
        return false;
    int code = LDAP_OTHER;
    char *diagnostic = nullptr;
    rc = ldap_parse_result(m_ld, result, &code, nullptr, &diagnostic, nullptr, nullptr, 1);
    const QString text = QString::fromUtf8(diagnostic);
    ldap_memfree(diagnostic);
    if (rc != LDAP_SUCCESS)
        code = rc;
    // Deleting an attribute that is already gone: the goal is reached.
    if (code == LDAP_NO_SUCH_ATTRIBUTE && value.isEmpty())
        return true;
    if (code != LDAP_SUCCESS) {
        m_failure = ldapWriteFailureFor(code, text, dn, cgAttribute, m_config.bindDn, m_config.uri);
        return false;
    }
    return true;
}
