#pragma once

// The bridge between the clinic's records (photos, analyses, plans in SQLite; images in Qt) and
// smp::planning (no Qt). Millimetres on the photo's plane: x right, y down from the upright
// photo's top left corner, mm = photo px x the photo's mm per px.

#include "smp/planning/Plan.h"
#include "smp/planning/Pricing.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/Records.h"

#include <QImage>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

// What a plan starts from: the corrected grade map of an analysis with its photo's scale.
struct PlanningInput
{
    storage::RecordId photoId = 0;
    storage::RecordId analysisId = 0;
    planning::GradeMap map; // mmPerMapPx is 0 when the photo is not calibrated
    double mmPerPhotoPx = 0;
    double photoPxPerMapPx = 1;
    storage::RecordId clientId = 0;
    int skinType = 0; // Fitzpatrick 1-6, 0 when not assessed
    QString hairColour;
};

// The clinic's starting values for a new plan (the technician changes them per plan).
struct PlanDefaults
{
    double densityDotsPerCm2 = 110;   // full density on bald skin, 40-200
    int sessions = 3;                 // 2-6
    double impressionsPerMinute = 45; // the clinic's pace: session hours follow from it, 10-300
};

// The clinic's dilution table, price list and plan defaults (settings), or the built-in ones.
struct PlanningTables
{
    planning::DilutionTable dilution = planning::defaultDilutionTable();
    planning::PriceList prices;
    PlanDefaults defaults;
};
inline constexpr const char *kDilutionTableKey = "planning.dilution_table";
inline constexpr const char *kPriceListKey = "planning.price_list";
inline constexpr const char *kPlanDefaultsKey = "planning.defaults";

// {"density_dots_per_cm2": 110, "sessions": 3, "impressions_per_minute": 45}
QByteArray planDefaultsJson(const PlanDefaults &defaults);
// Throws StorageError (InvalidInput) naming the field that is missing or out of range.
PlanDefaults parsePlanDefaultsJson(const QByteArray &json);
void setPlanDefaults(storage::Database &db, const QByteArray &json);

// Throws StorageError (Damaged) naming the setting when a stored table cannot be read.
PlanningTables planningTables(storage::Database &db);
// Validate and store a table given as JSON; StorageError (InvalidInput) names the field.
void setDilutionTable(storage::Database &db, const QByteArray &json);
void setPriceList(storage::Database &db, const QByteArray &json);

// The default settings for this client: the clinic's density, sessions and pace, and the shades
// of the first and last session from the dilution table's row for the client's skin type and
// hair colour.
planning::PlanSettings planSettingsFor(const PlanningInput &input, const PlanningTables &tables);

// The plan's summary as stored with it and printed by `smp plan --json`: treated area (cm2), dot
// count, per session its dots (all, 1RL, 3RL), shade, minutes and sittings, and the notices.
QJsonObject planSummaryJson(const planning::Plan &plan);

// Per session, the mix as ml of distilled water to 1 ml of pigment, and the quote.
QJsonObject recipesAndQuoteJson(const planning::Plan &plan, const PlanningTables &tables);

// The analysis's corrected map and the photo's current calibration. Throws StorageError
// (NotFound) naming the analysis.
PlanningInput planningInputForAnalysis(storage::Database &db, storage::RecordId analysisId);

// The latest analysis of the client's most recent photo that has one (preferring a top view).
// Throws StorageError (NotFound) saying what is missing.
storage::RecordId latestAnalysisOfClient(storage::Database &db, storage::RecordId clientId);

// Stores a plan (its JSON, settings, hairline, summary) and returns its id.
storage::RecordId storePlan(storage::Database &db, const PlanningInput &input,
                            const planning::Plan &plan);
planning::Plan loadPlan(const storage::StoredPlan &stored);

// Writes text through a temporary file and a rename (QSaveFile): the old file stays whole if
// anything fails. Throws StorageError (Io, DiskFull) naming the file.
void writeFileAtomically(const QString &path, const QByteArray &bytes);

// The pigment map as an image at 1:1 physical scale (`pxPerMm`, stored in the PNG's resolution
// so it prints at size): white, one colour per session, dots at their fresh size, a 10 mm scale
// bar and a legend. `area` in mm. `minDotDiameterMm` draws small dots larger (a report printed
// smaller than life), never the map a technician works from.
QImage renderPigmentMap(const planning::Plan &plan, planning::RectMm area, double pxPerMm = 20,
                        double minDotDiameterMm = 0);

// The client's photo with the healed dots of sessions 1..throughSession drawn on it: healed
// size, the session's shade, soft edges, multiplied into the skin as healed pigment looks.
QImage renderHealedPreview(const QImage &upright, const planning::Plan &plan, double mmPerPx,
                           int throughSession);

// The preview beside the photo (photo left, preview right), with captions.
QImage sideBySide(const QImage &before, const QImage &after, const QString &beforeCaption,
                  const QString &afterCaption);

// The bounding box (mm) of the plan's dots, grown by `marginMm`.
planning::RectMm planExtent(const planning::Plan &plan, double marginMm = 5);

} // namespace smp::clinic
