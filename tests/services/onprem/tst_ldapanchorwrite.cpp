// Integration tests of the on-prem write path (LdapAnchorReadJob, LdapAnchorWriteJob) against
// the real Samba AD DC of the ctest fixture samba_dc. Users are created in OU=AnchorWrites and
// deleted again, so the seeded users stay as the scan tests expect them. Every outcome is
// checked independently with ldapsearch. The OU and svc-reader (an ordinary user: it may read
// but not write mS-DS-ConsistencyGuid) are added here, on the first run against a DC, rather
// than in samba-dc.sh: a change there would make every worktree provision anew (20 minutes
// on a loaded machine, beyond the fixture's timeout).
#include "sambadc.h"

#include <immutableid.h>
#include <ldapanchorreadjob.h>
#include <ldapanchorwritejob.h>

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(LdapError)

namespace {

QByteArray guidBytes(const char *seed)
{
    const QByteArray text = QByteArray("anchorfix-adside-") + QByteArray(seed);
    return QCryptographicHash::hash(text, QCryptographicHash::Md5);
}

} // namespace

class tst_LdapAnchorWrite : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void adoptWritesAndReadsBack();
    void rollback_data();
    void rollback();
    void repeatIsANoOp();
    void staleNothingWritten_data();
    void staleNothingWritten();
    void insufficientAccess();
    void targetGone_data();
    void targetGone();
    void plainLdapRefusedUnlessAllowed();
    void wrongSizeRefused();
    void oneRefusalDoesNotStopTheOthers();

private:
    template <typename J> bool run(J *job)
    {
        job->setAutoDelete(false);
        QSignalSpy spy(job, &Job::finished);
        job->start();
        return spy.wait(120000);
    }
    QString writeOu() const { return QStringLiteral("OU=AnchorWrites,") + m_dc.baseDn(); }
    QString readerUpn() const { return QStringLiteral("svc-reader@corp.example.test"); }
    QString dnOf(const QString &name) const
    {
        return QStringLiteral("CN=%1,%2").arg(name, writeOu());
    }
    // Creates a user (deleting a leftover first); returns its objectGUID.
    QByteArray createUser(const QString &name, const QByteArray &consistencyGuid = {});
    // mS-DS-ConsistencyGuid as ldapsearch sees it; "-" when the entry does not exist.
    QByteArray ldapsearchValue(const QString &dn) const;
    void setValue(const QString &dn, const QByteArray &value);
    LdapAnchorOutcome writeOne(const LdapConfig &config, const LdapAnchorChange &change,
                               int *jobError = nullptr, QString *jobMessage = nullptr);

    SambaDc m_dc;
    QStringList m_created;
};

void tst_LdapAnchorWrite::initTestCase()
{
    QVERIFY2(m_dc.isValid(), qPrintable(m_dc.error()));
    QVERIFY(!m_dc.servicePassword().isEmpty());
    // ldapadd exits 68 (already exists) on later runs against the same DC.
    // unicodePwd: UTF-16LE of the quoted password (x86 is little-endian)
    const QString quoted = QStringLiteral("\"%1\"").arg(m_dc.servicePassword());
    const QByteArray utf16(reinterpret_cast<const char *>(quoted.utf16()), quoted.size() * 2);
    const QByteArray ldif = "dn: " + writeOu().toUtf8() +
                            "\nobjectClass: organizationalUnit\n\n"
                            "dn: CN=svc-reader,CN=Users," +
                            m_dc.baseDn().toUtf8() +
                            "\nobjectClass: user\nsAMAccountName: svc-reader\n"
                            "userPrincipalName: " +
                            readerUpn().toUtf8() + "\nunicodePwd:: " + utf16.toBase64() +
                            "\nuserAccountControl: 512\n";
    QString err;
    m_dc.runTool(QStringLiteral("ldapadd"), {QStringLiteral("-c")}, ldif, nullptr, &err);
    QVERIFY2(err.isEmpty() || err.contains(u"Already exists"), qPrintable(err));
}

