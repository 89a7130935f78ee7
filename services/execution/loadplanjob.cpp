#include "loadplanjob.h"

#include <QFile>
#include <QFileInfo>
#include <QThread>

LoadPlanJob::LoadPlanJob(QString fileName, QObject *parent)
    : Job(parent), m_fileName(std::move(fileName))
{}

LoadPlanJob::~LoadPlanJob()
{
    if (m_thread)
        m_thread->wait(); // Plan::read has no abort; the thread ends with the file
}

void LoadPlanJob::doStart()
{
    Q_EMIT infoMessage(tr("Reading %1…").arg(QFileInfo(m_fileName).fileName()));
    m_thread = QThread::create([this] { m_result = load(m_fileName); });
    m_thread->setParent(this);
    connect(m_thread, &QThread::finished, this, &LoadPlanJob::onLoaded);
    m_thread->start();
}

void LoadPlanJob::doCancel()
{
    // Plan::read cannot be interrupted: onLoaded finishes the job as Cancelled and drops
    // what was read.
}

void LoadPlanJob::onLoaded()
{
    if (isCancelRequested()) {
        fail(Cancelled, tr("Reading %1 was cancelled.").arg(m_fileName));
    } else if (m_result.error != NoError) {
        fail(m_result.error, m_result.errorString);
    } else {
        m_plan = std::move(m_result.plan);
        setProgress(m_plan.size(), m_plan.size());
    }
    m_result = Result();
    emitResult();
}

LoadPlanJob::Result LoadPlanJob::load(const QString &fileName)
{
    Result r;
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        r.error = CannotRead;
        r.errorString = tr("Cannot read %1: %2. Check the path and that you may read the file.")
                            .arg(fileName, file.errorString());
        return r;
    }
    QString readError;
    if (!Plan::read(&file, &r.plan, &readError)) { // UTF-8 bytes, or UTF-16 with a BOM
        r.error = BadPlan;
        r.errorString = tr("%1 is not a usable plan: %2").arg(fileName, readError);
        r.plan = Plan();
    }
    return r;
}
