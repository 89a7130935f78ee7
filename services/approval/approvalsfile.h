#pragma once

#include "approvals.h"

#include <QString>

#include <optional>

// plan.approvals.json on disk (RunFiles::approvalsFor beside the plan).
namespace ApprovalsFile {

// No file: true with *approvals = nullopt. A file that cannot be read or is not an
// approvals file: false with a message naming the file.
bool read(const QString &path, std::optional<Approvals> *approvals, QString *error);
// Written whole or not at all (QSaveFile), owner-only permissions.
bool write(const QString &path, const Approvals &approvals, QString *error);

} // namespace ApprovalsFile
