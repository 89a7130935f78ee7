#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

// The practice tenant's own RSA key for ID tokens (2048 bits, generated through OpenSSL
// on first use, in memory only): it signs RS256 and publishes itself as a JWK, as Entra's
// keys are published at /{tenant}/discovery/v2.0/keys. Tests make a second key to forge
// a token.
class PracticeSigningKey
{
public:
    PracticeSigningKey();
    ~PracticeSigningKey();
    PracticeSigningKey(const PracticeSigningKey &) = delete;
    PracticeSigningKey &operator=(const PracticeSigningKey &) = delete;

    // The key id: base64url of the first 12 bytes of SHA-256 over the modulus.
    QString keyId();
    // {"kty":"RSA","use":"sig","alg":"RS256","kid","n","e"}
    QJsonObject jwk();
    // The RS256 signature of data (empty if OpenSSL failed).
    QByteArray sign(const QByteArray &data);
    // A compact JWS of claims with this key (header alg RS256, typ JWT, kid).
    QString signJwt(const QJsonObject &claims);

private:
    void ensure();
    struct Key;
    std::unique_ptr<Key> m_key;
};
