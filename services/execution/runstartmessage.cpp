#include "runstartmessage.h"

#include "plan.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QTextStream>

QString RunStartMessage::text(const TenantFacts &tenant, const QString &planFile,
                              const QByteArray &planContent)
{
    const QString sha = QString::fromLatin1(
        QCryptographicHash::hash(planContent, QCryptographicHash::Sha256).toHex());
    return QStringLiteral("tenant %1; plan %2 sha256 %3").arg(tenant.describe(), planFile, sha);
}

QByteArray RunStartMessage::planContent(const Plan &plan)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QTextStream out(&buffer);
    plan.write(out);
    out.flush();
    return bytes;
}
