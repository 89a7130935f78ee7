// The approval gate before a run (issue 17), as `anchorfix apply` and the wizard use it:
// plan.approvals.json read beside the plan, its seal checked against the practice tenant's
// published keys, every flagged row decided, and the audit rows it leads to.
#include "approvalaudit.h"
#include "approvaldigest.h"
#include "approvalgatejob.h"
#include "approvalsfile.h"
#include "approvalsigninjob.h"
#include "jwkscache.h"
#include "practicetenant.h"
#include "practicetestsupport.h"
#include "runfiles.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kApprover = QStringLiteral("cloud@contoso.test"); // oid "cloud"
const QString kOperatorOid = QStringLiteral("admin");

// Row 1 unflagged, rows 2 and 3 flagged (approved=yes in plan.csv, as a single admin would).
QList<Finding> planRows()
{
    QList<Finding> list;
    for (int id : {1, 2, 3}) {
        Finding f;
        f.rowId = id;
        f.category = id == 1 ? Category::CloudOnly : Category::AnchorMismatch;
        f.action = Action::Stamp;
        f.requiresApproval = id != 1;
        f.approved = id != 1;
        f.cloudId = QStringLiteral("user-%1").arg(id);
        f.cloudUpn = QStringLiteral("user%1@contoso.test").arg(id);
        f.setExpectedImmutableId(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
        f.cloudImmutableId = QStringLiteral("OLDOLDOLDOLDOLDOLDOLDA==");
        list.append(f);
    }
    return list;
}

} // namespace

class tst_ApprovalGate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noApprovalsSingleAdmin();
    void noApprovalsUnderPolicy();
    void sealedApprovalDecidesRows();
    void rowChangedAfterApproval();
    void samePersonApprovesAndExecutes();
    void unsealedUnderPolicy();
    void withoutSignInNotVerified();
    void unreadableApprovalsFail();
    void auditRows();

private:
    // Approves row 2, rejects row 3, signed in as upn with the browser flow (sealed).
    Approvals sealedApproval(const QString &upn = kApprover,
                             const QString &oid = QStringLiteral("cloud"));
    QString planPath() const { return m_dir.filePath(QStringLiteral("plan.csv")); }
    void writeApprovals(const Approvals &a);
    SealExpectations expected(const QString &operatorOid = kOperatorOid) const;
    // Runs the gate; false on timeout.
    bool gate(const QList<Finding> &rows, bool requireSealed,
              const std::optional<SealExpectations> &e, ApprovalGate *out,
              QList<Finding> *decided = nullptr, QString *error = nullptr);

    QTemporaryDir m_dir;
    PracticeTenant m_tenant;
    JwksCache m_cache;
    QNetworkAccessManager m_browser;
};

