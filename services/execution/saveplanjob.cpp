#include "saveplanjob.h"

#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <QThread>

SavePlanJob::SavePlanJob(Plan plan, QString fileName, QObject *parent)
    : Job(parent), m_plan(std::move(plan)), m_fileName(std::move(fileName))
{}

SavePlanJob::~SavePlanJob()
{
    if (m_thread) {
        m_abort = true;
        m_thread->wait();
    }
}

void SavePlanJob::doStart()
{
    Q_EMIT infoMessage(tr("Saving %1…").arg(QFileInfo(m_fileName).fileName()));
    m_thread = QThread::create([this] { m_result = save(m_plan, m_fileName, m_abort); });
    m_thread->setParent(this);
    connect(m_thread, &QThread::finished, this, &SavePlanJob::onSaved);
    m_thread->start();
}

void SavePlanJob::doCancel()
{
    m_abort = true; // onSaved finishes the job as Cancelled
}

void SavePlanJob::onSaved()
{
    if (isCancelRequested())
        fail(Cancelled,
             tr("Saving %1 was cancelled; the file was left as it was.").arg(m_fileName));
    else if (m_result.error != NoError)
        fail(m_result.error, m_result.errorString);
    else
        setProgress(m_plan.size(), m_plan.size());
    emitResult();
}

SavePlanJob::Result SavePlanJob::save(const Plan &plan, const QString &fileName,
                                      const std::atomic_bool &abort)
{
    Result r;
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        r.error = CannotWrite;
        r.errorString = tr("Cannot write %1: %2. Choose a folder you may write to.")
                            .arg(fileName, file.errorString());
        return r;
    }
    QTextStream out(&file);
    plan.write(out);
    out.flush();
    if (abort) {
        file.cancelWriting(); // the old file, if any, stays as it was
        return r;
    }
    if (!file.commit()) {
        r.error = CannotWrite;
        r.errorString = tr("Cannot save %1: %2. Check the free space and permissions of the "
                           "folder, then export again.")
                            .arg(fileName, file.errorString());
    }
    return r;
}
