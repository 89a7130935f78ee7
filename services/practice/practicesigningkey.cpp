#include "practicesigningkey.h"

#include <QCryptographicHash>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace {
QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray bignumParam(EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
        return {};
    QByteArray out(BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    BN_free(bn);
    return out;
}
} // namespace

struct PracticeSigningKey::Key
{
    EVP_PKEY *pkey = nullptr;
    QByteArray n, e;
    ~Key() { EVP_PKEY_free(pkey); }
};

PracticeSigningKey::PracticeSigningKey() = default;
PracticeSigningKey::~PracticeSigningKey() = default;

void PracticeSigningKey::ensure()
{
    if (m_key)
        return;
    m_key = std::make_unique<Key>();
    m_key->pkey = EVP_RSA_gen(2048);
    if (m_key->pkey) {
        m_key->n = bignumParam(m_key->pkey, OSSL_PKEY_PARAM_RSA_N);
        m_key->e = bignumParam(m_key->pkey, OSSL_PKEY_PARAM_RSA_E);
    }
}

QString PracticeSigningKey::keyId()
{
    ensure();
    return QString::fromLatin1(
        base64Url(QCryptographicHash::hash(m_key->n, QCryptographicHash::Sha256).left(12)));
}

QJsonObject PracticeSigningKey::jwk()
{
    ensure();
    return {{QLatin1String("kty"), QStringLiteral("RSA")},
            {QLatin1String("use"), QStringLiteral("sig")},
            {QLatin1String("alg"), QStringLiteral("RS256")},
            {QLatin1String("kid"), keyId()},
            {QLatin1String("n"), QString::fromLatin1(base64Url(m_key->n))},
            {QLatin1String("e"), QString::fromLatin1(base64Url(m_key->e))}};
}

QByteArray PracticeSigningKey::sign(const QByteArray &data)
{
    ensure();
    if (!m_key->pkey)
        return {};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    QByteArray sig;
    size_t len = 0;
    if (md && EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, m_key->pkey) == 1 &&
        EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char *>(data.constData()),
                       size_t(data.size())) == 1) {
        sig.resize(qsizetype(len));
        if (EVP_DigestSign(md, reinterpret_cast<unsigned char *>(sig.data()), &len,
                           reinterpret_cast<const unsigned char *>(data.constData()),
                           size_t(data.size())) == 1)
            sig.resize(qsizetype(len));
        else
            sig.clear();
    }
    EVP_MD_CTX_free(md);
    return sig;
}

QString PracticeSigningKey::signJwt(const QJsonObject &claims)
{
    const QJsonObject header{{QLatin1String("typ"), QStringLiteral("JWT")},
                             {QLatin1String("alg"), QStringLiteral("RS256")},
                             {QLatin1String("kid"), keyId()}};
    const QByteArray input = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                             base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return QString::fromLatin1(input + '.' + base64Url(sign(input)));
}
