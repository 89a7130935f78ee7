#include "approvaldigest.h"

#include <QCryptographicHash>

#include <algorithm>

namespace {

void field(QByteArray &out, const QString &value)
{
    const QByteArray bytes = value.toUtf8();
    out += QByteArray::number(bytes.size());
    out += ':';
    out += bytes;
}

QString base64Url(const QByteArray &digest)
{
    return QString::fromLatin1(
        digest.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

QByteArray ApprovalDigest::canonicalRow(const Finding &row)
{
    QByteArray out;
    field(out, QString::number(row.rowId));
    field(out, categoryName(row.category));
    field(out, actionName(row.action));
    field(out, row.onPremDn);
    field(out, row.onPremGuid());
    field(out, row.onPremUpn);
    field(out, row.cloudId);
    field(out, row.cloudUpn);
    field(out, row.deletedHolderId);
    field(out, row.cloudImmutableId);      // the old value
    field(out, row.expectedImmutableId()); // the new value
    return out;
}

QString ApprovalDigest::rowDigest(const Finding &row)
{
    return base64Url(QCryptographicHash::hash(canonicalRow(row), QCryptographicHash::Sha256));
}

QString ApprovalDigest::sealDigest(const QString &tenantId, const QList<QString> &rowDigests)
{
    QByteArray out("anchorfix-approval-v1\n");
    field(out, tenantId);
    out += '\n';
    for (const QString &d : rowDigests) {
        field(out, d);
        out += '\n';
    }
    return base64Url(QCryptographicHash::hash(out, QCryptographicHash::Sha256));
}

QString ApprovalDigest::sealDigest(const QString &tenantId, QList<Finding> approvedRows)
{
    std::sort(approvedRows.begin(), approvedRows.end(),
              [](const Finding &a, const Finding &b) { return a.rowId < b.rowId; });
    QList<QString> digests;
    for (const Finding &row : std::as_const(approvedRows))
        digests.append(rowDigest(row));
    return sealDigest(tenantId, digests);
}
