#pragma once

// The treatment plan (no Qt, no GUI): from a corrected grade map and the technician's design to
// every dot with its session, needle, size and shade, and per-session counts and durations.
//
// Units: millimetres on the photo's plane (x right, y down from the photo's top left corner),
// densities in dots/cm2, durations in minutes.

#include "smp/planning/DotSampler.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smp::planning {

inline constexpr const char *kPlanAlgorithm = "smp-dot-plan";
inline constexpr const char *kPlanAlgorithmVersion = "0.1";

enum class Needle
{
    RL1, // single needle: the hairline and detail
    RL3, // three-needle round liner: density and fill
};
const char *needleName(Needle needle); // "1RL", "3RL"

// The designed hairline: a smooth curve through control points, taken left to right across the
// photo. On a top view (forehead up) the treated side is below the line, towards the crown; on a
// front view (face below the line) it is above. Its edge is made irregular (never straight or
// symmetric) and softened over a transition zone.
struct Hairline
{
    std::vector<PointMm> controlPoints;
    bool treatedAbove = false;     // false: below the line (top view); true: above (front view)
    double transitionMm = 8.0;     // density rises from sparse to full over this depth
    double macroAmplitudeMm = 1.2; // slow waves along the line
    double macroWavelengthMm = 16.0;
    double microAmplitudeMm = 0.4; // fine jitter
    double microWavelengthMm = 2.5;
    double isolatedZoneMm = 3.0; // a few isolated dots up to this far in front of the line
    double isolatedShare = 0.04; // their density as a share of the full density
};

// The line's height (y, mm) at x: the centripetal Catmull-Rom curve through the control points
// (sorted by x; flat beyond the ends), without the irregularity.
double hairlineY(const Hairline &hairline, double x);

// An area the technician outlines on the photo (a closed polygon, mm on the photo's plane): left
// out of the treatment, or a scar treated at its own density and needle wherever it lies (scar
// tissue takes pigment less well: finer needle, the density the technician sets).
struct TreatmentZone
{
    enum class Kind
    {
        Exclude,
        Scar,
    };
    Kind kind = Kind::Exclude;
    std::vector<PointMm> outline;   // at least 3 points; closed from the last to the first
    double densityDotsPerCm2 = 110; // a scar's full density (40-200); unused when excluded
    Needle needle = Needle::RL1;    // a scar's needle
};
const char *zoneKindName(TreatmentZone::Kind kind); // "exclude", "scar"

// True when p lies inside the zone's outline (even-odd rule).
bool zoneContains(const TreatmentZone &zone, PointMm p);

struct PlanSettings
{
    double densityDotsPerCm2 = 110; // full density on bald skin (40-200)
    int sessions = 3;               // 2-6
    std::uint64_t seed = 1;
    // Density as a share of the full density, by grade (normal, mild, moderate, advanced, bald):
    // full on bald skin, less where hair remains (dots between the hairs). Normal scalp is
    // treated only behind a designed hairline.
    double gradeShare[5] = {0.30, 0.50, 0.70, 0.90, 1.00};
    double hairlineNeedleZoneMm = 10.0; // 1RL within this depth behind the hairline, 3RL beyond
    double freshDiameterMm[2] = {0.20, 0.25};  // by needle: 1RL, 3RL
    double healedDiameterMm[2] = {0.12, 0.15}; // healed dots look smaller and softer
    // Pigment share of the mix (pigment / (pigment + water)) in the first and last session; the
    // sessions between step evenly. Light first: healed pigment can be darkened, not lightened.
    double firstShade = 0.25;
    double lastShade = 0.45;
    double impressionsPerMinute = 45;
    double breakEveryMinutes = 75;
    double breakMinutes = 10;
    double maxSessionMinutes = 300; // a longer session is split and the user told
};

// The grade map the plan starts from: analysis::Grade values (0 not scalp, 1 normal .. 5 bald),
// corrected by the technician, row-major, with its scale.
struct GradeMap
{
    std::vector<std::uint8_t> grades;
    int width = 0;
    int height = 0;
    double mmPerMapPx = 0; // > 0: a calibrated photo
};

struct Dot
{
    PointMm position;
    int session = 1;
    Needle needle = Needle::RL3;
    double freshDiameterMm = 0;
    double healedDiameterMm = 0;
    double shade = 0; // pigment share of the mix
};

struct SessionSummary
{
    int session = 1;
    int dots = 0;
    int dots1RL = 0;
    int dots3RL = 0;
    double shade = 0;
    double minutes = 0; // needle time plus breaks
    int sittings = 1;   // more than 1 when the session is longer than the maximum
};

struct Plan
{
    PlanSettings settings;
    std::optional<Hairline> hairline;
    std::vector<TreatmentZone> zones; // in drawing order: a later zone wins where they overlap
    double treatedAreaCm2 = 0;
    std::vector<Dot> dots;
    std::vector<SessionSummary> sessions;
    std::vector<std::string> notices; // what the technician should know (split sessions ...)
};

// The target density of a plan: the grade map's shares of the full density, the hairline's zone,
// the excluded areas and scars, over the map's extent in mm. The returned function refers to
// `map`, which must outlive it.
DensityFunction planDensity(const GradeMap &map, const PlanSettings &settings,
                            const std::optional<Hairline> &hairline,
                            const std::vector<TreatmentZone> &zones = {});

// Builds the plan. Throws std::invalid_argument naming the setting or zone that is out of range
// (an uncalibrated map, density outside 40-200, sessions outside 2-6, a zone of under 3 points).
// `progress` reports the share done and may cancel (Cancelled is thrown).
Plan buildPlan(const GradeMap &map, const PlanSettings &settings,
               const std::optional<Hairline> &hairline,
               const std::vector<TreatmentZone> &zones = {}, const SamplerProgress &progress = {});

// The plan after the technician moved hairline control points (zones as in `previous`): only the
// dots near the part of the line that changed are placed again (the rest stay exactly where the
// client saw them). `previous` must have been built from `map` with a hairline of as many control
// points.
Plan replanHairline(const Plan &previous, const GradeMap &map, const Hairline &moved);

// The plan after the technician added, changed or removed excluded areas or scars: only the dots
// within the zones that differ (their bounding boxes) are placed again.
Plan replanZones(const Plan &previous, const GradeMap &map,
                 const std::vector<TreatmentZone> &zones);

// The area (mm) whose dots change when the zones go from `before` to `after`: the bounding box of
// the zones that differ (width 0 when none does).
RectMm zonesChangeArea(const std::vector<TreatmentZone> &before,
                       const std::vector<TreatmentZone> &after);

// The area (mm) whose dots change when the hairline goes from `before` to `after`.
RectMm hairlineChangeArea(const Hairline &before, const Hairline &after,
                          const PlanSettings &settings);

// Fills in needle, sizes and shade of sampled dots and the per-session summaries.
void finishPlan(Plan &plan, const std::vector<SampledDot> &sampled);

} // namespace smp::planning
