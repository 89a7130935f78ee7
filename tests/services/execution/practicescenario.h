#pragma once

#include "finding.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

// A practice tenant and a plan that uses every action type: stamps, clears,
// purge_deleted + stamp, and federated-domain stamps (UPN switch). Shared by the
// execution integration tests, the CLI tests and the apply benchmark.
struct PracticeScenario
{
    static inline const QString clientId = QStringLiteral("5f0c8a1e-0000-4000-8000-00000000a11c");
    static inline const QString clientSecret = QStringLiteral("practice-only-secret");
    static inline const QString operatorUpn = QStringLiteral("admin@contoso.com");
    static inline const QString initialDomain = QStringLiteral("contoso.onmicrosoft.com");
    static inline const QString federatedDomain = QStringLiteral("fed.example");

    QJsonObject tenant;
    QList<Finding> plan;
    // cloud id → (UPN, onPremisesImmutableId) before any change; deleted users excluded.
    QHash<QString, QPair<QString, QString>> original;

    static PracticeScenario build(int stamps, int clears, int purges, int federated);
    // A distinct, valid anchor per number; every third one starts with '+' (formula guard).
    static QString anchor(int n);
    // How many writes the plan needs (a federated stamp is three).
    int expectedWrites() const;
};
