// The pure parts of a second person's sealed approval (issue 17): the canonical digest of
// the approved rows, strict JWT parsing, the approvals file, and the seal's claim checks
// and per-row decisions.
#include "approvaldigest.h"
#include "approvals.h"
#include "approvalseal.h"
#include "jwt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

const QString kTenant = QStringLiteral("9f0c2c6e-1b7e-4c55-8f0e-6a1d2b3c4d5e");
const QString kClient = QStringLiteral("0b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
const QString kIssuer = QStringLiteral("http://127.0.0.1:1/") + kTenant + QStringLiteral("/v2.0");

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString compact(const QJsonObject &header, const QJsonObject &claims, const QByteArray &sig)
{
    return QString::fromLatin1(b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                               b64(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.' +
                               b64(sig));
}

QJsonObject rs256Header()
{
    return {{QStringLiteral("typ"), QStringLiteral("JWT")},
            {QStringLiteral("alg"), QStringLiteral("RS256")},
            {QStringLiteral("kid"), QStringLiteral("k1")}};
}

Finding flagged(int id, Category category, Action action)
{
    Finding f;
    f.rowId = id;
    f.category = category;
    f.action = action;
    f.requiresApproval = true;
    f.onPremDn = QStringLiteral("CN=User %1,OU=Staff,DC=corp,DC=example").arg(id);
    f.onPremUpn = QStringLiteral("user%1@contoso.test").arg(id);
    f.setOnPremGuid(QStringLiteral("7754d487-1fc3-4206-9e95-ce012f1586e5"));
    f.setExpectedImmutableId(QStringLiteral("h9RUd8MfBkKelc4BLxWG5Q=="));
    f.cloudId = QStringLiteral("cloud-%1").arg(id);
    f.cloudUpn = f.onPremUpn;
    f.cloudImmutableId = QStringLiteral("OLDOLDOLDOLDOLDOLDOLDA==");
    f.allowedActions = allowedActionsFor(category);
    return f;
}

QList<Finding> planRows()
{
    Finding plain;
    plain.rowId = 1;
    plain.category = Category::SoftMatchPending;
    plain.action = Action::Stamp;
    return {plain, flagged(2, Category::AnchorMismatch, Action::Stamp),
            flagged(3, Category::DeletedAnchorHolder, Action::PurgeDeleted),
            flagged(4, Category::OrphanedAnchor, Action::Clear)};
}

// An approval of rows 2 and 3 (row 4 rejected) by bob, with its claims.
Approvals approvalOf(const QList<Finding> &rows)
{
    Approvals a;
    a.tenantId = kTenant;
    a.approverUpn = QStringLiteral("bob@contoso.test");
    a.approverOid = QStringLiteral("oid-bob");
    a.approvedAtUtc = QDateTime::currentDateTimeUtc();
    a.sealed = true;
    for (const Finding &f : rows) {
        if (f.rowId == 2 || f.rowId == 3)
            a.decisions.append(
                {f.rowId, true, QStringLiteral("checked"), ApprovalDigest::rowDigest(f)});
        else if (f.rowId == 4)
            a.decisions.append({f.rowId, false, QStringLiteral("still in use"), {}});
    }
    a.digest = ApprovalDigest::sealDigest(kTenant, a.approvedRowDigests());
    return a;
}

QJsonObject claimsFor(const Approvals &a)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return {{QStringLiteral("iss"), kIssuer},
            {QStringLiteral("aud"), kClient},
            {QStringLiteral("tid"), kTenant},
            {QStringLiteral("oid"), a.approverOid},
            {QStringLiteral("nonce"), a.digest},
            {QStringLiteral("iat"), now - 10},
            {QStringLiteral("nbf"), now - 10},
            {QStringLiteral("exp"), now + 3600},
            {QStringLiteral("preferred_username"), a.approverUpn}};
}

SealExpectations expectations()
{
    SealExpectations e;
    e.tenantId = kTenant;
    e.clientId = kClient;
    e.issuer = kIssuer;
    e.operatorOid = QStringLiteral("oid-alice");
    e.nowUtc = QDateTime::currentDateTimeUtc();
    return e;
}

} // namespace

