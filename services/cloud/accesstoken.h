#pragma once

#include "grantedpermissions.h"

#include <QJsonObject>
#include <QString>

// The claims of a JWT (an Entra access token or ID token), read without verifying the
// signature: for display, the audit's operator and the permission pre-flight only —
// Graph verifies every token it is given.
namespace AccessToken {

// The payload, or an empty object when the text is not a JWT.
QJsonObject claims(const QString &jwt);
// scp (space-separated) or roles (array); known = false when the token is not a JWT.
GrantedPermissions permissions(const QString &jwt);
// The signed-in person's name in the token: preferred_username, upn, unique_name.
QString userName(const QString &jwt);

} // namespace AccessToken
