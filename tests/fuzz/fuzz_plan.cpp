// plan.csv: whatever Plan::read accepts writes back to a normal form that reads as the
// same plan and writes the same text again (write(read(write(read(x)))) ==
// write(read(x))); apply's reading (Rows::Changes) accepts and refuses exactly what the
// full reading does, and keeps exactly its rows that change something.
#include "fuzzcheck.h"
#include "plan.h"

#include <QBuffer>
#include <QTextStream>

namespace {

bool readBytes(QByteArray bytes, Plan *plan, QString *error, Plan::Rows rows)
{
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    return Plan::read(&buffer, plan, error, rows);
}

QByteArray written(const Plan &plan)
{
    QString text;
    QTextStream out(&text);
    plan.write(out);
    out.flush();
    return text.toUtf8();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = fuzzBytes(data, size);
    Plan all, changes;
    QString errorAll, errorChanges;
    const bool okAll = readBytes(bytes, &all, &errorAll, Plan::Rows::All);
    const bool okChanges = readBytes(bytes, &changes, &errorChanges, Plan::Rows::Changes);
    FUZZ_CHECK_EQ(okAll, okChanges);
    if (!okAll) {
        FUZZ_CHECK(errorAll.startsWith(QLatin1String("line ")));
        FUZZ_CHECK_EQ(errorAll, errorChanges);
        return 0;
    }
    QList<Finding> acting;
    for (const Finding &f : all.rows())
        if (f.action != Action::None)
            acting << f;
    FUZZ_CHECK_EQ(changes.rows().size(), acting.size());
    for (qsizetype i = 0; i < acting.size(); ++i)
        FUZZ_CHECK(changes.rows().at(i) == acting.at(i));
    FUZZ_CHECK_EQ(changes.tenantId(), all.tenantId());

    const QByteArray first = written(all);
    Plan again;
    QString error;
    if (!readBytes(first, &again, &error, Plan::Rows::All)) {
        qWarning() << "written plan does not read:" << error;
        FUZZ_CHECK(false);
    }
    FUZZ_CHECK_EQ(again.size(), all.size());
    for (int i = 0; i < all.size(); ++i) {
        const Finding &a = all.at(i);
        const Finding &b = again.at(i);
        FUZZ_CHECK_EQ(b.rowId, a.rowId);
        FUZZ_CHECK(b.category == a.category);
        FUZZ_CHECK(b.action == a.action);
        FUZZ_CHECK(b.allowedActions == a.allowedActions);
        FUZZ_CHECK_EQ(b.requiresApproval, a.requiresApproval);
        FUZZ_CHECK_EQ(b.approved, a.approved);
        FUZZ_CHECK_EQ(b.isExecutable(), a.isExecutable());
        FUZZ_CHECK_EQ(b.cloudId, a.cloudId);
        FUZZ_CHECK_EQ(b.expectedImmutableId(), a.expectedImmutableId());
    }
    FUZZ_CHECK_EQ(again.tenantId(), all.tenantId());
    FUZZ_CHECK_EQ(again.scannedAt(), all.scannedAt());
    FUZZ_CHECK_EQ(written(again), first);
    return 0;
}
