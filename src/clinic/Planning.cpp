#include "smp/clinic/Planning.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"

#include "smp/planning/PlanFiles.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/SettingsStore.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPolygonF>
#include <QRadialGradient>
#include <QSaveFile>
#include <QStorageInfo>

#include <algorithm>
#include <cmath>

namespace smp::clinic {

using storage::ErrorKind;
using storage::RecordId;
using storage::StorageError;

PlanningInput planningInputForAnalysis(storage::Database &db, RecordId analysisId)
{
    storage::AnalysisStore analyses(db);
    const auto analysis = analyses.find(analysisId);
    if (!analysis)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("analysis %1 does not exist").arg(analysisId));
    storage::PhotoLibrary library(db);
    const auto photo = library.find(analysis->photoId);
    // A map not of its stated size would be sampled past its end.
    if (const QString damage = photo ? mapSizeDamage(*analysis, *photo) : QString();
        !damage.isEmpty())
        throw StorageError(ErrorKind::InvalidInput, damage);
    PlanningInput input;
    input.photoId = analysis->photoId;
    input.analysisId = analysisId;
    input.photoPxPerMapPx = analysis->photoPxPerMapPx;
    const QByteArray grades = analyses.correctedGrades(*analysis);
    input.map.width = analysis->mapWidth;
    input.map.height = analysis->mapHeight;
    input.map.grades.assign(grades.begin(), grades.end());
    if (const auto calibration = scaleInUse(library, analysis->photoId)) {
        input.mmPerPhotoPx = calibration->mmPerPx;
        input.map.mmPerMapPx = calibration->mmPerPx * analysis->photoPxPerMapPx;
    }
    if (photo) {
        input.clientId = photo->clientId;
        if (const auto client = storage::ClientStore(db).find(photo->clientId)) {
            input.skinType = client->fitzpatrick.value_or(0);
            input.hairColour = client->hairColour;
        }
    }
    return input;
}

RecordId latestAnalysisOfClient(storage::Database &db, RecordId clientId)
{
    auto query = db.prepare(
        "SELECT a.id FROM photo_analyses a JOIN photos p ON p.id = a.photo_id "
        "WHERE p.client_id = ?1 ORDER BY (p.view = 'top') DESC, p.taken_at DESC, a.id DESC "
        "LIMIT 1");
    query.bind(1, clientId);
    if (!query.step())
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("client %1 has no analysed photo: analyse a photo first "
                                          "(smp analyze PHOTO)")
                               .arg(clientId));
    return query.int64(0);
}

QJsonObject planSummaryJson(const planning::Plan &plan)
{
    QJsonArray sessions;
    for (const planning::SessionSummary &s : plan.sessions)
        sessions.append(QJsonObject{{QStringLiteral("session"), s.session},
                                    {QStringLiteral("dots"), s.dots},
                                    {QStringLiteral("dots_1rl"), s.dots1RL},
                                    {QStringLiteral("dots_3rl"), s.dots3RL},
                                    {QStringLiteral("shade"), s.shade},
                                    {QStringLiteral("minutes"), s.minutes},
                                    {QStringLiteral("sittings"), s.sittings}});
    QJsonArray notices;
    for (const std::string &n : plan.notices)
        notices.append(QString::fromStdString(n));
    return {{QStringLiteral("treated_area_cm2"), plan.treatedAreaCm2},
            {QStringLiteral("dots"), static_cast<qint64>(plan.dots.size())},
            {QStringLiteral("sessions"), sessions},
            {QStringLiteral("notices"), notices}};
}

RecordId storePlan(storage::Database &db, const PlanningInput &input, const planning::Plan &plan)
{
    const QByteArray json = QByteArray::fromStdString(planning::planJson(plan));
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    storage::StoredPlan stored;
    stored.photoId = input.photoId;
    if (input.analysisId)
        stored.analysisId = input.analysisId;
    stored.algorithm = QString::fromLatin1(planning::kPlanAlgorithm);
    stored.version = QString::fromLatin1(planning::kPlanAlgorithmVersion);
    stored.seed = QString::number(plan.settings.seed);
    stored.settingsJson =
        QString::fromUtf8(QJsonDocument(object.value(QLatin1String("settings")).toObject())
                              .toJson(QJsonDocument::Compact));
    if (plan.hairline)
        stored.hairlineJson = QString::fromStdString(planning::hairlineJson(*plan.hairline));
    stored.summaryJson =
        QString::fromUtf8(QJsonDocument(planSummaryJson(plan)).toJson(QJsonDocument::Compact));
    stored.planJson = json;
    return storage::PlanStore(db).add(stored);
}

