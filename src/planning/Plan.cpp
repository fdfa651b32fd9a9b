#include "smp/planning/Plan.h"

#include "smp/numeric/PiecewiseLinear.h"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>

namespace smp::planning {

namespace {

constexpr double kLargestScalpCm2 = 1000;

// The hairline as a dense polyline y(x), with its irregular edge, ready for many queries.
class HairlineShape
{
public:
    HairlineShape(const Hairline &hairline, std::uint64_t seed)
        : m_hairline(hairline)
    {
        std::vector<Eigen::Vector2d> points;
        for (const PointMm &p : hairline.controlPoints)
            points.emplace_back(p.x, p.y);
        std::sort(points.begin(), points.end(),
                  [](const Eigen::Vector2d &a, const Eigen::Vector2d &b) { return a.x() < b.x(); });
        if (points.size() < 2)
            throw std::invalid_argument("hairline: at least two control points are needed");
        // Centripetal Catmull-Rom (alpha 0.5): no cusps or loops between close control points.
        const auto at = [&](std::ptrdiff_t i) {
            return points[static_cast<std::size_t>(
                std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(points.size()) - 1))];
        };
        for (std::ptrdiff_t i = 0; i + 1 < static_cast<std::ptrdiff_t>(points.size()); ++i) {
            Eigen::Vector2d p0 = at(i - 1), p1 = at(i), p2 = at(i + 1), p3 = at(i + 2);
            if (i == 0)
                p0 = p1 - (p2 - p1);
            if (i + 2 >= static_cast<std::ptrdiff_t>(points.size()))
                p3 = p2 + (p2 - p1);
            const auto knot = [](const Eigen::Vector2d &a, const Eigen::Vector2d &b) {
                return std::sqrt(std::max((b - a).norm(), 1e-9));
            };
            const double t0 = 0, t1 = t0 + knot(p0, p1), t2 = t1 + knot(p1, p2),
                         t3 = t2 + knot(p2, p3);
            for (int s = 0; s < kSamplesPerSegment; ++s) {
                const double t = t1 + (t2 - t1) * s / kSamplesPerSegment;
                const Eigen::Vector2d a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1;
                const Eigen::Vector2d a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2;
                const Eigen::Vector2d a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3;
                const Eigen::Vector2d b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2;
                const Eigen::Vector2d b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3;
                const Eigen::Vector2d c = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2;
                if (m_x.empty() || c.x() > m_x.back()) {
                    m_x.push_back(c.x());
                    m_y.push_back(c.y());
                }
            }
        }
        if (points.back().x() > m_x.back()) {
            m_x.push_back(points.back().x());
            m_y.push_back(points.back().y());
        }
        // Irregularity: two slow waves and a fine jitter, phases from the seed, so the edge is
        // never straight or mirror-symmetric and the same seed draws the same edge.
        std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
        for (double &phase : m_phases) {
            state ^= state >> 33;
            state *= 0xFF51AFD7ED558CCDull;
            state ^= state >> 33;
            phase = 2 * std::numbers::pi * static_cast<double>(state >> 11) * 0x1.0p-53;
        }
    }

    double baseY(double x) const { return numeric::interpolateClamped(m_x, m_y, x); }

    double edgeY(double x) const
    {
        const Hairline &h = m_hairline;
        const double tau = 2 * std::numbers::pi;
        const double macro = 0.65 * std::sin(tau * x / h.macroWavelengthMm + m_phases[0]) +
                             0.35 * std::sin(tau * x / (1.73 * h.macroWavelengthMm) + m_phases[1]);
        const double micro = 0.6 * std::sin(tau * x / h.microWavelengthMm + m_phases[2]) +
                             0.4 * std::sin(tau * x / (0.61 * h.microWavelengthMm) + m_phases[3]);
        return baseY(x) + h.macroAmplitudeMm * macro + h.microAmplitudeMm * micro;
    }

    // Tabulates the edge and its slope every stepMm over [x0, x1], so that depth() is a lookup
    // there (the waves cost four sines a point otherwise).
    void tabulate(double x0, double x1, double stepMm)
    {
        m_tableX0 = x0;
        m_tableStep = stepMm;
        const auto n = static_cast<std::size_t>(std::max(1.0, std::ceil((x1 - x0) / stepMm) + 1));
        m_tableEdge.resize(n);
        m_tableScale.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double x = x0 + static_cast<double>(i) * stepMm;
            m_tableEdge[i] = edgeY(x);
            m_tableScale[i] = scaleAt(x);
        }
    }

