// The wizard's Execute step and a second person's approval (issue 17), offscreen on the
// real services and the demo's practice tenant: the operator's wizard saves a plan, a
// second person approves it (sealed by the practice tenant's signed ID token, or unsealed),
// the operator imports the plan and executes; the approval gate decides each flagged row,
// the confirm step says why a row will not run, and only what the gate lets run is sent.
#include "approvaldigest.h"
#include "approvalsfile.h"
#include "auditlog.h"
#include "executepage.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "reviewpage.h"
#include "runfiles.h"
#include "wizardharness.h"

#include <QCheckBox>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>

namespace {

const QString kBob = QStringLiteral("bob@contoso.example");
const QString kOperator = QStringLiteral("admin@contosodemo.onmicrosoft.com"); // signs in

bool isFlagged(const Finding &f)
{
    return f.needsApproval() && f.action != Action::None;
}

// A flagged anchor mismatch with a plain stamp (not carol's, whose stamp waits for her
// onPremisesObjectIdentifier to be cleared).
bool isPlainStamp(const Finding &f)
{
    return isFlagged(f) && f.category == Category::AnchorMismatch && f.action == Action::Stamp &&
           f.onPremUpn != QLatin1String("carol@contoso.example");
}

// The plain stamps are approved; every other flagged row is rejected.
QList<ApprovalDecision> decisionsFor(const Plan &plan)
{
    QList<ApprovalDecision> decisions;
    for (const Finding &f : plan.rows())
        if (isFlagged(f)) {
            const bool approve = isPlainStamp(f);
            decisions.append(
                {f.rowId, approve,
                 approve ? QStringLiteral("checked with HR") : QStringLiteral("not this time"),
                 QString()});
        }
    return decisions;
}

const ChangeOutcome *outcomeOf(const ExecutionReport &report, int rowId)
{
    for (const ChangeOutcome &o : report.outcomes)
        if (o.rowId == rowId)
            return &o;
    return nullptr;
}

QString anchorOf(PracticeTenant *tenant, const QString &cloudId)
{
    const int i = tenant->directory().indexOfUser(cloudId);
    return i < 0 ? QStringLiteral("?")
                 : tenant->directory()
                       .users.at(i)
                       .value(QLatin1String("onPremisesImmutableId"))
                       .toString();
}

} // namespace

class tst_WizardApproval : public QObject
{
    Q_OBJECT

    // Scans the demo and saves the plan as the operator would hand it over; *plan is the
    // plan read back from the file (what an approver sees).
    bool savePlan(WizardHarness &h, const QString &path, Plan *plan)
    {
        if (!h.scanToReview())
            return false;
        ReviewPage *review = h.wizard->reviewPage();
        QSignalSpy saved(review, &ReviewPage::planFileFinished);
        review->exportPlan(path);
        if (!saved.wait(10000) || !saved.first().first().toBool())
            return false;
        ValueJob<Plan> *load = h.services->loadPlan(path);
        QSignalSpy loaded(load, &Job::finished);
        load->setAutoDelete(false);
        load->start();
        const bool ok = loaded.wait(10000) && load->error() == Job::NoError;
        if (ok)
            *plan = load->value();
        delete load;
        return ok;
    }
    // The approver's sign-in and seal (the wizard's "Review a plan for approval" job).
    bool seal(WizardHarness &h, const Plan &plan, const QString &path, const QString &approver,
              Approvals *approvals)
    {
        ValueJob<Approvals> *job = h.services->sealApproval(h.context->cloudSettings(), plan,
                                                            decisionsFor(plan), path, approver);
        job->setAutoDelete(false);
        QSignalSpy done(job, &Job::finished);
        job->start();
        const bool ok = done.wait(20000) && job->error() == Job::NoError;
        if (!ok)
            qWarning("seal: %s", qPrintable(job->errorString()));
        *approvals = job->value();
        delete job;
        return ok && approvals->sealed;
    }
    // The operator imports the plan on the Review page and goes on to Execute, where the
    // approval gate has decided.
    ExecutePage *importAndConfirm(WizardHarness &h, const QString &path)
    {
        ReviewPage *review = h.wizard->reviewPage();
        QSignalSpy loaded(review, &ReviewPage::planFileFinished);
        review->importPlan(path);
        if (!loaded.wait(10000) || !loaded.first().first().toBool())
            return nullptr;
        if (h.context->planFile() != path)
            return nullptr;
        h.wizard->next();
        if (h.wizard->currentId() != AnchorfixWizard::Execute)
            return nullptr;
        ExecutePage *execute = h.wizard->executePage();
        if (!waitForGate(execute))
            return nullptr;
        return execute;
    }
    static bool waitForGate(ExecutePage *execute)
    {
        return QTest::qWaitFor(
            [execute] { return !execute->isCheckingApprovals() && execute->approvalGate(); },
            20000);
    }
    static bool run(ExecutePage *execute)
    {
        execute->startRun();
        return QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000);
    }
    static QList<AuditRecord> audit(WizardHarness &h)
    {
        QList<AuditRecord> records;
        QString error;
        AuditLog::read(h.context->runs().constLast().files.auditCsv, &records, &error);
        return records;
    }

