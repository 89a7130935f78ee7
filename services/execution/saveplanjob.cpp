#include "saveplanjob.h"

#include "atomicfile.h"

#include <QFileInfo>
#include <QTextStream>

SavePlanJob::SavePlanJob(Plan plan, QString fileName, QObject *parent)
    : ThreadJob<bool>(StatusWork([plan, fileName](ThreadWorkStatus *s) { // rows are shared
                          return save(plan, fileName, s);
                      }),
                      parent),
      m_fileName(std::move(fileName)), m_rows(plan.size())
{
    setCancelText(tr("Saving %1 was cancelled; the file was left as it was.").arg(m_fileName));
}

void SavePlanJob::doStart()
{
    Q_EMIT infoMessage(tr("Saving %1…").arg(QFileInfo(m_fileName).fileName()));
    ThreadJob<bool>::doStart();
}

void SavePlanJob::workReturned()
{
    if (error() == NoError)
        setProgress(m_rows, m_rows);
}

bool SavePlanJob::save(const Plan &plan, const QString &fileName, ThreadWorkStatus *status)
{
    AtomicFile file(fileName);
    QString error;
    if (!file.open(&error)) {
        status->code = CannotWrite;
        status->error = tr("Cannot write %1: %2").arg(fileName, error);
        return false;
    }
    {
        QTextStream out(file.device());
        out.setEncoding(QStringConverter::Utf8);
        plan.write(out);
        out.flush();
    }
    if (status->isAborted()) {
        file.cancel(); // the old file, if any, stays as it was
        return false;
    }
    if (!file.commit(&error)) {
        status->code = CannotWrite;
        status->error = tr("Cannot save %1: %2 Check the free space and permissions of the "
                           "folder, then export again.")
                            .arg(fileName, error);
        return false;
    }
    return true;
}

bool SavePlanJob::write(const Plan &plan, const QString &fileName, QString *error)
{
    ThreadWorkStatus status;
    const bool ok = save(plan, fileName, &status);
    if (error)
        *error = status.error;
    return ok;
}
