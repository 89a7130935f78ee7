#include "auditlog.h"
#include "durablefile.h"
#include "rollbackjournal.h"
#include "rollbackscript.h"
#include "runfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

namespace {

RollbackEntry entry(const char *id, RollbackStatus status, const QString &newId = QString())
{
    return {QLatin1String(id),
            QLatin1String(id) + QStringLiteral("@contoso.com"),
            QStringLiteral("old=="),
            newId.isEmpty() ? QStringLiteral("+new==") : newId,
            status == RollbackStatus::Pending
                ? QDateTime()
                : QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC),
            status};
}

int modeOf(const QString &path)
{
    struct stat st;
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

} // namespace

class tst_RollbackJournal : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    QString path() { return m_dir.filePath(QStringLiteral("r%1.csv").arg(++m_n)); }

private Q_SLOTS:
    void lastRowPerCloudIdWins_data()
    {
        using S = RollbackStatus;
        QTest::addColumn<QList<RollbackEntry>>("rows");
        QTest::addColumn<QList<RollbackEntry>>("folded");
        QTest::newRow("pending then applied")
            << QList{entry("a", S::Pending), entry("a", S::Applied)}
            << QList{entry("a", S::Applied)};
        QTest::newRow("crash: still pending")
            << QList{entry("a", S::Pending), entry("a", S::Applied), entry("b", S::Pending)}
            << QList{entry("a", S::Applied), entry("b", S::Pending)};
        QTest::newRow("order of first appearance")
            << QList{entry("b", S::Pending), entry("a", S::Pending), entry("b", S::Failed),
                     entry("a", S::Applied)}
            << QList{entry("b", S::Failed), entry("a", S::Applied)};
    }
    void lastRowPerCloudIdWins()
    {
        QFETCH(QList<RollbackEntry>, rows);
        QFETCH(QList<RollbackEntry>, folded);
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY2(journal.create(file, &error), qPrintable(error));
        for (const RollbackEntry &e : rows)
            QVERIFY(journal.append(e, &error));
        journal.close();
        QList<RollbackEntry> read;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read, folded);
        // The formula guard on "+new==" is written and removed again.
        QFile raw(file);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QVERIFY(raw.readAll().contains(",'+new==,"));
    }

    void compactLeavesOneRowPerChange()
    {
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(
            {entry("a", RollbackStatus::Pending), entry("b", RollbackStatus::Pending)}, &error));
        QVERIFY(journal.append(
            {entry("a", RollbackStatus::Applied), entry("b", RollbackStatus::Failed)}, &error,
            RollbackJournal::Durability::Flushed));
        QVERIFY2(journal.compact(&error), qPrintable(error));
        QList<RollbackEntry> rows;
        QVERIFY(RollbackJournal::readRows(file, &rows, &error));
        QCOMPARE(rows,
                 (QList{entry("a", RollbackStatus::Applied), entry("b", RollbackStatus::Failed)}));
        QVERIFY(!QFile::exists(file + QStringLiteral(".tmp-") +
                               QString::number(QCoreApplication::applicationPid())));
    }

    // The clear of onPremisesObjectIdentifier is a change of its own beside the user's
    // anchor change (column `change`): neither row folds the other away, compact keeps
    // both, and a file of an earlier version without the column still reads.
    void identifierClearIsAChangeOfItsOwn()
    {
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        RollbackEntry clear{QStringLiteral("a"), QStringLiteral("a@contoso.com"),
                            QString(),           QString(),
                            QDateTime(),         RollbackStatus::Pending};
        clear.change = QStringLiteral("clear_object_identifier");
        QVERIFY(clear.isObjectIdentifierClear());
        QVERIFY(journal.append({clear, entry("a", RollbackStatus::Pending)}, &error));
        clear.status = RollbackStatus::Applied;
        clear.appliedAtUtc = QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC);
        QVERIFY(journal.append({clear, entry("a", RollbackStatus::Applied)}, &error));
        QVERIFY2(journal.compact(&error), qPrintable(error));
        QVERIFY(readAll(file).startsWith(
            "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,applied_at_utc,status,side,"
            "onprem_dn,change"));
        QList<RollbackEntry> read;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read, (QList{clear, entry("a", RollbackStatus::Applied)}));
        // Without the column (an older run), rows are anchor changes as before.
        const QString old = path();
        QVERIFY(writeFile(old,
                          "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                          "applied_at_utc,status\r\na,a@contoso.com,old==,+new==,,pending\r\n"));
        QVERIFY2(RollbackJournal::read(old, &read, &error), qPrintable(error));
        QCOMPARE(read, QList{entry("a", RollbackStatus::Pending)});
        // A rollback of such a file writes its marks in the file's own width.
        RollbackJournal undo;
        QVERIFY2(undo.openForUndo(old, &error), qPrintable(error));
        QVERIFY(undo.append(entry("a", RollbackStatus::Applied), &error));
        undo.close();
        QVERIFY2(RollbackJournal::read(old, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 1);
        QCOMPARE(read.first().status, RollbackStatus::RolledBack);
        // A change this version does not know is refused, not guessed.
        const QString odd = path();
        QVERIFY(writeFile(odd, "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                               "applied_at_utc,status,change\r\na,a@x,,,,applied,frobnicate\r\n"));
        QVERIFY(!RollbackJournal::read(odd, &read, &error));
        QVERIFY2(error.contains(u"clear_object_identifier"), qPrintable(error));
    }

    void tornLastLineIsIgnored()
    {
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(entry("a", RollbackStatus::Pending), &error));
        journal.close();
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write("b,b@contoso.com,old==,ne"); // killed in the middle of a write
        f.close();
        QList<RollbackEntry> read;
        QString warning;
        QVERIFY2(RollbackJournal::read(file, &read, &error, &warning), qPrintable(error));
        QCOMPARE(read, QList{entry("a", RollbackStatus::Pending)});
        QVERIFY(warning.contains(u"incomplete"));
    }

    void createRefusesAnExistingJournal()
    {
        const QString file = path();
        RollbackJournal first;
        QString error;
        QVERIFY(first.create(file, &error));
        QVERIFY(first.append(entry("a", RollbackStatus::Applied), &error));
        first.close();
        RollbackJournal second;
        QVERIFY(!second.create(file, &error));
        QVERIFY(error.contains(u"already exists"));
        QVERIFY(second.openForUndo(file, &error));
    }

    void rejectsOtherFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("another csv") << QByteArray("a,b\r\n1,2\r\n");
        QTest::newRow("unknown status")
            << QByteArray("cloud_id,cloud_upn,old_immutable_id,new_immutable_id,applied_at_utc,"
                          "status\r\nx,x@y,a,b,,done\r\n");
    }
    void rejectsOtherFiles()
    {
        QFETCH(QByteArray, content);
        const QString file = path();
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        QList<RollbackEntry> read;
        QString error;
        QVERIFY(!RollbackJournal::read(file, &read, &error));
        QVERIFY(!error.isEmpty());
        RollbackJournal journal;
        QVERIFY(!journal.openForUndo(file, &error));
    }

    void readsEveryStatus_data()
    {
        QTest::addColumn<QByteArray>("status");
        QTest::addColumn<int>("expected");
        // The first version wrote pending/applied/failed; a rollback adds the other two.
        QTest::newRow("pending") << QByteArray("pending") << int(RollbackStatus::Pending);
        QTest::newRow("applied") << QByteArray("applied") << int(RollbackStatus::Applied);
        QTest::newRow("failed") << QByteArray("failed") << int(RollbackStatus::Failed);
        QTest::newRow("rolled_back")
            << QByteArray("rolled_back") << int(RollbackStatus::RolledBack);
        QTest::newRow("rollback_failed")
            << QByteArray("rollback_failed") << int(RollbackStatus::RollbackFailed);
    }
    void readsEveryStatus()
    {
        QFETCH(QByteArray, status);
        QFETCH(int, expected);
        const QString file = path();
        QVERIFY(writeFile(file, "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                                "applied_at_utc,status\r\nx,x@y,a,b,," +
                                    status + "\r\n"));
        QList<RollbackEntry> read;
        QString error;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 1);
        QCOMPARE(int(read.first().status), expected);
        QCOMPARE(rollbackStatusName(read.first().status), QString::fromLatin1(status));
    }

    // fuzz_journal: a time given with an offset whose UTC year is 10000 read as a time, but
    // was written back as an empty cell; it is read as unknown, like any unreadable time.
    void appliedAtReadsAsItWritesBack_data()
    {
        QTest::addColumn<QByteArray>("cell");
        QTest::addColumn<QDateTime>("expected");
        QTest::newRow("offset") << QByteArray("2026-11-30T09:15:00+01:00")
                                << QDateTime(QDate(2026, 11, 30), QTime(8, 15), Qt::UTC);
        QTest::newRow("milliseconds")
            << QByteArray("2026-11-30T08:15:00.250Z")
            << QDateTime(QDate(2026, 11, 30), QTime(8, 15, 0, 250), Qt::UTC);
        QTest::newRow("UTC year 10000") << QByteArray("9999-12-31T23:59:59-05:00") << QDateTime();
        QTest::newRow("UTC year -1") << QByteArray("0000-01-01T00:00:00+01:00") << QDateTime();
        QTest::newRow("not a time") << QByteArray("yesterday") << QDateTime();
    }
    void appliedAtReadsAsItWritesBack()
    {
        QFETCH(QByteArray, cell);
        QFETCH(QDateTime, expected);
        const QString file = path();
        QVERIFY(writeFile(file, "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                                "applied_at_utc,status\r\nx,x@y,a,b," +
                                    cell + ",applied\r\n"));
        QList<RollbackEntry> read;
        QString error;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 1);
        QCOMPARE(read.first().appliedAtUtc.isValid(), expected.isValid());
        if (expected.isValid())
            QCOMPARE(read.first().appliedAtUtc.toUTC(), expected);

        const QString copy = path();
        RollbackJournal journal;
        QVERIFY2(journal.create(copy, &error), qPrintable(error));
        QVERIFY2(journal.append(read, &error), qPrintable(error));
        journal.close();
        QList<RollbackEntry> back;
        QVERIFY2(RollbackJournal::read(copy, &back, &error), qPrintable(error));
        QCOMPARE(back.size(), 1);
        QCOMPARE(back.first().appliedAtUtc.isValid(), expected.isValid());
        if (expected.isValid())
            QCOMPARE(back.first().appliedAtUtc.toUTC(), expected);
    }

    void findsColumnsByName()
    {
        // Columns in another order and one appended (DESIGN.md §4) still read.
        const QString file = path();
        QVERIFY(writeFile(file, "status,cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                                "applied_at_utc,side\r\napplied,x,x@y,a,b,,cloud\r\n"));
        QList<RollbackEntry> read;
        QString error;
        QVERIFY2(RollbackJournal::read(file, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 1);
        QCOMPARE(read.first().cloudId, QStringLiteral("x"));
        QCOMPARE(read.first().newImmutableId, QStringLiteral("b"));
        QCOMPARE(read.first().status, RollbackStatus::Applied);
    }

    // A rollback never journals the undo as a change of its own (old and new swapped):
    // that is what made a second rollback redo the run.
    void undoIsRecordedOnTheRowItUndoes()
    {
        const QString file = path();
        RollbackJournal run;
        QString error;
        QVERIFY(run.create(file, &error));
        QVERIFY(run.append(
            {entry("a", RollbackStatus::Pending), entry("b", RollbackStatus::Pending)}, &error));
        QVERIFY(run.append(
            {entry("a", RollbackStatus::Applied), entry("b", RollbackStatus::Applied)}, &error));
        QVERIFY(run.compact(&error));

        RollbackJournal undo;
        QVERIFY2(undo.openForUndo(file, &error), qPrintable(error));
        const QDateTime at(QDate(2026, 11, 22), QTime(8, 0), Qt::UTC);
        auto swapped = [&](const char *id, RollbackStatus status) {
            RollbackEntry e = entry(id, RollbackStatus::Applied);
            std::swap(e.oldImmutableId, e.newImmutableId);
            e.status = status;
            e.appliedAtUtc = status == RollbackStatus::Pending ? QDateTime() : at;
            return e;
        };
        // What the executor journals for the undo of a and b.
        QVERIFY(undo.append(
            {swapped("a", RollbackStatus::Pending), swapped("b", RollbackStatus::Pending)},
            &error));
        QList<RollbackEntry> rows;
        QVERIFY(RollbackJournal::readRows(file, &rows, &error));
        QCOMPARE(rows.size(), 2); // a pending undo adds no line
        QVERIFY(undo.append(
            {swapped("a", RollbackStatus::Applied), swapped("b", RollbackStatus::Failed)}, &error));
        QVERIFY(undo.compact(&error));
        QList<RollbackEntry> read;
        QVERIFY(RollbackJournal::read(file, &read, &error));
        RollbackEntry a = entry("a", RollbackStatus::RolledBack);
        a.appliedAtUtc = at;
        RollbackEntry b = entry("b", RollbackStatus::RollbackFailed);
        b.appliedAtUtc = at;
        QCOMPARE(read, (QList{a, b})); // old and new as the run wrote them
    }

    // A write torn at any byte (a crash, ENOSPC), then a later append, then a read: the
    // torn row is set aside and everything else reads, even when the tear is inside a
    // quoted cell (a UPN with a comma, a value with a quote).
    void tornRowThenAppend_data()
    {
        QTest::addColumn<int>("cut");
        const RollbackEntry torn = tornEntry();
        const QByteArray row = rowBytes(torn);
        for (int cut = 0; cut <= row.size(); ++cut)
            QTest::addRow("cut %d of %d", cut, int(row.size())) << cut;
    }
    void tornRowThenAppend()
    {
        QFETCH(int, cut);
        const QString file = path();
        RollbackJournal run;
        QString error;
        QVERIFY(run.create(file, &error));
        QVERIFY(run.append(entry("a", RollbackStatus::Applied), &error));
        run.close();
        const RollbackEntry torn = tornEntry();
        const QByteArray row = rowBytes(torn);
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::Append));
            f.write(row.left(cut));
        }
        // The next run (a rollback) appends after the torn line.
        RollbackJournal undo;
        QVERIFY2(undo.openForUndo(file, &error), qPrintable(error));
        RollbackEntry done = entry("a", RollbackStatus::RolledBack);
        QVERIFY(undo.append(done, &error));
        undo.close();

        QList<RollbackEntry> read;
        QString warning;
        QVERIFY2(RollbackJournal::read(file, &read, &error, &warning), qPrintable(error));
        const bool whole = cut >= row.size() - 2; // only the line break is missing
        QList<RollbackEntry> expected{done};
        if (whole)
            expected.append(torn);
        if (cut == 0)
            QVERIFY(warning.isEmpty());
        else if (!whole)
            QVERIFY2(warning.contains(u"incomplete") && warning.contains(u"line 3"),
                     qPrintable(warning));
        QCOMPARE(read, expected);
        // And again: a second append and a compaction keep it readable.
        QVERIFY(undo.openForUndo(file, &error));
        QVERIFY(undo.compact(&error));
        QVERIFY(RollbackJournal::read(file, &read, &error));
        QCOMPARE(read, expected);
    }

    void tornLastLineInsideAQuoteIsIgnored()
    {
        const QString file = path();
        RollbackJournal run;
        QString error;
        QVERIFY(run.create(file, &error));
        QVERIFY(run.append(entry("a", RollbackStatus::Pending), &error));
        run.close();
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write("b,\"o\"\"neil, b@contoso.com"); // no closing quote: a crash mid-cell
        f.close();
        QList<RollbackEntry> read;
        QString warning;
        QVERIFY2(RollbackJournal::read(file, &read, &error, &warning), qPrintable(error));
        QCOMPARE(read, QList{entry("a", RollbackStatus::Pending)});
        QVERIFY(warning.contains(u"incomplete"));
    }

    void damageThatIsNotATearIsRefused_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("a column too many") << QByteArray("x,x@y,a,b,,applied,extra\r\n");
        QTest::newRow("misspelt status") << QByteArray("x,x@y,a,b,,aplied\r\n");
        QTest::newRow("no cloud id") << QByteArray(",x@y,a,b,,applied\r\n");
    }
    void damageThatIsNotATearIsRefused()
    {
        QFETCH(QByteArray, line);
        const QString file = path();
        QVERIFY(writeFile(file, "cloud_id,cloud_upn,old_immutable_id,new_immutable_id,"
                                "applied_at_utc,status\r\n" +
                                    line + "y,y@y,a,b,,applied\r\n"));
        QList<RollbackEntry> read;
        QString error;
        QVERIFY(!RollbackJournal::read(file, &read, &error));
        QVERIFY2(error.contains(u"line 2"), qPrintable(error));
    }

    void filesAreCreatedOwnerOnlyAndKeepTheirMode()
    {
        const mode_t old = ::umask(022); // a usual umask: new files would be 0644
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(entry("a", RollbackStatus::Applied), &error));
        QCOMPARE(modeOf(file), 0600);
        QVERIFY(journal.compact(&error));
        QCOMPARE(modeOf(file), 0600);
        // A mode the admin chose survives a compaction.
        QVERIFY(QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ReadGroup));
        QVERIFY(journal.openForUndo(file, &error));
        QVERIFY(journal.compact(&error));
        QCOMPARE(modeOf(file), 0640);

        const QString script = m_dir.filePath(QStringLiteral("s%1.ps1").arg(m_n));
        QVERIFY(RollbackScript::write(script, QStringLiteral("# x\n"), &error));
        QCOMPARE(modeOf(script), 0600);

        const QString audit = m_dir.filePath(QStringLiteral("audit%1.csv").arg(m_n));
        AuditLog log;
        QVERIFY(log.open(audit, &error));
        log.close();
        QCOMPARE(modeOf(audit), 0600);
        ::umask(old);
        // No temp file is left behind.
        QVERIFY(QDir(m_dir.path())
                    .entryList({QStringLiteral(".*.tmp")}, QDir::Hidden | QDir::Files)
                    .isEmpty());
    }

    // Another local user plants a symlink at the temp name the first version used
    // (<path>.tmp-<pid>) or at the journal's own name: nothing is written through it.
    void plantedSymlinksAreNotFollowed()
    {
        const QString victim = m_dir.filePath(QStringLiteral("victim%1.txt").arg(++m_n));
        QVERIFY(writeFile(victim, "someone else's file\n"));
        const QString file = path();
        RollbackJournal journal;
        QString error;
        QVERIFY(journal.create(file, &error));
        QVERIFY(journal.append(entry("a", RollbackStatus::Applied), &error));
        const QString oldTemp =
            file + QStringLiteral(".tmp-") + QString::number(QCoreApplication::applicationPid());
        QVERIFY(QFile::link(victim, oldTemp));
        QVERIFY2(journal.compact(&error), qPrintable(error));
        QCOMPARE(readAll(victim), QByteArray("someone else's file\n"));
        QVERIFY(QFileInfo(oldTemp).isSymLink());
        QList<RollbackEntry> read;
        QVERIFY(RollbackJournal::read(file, &read, &error));
        QCOMPARE(read, QList{entry("a", RollbackStatus::Applied)});

        // A link at the journal's or the audit's own name is refused, whether it points
        // at an existing file or at one it wants created.
        const QString linked = path();
        QVERIFY(QFile::link(victim, linked));
        RollbackJournal other;
        QVERIFY(!other.create(linked, &error));
        AuditLog audit;
        QVERIFY(!audit.open(linked, &error));
        QCOMPARE(readAll(victim), QByteArray("someone else's file\n"));
        const QString wanted = m_dir.filePath(QStringLiteral("wanted%1").arg(m_n));
        const QString dangling = path();
        QVERIFY(QFile::link(wanted, dangling));
        QVERIFY(!other.create(dangling, &error));
        QVERIFY(!audit.open(dangling, &error));
        QVERIFY2(error.contains(u"symbolic link"), qPrintable(error));
        QVERIFY(!QFile::exists(wanted));
    }

    void createRefusesAnExistingScriptBeside()
    {
        const QString file = path();
        const QString script = RunFiles::rollbackScriptFor(file);
        QVERIFY(writeFile(script, "# an earlier run's undo\n"));
        RollbackJournal journal;
        QString error;
        QVERIFY(!journal.create(file, &error));
        QVERIFY2(error.contains(script), qPrintable(error));
        QVERIFY(!QFile::exists(file));
        QCOMPARE(readAll(script), QByteArray("# an earlier run's undo\n"));
        // A folder where the script would go is found now, not after the run.
        const QString file2 = path();
        QVERIFY(QDir().mkpath(RunFiles::rollbackScriptFor(file2)));
        QVERIFY(!journal.create(file2, &error));
        QVERIFY(!QFile::exists(file2));
    }

private:
    static RollbackEntry tornEntry()
    {
        RollbackEntry e = entry("b", RollbackStatus::Pending, QStringLiteral("x\"y"));
        e.cloudUpn = QStringLiteral("o'neil, jr@contoso.com");
        return e;
    }
    static QByteArray rowBytes(const RollbackEntry &e)
    {
        // As the journal writes it (the same rows a create()+append() produce).
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("x.csv"));
        RollbackJournal j;
        QString error;
        if (!j.create(file, &error) || !j.append(e, &error))
            return {};
        j.close();
        const QByteArray all = readAll(file);
        return all.mid(all.indexOf('\n') + 1);
    }
};

QTEST_GUILESS_MAIN(tst_RollbackJournal)
#include "tst_rollbackjournal.moc"