    // Depth behind the irregular edge, mm, measured across the line (negative in front).
    double depth(PointMm p) const
    {
        const double side = m_hairline.treatedAbove ? -1.0 : 1.0;
        const double t = (p.x - m_tableX0) / m_tableStep;
        if (!m_tableEdge.empty() && t >= 0 && t < static_cast<double>(m_tableEdge.size() - 1)) {
            const auto i = static_cast<std::size_t>(t + 0.5);
            return side * (p.y - m_tableEdge[i]) * m_tableScale[i];
        }
        return side * (p.y - edgeY(p.x)) * scaleAt(p.x);
    }

    // The hairline's share of the full density at p.
    double share(PointMm p) const
    {
        const Hairline &h = m_hairline;
        const double d = depth(p);
        if (d < -h.isolatedZoneMm)
            return 0;
        if (d < 0)
            return h.isolatedShare;
        if (d >= h.transitionMm)
            return 1;
        const double t = d / h.transitionMm;
        constexpr double kEdgeShare = 0.25; // sparse at the very edge
        return kEdgeShare + (1 - kEdgeShare) * t * t * (3 - 2 * t);
    }

private:
    // 1 / the length of the line per mm of x: turns a vertical distance into one across the line.
    double scaleAt(double x) const
    {
        const double slope = baseY(x + 0.5) - baseY(x - 0.5);
        return 1 / std::sqrt(1 + slope * slope);
    }

    static constexpr int kSamplesPerSegment = 32;
    double m_tableX0 = 0;
    double m_tableStep = 1;
    std::vector<double> m_tableEdge, m_tableScale;
    Hairline m_hairline;
    std::vector<double> m_x, m_y;
    double m_phases[4] = {0, 0, 0, 0};
};

// The zones drawn onto the grade map's pixels: 0 none, else the index + 1 of the last zone that
// covers the pixel's centre.
class ZoneRaster
{
public:
    ZoneRaster(const GradeMap &map, const std::vector<TreatmentZone> &zones)
        : m_width(map.width)
        , m_index(static_cast<std::size_t>(map.width) * static_cast<std::size_t>(map.height), 0)
    {
        const double px = map.mmPerMapPx;
        for (std::size_t z = 0; z < zones.size(); ++z) {
            const std::vector<PointMm> &outline = zones[z].outline;
            double top = 1e300, bottom = -1e300;
            for (const PointMm &p : outline) {
                top = std::min(top, p.y);
                bottom = std::max(bottom, p.y);
            }
            const int y0 = std::max(0, static_cast<int>(std::floor(top / px)));
            const int y1 = std::min(map.height - 1, static_cast<int>(std::ceil(bottom / px)));
            std::vector<double> crossings;
            for (int y = y0; y <= y1; ++y) {
                // Even-odd scanline through the pixel centres of the row.
                const double cy = (y + 0.5) * px;
                crossings.clear();
                for (std::size_t i = 0, j = outline.size() - 1; i < outline.size(); j = i++) {
                    const PointMm a = outline[j], b = outline[i];
                    if ((a.y > cy) != (b.y > cy))
                        crossings.push_back(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x));
                }
                std::sort(crossings.begin(), crossings.end());
                for (std::size_t c = 0; c + 1 < crossings.size(); c += 2) {
                    const int x0 =
                        std::max(0, static_cast<int>(std::ceil(crossings[c] / px - 0.5)));
                    const int x1 = std::min(
                        map.width - 1, static_cast<int>(std::floor(crossings[c + 1] / px - 0.5)));
                    for (int x = x0; x <= x1; ++x)
                        m_index[static_cast<std::size_t>(y) * static_cast<std::size_t>(m_width) +
                                static_cast<std::size_t>(x)] = static_cast<std::uint8_t>(z + 1);
                }
            }
        }
    }

    // 0, or the index + 1 of the zone at map pixel (x, y) (inside the map).
    int at(int x, int y) const
    {
        return m_index[static_cast<std::size_t>(y) * static_cast<std::size_t>(m_width) +
                       static_cast<std::size_t>(x)];
    }

private:
    int m_width;
    std::vector<std::uint8_t> m_index;
};

constexpr std::size_t kMaxZones = 250; // the raster holds the index in a byte

