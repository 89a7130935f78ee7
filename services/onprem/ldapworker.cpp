#include "ldapworker.h"

#include "ldapconnection.h"

#include <immutableid.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QMutexLocker>
#include <QSet>

#include <ldap.h>

#include <cstring>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LdapWorker", text);
}

// Only the attribute name, without options such as ";binary" or ";range=0-1499".
bool isAttribute(const char *name, const char *wanted)
{
    const size_t n = std::strlen(wanted);
    return strncasecmp(name, wanted, n) == 0 && (name[n] == '\0' || name[n] == ';');
}

QString firstString(berval **values)
{
    return values && values[0] ? QString::fromUtf8(values[0]->bv_val, qsizetype(values[0]->bv_len))
                               : QString();
}

QByteArray firstBytes(berval **values)
{
    return values && values[0] ? QByteArray(values[0]->bv_val, qsizetype(values[0]->bv_len))
                               : QByteArray();
}

OnPremUser userFromEntry(LDAP *ld, LDAPMessage *entry, const QString &source, QStringList *warnings)
{
    OnPremUser user;
    user.source = source;
    char *dn = ldap_get_dn(ld, entry);
    user.dn = QString::fromUtf8(dn);
    ldap_memfree(dn);

    BerElement *ber = nullptr;
    for (char *name = ldap_first_attribute(ld, entry, &ber); name;
         name = ldap_next_attribute(ld, entry, ber)) {
        berval **values = ldap_get_values_len(ld, entry, name);
        if (isAttribute(name, "objectGUID")) {
            user.objectGuid = firstBytes(values);
        } else if (isAttribute(name, "mS-DS-ConsistencyGuid")) {
            user.consistencyGuid = firstBytes(values);
        } else if (isAttribute(name, "userPrincipalName")) {
            user.upn = firstString(values);
        } else if (isAttribute(name, "mail")) {
            user.mail = firstString(values);
        } else if (isAttribute(name, "proxyAddresses")) {
            if (std::strchr(name, ';'))
                *warnings << tr("%1: proxyAddresses came back in ranges (%2); only the first "
                                "range was read.")
                                 .arg(user.dn, QString::fromUtf8(name));
            for (int i = 0; values && values[i]; ++i)
                user.proxyAddresses
                    << QString::fromUtf8(values[i]->bv_val, qsizetype(values[i]->bv_len));
        } else if (isAttribute(name, "sAMAccountName")) {
            user.samAccountName = firstString(values);
        } else if (isAttribute(name, "displayName")) {
            user.displayName = firstString(values);
        } else if (isAttribute(name, "userAccountControl")) {
            bool ok = false;
            const qint64 flags = firstString(values).toLongLong(&ok);
            if (ok)
                user.enabled = (flags & 0x2) == 0; // ACCOUNTDISABLE
        }
        ldap_value_free_len(values);
        ldap_memfree(name);
    }
    ber_free(ber, 0);

    if (!user.objectGuid.isEmpty() && user.objectGuid.size() != 16)
        *warnings << tr("%1: objectGUID has %2 bytes instead of 16; it is ignored.")
                         .arg(user.dn)
                         .arg(user.objectGuid.size());
    if (!user.consistencyGuid.isEmpty() && user.consistencyGuid.size() != 16)
        *warnings << tr("%1: mS-DS-ConsistencyGuid has %2 bytes instead of 16; Entra Connect "
                        "would not use it as the anchor.")
                         .arg(user.dn)
                         .arg(user.consistencyGuid.size());
    return user;
}

} // namespace

LdapWorker::LdapWorker(Task task, LdapConfig config, QObject *parent)
    : QThread(parent), m_task(task), m_config(std::move(config))
{}

LdapWorker::~LdapWorker()
{
    abort();
    wait();
}

void LdapWorker::release(LdapWorker *worker)
{
    if (!worker)
        return;
    worker->abort();
    QObject::disconnect(worker, nullptr, worker->parent(), nullptr);
    if (worker->wait(QDeadlineTimer(250))) {
        delete worker;
        return;
    }
    worker->setParent(nullptr);
    QObject::connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    if (worker->isFinished()) // it ended between wait() and connect()
        worker->deleteLater();
}

QStringList LdapWorker::scanAttributes()
{
    return {QStringLiteral("objectGUID"),        QStringLiteral("mS-DS-ConsistencyGuid"),
            QStringLiteral("userPrincipalName"), QStringLiteral("mail"),
            QStringLiteral("proxyAddresses"),    QStringLiteral("sAMAccountName"),
            QStringLiteral("displayName"),       QStringLiteral("userAccountControl"),
            QStringLiteral("distinguishedName"), QStringLiteral("objectClass")};
}

