#include "writebindbox.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>

WriteBindBox::WriteBindBox(QWidget *parent) : QGroupBox(tr("Write to Active Directory as"), parent)
{
    setObjectName(QStringLiteral("writeBind"));
    auto *form = new QFormLayout(this);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    form->addRow(m_note);
    m_bindDn = new QLineEdit(this);
    m_bindDn->setObjectName(QStringLiteral("writeBindDn"));
    m_bindDn->setPlaceholderText(
        QStringLiteral("CN=svc-anchorfix-write,OU=Service,DC=corp,DC=example"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("writeBindPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("Bind &DN or UPN:"), m_bindDn);
    form->addRow(tr("Pass&word:"), m_password);
    connect(m_bindDn, &QLineEdit::textChanged, this, &WriteBindBox::changed);
    connect(m_password, &QLineEdit::textChanged, this, &WriteBindBox::changed);
    connect(m_bindDn, &QLineEdit::textChanged, this, [this](const QString &) {
        m_password->clear(); // a password typed for one account is not another's
    });
    hide();
}

void WriteBindBox::prepare(const OnPremSettings &scan, int onPremChanges)
{
    const QSignalBlocker blockDn(m_bindDn);
    m_bindDn->setText(scan.bindDn);
    m_password->clear();
    m_password->setPlaceholderText(tr("the password you scanned with"));
    setOnPremChanges(scan, onPremChanges);
}

void WriteBindBox::setOnPremChanges(const OnPremSettings &scan, int onPremChanges)
{
    const bool needed = onPremChanges > 0 && scan.source == OnPremSettings::Source::Ldap;
    setVisible(needed);
    if (!needed)
        return;
    m_note->setText(tr("%n change(s) write mS-DS-ConsistencyGuid in Active Directory. The "
                       "account you scanned with writes them; give another one if that account "
                       "may only read (it needs the right to write mS-DS-ConsistencyGuid on "
                       "these users).",
                       nullptr, onPremChanges));
}

OnPremSettings WriteBindBox::writeSettings(const OnPremSettings &scan) const
{
    OnPremSettings s = scan;
    const QString dn = m_bindDn->text().trimmed();
    if (dn == scan.bindDn && m_password->text().isEmpty())
        return s;
    s.bindDn = dn;
    s.password = m_password->text();
    return s;
}

QString WriteBindBox::problem(const OnPremSettings &scan) const
{
    if (isHidden())
        return {};
    const QString dn = m_bindDn->text().trimmed();
    if (dn.isEmpty())
        return tr("Give the account that writes to Active Directory.");
    if (dn != scan.bindDn && m_password->text().isEmpty())
        return tr("Give the password of %1.").arg(dn);
    return {};
}