void validate(const std::vector<TreatmentZone> &zones)
{
    if (zones.size() > kMaxZones)
        throw std::invalid_argument("zones: at most " + std::to_string(kMaxZones) + " areas");
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const TreatmentZone &zone = zones[z];
        const std::string name =
            "zone " + std::to_string(z + 1) + " (" + zoneKindName(zone.kind) + ")";
        if (zone.outline.size() < 3)
            throw std::invalid_argument(name + ": an outline needs at least 3 points");
        for (const PointMm &p : zone.outline)
            if (!std::isfinite(p.x) || !std::isfinite(p.y))
                throw std::invalid_argument(name + ": an outline point is not a number");
        if (zone.kind == TreatmentZone::Kind::Scar &&
            (zone.densityDotsPerCm2 < 40 || zone.densityDotsPerCm2 > 200))
            throw std::invalid_argument(name + ": density must be 40 to 200 dots/cm2");
    }
}

void validate(const GradeMap &map, const PlanSettings &s)
{
    if (!(map.mmPerMapPx > 0))
        throw std::invalid_argument(
            "the photo is not calibrated: a plan needs a scale in mm (calibrate the photo first)");
    if (map.width <= 0 || map.height <= 0 ||
        map.grades.size() !=
            static_cast<std::size_t>(map.width) * static_cast<std::size_t>(map.height))
        throw std::invalid_argument("the grade map is empty or its size does not match");
    if (s.densityDotsPerCm2 < 40 || s.densityDotsPerCm2 > 200)
        throw std::invalid_argument("density: must be 40 to 200 dots/cm2");
    if (s.sessions < 2 || s.sessions > 6)
        throw std::invalid_argument("sessions: must be 2 to 6");
}

// The area (cm2) of the map pixels inside `within` whose target is above 0.
double treatedAreaCm2(const GradeMap &map, const DensityFunction &density, RectMm within)
{
    const int x0 = std::max(0, static_cast<int>(within.x / map.mmPerMapPx));
    const int y0 = std::max(0, static_cast<int>(within.y / map.mmPerMapPx));
    const int x1 = std::min(
        map.width, static_cast<int>(std::ceil((within.x + within.width) / map.mmPerMapPx)));
    const int y1 = std::min(
        map.height, static_cast<int>(std::ceil((within.y + within.height) / map.mmPerMapPx)));
    int treated = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            treated +=
                density.dotsPerCm2({(x + 0.5) * map.mmPerMapPx, (y + 0.5) * map.mmPerMapPx}) > 0;
    return treated * map.mmPerMapPx * map.mmPerMapPx / 100.0;
}

} // namespace

const char *needleName(Needle needle)
{
    return needle == Needle::RL1 ? "1RL" : "3RL";
}

const char *zoneKindName(TreatmentZone::Kind kind)
{
    return kind == TreatmentZone::Kind::Scar ? "scar" : "exclude";
}

bool zoneContains(const TreatmentZone &zone, PointMm p)
{
    bool inside = false;
    const std::vector<PointMm> &o = zone.outline;
    for (std::size_t i = 0, j = o.size() - 1; i < o.size() && o.size() >= 3; j = i++)
        if ((o[i].y > p.y) != (o[j].y > p.y) &&
            p.x < o[j].x + (p.y - o[j].y) / (o[i].y - o[j].y) * (o[i].x - o[j].x))
            inside = !inside;
    return inside;
}

double hairlineY(const Hairline &hairline, double x)
{
    return HairlineShape(hairline, 0).baseY(x);
}

