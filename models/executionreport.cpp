#include "executionreport.h"

#include "auditvocabulary.h"

QString changeStatusName(ChangeStatus status)
{
    return auditResultName(auditResultFor(status));
}