planning::Plan loadPlan(const storage::StoredPlan &stored)
{
    try {
        return planning::parsePlanJson(stored.planJson.toStdString());
    } catch (const planning::PlanFileError &e) {
        throw StorageError(ErrorKind::Damaged, QStringLiteral("plan %1 cannot be read: %2")
                                                   .arg(stored.id)
                                                   .arg(QString::fromUtf8(e.what())));
    }
}

PlanningTables planningTables(storage::Database &db)
{
    PlanningTables tables;
    storage::SettingsStore settings(db);
    const auto read = [&](const char *key, auto parse) {
        const auto text = settings.value(QString::fromLatin1(key));
        if (!text)
            return;
        try {
            parse(text->toStdString());
        } catch (const planning::PlanFileError &e) {
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("setting %1 cannot be read: %2 (set it again)")
                                   .arg(QString::fromLatin1(key), QString::fromUtf8(e.what())));
        }
    };
    read(kDilutionTableKey, [&](const std::string &text) {
        tables.dilution = planning::parseDilutionTableJson(text);
    });
    read(kPriceListKey,
         [&](const std::string &text) { tables.prices = planning::parsePriceListJson(text); });
    if (const auto text = settings.value(QString::fromLatin1(kPlanDefaultsKey))) {
        try {
            tables.defaults = parsePlanDefaultsJson(text->toUtf8());
        } catch (const StorageError &e) {
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("setting %1 cannot be read: %2 (set it again)")
                                   .arg(QString::fromLatin1(kPlanDefaultsKey), e.message()));
        }
    }
    return tables;
}

QByteArray planDefaultsJson(const PlanDefaults &defaults)
{
    return QJsonDocument(
               QJsonObject{
                   {QStringLiteral("density_dots_per_cm2"), defaults.densityDotsPerCm2},
                   {QStringLiteral("sessions"), defaults.sessions},
                   {QStringLiteral("impressions_per_minute"), defaults.impressionsPerMinute}})
        .toJson();
}

PlanDefaults parsePlanDefaultsJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (!document.isObject())
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("plan defaults: not a JSON object (%1)")
                               .arg(error.error == QJsonParseError::NoError
                                        ? QStringLiteral("a list or value")
                                        : error.errorString()));
    const QJsonObject object = document.object();
    const auto number = [&object](const char *name, double low, double high, double fallback) {
        const QString key = QString::fromLatin1(name);
        if (!object.contains(key))
            return fallback;
        const QJsonValue value = object.value(key);
        if (!value.isDouble() || !(value.toDouble() >= low && value.toDouble() <= high))
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("plan defaults: field '%1' must be a number from "
                                              "%2 to %3")
                                   .arg(key)
                                   .arg(low)
                                   .arg(high));
        return value.toDouble();
    };
    const PlanDefaults builtIn;
    PlanDefaults d;
    d.densityDotsPerCm2 = number("density_dots_per_cm2", 40, 200, builtIn.densityDotsPerCm2);
    const double sessions = number("sessions", 2, 6, builtIn.sessions);
    if (sessions != std::floor(sessions))
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("plan defaults: field 'sessions' must be a whole "
                                          "number from 2 to 6"));
    d.sessions = static_cast<int>(sessions);
    d.impressionsPerMinute =
        number("impressions_per_minute", 10, 300, builtIn.impressionsPerMinute);
    for (const QString &key : object.keys())
        if (key != QLatin1String("density_dots_per_cm2") && key != QLatin1String("sessions") &&
            key != QLatin1String("impressions_per_minute"))
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("plan defaults: unknown field '%1' (density_dots_"
                                              "per_cm2, sessions, impressions_per_minute)")
                                   .arg(key));
    return d;
}

void setPlanDefaults(storage::Database &db, const QByteArray &json)
{
    const PlanDefaults defaults = parsePlanDefaultsJson(json);
    storage::SettingsStore(db).setValue(QString::fromLatin1(kPlanDefaultsKey),
                                        QString::fromUtf8(planDefaultsJson(defaults)));
}

namespace {

template <typename Parse, typename Write>
void setTable(storage::Database &db, const char *key, const QByteArray &json, Parse parse,
              Write write)
{
    try {
        // Stored as the program writes it, so what is stored always reads back.
        const std::string normalised = write(parse(json.toStdString()));
        storage::SettingsStore(db).setValue(QString::fromLatin1(key),
                                            QString::fromStdString(normalised));
    } catch (const planning::PlanFileError &e) {
        throw StorageError(ErrorKind::InvalidInput, QString::fromUtf8(e.what()));
    }
}

} // namespace

void setDilutionTable(storage::Database &db, const QByteArray &json)
{
    setTable(db, kDilutionTableKey, json, planning::parseDilutionTableJson,
             planning::dilutionTableJson);
}