DensityFunction planDensity(const GradeMap &map, const PlanSettings &settings,
                            const std::optional<Hairline> &hairline,
                            const std::vector<TreatmentZone> &zones)
{
    validate(map, settings);
    validate(zones);
    std::shared_ptr<const ZoneRaster> raster;
    std::vector<double> zoneDensity; // per zone: 0 excluded, else the scar's density
    if (!zones.empty()) {
        raster = std::make_shared<ZoneRaster>(map, zones);
        for (const TreatmentZone &zone : zones)
            zoneDensity.push_back(zone.kind == TreatmentZone::Kind::Scar ? zone.densityDotsPerCm2
                                                                         : 0.0);
    }
    std::shared_ptr<HairlineShape> shape;
    if (hairline) {
        shape = std::make_shared<HairlineShape>(*hairline, settings.seed);
        shape->tabulate(0, map.width * map.mmPerMapPx, map.mmPerMapPx / 2);
    }
    DensityFunction f;
    f.bounds = {0, 0, map.width * map.mmPerMapPx, map.height * map.mmPerMapPx};
    f.maxDotsPerCm2 = settings.densityDotsPerCm2;
    for (const double d : zoneDensity)
        f.maxDotsPerCm2 = std::max(f.maxDotsPerCm2, d);
    const double full = settings.densityDotsPerCm2;
    std::array<double, 6> gradeShare{0,
                                     settings.gradeShare[0],
                                     settings.gradeShare[1],
                                     settings.gradeShare[2],
                                     settings.gradeShare[3],
                                     settings.gradeShare[4]};
    f.dotsPerCm2 = [&map, shape, full, gradeShare, raster, zoneDensity](PointMm p) {
        if (p.x < 0 || p.y < 0)
            return 0.0;
        const int x = static_cast<int>(p.x / map.mmPerMapPx);
        const int y = static_cast<int>(p.y / map.mmPerMapPx);
        if (x >= map.width || y >= map.height)
            return 0.0;
        if (raster)
            if (const int zone = raster->at(x, y); zone > 0)
                return zoneDensity[static_cast<std::size_t>(zone - 1)];
        const std::uint8_t g =
            map.grades[static_cast<std::size_t>(y) * static_cast<std::size_t>(map.width) +
                       static_cast<std::size_t>(x)];
        if (g == 0 || g > 5)
            return 0.0;
        if (!shape)
            return g == 1 ? 0.0 : full * gradeShare[g];
        return full * gradeShare[g] * shape->share(p);
    };
    return f;
}

Plan buildPlan(const GradeMap &map, const PlanSettings &settings,
               const std::optional<Hairline> &hairline, const std::vector<TreatmentZone> &zones,
               const SamplerProgress &progress)
{
    const DensityFunction density = planDensity(map, settings, hairline, zones);
    Plan plan;
    plan.settings = settings;
    plan.hairline = hairline;
    plan.zones = zones;
    SamplerOptions options;
    options.seed = settings.seed;
    options.shares = sessionShares(settings.sessions);
    options.progress = progress;
    plan.treatedAreaCm2 = treatedAreaCm2(map, density, density.bounds);
    // A whole scalp is about 600-700 cm2: far more means the scale is wrong (a mistaken marker,
    // a length typed in cm), and a plan on it would be nonsense.
    if (plan.treatedAreaCm2 > kLargestScalpCm2)
        throw std::invalid_argument(
            "the area to treat comes to " + std::to_string(std::lround(plan.treatedAreaCm2)) +
            " cm2, more than a whole scalp (about 600-700 cm2): check the photo's calibration");
    finishPlan(plan, sampleDots(density, options));
    return plan;
}

RectMm hairlineChangeArea(const Hairline &before, const Hairline &after,
                          const PlanSettings &settings)
{
    if (before.controlPoints.size() != after.controlPoints.size())
        throw std::invalid_argument("hairline: the number of control points changed");
    if (before.treatedAbove != after.treatedAbove)
        return {-1e6, -1e6, 2e6, 2e6}; // the treated side flipped: everything changes
    const auto byX = [](std::vector<PointMm> points) {
        std::sort(points.begin(), points.end(),
                  [](const PointMm &a, const PointMm &b) { return a.x < b.x; });
        return points;
    };
    const std::vector<PointMm> a = byX(before.controlPoints), b = byX(after.controlPoints);
    double minX = 1e300, maxX = -1e300, minY = 1e300, maxY = -1e300;
    const auto n = static_cast<std::ptrdiff_t>(a.size());
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (a[k].x == b[k].x && a[k].y == b[k].y)
            continue;
        // A Catmull-Rom control point shapes the two segments on either side of it.
        for (std::ptrdiff_t j = std::max<std::ptrdiff_t>(0, i - 2);
             j <= std::min<std::ptrdiff_t>(n - 1, i + 2); ++j) {
            for (const PointMm &p :
                 {a[static_cast<std::size_t>(j)], b[static_cast<std::size_t>(j)]}) {
                minX = std::min(minX, p.x);
                maxX = std::max(maxX, p.x);
                minY = std::min(minY, p.y);
                maxY = std::max(maxY, p.y);
            }
        }
        // An end point also moves the flat extension beyond it.
        if (i == 0)
            minX = -1e6;
        if (i == n - 1)
            maxX = 1e6;
    }
    if (minX > maxX)
        return {};
    const Hairline &h = after;
    const double waves = std::max(before.macroAmplitudeMm + before.microAmplitudeMm,
                                  h.macroAmplitudeMm + h.microAmplitudeMm);
    const double ahead = std::max(before.isolatedZoneMm, h.isolatedZoneMm) + waves + 1.0;
    const double behind =
        std::max({before.transitionMm, h.transitionMm, settings.hairlineNeedleZoneMm}) + waves +
        1.0;
    // The curve between control points can bulge past them; a margin of the segment's span.
    const double bulge = 0.25 * (maxY - minY) + 2.0;
    // In front is up on a top view, down on a front view.
    const bool above = before.treatedAbove || h.treatedAbove;
    const bool below = !before.treatedAbove || !h.treatedAbove;
    const double up = std::max(below ? ahead : 0.0, above ? behind : 0.0);
    const double down = std::max(below ? behind : 0.0, above ? ahead : 0.0);
    return {minX - 1.0, minY - up - bulge, maxX - minX + 2.0, maxY - minY + up + down + 2 * bulge};
}

