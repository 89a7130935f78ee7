#include "loadplanjob.h"
#include "saveplanjob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <sys/stat.h>

namespace {

Finding finding(int rowId, Category category, const QString &upn, Action action, bool approved)
{
    Finding f;
    f.rowId = rowId;
    f.category = category;
    f.severity = baseSeverityFor(category);
    f.onPremDn = QStringLiteral("CN=%1,OU=Users,DC=corp,DC=example,DC=test").arg(upn);
    f.onPremUpn = upn;
    f.setOnPremGuid(QStringLiteral("7754d487-1fc3-4206-9e95-ce012f1586e5"));
    f.setExpectedImmutableId(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
    f.cloudId = QStringLiteral("c%1").arg(rowId);
    f.cloudUpn = upn;
    // Cells that fit the category (Plan::read refuses a category its own row contradicts):
    // a pending soft match has no cloud anchor, only an in-sync user may still be synced.
    if (category != Category::SoftMatchPending)
        f.cloudImmutableId = QStringLiteral("old%1").arg(rowId);
    f.cloudSyncEnabled = category == Category::InSync && rowId % 2 == 0;
    f.allowedActions = allowedActionsFor(category);
    f.action = action;
    f.requiresApproval = categoryNeedsApproval(category);
    f.approved = approved;
    f.setReason(QStringLiteral("Row %1: found by the test.").arg(rowId));
    return f;
}

QString written(const Plan &plan)
{
    QString text;
    QTextStream out(&text);
    plan.write(out);
    out.flush();
    return text;
}

// The file's bytes as text, line ends untouched (plan.csv uses CRLF).
QString fileText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

} // namespace

class tst_PlanFileJobs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void roundTrip_data()
    {
        QTest::addColumn<Plan>("plan");
        QTest::newRow("one stamp row")
            << Plan({finding(1, Category::SoftMatchPending, QStringLiteral("anna@contoso.com"),
                             Action::Stamp, false)});
        Finding hostile =
            finding(2, Category::AnchorMismatch, QStringLiteral("=cmd|' /C calc'!A0@contoso.com"),
                    Action::Clear, true);
        hostile.onPremDn = QStringLiteral("CN=Smith\\, \"Anna\",OU=Zoë Ångström 山田,DC=corp");
        hostile.setReason(QStringLiteral("two lines,\nwith \"quotes\""));
        QTest::newRow("quotes, commas, newlines, formulas, UTF-8")
            << Plan({hostile, finding(3, Category::InSync, QStringLiteral("+bob@contoso.com"),
                                      Action::None, false)});
        QList<Finding> many;
        for (int i = 1; i <= 5000; ++i)
            many << finding(i, i % 3 ? Category::SoftMatchPending : Category::AnchorMismatch,
                            QStringLiteral("user%1@contoso.com").arg(i),
                            i % 3 ? Action::Stamp : Action::Clear, i % 2 == 0);
        QTest::newRow("5000 rows") << Plan(many);
    }
    void roundTrip()
    {
        QFETCH(Plan, plan);
        const QString path = m_dir.filePath(QStringLiteral("plan.csv"));

        auto *save = new SavePlanJob(plan, path);
        save->setAutoDelete(false);
        const std::unique_ptr<Job> saveOwner(save);
        QSignalSpy saved(save, &Job::finished);
        save->start();
        QVERIFY(saved.wait());
        QCOMPARE(saved.size(), 1);
        QCOMPARE(save->error(), int(Job::NoError));
        QCOMPARE(fileText(path), written(plan));
        // Atomic save: nothing but the plan is left in the folder.
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("plan.csv")});

        auto *load = new LoadPlanJob(path);
        load->setAutoDelete(false);
        const std::unique_ptr<Job> loadOwner(load);
        QSignalSpy loaded(load, &Job::finished);
        load->start();
        QVERIFY(loaded.wait());
        QCOMPARE(loaded.size(), 1);
        QVERIFY2(load->error() == Job::NoError, qPrintable(load->errorString()));
        QCOMPARE(load->plan().size(), plan.size());
        QCOMPARE(load->plan().rows(), plan.rows());
    }

    void saveOverwritesAtomically()
    {
        const QString path = m_dir.filePath(QStringLiteral("plan.csv"));
        {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("an older plan\n");
        }
        const Plan plan({finding(1, Category::SoftMatchPending, QStringLiteral("a@contoso.com"),
                                 Action::Stamp, false)});
        auto *save = new SavePlanJob(plan, path);
        save->setAutoDelete(false);
        const std::unique_ptr<Job> saveOwner(save);
        QSignalSpy saved(save, &Job::finished);
        save->start();
        QVERIFY(saved.wait());
        QCOMPARE(fileText(path), written(plan));
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("plan.csv")});
    }

    void saveFailure_data()
    {
        QTest::addColumn<QString>("relativePath");
        QTest::newRow("missing folder") << QStringLiteral("no/such/folder/plan.csv");
        QTest::newRow("a file where the folder should be") << QStringLiteral("afile/plan.csv");
        QTest::newRow("a folder where the file should be") << QStringLiteral("afolder");
    }
    void saveFailure()
    {
        QFETCH(QString, relativePath);
        {
            QFile file(m_dir.filePath(QStringLiteral("afile")));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("afolder")));
        const QString path = m_dir.filePath(relativePath);

        auto *save = new SavePlanJob(Plan(), path);
        save->setAutoDelete(false);
        const std::unique_ptr<Job> saveOwner(save);
        QSignalSpy saved(save, &Job::finished);
        save->start();
        QVERIFY(saved.wait());
        QCOMPARE(save->error(), int(SavePlanJob::CannotWrite));
        QVERIFY2(save->errorString().contains(path), qPrintable(save->errorString()));
        QVERIFY2(save->errorString().contains(u"Choose a folder you may write to") ||
                     save->errorString().contains(u"is a folder; choose a file name") ||
                     save->errorString().contains(u"Check the free space and permissions"),
                 qPrintable(save->errorString()));
    }

    // plan.csv lists identities: a new one is readable by its owner only; a replaced one
    // keeps the mode it had; a symlink at the name is replaced, not written through.
    void savedPlanModes()
    {
        const mode_t old = ::umask(022);
        const QString fresh = m_dir.filePath(QStringLiteral("fresh.csv"));
        QVERIFY(SavePlanJob::write(Plan(), fresh, nullptr));
        QCOMPARE(int(QFile::permissions(fresh) & 0x0fff), 0x0600);
        QVERIFY(QFile::setPermissions(fresh, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ReadGroup));
        QVERIFY(SavePlanJob::write(Plan(), fresh, nullptr));
        QCOMPARE(int(QFile::permissions(fresh) & 0x0fff), 0x0640);
        const QString victim = m_dir.filePath(QStringLiteral("victim.txt"));
        {
            QFile v(victim);
            QVERIFY(v.open(QIODevice::WriteOnly));
            v.write("theirs");
        }
        const QString linked = m_dir.filePath(QStringLiteral("linked.csv"));
        QVERIFY(QFile::link(victim, linked));
        QVERIFY(SavePlanJob::write(Plan(), linked, nullptr));
        QVERIFY(!QFileInfo(linked).isSymLink());
        QFile v(victim);
        QVERIFY(v.open(QIODevice::ReadOnly));
        QCOMPARE(v.readAll(), QByteArray("theirs"));
        ::umask(old);
    }

    void loadFailure_data()
    {
        QTest::addColumn<QByteArray>("content"); // null: no file at all
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("expected");
        const QByteArray header = Plan::csvHeader().join(u',').toUtf8() + '\n';
        QTest::newRow("missing file")
            << QByteArray() << int(LoadPlanJob::CannotRead) << QStringLiteral("Cannot read");
        QTest::newRow("empty file")
            << QByteArray("") << int(LoadPlanJob::BadPlan) << QStringLiteral("line 1");
        QTest::newRow("missing columns")
            << QByteArray("row_id,category\n1,no_such_category\n") << int(LoadPlanJob::BadPlan)
            << QStringLiteral("line 1, column 3");
        QTest::newRow("stray quote")
            << header + QByteArray("1,in\"sync\n") << int(LoadPlanJob::BadPlan)
            << QStringLiteral("line 2, column 5");
    }
    void loadFailure()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, error);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(QStringLiteral("broken-plan.csv"));
        QFile::remove(path);
        if (!content.isNull()) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }

        auto *load = new LoadPlanJob(path);
        load->setAutoDelete(false);
        const std::unique_ptr<Job> loadOwner(load);
        QSignalSpy loaded(load, &Job::finished);
        load->start();
        QVERIFY(loaded.wait());
        QCOMPARE(load->error(), error);
        QVERIFY2(load->errorString().contains(path), qPrintable(load->errorString()));
        QVERIFY2(load->errorString().contains(expected), qPrintable(load->errorString()));
        QCOMPARE(load->plan().size(), 0);
    }

    void finishedArrivesOnTheStartingThread_data()
    {
        QTest::addColumn<bool>("save");
        QTest::newRow("save") << true;
        QTest::newRow("load") << false;
    }
    void finishedArrivesOnTheStartingThread()
    {
        QFETCH(bool, save);
        const QString path = m_dir.filePath(QStringLiteral("plan.csv"));
        const Plan plan({finding(1, Category::SoftMatchPending, QStringLiteral("a@contoso.com"),
                                 Action::Stamp, false)});
        Job *job = save ? static_cast<Job *>(new SavePlanJob(plan, path))
                        : static_cast<Job *>(new LoadPlanJob(path));
        job->setAutoDelete(false);
        const std::unique_ptr<Job> jobOwner(job);
        if (!save) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Text));
            QTextStream out(&file);
            plan.write(out);
        }
        QThread *finishedOn = nullptr;
        connect(
            job, &Job::finished, this, [&finishedOn] { finishedOn = QThread::currentThread(); },
            Qt::DirectConnection);
        QSignalSpy finished(job, &Job::finished);
        job->start();
        QVERIFY(!job->isFinished()); // start() only queues the work
        QVERIFY(finished.wait());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finishedOn, QThread::currentThread());
        QCOMPARE(job->error(), int(Job::NoError));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_PlanFileJobs)
#include "tst_planfilejobs.moc"
