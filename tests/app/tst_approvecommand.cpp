// Prepare → approve → execute as two people (issue 17), with the real binary against
// `anchorfix practice` in its own process: the approver reviews the flagged rows and signs
// in with the browser flow (the practice /authorize signs the login_hint user in at once;
// the test plays the browser), and apply runs only what the sealed approval covers.
#include "approvals.h"
#include "auditlog.h"
#include "plan.h"
#include "practiceprocess.h"
#include "practicescenario.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_ApproveCommand : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PracticeProcess m_practice;
    // Two unflagged stamps, two flagged clears (orphaned_anchor, approved=yes in plan.csv).
    PracticeScenario m_scenario = PracticeScenario::build(2, 2, 0, 0);
    QProcessEnvironment m_env = PracticeProcess::environment(PracticeScenario::clientSecret);
    QNetworkAccessManager m_browser;

    QString freshDir()
    {
        static int n = 0;
        const QString dir = m_dir.filePath(QStringLiteral("run%1").arg(++n));
        QDir().mkpath(dir);
        return dir;
    }
    bool writePlan(const QString &dir, const QList<Finding> &rows)
    {
        Plan plan(rows);
        plan.setScan(m_practice.tenantId(), QDateTime::currentDateTimeUtc());
        QFile file(dir + QStringLiteral("/plan.csv"));
        if (!file.open(QIODevice::WriteOnly))
            return false;
        QTextStream out(&file);
        plan.write(out);
        return true;
    }
    QString approver() const { return m_scenario.plan.at(0).cloudUpn; }
    QList<Finding> flagged() const { return m_scenario.plan.mid(2); }

    // anchorfix approve with the decisions on stdin; plays the browser for the sign-in.
    CliRun approve(const QString &dir, const QByteArray &decisions, const QString &who)
    {
        QProcess p;
        p.setProcessEnvironment(m_env);
        p.start(QStringLiteral(ANCHORFIX_BINARY),
                QStringList{QStringLiteral("approve"), QStringLiteral("--plan"),
                            dir + QStringLiteral("/plan.csv"), QStringLiteral("--approver"), who,
                            QStringLiteral("--no-browser")} +
                    m_practice.connectionArgs(PracticeScenario::clientId));
        p.write(decisions);
        p.closeWriteChannel();
        QString err;
        bool opened = false;
        QElapsedTimer timer;
        timer.start();
        while (p.state() != QProcess::NotRunning && timer.elapsed() < 30000) {
            p.waitForReadyRead(100);
            QCoreApplication::processEvents();
            err += QString::fromUtf8(p.readAllStandardError());
            static const QRegularExpression url(QStringLiteral("Sign in as the approver: (\\S+)"));
            if (const auto m = url.match(err); m.hasMatch() && !opened) {
                opened = true;
                QNetworkReply *reply = m_browser.get(QNetworkRequest(QUrl(m.captured(1))));
                connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
            }
        }
        p.waitForFinished(5000);
        err += QString::fromUtf8(p.readAllStandardError());
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), err};
    }
    CliRun apply(const QString &dir, const QStringList &extra = {})
    {
        return runAnchorfix(
            QStringList{QStringLiteral("apply"), QStringLiteral("--plan"),
                        dir + QStringLiteral("/plan.csv"), QStringLiteral("--audit"),
                        dir + QStringLiteral("/audit.csv"), QStringLiteral("--rollback"),
                        dir + QStringLiteral("/rollback.csv")} +
                m_practice.connectionArgs(PracticeScenario::clientId) + extra,
            m_env);
    }
    QList<AuditRecord> audit(const QString &dir)
    {
        QList<AuditRecord> records;
        QString error;
        AuditLog::read(dir + QStringLiteral("/audit.csv"), &records, &error);
        return records;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_practice.start(m_scenario.tenant, m_dir.path(), &error), qPrintable(error));
    }
    void init() { QVERIFY(m_practice.reset()); }

    void sealedApprovalRunsWhatItCovers()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir, m_scenario.plan));
        const CliRun a = approve(dir, "y\nchecked with HR\nn\nstill in use\n", approver());
        QVERIFY2(a.exitCode == 0, qPrintable(a.out + a.err));
        QVERIFY2(a.out.contains(u"sealed by Entra ID"), qPrintable(a.out));
        // The review showed each flagged row with its reason and PowerShell equivalent.
        QVERIFY(a.err.contains(u"orphaned_anchor"));
        QVERIFY(a.err.contains(u"Invoke-MgGraphRequest -Method PATCH"));
        Approvals approvals;
        QString error;
        QVERIFY2(Approvals::fromJson(readAll(dir + "/plan.approvals.json"), &approvals, &error),
                 qPrintable(error));
        QVERIFY(approvals.sealed);
        QCOMPARE(approvals.approverUpn, approver());
        QCOMPARE(approvals.approvedCount(), 1);
        QCOMPARE(approvals.decision(flagged().at(1).rowId)->reason, QStringLiteral("still in use"));

        const CliRun run = apply(dir, {QStringLiteral("--require-sealed-approval")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY(run.out.contains(u"flagged rows need a second person's sealed approval"));
        QVERIFY2(run.err.contains(QStringLiteral("not run: row %1: rejected by %2")
                                      .arg(flagged().at(1).rowId)
                                      .arg(approver())),
                 qPrintable(run.err));
        const auto users = m_practice.users();
        QCOMPARE(users.value(flagged().at(0).cloudId).second, QString()); // cleared
        QCOMPARE(users.value(flagged().at(1).cloudId).second,
                 flagged().at(1).cloudImmutableId); // rejected: untouched
        // The audit names approver, operator and seal for each flagged row.
        const QList<AuditRecord> records = audit(dir);
        const auto approved = std::find_if(records.cbegin(), records.cend(), [](const auto &r) {
            return r.result == AuditResult::Approved;
        });
        QVERIFY(approved != records.cend());
        QCOMPARE(approved->rowId, QString::number(flagged().at(0).rowId));
        QVERIFY(approved->message.contains(QStringLiteral("approver=") + approver()));
        QVERIFY(approved->message.contains(QStringLiteral("digest=") + approvals.digest));
        QVERIFY(approved->message.contains(u"seal=sealed"));
        QVERIFY(!approved->operatorName.isEmpty());
        QVERIFY(approved->operatorName != approver());
    }

    void policyWithoutApprovalRefusesFlaggedRows()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir, m_scenario.plan));
        const CliRun run = apply(dir, {QStringLiteral("--require-sealed-approval")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        for (const Finding &f : flagged()) {
            QVERIFY2(run.err.contains(QStringLiteral("not run: row %1: needs a second person's "
                                                     "sealed approval")
                                          .arg(f.rowId)),
                     qPrintable(run.err));
            QCOMPARE(m_practice.users().value(f.cloudId).second, f.cloudImmutableId);
        }
        QVERIFY(run.out.contains(u"2 applied")); // the unflagged stamps ran
        // Off by default: a single admin's plan.csv approvals still count.
        const QString alone = freshDir();
        QVERIFY(m_practice.reset());
        QVERIFY(writePlan(alone, m_scenario.plan));
        const CliRun single = apply(alone);
        QVERIFY2(single.exitCode == 0, qPrintable(single.out + single.err));
        QVERIFY(single.out.contains(u"Approval policy: single admin"));
        QVERIFY(!single.err.contains(u"not run"));
        QVERIFY(single.out.contains(u"4 applied"));
    }

    void rowChangedAfterApprovalIsNotRun()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir, m_scenario.plan));
        const CliRun a = approve(dir, "y\nok\ny\nok\n", approver());
        QVERIFY2(a.exitCode == 0, qPrintable(a.out + a.err));
        // Someone points the second flagged row at another cloud user after the approval.
        QList<Finding> edited = m_scenario.plan;
        edited[3].cloudId = m_scenario.plan.at(1).cloudId;
        edited[3].cloudUpn = m_scenario.plan.at(1).cloudUpn;
        QVERIFY(writePlan(dir, edited));
        const CliRun run = apply(dir);
        QVERIFY2(
            run.err.contains(
                QStringLiteral("not run: row %1: the row changed after").arg(edited.at(3).rowId)),
            qPrintable(run.err));
        QCOMPARE(m_practice.users().value(flagged().at(0).cloudId).second, QString());
    }

    void alteredApprovalsFileApprovesNothing()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir, m_scenario.plan));
        const CliRun a = approve(dir, "y\nok\nn\nno\n", approver());
        QVERIFY2(a.exitCode == 0, qPrintable(a.out + a.err));
        // Turn the rejection into an approval by editing the file.
        Approvals approvals;
        QVERIFY(Approvals::fromJson(readAll(dir + "/plan.approvals.json"), &approvals, nullptr));
        const ApprovalDecision &first = approvals.decisions.at(0);
        approvals.decisions[1].approved = true;
        approvals.decisions[1].rowDigest = first.rowDigest;
        QFile file(dir + "/plan.approvals.json");
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(approvals.toJson());
        file.close();
        const CliRun run = apply(dir);
        QVERIFY2(run.err.contains(u"not accepted: the approved rows in the approvals file are "
                                  u"not the ones sealed"),
                 qPrintable(run.err));
        for (const Finding &f : flagged())
            QCOMPARE(m_practice.users().value(f.cloudId).second, f.cloudImmutableId);
    }

    void existingApprovalNeedsForce()
    {
        const QString dir = freshDir();
        QVERIFY(writePlan(dir, m_scenario.plan));
        QFile file(dir + "/plan.approvals.json");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{}");
        file.close();
        const CliRun a = approve(dir, "y\nok\ny\nok\n", approver());
        QCOMPARE(a.exitCode, 1);
        QVERIFY(a.err.contains(u"already exists"));
        QCOMPARE(readAll(dir + "/plan.approvals.json"), QByteArray("{}"));
    }
};

QTEST_GUILESS_MAIN(tst_ApproveCommand)
#include "tst_approvecommand.moc"
