#include "commands.h"
#include "immutableid.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

int Commands::convert(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("convert", "Prints one source anchor in every form: GUID, "
                                               "base64 ImmutableId, hex octets and LDAP filter."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("VALUE"), ImmutableId::acceptedForms());
    const QCommandLineOption json(QStringLiteral("json"),
                                  QCoreApplication::translate("convert", "Print JSON."));
    parser.addOption(json);
    parser.process(QStringList{QStringLiteral("anchorfix convert")} + args);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList values = parser.positionalArguments();
    if (values.size() != 1) {
        err << QCoreApplication::translate("convert",
                                           "anchorfix convert takes exactly one VALUE: %1.")
                   .arg(ImmutableId::acceptedForms())
            << "\n";
        return Usage;
    }
    QString error;
    const auto id = ImmutableId::parse(values.first(), &error);
    if (!id) {
        err << "anchorfix convert: " << error << "\n";
        return Usage;
    }
    if (parser.isSet(json)) {
        const QJsonObject object{{QStringLiteral("guid"), id->toGuid()},
                                 {QStringLiteral("immutableId"), id->toBase64()},
                                 {QStringLiteral("hex"), id->toHex()},
                                 {QStringLiteral("ldapFilter"), id->toLdapFilter()}};
        out << QJsonDocument(object).toJson(QJsonDocument::Indented);
        return Done;
    }
    out << "GUID:         " << id->toGuid() << "\n"
        << "ImmutableId:  " << id->toBase64() << "\n"
        << "Hex:          " << id->toHex() << "\n"
        << "LDAP filter:  " << id->toLdapFilter() << "\n";
    return Done;
}