class tst_Approval : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void digestCoversEachField_data();
    void digestCoversEachField();
    void digestIsOrderFreeAndTenantBound();
    void jwtParse_data();
    void jwtParse();
    void approvalsFileRoundTrip();
    void approvalsFileStrict_data();
    void approvalsFileStrict();
    void sealProblem_data();
    void sealProblem();
    void decide_data();
    void decide();
};

void tst_Approval::digestCoversEachField_data()
{
    QTest::addColumn<int>("field");
    const char *names[] = {"row id",     "category",     "action",
                           "on-prem DN", "on-prem GUID", "on-prem UPN",
                           "cloud id",   "cloud UPN",    "recycle-bin holder",
                           "old value",  "new value"};
    for (int i = 0; i < int(std::size(names)); ++i)
        QTest::newRow(names[i]) << i;
}

void tst_Approval::digestCoversEachField()
{
    QFETCH(int, field);
    const Finding original = flagged(7, Category::AnchorMismatch, Action::Stamp);
    Finding changed = original;
    switch (field) {
    case 0:
        changed.rowId = 8;
        break;
    case 1:
        changed.category = Category::FederatedDomain;
        break;
    case 2:
        changed.action = Action::Clear;
        break;
    case 3:
        changed.onPremDn += u'x';
        break;
    case 4:
        changed.setOnPremGuid(QStringLiteral("00000000-1fc3-4206-9e95-ce012f1586e5"));
        break;
    case 5:
        changed.onPremUpn = QStringLiteral("mallory@contoso.test");
        break;
    case 6:
        changed.cloudId = QStringLiteral("cloud-other");
        break;
    case 7:
        changed.cloudUpn = QStringLiteral("mallory@contoso.test");
        break;
    case 8:
        changed.deletedHolderId = QStringLiteral("deleted-1");
        break;
    case 9:
        changed.cloudImmutableId.clear();
        break;
    case 10:
        changed.setExpectedImmutableId(QStringLiteral("AAAAAAAAAAAAAAAAAAAAAA=="));
        break;
    }
    QVERIFY(ApprovalDigest::rowDigest(changed) != ApprovalDigest::rowDigest(original));
    QCOMPARE(ApprovalDigest::rowDigest(original).size(), 43); // base64url SHA-256
    // What a person may edit beyond the row's facts does not move the digest.
    Finding edited = original;
    edited.approved = true;
    edited.setReason(QStringLiteral("other words"));
    QCOMPARE(ApprovalDigest::rowDigest(edited), ApprovalDigest::rowDigest(original));
    // Length-prefixed fields: moving text from one field to the next changes the digest.
    Finding shifted = original;
    shifted.onPremDn = original.onPremDn + original.onPremGuid().left(1);
    shifted.setOnPremGuid(original.onPremGuid().mid(1));
    QVERIFY(ApprovalDigest::rowDigest(shifted) != ApprovalDigest::rowDigest(original));
}

void tst_Approval::digestIsOrderFreeAndTenantBound()
{
    const QList<Finding> rows = planRows();
    QList<Finding> reversed(rows.crbegin(), rows.crend());
    QCOMPARE(ApprovalDigest::sealDigest(kTenant, reversed),
             ApprovalDigest::sealDigest(kTenant, rows));
    QVERIFY(ApprovalDigest::sealDigest(QStringLiteral("other"), rows) !=
            ApprovalDigest::sealDigest(kTenant, rows));
    QVERIFY(ApprovalDigest::sealDigest(kTenant, rows.mid(1)) !=
            ApprovalDigest::sealDigest(kTenant, rows));
    // Known value: the canonical form is stable across versions of the program.
    QCOMPARE(QString::fromLatin1(ApprovalDigest::canonicalRow(rows.at(0))),
             QStringLiteral("1:118:soft_match_pending5:stamp0:0:0:0:0:0:0:0:"));
}

