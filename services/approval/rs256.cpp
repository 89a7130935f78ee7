#include "rs256.h"

#include <QCoreApplication>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Rs256", text);
}

template <auto F> struct Deleter
{
    template <typename T> void operator()(T *p) const { F(p); }
};
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

QByteArray base64Url(const QJsonObject &jwk, const char *name)
{
    const QByteArray text = jwk.value(QLatin1String(name)).toString().toLatin1();
    auto r = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding |
                                                      QByteArray::OmitTrailingEquals |
                                                      QByteArray::AbortOnBase64DecodingErrors);
    return r ? r.decoded : QByteArray();
}

Pkey publicKey(const QByteArray &n, const QByteArray &e)
{
    Bn bn(
        BN_bin2bn(reinterpret_cast<const unsigned char *>(n.constData()), int(n.size()), nullptr));
    Bn be(
        BN_bin2bn(reinterpret_cast<const unsigned char *>(e.constData()), int(e.size()), nullptr));
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bn || !be || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()))
        return nullptr;
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0)
        return nullptr;
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        return nullptr;
    return Pkey(key);
}

} // namespace

bool Rs256::verify(const QJsonObject &jwk, const QByteArray &signingInput,
                   const QByteArray &signature, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (jwk.value(QLatin1String("kty")).toString() != QLatin1String("RSA"))
        return fail(tr("the signing key is not an RSA key"));
    if (const QString use = jwk.value(QLatin1String("use")).toString();
        !use.isEmpty() && use != QLatin1String("sig"))
        return fail(tr("the key is published for \"%1\", not for signatures").arg(use));
    if (const QString alg = jwk.value(QLatin1String("alg")).toString();
        !alg.isEmpty() && alg != QLatin1String("RS256"))
        return fail(tr("the key is published for %1, not RS256").arg(alg));
    QByteArray n = base64Url(jwk, "n");
    const QByteArray e = base64Url(jwk, "e");
    while (n.startsWith('\0'))
        n.remove(0, 1);
    if (n.isEmpty() || e.isEmpty())
        return fail(tr("the published key has no valid modulus or exponent"));
    if (n.size() * 8 < 2048)
        return fail(
            tr("the published key has %1 bits; at least 2048 are required").arg(n.size() * 8));
    if (signature.size() != n.size())
        return fail(tr("the signature is %1 bytes long, not %2 as the key requires")
                        .arg(signature.size())
                        .arg(n.size()));
    const Pkey key = publicKey(n, e);
    if (!key)
        return fail(tr("OpenSSL could not load the published key"));
    MdCtx md(EVP_MD_CTX_new());
    if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
        return fail(tr("OpenSSL could not start the verification"));
    const int ok = EVP_DigestVerify(
        md.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
        size_t(signature.size()), reinterpret_cast<const unsigned char *>(signingInput.constData()),
        size_t(signingInput.size()));
    if (ok != 1)
        return fail(tr("the signature does not match the key"));
    return true;
}
