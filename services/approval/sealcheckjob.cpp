#include "sealcheckjob.h"

#include "accesstoken.h"
#include "cloudsession.h"
#include "idtokenverifyjob.h"

SealCheckJob::SealCheckJob(const Approvals &approvals, const SealExpectations &expected,
                           const QUrl &authorityUrl, JwksCache *cache, QObject *parent)
    : Job(parent), m_approvals(approvals), m_expected(expected), m_authorityUrl(authorityUrl),
      m_cache(cache)
{}

void SealCheckJob::doStart()
{
    if (!m_approvals.sealed) {
        m_problem = ApprovalSeal::problem(m_approvals, std::nullopt, QString(), m_expected);
        emitResult();
        return;
    }
    // The keys of the tenant the operator is signed in to, never those the token names.
    auto *verify = new IdTokenVerifyJob(m_authorityUrl, m_expected.tenantId, m_approvals.idToken,
                                        m_cache, this);
    connect(verify, &Job::finished, this, [this, verify] {
        const QString signatureProblem =
            verify->error() == NoError ? QString() : verify->errorString();
        m_problem =
            ApprovalSeal::problem(m_approvals, verify->token(), signatureProblem, m_expected);
        emitResult();
    });
    verify->start();
}

SealExpectations SealCheckJob::expectationsFor(const CloudSession &session)
{
    SealExpectations e;
    const GraphConfig config = session.config();
    e.tenantId = session.tenant().id.isEmpty() ? config.tenant : session.tenant().id;
    e.clientId = config.clientId;
    e.issuer = ApprovalSeal::issuerFor(config.authorityUrl.toString(), e.tenantId);
    e.operatorName = session.operatorName();
    if (TokenProvider *tokens = session.tokenProvider()) {
        e.operatorOid =
            AccessToken::claims(tokens->idToken()).value(QLatin1String("oid")).toString();
        if (e.operatorOid.isEmpty())
            e.operatorOid =
                AccessToken::claims(tokens->accessToken()).value(QLatin1String("oid")).toString();
    }
    e.nowUtc = QDateTime::currentDateTimeUtc();
    return e;
}