void tst_Approval::jwtParse_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("error"); // empty = accepted
    const QJsonObject claims{{QStringLiteral("sub"), QStringLiteral("x")}};
    const QByteArray sig(256, 'S');
    QTest::newRow("valid") << compact(rs256Header(), claims, sig) << QString();
    QJsonObject none = rs256Header();
    none.insert(QStringLiteral("alg"), QStringLiteral("none"));
    QTest::newRow("alg none") << compact(none, claims, sig) << QStringLiteral("\"none\"");
    QTest::newRow("alg none, no signature")
        << compact(none, claims, {}) << QStringLiteral("not signed");
    QJsonObject hs = rs256Header();
    hs.insert(QStringLiteral("alg"), QStringLiteral("HS256"));
    QTest::newRow("alg HS256") << compact(hs, claims, sig) << QStringLiteral("only RS256");
    QJsonObject noKid = rs256Header();
    noKid.remove(QStringLiteral("kid"));
    QTest::newRow("no kid") << compact(noKid, claims, sig) << QStringLiteral("kid");
    QJsonObject crit = rs256Header();
    crit.insert(QStringLiteral("crit"), QJsonArray{QStringLiteral("exp")});
    QTest::newRow("crit") << compact(crit, claims, sig) << QStringLiteral("critical");
    QTest::newRow("two parts") << QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0")
                               << QStringLiteral("2 parts");
    QTest::newRow("four parts") << compact(rs256Header(), claims, sig) + QStringLiteral(".AAAA")
                                << QStringLiteral("4 parts");
    QTest::newRow("padding") << compact(rs256Header(), claims, sig) + QStringLiteral("==")
                             << QStringLiteral("base64url");
    QTest::newRow("standard base64 signature")
        << QString::fromLatin1(b64(QJsonDocument(rs256Header()).toJson()) + '.' +
                               b64(QJsonDocument(claims).toJson()) + '.' + sig.toBase64())
        << QStringLiteral("base64url");
    QTest::newRow("payload not JSON")
        << QString::fromLatin1(b64(QJsonDocument(rs256Header()).toJson()) + '.' + b64("[1,2") +
                               '.' + b64(sig))
        << QStringLiteral("JSON object");
    QTest::newRow("payload an array")
        << QString::fromLatin1(b64(QJsonDocument(rs256Header()).toJson()) + '.' + b64("[1,2]") +
                               '.' + b64(sig))
        << QStringLiteral("JSON object");
    QTest::newRow("empty") << QString() << QStringLiteral("no ID token");
    QTest::newRow("too long") << QString(20000, u'a') << QStringLiteral("longer");
    QJsonObject jwe = rs256Header();
    jwe.insert(QStringLiteral("typ"), QStringLiteral("JWE"));
    QTest::newRow("typ JWE") << compact(jwe, claims, sig) << QStringLiteral("not JWT");
}

void tst_Approval::jwtParse()
{
    QFETCH(QString, token);
    QFETCH(QString, error);
    QString why;
    const std::optional<Jwt> jwt = Jwt::parse(token, &why);
    if (error.isEmpty()) {
        QVERIFY2(jwt.has_value(), qPrintable(why));
        QCOMPARE(jwt->keyId(), QStringLiteral("k1"));
        QCOMPARE(jwt->signature().size(), 256);
        QCOMPARE(jwt->claim("sub"), QStringLiteral("x"));
        QVERIFY(token.startsWith(QString::fromLatin1(jwt->signingInput())));
    } else {
        QVERIFY(!jwt.has_value());
        QVERIFY2(why.contains(error), qPrintable(why));
    }
}

void tst_Approval::approvalsFileRoundTrip()
{
    Approvals a = approvalOf(planRows());
    a.approverName = QStringLiteral("Bob");
    a.idToken = QStringLiteral("a.b.c");
    a.approvedAtUtc = QDateTime::fromSecsSinceEpoch(a.approvedAtUtc.toSecsSinceEpoch(), Qt::UTC);
    Approvals back;
    QString error;
    QVERIFY2(Approvals::fromJson(a.toJson(), &back, &error), qPrintable(error));
    QCOMPARE(back, a);
    QCOMPARE(back.approvedCount(), 2);
    QVERIFY(back.decision(4) && !back.decision(4)->approved);
    QVERIFY(!back.decision(1));
}

