#include "smp/planning/DotSampler.h"
#include "smp/planning/PlanMetrics.h"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace smp::planning;

namespace {

DensityFunction uniformRectangle(double widthMm, double heightMm, double dotsPerCm2)
{
    DensityFunction f;
    f.bounds = {0, 0, widthMm, heightMm};
    f.maxDotsPerCm2 = dotsPerCm2;
    f.dotsPerCm2 = [dotsPerCm2](PointMm) { return dotsPerCm2; };
    return f;
}

void print(const PlanMetrics &m)
{
    for (const auto &s : m.spreads)
        std::printf("%-14s dots %6d interior %6d min %.3f mean %.3f\n", s.name.c_str(), s.dots,
                    s.interiorDots, s.minNormalisedNearest, s.meanNormalisedNearest);
    std::printf("cells %d worst %.3f mean %.3f within3 %.3f min distance %.3f\n", m.cells,
                m.worstCellDensityError, m.meanCellDensityError, m.cellsWithin3Percent,
                m.minDistanceMm);
}

} // namespace

TEST_CASE("a uniform phantom plan is evenly spread, per session and per run of sessions",
          "[planning]")
{
    const DensityFunction target = uniformRectangle(100, 60, 110);
    SamplerOptions options;
    options.seed = 7;
    const auto dots = sampleDots(target, options);
    const PlanMetrics m = measurePlan(dots, target, options.shares);
    print(m);
    CHECK(m.spreads[0].minNormalisedNearest >= 0.70);
}