// svc-reader goes again: the scan tests count every user under the domain root.
void tst_LdapAnchorWrite::cleanupTestCase()
{
    m_dc.runTool(QStringLiteral("ldapdelete"),
                 {QStringLiteral("CN=svc-reader,CN=Users,") + m_dc.baseDn()});
}

void tst_LdapAnchorWrite::cleanup()
{
    for (const QString &dn : std::as_const(m_created))
        m_dc.runTool(QStringLiteral("ldapdelete"), {dn});
    m_created.clear();
}

QByteArray tst_LdapAnchorWrite::createUser(const QString &name, const QByteArray &consistencyGuid)
{
    const QString dn = dnOf(name);
    m_dc.runTool(QStringLiteral("ldapdelete"), {dn}); // left over from a killed run
    QByteArray entry =
        "dn: " + dn.toUtf8() + "\nobjectClass: user\nsAMAccountName: " + name.toUtf8() +
        "\nuserPrincipalName: " + name.toUtf8() + "@corp.example.test\nuserAccountControl: 544\n";
    if (!consistencyGuid.isEmpty())
        entry += "mS-DS-ConsistencyGuid:: " + consistencyGuid.toBase64() + "\n";
    bool ok = false;
    QString err;
    m_dc.runTool(QStringLiteral("ldapadd"), {}, entry, &ok, &err);
    if (!ok) {
        qWarning("ldapadd %s: %s", qPrintable(dn), qPrintable(err));
        return {};
    }
    m_created << dn;
    LdapAnchorReadJob job(m_dc.ldapsConfig(), {LdapAnchorChange{dn, {}, {}, {}}});
    if (!run(&job) || job.error() || job.states().size() != 1)
        return {};
    return job.states().first().objectGuid;
}

QByteArray tst_LdapAnchorWrite::ldapsearchValue(const QString &dn) const
{
    return m_dc.binaryAttribute(dn, "mS-DS-ConsistencyGuid");
}

void tst_LdapAnchorWrite::setValue(const QString &dn, const QByteArray &value)
{
    bool ok = false;
    QString err;
    m_dc.runTool(QStringLiteral("ldapmodify"), {},
                 "dn: " + dn.toUtf8() + "\nchangetype: modify\nreplace: mS-DS-ConsistencyGuid\n" +
                     "mS-DS-ConsistencyGuid:: " + value.toBase64() + "\n-\n",
                 &ok, &err);
    QVERIFY2(ok, qPrintable(err));
}

LdapAnchorOutcome tst_LdapAnchorWrite::writeOne(const LdapConfig &config,
                                                const LdapAnchorChange &change, int *jobError,
                                                QString *jobMessage)
{
    LdapAnchorWriteJob job(config, {change});
    QSignalSpy each(&job, &LdapAnchorWriteJob::changeFinished);
    if (!run(&job))
        return {};
    if (jobError)
        *jobError = job.error();
    if (jobMessage)
        *jobMessage = job.errorString();
    if (job.outcomes().size() != each.size())
        return {};
    return job.outcomes().value(0);
}

void tst_LdapAnchorWrite::adoptWritesAndReadsBack()
{
    const QString dn = dnOf(QStringLiteral("adopt-me"));
    const QByteArray guid = createUser(QStringLiteral("adopt-me"));
    QCOMPARE(guid.size(), 16);
    QCOMPARE(ldapsearchValue(dn), QByteArray());

    // The cloud user's ImmutableId, decoded: the golden vector of DESIGN.md §2.
    const QByteArray cloudAnchor = ImmutableId::parse(u"h9RUd8MfBkKelc4BLxWG5Q==")->bytes();
    int error = -1;
    const LdapAnchorOutcome outcome =
        writeOne(m_dc.ldapsConfig(), {dn, guid, {}, cloudAnchor}, &error);
    QCOMPARE(error, 0);
    QCOMPARE(outcome.status, LdapAnchorStatus::Applied);
    QVERIFY(outcome.before.exists);
    QCOMPARE(outcome.before.objectGuid, guid);
    QCOMPARE(outcome.before.consistencyGuid, QByteArray());
    QCOMPARE(outcome.readBack, cloudAnchor);
    QCOMPARE(ldapsearchValue(dn), cloudAnchor);
}