void tst_Approval::approvalsFileStrict_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("error");
    QTest::newRow("other format") << "\"anchorfix-approvals\""
                                  << "\"x\""
                                  << "not an approvals file";
    QTest::newRow("row decided twice") << "\"row_id\": 3"
                                       << "\"row_id\": 2"
                                       << "decided twice";
    QTest::newRow("unknown decision") << "\"reject\""
                                      << "\"maybe\""
                                      << "\"approve\" or";
    QTest::newRow("sealed not bool") << "\"sealed\": true"
                                     << "\"sealed\": \"yes\""
                                     << "sealed";
    QTest::newRow("approved without digest") << "\"row_digest\""
                                             << "\"x_digest\""
                                             << "without its row_digest";
    QTest::newRow("bad time") << "\"approved_at_utc\": \""
                              << "\"approved_at_utc\": \"x"
                              << "ISO 8601";
    // fuzz_approval: an offset took the time past 9999 UTC, which toJson() cannot write.
    QTest::newRow("UTC year 10000")
        << "\"approved_at_utc\": \""
        << "\"approved_at_utc\": \"9999-12-31T23:59:59-05:00\", \"x\": \""
        << "ISO 8601";
    QTest::newRow("fractional row_id") << "\"row_id\": 3"
                                       << "\"row_id\": 3.5"
                                       << "not a row number";
    QTest::newRow("row_id 0") << "\"row_id\": 3"
                              << "\"row_id\": 0"
                              << "not a row number";
    QTest::newRow("not JSON") << "{"
                              << "["
                              << "not a JSON object";
}

void tst_Approval::approvalsFileStrict()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, error);
    QString json = QString::fromUtf8(approvalOf(planRows()).toJson());
    QVERIFY2(json.contains(from), qPrintable(json));
    json.replace(json.indexOf(from), from.size(), to);
    Approvals back;
    QString why;
    QVERIFY(!Approvals::fromJson(json.toUtf8(), &back, &why));
    QVERIFY2(why.contains(error), qPrintable(why));
}

void tst_Approval::sealProblem_data()
{
    QTest::addColumn<QString>("claim"); // claim to change ("-x" removes x)
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("signatureProblem");
    QTest::addColumn<QString>("error"); // empty = the seal holds
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QTest::newRow("valid") << QString() << QJsonValue() << QString() << QString();
    QTest::newRow("signature") << QString() << QJsonValue()
                               << QStringLiteral("the signature does not match the key")
                               << QStringLiteral("does not verify");
    QTest::newRow("other tenant") << "tid" << QJsonValue(QStringLiteral("other-tenant"))
                                  << QString() << QStringLiteral("issued by tenant other-tenant");
    QTest::newRow("other issuer") << "iss" << QJsonValue(QStringLiteral("https://evil/v2.0"))
                                  << QString() << QStringLiteral("issuer");
    QTest::newRow("other app") << "aud" << QJsonValue(QStringLiteral("another-app")) << QString()
                               << QStringLiteral("not to this app");
    QTest::newRow("expired at approval") << "exp" << QJsonValue(now - 3600) << QString()
                                         << QStringLiteral("expired at the approval time");
    QTest::newRow("issued after approval") << "iat" << QJsonValue(now + 3600) << QString()
                                           << QStringLiteral("before the seal was issued");
    QTest::newRow("too old") << "iat" << QJsonValue(now - 40 * 86400) << QString()
                             << QStringLiteral("older than 30 days");
    QTest::newRow("no exp") << "-exp" << QJsonValue() << QString() << QStringLiteral("expiry");
    QTest::newRow("no nonce") << "-nonce" << QJsonValue() << QString()
                              << QStringLiteral("no nonce");
    QTest::newRow("other nonce") << "nonce" << QJsonValue(QStringLiteral("abc")) << QString()
                                 << QStringLiteral("altered after signing");
    QTest::newRow("other approver") << "oid" << QJsonValue(QStringLiteral("oid-carol")) << QString()
                                    << QStringLiteral("names approver oid-carol");
    QTest::newRow("approver is operator") << "oid" << QJsonValue(QStringLiteral("oid-alice"))
                                          << QString() << QStringLiteral("a second person");
}