private Q_SLOTS:
    void sealedPlanRunsItsFlaggedRows()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString path = h.dir.filePath(QStringLiteral("plan.csv"));
        Plan plan;
        QVERIFY(savePlan(h, path, &plan));
        Approvals approvals;
        QVERIFY(seal(h, plan, path, kBob, &approvals));
        QList<Finding> approved, rejected;
        for (const Finding &f : plan.rows())
            if (isFlagged(f))
                (approvals.decision(f.rowId)->approved ? approved : rejected).append(f);
        QVERIFY(!approved.isEmpty());
        QVERIFY(!rejected.isEmpty());
        // Not approved in plan.csv: only the sealed approval can let them run.
        for (const Finding &f : approved)
            QVERIFY(!f.approved);

        ExecutePage *execute = importAndConfirm(h, path);
        QVERIFY(execute);
        QVERIFY(!execute->requireSealedBox()->isChecked()); // off by default
        const ApprovalGate &gate = *execute->approvalGate();
        QCOMPARE(gate.problem, QString());
        for (const Finding &f : approved)
            QCOMPARE(gate.verdict(f.rowId)->status, RowApprovalStatus::Sealed);
        const QString text = execute->confirmationText();
        QVERIFY2(text.contains(u"Approval: single admin"), qPrintable(text));
        QVERIFY2(text.contains(u"Approved by " + kBob), qPrintable(text));
        QVERIFY2(text.contains(u"sealed by Entra ID"), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Row %1").arg(rejected.first().rowId)),
                 qPrintable(text));
        QVERIFY2(text.contains(u"will not run:"), qPrintable(text));
        QVERIFY2(text.contains(u"not this time"), qPrintable(text));
        // The approved rows are among the changes that will be sent; the rejected ones say so.
        const QStringList lines = execute->changeLines();
        for (const Finding &f : approved)
            QVERIFY(lines.contains(FindingTableModel::changeLine(f)));
        for (const Finding &f : rejected)
            QVERIFY(lines.contains(u"Not run (approval): " + FindingTableModel::changeLine(f)));

        QVERIFY(run(execute));
        const ExecutionReport report = h.context->report();
        for (const Finding &f : approved) {
            const ChangeOutcome *o = outcomeOf(report, f.rowId);
            QVERIFY2(o && o->status == ChangeStatus::Applied,
                     qPrintable(o ? o->errorString : QStringLiteral("row not run")));
            QCOMPARE(anchorOf(h.tenant(), f.cloudId), f.expectedImmutableId());
        }
        for (const Finding &f : rejected)
            QVERIFY(!outcomeOf(report, f.rowId));
        // The audit names approver, operator and seal for every flagged row, as apply's.
        const QList<AuditRecord> records = audit(h);
        for (const Finding &f : approved) {
            const auto r = std::find_if(records.cbegin(), records.cend(), [&f](const auto &r) {
                return r.rowId == QString::number(f.rowId) && r.result == AuditResult::Approved;
            });
            QVERIFY(r != records.cend());
            QVERIFY(r->message.contains(u"approver=" + kBob));
            QVERIFY(r->message.contains(u"seal=sealed"));
            QVERIFY(r->message.contains(u"digest=" + approvals.digest));
            QVERIFY2(r->operatorName.contains(kOperator), qPrintable(r->operatorName));
        }
        QVERIFY(std::any_of(records.cbegin(), records.cend(), [&rejected](const auto &r) {
            return r.rowId == QString::number(rejected.first().rowId) &&
                   r.result == AuditResult::Skipped && r.message.startsWith(u"rejected by");
        }));
    }

    void policyRefusesUnsealedApproval()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString path = h.dir.filePath(QStringLiteral("plan.csv"));
        Plan plan;
        QVERIFY(savePlan(h, path, &plan));
        // What `anchorfix approve --device-code` writes: the approver named, no seal.
        Approvals a;
        a.tenantId = plan.tenantId();
        a.approverUpn = kBob;
        a.approverOid = QStringLiteral("bob-oid");
        a.approvedAtUtc = QDateTime::currentDateTimeUtc();
        a.sealed = false;
        QList<Finding> flagged;
        for (const Finding &f : plan.rows())
            if (isPlainStamp(f)) {
                a.decisions.append({f.rowId, true, QString(), ApprovalDigest::rowDigest(f)});
                flagged.append(f);
            }
        QVERIFY(!flagged.isEmpty());
        a.digest = ApprovalDigest::sealDigest(a.tenantId, a.approvedRowDigests());
        QString error;
        QVERIFY2(ApprovalsFile::write(RunFiles::approvalsFor(path), a, &error), qPrintable(error));

        ExecutePage *execute = importAndConfirm(h, path);
        QVERIFY(execute);
        // Without the policy an unsealed approval counts (and says it is unsealed).
        QCOMPARE(execute->approvalGate()->verdict(flagged.first().rowId)->status,
                 RowApprovalStatus::Unsealed);
        QVERIFY(execute->confirmationText().contains(u"unsealed"));

        // The policy on: saved in the settings, and the same approval no longer counts.
        execute->requireSealedBox()->click();
        QVERIFY(execute->requireSealedBox()->isChecked());
        QCOMPARE(h.settings->value(QStringLiteral("approval/requireSealed")).toBool(), true);
        QVERIFY(waitForGate(execute));
        QVERIFY(execute->approvalGate()->requireSealed);
        const QString text = execute->confirmationText();
        QVERIFY2(text.contains(u"a second person's sealed approval is required"), qPrintable(text));
        QVERIFY2(text.contains(u"policy requires a sealed approval"), qPrintable(text));
        for (const Finding &f : flagged)
            QVERIFY(!execute->approvalGate()->verdict(f.rowId)->runs());

        QVERIFY(run(execute));
        const ExecutionReport report = h.context->report();
        QVERIFY(report.count(ChangeStatus::Applied) > 0); // the unflagged rows ran
        for (const Finding &f : flagged) {
            QVERIFY(!outcomeOf(report, f.rowId));
            QCOMPARE(anchorOf(h.tenant(), f.cloudId), f.cloudImmutableId);
        }
        const QList<AuditRecord> records = audit(h);
        QVERIFY(std::any_of(records.cbegin(), records.cend(), [&flagged](const auto &r) {
            return r.rowId == QString::number(flagged.first().rowId) &&
                   r.result == AuditResult::Skipped && r.message.contains(u"seal=unsealed");
        }));
    }

    void rowChangedAfterApprovalIsRefused()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString path = h.dir.filePath(QStringLiteral("plan.csv"));
        Plan plan;
        QVERIFY(savePlan(h, path, &plan));
        Approvals approvals;
        QVERIFY(seal(h, plan, path, kBob, &approvals));
        ReviewPage *review = h.wizard->reviewPage();
        QSignalSpy loaded(review, &ReviewPage::planFileFinished);
        review->importPlan(path);
        QVERIFY(loaded.wait(10000));
        // After the approval, the operator turns an approved stamp into a clear.
        FindingTableModel *model = h.context->findings();
        int changedRow = -1;
        for (int r = 0; r < model->rowCount() && changedRow < 0; ++r)
            if (isPlainStamp(model->finding(r)) &&
                approvals.decision(model->finding(r).rowId)->approved)
                changedRow = r;
        QVERIFY(changedRow >= 0);
        QVERIFY(model->setAction(changedRow, Action::Clear));
        // Approving it on the Review page does not count: the approvals file alone decides.
        QVERIFY(model->setApproved(changedRow, true));
        const Finding changed = model->finding(changedRow);
        h.wizard->next();
        QCOMPARE(h.wizard->currentId(), int(AnchorfixWizard::Execute));
        ExecutePage *execute = h.wizard->executePage();
        QVERIFY(waitForGate(execute));
        const RowApproval *verdict = execute->approvalGate()->verdict(changed.rowId);
        QVERIFY(verdict && !verdict->runs());
        QVERIFY2(verdict->reason.contains(u"changed after"), qPrintable(verdict->reason));
        QVERIFY2(execute->confirmationText().contains(u"changed after"),
                 qPrintable(execute->confirmationText()));

        QVERIFY(run(execute));
        QVERIFY(!outcomeOf(h.context->report(), changed.rowId));
        QCOMPARE(anchorOf(h.tenant(), changed.cloudId), changed.cloudImmutableId);
    }

    void samePersonApprovingAndExecutingIsRefused()
    {
        WizardHarness h(true);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        const QString path = h.dir.filePath(QStringLiteral("plan.csv"));
        Plan plan;
        QVERIFY(savePlan(h, path, &plan));
        Approvals approvals;
        QVERIFY(seal(h, plan, path, kOperator, &approvals)); // the operator approves alone
        ExecutePage *execute = importAndConfirm(h, path);
        QVERIFY(execute);
        // Approved on the Review page as well: still not a second person.
        h.wizard->back();
        FindingTableModel *model = h.context->findings();
        for (int r = 0; r < model->rowCount(); ++r)
            if (isPlainStamp(model->finding(r)))
                QVERIFY(model->setApproved(r, true));
        h.wizard->next();
        QCOMPARE(h.wizard->currentId(), int(AnchorfixWizard::Execute));
        QVERIFY(waitForGate(execute));
        const ApprovalGate &gate = *execute->approvalGate();
        QVERIFY2(gate.problem.contains(u"a second person must approve"), qPrintable(gate.problem));
        QList<Finding> approved;
        for (const Finding &f : plan.rows())
            if (isFlagged(f) && approvals.decision(f.rowId)->approved)
                approved.append(f);
        QVERIFY(!approved.isEmpty());
        for (const Finding &f : approved)
            QVERIFY(!gate.verdict(f.rowId)->runs());
        QVERIFY2(execute->confirmationText().contains(u"a second person must approve"),
                 qPrintable(execute->confirmationText()));

        QVERIFY(run(execute));
        for (const Finding &f : approved) {
            QVERIFY(!outcomeOf(h.context->report(), f.rowId));
            QCOMPARE(anchorOf(h.tenant(), f.cloudId), f.cloudImmutableId);
        }
    }
};

QTEST_MAIN(tst_WizardApproval)
#include "tst_wizardapproval.moc"
