#pragma once

#include "onpremuser.h"
#include "scanresult.h"
#include "valuejob.h"

#include <QPointer>

#include <functional>

// The scan both front-ends run: reads the on-prem side and the tenant (in parallel, or
// on-prem first), then reconciles them off the GUI thread into findings. Each side is
// a ValueJob made by a factory when that side starts; when one side fails, the other is
// cancelled (there is nothing to compare) and the scan fails with that side's error.
//
// Progress: progressChanged for the whole scan (the sides' counts added up), with each
// side's own count in parts[int(Side)] and the side that moved in part; sideInfoMessage
// per side.
class ScanJob : public ValueJob<ScanResult>
{
    Q_OBJECT
public:
    enum class Side { OnPrem, Cloud };
    enum class Order {
        Parallel,    // both at once (the wizard: signed in already)
        OnPremFirst, // the tenant only once on-prem was read (the CLI: a wrong LDAP
                     // password should not cost a sign-in)
    };
    using OnPremFactory = std::function<ValueJob<OnPremScan> *()>;
    using CloudFactory = std::function<ValueJob<CloudScan> *()>;

    ScanJob(OnPremFactory onPrem, CloudFactory cloud, AnchorRule anchorRule,
            QObject *parent = nullptr);

    void setOrder(Order order) { m_order = order; }
    Order order() const { return m_order; }

    // How a side ended: NoError, its own error, or Cancelled. Set once the side finished;
    // sideStoppedByOther() is true for the side cancelled because the other one failed.
    bool isSideDone(Side side) const { return m_sides[int(side)].done; }
    int sideError(Side side) const { return m_sides[int(side)].error; }
    QString sideErrorString(Side side) const { return m_sides[int(side)].errorString; }
    bool sideStoppedByOther(Side side) const { return m_sides[int(side)].stoppedByOther; }

Q_SIGNALS:
    void sideInfoMessage(ScanJob::Side side, const QString &text);
    // A side finished (successfully or not); its value is in onPremScan()/cloudScan().
    void sideFinished(ScanJob::Side side);
    // Both sides were read; the comparison runs now.
    void reconcileStarted();

public:
    const OnPremScan &onPremScan() const { return m_result.onPrem; }
    const CloudScan &cloudScan() const { return m_result.cloud; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct SideState
    {
        QPointer<Job> job;
        bool done = false;
        int error = NoError;
        QString errorString;
        bool stoppedByOther = false;
        JobPartProgress progress;
    };

    void startSide(Side side);
    void watch(Side side, Job *job);
    void onSideFinished(Side side, Job *job);
    void maybeReconcile();
    void publishProgress(Side moved);

    OnPremFactory m_makeOnPrem;
    CloudFactory m_makeCloud;
    AnchorRule m_anchorRule;
    Order m_order = Order::Parallel;
    SideState m_sides[2];
    ScanResult m_result;
    QPointer<Job> m_reconcile;
    bool m_ended = false;
};
