#pragma once

#include "graphconfig.h"
#include "job.h"

#include <QPointer>
#include <QString>
#include <QUrl>

class TokenProvider;

// The approver's sign-in (issue 17): an identity-only sign-in ("openid profile") whose ID
// token carries nonce = the digest of the approved rows. The browser sign-in (auth code
// + PKCE, loopback redirect) seals the approval; the device code flow cannot carry a
// nonce, so its ID token only names the approver (isSealed() false). No saved sign-in is
// used: the approver signs in now.
class ApprovalSignInJob : public Job
{
    Q_OBJECT
public:
    enum Error { SignInFailed = UserDefinedError + 1710, NoIdToken };

    ApprovalSignInJob(const GraphConfig &config, const QString &nonce, const QString &loginHint,
                      QObject *parent = nullptr);

    bool isSealed() const { return m_config.signInMethod == SignInMethod::BrowserPkce; }
    QString idToken() const { return m_idToken; }

Q_SIGNALS:
    void browserSignInRequested(const QUrl &url);
    void deviceCodeIssued(const QString &userCode, const QUrl &verificationUri,
                          const QString &message, int expiresInSeconds);

protected:
    void doStart() override;
    void doCancel() override;

private:
    GraphConfig m_config;
    QString m_nonce;
    QString m_loginHint;
    QPointer<TokenProvider> m_tokens;
    QString m_idToken;
};
