#pragma once

#include "aboutdialog.h"

// The About box's content for this build: version and licence from anchorfixversion.h,
// Qt and libldap as loaded at run time, QtKeychain as built against (it has no call).
AboutInfo anchorfixAboutInfo();
