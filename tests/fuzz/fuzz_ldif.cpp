// The LDIF reader (ldifde / ldapsearch exports): no crash, hang or leak on any input, and
// what it makes of an entry is usable: a user's anchors are 16 bytes or empty, each
// warning names its line, and reading the same text twice gives the same users.
#include "fuzzcheck.h"
#include "ldifreader.h"

#include <QTextStream>

namespace {

QList<OnPremUser> readAll(const QString &text, QStringList *warnings)
{
    QString copy = text;
    QTextStream in(&copy);
    LdifReader reader(in);
    QList<OnPremUser> users;
    LdifRecord record;
    int lastLine = 0;
    while (reader.readRecord(&record)) {
        FUZZ_CHECK(record.line >= lastLine);
        lastLine = record.line;
        OnPremUser user;
        if (LdifReader::toUser(record, QStringLiteral("fuzz.ldif"), &user, warnings))
            users << user;
    }
    *warnings += reader.warnings();
    return users;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(fuzzBytes(data, size));
    QStringList warnings;
    const QList<OnPremUser> users = readAll(text, &warnings);
    for (const OnPremUser &u : users) {
        FUZZ_CHECK(u.objectGuid.isEmpty() || u.objectGuid.size() == 16);
        FUZZ_CHECK(u.consistencyGuid.isEmpty() || u.consistencyGuid.size() == 16);
        for (AnchorRule rule : {AnchorRule::ObjectGuid, AnchorRule::ConsistencyGuid,
                                AnchorRule::ConsistencyGuidElseObjectGuid}) {
            const QString anchor = u.anchor(rule);
            FUZZ_CHECK(anchor.isEmpty() || anchor.size() == 24);
        }
    }
    QStringList again;
    FUZZ_CHECK(readAll(text, &again) == users);
    FUZZ_CHECK_EQ(again, warnings);
    return 0;
}
