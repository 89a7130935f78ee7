#pragma once

#include <job.h>
#include <plan.h>

#include <QString>

#include <atomic>

class QThread;

// Writes a plan.csv on a worker thread, atomically (AtomicFile: the old file stays whole
// until the new one is complete; a new file is 0600, a replaced one keeps its mode). finished()
// arrives on the thread that started the job; on error, errorString() names the file and says what
// to do.
class SavePlanJob : public Job
{
    Q_OBJECT
public:
    enum Error {
        CannotWrite = UserDefinedError + 400, // no folder, no permission, disk full
    };

    SavePlanJob(Plan plan, QString fileName, QObject *parent = nullptr);
    ~SavePlanJob() override;

    QString fileName() const { return m_fileName; }

    // The same, on the calling thread (the command line).
    static bool write(const Plan &plan, const QString &fileName, QString *error);

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Result
    {
        int error = NoError;
        QString errorString;
    };
    static Result save(const Plan &plan, const QString &fileName, const std::atomic_bool &abort);
    void onSaved();

    Plan m_plan;
    QString m_fileName;
    QThread *m_thread = nullptr;
    std::atomic_bool m_abort{false};
    Result m_result;
};