void LdapWorker::abort()
{
    int unset = -1;
    m_pagesAtAbort.compare_exchange_strong(unset, m_pagesRead.load());
    m_abort = true;
}

int LdapWorker::pagesReadAfterAbort() const
{
    const int at = m_pagesAtAbort.load();
    return at < 0 ? 0 : m_pagesRead.load() - at;
}

LdapFailure LdapWorker::failure() const
{
    QMutexLocker lock(&m_mutex);
    return m_failure;
}

QString LdapWorker::defaultNamingContext() const
{
    QMutexLocker lock(&m_mutex);
    return m_defaultNamingContext;
}

QString LdapWorker::serverInfo() const
{
    QMutexLocker lock(&m_mutex);
    return m_serverInfo;
}

QStringList LdapWorker::warnings() const
{
    QMutexLocker lock(&m_mutex);
    return m_warnings;
}

int LdapWorker::searchReferencesSkipped() const
{
    QMutexLocker lock(&m_mutex);
    return m_referencesSkipped;
}

QList<LdapAnchorState> LdapWorker::anchorStates() const
{
    QMutexLocker lock(&m_mutex);
    return m_states;
}

void LdapWorker::run()
{
    switch (m_task) {
    case Task::TestConnection:
        runTest();
        break;
    case Task::Scan:
        runScan();
        break;
    case Task::ReadAnchors:
        runReadAnchors();
        break;
    case Task::WriteAnchors:
        runWriteAnchors();
        break;
    }
}

void LdapWorker::runTest()
{
    LdapConnection connection(m_config, &m_abort);
    QMultiHash<QString, QString> rootDse;
    const bool ok =
        connection.open() && connection.readRootDse({QStringLiteral("defaultNamingContext"),
                                                     QStringLiteral("dnsHostName"),
                                                     QStringLiteral("domainFunctionality")},
                                                    &rootDse);
    QMutexLocker lock(&m_mutex);
    m_failure = connection.failure();
    if (!ok)
        return;
    m_defaultNamingContext = rootDse.value(QStringLiteral("defaultNamingContext"));
    m_serverInfo = rootDse.value(QStringLiteral("dnsHostName"));
}

void LdapWorker::runScan()
{
    LdapConnection connection(m_config, &m_abort);
    if (!connection.open()) {
        QMutexLocker lock(&m_mutex);
        m_failure = connection.failure();
        return;
    }
    const QStringList attributes = scanAttributes();
    const QString source = m_config.uri.trimmed();
    QSet<QString> seenDns; // overlapping OUs must not yield a user twice
    QList<OnPremUser> page;
    QStringList warnings;
    int pageNumber = 0;
    for (const QString &base : m_config.effectiveSearchBases()) {
        const bool ok = connection.searchPaged(
            base, m_config.filter.trimmed(), attributes,
            [&](LDAP *ld, LDAPMessage *entry) {
                OnPremUser user = userFromEntry(ld, entry, source, &warnings);
                const QString key = user.dn.toLower();
                if (seenDns.contains(key))
                    return;
                seenDns.insert(key);
                page.append(std::move(user));
            },
            [&](int) {
                ++pageNumber;
                ++m_pagesRead;
                Q_EMIT pageRead(page, pageNumber);
                page.clear();
            });
        if (!ok) {
            QMutexLocker lock(&m_mutex);
            m_failure = connection.failure();
            m_warnings = warnings;
            m_referencesSkipped = connection.skippedReferences();
            return;
        }
    }
    QMutexLocker lock(&m_mutex);
    m_warnings = warnings;
    m_referencesSkipped = connection.skippedReferences();
}

namespace {

QString describeValue(const QByteArray &value)
{
    return value.isEmpty() ? tr("(not set)") : ImmutableId::base64Of(value);
}

bool isConnectionLoss(LdapError code)
{
    return code == LdapError::ServerUnreachable || code == LdapError::Timeout ||
           code == LdapError::ProtocolError;
}

} // namespace

void LdapWorker::runReadAnchors()
{
    LdapConnection connection(m_config, &m_abort);
    if (!connection.open()) {
        QMutexLocker lock(&m_mutex);
        m_failure = connection.failure();
        return;
    }
    QList<LdapAnchorState> states;
    for (const LdapAnchorChange &change : std::as_const(m_changes)) {
        if (m_abort)
            return;
        LdapAnchorState state;
        if (!connection.readAnchorState(change.dn, change.objectGuid, &state)) {
            QMutexLocker lock(&m_mutex);
            m_failure = connection.failure();
            m_states = states;
            return;
        }
        states << state;
    }
    QMutexLocker lock(&m_mutex);
    m_states = states;
}