void setPriceList(storage::Database &db, const QByteArray &json)
{
    setTable(db, kPriceListKey, json, planning::parsePriceListJson, planning::priceListJson);
}

planning::PlanSettings planSettingsFor(const PlanningInput &input, const PlanningTables &tables)
{
    planning::PlanSettings settings;
    settings.densityDotsPerCm2 = tables.defaults.densityDotsPerCm2;
    settings.sessions = tables.defaults.sessions;
    settings.impressionsPerMinute = tables.defaults.impressionsPerMinute;
    const planning::DilutionRow &row =
        planning::dilutionFor(tables.dilution, input.skinType, input.hairColour.toStdString());
    settings.firstShade = row.firstShare;
    settings.lastShade = row.lastShare;
    return settings;
}

QJsonObject recipesAndQuoteJson(const planning::Plan &plan, const PlanningTables &tables)
{
    QJsonArray recipes;
    for (const planning::SessionSummary &s : plan.sessions)
        recipes.append(
            QJsonObject{{QStringLiteral("session"), s.session},
                        {QStringLiteral("pigment_share"), s.shade},
                        {QStringLiteral("water_ml_per_pigment_ml"),
                         std::round(planning::waterMlPerPigmentMl(s.shade) * 100) / 100}});
    const planning::Quote quote =
        planning::quoteFor(tables.prices, plan.treatedAreaCm2, plan.settings.sessions);
    return {{QStringLiteral("dilution"), recipes},
            {QStringLiteral("quote"),
             QJsonObject{{QStringLiteral("basis"), QString::fromStdString(quote.basis)},
                         {QStringLiteral("total"), quote.total},
                         {QStringLiteral("touch_up"), quote.touchUp},
                         {QStringLiteral("currency"), QString::fromStdString(quote.currency)}}}};
}

void writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw StorageError(ErrorKind::Io,
                           QStringLiteral("cannot write \"%1\": %2").arg(path, file.errorString()));
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        const QStorageInfo volume(QFileInfo(path).absolutePath());
        const bool full = volume.isValid() && volume.bytesAvailable() < bytes.size() + 4096;
        throw StorageError(
            full ? ErrorKind::DiskFull : ErrorKind::Io,
            full ? QStringLiteral("cannot write \"%1\": the disk is full").arg(path)
                 : QStringLiteral("cannot write \"%1\": %2").arg(path, file.errorString()));
    }
}

QImage renderPigmentMap(const planning::Plan &plan, planning::RectMm area, double pxPerMm,
                        double minDotDiameterMm)
{
    const double legendMm = 14;
    const int width = std::max(1, static_cast<int>(std::lround(area.width * pxPerMm)));
    const int height =
        std::max(1, static_cast<int>(std::lround((area.height + legendMm) * pxPerMm)));
    if (static_cast<double>(width) * height > 400e6)
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("the pigment map would be %1 x %2 pixels: choose a "
                                          "lower resolution or a smaller area")
                               .arg(width)
                               .arg(height));
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::white);
    // The PNG carries its scale: pixels per metre, so it prints at 1:1.
    const int perMetre = static_cast<int>(std::lround(pxPerMm * 1000));
    image.setDotsPerMeterX(perMetre);
    image.setDotsPerMeterY(perMetre);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(pxPerMm, pxPerMm);
    painter.translate(-area.x, -area.y);
    painter.setPen(Qt::NoPen);
    for (const planning::Dot &d : plan.dots) {
        if (!area.contains(d.position))
            continue;
        painter.setBrush(QColor(QString::fromLatin1(planning::sessionColour(d.session))));
        const double r = std::max({d.freshDiameterMm / 2, 0.6 / pxPerMm, minDotDiameterMm / 2});
        painter.drawEllipse(QPointF(d.position.x, d.position.y), r, r);
    }
    // The outlined areas, as on the SVG: left out grey and dashed, scars magenta.
    painter.setBrush(Qt::NoBrush);
    for (const planning::TreatmentZone &zone : plan.zones) {
        const bool scar = zone.kind == planning::TreatmentZone::Kind::Scar;
        QPen pen(scar ? QColor(0xe6, 0x00, 0xa0) : QColor(0x66, 0x66, 0x66), 0.3,
                 scar ? Qt::SolidLine : Qt::DashLine);
        painter.setPen(pen);
        QPolygonF outline;
        for (const planning::PointMm &p : zone.outline)
            outline << QPointF(p.x, p.y);
        painter.drawPolygon(outline);
    }
    painter.setPen(Qt::NoPen);
    // Scale bar and legend, in mm below the map.
    const double barY = area.y + area.height + 4;
    painter.setBrush(Qt::black);
    painter.drawRect(QRectF(area.x + 4, barY, 10, 1.2));
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(3); // painter units are mm here: 3 mm high text
    painter.setFont(font);
    painter.setPen(Qt::black);
    painter.drawText(QPointF(area.x + 4, barY + 5.5), QStringLiteral("10 mm"));
    double x = area.x + 24;
    for (const planning::SessionSummary &s : plan.sessions) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(QString::fromLatin1(planning::sessionColour(s.session))));
        painter.drawEllipse(QPointF(x, barY + 0.6), 1.2, 1.2);
        painter.setPen(Qt::black);
        painter.drawText(QPointF(x + 2, barY + 1.6),
                         QStringLiteral("session %1: %2 dots").arg(s.session).arg(s.dots));
        x += 48;
    }
    return image;
}

