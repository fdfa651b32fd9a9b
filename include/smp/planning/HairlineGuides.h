#pragma once

// Hairline guides on a calibrated front view (no Qt, no GUI): from face points the technician
// marks, the mid-frontal point, the frontotemporal angles on the outer-eye-corner verticals and
// the temple points (Garg's 8-8-8 construction), and a hairline preset through them.
//
// Units: mm on the photo's plane (x right, y down). The construction is made in the face's own
// frame (horizontal: the line through the outer eye corners; up: perpendicular to it, away from
// the chin), so a tilted head gets a tilted hairline.

#include "smp/planning/Plan.h"

#include <optional>
#include <vector>

namespace smp::planning {

// The points the technician marks on a front view.
struct FaceLandmarks
{
    PointMm glabella;            // between the brows
    PointMm leftEyeCorner;       // outer corner of the eye on the photo's left
    PointMm rightEyeCorner;      // outer corner of the eye on the photo's right
    std::optional<PointMm> chin; // menton; gives the face height for the "third of face" rule
};

enum class HairlinePreset
{
    Juvenile, // low and full: mid-frontal point 65 mm above the glabella, corners as high
    Mature,   // Garg's 8-8-8: 80 mm above the glabella, corners 80 mm above the eye corners
    Receded,  // 95 mm, corners 115 mm (receding past the middle): for advanced loss and a
              // conservative, age-true line
    Female,   // a third of the face height (half the glabella-chin distance; 60 mm without a chin
              // point), rounded corners 10 mm lower than the middle
};
const char *presetName(HairlinePreset preset); // "juvenile", "mature", "receded", "female"
std::optional<HairlinePreset> presetFromName(const std::string &name);

struct HairlineGuides
{
    FaceLandmarks face;
    PointMm midFrontal;            // B in Garg's construction
    PointMm frontotemporal[2];     // C, C' (photo left, right): on the outer-eye-corner verticals
    PointMm temple[2];             // D, D': 5/8 of the way from C down to the eye corner, 10 mm out
    PointMm up;                    // the face's up direction (unit vector)
    double midFrontalHeightMm = 0; // above the glabella
};

// The guides for a preset. Throws std::invalid_argument naming the landmark that is implausible
// (eye corners under 50 mm or over 160 mm apart, the glabella not between and above them, a
// head tilted over 20 degrees, a chin not below the glabella by 70-200 mm).
HairlineGuides hairlineGuides(const FaceLandmarks &face, HairlinePreset preset);

// The face on a front view, for taking it off the scalp map (it reads as bald scalp): a polygon
// in mm on the photo's plane, reaching `reachMm` from the glabella down and to the sides. It
// holds everything below a line 10 mm above the glabella (brows, eyes, nose, chin, and the
// sides of the head level with them) and the forehead between the outer-eye-corner verticals
// up to kFaceForeheadMm above the glabella, below the lowest hairline a preset draws (juvenile
// 65 mm; female a third of the face, so with a chin point up to 10 mm under that instead).
// The temple points and the hairline guides lie above it.
inline constexpr double kFaceForeheadMm = 45;
std::vector<PointMm> faceOutline(const HairlineGuides &guides, double reachMm = 600);

// A hairline through the guides (temple, frontotemporal angle, between, mid-frontal point, and
// the same on the other side), treated above the line as on a front view. Throws
// std::invalid_argument when the head is tilted too far for a line across the photo.
Hairline presetHairline(const HairlineGuides &guides);

} // namespace smp::planning
