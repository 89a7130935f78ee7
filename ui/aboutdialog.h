#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QWizard;

// What the About box shows. app/ fills it in: the version and licence from the build
// (anchorfixversion.h), the libraries' versions at run time where they have a call for it.
struct AboutInfo
{
    struct Library
    {
        QString name;
        QString version;
        QString licence;
    };
    QString version;
    QString licence;
    QString homepage;
    QList<Library> libraries;
};

// Anchorfix's version, licence and the libraries it uses, with their versions.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const AboutInfo &info, QWidget *parent = nullptr);

    // Gives the wizard an "About" button (QWizard's help button) that opens this box.
    static void addTo(QWizard *wizard, const AboutInfo &info);
};
