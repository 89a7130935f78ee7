#pragma once

#include <QUrl>

// The national clouds (DESIGN.md §7) and their sign-in and Graph endpoints: the one
// table behind GraphConfig::forCloud (command line) and the Connect page's cloud choice.
enum class CloudPreset { Global, UsGov, UsGovDoD, China };

struct CloudEndpoints
{
    QUrl authority; // scheme + host
    QUrl graph;     // scheme + host
};

CloudEndpoints cloudEndpoints(CloudPreset preset);
