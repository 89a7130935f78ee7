// The anchor codec: whatever parse() accepts converts to every form and back to the same
// 16 bytes; 16 raw bytes survive base64 and GUID forms (encode(decode(v)) == v).
#include "fuzzcheck.h"
#include "immutableid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = fuzzBytes(data, size);
    if (bytes.size() >= 16) {
        const ImmutableId raw = ImmutableId::fromBytes(bytes.left(16));
        FUZZ_CHECK_EQ(raw.bytes(), bytes.left(16));
        for (const QString &form :
             {raw.toBase64(), raw.toGuid(), raw.toHex(), raw.toLdapFilter()}) {
            const auto back = ImmutableId::parse(form);
            FUZZ_CHECK(back.has_value());
            FUZZ_CHECK_EQ(back->bytes(), raw.bytes());
        }
        FUZZ_CHECK_EQ(ImmutableId::base64Of(raw.bytes()), raw.toBase64());
    }
    const QString text = QString::fromUtf8(bytes);
    QString error;
    const auto id = ImmutableId::parse(text, &error);
    if (!id) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK_EQ(id->bytes().size(), 16);
    for (const QString &form : {id->toBase64(), id->toGuid(), id->toHex(), id->toLdapFilter()}) {
        const auto back = ImmutableId::parse(form);
        FUZZ_CHECK(back.has_value());
        FUZZ_CHECK(*back == *id);
    }
    return 0;
}