namespace {

// `next` (the previous plan with its new design) with the dots inside `area` placed again
// against the dots kept around it; the treated area updated by the pixels of `area`.
Plan replanArea(const Plan &previous, Plan next, const GradeMap &map, RectMm area)
{
    if (area.width <= 0 || area.height <= 0)
        return next;
    const DensityFunction density = planDensity(map, next.settings, next.hairline, next.zones);
    SamplerOptions options;
    options.seed = next.settings.seed;
    options.shares = sessionShares(next.settings.sessions);
    std::vector<SampledDot> sampled;
    sampled.reserve(previous.dots.size());
    for (const Dot &d : previous.dots)
        sampled.push_back({d.position, d.session});
    RectMm region{std::max(area.x, density.bounds.x), std::max(area.y, density.bounds.y), 0, 0};
    region.width =
        std::min(area.x + area.width, density.bounds.x + density.bounds.width) - region.x;
    region.height =
        std::min(area.y + area.height, density.bounds.y + density.bounds.height) - region.y;
    if (region.width <= 0 || region.height <= 0)
        return next;
    finishPlan(next, resampleRegion(sampled, region, density, options));
    // Whole map pixels of the region, counted before and after.
    const RectMm pixels{std::floor(region.x / map.mmPerMapPx) * map.mmPerMapPx,
                        std::floor(region.y / map.mmPerMapPx) * map.mmPerMapPx,
                        region.width + 2 * map.mmPerMapPx, region.height + 2 * map.mmPerMapPx};
    next.treatedAreaCm2 +=
        treatedAreaCm2(map, density, pixels) -
        treatedAreaCm2(map, planDensity(map, previous.settings, previous.hairline, previous.zones),
                       pixels);
    return next;
}

bool sameZone(const TreatmentZone &a, const TreatmentZone &b)
{
    if (a.kind != b.kind || a.outline.size() != b.outline.size())
        return false;
    if (a.kind == TreatmentZone::Kind::Scar &&
        (a.densityDotsPerCm2 != b.densityDotsPerCm2 || a.needle != b.needle))
        return false;
    for (std::size_t i = 0; i < a.outline.size(); ++i)
        if (a.outline[i].x != b.outline[i].x || a.outline[i].y != b.outline[i].y)
            return false;
    return true;
}

} // namespace

Plan replanHairline(const Plan &previous, const GradeMap &map, const Hairline &moved)
{
    if (!previous.hairline)
        return buildPlan(map, previous.settings, moved, previous.zones);
    Plan next = previous;
    next.hairline = moved;
    return replanArea(previous, std::move(next), map,
                      hairlineChangeArea(*previous.hairline, moved, previous.settings));
}

RectMm zonesChangeArea(const std::vector<TreatmentZone> &before,
                       const std::vector<TreatmentZone> &after)
{
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    const auto grow = [&](const TreatmentZone &zone) {
        for (const PointMm &p : zone.outline) {
            x0 = std::min(x0, p.x);
            y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x);
            y1 = std::max(y1, p.y);
        }
    };
    // Zones are compared by position: from the first that differs on, all count as changed
    // (removing one shifts the ones after it).
    std::size_t first = 0;
    while (first < before.size() && first < after.size() && sameZone(before[first], after[first]))
        ++first;
    for (std::size_t i = first; i < before.size(); ++i)
        grow(before[i]);
    for (std::size_t i = first; i < after.size(); ++i)
        grow(after[i]);
    if (x0 > x1)
        return {};
    // A pixel's width of room: the zones are drawn onto the grade map's pixels.
    return {x0 - 1.0, y0 - 1.0, x1 - x0 + 2.0, y1 - y0 + 2.0};
}

