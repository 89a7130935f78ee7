#pragma once

#include "ldaperror.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

// Says why a server certificate that TLS rejected is not acceptable, in the order an admin
// should look: expired (or not yet valid), not naming `host`, else issued by a CA that is
// not trusted (caFile, or the system store when empty). `der` is the server certificate.
LdapFailure diagnoseServerCertificate(const QByteArray &der, const QString &host,
                                      const QString &caFile, const QDateTime &now);
