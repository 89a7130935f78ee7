#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <optional>

// The source anchor: the 16 bytes of an AD objectGUID (or mS-DS-ConsistencyGuid) as AD
// stores them (= .NET Guid.ToByteArray(): first three groups little-endian). Entra's
// onPremisesImmutableId is their standard base64 with padding.
class ImmutableId
{
public:
    ImmutableId() = default;

    // Returns a null ImmutableId unless bytes has exactly 16 bytes.
    static ImmutableId fromBytes(const QByteArray &bytes);

    // Accepts every form admins meet and nothing else:
    //   GUID string   7754d487-1fc3-4206-9e95-ce012f1586e5 (braces optional)
    //   base64        h9RUd8MfBkKelc4BLxWG5Q==              (exactly 24 characters)
    //   hex octets    87 d4 54 77 …  or  87d45477…          (bytes in stored order)
    //   LDAP filter   \87\d4\54\77…
    // On failure returns nullopt and, if error is given, a message that names the forms.
    static std::optional<ImmutableId> parse(QStringView text, QString *error = nullptr);

    // A one-line list of the accepted forms, for usage and error messages.
    static QString acceptedForms();

    bool isNull() const { return m_bytes.isEmpty(); }
    QByteArray bytes() const { return m_bytes; }

    QString toBase64() const;     // h9RUd8MfBkKelc4BLxWG5Q==
    QString toGuid() const;       // 7754d487-1fc3-4206-9e95-ce012f1586e5
    QString toHex() const;        // 87 d4 54 77 c3 1f 06 42 9e 95 ce 01 2f 15 86 e5
    QString toLdapFilter() const; // \87\d4\54\77\c3\1f\06\42\9e\95\ce\01\2f\15\86\e5

    // The base64 ImmutableId of raw anchor bytes, or an empty string unless 16 bytes.
    static QString base64Of(const QByteArray &bytes);
    // The same text without a heap allocation, to hash and compare 500k anchors.
    class Base64Text
    {
    public:
        QStringView view() const { return QStringView(m_text, m_size); }

    private:
        friend class ImmutableId;
        char16_t m_text[24] = {};
        qsizetype m_size = 0;
    };
    static Base64Text base64TextOf(const QByteArray &bytes);

    friend bool operator==(const ImmutableId &, const ImmutableId &) = default;

private:
    explicit ImmutableId(QByteArray bytes) : m_bytes(std::move(bytes)) {}
    QByteArray m_bytes;
};
