#pragma once

#include "connectionsettings.h"

#include <QObject>
#include <QTemporaryDir>

#include <memory>

class PracticeTenant;

// `anchorfix --demo`: the bundled practice tenant, serving on 127.0.0.1 on a free port,
// and the bundled directory export, copied to a temporary folder. settings() fill the
// Connect page so the whole flow works without any real tenant or domain.
class DemoEnvironment : public QObject
{
    Q_OBJECT
public:
    explicit DemoEnvironment(QObject *parent = nullptr);
    ~DemoEnvironment() override;

    // Empty on success, else what went wrong.
    QString start();

    PracticeTenant *tenant() const { return m_tenant; }
    OnPremSettings onPremSettings() const;
    CloudSettings cloudSettings() const;
    // Where demo runs write their audit and rollback files.

private:
    PracticeTenant *m_tenant = nullptr;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_ldifPath;
};
