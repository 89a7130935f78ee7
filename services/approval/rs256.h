#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256") through OpenSSL's EVP interface: nothing
// of RSA is written here. The key is a JWK from the tenant's JWKS: kty RSA, n and e
// base64url, use "sig" (or absent), alg RS256 (or absent), at least 2048 bits.
namespace Rs256 {

// true when signature is signingInput's RS256 signature by jwk's key; else false and
// *error says why ("the signature does not match", "the key is 1024 bits", …).
bool verify(const QJsonObject &jwk, const QByteArray &signingInput, const QByteArray &signature,
            QString *error);

} // namespace Rs256
