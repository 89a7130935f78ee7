#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

// A JSON Web Token in compact form (header.payload.signature, base64url), read strictly:
// three non-empty parts of the base64url alphabet without padding, a JSON-object header
// and payload, alg RS256 (never "none", no other algorithm), a key id, no "crit" header
// and at most 16 KiB. Parsing checks the form only: the signature is verified by
// services (Rs256) and the claims by ApprovalSeal.
class Jwt
{
public:
    static constexpr qsizetype MaxLength = 16 * 1024;

    // nullopt with *error saying what is wrong ("the token's algorithm is none: …").
    static std::optional<Jwt> parse(const QString &compact, QString *error);

    const QJsonObject &header() const { return m_header; }
    const QJsonObject &claims() const { return m_claims; }
    QString keyId() const { return m_header.value(QLatin1String("kid")).toString(); }
    // "header.payload" as sent: the bytes the signature covers.
    const QByteArray &signingInput() const { return m_signingInput; }
    const QByteArray &signature() const { return m_signature; }

    QString claim(const char *name) const { return m_claims.value(QLatin1String(name)).toString(); }
    // A NumericDate claim (exp, iat, nbf) in seconds since the epoch; nullopt if absent
    // or not a number.
    std::optional<qint64> timeClaim(const char *name) const;

private:
    QJsonObject m_header;
    QJsonObject m_claims;
    QByteArray m_signingInput;
    QByteArray m_signature;
};