void tst_ApprovalGate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCOMPARE(m_tenant.loadJson(PracticeTest::smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
}

Approvals tst_ApprovalGate::sealedApproval(const QString &upn, const QString &oid)
{
    const QList<Finding> rows = planRows();
    Approvals a;
    a.tenantId = PracticeTest::tenantId;
    a.approverUpn = upn;
    a.approverOid = oid;
    a.approvedAtUtc = QDateTime::currentDateTimeUtc();
    a.sealed = true;
    a.decisions.append({2, true, QStringLiteral("checked"), ApprovalDigest::rowDigest(rows.at(1))});
    a.decisions.append({3, false, QStringLiteral("still in use"), QString()});
    a.digest = ApprovalDigest::sealDigest(a.tenantId, a.approvedRowDigests());
    GraphConfig c;
    c.authorityUrl = QUrl(m_tenant.baseUrl());
    c.graphUrl = QUrl(m_tenant.baseUrl());
    c.tenant = m_tenant.tenantId();
    c.clientId = PracticeTest::clientId;
    c.signInMethod = SignInMethod::BrowserPkce;
    auto *job = new ApprovalSignInJob(c, a.digest, upn);
    connect(job, &ApprovalSignInJob::browserSignInRequested, this, [this](const QUrl &url) {
        QNetworkReply *reply = m_browser.get(QNetworkRequest(url)); // follows the redirect
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    });
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    if (done.wait(10000))
        a.idToken = job->idToken();
    delete job;
    return a;
}

void tst_ApprovalGate::writeApprovals(const Approvals &a)
{
    QString error;
    QVERIFY2(ApprovalsFile::write(RunFiles::approvalsFor(planPath()), a, &error),
             qPrintable(error));
}

SealExpectations tst_ApprovalGate::expected(const QString &operatorOid) const
{
    SealExpectations e;
    e.tenantId = m_tenant.tenantId();
    e.clientId = PracticeTest::clientId;
    e.issuer = ApprovalSeal::issuerFor(m_tenant.baseUrl(), m_tenant.tenantId());
    e.operatorOid = operatorOid;
    e.nowUtc = QDateTime::currentDateTimeUtc();
    return e;
}

bool tst_ApprovalGate::gate(const QList<Finding> &rows, bool requireSealed,
                            const std::optional<SealExpectations> &e, ApprovalGate *out,
                            QList<Finding> *decided, QString *error)
{
    auto *job =
        new ApprovalGateJob(rows, planPath(), requireSealed, e, QUrl(m_tenant.baseUrl()), &m_cache);
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    const bool finished = done.wait(10000);
    *out = job->value();
    if (decided)
        *decided = job->rows();
    if (error)
        *error = job->errorString();
    delete job;
    return finished;
}

void tst_ApprovalGate::noApprovalsSingleAdmin()
{
    QFile::remove(RunFiles::approvalsFor(planPath()));
    ApprovalGate g;
    QList<Finding> rows;
    QVERIFY(gate(planRows(), false, expected(), &g, &rows));
    QVERIFY(!g.approvals);
    QVERIFY(!g.auditsRows()); // a single admin's audit stays as it was
    QCOMPARE(g.verdicts.size(), 2);
    for (const RowApproval &v : g.verdicts)
        QCOMPARE(v.status, RowApprovalStatus::PlanColumn);
    QCOMPARE(g.refusedCount(), 0);
    QVERIFY(rows.at(1).isExecutable() && rows.at(2).isExecutable());
}

void tst_ApprovalGate::noApprovalsUnderPolicy()
{
    QFile::remove(RunFiles::approvalsFor(planPath()));
    ApprovalGate g;
    QList<Finding> rows;
    QVERIFY(gate(planRows(), true, expected(), &g, &rows));
    QCOMPARE(g.refusedCount(), 2);
    QVERIFY(g.verdict(2)->reason.contains(u"needs a second person's sealed approval"));
    QVERIFY(!g.verdict(1)); // unflagged rows are not the gate's
    QVERIFY(rows.at(0).isExecutable());
    QVERIFY(!rows.at(1).isExecutable() && !rows.at(2).isExecutable());
    QVERIFY(g.auditsRows());
}

void tst_ApprovalGate::sealedApprovalDecidesRows()
{
    const Approvals a = sealedApproval();
    QVERIFY(!a.idToken.isEmpty());
    writeApprovals(a);
    ApprovalGate g;
    QList<Finding> rows;
    QVERIFY(gate(planRows(), true, expected(), &g, &rows));
    QCOMPARE(g.problem, QString());
    QVERIFY(g.approvals);
    QCOMPARE(g.approvalsPath, RunFiles::approvalsFor(planPath()));
    QCOMPARE(g.verdict(2)->status, RowApprovalStatus::Sealed);
    QVERIFY(!g.verdict(3)->runs());
    QVERIFY(
        g.verdict(3)->reason.contains(u"rejected by cloud@contoso.test (oid cloud): still in use"));
    QVERIFY(rows.at(1).isExecutable());
    QVERIFY(!rows.at(2).isExecutable()); // approved=yes in plan.csv no longer counts
    // applyTo does to a copy of the rows what the gate did to its own.
    QList<Finding> copy = planRows();
    g.applyTo(copy);
    QCOMPARE(copy, rows);
}

void tst_ApprovalGate::rowChangedAfterApproval()
{
    writeApprovals(sealedApproval());
    QList<Finding> changed = planRows();
    changed[1].cloudId = QStringLiteral("someone-else");
    ApprovalGate g;
    QVERIFY(gate(changed, false, expected(), &g));
    QCOMPARE(g.problem, QString()); // the seal holds; the row does not
    QVERIFY(!g.verdict(2)->runs());
    QVERIFY2(g.verdict(2)->reason.contains(u"changed after"), qPrintable(g.verdict(2)->reason));
}

void tst_ApprovalGate::samePersonApprovesAndExecutes()
{
    writeApprovals(
        sealedApproval(QStringLiteral("admin@") + PracticeTest::initialDomain, kOperatorOid));
    ApprovalGate g;
    QVERIFY(gate(planRows(), false, expected(kOperatorOid), &g));
    QVERIFY2(g.problem.contains(u"a second person must approve"), qPrintable(g.problem));
    QVERIFY(!g.verdict(2)->runs());
    QVERIFY(g.verdict(2)->reason.contains(g.problem));
    // Another operator may run it.
    QVERIFY(gate(planRows(), false, expected(QStringLiteral("synced")), &g));
    QVERIFY(g.verdict(2)->runs());
}

void tst_ApprovalGate::unsealedUnderPolicy()
{
    Approvals a = sealedApproval();
    a.sealed = false; // what a device-code sign-in writes
    a.idToken.clear();
    writeApprovals(a);
    ApprovalGate g;
    QVERIFY(gate(planRows(), false, expected(), &g));
    QCOMPARE(g.verdict(2)->status, RowApprovalStatus::Unsealed);
    QVERIFY(gate(planRows(), true, expected(), &g));
    QVERIFY(!g.verdict(2)->runs());
    QVERIFY(g.verdict(2)->reason.contains(u"policy requires a sealed approval"));
}

void tst_ApprovalGate::withoutSignInNotVerified()
{
    writeApprovals(sealedApproval());
    ApprovalGate g;
    QVERIFY(gate(planRows(), false, std::nullopt, &g));
    QVERIFY(g.problem.contains(u"not verified"));
    QVERIFY(!g.verdict(2)->runs());
}

void tst_ApprovalGate::unreadableApprovalsFail()
{
    QFile file(RunFiles::approvalsFor(planPath()));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("{ not json");
    file.close();
    auto *job = new ApprovalGateJob(planRows(), planPath(), false, expected(),
                                    QUrl(m_tenant.baseUrl()), &m_cache);
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    QVERIFY(done.wait(5000));
    QCOMPARE(job->error(), int(ApprovalGateJob::UnreadableApprovals));
    QVERIFY(job->errorString().contains(u"plan.approvals.json"));
    delete job;
    QFile::remove(RunFiles::approvalsFor(planPath()));
}

void tst_ApprovalGate::auditRows()
{
    const Approvals a = sealedApproval();
    writeApprovals(a);
    ApprovalGate g;
    QList<Finding> rows;
    QVERIFY(gate(planRows(), false, expected(), &g, &rows));
    RunIdentity id;
    id.runId = QStringLiteral("run-1");
    id.operatorName = QStringLiteral("admin@contosotest.onmicrosoft.com");
    id.tenantId = PracticeTest::tenantId;
    const QString auditPath = m_dir.filePath(QStringLiteral("audit.csv"));
    QString error;
    QVERIFY2(ApprovalAudit::write(auditPath, g, rows, id, &error), qPrintable(error));
    QList<AuditRecord> records;
    QVERIFY(AuditLog::read(auditPath, &records, &error));
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).rowId, QStringLiteral("2"));
    QCOMPARE(records.at(0).result, AuditResult::Approved);
    QCOMPARE(records.at(0).operatorName, id.operatorName);
    QCOMPARE(records.at(0).cloudUpn, QStringLiteral("user2@contoso.test"));
    QVERIFY(records.at(0).message.contains(u"approver=cloud@contoso.test"));
    QVERIFY(records.at(0).message.contains(u"seal=sealed"));
    QVERIFY(records.at(0).message.contains(QStringLiteral("digest=") + a.digest));
    QCOMPARE(records.at(1).result, AuditResult::Skipped);
    QVERIFY(records.at(1).message.startsWith(u"rejected by"));
}

QTEST_GUILESS_MAIN(tst_ApprovalGate)
#include "tst_approvalgate.moc"
