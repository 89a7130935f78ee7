// A crash cannot dump secrets to a core file, and child processes (xdg-open) do not
// inherit the secrets given in the environment.
#include "practiceprocess.h"
#include "practicescenario.h"
#include "processhardening.h"
#include "secret.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

class tst_ProcessHardening : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noCoreDumpAfterApply()
    {
        // In a child, so this test process stays as it was.
        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            ProcessHardening::apply();
            struct rlimit core
            {
            };
            ::getrlimit(RLIMIT_CORE, &core);
            const bool ok = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 && core.rlim_cur == 0 &&
                            core.rlim_max == 0;
            ::_exit(ok ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(::waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    // The anchorfix binary itself (here `anchorfix practice`, which stays up): its core
    // limit, as the kernel shows it to anyone.
    void theBinaryRunsWithoutCoreDumps()
    {
        QTemporaryDir dir;
        PracticeProcess practice;
        QString error;
        QVERIFY2(practice.start(PracticeScenario::build(1, 0, 0, 0).tenant, dir.path(), &error),
                 qPrintable(error));
        QFile limits(QStringLiteral("/proc/%1/limits").arg(practice.processId()));
        QVERIFY(limits.open(QIODevice::ReadOnly));
        QByteArray line; // /proc files have no size: read them to the end
        for (const QByteArray &l : limits.readAll().split('\n'))
            if (l.startsWith("Max core file size"))
                line = l;
        QVERIFY2(line.simplified().startsWith("Max core file size 0 0"), line.constData());
        if (::getuid() != 0) {
            // Not dumpable: the kernel hands /proc/<pid> to root.
            QCOMPARE(QFileInfo(QStringLiteral("/proc/%1").arg(practice.processId())).ownerId(), 0u);
        }
    }

    void secretsAreTakenOutOfTheEnvironment()
    {
        qputenv("ANCHORFIX_TEST_SECRET", "s3cret");
        QCOMPARE(ProcessHardening::takeEnvironmentSecret("ANCHORFIX_TEST_SECRET"),
                 QStringLiteral("s3cret"));
        QVERIFY(!qEnvironmentVariableIsSet("ANCHORFIX_TEST_SECRET"));
        // What a child such as xdg-open would see.
        QProcess child;
        child.start(
            QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("printf %s \"${ANCHORFIX_TEST_SECRET-unset}\"")});
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.readAllStandardOutput(), QByteArray("unset"));
    }

    // fill(0) on a shared copy zeroed a fresh duplicate only; wipeSecret never writes into
    // a buffer others still hold (it would blank their password too) and empties its own.
    void wipeSecretLeavesOtherHoldersAlone()
    {
        QString held = QString::fromLatin1("hunter2");
        QString copy = held;
        wipeSecret(copy);
        QVERIFY(copy.isEmpty());
        QCOMPARE(held, QStringLiteral("hunter2"));
        QByteArray utf8 = held.toUtf8();
        wipeSecret(utf8);
        QVERIFY(utf8.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_ProcessHardening)
#include "tst_processhardening.moc"
