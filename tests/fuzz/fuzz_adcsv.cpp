// The Get-ADUser | Export-Csv reader: no crash, hang or leak on any input; a user's
// anchors are 16 bytes or empty; proxy addresses split, joined with ';' and split again
// give the same list.
#include "adcsvreader.h"
#include "fuzzcheck.h"

#include <QTextStream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QString text = QString::fromUtf8(fuzzBytes(data, size));
    QTextStream in(&text);
    AdCsvReader reader(in);
    QList<OnPremUser> users;
    if (!reader.read(QStringLiteral("fuzz.csv"), &users)) {
        FUZZ_CHECK(!reader.errorString().isEmpty());
        return 0;
    }
    for (const OnPremUser &u : users) {
        FUZZ_CHECK(u.objectGuid.isEmpty() || u.objectGuid.size() == 16);
        FUZZ_CHECK(u.consistencyGuid.isEmpty() || u.consistencyGuid.size() == 16);
        const QStringList split = AdCsvReader::splitProxyAddresses(u.proxyAddresses.join(u';'));
        FUZZ_CHECK_EQ(split, u.proxyAddresses);
    }
    return 0;
}