QImage renderHealedPreview(const QImage &upright, const planning::Plan &plan, double mmPerPx,
                           int throughSession)
{
    QImage out = upright.convertToFormat(QImage::Format_RGB32);
    if (!(mmPerPx > 0))
        return out;
    const double pxPerMm = 1.0 / mmPerPx;
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setCompositionMode(QPainter::CompositionMode_Multiply);
    painter.setPen(Qt::NoPen);
    // Healed carbon pigment under the skin: a cool, slightly blue-grey black.
    const QColor ink(38, 40, 48);
    for (const planning::Dot &d : plan.dots) {
        if (d.session > throughSession)
            continue;
        // Healed pigment reads larger and softer than the dot: a core of the healed diameter
        // and a halo three times as wide at a quarter of the strength (pigment seen through the
        // skin), together about three times the core's darkness. Drawn as one soft disc whose
        // darkness adds up to that, however few pixels the dot covers.
        const double radiusPx = d.healedDiameterMm / 2 * pxPerMm;
        const double drawn = std::max(radiusPx * 3, 1.0);
        const double darkness = std::clamp(0.55 + 0.6 * d.shade, 0.0, 0.95);
        constexpr double kGradientShare = 0.45; // the soft disc's mean darkness over its area
        const double strength =
            std::min(0.95, darkness * 3 * radiusPx * radiusPx / (kGradientShare * drawn * drawn));
        QRadialGradient gradient(QPointF(d.position.x * pxPerMm, d.position.y * pxPerMm), drawn);
        const auto shaded = [&](double amount) {
            // Multiply: white leaves the skin as is, ink darkens it.
            const double k = amount * strength;
            return QColor(static_cast<int>(255 - (255 - ink.red()) * k),
                          static_cast<int>(255 - (255 - ink.green()) * k),
                          static_cast<int>(255 - (255 - ink.blue()) * k));
        };
        gradient.setColorAt(0.0, shaded(1.0));
        gradient.setColorAt(0.35, shaded(0.75));
        gradient.setColorAt(1.0, QColor(255, 255, 255));
        painter.setBrush(gradient);
        painter.drawEllipse(QPointF(d.position.x * pxPerMm, d.position.y * pxPerMm), drawn, drawn);
    }
    return out;
}

QImage sideBySide(const QImage &before, const QImage &after, const QString &beforeCaption,
                  const QString &afterCaption)
{
    const int caption = std::max(24, before.height() / 20);
    QImage out(before.width() + after.width() + 8,
               std::max(before.height(), after.height()) + caption, QImage::Format_RGB32);
    out.fill(QColor(250, 250, 250));
    QPainter painter(&out);
    painter.drawImage(0, caption, before);
    painter.drawImage(before.width() + 8, caption, after);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(caption * 6 / 10);
    painter.setFont(font);
    painter.setPen(QColor(30, 30, 30));
    painter.drawText(QRect(0, 0, before.width(), caption), Qt::AlignCenter, beforeCaption);
    painter.drawText(QRect(before.width() + 8, 0, after.width(), caption), Qt::AlignCenter,
                     afterCaption);
    return out;
}

planning::RectMm planExtent(const planning::Plan &plan, double marginMm)
{
    if (plan.dots.empty())
        return {0, 0, 2 * marginMm, 2 * marginMm};
    double minX = plan.dots[0].position.x, maxX = minX, minY = plan.dots[0].position.y, maxY = minY;
    for (const planning::Dot &d : plan.dots) {
        minX = std::min(minX, d.position.x);
        maxX = std::max(maxX, d.position.x);
        minY = std::min(minY, d.position.y);
        maxY = std::max(maxY, d.position.y);
    }
    return {minX - marginMm, minY - marginMm, maxX - minX + 2 * marginMm,
            maxY - minY + 2 * marginMm};
}

} // namespace smp::clinic
