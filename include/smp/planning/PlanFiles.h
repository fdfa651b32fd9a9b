#pragma once

// Plan exports as text (no Qt; the caller writes the file atomically): the plan as JSON with a
// schema version, the dot list as CSV, the pigment map as SVG at 1:1 physical scale. Readers
// validate and throw PlanFileError naming the line or field and what is wrong.

#include "smp/planning/HairlineGuides.h"
#include "smp/planning/Plan.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smp::planning {

inline constexpr int kPlanSchemaVersion = 2; // 2: zones (excluded areas, scars)
inline constexpr const char *kDotsCsvHeader =
    "x_mm,y_mm,session,needle,fresh_diameter_mm,healed_diameter_mm,shade";

class PlanFileError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

std::string dotsCsv(const std::vector<Dot> &dots);
std::vector<Dot> parseDotsCsv(std::string_view text);

std::string planJson(const Plan &plan);
// A hairline on its own (the --hairline file of `smp plan`, the stored plan's hairline):
// {"control_points_mm": [[x, y], ...]} and optionally the other Hairline fields by their JSON
// names (transition_mm, macro_amplitude_mm, ...).
std::string hairlineJson(const Hairline &hairline);
Hairline parseHairlineJson(std::string_view text);
Plan parsePlanJson(std::string_view text);
// Excluded areas and scars on their own (the --zones file of `smp plan`):
// {"zones": [{"kind": "exclude"|"scar", "outline_mm": [[x, y], ...],
//             "density_dots_per_cm2": 110, "needle": "1RL"}, ...]} (the last two for scars only).
std::string zonesJson(const std::vector<TreatmentZone> &zones);
// Face points on a front view (the --face file of `smp plan`): {"glabella_mm": [x, y],
// "left_eye_corner_mm": [x, y], "right_eye_corner_mm": [x, y], "chin_mm": [x, y] (optional)}.
FaceLandmarks parseFaceJson(std::string_view text);
std::vector<TreatmentZone> parseZonesJson(std::string_view text);

// The design of a plan being edited, as a photo window's plan panel holds it: written as a draft
// while the technician works (autosave), read back after a crash. Coordinates in mm on the photo.
struct PlanDesign
{
    double densityDotsPerCm2 = 110;
    int sessions = 3;
    std::uint64_t seed = 1;
    Hairline hairline;                // may have 0 or 1 points while it is being drawn
    std::vector<TreatmentZone> zones; // in drawing order
    std::vector<PointMm> facePoints;  // glabella, eye corners, chin, as marked so far
    std::optional<Plan> plan;         // the dots, when made
    std::int64_t basedOnPlanId = 0;   // the stored plan it was edited from (0: none)
};
std::string planDesignJson(const PlanDesign &design);
PlanDesign parsePlanDesignJson(std::string_view text);

// The pigment map: one colour per session, dots at their fresh size, a 10 mm scale bar and a
// legend; width and height in mm so it prints at 1:1. `area` is the part of the photo's plane
// shown (mm).
std::string planSvg(const Plan &plan, RectMm area);

// The colour of a session's dots on maps and previews, as "#rrggbb".
const char *sessionColour(int session);

} // namespace smp::planning
