#pragma once

#include <QDialog>

class CheckResultsPanel;
class QLabel;
class WizardContext;

// Check results for an earlier run, reached from the Connect page ("Check an earlier
// run…"): the audit file chosen there, checked with the session signed in on that page.
// Not modal: the Connect page stays usable (to sign in first, for one).
class CheckResultsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CheckResultsDialog(WizardContext *context, QWidget *parent = nullptr);

    // Shows the audit trail and checks it at once.
    void checkAuditFile(const QString &path);
    CheckResultsPanel *panel() const { return m_panel; }

private:
    QLabel *m_file;
    CheckResultsPanel *m_panel;
};