void tst_LdapAnchorWrite::rollback_data()
{
    QTest::addColumn<QByteArray>("original");
    QTest::newRow("restore the old value") << guidBytes("old");
    QTest::newRow("remove the attribute") << QByteArray();
}

void tst_LdapAnchorWrite::rollback()
{
    QFETCH(QByteArray, original);
    const QString dn = dnOf(QStringLiteral("roll-me"));
    const QByteArray guid = createUser(QStringLiteral("roll-me"), original);
    QCOMPARE(ldapsearchValue(dn), original);
    const QByteArray adopted = guidBytes("cloud");

    LdapAnchorOutcome outcome = writeOne(m_dc.ldapsConfig(), {dn, guid, original, adopted});
    QCOMPARE(outcome.status, LdapAnchorStatus::Applied);
    QCOMPARE(ldapsearchValue(dn), adopted);

    // The undo: the value written must still be there, and the old one goes back.
    outcome = writeOne(m_dc.ldapsConfig(), {dn, guid, adopted, original});
    QCOMPARE(outcome.status, LdapAnchorStatus::Applied);
    QCOMPARE(outcome.readBack, original);
    QCOMPARE(ldapsearchValue(dn), original);

    // A second undo finds the value it expects gone: stale, nothing written.
    outcome = writeOne(m_dc.ldapsConfig(), {dn, guid, adopted, original});
    QCOMPARE(outcome.status, LdapAnchorStatus::Stale);
    QCOMPARE(ldapsearchValue(dn), original);
}

void tst_LdapAnchorWrite::repeatIsANoOp()
{
    const QString dn = dnOf(QStringLiteral("repeat-me"));
    const QByteArray adopted = guidBytes("repeat");
    const QByteArray guid = createUser(QStringLiteral("repeat-me"), adopted);
    // Already holds the value (a run resumed after its answer was lost): applied, no write.
    const LdapAnchorOutcome outcome = writeOne(m_dc.ldapsConfig(), {dn, guid, adopted, adopted});
    QCOMPARE(outcome.status, LdapAnchorStatus::Applied);
    QCOMPARE(outcome.readBack, adopted);
}

void tst_LdapAnchorWrite::staleNothingWritten_data()
{
    QTest::addColumn<QByteArray>("atRead");
    QTest::addColumn<QByteArray>("now");
    QTest::newRow("set since the read") << QByteArray() << guidBytes("someone-else");
    QTest::newRow("changed since the read") << guidBytes("scan") << guidBytes("someone-else");
    QTest::newRow("cleared since the read") << guidBytes("scan") << QByteArray();
}

void tst_LdapAnchorWrite::staleNothingWritten()
{
    QFETCH(QByteArray, atRead);
    QFETCH(QByteArray, now);
    const QString dn = dnOf(QStringLiteral("stale-me"));
    const QByteArray guid = createUser(QStringLiteral("stale-me"), now);
    QCOMPARE(ldapsearchValue(dn), now);

    const LdapAnchorOutcome outcome =
        writeOne(m_dc.ldapsConfig(), {dn, guid, atRead, guidBytes("cloud")});
    QCOMPARE(outcome.status, LdapAnchorStatus::Stale);
    qInfo().noquote() << "stale:" << outcome.message();
    QCOMPARE(outcome.before.consistencyGuid, now);
    QVERIFY2(outcome.message().contains(u"changed since") &&
                 outcome.message().contains(u"Nothing was written"),
             qPrintable(outcome.message()));
    QCOMPARE(ldapsearchValue(dn), now);
}

