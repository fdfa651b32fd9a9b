#include "smp/planning/HairlineGuides.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace smp::planning {

namespace {

std::string mm(double value)
{
    return std::to_string(static_cast<long>(std::lround(value))) + " mm";
}

struct PresetGeometry
{
    double midFrontalAboveGlabellaMm;
    double cornerAboveEyeCornerMm; // < 0: relative to the mid-frontal point's height instead
};

PresetGeometry geometry(HairlinePreset preset)
{
    switch (preset) {
    case HairlinePreset::Juvenile:
        return {65, 65};
    case HairlinePreset::Mature:
        return {80, 80};
    case HairlinePreset::Receded:
        return {95, 115};
    case HairlinePreset::Female:
        return {60, -10};
    }
    return {80, 80};
}

} // namespace

const char *presetName(HairlinePreset preset)
{
    switch (preset) {
    case HairlinePreset::Juvenile:
        return "juvenile";
    case HairlinePreset::Mature:
        return "mature";
    case HairlinePreset::Receded:
        return "receded";
    case HairlinePreset::Female:
        return "female";
    }
    return "mature";
}

std::optional<HairlinePreset> presetFromName(const std::string &name)
{
    for (const HairlinePreset p : {HairlinePreset::Juvenile, HairlinePreset::Mature,
                                   HairlinePreset::Receded, HairlinePreset::Female})
        if (name == presetName(p))
            return p;
    return std::nullopt;
}

HairlineGuides hairlineGuides(const FaceLandmarks &face, HairlinePreset preset)
{
    const PointMm l = face.leftEyeCorner, r = face.rightEyeCorner, a = face.glabella;
    const double dx = r.x - l.x, dy = r.y - l.y;
    const double width = std::hypot(dx, dy);
    if (!(width >= 50 && width <= 160))
        throw std::invalid_argument(
            "eye corners: " + mm(width) +
            " apart, expected 50-160 mm (mark the outer corners on a calibrated front view)");
    if (dx <= 0)
        throw std::invalid_argument(
            "eye corners: the left one must be on the photo's left of the right one");
    const double tilt = std::atan2(dy, dx) * 180 / std::numbers::pi;
    if (std::abs(tilt) > 20)
        throw std::invalid_argument("eye corners: the head is tilted " +
                                    std::to_string(static_cast<int>(std::lround(tilt))) +
                                    " degrees; rotate the photo upright first");
    // The face's frame: h along the eye corners, v up (away from the chin).
    const PointMm h{dx / width, dy / width};
    const PointMm v{h.y, -h.x};
    const auto along = [&](PointMm p, PointMm origin, PointMm axis) {
        return (p.x - origin.x) * axis.x + (p.y - origin.y) * axis.y;
    };
    const PointMm middle{(l.x + r.x) / 2, (l.y + r.y) / 2};
    const double across = along(a, middle, h);
    const double aboveCorners = along(a, middle, v);
    if (std::abs(across) > 0.25 * width || aboveCorners < -10 || aboveCorners > 45)
        throw std::invalid_argument("glabella: expected between the eye corners and up to 45 mm "
                                    "above them; it is " +
                                    mm(across) + " to the side and " + mm(aboveCorners) + " above");
    PresetGeometry g = geometry(preset);
    if (preset == HairlinePreset::Female && face.chin) {
        // The rule of thirds: hairline to glabella as long as glabella to nose base and nose base
        // to chin, so a third of the face is half the glabella-chin distance.
        const double chinBelow = -along(*face.chin, a, v);
        if (!(chinBelow >= 70 && chinBelow <= 200))
            throw std::invalid_argument("chin: " + mm(chinBelow) +
                                        " below the glabella, expected 70-200 mm");
        g.midFrontalAboveGlabellaMm = chinBelow / 2;
    }
    const auto at = [&](PointMm origin, double u, double w) {
        return PointMm{origin.x + u * h.x + w * v.x, origin.y + u * h.y + w * v.y};
    };
    HairlineGuides guides;
    guides.face = face;
    guides.up = v;
    guides.midFrontalHeightMm = g.midFrontalAboveGlabellaMm;
    guides.midFrontal = at(a, 0, g.midFrontalAboveGlabellaMm);
    const PointMm corners[2] = {l, r};
    for (int side = 0; side < 2; ++side) {
        const PointMm e = corners[side];
        // Corner height above the eye corner: fixed, or relative to the mid-frontal point.
        const double midAboveEye = g.midFrontalAboveGlabellaMm + along(a, e, v);
        const double corner = g.cornerAboveEyeCornerMm >= 0
                                  ? g.cornerAboveEyeCornerMm
                                  : midAboveEye + g.cornerAboveEyeCornerMm;
        guides.frontotemporal[side] = at(e, 0, corner);
        const double outward = side == 0 ? -10.0 : 10.0;
        guides.temple[side] = at(e, outward, corner * 3.0 / 8.0);
    }
    return guides;
}

std::vector<PointMm> faceOutline(const HairlineGuides &guides, double reachMm)
{
    const FaceLandmarks &face = guides.face;
    const PointMm v = guides.up;
    const PointMm h{-v.y, v.x}; // along the eye corners, to the photo's right
    const PointMm a = face.glabella;
    const auto along = [&](PointMm p, PointMm axis) {
        return (p.x - a.x) * axis.x + (p.y - a.y) * axis.y;
    };
    double forehead = kFaceForeheadMm;
    if (face.chin) // a short face's hairline (a third of it) may lie lower
        forehead = std::min(forehead, -along(*face.chin, v) / 2 - 10);
    constexpr double kBrows = 10;
    forehead = std::max(forehead, kBrows);
    const double left = along(face.leftEyeCorner, h), right = along(face.rightEyeCorner, h);
    const auto at = [&](double u, double w) {
        return PointMm{a.x + u * h.x + w * v.x, a.y + u * h.y + w * v.y};
    };
    return {at(-reachMm, -reachMm), at(reachMm, -reachMm), at(reachMm, kBrows),
            at(right, kBrows),      at(right, forehead),   at(left, forehead),
            at(left, kBrows),       at(-reachMm, kBrows)};
}

Hairline presetHairline(const HairlineGuides &guides)
{
    Hairline hairline;
    hairline.treatedAbove = true;
    const PointMm b = guides.midFrontal;
    const auto between = [&](PointMm c) {
        // Halfway across, three quarters of the way from the corner's height to the middle's:
        // the line is rounded like a natural one, not a straight slope.
        const PointMm half{(b.x + c.x) / 2, (b.y + c.y) / 2};
        const double rise = ((c.x - b.x) * guides.up.x + (c.y - b.y) * guides.up.y);
        return PointMm{half.x - 0.25 * rise * guides.up.x, half.y - 0.25 * rise * guides.up.y};
    };
    hairline.controlPoints = {guides.temple[0],
                              guides.frontotemporal[0],
                              between(guides.frontotemporal[0]),
                              b,
                              between(guides.frontotemporal[1]),
                              guides.frontotemporal[1],
                              guides.temple[1]};
    for (std::size_t i = 1; i < hairline.controlPoints.size(); ++i)
        if (hairline.controlPoints[i].x <= hairline.controlPoints[i - 1].x)
            throw std::invalid_argument("eye corners: the head is tilted too far for a hairline "
                                        "across the photo; rotate the photo upright first");
    return hairline;
}

} // namespace smp::planning
