#include "cloudpreset.h"

CloudEndpoints cloudEndpoints(CloudPreset preset)
{
    const auto urls = [](const char *authority, const char *graph) {
        return CloudEndpoints{QUrl(QLatin1String(authority)), QUrl(QLatin1String(graph))};
    };
    switch (preset) {
    case CloudPreset::Global:
        break;
    case CloudPreset::UsGov:
        return urls("https://login.microsoftonline.us", "https://graph.microsoft.us");
    case CloudPreset::UsGovDoD:
        return urls("https://login.microsoftonline.us", "https://dod-graph.microsoft.us");
    case CloudPreset::China:
        return urls("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn");
    }
    return urls("https://login.microsoftonline.com", "https://graph.microsoft.com");
}
