#include "CliSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/planning/HairlineGuides.h"
#include "smp/planning/PlanFiles.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QPolygonF>

#include <optional>

namespace smp::cli {

namespace {

// "normal" .. "bald", or "not-scalp" (also "not scalp"): the grades the viewer's brush paints.
analysis::Grade parseGrade(const QString &text)
{
    const QString name = text.trimmed().toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
    for (int g = static_cast<int>(analysis::Grade::NotScalp);
         g <= static_cast<int>(analysis::Grade::Bald); ++g) {
        const auto grade = static_cast<analysis::Grade>(g);
        if (name == QLatin1String(analysis::gradeName(grade)))
            return grade;
    }
    throw UsageError(QStringLiteral("--grade: \"%1\" is not normal, mild, moderate, advanced, "
                                    "bald or not-scalp")
                         .arg(text));
}

// "x,y;x,y;x,y;..." in photo pixels: at least three corners.
QPolygonF parseArea(const QString &text)
{
    QPolygonF polygon;
    for (const QString &corner : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QStringList xy = corner.split(QLatin1Char(','));
        const std::optional<double> x = parseNumber(xy.value(0));
        const std::optional<double> y = parseNumber(xy.value(1));
        if (xy.size() != 2 || !x || !y)
            throw UsageError(QStringLiteral("--area: \"%1\" is not a corner x,y in photo pixels "
                                            "(corners separated by ;)")
                                 .arg(corner));
        polygon << QPointF(*x, *y);
    }
    if (polygon.size() < 3)
        throw UsageError(QStringLiteral("--area: give at least three corners x,y;x,y;x,y"));
    return polygon;
}

} // namespace

int runCorrectCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("correct"),
        QStringLiteral(
            "Corrects the grade map of a photo's latest analysis, as the photo window's lasso "
            "and Take Face Off Map do: the area is graded as given, stored as correction tiles "
            "(the analysis's own map is kept), and the plan and the report use the corrected "
            "map; or takes every correction back. PHOTO is a photo id."),
        arguments,
        {{QStringLiteral("area"),
          QStringLiteral("The area to grade: its corners in photo pixels, \"x,y;x,y;x,y;...\"."),
          QStringLiteral("corners")},
         {QStringLiteral("face"),
          QStringLiteral(
              "Take the face off the map (graded not-scalp): the face points of a front view "
              "as for smp plan --face, {\"glabella_mm\": [x,y], \"left_eye_corner_mm\": [x,y], "
              "\"right_eye_corner_mm\": [x,y], \"chin_mm\": [x,y] (optional)}, in mm on the "
              "calibrated photo."),
          QStringLiteral("file.json")},
         {QStringLiteral("grade"),
          QStringLiteral("With --area: normal, mild, moderate, advanced, bald or not-scalp."),
          QStringLiteral("grade")},
         {QStringLiteral("beyond-outline"),
          QStringLiteral("With --area: grade the part off the analysed scalp too (adds scalp the "
                         "analysis left off the map).")},
         {QStringLiteral("take-back-all"),
          QStringLiteral("Take back every correction: the analysis's own grades on the whole "
                         "map again (stored as correction tiles, as Edit > Take Back All "
                         "Corrections in the photo window).")}},
        {QStringLiteral("PHOTO A photo id.")});
    const storage::RecordId photoId =
        parseId(call.requirePositional(1).constFirst(), QStringLiteral("PHOTO"));
    const bool byArea = call.isSet(QStringLiteral("area"));
    const bool byFace = call.isSet(QStringLiteral("face"));
    const bool takeBackAll = call.isSet(QStringLiteral("take-back-all"));
    if (int(byArea) + int(byFace) + int(takeBackAll) != 1)
        throw UsageError(QStringLiteral("give one of --area (with --grade), --face or "
                                        "--take-back-all"));
    if (takeBackAll &&
        (call.isSet(QStringLiteral("grade")) || call.isSet(QStringLiteral("beyond-outline"))))
        throw UsageError(QStringLiteral("--take-back-all takes no --grade or --beyond-outline"));
    if (byArea && !call.isSet(QStringLiteral("grade")))
        throw UsageError(QStringLiteral("--area needs --grade (the grade to give the area)"));
    if (byFace &&
        (call.isSet(QStringLiteral("grade")) || call.isSet(QStringLiteral("beyond-outline"))))
        throw UsageError(QStringLiteral("--face takes the face off the map: no --grade or "
                                        "--beyond-outline"));

    storage::Database &db = call.database();
    storage::PhotoLibrary library(db);
    const std::optional<storage::Photo> photo = library.find(photoId);
    if (!photo)
        throw storage::StorageError(storage::ErrorKind::NotFound,
                                    QStringLiteral("photo %1 does not exist").arg(photoId));
    storage::AnalysisStore store(db);
    const std::optional<storage::StoredAnalysis> analysis = store.latest(photoId);
    if (!analysis)
        throw storage::StorageError(
            storage::ErrorKind::NotFound,
            QStringLiteral("photo %1 has no analysis to correct: run smp analyze %1 first")
                .arg(photoId));
    // A damaged map (not its stated size) takes no correction: nothing is stored.
    if (const QString damage = clinic::mapSizeDamage(*analysis, *photo); !damage.isEmpty())
        throw storage::StorageError(storage::ErrorKind::InvalidInput, damage);
    const std::optional<storage::Calibration> scale = clinic::scaleInUse(library, photoId);
    const std::optional<double> mmPerPx =
        scale ? std::optional<double>(scale->mmPerPx) : std::nullopt;

    analysis::Grade grade = analysis::Grade::NotScalp;
    QPolygonF polygon;
    bool beyondOutline = true;
    if (byArea) {
        grade = parseGrade(call.value(QStringLiteral("grade")));
        polygon = parseArea(call.value(QStringLiteral("area")));
        beyondOutline = call.isSet(QStringLiteral("beyond-outline"));
    } else if (byFace) {
        const QString file = call.value(QStringLiteral("face"));
        if (!mmPerPx)
            throw UsageError(QStringLiteral("--face: photo %1 has no scale; the face points are "
                                            "in mm (smp calibrate %1 first)")
                                 .arg(photoId));
        try {
            const planning::FaceLandmarks face =
                planning::parseFaceJson(readInputFile(file, QStringLiteral("face")).toStdString());
            const planning::HairlineGuides guides =
                planning::hairlineGuides(face, planning::HairlinePreset::Mature);
            for (const planning::PointMm &p : planning::faceOutline(guides))
                polygon << QPointF(p.x / *mmPerPx, p.y / *mmPerPx);
        } catch (const std::exception &e) {
            throw UsageError(
                QStringLiteral("--face %1: %2").arg(file, QString::fromUtf8(e.what())));
        }
    }

    const QByteArray corrected = store.correctedGrades(*analysis);
    const clinic::GradeChange change =
        takeBackAll
            ? clinic::takeBackCorrections(*analysis, corrected)
            : clinic::gradeMarkedPixels(corrected, analysis->mapWidth, analysis->mapHeight,
                                        clinic::mapPixelsInside(*analysis, polygon, beyondOutline),
                                        grade);
    if (!change.after.empty())
        store.saveCorrections(analysis->id, change.after);
    const QByteArray correctedNow = store.correctedGrades(*analysis);
    const analysis::GradeSummary summary = clinic::summarizeStoredAnalysis(
        *analysis, correctedNow, photo->view, photo->rotationQuarterTurns, mmPerPx);
    const clinic::ScalpCoverage coverage = clinic::scalpCoverage(*analysis, correctedNow);
    // The texture check on the map as corrected, as the photo window says it under the photo:
    // dense hair regraded as loss reads hair to it.
    const double textureShare = clinic::textureCheckShare(*analysis, correctedNow);

    const QString gradeName = takeBackAll ? QStringLiteral("as analysed")
                                          : QString::fromLatin1(analysis::gradeName(grade));
    if (call.json()) {
        QJsonObject norwood{{QLatin1String("level"), summary.norwood.level},
                            {QLatin1String("stage"), QString::fromStdString(summary.norwood.stage)},
                            {QLatin1String("confidence"), summary.norwood.confidence}};
        printJson(QJsonObject{
            {QLatin1String("analysis_id"), static_cast<qint64>(analysis->id)},
            {QLatin1String("grade"), gradeName},
            {QLatin1String("changed_map_pixels"), static_cast<qint64>(change.changedPixels)},
            {QLatin1String("tiles"), static_cast<qint64>(change.after.size())},
            {QLatin1String("norwood_corrected"), norwood},
            // Over the scalp as corrected where it changed (clinic::scalpCoverage), else as
            // analysed; `coverage_retaken` false when the analysis kept no hair share to take it
            // again although something was taken off the scalp.
            {QLatin1String("coverage_percent"), coverage.percent},
            {QLatin1String("coverage_percent_as_analysed"), coverage.asAnalysedPercent},
            {QLatin1String("coverage_retaken"), !coverage.notRetaken},
            // The share of the corrected map's advanced and bald area that looks like hair to
            // the texture check (0 where the check does not apply).
            {QLatin1String("loss_reading_hair_percent"), 100 * textureShare}});
        return 0;
    }
    if (takeBackAll)
        print(change.after.empty()
                  ? QStringLiteral("Nothing to take back: analysis %1 has no corrections.")
                        .arg(analysis->id)
                  : QStringLiteral("Took back the corrections of %1 map pixels on analysis %2: "
                                   "its own grades again (%3 correction tiles).")
                        .arg(change.changedPixels)
                        .arg(analysis->id)
                        .arg(change.after.size()));
    else if (change.after.empty())
        print(QStringLiteral("Nothing to change: the area is %1 on the map already (or off the "
                             "analysed scalp: --beyond-outline).")
                  .arg(gradeName));
    else
        print(QStringLiteral("Graded %1 map pixels %2 on analysis %3 (%4 correction tiles; the "
                             "analysis's own map is kept).")
                  .arg(change.changedPixels)
                  .arg(gradeName)
                  .arg(analysis->id)
                  .arg(change.after.size()));
    if (summary.norwood.level > 0)
        print(QStringLiteral("Norwood %1 (confidence %2) on the corrected map.")
                  .arg(QString::fromStdString(summary.norwood.stage))
                  .arg(summary.norwood.confidence, 0, 'f', 2));
    if (coverage.overCorrectedScalp)
        print(QStringLiteral("Coverage %1% of the scalp as corrected (%2% as analysed).")
                  .arg(coverage.percent, 0, 'f', 1)
                  .arg(coverage.asAnalysedPercent, 0, 'f', 1));
    else if (coverage.notRetaken)
        print(QStringLiteral("Coverage %1% as analysed: analysis %2 was stored before the hair "
                             "share was kept, so the coverage cannot follow what was taken off "
                             "the scalp (smp analyze %3 makes a new one, keeping the corrections).")
                  .arg(coverage.asAnalysedPercent, 0, 'f', 1)
                  .arg(analysis->id)
                  .arg(photoId));
    if (const QString note = clinic::textureCheckNote(textureShare); !note.isEmpty())
        print(note);
    return 0;
}

} // namespace smp::cli
