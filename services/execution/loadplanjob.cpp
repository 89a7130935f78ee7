#include "loadplanjob.h"

#include <QFile>
#include <QFileInfo>

LoadPlanJob::LoadPlanJob(QString fileName, QObject *parent)
    : ThreadJob<Plan>(StatusWork([fileName](ThreadWorkStatus *s) { return load(fileName, s); }),
                      parent),
      m_fileName(std::move(fileName))
{
    setCancelText(tr("Reading %1 was cancelled.").arg(m_fileName));
}

void LoadPlanJob::workReturned()
{
    if (error() == NoError)
        setProgress(plan().size(), plan().size());
    else
        setValue(Plan()); // a cancelled read drops what it read
}

void LoadPlanJob::doStart()
{
    Q_EMIT infoMessage(tr("Reading %1…").arg(QFileInfo(m_fileName).fileName()));
    ThreadJob<Plan>::doStart();
}

Plan LoadPlanJob::load(const QString &fileName, ThreadWorkStatus *status)
{
    Plan plan;
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        status->code = CannotRead;
        status->error = tr("Cannot read %1: %2. Check the path and that you may read the file.")
                            .arg(fileName, file.errorString());
        return plan;
    }
    QString readError;
    if (!Plan::read(&file, &plan, &readError)) { // UTF-8 bytes, or UTF-16 with a BOM
        status->code = BadPlan;
        status->error = tr("%1 is not a usable plan: %2").arg(fileName, readError);
        return Plan();
    }
    return plan;
}
