#pragma once

// Multi-class, variable-density blue-noise sampling of SMP dots (no Qt, no GUI).
//
// Coordinates are millimetres on the photo's plane (x right, y down, origin at the photo's top
// left corner). Densities are dots per cm2. Sessions are 1-based.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace smp::planning {

struct PointMm
{
    double x = 0;
    double y = 0;
};

struct RectMm
{
    double x = 0, y = 0, width = 0, height = 0;
    bool contains(PointMm p) const
    {
        return p.x >= x && p.y >= y && p.x < x + width && p.y < y + height;
    }
};

// The target: total dots per cm2 at a point (0 outside the treatment area), over a bounding box.
// Called many times from one thread; it must be cheap (a grid lookup) and deterministic.
struct DensityFunction
{
    RectMm bounds;
    std::function<double(PointMm)> dotsPerCm2;
    double maxDotsPerCm2 = 0; // an upper bound of dotsPerCm2 over bounds
};

struct SampledDot
{
    PointMm position;
    int session = 1;
};

// Each session's share of the dots, in session order; sums to 1. Foundation about 45%, density
// about 35%, refinement about 20% for three sessions (see sessionShares()).
std::vector<double> sessionShares(int sessions);

// Called now and then with the share of the work done (0..1); returning false cancels (the
// sampler then throws Cancelled). Called on the sampling thread.
using SamplerProgress = std::function<bool(double done)>;

class Cancelled : public std::runtime_error
{
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {}
};

struct SamplerOptions
{
    std::uint64_t seed = 1;
    std::vector<double> shares = sessionShares(3);
    SamplerProgress progress; // may be empty
};

// Places dots following the density so that the whole map, each session and each run of sessions
// 1..k are each evenly spread (Poisson-disk): multi-class dart throwing (Wei 2010) with a quota per
// session in every 2.5 mm block, so counts follow the target closely everywhere. Deterministic for
// a seed.
std::vector<SampledDot> sampleDots(const DensityFunction &density, const SamplerOptions &options);

// Re-places the dots inside `region` only (dots outside it stay exactly where they are), e.g.
// after the hairline moved there: the dots of `dots` inside the region are dropped and the region
// is filled again against the kept dots. Deterministic for a seed and the same input.
std::vector<SampledDot> resampleRegion(const std::vector<SampledDot> &dots, RectMm region,
                                       const DensityFunction &density,
                                       const SamplerOptions &options);

// Plain dart throwing at the same density, single class with sessions dealt at random: the
// baseline the benchmark compares against (not used by the planner).
std::vector<SampledDot> dartThrowingBaseline(const DensityFunction &density,
                                             const SamplerOptions &options);

// The spacing (mm) a density implies: the mean nearest-neighbour distance of an evenly spread
// (maximal Poisson-disk) set, 1 / sqrt(density) scaled to mm. Metrics divide by it.
double meanSpacingMm(double dotsPerCm2);

} // namespace smp::planning
