#pragma once

#include <job.h>
#include <plan.h>

#include <QString>

class QThread;

// Reads a plan.csv (possibly hand-edited) on a worker thread. finished() arrives on the
// thread that started the job; then plan() holds the plan, or errorString() names the
// file and, for a broken file, the line and column (Plan::read).
class LoadPlanJob : public Job
{
    Q_OBJECT
public:
    enum Error {
        CannotRead = UserDefinedError + 410, // missing file, no permission
        BadPlan,                             // not a plan.csv Plan::read accepts
    };

    explicit LoadPlanJob(QString fileName, QObject *parent = nullptr);
    ~LoadPlanJob() override;

    QString fileName() const { return m_fileName; }
    // The plan read (valid when error() == NoError).
    const Plan &plan() const { return m_plan; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Result
    {
        int error = NoError;
        QString errorString;
        Plan plan;
    };
    static Result load(const QString &fileName);
    void onLoaded();

    QString m_fileName;
    QThread *m_thread = nullptr;
    Result m_result;
    Plan m_plan;
};
