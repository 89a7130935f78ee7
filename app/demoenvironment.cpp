#include "demoenvironment.h"

#include "practicedirectory.h"
#include "practicetenant.h"

#include <QDateTime>
#include <QDir>
#include <QFile>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initDemoResources()
{
    Q_INIT_RESOURCE(demo);
}

DemoEnvironment::DemoEnvironment(QObject *parent) : QObject(parent)
{
    initDemoResources();
}

DemoEnvironment::~DemoEnvironment() = default;

QString DemoEnvironment::start()
{
    m_dir = std::make_unique<QTemporaryDir>(
        QDir::temp().filePath(QStringLiteral("anchorfix-demo-XXXXXX")));
    if (!m_dir->isValid())
        return tr("Cannot create a temporary folder for the demo: %1").arg(m_dir->errorString());
    const QString tenantPath = m_dir->filePath(QStringLiteral("demo-tenant.json"));
    m_ldifPath = m_dir->filePath(QStringLiteral("demo-onprem.ldif"));
    for (const auto &[from, to] :
         {std::pair{QStringLiteral(":/demo/demo-tenant.json"), tenantPath},
          std::pair{QStringLiteral(":/demo/demo-onprem.ldif"), m_ldifPath}}) {
        QFile::remove(to);
        if (!QFile::copy(from, to))
            return tr("Cannot copy the demo file %1 to %2.").arg(from, to);
        QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner);
    }
    m_tenant = new PracticeTenant(this);
    if (const QString error = m_tenant->loadFile(tenantPath); !error.isEmpty())
        return tr("The demo tenant does not load: %1").arg(error);
    // The demo tenant last synced a few minutes ago, as a tenant whose Entra Connect
    // scheduler runs (the file's fixed date would read as a stopped scheduler in Check
    // results); "Simulate a sync cycle" runs the next one.
    m_tenant->directory().organization.insert(
        QStringLiteral("onPremisesLastSyncDateTime"),
        QDateTime::currentDateTimeUtc().addSecs(-12 * 60).toString(Qt::ISODate));
    // A one-second poll interval: the demo sign-in takes a moment, not five seconds.
    m_tenant->tokens().setDeviceCodeTiming(900, 1);
    if (m_tenant->listen(0) == 0)
        return tr("The practice tenant cannot listen on 127.0.0.1.");
    return {};
}

OnPremSettings DemoEnvironment::onPremSettings() const
{
    OnPremSettings s;
    s.source = OnPremSettings::Source::File;
    s.filePath = m_ldifPath;
    s.anchorRule = AnchorRule::ConsistencyGuidElseObjectGuid;
    return s;
}

CloudSettings DemoEnvironment::cloudSettings() const
{
    CloudSettings s;
    s.cloud = CloudSettings::Cloud::Custom;
    s.authorityUrl = QUrl(m_tenant->baseUrl());
    s.graphUrl = QUrl(m_tenant->baseUrl());
    s.tenant = m_tenant->tenantId();
    s.clientId = m_tenant->practiceClientId();
    s.signIn = CloudSettings::SignIn::DeviceCode;
    return s;
}
