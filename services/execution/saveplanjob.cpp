#include "saveplanjob.h"

#include "atomicfile.h"

#include <QFileInfo>
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
    AtomicFile file(fileName);
    QString error;
    if (!file.open(&error)) {
        r.error = CannotWrite;
        r.errorString = tr("Cannot write %1: %2").arg(fileName, error);
        return r;
    }
    {
        QTextStream out(file.device());
        out.setEncoding(QStringConverter::Utf8);
        plan.write(out);
        out.flush();
    }
    if (abort) {
        file.cancel(); // the old file, if any, stays as it was
        return r;
    }
    if (!file.commit(&error)) {
        r.error = CannotWrite;
        r.errorString = tr("Cannot save %1: %2 Check the free space and permissions of the "
                           "folder, then export again.")
                            .arg(fileName, error);
    }
    return r;
}

bool SavePlanJob::write(const Plan &plan, const QString &fileName, QString *error)
{
    const std::atomic_bool never{false};
    const Result r = save(plan, fileName, never);
    if (error)
        *error = r.errorString;
    return r.error == NoError;
}