void tst_Approval::sealProblem()
{
    QFETCH(QString, claim);
    QFETCH(QJsonValue, value);
    QFETCH(QString, signatureProblem);
    QFETCH(QString, error);
    Approvals a = approvalOf(planRows());
    QJsonObject claims = claimsFor(a);
    if (claim.startsWith(u'-'))
        claims.remove(claim.mid(1));
    else if (!claim.isEmpty())
        claims.insert(claim, value);
    if (claim == QLatin1String("oid"))
        a.approverOid = value.toString() == QLatin1String("oid-alice") ? QStringLiteral("oid-alice")
                                                                       : a.approverOid;
    const auto token = Jwt::parse(compact(rs256Header(), claims, QByteArray(256, 'S')), nullptr);
    QVERIFY(token);
    const QString problem = ApprovalSeal::problem(a, token, signatureProblem, expectations());
    if (error.isEmpty())
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    else
        QVERIFY2(problem.contains(error), qPrintable(problem));
}

void tst_Approval::decide_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("requireSealed");
    QTest::addColumn<QString>("expected"); // per flagged row 2,3,4: + runs, - refused
    QTest::addColumn<QString>("reasonOfFirstRefused");
    QTest::newRow("sealed") << "sealed" << true << "++-"
                            << "rejected by bob@contoso.test";
    QTest::newRow("no file, single admin") << "none" << false << "++" << QString();
    QTest::newRow("no file, policy") << "none" << true << "---"
                                     << "sealed approval";
    QTest::newRow("row changed after approval") << "changed" << false << "+--"
                                                << "the row changed after bob@contoso.test";
    QTest::newRow("problem") << "problem" << false << "---"
                             << "not accepted: forged";
    QTest::newRow("unsealed allowed") << "unsealed" << false << "++-"
                                      << "rejected";
    QTest::newRow("unsealed refused by policy") << "unsealed" << true << "---"
                                                << "device-code";
    QTest::newRow("row not reviewed") << "uncovered" << false << "-+-"
                                      << "not covered";
}

void tst_Approval::decide()
{
    QFETCH(QString, scenario);
    QFETCH(bool, requireSealed);
    QFETCH(QString, expected);
    QFETCH(QString, reasonOfFirstRefused);
    QList<Finding> rows = planRows();
    std::optional<Approvals> approvals = approvalOf(rows);
    QString problem;
    for (Finding &f : rows)
        f.approved = f.rowId != 4; // plan.csv says yes for 2 and 3
    if (scenario == QLatin1String("none"))
        approvals.reset();
    else if (scenario == QLatin1String("changed"))
        rows[2].cloudId = QStringLiteral("someone-else"); // row 3
    else if (scenario == QLatin1String("problem"))
        problem = QStringLiteral("forged");
    else if (scenario == QLatin1String("unsealed"))
        approvals->sealed = false;
    else if (scenario == QLatin1String("uncovered"))
        approvals->decisions.removeFirst(); // row 2
    const QList<RowApproval> verdicts =
        ApprovalSeal::decide(rows, approvals, problem, requireSealed);
    QString got;
    QString firstReason;
    for (const RowApproval &v : verdicts) {
        got += v.runs() ? u'+' : u'-';
        const Finding &row = *std::find_if(rows.cbegin(), rows.cend(),
                                           [&v](const Finding &f) { return f.rowId == v.rowId; });
        QCOMPARE(row.isExecutable(), v.runs()); // the row's approved flag follows the verdict
        if (!v.runs() && firstReason.isEmpty())
            firstReason = v.reason;
    }
    QCOMPARE(got, expected);
    QVERIFY2(firstReason.contains(reasonOfFirstRefused), qPrintable(firstReason));
    QVERIFY(rows.at(0).isExecutable()); // an unflagged row is not the approval's business
}

QTEST_GUILESS_MAIN(tst_Approval)
#include "tst_approval.moc"
