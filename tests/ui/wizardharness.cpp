#include "wizardharness.h"

#include "connectpage.h"
#include "executepage.h"
#include "findingtablemodel.h"
#include "practicetenant.h"
#include "scanpage.h"

#include <QTest>

WizardHarness::WizardHarness(bool demo, bool defaultOutput)
{
    settings = std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")),
                                           QSettings::IniFormat);
    services = std::make_unique<AppWizardServices>();
    context = std::make_unique<WizardContext>(services.get(), settings.get());
    if (!defaultOutput)
        context->setOutputFolder(dir.filePath(QStringLiteral("out")));
    if (demo) {
        OnPremSettings onPrem;
        CloudSettings cloud;
        QString output;
        error = services->startDemo(&onPrem, &cloud, &output);
        services->setPracticeTenant(services->practiceTenant(), 10);
        context->setDemo(true);
        context->setOnPremSettings(onPrem);
        context->setCloudSettings(cloud);
    }
    wizard = std::make_unique<AnchorfixWizard>(context.get());
    wizard->show();
}

bool WizardHarness::signIn()
{
    wizard->connectPage()->signIn();
    return QTest::qWaitFor([this] { return wizard->connectPage()->isComplete(); }, 20000);
}

bool WizardHarness::scanToReview()
{
    if (!signIn())
        return false;
    wizard->next();
    if (wizard->currentId() != AnchorfixWizard::Scan)
        return false;
    if (!QTest::qWaitFor([this] { return wizard->scanPage()->isComplete(); }, 20000))
        return false;
    wizard->next();
    return wizard->currentId() == AnchorfixWizard::Review;
}

int WizardHarness::rowOf(Category category) const
{
    const FindingTableModel *model = context->findings();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->finding(row).category == category)
            return row;
    return -1;
}

bool WizardHarness::runToSummary()
{
    if (wizard->currentId() == AnchorfixWizard::Review)
        wizard->next();
    if (wizard->currentId() != AnchorfixWizard::Execute)
        return false;
    ExecutePage *execute = wizard->executePage();
    execute->startRun();
    if (!QTest::qWaitFor([execute] { return execute->hasFinished(); }, 30000))
        return false;
    wizard->next();
    return wizard->currentId() == AnchorfixWizard::Summary;
}
