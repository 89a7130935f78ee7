// The bundled demo (resources/demo): the practice tenant plus the matching on-prem LDIF
// must show every finding category of DESIGN.md §3 when reconciled, and the fixes the
// wizard proposes must work (or be refused, as Entra refuses them) on the practice tenant.

#include "cloudscanjob.h"
#include "graphclient.h"
#include "graphrequestjob.h"
#include "ldifreader.h"
#include "practicetenant.h"
#include "reconciler.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <memory>

class tst_DemoTenant : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyCategoryAppears();
    void categoryOfEachDemoUser_data();
    void categoryOfEachDemoUser();
    void rules2026Explained_data();
    void rules2026Explained();
    void clearObjectIdentifierOnThePracticeTenant();
    void proposedFixOnThePracticeTenant_data();
    void proposedFixOnThePracticeTenant();

private:
    QList<Finding> reconcile();
    GraphResult runJob(GraphRequestJob *job);

    std::unique_ptr<PracticeTenant> m_tenant;
    std::unique_ptr<GraphClient> m_client;
    QList<OnPremUser> m_onPrem;
};

void tst_DemoTenant::initTestCase()
{
    m_tenant = std::make_unique<PracticeTenant>();
    QCOMPARE(m_tenant->loadFile(QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-tenant.json")), QString());
    QVERIFY(m_tenant->listen() != 0);

    QFile ldif(QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-onprem.ldif"));
    QVERIFY(ldif.open(QIODevice::ReadOnly | QIODevice::Text));
    QTextStream stream(&ldif);
    LdifReader reader(stream);
    LdifRecord record;
    QStringList warnings;
    while (reader.readRecord(&record)) {
        OnPremUser user;
        if (LdifReader::toUser(record, ldif.fileName(), &user, &warnings))
            m_onPrem.append(user);
    }
    QVERIFY2(reader.warnings().isEmpty(), qPrintable(reader.warnings().join('\n')));
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join('\n')));
    QCOMPARE(m_onPrem.size(), 18);
    for (const OnPremUser &u : std::as_const(m_onPrem))
        QCOMPARE(u.objectGuid.size(), 16);
}

GraphResult tst_DemoTenant::runJob(GraphRequestJob *job)
{
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    spy.wait(30000);
    const GraphResult r = job->result();
    delete job;
    return r;
}

QList<Finding> tst_DemoTenant::reconcile()
{
    GraphConfig config;
    config.authorityUrl = QUrl(m_tenant->baseUrl());
    config.graphUrl = QUrl(m_tenant->baseUrl());
    config.tenant = m_tenant->tenantId();
    config.clientId = m_tenant->practiceClientId();
    m_client = std::make_unique<GraphClient>(config);
    m_client->setAccessToken(m_tenant->issueAccessToken({}, m_tenant->directory().operatorUpn));
    CloudScanJob *job = m_client->scan();
    job->setAutoDelete(false);
    QSignalSpy spy(job, &Job::finished);
    job->start();
    if (!spy.wait(30000) || job->error() != Job::NoError) {
        qWarning() << job->errorString();
        delete job;
        return {};
    }
    ReconcileInput input;
    input.onPrem = m_onPrem;
    input.cloud = job->snapshot();
    delete job;
    return Reconciler::reconcile(input);
}

void tst_DemoTenant::everyCategoryAppears()
{
    const QList<Finding> findings = reconcile();
    QVERIFY(!findings.isEmpty());
    QSet<Category> seen;
    for (const Finding &f : findings)
        seen.insert(f.category);
    for (Category c : allCategories())
        QVERIFY2(seen.contains(c), qPrintable(categoryName(c)));
    // The pre-flight warning for a cloud user that still has onPremisesObjectIdentifier.
    bool warned = false;
    for (const Finding &f : findings)
        if (f.onPremUpn == QLatin1String("carol@contoso.example"))
            warned = f.warnings.join(' ').contains(QLatin1String("onPremisesObjectIdentifier"));
    QVERIFY(warned);
}

void tst_DemoTenant::categoryOfEachDemoUser_data()
{
    QTest::addColumn<QString>("upn"); // on-prem UPN, or cloud UPN for cloud-only rows
    QTest::addColumn<QString>("category");
    QTest::newRow("alice") << "alice@contoso.example"
                           << "in_sync";
    QTest::newRow("bob") << "bob@contoso.example"
                         << "soft_match_pending";
    QTest::newRow("carol") << "carol@contoso.example"
                           << "anchor_mismatch";
    QTest::newRow("dave") << "dave@contoso.example"
                          << "synced_object";
    QTest::newRow("erin") << "erin@contoso.example"
                          << "deleted_anchor_holder";
    QTest::newRow("frank") << "frank@contoso.example"
                           << "duplicate_address";
    QTest::newRow("grace") << "grace@contoso.example"
                           << "ambiguous_match";
    QTest::newRow("heidi") << "heidi@fed.contoso.example"
                           << "federated_domain";
    QTest::newRow("ivan") << "ivan@contoso.example"
                          << "admin_role";
    QTest::newRow("judy") << "judy@contoso.example"
                          << "duplicate_onprem_anchor";
    QTest::newRow("karl") << "karl@contoso.example"
                          << "duplicate_onprem_anchor";
    QTest::newRow("mallory") << "mallory@contoso.example"
                             << "no_cloud_match";
    QTest::newRow("nina (PIM-eligible Global Administrator)") << "nina@contoso.example"
                                                              << "admin_role";
    QTest::newRow("olga (source of authority moved to the cloud)") << "olga@contoso.example"
                                                                   << "cloud_managed";
    QTest::newRow("quinn (a cloud-only group holds an address)") << "quinn@contoso.example"
                                                                 << "duplicate_address";
    QTest::newRow("rita (a synced contact lost her address)") << "rita@contoso.example"
                                                              << "in_sync";
    QTest::newRow("sam (a deleted group holds an address)") << "sam@contoso.example"
                                                            << "duplicate_address";
    QTest::newRow("oscar (cloud)") << "oscar@contoso.example"
                                   << "orphaned_anchor";
    QTest::newRow("peggy (cloud)") << "peggy@contoso.example"
                                   << "cloud_only";
}

void tst_DemoTenant::categoryOfEachDemoUser()
{
    QFETCH(QString, upn);
    QFETCH(QString, category);
    const QList<Finding> findings = reconcile();
    for (const Finding &f : findings) {
        const QString rowUpn = f.onPremUpn.isEmpty() ? f.cloudUpn : f.onPremUpn;
        if (rowUpn.compare(upn, Qt::CaseInsensitive) == 0) {
            QCOMPARE(categoryName(f.category), category);
            return;
        }
    }
    QFAIL("no row for this user");
}

// The 2026 rows say why, in their reason or their sync errors.
void tst_DemoTenant::rules2026Explained_data()
{
    QTest::addColumn<QString>("upn");
    QTest::addColumn<QString>("reasonPart");
    QTest::addColumn<QString>("syncErrorPart"); // empty: the row has none
    QTest::newRow("nina") << "nina@contoso.example"
                          << "Global Administrator (eligible through PIM)" << QString();
    QTest::newRow("olga") << "olga@contoso.example"
                          << "onPremisesSyncBehavior.isCloudManaged = true" << QString();
    QTest::newRow("quinn") << "quinn@contoso.example"
                           << "the group Marketing (id "
                           << "smtp:marketing@contoso.example (2026-11-21T11:30:00Z) (reported on "
                              "cloud user quinn@contoso.example";
    QTest::newRow("rita") << "rita@contoso.example"
                          << "hard match"
                          << "reported on contact Rita Reyes (partner) (id ";
    QTest::newRow("sam") << "sam@contoso.example"
                         << "The deleted group Old Support (id "
                         << "smtp:support@contoso.example";
    QTest::newRow("alice: no sync error") << "alice@contoso.example"
                                          << "hard match" << QString();
}

void tst_DemoTenant::rules2026Explained()
{
    QFETCH(QString, upn);
    QFETCH(QString, reasonPart);
    QFETCH(QString, syncErrorPart);
    const QList<Finding> findings = reconcile();
    for (const Finding &f : findings) {
        if (f.onPremUpn != upn)
            continue;
        QVERIFY2(f.reason().contains(reasonPart), qPrintable(f.reason()));
        if (syncErrorPart.isEmpty()) {
            QVERIFY2(f.syncErrors.isEmpty(), qPrintable(f.syncErrors.join(u'|')));
        } else {
            QCOMPARE(f.syncErrors.size(), 1);
            QVERIFY2(f.syncErrors.first().contains(syncErrorPart),
                     qPrintable(f.syncErrors.first()));
        }
        return;
    }
    QFAIL("no row for this user");
}

// Carol's cloud user still carries onPremisesObjectIdentifier: clearing it (beta, the
// only way, not reversible) takes the pre-flight warning away; a read-only token cannot.
void tst_DemoTenant::clearObjectIdentifierOnThePracticeTenant()
{
    QCOMPARE(m_tenant->loadFile(QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-tenant.json")), QString());
    QList<Finding> findings = reconcile();
    const auto carol = [&findings]() -> const Finding * {
        for (const Finding &f : findings)
            if (f.onPremUpn == QLatin1String("carol@contoso.example"))
                return &f;
        return nullptr;
    };
    QVERIFY(carol());
    const QString id = carol()->cloudId;
    QVERIFY(carol()->warnings.join(u' ').contains(u"onPremisesObjectIdentifier"));
    const QString beta = m_tenant->baseUrl() + QStringLiteral("/beta/users/") + id;
    QJsonObject body{{QStringLiteral("onPremisesObjectIdentifier"), QJsonValue(QJsonValue::Null)}};
    // The scan's read scopes cannot clear it.
    m_client->setAccessToken(m_tenant->issueAccessToken(
        {QStringLiteral("User.Read.All"), QStringLiteral("User.ReadWrite.All")},
        m_tenant->directory().operatorUpn));
    GraphResult r = runJob(m_client->request(
        "PATCH", beta, body, true, QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")));
    QCOMPARE(r.httpStatus, 403);
    QCOMPARE(r.code, QStringLiteral("Authorization_RequestDenied"));
    QVERIFY(r.advice.contains(u"User-OnPremisesSyncBehavior.ReadWrite.All"));
    m_client->setAccessToken(m_tenant->issueAccessToken({}, m_tenant->directory().operatorUpn));
    r = runJob(m_client->request("PATCH", beta, body, true,
                                 QStringLiteral("User-OnPremisesSyncBehavior.ReadWrite.All")));
    QVERIFY2(r.ok, qPrintable(r.advice));
    QCOMPARE(r.httpStatus, 204);
    findings = reconcile();
    QVERIFY(carol());
    QVERIFY(!carol()->warnings.join(u' ').contains(u"onPremisesObjectIdentifier"));
}

void tst_DemoTenant::proposedFixOnThePracticeTenant_data()
{
    QTest::addColumn<QString>("upn");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("advice");
    QTest::newRow("soft match pending: stamp") << "bob@contoso.example" << true << QString();
    QTest::newRow("anchor mismatch: stamp") << "carol@contoso.example" << true << QString();
    QTest::newRow("synced object: refused")
        << "dave@contoso.example" << false << GraphAdvice::syncedObject();
    QTest::newRow("deleted holder: stamp refused while it is in the recycle bin")
        << "erin@contoso.example" << false << GraphAdvice::objectConflict();
    QTest::newRow("deleted holder: purge, then stamp")
        << "erin@contoso.example" << true << QString();
    QTest::newRow("federated: stamp refused")
        << "heidi@fed.contoso.example" << false << GraphAdvice::federatedDomain();
    QTest::newRow("federated: UPN switch, stamp, switch back")
        << "heidi@fed.contoso.example" << true << QString();
}

void tst_DemoTenant::proposedFixOnThePracticeTenant()
{
    QFETCH(QString, upn);
    QFETCH(bool, ok);
    QFETCH(QString, advice);
    // Each row starts from the demo as shipped.
    QCOMPARE(m_tenant->loadFile(QStringLiteral(ANCHORFIX_DEMO_DIR "/demo-tenant.json")), QString());
    const QList<Finding> findings = reconcile();
    const Finding *row = nullptr;
    for (const Finding &f : findings)
        if (f.onPremUpn == upn)
            row = &f;
    QVERIFY(row);
    QVERIFY(!row->cloudId.isEmpty());
    const QString tag = QString::fromLatin1(QTest::currentDataTag());

    if (tag.contains(QLatin1String("purge"))) {
        QVERIFY(!row->deletedHolderId.isEmpty());
        QVERIFY(runJob(m_client->purgeDeletedItem(row->deletedHolderId)).ok);
    }
    const bool switchUpn = tag.contains(QLatin1String("UPN switch"));
    const QString initial = m_tenant->directory().initialDomain();
    if (switchUpn)
        QVERIFY(runJob(m_client->setUserPrincipalName(row->cloudId,
                                                      upn.section(QLatin1Char('@'), 0, 0) +
                                                          QLatin1Char('@') + initial))
                    .ok);
    const GraphResult stamp =
        runJob(m_client->setImmutableId(row->cloudId, row->expectedImmutableId()));
    QCOMPARE(stamp.ok, ok);
    if (!ok) {
        QCOMPARE(stamp.advice, advice);
        return;
    }
    if (switchUpn)
        QVERIFY(runJob(m_client->setUserPrincipalName(row->cloudId, upn)).ok);
    // Read back: the next scan shows the user in sync.
    const QList<Finding> after = reconcile();
    for (const Finding &f : after)
        if (f.onPremUpn == upn)
            QCOMPARE(categoryName(f.category), QStringLiteral("in_sync"));
}

QTEST_GUILESS_MAIN(tst_DemoTenant)
#include "tst_demotenant.moc"
