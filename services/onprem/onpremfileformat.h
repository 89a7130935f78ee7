#pragma once

#include <QByteArray>
#include <QString>
#include <QStringConverter>

// Tells an LDIF export from a Get-ADUser CSV by its content (the extension only breaks a
// tie), and finds its text encoding: a UTF-8 or UTF-16 byte order mark, or UTF-16 LE
// without one (NUL every other byte), else UTF-8.
struct OnPremFileFormat
{
    enum class Kind { Unknown, Ldif, Csv };

    Kind kind = Kind::Unknown;
    QStringConverter::Encoding encoding = QStringConverter::Utf8;

    // head: the first few KB of the file.
    static OnPremFileFormat detect(const QByteArray &head, const QString &fileName = {});
    static QString kindName(Kind kind); // "LDIF", "CSV", "unknown"
};