void tst_LdapAnchorWrite::insufficientAccess()
{
    const QString dn = dnOf(QStringLiteral("guarded"));
    const QByteArray guid = createUser(QStringLiteral("guarded"));
    LdapConfig reader = m_dc.ldapsConfig();
    reader.bindDn = readerUpn();
    reader.password = m_dc.servicePassword();

    // The ordinary account reads what the write needs (the scan stays read-only)…
    LdapAnchorReadJob read(reader, {LdapAnchorChange{dn, guid, {}, {}}});
    QVERIFY(run(&read));
    QCOMPARE(read.error(), 0);
    QCOMPARE(read.states().value(0).objectGuid, guid);

    // …but may not write: result 50, and the message names the right to grant.
    int error = -1;
    const LdapAnchorOutcome outcome = writeOne(reader, {dn, guid, {}, guidBytes("cloud")}, &error);
    QCOMPARE(error, 0); // one refused change is an outcome, not a broken connection
    QCOMPARE(outcome.status, LdapAnchorStatus::Failed);
    QCOMPARE(outcome.failure.code, LdapError::WriteAccessDenied);
    const QString message = outcome.message();
    qInfo().noquote() << "insufficient access:" << message;
    QVERIFY2(message.contains(reader.bindDn) && message.contains(dn) &&
                 message.contains(u"Write mS-DS-ConsistencyGuid") && message.contains(u"(50)") &&
                 message.contains(u"Nothing was written"),
             qPrintable(message));
    QCOMPARE(ldapsearchValue(dn), QByteArray());
}

void tst_LdapAnchorWrite::targetGone_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<LdapError>("expected");
    QTest::newRow("deleted") << "delete" << LdapError::ObjectNotFound;
    QTest::newRow("moved") << "rename" << LdapError::ObjectMoved;
    QTest::newRow("recreated") << "recreate" << LdapError::ObjectReplaced;
}

void tst_LdapAnchorWrite::targetGone()
{
    QFETCH(QString, how);
    QFETCH(LdapError, expected);
    const QString dn = dnOf(QStringLiteral("gone"));
    const QString renamed = dnOf(QStringLiteral("gone-renamed"));
    const QByteArray guid = createUser(QStringLiteral("gone"));
    QCOMPARE(guid.size(), 16);
    m_dc.runTool(QStringLiteral("ldapdelete"), {renamed});
    bool ok = false;
    QString err;
    if (how == u"rename") {
        m_dc.runTool(QStringLiteral("ldapmodrdn"),
                     {QStringLiteral("-r"), dn, QStringLiteral("CN=gone-renamed")}, {}, &ok, &err);
        m_created << renamed;
    } else {
        m_dc.runTool(QStringLiteral("ldapdelete"), {dn}, {}, &ok, &err);
    }
    QVERIFY2(ok, qPrintable(err));
    if (how == u"recreate")
        QVERIFY(createUser(QStringLiteral("gone")) != guid);

    const LdapAnchorOutcome outcome =
        writeOne(m_dc.ldapsConfig(), {dn, guid, {}, guidBytes("cloud")});
    QCOMPARE(outcome.status, LdapAnchorStatus::Failed);
    QCOMPARE(outcome.failure.code, expected);
    qInfo().noquote() << how << outcome.message();
    QVERIFY2(outcome.message().contains(dn) && outcome.message().contains(u"Scan again"),
             qPrintable(outcome.message()));
    if (how == u"rename") {
        QVERIFY2(outcome.message().contains(renamed), qPrintable(outcome.message()));
        QCOMPARE(ldapsearchValue(renamed), QByteArray());
    } else if (how == u"recreate") {
        QCOMPARE(ldapsearchValue(dn), QByteArray());
    } else {
        QCOMPARE(ldapsearchValue(dn), QByteArray("-"));
    }
}

