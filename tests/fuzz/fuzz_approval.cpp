// The second-person approval's parsers (issue 17): a JWT accepted by Jwt::parse is RS256,
// names its key and signs exactly its first two parts; an approvals file accepted by
// Approvals::fromJson writes back to a file that reads as the same approval.
#include "approvals.h"
#include "fuzzcheck.h"
#include "jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = fuzzBytes(data, size);
    QString error;
    const QString text = QString::fromUtf8(bytes);
    if (const auto jwt = Jwt::parse(text, &error)) {
        FUZZ_CHECK_EQ(jwt->header().value(QLatin1String("alg")).toString(),
                      QStringLiteral("RS256"));
        FUZZ_CHECK(!jwt->keyId().isEmpty());
        FUZZ_CHECK(!jwt->signature().isEmpty());
        FUZZ_CHECK(text.toLatin1().startsWith(QByteArray(jwt->signingInput() + '.')));
        FUZZ_CHECK_EQ(text.count(u'.'), 2);
    } else {
        FUZZ_CHECK(!error.isEmpty());
    }
    Approvals a;
    error.clear();
    if (!Approvals::fromJson(bytes, &a, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    const QByteArray written = a.toJson();
    Approvals back;
    FUZZ_CHECK(Approvals::fromJson(written, &back, &error));
    FUZZ_CHECK_EQ(back.toJson(), written);
    FUZZ_CHECK_EQ(back.approvedRowDigests(), a.approvedRowDigests());
    return 0;
}
