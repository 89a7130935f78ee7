#include "clouduser.h"

#include "onpremuser.h"

QString CloudUser::primarySmtp() const
{
    return primarySmtpOf(mail, proxyAddresses);
}

QString CloudSnapshot::initialDomain() const
{
    for (const CloudDomain &domain : domains)
        if (domain.initial)
            return domain.name;
    return {};
}