Plan replanZones(const Plan &previous, const GradeMap &map, const std::vector<TreatmentZone> &zones)
{
    Plan next = previous;
    next.zones = zones;
    return replanArea(previous, std::move(next), map, zonesChangeArea(previous.zones, zones));
}

void finishPlan(Plan &plan, const std::vector<SampledDot> &sampled)
{
    const PlanSettings &s = plan.settings;
    std::unique_ptr<HairlineShape> shape;
    if (plan.hairline && !sampled.empty()) {
        shape = std::make_unique<HairlineShape>(*plan.hairline, s.seed);
        const auto [low, high] = std::minmax_element(
            sampled.begin(), sampled.end(),
            [](const SampledDot &a, const SampledDot &b) { return a.position.x < b.position.x; });
        shape->tabulate(low->position.x, high->position.x + 0.25, 0.125);
    }
    plan.dots.clear();
    plan.dots.reserve(sampled.size());
    plan.sessions.assign(static_cast<std::size_t>(s.sessions), {});
    for (int k = 0; k < s.sessions; ++k) {
        SessionSummary &summary = plan.sessions[static_cast<std::size_t>(k)];
        summary.session = k + 1;
        summary.shade =
            s.firstShade + (s.lastShade - s.firstShade) * k / std::max(1, s.sessions - 1);
    }
    // The scars' bounding boxes, so most dots skip the polygon test.
    std::vector<RectMm> scarBoxes(plan.zones.size());
    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const PointMm &p : plan.zones[z].outline) {
            x0 = std::min(x0, p.x);
            y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x);
            y1 = std::max(y1, p.y);
        }
        if (plan.zones[z].kind == TreatmentZone::Kind::Scar)
            scarBoxes[z] = {x0, y0, x1 - x0, y1 - y0};
    }
    for (const SampledDot &d : sampled) {
        Dot dot;
        dot.position = d.position;
        dot.session = d.session;
        dot.needle =
            shape && shape->depth(d.position) < s.hairlineNeedleZoneMm ? Needle::RL1 : Needle::RL3;
        // The last zone drawn over the dot decides (as in the target density).
        for (std::size_t z = plan.zones.size(); z-- > 0;)
            if (plan.zones[z].kind == TreatmentZone::Kind::Scar &&
                scarBoxes[z].contains(d.position) && zoneContains(plan.zones[z], d.position)) {
                dot.needle = plan.zones[z].needle;
                break;
            }
        const auto n = static_cast<std::size_t>(dot.needle == Needle::RL1 ? 0 : 1);
        dot.freshDiameterMm = s.freshDiameterMm[n];
        dot.healedDiameterMm = s.healedDiameterMm[n];
        SessionSummary &summary = plan.sessions[static_cast<std::size_t>(d.session - 1)];
        dot.shade = summary.shade;
        ++summary.dots;
        (dot.needle == Needle::RL1 ? summary.dots1RL : summary.dots3RL) += 1;
        plan.dots.push_back(dot);
    }
    plan.notices.clear();
    for (SessionSummary &summary : plan.sessions) {
        const double needleMinutes = summary.dots / s.impressionsPerMinute;
        const double breaks = std::floor(needleMinutes / s.breakEveryMinutes) * s.breakMinutes;
        summary.minutes = needleMinutes + breaks;
        summary.sittings = static_cast<int>(std::ceil(summary.minutes / s.maxSessionMinutes));
        summary.sittings = std::max(1, summary.sittings);
        if (summary.sittings > 1)
            plan.notices.push_back(
                "session " + std::to_string(summary.session) + " takes about " +
                std::to_string(static_cast<int>(std::lround(summary.minutes / 60))) +
                " h, longer than the maximum of " +
                std::to_string(static_cast<int>(s.maxSessionMinutes / 60)) + " h: split into " +
                std::to_string(summary.sittings) + " sittings");
    }
}

} // namespace smp::planning
