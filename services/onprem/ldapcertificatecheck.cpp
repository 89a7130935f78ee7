#include "ldapcertificatecheck.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSslCertificate>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LdapCertificateCheck", text);
}

bool hostMatchesName(const QString &host, const QString &name)
{
    if (name.startsWith(u"*.")) {
        const qsizetype dot = host.indexOf(u'.');
        return dot > 0 && host.mid(dot + 1).compare(name.mid(2), Qt::CaseInsensitive) == 0;
    }
    return host.compare(name, Qt::CaseInsensitive) == 0;
}

bool certificateNamesHost(const QSslCertificate &cert, const QString &host, QStringList *names)
{
    const auto alternatives = cert.subjectAlternativeNames();
    const QHostAddress address(host);
    bool match = false;
    for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it) {
        if (it.key() == QSsl::IpAddressEntry) {
            *names << it.value();
            if (!address.isNull() && QHostAddress(it.value()) == address)
                match = true;
        } else if (it.key() == QSsl::DnsEntry) {
            *names << it.value();
            if (address.isNull() && hostMatchesName(host, it.value()))
                match = true;
        }
    }
    if (alternatives.isEmpty()) { // legacy: no SAN, the common name is the host name
        for (const QString &cn : cert.subjectInfo(QSslCertificate::CommonName)) {
            *names << cn;
            if (hostMatchesName(host, cn))
                match = true;
        }
    }
    return match;
}

} // namespace

LdapFailure diagnoseServerCertificate(const QByteArray &der, const QString &host,
                                      const QString &caFile, const QDateTime &now)
{
    const QSslCertificate cert(der, QSsl::Der);
    const QString subject = cert.subjectDisplayName();
    const QString issuer = cert.issuerDisplayName();
    const QString trustNote = tr("(Lab only: \"Trust this server anyway\" skips this check, "
                                 "and anyone on the network path can then read the password.)");
    if (cert.expiryDate().isValid() && cert.expiryDate() < now)
        return {LdapError::CertificateExpired,
                tr("The certificate of %1 (\"%2\") expired on %3. Renew the domain "
                   "controller's certificate. %4")
                    .arg(host, subject, cert.expiryDate().toString(Qt::ISODate), trustNote)};
    if (cert.effectiveDate().isValid() && cert.effectiveDate() > now)
        return {LdapError::CertificateExpired,
                tr("The certificate of %1 (\"%2\") is not valid before %3. Check the clocks "
                   "of this computer and the domain controller. %4")
                    .arg(host, subject, cert.effectiveDate().toString(Qt::ISODate), trustNote)};
    QStringList names;
    if (!certificateNamesHost(cert, host, &names))
        return {LdapError::CertificateNameMismatch,
                tr("The certificate of the server does not name \"%1\": it is for %2. Connect "
                   "using one of those names in the address. %3")
                    .arg(host, names.isEmpty() ? subject : names.join(QStringLiteral(", ")),
                         trustNote)};
    const QString store = caFile.isEmpty() ? tr("the system certificate store")
                                           : tr("the CA file \"%1\"").arg(caFile);
    return {LdapError::CertificateUntrusted,
            tr("The certificate of %1 was issued by \"%2\", which is not trusted by %3 "
               "(unknown CA). Give the certificate of that CA as the CA file. %4")
                .arg(host, issuer, store, trustNote)};
}
