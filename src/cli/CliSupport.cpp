#include "CliSupport.h"

#include "smp/clinic/Calibration.h"
#include "smp/clinic/SampleClient.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>
#include <cstdio>

namespace smp::cli {

Invocation::Invocation(const QString &command, const QString &description, QStringList arguments,
                       const QList<QCommandLineOption> &options,
                       const QStringList &positionalSyntax)
    : m_command(command)
    , m_syntax(positionalSyntax)
{
    m_parser.setApplicationDescription(description);
    m_parser.addHelpOption();
    m_parser.addOption(
        {QStringLiteral("database"),
         QStringLiteral("The database file (default: %1).").arg(clinic::defaultDatabasePath()),
         QStringLiteral("path")});
    m_parser.addOption({QStringLiteral("user"),
                        QStringLiteral("Name recorded in the audit trail (default: $SMP_USER or "
                                       "the login name)."),
                        QStringLiteral("name")});
    m_parser.addOption({QStringLiteral("json"), QStringLiteral("Machine-readable JSON output.")});
    m_parser.addOptions(options);
    for (const QString &syntax : positionalSyntax)
        m_parser.addPositionalArgument(syntax.section(QLatin1Char(' '), 0, 0),
                                       syntax.section(QLatin1Char(' '), 1));
    arguments.prepend(QStringLiteral("smp ") + command);
    if (!m_parser.parse(arguments))
        throw UsageError(QStringLiteral("%1: %2").arg(command, m_parser.errorText()));
    if (m_parser.isSet(QStringLiteral("help"))) {
        QString help = m_parser.helpText();
        help.replace(QRegularExpression(QStringLiteral("^Usage: [^ ]+")),
                     QStringLiteral("Usage: smp ") + command);
        std::fputs(help.toUtf8().constData(), stdout);
        std::exit(0);
    }
}

QStringList Invocation::requirePositional(int count) const
{
    const QStringList args = m_parser.positionalArguments();
    if (args.size() < count) {
        throw UsageError(
            QStringLiteral("%1: missing %2 (see smp %1 --help)")
                .arg(m_command, m_syntax.value(args.size()).section(QLatin1Char(' '), 0, 0)));
    }
    if (args.size() > count) {
        throw UsageError(QStringLiteral("%1: unexpected argument \"%2\" (see smp %1 --help)")
                             .arg(m_command, args.at(count)));
    }
    return args;
}

QStringList Invocation::requireAtLeast(int count) const
{
    const QStringList args = m_parser.positionalArguments();
    if (args.size() < count) {
        throw UsageError(
            QStringLiteral("%1: missing %2 (see smp %1 --help)")
                .arg(m_command, m_syntax.value(args.size()).section(QLatin1Char(' '), 0, 0)));
    }
    return args;
}

storage::Database &Invocation::database()
{
    if (!m_database) {
        const QString path = m_parser.isSet(QStringLiteral("database"))
                                 ? m_parser.value(QStringLiteral("database"))
                                 : clinic::defaultDatabasePath();
        m_database = std::make_unique<storage::Database>(path);
        if (m_parser.isSet(QStringLiteral("user")))
            m_database->setActor(m_parser.value(QStringLiteral("user")));
    }
    return *m_database;
}

std::optional<double> parseNumber(const QString &text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

storage::RecordId parseId(const QString &text, const QString &what)
{
    bool ok = false;
    const qlonglong id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        throw UsageError(
            QStringLiteral("%1 \"%2\" is not an id (a positive whole number)").arg(what, text));
    return id;
}

QDate parseDate(const QString &text, const QString &option)
{
    static const QRegularExpression form(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (!form.match(text).hasMatch() || !date.isValid()) {
        throw UsageError(
            QStringLiteral("--%1: \"%2\" is not a date in the form YYYY-MM-DD").arg(option, text));
    }
    return date;
}

storage::PhotoView parseView(const QString &text, const QString &what)
{
    const auto view = storage::photoViewFromString(text);
    if (!view) {
        QStringList names;
        for (storage::PhotoView v : storage::allPhotoViews())
            names << storage::toString(v);
        throw UsageError(QStringLiteral("%1: \"%2\" is not one of %3")
                             .arg(what, text, names.join(QStringLiteral(", "))));
    }
    return *view;
}

int parseSkinType(const QString &text)
{
    const QString upper = text.trimmed().toUpper();
    for (int type = 1; type <= 6; ++type) {
        if (upper == storage::fitzpatrickRoman(type) || upper == QString::number(type))
            return type;
    }
    throw UsageError(
        QStringLiteral("--skin-type: \"%1\" is not a Fitzpatrick skin type (I-VI or 1-6)")
            .arg(text));
}

QJsonObject toJson(const storage::Client &client)
{
    QJsonObject object;
    object[QLatin1String("id")] = static_cast<qint64>(client.id);
    object[QLatin1String("family_name")] = client.familyName;
    object[QLatin1String("given_name")] = client.givenName;
    object[QLatin1String("date_of_birth")] =
        client.dateOfBirth.isValid() ? QJsonValue(client.dateOfBirth.toString(Qt::ISODate))
                                     : QJsonValue();
    object[QLatin1String("sex")] = storage::toString(client.sex);
    object[QLatin1String("phone")] = client.phone;
    object[QLatin1String("email")] = client.email;
    object[QLatin1String("address")] = client.address;
    object[QLatin1String("fitzpatrick")] =
        client.fitzpatrick ? QJsonValue(*client.fitzpatrick) : QJsonValue();
    object[QLatin1String("hair_colour")] = client.hairColour;
    object[QLatin1String("notes")] = client.notes;
    object[QLatin1String("created_at")] = client.createdAt.toString(Qt::ISODateWithMs);
    object[QLatin1String("updated_at")] = client.updatedAt.toString(Qt::ISODateWithMs);
    return object;
}

QJsonObject toJson(const storage::ClientSummary &summary)
{
    QJsonObject object;
    object[QLatin1String("id")] = static_cast<qint64>(summary.id);
    object[QLatin1String("family_name")] = summary.familyName;
    object[QLatin1String("given_name")] = summary.givenName;
    object[QLatin1String("date_of_birth")] =
        summary.dateOfBirth.isValid() ? QJsonValue(summary.dateOfBirth.toString(Qt::ISODate))
                                      : QJsonValue();
    object[QLatin1String("phone")] = summary.phone;
    object[QLatin1String("photo_count")] = summary.photoCount;
    return object;
}

QJsonObject toJson(const storage::Photo &photo, const QString &absolutePath)
{
    QJsonObject object;
    object[QLatin1String("id")] = static_cast<qint64>(photo.id);
    object[QLatin1String("client_id")] = static_cast<qint64>(photo.clientId);
    object[QLatin1String("view")] = storage::toString(photo.view);
    object[QLatin1String("taken_at")] = photo.takenAt.toString(Qt::ISODateWithMs);
    object[QLatin1String("imported_at")] = photo.importedAt.toString(Qt::ISODateWithMs);
    object[QLatin1String("sha256")] = photo.sha256;
    object[QLatin1String("file")] = absolutePath;
    object[QLatin1String("original_name")] = photo.originalName;
    object[QLatin1String("format")] = photo.format;
    object[QLatin1String("width_px")] = photo.widthPx;
    object[QLatin1String("height_px")] = photo.heightPx;
    object[QLatin1String("byte_size")] = static_cast<qint64>(photo.byteSize);
    object[QLatin1String("rotation_degrees")] = photo.rotationQuarterTurns * 90;
    object[QLatin1String("taken_at_source")] =
        photo.takenAtFromExif ? QStringLiteral("exif") : QStringLiteral("file");
    return object;
}

QJsonObject photoJson(storage::PhotoLibrary &library, const storage::Photo &photo)
{
    QJsonObject object = toJson(photo, library.absolutePath(photo));
    object[QLatin1String("thumbnail")] = library.thumbnailPath(photo);
    // "calibrated" says whether sizes are measured; a doubtful scale is shown but not used.
    const auto calibration = library.currentCalibration(photo.id);
    const auto doubt = calibration ? clinic::calibrationDoubt(*calibration) : std::nullopt;
    object[QLatin1String("calibrated")] = calibration.has_value() && !doubt;
    if (calibration) {
        QJsonObject scale;
        scale[QLatin1String("method")] = storage::toString(calibration->method);
        scale[QLatin1String("mm_per_px")] = calibration->mmPerPx;
        scale[QLatin1String("uncertainty_mm_per_px")] = calibration->uncertaintyMmPerPx;
        if (doubt)
            scale[QLatin1String("doubtful")] = *doubt;
        object[QLatin1String("calibration")] = scale;
    }
    return object;
}

QJsonObject toJson(const storage::ScreeningEntry &entry)
{
    QJsonObject object;
    object[QLatin1String("item")] = entry.item;
    object[QLatin1String("answer")] = storage::toString(entry.answer);
    object[QLatin1String("note")] = entry.note;
    object[QLatin1String("answered_on")] = entry.answeredOn.toString(Qt::ISODate);
    object[QLatin1String("answered_by")] = entry.answeredBy;
    return object;
}

QJsonObject toJson(const storage::Consent &consent)
{
    QJsonObject object;
    object[QLatin1String("id")] = static_cast<qint64>(consent.id);
    object[QLatin1String("kind")] = consent.kind;
    object[QLatin1String("text_version")] = consent.textVersion;
    object[QLatin1String("signed_on")] = consent.signedOn.toString(Qt::ISODate);
    object[QLatin1String("signed_by")] = consent.signedBy;
    return object;
}

QByteArray readInputFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw storage::StorageError(
            storage::ErrorKind::NotFound,
            QStringLiteral("%1 \"%2\": %3").arg(what, path, file.errorString()));
    if (file.size() > 512LL * 1024 * 1024)
        throw UsageError(
            QStringLiteral("%1 \"%2\" is larger than 512 MB: not a %1 file").arg(what, path));
    return file.readAll();
}

void print(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
}

void printJson(const QJsonValue &value)
{
    const QJsonDocument document =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    std::fputs(document.toJson(QJsonDocument::Indented).constData(), stdout);
}

} // namespace smp::cli