LdapAnchorOutcome LdapWorker::writeOne(LdapConnection &connection, const LdapAnchorChange &change,
                                       bool *connectionLost)
{
    LdapAnchorOutcome outcome;
    outcome.change = change;
    const QString attribute = QString::fromLatin1(ConsistencyGuidAttribute);
    if (!change.newValue.isEmpty() && change.newValue.size() != 16) {
        outcome.failure = {LdapError::ConstraintViolation,
                           tr("Refusing to write %1 bytes into %2 of %3: the anchor is 16 bytes. "
                              "Nothing was written.")
                               .arg(change.newValue.size())
                               .arg(attribute, change.dn)};
        return outcome;
    }
    if (!connection.readAnchorState(change.dn, change.objectGuid, &outcome.before)) {
        outcome.failure = connection.failure();
        *connectionLost = true;
        return outcome;
    }
    if (outcome.before.failure.isError()) {
        outcome.failure = outcome.before.failure;
        return outcome;
    }
    if (outcome.before.consistencyGuid != change.expectedValue) {
        outcome.status = LdapAnchorStatus::Stale;
        outcome.failure = {LdapError::None,
                           tr("%1 of %2 is %3 now, but was %4 when it was read: it changed "
                              "since. Nothing was written.")
                               .arg(attribute, change.dn,
                                    describeValue(outcome.before.consistencyGuid),
                                    describeValue(change.expectedValue))};
        return outcome;
    }
    if (outcome.before.consistencyGuid == change.newValue) { // nothing to do (a repeat)
        outcome.status = LdapAnchorStatus::Applied;
        outcome.readBack = outcome.before.consistencyGuid;
        return outcome;
    }
    const bool written = connection.writeConsistencyGuid(change.dn, change.newValue);
    LdapFailure writeFailure = connection.failure();
    if (!written && !isConnectionLoss(writeFailure.code)) {
        outcome.failure = writeFailure; // refused: nothing was written
        return outcome;
    }
    // Read back: it proves the write, and settles a write whose answer was lost.
    LdapAnchorState after;
    bool readOk = written && connection.readAnchorState(change.dn, change.objectGuid, &after);
    if (!readOk) {
        LdapConnection retry(m_config, &m_abort);
        readOk = retry.open() && retry.readAnchorState(change.dn, change.objectGuid, &after);
        if (!readOk) {
            *connectionLost = true;
            outcome.outcomeUnknown = true;
            outcome.failure = {
                written ? retry.failure().code : writeFailure.code,
                tr("The change of %1 on %2 was sent, but the connection was lost before it "
                   "could be read back; its outcome is unknown until it is read again (%3).")
                    .arg(attribute, change.dn,
                         written ? retry.failure().message : writeFailure.message)};
            return outcome;
        }
    }
    outcome.readBack = after.consistencyGuid;
    if (after.exists && after.consistencyGuid == change.newValue) {
        outcome.status = LdapAnchorStatus::Applied;
        outcome.failure = {};
    } else if (!written) {
        outcome.failure = writeFailure; // the lost write did not happen
    } else {
        outcome.failure = {LdapError::ProtocolError,
                           tr("%1 of %2 reads back as %3 after writing %4.")
                               .arg(attribute, change.dn, describeValue(after.consistencyGuid),
                                    describeValue(change.newValue))};
    }
    return outcome;
}

void LdapWorker::runWriteAnchors()
{
    // A password bind over plain LDAP is one thing; changing the directory over it lets
    // anyone on the path alter what is written.
    if (m_config.effectiveTlsMode() == LdapConfig::TlsMode::None && !m_config.allowPlainWrite) {
        QMutexLocker lock(&m_mutex);
        m_failure = {LdapError::PlainWriteRefused,
                     tr("Refusing to change the directory over %1 without TLS. Use ldaps:// "
                        "or StartTLS (or, for a practice directory only, allow plain-text "
                        "writes explicitly). Nothing was written.")
                         .arg(m_config.uri.trimmed())};
        return;
    }
    LdapConnection connection(m_config, &m_abort);
    if (!connection.open()) {
        QMutexLocker lock(&m_mutex);
        m_failure = connection.failure();
        return;
    }
    for (int i = 0; i < m_changes.size(); ++i) {
        if (m_abort)
            return;
        bool lost = false;
        const LdapAnchorOutcome outcome = writeOne(connection, m_changes.at(i), &lost);
        Q_EMIT anchorChangeFinished(outcome, i);
        if (lost) {
            QMutexLocker lock(&m_mutex);
            m_failure = outcome.failure;
            return;
        }
    }
}
