#include "aboutdialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>
#include <QWizard>

// Outside any namespace, as Q_INIT_RESOURCE requires (the icon is in anchorfix.qrc).
static void initAboutResources()
{
    Q_INIT_RESOURCE(anchorfix);
}

AboutDialog::AboutDialog(const AboutInfo &info, QWidget *parent) : QDialog(parent)
{
    initAboutResources();
    setWindowTitle(tr("About Anchorfix"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/anchorfix.svg")).pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);

    QString libraries;
    for (const AboutInfo::Library &library : info.libraries) {
        libraries += QStringLiteral("<tr><td>%1</td><td>&nbsp;%2</td><td>&nbsp;%3</td></tr>")
                         .arg(library.name.toHtmlEscaped(), library.version.toHtmlEscaped(),
                              library.licence.toHtmlEscaped());
    }
    auto *text = new QLabel(this);
    text->setObjectName(QStringLiteral("aboutText"));
    text->setTextFormat(Qt::RichText);
    text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    text->setOpenExternalLinks(true);
    text->setText(tr("<h2>Anchorfix %1</h2>"
                     "<p>Finds and repairs broken source anchors (ImmutableId) between Active "
                     "Directory and Entra ID.</p>"
                     "<p>Released under the %2 licence.<br><a href=\"%3\">%3</a></p>"
                     "<p>Built with:</p><table>%4</table>")
                      .arg(info.version.toHtmlEscaped(), info.licence.toHtmlEscaped(),
                           info.homepage.toHtmlEscaped(), libraries));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *row = new QHBoxLayout;
    row->addWidget(icon);
    row->addWidget(text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(buttons);
}

void AboutDialog::addTo(QWizard *wizard, const AboutInfo &info)
{
    wizard->setOption(QWizard::HaveHelpButton, true);
    wizard->setButtonText(QWizard::HelpButton, tr("About"));
    connect(wizard, &QWizard::helpRequested, wizard, [wizard, info] {
        // One box at a time; open(), not exec(): no nested event loop in ui/.
        auto *dialog = wizard->findChild<AboutDialog *>();
        if (!dialog) {
            dialog = new AboutDialog(info, wizard);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
        }
        dialog->open();
        dialog->raise();
    });
}
