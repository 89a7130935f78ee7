#include "auditvocabulary.h"

#include <QSet>
#include <QTest>

Q_DECLARE_METATYPE(AuditAction)
Q_DECLARE_METATYPE(AuditResult)

// audit.csv's `action` and `result` words (DESIGN.md §4): the typed values must spell the
// file exactly as it was written when they were free strings, both ways.
class tst_AuditVocabulary : public QObject
{
    Q_OBJECT

private slots:
    void actionSpelling_data()
    {
        QTest::addColumn<AuditAction>("action");
        QTest::addColumn<QString>("csv");
        QTest::newRow("none") << AuditAction::None << QStringLiteral("none");
        QTest::newRow("stamp") << AuditAction::Stamp << QStringLiteral("stamp");
        QTest::newRow("clear") << AuditAction::Clear << QStringLiteral("clear");
        QTest::newRow("purge_deleted")
            << AuditAction::PurgeDeleted << QStringLiteral("purge_deleted");
        QTest::newRow("adopt_cloud_anchor")
            << AuditAction::AdoptCloudAnchor << QStringLiteral("adopt_cloud_anchor");
        QTest::newRow("run") << AuditAction::Run << QStringLiteral("run");
        QTest::newRow("upn_switch") << AuditAction::UpnSwitch << QStringLiteral("upn_switch");
        QTest::newRow("upn_restore") << AuditAction::UpnRestore << QStringLiteral("upn_restore");
    }

    void actionSpelling()
    {
        QFETCH(AuditAction, action);
        QFETCH(QString, csv);
        QCOMPARE(auditActionName(action), csv);
        QCOMPARE(auditActionFromName(csv), action);
    }

    void resultSpelling_data()
    {
        QTest::addColumn<AuditResult>("result");
        QTest::addColumn<QString>("csv");
        QTest::newRow("started") << AuditResult::Started << QStringLiteral("started");
        QTest::newRow("finished") << AuditResult::Finished << QStringLiteral("finished");
        QTest::newRow("applied") << AuditResult::Applied << QStringLiteral("applied");
        QTest::newRow("failed") << AuditResult::Failed << QStringLiteral("failed");
        QTest::newRow("stale") << AuditResult::Stale << QStringLiteral("stale");
        QTest::newRow("skipped") << AuditResult::Skipped << QStringLiteral("skipped");
        QTest::newRow("unknown") << AuditResult::Unknown << QStringLiteral("unknown");
        QTest::newRow("verified") << AuditResult::Verified << QStringLiteral("verified");
        QTest::newRow("mismatch") << AuditResult::Mismatch << QStringLiteral("mismatch");
        QTest::newRow("rolled_back") << AuditResult::RolledBack << QStringLiteral("rolled_back");
        QTest::newRow("joined") << AuditResult::Joined << QStringLiteral("joined");
        QTest::newRow("waiting_for_sync")
            << AuditResult::WaitingForSync << QStringLiteral("waiting_for_sync");
        QTest::newRow("sync_error") << AuditResult::SyncError << QStringLiteral("sync_error");
        QTest::newRow("approved") << AuditResult::Approved << QStringLiteral("approved");
    }

    void resultSpelling()
    {
        QFETCH(AuditResult, result);
        QFETCH(QString, csv);
        QCOMPARE(auditResultName(result), csv);
        QCOMPARE(auditResultFromName(csv), result);
    }

    // Every word is in the table once: no two values share a spelling, none is empty.
    void wordsAreDistinct()
    {
        QSet<QString> actions;
        for (AuditAction a : allAuditActions()) {
            QVERIFY(!auditActionName(a).isEmpty());
            actions.insert(auditActionName(a));
        }
        QCOMPARE(actions.size(), allAuditActions().size());
        QSet<QString> results;
        for (AuditResult r : allAuditResults()) {
            QVERIFY(!auditResultName(r).isEmpty());
            results.insert(auditResultName(r));
        }
        QCOMPARE(results.size(), allAuditResults().size());
    }

    // A plan action is written to the audit as the plan writes it, and every plan action
    // has its audit word (a new Action without one would audit an empty cell).
    void everyPlanActionHasItsWord()
    {
        for (Action a : allActions()) {
            const AuditAction audit = auditActionFor(a);
            QVERIFY2(audit != AuditAction::Unrecognised, qPrintable(actionName(a)));
            QCOMPARE(auditActionName(audit), actionName(a));
            QCOMPARE(rowActionOf(audit), std::optional<Action>(a));
        }
        for (AuditAction a : {AuditAction::Run, AuditAction::UpnSwitch, AuditAction::UpnRestore})
            QVERIFY(!rowActionOf(a).has_value());
    }

    void changeStatusesAreAuditResults()
    {
        for (ChangeStatus s : {ChangeStatus::Applied, ChangeStatus::Stale, ChangeStatus::Skipped,
                               ChangeStatus::Failed, ChangeStatus::Unknown}) {
            QVERIFY(auditResultFor(s) != AuditResult::Unrecognised);
            QCOMPARE(changeStatusName(s), auditResultName(auditResultFor(s)));
        }
    }

    // A word Anchorfix never writes (a hand edit, another tool) is not taken for one of ours:
    // exact spelling, nothing else.
    void foreignWordsAreUnrecognised_data()
    {
        QTest::addColumn<QString>("word");
        QTest::newRow("empty") << QString();
        QTest::newRow("capitalised") << QStringLiteral("Stamp");
        QTest::newRow("padded") << QStringLiteral(" applied");
        QTest::newRow("other") << QStringLiteral("restored");
    }

    void foreignWordsAreUnrecognised()
    {
        QFETCH(QString, word);
        QCOMPARE(auditActionFromName(word), AuditAction::Unrecognised);
        QCOMPARE(auditResultFromName(word), AuditResult::Unrecognised);
        QCOMPARE(auditActionName(AuditAction::Unrecognised), QString());
        QCOMPARE(auditResultName(AuditResult::Unrecognised), QString());
    }
};

QTEST_GUILESS_MAIN(tst_AuditVocabulary)
#include "tst_auditvocabulary.moc"
