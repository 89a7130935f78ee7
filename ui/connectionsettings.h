#pragma once

#include "onpremuser.h"

#include <QSettings>
#include <QString>
#include <QStringList>
#include <QUrl>

// What the Connect page collects. Plain values; the secrets (LDAP password, client
// secret) live here only in memory and are never written by save().
struct OnPremSettings
{
    enum class Source { Ldap, File };
    enum class TlsMode { None, StartTls, Ldaps };

    Source source = Source::Ldap;
    QString ldapUri;  // ldap://dc1.corp.example or ldaps://…
    QString bindDn;   // CN=svc-anchorfix,OU=Service,DC=corp,DC=example or svc@corp.example
    QString password; // secret: memory only
    bool rememberPassword = false; // keep it in the OS keychain
    TlsMode tlsMode = TlsMode::StartTls;
    QString caFile;
    QString baseDn;
    QStringList ous; // limits the scan to these OUs (DNs); empty = whole base
    QString filter;  // extra LDAP filter; empty = the default user filter
    AnchorRule anchorRule = AnchorRule::ConsistencyGuidElseObjectGuid;
    QString filePath; // Source::File: an LDIF or CSV export

    // Empty when complete enough to try, else what is missing, for people. A connection
    // test needs no base DN (it reads the domain's from the server).
    QString validate(bool requireBaseDn = true) const;
    // A short human description: "ldap://dc1 (base DC=corp,DC=example)" or the file name.
    QString describe() const;

    void save(QSettings &settings) const; // no password
    static OnPremSettings load(const QSettings &settings);

    static QString tlsModeName(TlsMode mode); // none | starttls | ldaps
};

struct CloudSettings
{
    enum class Cloud { Global, UsGov, UsGovDoD, China, Custom };
    enum class SignIn { DeviceCode, Browser, ClientSecret };

    Cloud cloud = Cloud::Global;
    QUrl authorityUrl = QUrl(QStringLiteral("https://login.microsoftonline.com"));
    QUrl graphUrl = QUrl(QStringLiteral("https://graph.microsoft.com"));
    QString tenant;
    QString clientId;
    SignIn signIn = SignIn::DeviceCode;
    QString clientSecret; // secret: memory only
    bool rememberSecret = false;

    QString validate() const;
    QString describe() const;

    void save(QSettings &settings) const; // no secret
    static CloudSettings load(const QSettings &settings);

    static QString cloudTitle(Cloud cloud); // "Global", "US Gov", …
    static QUrl authorityFor(Cloud cloud);
    static QUrl graphFor(Cloud cloud);
};
