#pragma once

#include "ldapconfig.h"
#include "scanresult.h"
#include "valuejob.h"

// The on-prem side of a ScanJob, one typed job for either source: the CLI and the wizard
// both start their scans from here.
namespace OnPremScanSource {
ValueJob<OnPremScan> *ldap(const LdapConfig &config, QObject *parent = nullptr);
ValueJob<OnPremScan> *file(const QString &path, QObject *parent = nullptr);
} // namespace OnPremScanSource
