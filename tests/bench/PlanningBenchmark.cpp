// smp-plan-benchmark: times the planner on a full head and compares its sampler with plain dart
// throwing at the same density. Not part of the test run; figures go to docs/benchmarks.md.
// Usage: smp-plan-benchmark [runs]
//
// The head: an ellipse of about 600 cm2 (semi-axes 150 x 127 mm) on a grade map of 0.5 mm per
// pixel, bald inside, with a designed hairline across the front: about 64,000 dots at 110/cm2 and
// 70,000 at 120.

#include "smp/planning/Plan.h"
#include "smp/planning/PlanFiles.h"
#include "smp/planning/PlanMetrics.h"

#include "Timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace smp::planning;

using smp::bench::median;
using smp::bench::millisecondsOf;
using smp::bench::p95;

namespace {

void printMetrics(const char *name, const PlanMetrics &m, std::size_t dots)
{
    double sessionsMin = 10;
    for (std::size_t i = 1; i < m.spreads.size(); ++i)
        sessionsMin = std::min(sessionsMin, m.spreads[i].minNormalisedNearest);
    std::printf("| %-26s | %6zu | %5.3f | %5.3f | %5.3f | %5.1f%% | %5.1f%% | %5.3f |\n", name,
                dots, m.spreads[0].minNormalisedNearest, m.spreads[0].meanNormalisedNearest,
                sessionsMin, 100 * m.worstCellDensityError, 100 * m.cellsWithin3Percent,
                m.minDistanceMm);
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    GradeMap map;
    map.mmPerMapPx = 0.5;
    map.width = 640;
    map.height = 560;
    map.grades.assign(static_cast<std::size_t>(map.width * map.height), 0);
    const double cx = 160, cy = 140, ax = 150, ay = 127;
    for (int y = 0; y < map.height; ++y)
        for (int x = 0; x < map.width; ++x) {
            const double u = ((x + 0.5) * 0.5 - cx) / ax, v = ((y + 0.5) * 0.5 - cy) / ay;
            if (u * u + v * v <= 1)
                map.grades[static_cast<std::size_t>(y * map.width + x)] = 5;
        }
    Hairline hairline;
    hairline.controlPoints = {{40, 60}, {90, 30}, {160, 22}, {230, 30}, {280, 60}};
    PlanSettings settings;

    Plan plan;
    std::vector<double> build;
    for (int i = 0; i < runs; ++i)
        build.push_back(millisecondsOf([&] { plan = buildPlan(map, settings, hairline); }));
    std::printf("full head: %zu dots, %.0f cm2 treated\n\n", plan.dots.size(), plan.treatedAreaCm2);
    std::printf("| operation | median ms | p95 ms | runs |\n|---|---|---|---|\n");
    std::printf("| plan a full head (%zu dots, %.0f cm2) | %.1f | %.1f | %d |\n", plan.dots.size(),
                plan.treatedAreaCm2, median(build), p95(build), runs);

    // The figure: about 70,000 dots on about 600 cm2 (the same head at 120 dots/cm2).
    PlanSettings dense = settings;
    dense.densityDotsPerCm2 = 120;
    Plan densePlan;
    std::vector<double> denseBuild;
    for (int i = 0; i < runs; ++i)
        denseBuild.push_back(millisecondsOf([&] { densePlan = buildPlan(map, dense, hairline); }));
    std::printf("| plan a full head at 120 dots/cm2 (%zu dots, %.0f cm2) | %.1f | %.1f | %d |\n",
                densePlan.dots.size(), densePlan.treatedAreaCm2, median(denseBuild),
                p95(denseBuild), runs);

    // The autosaved draft of that plan: serialised on a worker thread while the technician works
    // (the GUI thread only stores the bytes); restoring parses it on opening the photo.
    PlanDesign design;
    design.hairline = hairline;
    design.plan = densePlan;
    std::string draft;
    std::vector<double> writeDraft, readDraft;
    for (int i = 0; i < runs; ++i) {
        writeDraft.push_back(millisecondsOf([&] { draft = planDesignJson(design); }));
        readDraft.push_back(millisecondsOf([&] { (void)parsePlanDesignJson(draft); }));
    }
    std::printf("| autosave draft of that plan: serialise (worker thread, %.1f MB) | %.1f | %.1f | "
                "%d |\n",
                static_cast<double>(draft.size()) / 1e6, median(writeDraft), p95(writeDraft), runs);
    std::printf("| autosave draft of that plan: restore (parse) | %.1f | %.1f | %d |\n",
                median(readDraft), p95(readDraft), runs);

    // Dragging a hairline point: 20 small moves of the middle point, each from the last plan.
    std::vector<double> drag;
    Plan current = plan;
    for (int i = 0; i < 20; ++i) {
        Hairline moved = *current.hairline;
        moved.controlPoints[2].y += (i % 2 ? -1.0 : 1.5);
        drag.push_back(millisecondsOf([&] { current = replanHairline(current, map, moved); }));
    }
    std::printf("| move one hairline point (re-place the dots near it) | %.1f | %.1f | %zu |\n",
                median(drag), p95(drag), drag.size());

    const DensityFunction density = planDensity(map, settings, hairline);
    SamplerOptions options;
    options.seed = settings.seed;
    std::vector<SampledDot> darts;
    std::vector<double> dartTimes;
    for (int i = 0; i < runs; ++i)
        dartTimes.push_back(
            millisecondsOf([&] { darts = dartThrowingBaseline(density, options); }));
    std::printf("| plain dart throwing, same density (baseline) | %.1f | %.1f | %d |\n",
                median(dartTimes), p95(dartTimes), runs);

    std::vector<SampledDot> sampled;
    for (const Dot &d : plan.dots)
        sampled.push_back({d.position, d.session});
    std::printf(
        "\n| sampler | dots | min NN/spacing | mean NN/spacing | min over sessions and runs "
        "| worst 1 cm2 cell | cells within 3%% | closest dots mm |\n"
        "|---|---|---|---|---|---|---|---|\n");
    printMetrics("planner (multi-class)", measurePlan(sampled, density, options.shares),
                 sampled.size());
    printMetrics("plain dart throwing", measurePlan(darts, density, options.shares), darts.size());
    return 0;
}
