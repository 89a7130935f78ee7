#pragma once

#include <plan.h>
#include <threadjob.h>

#include <QString>

// Writes a plan.csv on a pool thread (ThreadJob), atomically (AtomicFile: the old file stays
// whole until the new one is complete; a new file is 0600, a replaced one keeps its mode).
// finished() arrives on the thread that started the job; on error, errorString() names the
// file and says what to do. A cancel before the commit leaves the old file as it was; the
// job finishes once the write has stopped.
class SavePlanJob : public ThreadJob<bool>
{
    Q_OBJECT
public:
    enum Error {
        CannotWrite = UserDefinedError + 400, // no folder, no permission, disk full
    };

    SavePlanJob(Plan plan, QString fileName, QObject *parent = nullptr);

    QString fileName() const { return m_fileName; }

    // The same, on the calling thread (the command line).
    static bool write(const Plan &plan, const QString &fileName, QString *error);

protected:
    void doStart() override;
    void workReturned() override;

private:
    static bool save(const Plan &plan, const QString &fileName, ThreadWorkStatus *status);

    QString m_fileName;
    qsizetype m_rows = 0;
};
