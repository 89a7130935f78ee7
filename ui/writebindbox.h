#pragma once

#include "connectionsettings.h"

#include <QGroupBox>

class QLabel;
class QLineEdit;

// The Execute confirm step's "Write to Active Directory as": the account that writes
// mS-DS-ConsistencyGuid when the plan has on-prem changes. The scan may run on a
// read-only account; the write bind is asked for only here, like User.ReadWrite.All for
// cloud writes. Left as it is, the scan's account writes.
class WriteBindBox : public QGroupBox
{
    Q_OBJECT
public:
    explicit WriteBindBox(QWidget *parent = nullptr);

    // Shows the box for onPremChanges > 0 on a directory (not an export file), with the
    // scan's account filled in.
    void prepare(const OnPremSettings &scan, int onPremChanges);
    // The count changed (the approval gate decided), what was typed stays.
    void setOnPremChanges(const OnPremSettings &scan, int onPremChanges);
    // The scan's settings with the account that writes: the scan's own when the DN is
    // unchanged and no password was typed.
    OnPremSettings writeSettings(const OnPremSettings &scan) const;
    // Empty when usable, else what to fill in.
    QString problem(const OnPremSettings &scan) const;

Q_SIGNALS:
    void changed();

private:
    QLabel *m_note;
    QLineEdit *m_bindDn;
    QLineEdit *m_password;
};
