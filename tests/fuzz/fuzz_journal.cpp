// rollback.csv: whatever RollbackJournal::read accepts, written again as a journal, reads
// back as the same entries (read(write(read(x))) == read(x)).
#include "fuzzcheck.h"
#include "rollbackjournal.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    const QString input = dir.filePath(QStringLiteral("input.csv"));
    const QString output = dir.filePath(QStringLiteral("output.csv"));
    {
        QFile f(input);
        FUZZ_CHECK(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(fuzzBytes(data, size));
    }
    QList<RollbackEntry> entries;
    QString error, warning;
    if (!RollbackJournal::read(input, &entries, &error, &warning)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    QFile::remove(output);
    {
        RollbackJournal journal;
        FUZZ_CHECK(journal.create(output, &error));
        if (!entries.isEmpty())
            FUZZ_CHECK(journal.append(entries, &error, RollbackJournal::Durability::Flushed));
        journal.close();
    }
    QList<RollbackEntry> back;
    if (!RollbackJournal::read(output, &back, &error)) {
        qWarning() << "rewritten journal does not read:" << error;
        FUZZ_CHECK(false);
    }
    FUZZ_CHECK_EQ(back.size(), entries.size());
    for (qsizetype i = 0; i < back.size(); ++i) {
        FUZZ_CHECK_EQ(back.at(i).cloudId, entries.at(i).cloudId);
        FUZZ_CHECK_EQ(back.at(i).cloudUpn, entries.at(i).cloudUpn);
        FUZZ_CHECK_EQ(back.at(i).oldImmutableId, entries.at(i).oldImmutableId);
        FUZZ_CHECK_EQ(back.at(i).newImmutableId, entries.at(i).newImmutableId);
        FUZZ_CHECK(back.at(i).status == entries.at(i).status);
        FUZZ_CHECK_EQ(back.at(i).appliedAtUtc.toSecsSinceEpoch(),
                      entries.at(i).appliedAtUtc.toSecsSinceEpoch());
    }
    return 0;
}
