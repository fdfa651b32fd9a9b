#include "CliSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <thread>

namespace smp::cli {

int runAnalyzeCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("analyze"),
        QStringLiteral(
            "Maps the thinning in a scalp photo: coverage, graded regions, Norwood stage. "
            "PHOTO is a photo id from the database (its view and calibration are used) or "
            "an image file."),
        arguments,
        {{QStringLiteral("mm-per-px"),
          QStringLiteral("Scale of the photo (overrides its calibration, or the calibration "
                         "marker an image file shows)."),
          QStringLiteral("mm")},
         {QStringLiteral("view"), QStringLiteral("front, top, crown, back, left, right or other."),
          QStringLiteral("view")},
         {QStringLiteral("reference-area"),
          QStringLiteral(
              "Grade against the coverage in this rectangle (photo pixels x,y,width,height) "
              "instead of the best-covered part of the scalp; \"none\" for the best-covered "
              "part. A stored photo keeps the reference area and the hair tone of its last "
              "analysis unless these options say otherwise."),
          QStringLiteral("x,y,w,h")},
         {QStringLiteral("hair-tone"),
          QStringLiteral(
              "auto (the analysis tells), darker (hair darker than the skin: dark, brown "
              "or red hair, or grey or blond hair on very light skin) or lighter (grey "
              "or blond hair on darker skin): say it where the analysis read it the "
              "wrong way round. A stored photo of a client recorded with red hair is "
              "read darker unless this says otherwise."),
          QStringLiteral("tone")},
         {QStringLiteral("corrections"),
          QStringLiteral(
              "keep (default) or drop: a stored photo whose last analysis has the technician's "
              "grade corrections gets them laid over the new map (its own map is kept as read), "
              "or starts from the map as analysed."),
          QStringLiteral("keep|drop")},
         {QStringLiteral("overlay"), QStringLiteral("Write the photo with the result drawn on it."),
          QStringLiteral("file.png")},
         {QStringLiteral("masks"),
          QStringLiteral("Write labels.png, grades.png and coverage.png here."),
          QStringLiteral("folder")}},
        {QStringLiteral("PHOTO A photo id or an image file.")});
    const auto args = call.requirePositional(1);
    // The files asked for are checked first: a mistyped folder fails at once, not after the
    // analysis has run and a stored photo's result has been stored (until 2026-12-02).
    if (call.isSet(QStringLiteral("overlay")))
        clinic::checkImageOutputPath(call.value(QStringLiteral("overlay")));
    if (call.isSet(QStringLiteral("masks")))
        clinic::checkMaskFolder(call.value(QStringLiteral("masks")));
    bool keepCorrections = true;
    if (call.isSet(QStringLiteral("corrections"))) {
        const QString given = call.value(QStringLiteral("corrections")).trimmed().toLower();
        if (given != QLatin1String("keep") && given != QLatin1String("drop"))
            throw UsageError(QStringLiteral("--corrections: \"%1\" is not keep or drop")
                                 .arg(call.value(QStringLiteral("corrections"))));
        keepCorrections = given == QLatin1String("keep");
    }
    // The models and the analysis's conversion tables (clinic::prepareAnalysis(), 200-250 ms)
    // are built on a second thread while this one reads the database and decodes the photo;
    // joined when this function returns, however it returns. The analysis waits for them if
    // they are not ready yet.
    std::jthread preparation;
    analysis::Parameters parameters;
    QImage upright;
    bool ok = false;
    const qlonglong id = args[0].toLongLong(&ok);
    const bool stored = ok && id > 0 && !QFileInfo::exists(args[0]);
    if (stored) {
        parameters = clinic::parametersForPhoto(call.database(), id); // a wrong id fails at once
        preparation = std::jthread(&clinic::prepareAnalysis);
        storage::PhotoLibrary library(call.database());
        upright = imaging::loadUprightImage(library.verifiedPath(*library.find(id)));
    } else {
        // A file that is no image fails here, at once; the pixels the check decodes are the
        // ones analysed (decoding a 12 MP JPEG again took a tenth of the command).
        QImage decoded;
        const imaging::ImageInfo info = imaging::probeImage(args[0], {}, &decoded);
        preparation = std::jthread(&clinic::prepareAnalysis);
        upright = info.format == QLatin1String("heif") // decoded with its transformations
                      ? decoded
                      : imaging::applyExifOrientation(decoded, imaging::exifOrientation(args[0]));
    }
    if (call.isSet(QStringLiteral("view"))) {
        parameters.view = clinic::toAnalysisView(parseView(call.value(QStringLiteral("view"))));
    }
    if (call.isSet(QStringLiteral("hair-tone"))) {
        const QString tone = call.value(QStringLiteral("hair-tone"));
        const auto given = analysis::hairToneFromName(tone.trimmed().toLower().toStdString());
        if (!given)
            throw UsageError(
                QStringLiteral("--hair-tone: \"%1\" is not auto, darker or lighter").arg(tone));
        parameters.hairTone = *given;
    }
    if (call.isSet(QStringLiteral("mm-per-px"))) {
        const std::optional<double> mm = parseNumber(call.value(QStringLiteral("mm-per-px")));
        if (!mm || *mm <= 0 || *mm > 10) {
            throw UsageError(
                QStringLiteral("--mm-per-px: \"%1\" is not a scale in millimetres per pixel (a "
                               "number above 0 and at most 10, without unit)")
                    .arg(call.value(QStringLiteral("mm-per-px"))));
        }
        parameters.mmPerPx = *mm;
    }
    // Where the scale comes from: --mm-per-px; a stored photo's calibration in use; else an
    // image file's calibration marker, found as an import finds it (a photo taken with the
    // marker is measured in cm2 whether imported or not); else none (areas in pixels).
    QString scaleSource = call.isSet(QStringLiteral("mm-per-px")) ? QStringLiteral("option")
                          : parameters.mmPerPx                    ? QStringLiteral("calibration")
                                                                  : QStringLiteral("none");
    std::optional<storage::Calibration> markerScale;
    if (!stored && !parameters.mmPerPx) {
        if (const auto marker = clinic::findMarker(upright)) {
            markerScale = clinic::makeMarkerCalibration(0, *marker);
            if (clinic::calibrationDoubt(*markerScale)) { // as an import's: shown, never used
                markerScale.reset();
            } else {
                parameters.mmPerPx = marker->mmPerPx;
                scaleSource = QStringLiteral("marker");
            }
        }
    }
    if (call.isSet(QStringLiteral("reference-area")) &&
        call.value(QStringLiteral("reference-area")).trimmed().toLower() == QLatin1String("none")) {
        parameters.referenceArea.reset();
    } else if (call.isSet(QStringLiteral("reference-area"))) {
        const QStringList parts =
            call.value(QStringLiteral("reference-area")).split(QLatin1Char(','));
        std::array<double, 4> v{};
        bool valid = parts.size() == 4;
        for (int i = 0; valid && i < 4; ++i) {
            const std::optional<double> number = parseNumber(parts[i]);
            valid = number.has_value();
            v[static_cast<std::size_t>(i)] = number.value_or(0);
        }
        if (!valid || v[2] < 1 || v[3] < 1 || v[0] < 0 || v[1] < 0 ||
            v[0] + v[2] > upright.width() || v[1] + v[3] > upright.height()) {
            throw UsageError(
                QStringLiteral("--reference-area: give x,y,width,height in pixels inside the "
                               "%1x%2 photo, or none")
                    .arg(upright.width())
                    .arg(upright.height()));
        }
        parameters.referenceArea = analysis::Parameters::Rect{v[0], v[1], v[2], v[3]};
    }
    const analysis::Result result = [&] {
        try {
            return clinic::analyzeImage(upright, parameters);
        } catch (const std::invalid_argument &error) {
            const QString photo =
                stored ? QStringLiteral("photo %1").arg(id) : QStringLiteral("\"%1\"").arg(args[0]);
            throw std::runtime_error(
                QStringLiteral("%1: %2").arg(photo, QString::fromUtf8(error.what())).toStdString());
        }
    }();
    // A stored photo's analysis is stored with it (algorithm, version, parameters, grade map),
    // and with the corrections of its last analysis laid over it unless told otherwise.
    const clinic::MapCorrections previous =
        stored ? clinic::latestCorrections(call.database(), id) : clinic::MapCorrections();
    // The photo's last analysis, to compare the new one with (as read, without corrections).
    const std::optional<storage::StoredAnalysis> last =
        stored ? storage::AnalysisStore(call.database()).latest(id) : std::nullopt;
    const QJsonObject lastSummary =
        last ? QJsonDocument::fromJson(last->summaryJson.toUtf8()).object() : QJsonObject();
    qsizetype keptPixels = 0;
    const std::vector<storage::GradeTile> kept =
        keepCorrections ? clinic::carryCorrections(previous, result, &keptPixels)
                        : std::vector<storage::GradeTile>();
    const storage::RecordId analysisId =
        stored ? clinic::storeAnalysis(call.database(), id, result, kept) : 0;
    // The coverage on the map the plan uses, where the kept corrections take something off the
    // scalp, and the share of its loss that looks like hair to the texture check (loss the
    // technician graded normal before is not named again).
    std::optional<clinic::ScalpCoverage> keptCoverage;
    std::optional<double> keptTextureShare;
    if (analysisId && !kept.empty()) {
        storage::AnalysisStore analyses(call.database());
        if (const auto fresh = analyses.find(analysisId)) {
            const QByteArray corrected = analyses.correctedGrades(*fresh);
            keptCoverage = clinic::scalpCoverage(*fresh, corrected);
            keptTextureShare = clinic::textureCheckShare(*fresh, corrected);
        }
    }
    if (call.isSet(QStringLiteral("overlay")))
        clinic::writeImageAtomically(clinic::drawAnalysisOverlay(upright, result),
                                     call.value(QStringLiteral("overlay")));
    if (call.isSet(QStringLiteral("masks")))
        clinic::writeAnalysisMasks(result, call.value(QStringLiteral("masks")));
    if (call.json()) {
        QJsonObject object = clinic::analysisJson(result);
        QJsonObject scale{{QLatin1String("source"), scaleSource},
                          {QLatin1String("mm_per_px"),
                           parameters.mmPerPx ? QJsonValue(*parameters.mmPerPx) : QJsonValue()}};
        if (markerScale) {
            const QJsonObject details =
                QJsonDocument::fromJson(markerScale->details.toUtf8()).object();
            scale[QLatin1String("uncertainty_mm_per_px")] = markerScale->uncertaintyMmPerPx;
            scale[QLatin1String("marker_id")] = details.value(QLatin1String("marker_id"));
            scale[QLatin1String("marker_side_mm")] = details.value(QLatin1String("side_mm"));
        }
        object[QLatin1String("scale")] = scale;
        if (analysisId)
            object[QLatin1String("analysis_id")] = static_cast<qint64>(analysisId);
        if (last) {
            object[QLatin1String("previous")] = QJsonObject{
                {QLatin1String("analysis_id"), static_cast<qint64>(last->id)},
                {QLatin1String("version"), last->version},
                {QLatin1String("created_at"), last->createdAt.toString(Qt::ISODate)},
                {QLatin1String("scalp_found"), lastSummary.value(QLatin1String("scalp_found"))},
                {QLatin1String("coverage_percent"),
                 lastSummary.value(QLatin1String("coverage_percent"))},
                {QLatin1String("norwood"), lastSummary.value(QLatin1String("norwood"))}};
        }
        if (!previous.notCarried.isEmpty()) {
            object[QLatin1String("corrections")] = QJsonObject{
                {QLatin1String("from_analysis_id"), static_cast<qint64>(previous.analysisId)},
                {QLatin1String("kept"), false},
                {QLatin1String("not_kept_because"), previous.notCarried}};
        } else if (previous.pixels > 0) {
            // The map above is the analysis's own; these pixels are graded otherwise on the map
            // the planner uses.
            QJsonObject corrections{
                {QLatin1String("from_analysis_id"), static_cast<qint64>(previous.analysisId)},
                {QLatin1String("kept"), keepCorrections},
                {QLatin1String("map_pixels_graded_otherwise"), static_cast<qint64>(keptPixels)}};
            // Where they take something off the scalp (a face, a neck), the whole-scalp coverage
            // over what is left.
            if (keptCoverage && keptCoverage->overCorrectedScalp)
                corrections[QLatin1String("coverage_percent_of_corrected_scalp")] =
                    keptCoverage->percent;
            if (keptTextureShare)
                corrections[QLatin1String("loss_reading_hair_percent")] = 100 * *keptTextureShare;
            object[QLatin1String("corrections")] = corrections;
        }
        printJson(object);
    } else if (!result.scalpFound) {
        print(QStringLiteral("No scalp found (confidence %1): %2")
                  .arg(result.scalpConfidence, 0, 'f', 2)
                  .arg(QString::fromStdString(result.noScalpReason)));
    } else {
        print(QStringLiteral("Coverage %1% of the scalp; Norwood %2 (confidence %3)%4")
                  .arg(result.coveragePercent, 0, 'f', 1)
                  .arg(QString::fromStdString(result.norwood.stage))
                  .arg(result.norwood.confidence, 0, 'f', 2)
                  .arg(result.calibrated ? QString()
                                         : QStringLiteral("; uncalibrated: areas in pixels only")));
        if (markerScale)
            print(QStringLiteral("Scale from the calibration marker in the photo: %1; "
                                 "--mm-per-px overrides it.")
                      .arg(clinic::describeCalibration(markerScale)));
        if (const QString note = clinic::softPhotoNote(result); !note.isEmpty())
            print(note);
        if (const QString note = clinic::hairToneNote(result); !note.isEmpty())
            print(note + QStringLiteral(" (Here: --hair-tone %1.)")
                             .arg(result.hairTone == analysis::HairTone::DarkerThanSkin
                                      ? QStringLiteral("lighter")
                                      : QStringLiteral("darker")));
        if (const QString note = keptTextureShare ? clinic::textureCheckNote(*keptTextureShare)
                                                  : clinic::textureCheckNote(result);
            !note.isEmpty())
            print(note);
        if (const QString note = clinic::faceOnMapNote(parameters.view); !note.isEmpty())
            print(note);
        // What a stored photo kept from its last analysis (or its client's record) is said, so
        // that a different map is not a surprise.
        if (stored && parameters.referenceArea && !call.isSet(QStringLiteral("reference-area")))
            print(QStringLiteral("Graded against the reference area %1,%2,%3,%4 kept from the "
                                 "photo's last analysis (--reference-area none: the best-covered "
                                 "part).")
                      .arg(parameters.referenceArea->x)
                      .arg(parameters.referenceArea->y)
                      .arg(parameters.referenceArea->width)
                      .arg(parameters.referenceArea->height));
        if (stored && parameters.hairTone != analysis::HairTone::Automatic &&
            !call.isSet(QStringLiteral("hair-tone")))
            print(QStringLiteral("Hair read as %1 than the skin, as said for the photo's last "
                                 "analysis or by its client's hair colour (--hair-tone auto: the "
                                 "analysis tells).")
                      .arg(QString::fromLatin1(analysis::hairToneName(parameters.hairTone))));
        if (last && lastSummary.value(QLatin1String("scalp_found")).toBool())
            print(
                QStringLiteral("Before: analysis %1 (version %2, %3): coverage %4%, Norwood %5.")
                    .arg(last->id)
                    .arg(last->version)
                    .arg(QLocale().toString(last->createdAt.toLocalTime(), QLocale::ShortFormat))
                    .arg(lastSummary.value(QLatin1String("coverage_percent")).toDouble(), 0, 'f', 1)
                    .arg(lastSummary.value(QLatin1String("norwood"))
                             .toObject()
                             .value(QLatin1String("stage"))
                             .toString()));
        if (!previous.notCarried.isEmpty())
            print(QStringLiteral("Corrections not kept: %1.").arg(previous.notCarried));
        else if (previous.pixels > 0 && keepCorrections)
            print(QStringLiteral("Kept the corrections made on analysis %1: %2 map pixels graded "
                                 "otherwise than this analysis reads them, on the map the plan "
                                 "uses (--corrections drop: the map as analysed).%3")
                      .arg(previous.analysisId)
                      .arg(keptPixels)
                      .arg(keptCoverage && keptCoverage->overCorrectedScalp
                               ? QStringLiteral(" Coverage %1% of the scalp as corrected.")
                                     .arg(keptCoverage->percent, 0, 'f', 1)
                               : QString()));
        else if (previous.pixels > 0)
            print(QStringLiteral("The corrections made on analysis %1 stay with it; this map is "
                                 "as analysed.")
                      .arg(previous.analysisId));
        for (const auto &region : result.regions) {
            if (region.grade == analysis::Grade::Normal)
                continue;
            print(QStringLiteral("  %1 %2  %3")
                      .arg(QString::fromLatin1(analysis::gradeName(region.grade)), -9)
                      .arg(region.areaCm2 ? QStringLiteral("%1 cm2").arg(*region.areaCm2, 0, 'f', 1)
                                          : QStringLiteral("%1 px").arg(region.areaPx, 0, 'f', 0),
                           -12)
                      .arg(QString::fromStdString(region.location)));
        }
    }
    return 0;
}

} // namespace smp::cli
