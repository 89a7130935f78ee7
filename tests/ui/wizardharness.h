#pragma once

#include "anchorfixwizard.h"
#include "appwizardservices.h"
#include "wizardcontext.h"

#include <QSettings>
#include <QTemporaryDir>

#include <memory>

class PracticeTenant;

// The real wizard on the real services, with settings and output in a temporary folder.
// demo = true starts the bundled practice tenant and demo directory, as --demo does.
// defaultOutput = true leaves the run files where the wizard puts them by default (the
// test then points QStandardPaths somewhere temporary).
struct WizardHarness
{
    explicit WizardHarness(bool demo, bool defaultOutput = false);

    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<AppWizardServices> services;
    std::unique_ptr<WizardContext> context;
    std::unique_ptr<AnchorfixWizard> wizard;
    QString error; // set when the demo did not start

    PracticeTenant *tenant() const { return services->practiceTenant(); }
    // Signs in on the Connect page and waits for it to be complete.
    bool signIn();
    // From Connect through a finished scan to the Review page.
    bool scanToReview();
    // From Review through a finished run to the Summary page.
    bool runToSummary();
    // Source row of the first finding of this category, or -1.
    int rowOf(Category category) const;
};