void tst_LdapAnchorWrite::plainLdapRefusedUnlessAllowed()
{
    const QString dn = dnOf(QStringLiteral("plain"));
    const QByteArray guid = createUser(QStringLiteral("plain"));
    LdapConfig plain = m_dc.ldapsConfig();
    plain.uri = QStringLiteral("ldap://127.0.0.1");
    plain.tlsMode = LdapConfig::TlsMode::None;
    plain.allowPlainBind = true;

    int error = -1;
    QString message;
    writeOne(plain, {dn, guid, {}, guidBytes("cloud")}, &error, &message);
    QCOMPARE(ldapErrorFromJobError(error), LdapError::PlainWriteRefused);
    qInfo().noquote() << "plain LDAP:" << message;
    QVERIFY2(message.contains(u"without TLS") && message.contains(u"Nothing was written"),
             qPrintable(message));
    QCOMPARE(ldapsearchValue(dn), QByteArray());

    plain.allowPlainWrite = true; // the practice directory's explicit opt-in
    const LdapAnchorOutcome outcome = writeOne(plain, {dn, guid, {}, guidBytes("cloud")}, &error);
    QCOMPARE(error, 0);
    QCOMPARE(outcome.status, LdapAnchorStatus::Applied);
    QCOMPARE(ldapsearchValue(dn), guidBytes("cloud"));
}

void tst_LdapAnchorWrite::wrongSizeRefused()
{
    const QString dn = dnOf(QStringLiteral("short"));
    const QByteArray guid = createUser(QStringLiteral("short"));
    const LdapAnchorOutcome outcome =
        writeOne(m_dc.ldapsConfig(), {dn, guid, {}, guidBytes("cloud").left(15)});
    QCOMPARE(outcome.status, LdapAnchorStatus::Failed);
    QCOMPARE(outcome.failure.code, LdapError::ConstraintViolation);
    qInfo().noquote() << "wrong size:" << outcome.message();
    QCOMPARE(ldapsearchValue(dn), QByteArray());
}

void tst_LdapAnchorWrite::oneRefusalDoesNotStopTheOthers()
{
    const QString a = dnOf(QStringLiteral("batch-a"));
    const QString b = dnOf(QStringLiteral("batch-b"));
    const QString c = dnOf(QStringLiteral("batch-c"));
    const QByteArray ga = createUser(QStringLiteral("batch-a"));
    const QByteArray gb = createUser(QStringLiteral("batch-b"), guidBytes("b-now"));
    const QByteArray gc = createUser(QStringLiteral("batch-c"));
    LdapAnchorWriteJob job(m_dc.ldapsConfig(), {{a, ga, {}, guidBytes("a")},
                                                {b, gb, {}, guidBytes("b")}, // stale
                                                {c, gc, {}, guidBytes("c")}});
    QSignalSpy each(&job, &LdapAnchorWriteJob::changeFinished);
    QSignalSpy progress(&job, &Job::progressChanged);
    QVERIFY(run(&job));
    QCOMPARE(job.error(), 0);
    QCOMPARE(each.size(), 3);
    QCOMPARE(each.at(1).at(1).toInt(), 1);
    QCOMPARE(job.outcomes().at(0).status, LdapAnchorStatus::Applied);
    QCOMPARE(job.outcomes().at(1).status, LdapAnchorStatus::Stale);
    QCOMPARE(job.outcomes().at(2).status, LdapAnchorStatus::Applied);
    QCOMPARE(progress.last().at(0).value<JobProgress>().done, 3);
    QCOMPARE(ldapsearchValue(a), guidBytes("a"));
    QCOMPARE(ldapsearchValue(b), guidBytes("b-now"));
    QCOMPARE(ldapsearchValue(c), guidBytes("c"));
}

QTEST_GUILESS_MAIN(tst_LdapAnchorWrite)
#include "tst_ldapanchorwrite.moc"
