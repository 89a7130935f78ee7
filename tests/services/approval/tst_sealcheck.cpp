// The approval seal end to end against the practice tenant (issue 17): the approver signs
// in with the browser flow (auth code + PKCE, nonce = digest), the ID token is verified
// against the tenant's published keys, and every way round the seal is refused with a
// message that says why.
#include "approvaldigest.h"
#include "approvalseal.h"
#include "approvalsigninjob.h"
#include "idtokenverifyjob.h"
#include "jwkscache.h"
#include "practicesigningkey.h"
#include "practicetenant.h"
#include "practicetestsupport.h"
#include "sealcheckjob.h"

#include <QTest>

namespace {

const QString kApprover = QStringLiteral("cloud@contoso.test"); // oid "cloud"
const QString kOperatorOid = QStringLiteral("admin");

QList<Finding> rows()
{
    QList<Finding> list;
    for (int id : {2, 3}) {
        Finding f;
        f.rowId = id;
        f.category = Category::AnchorMismatch;
        f.action = Action::Stamp;
        f.requiresApproval = true;
        f.cloudId = QStringLiteral("user-%1").arg(id);
        f.cloudUpn = QStringLiteral("user%1@contoso.test").arg(id);
        f.setExpectedImmutableId(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
        f.cloudImmutableId = QStringLiteral("OLDOLDOLDOLDOLDOLDOLDA==");
        list.append(f);
    }
    return list;
}

Approvals unsignedApproval(const QList<Finding> &approved)
{
    Approvals a;
    a.tenantId = PracticeTest::tenantId;
    a.approverUpn = kApprover;
    a.approverOid = QStringLiteral("cloud");
    a.approvedAtUtc = QDateTime::currentDateTimeUtc();
    a.sealed = true;
    for (const Finding &f : approved)
        a.decisions.append({f.rowId, true, QString(), ApprovalDigest::rowDigest(f)});
    a.digest = ApprovalDigest::sealDigest(a.tenantId, a.approvedRowDigests());
    return a;
}

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

class tst_SealCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void validSeal();
    void keysCachedAndFetchedAgainForUnknownKid();
    void forgedToken_data();
    void forgedToken();
    void tokenFromAnotherTenant();
    void reusedTokenOnChangedRows();
    void samePersonApprovesAndExecutes();
    void expiredApproval();
    void deviceCodeIsUnsealed();
    void unknownApproverRefused();

private:
    GraphConfig config(PracticeTenant &tenant, SignInMethod method) const;
    // Signs kApprover (or upn) in through the browser flow; returns the ID token.
    QString approverSignIn(PracticeTenant &tenant, const QString &nonce,
                           const QString &upn = kApprover, QString *error = nullptr);
    QString check(const Approvals &approvals, const QString &operatorOid = kOperatorOid);

    PracticeTenant m_tenant;
    JwksCache m_cache;
    QNetworkAccessManager m_browser; // stands in for the system browser
};

void tst_SealCheck::initTestCase()
{
    QCOMPARE(m_tenant.loadJson(PracticeTest::smallTenant()), QString());
    QVERIFY(m_tenant.listen() != 0);
}

void tst_SealCheck::init()
{
    m_tenant.tokens().setIdTokenLifetime(3600);
}

GraphConfig tst_SealCheck::config(PracticeTenant &tenant, SignInMethod method) const
{
    GraphConfig c;
    c.authorityUrl = QUrl(tenant.baseUrl());
    c.graphUrl = QUrl(tenant.baseUrl());
    c.tenant = tenant.tenantId();
    c.clientId = PracticeTest::clientId;
    c.signInMethod = method;
    return c;
}

QString tst_SealCheck::approverSignIn(PracticeTenant &tenant, const QString &nonce,
                                      const QString &upn, QString *error)
{
    auto *job = new ApprovalSignInJob(config(tenant, SignInMethod::BrowserPkce), nonce, upn);
    QUrl opened;
    connect(job, &ApprovalSignInJob::browserSignInRequested, this, [&](const QUrl &url) {
        opened = url;
        QNetworkReply *reply = m_browser.get(QNetworkRequest(url)); // follows the redirect
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    });
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    if (!done.wait(10000))
        return {};
    const QString token = job->idToken();
    if (error)
        *error = job->errorString();
    const QUrlQuery q(opened);
    // The sign-in asks for the identity only and carries the digest as its nonce.
    if (!nonce.isEmpty() && q.queryItemValue(QStringLiteral("nonce")) != nonce)
        qWarning("the nonce was not sent");
    if (q.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded) !=
        QLatin1String("openid profile"))
        qWarning("unexpected scope %s", qPrintable(q.queryItemValue(QStringLiteral("scope"))));
    delete job;
    return token;
}

QString tst_SealCheck::check(const Approvals &approvals, const QString &operatorOid)
{
    SealExpectations e;
    e.tenantId = m_tenant.tenantId();
    e.clientId = PracticeTest::clientId;
    e.issuer = ApprovalSeal::issuerFor(m_tenant.baseUrl(), m_tenant.tenantId());
    e.operatorOid = operatorOid;
    e.nowUtc = QDateTime::currentDateTimeUtc();
    auto *job = new SealCheckJob(approvals, e, QUrl(m_tenant.baseUrl()), &m_cache);
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    if (!done.wait(10000))
        return QStringLiteral("timeout");
    const QString problem = job->problem();
    delete job;
    return problem;
}

