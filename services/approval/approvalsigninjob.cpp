#include "approvalsigninjob.h"

#include "tokenprovider.h"

ApprovalSignInJob::ApprovalSignInJob(const GraphConfig &config, const QString &nonce,
                                     const QString &loginHint, QObject *parent)
    : Job(parent), m_config(config), m_nonce(nonce), m_loginHint(loginHint)
{
    if (m_config.signInMethod == SignInMethod::ClientSecret)
        m_config.signInMethod = SignInMethod::BrowserPkce; // an app cannot approve
}

void ApprovalSignInJob::doStart()
{
    m_tokens = new TokenProvider(m_config, this);
    m_tokens->setIdentitySignIn(isSealed() ? m_nonce : QString(), m_loginHint);
    connect(m_tokens, &TokenProvider::browserSignInRequested, this,
            &ApprovalSignInJob::browserSignInRequested);
    connect(m_tokens, &TokenProvider::deviceCodeReady, this, &ApprovalSignInJob::deviceCodeIssued);
    connect(m_tokens, &TokenProvider::statusChanged, this, &Job::infoMessage);
    connect(m_tokens, &TokenProvider::signInFinished, this, [this](const SignInResult &r) {
        if (isCancelRequested())
            fail(Cancelled, tr("The approver's sign-in was cancelled."));
        else if (!r.ok)
            fail(SignInFailed, r.message);
        else if (m_tokens->idToken().isEmpty())
            fail(NoIdToken, tr("The sign-in returned no ID token, so the approval cannot name "
                               "the approver. Check that the app may sign users in (openid)."));
        else
            m_idToken = m_tokens->idToken();
        // The access token is not needed: the approval rests on the ID token alone.
        m_tokens->signOut();
        emitResult();
    });
    m_tokens->signIn();
}

void ApprovalSignInJob::doCancel()
{
    if (m_tokens)
        m_tokens->cancel();
    else
        Job::doCancel();
}
