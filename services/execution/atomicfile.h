#pragma once

#include <QFile>
#include <QString>

// A file replaced all at once, like QSaveFile, with the rules of DurableFile: the data
// goes to a temp file created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW, an unpredictable
// name) in the same folder, so a symlink or file planted at a guessable name is never
// followed or truncated; commit() fsyncs it, gives it the mode of the file it replaces
// (0600 for a new one), renames it over the target (a symlink at the target is replaced,
// not followed) and fsyncs the folder. Destroyed without commit(), it removes the temp
// file and leaves the target as it was.
class AtomicFile
{
public:
    explicit AtomicFile(QString path);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    bool open(QString *error);
    QIODevice *device() { return &m_temp; }
    QString path() const { return m_path; }
    QString tempPath() const { return m_tempPath; }
    bool commit(QString *error);
    void cancel();

private:
    QString m_path;
    QString m_tempPath;
    QFile m_temp;
    int m_mode = 0600;
};
