#pragma once

// Quality measures of a dot map (no Qt): how evenly the dots, each session and each run of
// sessions 1..k are spread, and how closely the density follows the target.

#include "smp/planning/DotSampler.h"

#include <string>
#include <vector>

namespace smp::planning {

struct SpreadMetric
{
    std::string name; // "all", "session 2", "sessions 1-2"
    int dots = 0;
    int interiorDots = 0;             // dots measured: away from the area's edge
    double minNormalisedNearest = 0;  // nearest-neighbour distance / meanSpacingMm(local density)
    double meanNormalisedNearest = 0; // of the set (0.8-0.9 for blue noise, 0.5 for random dots)
};

struct PlanMetrics
{
    std::vector<SpreadMetric> spreads; // "all", then each session, then each run 1..k (k >= 2)
    int cells = 0;                     // 1 cm2 cells of uniform target inside the area
    double worstCellDensityError = 0;  // largest |count - target| / target over those cells
    double meanCellDensityError = 0;
    double cellsWithin3Percent = 0; // share of the cells within 3% of the target
    double minDistanceMm = 0;       // the closest two dots
};

// Measures `dots` against the target they were made for. Interior: dots at least three spacings
// from the area's edge (where the density drops to 0 or the bounds end).
PlanMetrics measurePlan(const std::vector<SampledDot> &dots, const DensityFunction &target,
                        const std::vector<double> &shares);

// A uniform target for a dot list whose area is not known (a CSV file): the area is where the
// dots are (1 mm cells with a dot within 1.5 spacings).
DensityFunction uniformTargetOver(const std::vector<SampledDot> &dots, double dotsPerCm2);

} // namespace smp::planning
