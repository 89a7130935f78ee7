#pragma once

#include <plan.h>
#include <threadjob.h>

#include <QString>

// Reads a plan.csv (possibly hand-edited) on a pool thread (ThreadJob). finished() arrives
// on the thread that started the job; then plan() holds the plan, or errorString() names
// the file and, for a broken file, the line and column (Plan::read). Plan::read cannot be
// interrupted: a cancelled job finishes as Cancelled when it returns, and drops the plan.
class LoadPlanJob : public ThreadJob<Plan>
{
    Q_OBJECT
public:
    enum Error {
        CannotRead = UserDefinedError + 410, // missing file, no permission
        BadPlan,                             // not a plan.csv Plan::read accepts
    };

    explicit LoadPlanJob(QString fileName, QObject *parent = nullptr);

    QString fileName() const { return m_fileName; }
    // The plan read (valid when error() == NoError).
    const Plan &plan() const { return value(); }

    // The same, on the calling thread.
    static Plan load(const QString &fileName, ThreadWorkStatus *status);

protected:
    void doStart() override;
    void workReturned() override;

private:
    QString m_fileName;
};