void tst_SealCheck::validSeal()
{
    Approvals a = unsignedApproval(rows());
    a.idToken = approverSignIn(m_tenant, a.digest);
    QVERIFY(!a.idToken.isEmpty());
    const auto token = Jwt::parse(a.idToken, nullptr);
    QVERIFY(token);
    QCOMPARE(token->claim("nonce"), a.digest);
    QCOMPARE(token->claim("oid"), QStringLiteral("cloud"));
    QCOMPARE(token->header().value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
    QCOMPARE(check(a), QString());

    QList<Finding> plan = rows();
    const QList<RowApproval> verdicts = ApprovalSeal::decide(plan, a, QString(), true);
    QCOMPARE(verdicts.size(), 2);
    for (const RowApproval &v : verdicts) {
        QCOMPARE(v.status, RowApprovalStatus::Sealed);
        QVERIFY(v.reason.contains(a.digest));
    }
}

void tst_SealCheck::keysCachedAndFetchedAgainForUnknownKid()
{
    Approvals a = unsignedApproval(rows());
    a.idToken = approverSignIn(m_tenant, a.digest);
    QCOMPARE(check(a), QString());
    const int fetches = m_cache.fetchCount();
    QVERIFY(fetches >= 1);
    QCOMPARE(check(a), QString());
    QCOMPARE(m_cache.fetchCount(), fetches); // the cached keys served
    // A kid the cache does not know: the keys are read again (a rotation), once.
    PracticeSigningKey other;
    a.idToken = other.signJwt(Jwt::parse(a.idToken, nullptr)->claims());
    QVERIFY(check(a).contains(QLatin1String("not among the keys")));
    QCOMPARE(m_cache.fetchCount(), fetches + 1);
}

void tst_SealCheck::forgedToken_data()
{
    QTest::addColumn<QString>("forgery");
    QTest::addColumn<QString>("error");
    QTest::newRow("signed by another key") << "other key"
                                           << "not among the keys";
    QTest::newRow("another key under the tenant's kid") << "other key, tenant kid"
                                                        << "signature does not match";
    QTest::newRow("claims changed after signing") << "altered"
                                                  << "signature does not match";
    QTest::newRow("alg none") << "none"
                              << "\"none\"";
    QTest::newRow("signature stripped") << "stripped"
                                        << "not signed";
    QTest::newRow("not a JWT") << "garbage"
                               << "not a JWT";
}

void tst_SealCheck::forgedToken()
{
    QFETCH(QString, forgery);
    QFETCH(QString, error);
    Approvals a = unsignedApproval(rows());
    const QString genuine = approverSignIn(m_tenant, a.digest);
    const auto token = Jwt::parse(genuine, nullptr);
    QVERIFY(token);
    QJsonObject claims = token->claims();
    const QList<QByteArray> parts = genuine.toLatin1().split('.');
    PracticeSigningKey other;
    if (forgery == QLatin1String("other key")) {
        a.idToken = other.signJwt(claims);
    } else if (forgery == QLatin1String("other key, tenant kid")) {
        const QByteArray input =
            parts.at(0) + '.' + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        a.idToken = QString::fromLatin1(input + '.' + b64(other.sign(input)));
    } else if (forgery == QLatin1String("altered")) {
        claims.insert(QStringLiteral("oid"), QStringLiteral("admin-twin"));
        a.idToken = QString::fromLatin1(parts.at(0) + '.' +
                                        b64(QJsonDocument(claims).toJson(QJsonDocument::Compact)) +
                                        '.' + parts.at(2));
    } else if (forgery == QLatin1String("none")) {
        a.idToken = QString::fromLatin1(b64(R"({"alg":"none","typ":"JWT","kid":"x"})") + '.' +
                                        parts.at(1) + '.' + parts.at(2));
    } else if (forgery == QLatin1String("stripped")) {
        a.idToken = QString::fromLatin1(parts.at(0) + '.' + parts.at(1) + '.');
    } else {
        a.idToken = QStringLiteral("approved-by-bob");
    }
    const QString problem = check(a);
    QVERIFY2(problem.contains(error), qPrintable(problem));
    QList<Finding> plan = rows();
    for (const RowApproval &v : ApprovalSeal::decide(plan, a, problem, false)) {
        QVERIFY(!v.runs()); // a forged seal approves nothing, with or without the policy
        QVERIFY(v.reason.contains(problem));
    }
}

void tst_SealCheck::tokenFromAnotherTenant()
{
    // A second tenant, with its own key, where the same person name exists.
    PracticeTenant other;
    QJsonObject t = PracticeTest::smallTenant();
    t.insert(QStringLiteral("tenantId"), QStringLiteral("11111111-2222-4333-8444-555555555555"));
    QCOMPARE(other.loadJson(t), QString());
    QVERIFY(other.listen() != 0);
    Approvals a = unsignedApproval(rows());
    a.idToken = approverSignIn(other, a.digest);
    QVERIFY(!a.idToken.isEmpty());
    QVERIFY2(check(a).contains(QLatin1String("not among the keys")), qPrintable(check(a)));

    // Signed with the right tenant's key but naming the other tenant: refused by tid.
    QJsonObject claims = Jwt::parse(a.idToken, nullptr)->claims();
    a.idToken = m_tenant.tokens().signIdToken(claims);
    const QString problem = check(a);
    QVERIFY2(problem.contains(QLatin1String("issued by tenant 11111111")), qPrintable(problem));
}

void tst_SealCheck::reusedTokenOnChangedRows()
{
    const QList<Finding> approvedRows = rows();
    Approvals a = unsignedApproval(approvedRows);
    a.idToken = approverSignIn(m_tenant, a.digest);
    QCOMPARE(check(a), QString());

    // The plan's row 3 now points at another cloud user: that row is not run; row 2 is.
    QList<Finding> changed = approvedRows;
    changed[1].cloudId = QStringLiteral("someone-else");
    const QList<RowApproval> verdicts = ApprovalSeal::decide(changed, a, QString(), true);
    QCOMPARE(verdicts.size(), 2);
    QVERIFY(verdicts.at(0).runs());
    QVERIFY(!verdicts.at(1).runs());
    QVERIFY(verdicts.at(1).reason.contains(QLatin1String("changed after")));

    // The same token moved to an approvals file for the changed rows: the nonce no longer
    // matches the rows' digest.
    Approvals moved = unsignedApproval(changed);
    moved.idToken = a.idToken;
    const QString problem = check(moved);
    QVERIFY2(problem.contains(QLatin1String("altered after signing")), qPrintable(problem));
    // Keeping the old digest but new row digests is caught as well.
    moved.digest = a.digest;
    QVERIFY(check(moved).contains(QLatin1String("not the ones sealed")));
}

void tst_SealCheck::samePersonApprovesAndExecutes()
{
    Approvals a = unsignedApproval(rows());
    a.approverUpn = QStringLiteral("admin@") + PracticeTest::initialDomain;
    a.approverOid = kOperatorOid;
    a.idToken = approverSignIn(m_tenant, a.digest, a.approverUpn);
    const QString problem = check(a, kOperatorOid);
    QVERIFY2(problem.contains(QLatin1String("a second person must approve")), qPrintable(problem));
    // Another operator may run the same approval.
    QCOMPARE(check(a, QStringLiteral("synced")), QString());
}

void tst_SealCheck::expiredApproval()
{
    m_tenant.tokens().setIdTokenLifetime(60);
    Approvals a = unsignedApproval(rows());
    a.idToken = approverSignIn(m_tenant, a.digest);
    QCOMPARE(check(a), QString());
    a.approvedAtUtc = QDateTime::currentDateTimeUtc().addSecs(2 * 3600);
    const QString problem = check(a);
    QVERIFY2(problem.contains(QLatin1String("expired at the approval time")), qPrintable(problem));
}

void tst_SealCheck::deviceCodeIsUnsealed()
{
    Approvals a = unsignedApproval(rows());
    auto *job =
        new ApprovalSignInJob(config(m_tenant, SignInMethod::DeviceCode), a.digest, QString());
    QVERIFY(!job->isSealed());
    connect(job, &ApprovalSignInJob::deviceCodeIssued, this,
            [this](const QString &code) { m_tenant.approveDeviceCode(code, kApprover); });
    m_tenant.tokens().setDeviceCodeTiming(900, 1);
    job->setAutoDelete(false);
    QSignalSpy done(job, &Job::finished);
    job->start();
    QVERIFY(done.wait(15000));
    QCOMPARE(job->error(), int(Job::NoError));
    const auto token = Jwt::parse(job->idToken(), nullptr);
    QVERIFY(token);
    QCOMPARE(token->claim("nonce"), QString()); // the device code flow carries no nonce
    QCOMPARE(token->claim("oid"), QStringLiteral("cloud"));
    delete job;
    a.sealed = false;
    QCOMPARE(check(a), QString()); // recorded, with the approver's identity
    QList<Finding> plan = rows();
    for (const RowApproval &v : ApprovalSeal::decide(plan, a, QString(), false))
        QCOMPARE(v.status, RowApprovalStatus::Unsealed);
    plan = rows();
    for (const RowApproval &v : ApprovalSeal::decide(plan, a, QString(), true)) {
        QVERIFY(!v.runs());
        QVERIFY(v.reason.contains(QLatin1String("policy requires a sealed approval")));
    }
}

void tst_SealCheck::unknownApproverRefused()
{
    QString error;
    const QString token = approverSignIn(m_tenant, QStringLiteral("n"),
                                         QStringLiteral("nobody@contoso.test"), &error);
    QVERIFY(token.isEmpty());
    QVERIFY2(error.contains(QLatin1String("AADSTS50034")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_SealCheck)
#include "tst_sealcheck.moc"
