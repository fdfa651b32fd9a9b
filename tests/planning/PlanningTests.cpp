#include "smp/planning/DotSampler.h"
#include "smp/planning/HairlineGuides.h"
#include "smp/planning/PlanFiles.h"
#include "smp/planning/PlanMetrics.h"
#include "smp/planning/Pricing.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

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

// The measures of the planning issue: nearest-neighbour distance over the spacing at least 0.70
// for the map and 0.60 for each session and run of sessions, no two dots closer than a healed dot,
// and the density within 3% of the target in every 1 cm2 cell.
void checkQuality(const PlanMetrics &m)
{
    if (std::getenv("SMP_PRINT_METRICS"))
        print(m);
    for (const SpreadMetric &spread : m.spreads) {
        INFO(spread.name);
        REQUIRE(spread.interiorDots > 0);
        CHECK(spread.minNormalisedNearest >= (spread.name == "all" ? 0.70 : 0.60));
    }
    REQUIRE(m.cells > 0);
    CHECK(m.cellsWithin3Percent == 1.0);
    CHECK(m.worstCellDensityError <= 0.03);
    CHECK(m.minDistanceMm >= 0.15); // the largest healed diameter
}

GradeMap gradeMap(int widthMm, int heightMm, std::uint8_t grade)
{
    GradeMap map;
    map.width = widthMm * 2;
    map.height = heightMm * 2;
    map.mmPerMapPx = 0.5;
    map.grades.assign(static_cast<std::size_t>(map.width * map.height), grade);
    return map;
}

} // namespace

TEST_CASE("a uniform phantom plan is evenly spread, per session and per run of sessions",
          "[planning]")
{
    for (const int sessions : {2, 3, 4, 6}) {
        INFO(sessions << " sessions");
        const DensityFunction target = uniformRectangle(100, 60, 110);
        SamplerOptions options;
        options.seed = 7;
        options.shares = sessionShares(sessions);
        const auto dots = sampleDots(target, options);
        const PlanMetrics m = measurePlan(dots, target, options.shares);
        checkQuality(m);
        // Each session holds its share of the dots.
        for (int k = 1; k <= sessions; ++k) {
            const auto n = std::count_if(dots.begin(), dots.end(),
                                         [k](const SampledDot &d) { return d.session == k; });
            CHECK(static_cast<double>(n) / 6600.0 ==
                  Approx(options.shares[static_cast<std::size_t>(k - 1)]).margin(0.01));
        }
    }
}

TEST_CASE("density 40 and 200 dots/cm2 meet the same measures", "[planning]")
{
    for (const double density : {40.0, 200.0})
        for (const int sessions : {3, 6}) {
            INFO(density << " dots/cm2, " << sessions << " sessions");
            const DensityFunction target = uniformRectangle(80, 50, density);
            SamplerOptions options;
            options.seed = 3;
            options.shares = sessionShares(sessions);
            // At 40 dots/cm2 one dot is 2.5% of a cell: every cell holds its target to the dot.
            checkQuality(measurePlan(sampleDots(target, options), target, options.shares));
        }
}

TEST_CASE("plain dart throwing fails the measures the planner meets", "[planning]")
{
    const DensityFunction target = uniformRectangle(100, 60, 110);
    SamplerOptions options;
    const PlanMetrics m =
        measurePlan(dartThrowingBaseline(target, options), target, options.shares);
    CHECK(m.spreads[0].minNormalisedNearest < 0.2);
    CHECK(m.worstCellDensityError > 0.03);
}

TEST_CASE("the same seed gives the same dots, and another seed other dots", "[planning]")
{
    const DensityFunction target = uniformRectangle(40, 30, 110);
    SamplerOptions options;
    options.seed = 11;
    const auto a = sampleDots(target, options);
    const auto b = sampleDots(target, options);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].position.x == b[i].position.x);
        CHECK(a[i].position.y == b[i].position.y);
        CHECK(a[i].session == b[i].session);
    }
    options.seed = 12;
    const auto c = sampleDots(target, options);
    CHECK((c.size() != a.size() || c[0].position.x != a[0].position.x));
}

TEST_CASE("re-placing a region leaves every dot outside it where it was", "[planning]")
{
    const DensityFunction target = uniformRectangle(100, 60, 110);
    SamplerOptions options;
    const auto before = sampleDots(target, options);
    const RectMm region{40, 20, 15, 15};
    const auto after = resampleRegion(before, region, target, options);
    std::size_t outside = 0;
    for (const SampledDot &d : before)
        outside += !region.contains(d.position);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < outside; ++i)
        kept += !region.contains(after[i].position);
    CHECK(kept == outside); // the kept dots come first, unchanged
    std::size_t j = 0;
    for (const SampledDot &d : before)
        if (!region.contains(d.position)) {
            CHECK(after[j].position.x == d.position.x);
            CHECK(after[j].position.y == d.position.y);
            ++j;
        }
    // The region is full again and still evenly spread against its neighbours.
    const PlanMetrics m = measurePlan(after, target, options.shares);
    checkQuality(m);
    CHECK(std::abs(static_cast<double>(after.size()) - static_cast<double>(before.size())) <
          0.01 * static_cast<double>(before.size()));
}

TEST_CASE("the plan follows the grades: full on bald skin, less where hair remains", "[planning]")
{
    GradeMap map = gradeMap(80, 40, 5); // bald
    for (int y = 0; y < map.height; ++y)
        for (int x = map.width / 2; x < map.width; ++x)
            map.grades[static_cast<std::size_t>(y * map.width + x)] = 3; // moderate
    PlanSettings settings;
    const Plan plan = buildPlan(map, settings, std::nullopt);
    int left = 0, right = 0;
    for (const Dot &d : plan.dots) {
        if (d.position.y < 5 || d.position.y > 35)
            continue;
        left += d.position.x < 35;
        right += d.position.x > 45;
    }
    const double area = 35.0 * 30.0 / 100.0; // cm2
    CHECK(left / area == Approx(110).epsilon(0.03));
    CHECK(right / area == Approx(110 * settings.gradeShare[2]).epsilon(0.03));
    CHECK(plan.treatedAreaCm2 == Approx(32.0).epsilon(0.001));
    for (const Dot &d : plan.dots)
        CHECK(d.needle == Needle::RL3); // no hairline: no 1RL zone
}

TEST_CASE("a hairline: nothing far in front, a soft irregular edge, 1RL near it", "[planning]")
{
    const GradeMap map = gradeMap(120, 80, 1); // normal scalp everywhere: the hairline decides
    Hairline hairline;
    hairline.controlPoints = {{10, 30}, {40, 22}, {60, 20}, {85, 23}, {110, 32}};
    PlanSettings settings;
    const Plan plan = buildPlan(map, settings, hairline);
    REQUIRE(!plan.dots.empty());
    int isolated = 0;
    std::vector<double> frontByColumn(12, 1e9);
    for (const Dot &d : plan.dots) {
        const double lineY = hairlineY(hairline, d.position.x);
        // Macro and micro waves reach 1.6 mm; isolated dots up to 3 mm in front of that.
        CHECK(d.position.y > lineY - 1.6 - 3.0 - 0.5);
        isolated += d.position.y < lineY - 1.6;
        const double depth = d.position.y - lineY;
        if (depth < 8)
            CHECK(d.needle == Needle::RL1);
        if (depth > 12)
            CHECK(d.needle == Needle::RL3);
        const auto column = static_cast<std::size_t>(std::clamp(d.position.x / 10, 0.0, 11.0));
        frontByColumn[column] = std::min(frontByColumn[column], depth);
    }
    CHECK(isolated > 0); // a few isolated dots in front
    // Not a straight edge: the front dots' depth differs along the line.
    const auto [low, high] =
        std::minmax_element(frontByColumn.begin() + 2, frontByColumn.end() - 2);
    CHECK(*high - *low > 0.5);
    // Density rises over the transition zone: sparse near the edge, full well behind it.
    int nearEdge = 0, deep = 0;
    for (const Dot &d : plan.dots) {
        if (d.position.x < 30 || d.position.x > 90)
            continue;
        const double depth = d.position.y - hairlineY(hairline, d.position.x);
        nearEdge += depth > 0 && depth < 2;
        deep += depth > 20 && depth < 22;
    }
    CHECK(nearEdge < 0.6 * deep);
}

TEST_CASE("sessions: counts, needle mix, shades from light to dark, long sessions split",
          "[planning]")
{
    PlanSettings settings;
    settings.impressionsPerMinute = 8; // slow on purpose: the first session runs over 5 h
    const Plan plan = buildPlan(gradeMap(80, 60, 5), settings, std::nullopt);
    REQUIRE(plan.sessions.size() == 3);
    int total = 0;
    for (const SessionSummary &s : plan.sessions) {
        CHECK(s.dots == s.dots1RL + s.dots3RL);
        total += s.dots;
    }
    CHECK(total == static_cast<int>(plan.dots.size()));
    CHECK(plan.sessions[0].shade < plan.sessions[2].shade);
    CHECK(plan.sessions[0].minutes > 300);
    CHECK(plan.sessions[0].sittings == 2);
    REQUIRE(!plan.notices.empty());
    CHECK(plan.notices[0].find("session 1") != std::string::npos);
}

TEST_CASE("out-of-range settings are refused with the setting named", "[planning]")
{
    PlanSettings settings;
    settings.densityDotsPerCm2 = 250;
    CHECK_THROWS_WITH(buildPlan(gradeMap(10, 10, 5), settings, std::nullopt),
                      Catch::Contains("density"));
    settings = {};
    settings.sessions = 7;
    CHECK_THROWS_WITH(buildPlan(gradeMap(10, 10, 5), settings, std::nullopt),
                      Catch::Contains("sessions"));
    GradeMap uncalibrated = gradeMap(10, 10, 5);
    uncalibrated.mmPerMapPx = 0;
    CHECK_THROWS_WITH(buildPlan(uncalibrated, PlanSettings{}, std::nullopt),
                      Catch::Contains("calibrat"));
}

TEST_CASE("dot CSV and plan JSON round-trip, and bad files name the line or field", "[planning]")
{
    Hairline hairline;
    hairline.controlPoints = {{5, 10}, {20, 8}, {35, 11}};
    const Plan plan = buildPlan(gradeMap(40, 30, 4), PlanSettings{}, hairline);
    const std::string csv = dotsCsv(plan.dots);
    CHECK(csv.rfind("x_mm,y_mm,session,needle,fresh_diameter_mm,healed_diameter_mm,shade\n", 0) ==
          0);
    const auto dots = parseDotsCsv(csv);
    REQUIRE(dots.size() == plan.dots.size());
    CHECK(dots[5].position.x == Approx(plan.dots[5].position.x).margin(0.0005));
    CHECK(dots[5].needle == plan.dots[5].needle);

    CHECK_THROWS_WITH(parseDotsCsv("x,y\n"), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(parseDotsCsv(std::string(kDotsCsvHeader) +
                                   "\n1,2,1,3RL,0.25,0.15,0.3\n1,abc,1,3RL,0.25,0.15,0.3\n"),
                      Catch::Contains("line 3, field y_mm"));
    CHECK_THROWS_WITH(parseDotsCsv(std::string(kDotsCsvHeader) + "\n1,2,1,3RL,25,15,0.3\n"),
                      Catch::Contains("in mm"));
    CHECK_THROWS_WITH(parseDotsCsv(std::string(kDotsCsvHeader) + "\n1,2,1,5RL,0.25,0.15,0.3\n"),
                      Catch::Contains("needle"));

    const std::string json = planJson(plan);
    const Plan back = parsePlanJson(json);
    CHECK(back.settings.seed == plan.settings.seed);
    CHECK(back.dots.size() == plan.dots.size());
    REQUIRE(back.hairline.has_value());
    CHECK(back.hairline->controlPoints.size() == 3);
    CHECK(back.sessions[1].dots == plan.sessions[1].dots);

    std::string bad = json;
    bad.replace(bad.find("\"sessions\": 3"), 13, "\"sessions\": 9");
    CHECK_THROWS_WITH(parsePlanJson(bad), Catch::Contains("settings.sessions"));
    bad = json;
    bad.replace(bad.find("\"schema_version\": 2"), 19, "\"schema_version\": 7");
    CHECK_THROWS_WITH(parsePlanJson(bad), Catch::Contains("newer"));
    CHECK_THROWS_WITH(parsePlanJson("{\"schema\": \"smp-plan\""),
                      Catch::Contains("not valid JSON"));
    CHECK_THROWS_WITH(parsePlanJson("[1,2]"), Catch::Contains("schema"));
    // A plan written before zones existed (schema version 1) still reads, without zones.
    bad = json;
    bad.replace(bad.find("\"schema_version\": 2"), 19, "\"schema_version\": 1");
    bad.replace(bad.find("\"zones\": []"), 12, "\"zonez\": []");
    CHECK(parsePlanJson(bad).zones.empty());

    const std::string svg = planSvg(plan, {0, 0, 40, 30});
    CHECK(svg.find("width=\"40.00mm\"") != std::string::npos);
    CHECK(svg.find("10 mm") != std::string::npos);
    CHECK(static_cast<std::size_t>(std::count(svg.begin(), svg.end(), '<')) > plan.dots.size());
}

TEST_CASE("moving one hairline point changes only the dots near it", "[planning]")
{
    const GradeMap map = gradeMap(160, 90, 1);
    Hairline hairline;
    hairline.controlPoints = {{10, 30}, {40, 24}, {70, 21}, {100, 22}, {130, 25}, {150, 31}};
    const Plan before = buildPlan(map, PlanSettings{}, hairline);
    Hairline moved = hairline;
    moved.controlPoints[4].y += 6; // the right side comes down 6 mm
    const Plan after = replanHairline(before, map, moved);
    const RectMm area = hairlineChangeArea(hairline, moved, PlanSettings{});
    CHECK(area.x > 60); // the left half is not touched
    std::size_t unchanged = 0, outside = 0;
    for (const Dot &d : before.dots) {
        if (area.contains(d.position))
            continue;
        ++outside;
        unchanged += std::any_of(after.dots.begin(), after.dots.end(), [&](const Dot &e) {
            return e.position.x == d.position.x && e.position.y == d.position.y &&
                   e.session == d.session;
        });
    }
    CHECK(unchanged == outside);
    // The new line holds: nothing far in front of it.
    for (const Dot &d : after.dots)
        CHECK(d.position.y > hairlineY(moved, d.position.x) - 1.6 - 3.0 - 0.5);
    // And it is the plan a fresh build would give in quality.
    const DensityFunction target = planDensity(map, after.settings, moved);
    std::vector<SampledDot> sampled;
    for (const Dot &d : after.dots)
        sampled.push_back({d.position, d.session});
    const PlanMetrics m = measurePlan(sampled, target, sessionShares(3));
    for (const SpreadMetric &spread : m.spreads)
        CHECK(spread.minNormalisedNearest >= (spread.name == "all" ? 0.70 : 0.60));
    const Plan fresh = buildPlan(map, PlanSettings{}, moved);
    CHECK(after.treatedAreaCm2 == Approx(fresh.treatedAreaCm2).epsilon(0.002));
    CHECK(static_cast<double>(after.dots.size()) ==
          Approx(static_cast<double>(fresh.dots.size())).epsilon(0.01));
}

TEST_CASE("an area larger than a whole scalp is refused: the scale must be wrong", "[planning]")
{
    GradeMap map = gradeMap(10, 10, 5);
    map.mmPerMapPx = 5.0; // 20 x 20 px at 5 mm: 100 x 100 mm = 100 cm2 is fine
    CHECK_NOTHROW(buildPlan(map, PlanSettings{}, std::nullopt));
    map.mmPerMapPx = 20.0; // 400 x 400 mm = 1600 cm2
    CHECK_THROWS_WITH(buildPlan(map, PlanSettings{}, std::nullopt),
                      Catch::Contains("check the photo's calibration"));
}

TEST_CASE("planning reports progress and can be cancelled", "[planning]")
{
    std::vector<double> seen;
    const Plan plan =
        buildPlan(gradeMap(60, 40, 5), PlanSettings{}, std::nullopt, {}, [&](double done) {
            seen.push_back(done);
            return true;
        });
    REQUIRE(seen.size() > 5);
    CHECK(seen.front() < 0.1);
    CHECK(seen.back() >= 0.97);
    CHECK(!plan.dots.empty());
    int calls = 0;
    CHECK_THROWS_AS(buildPlan(gradeMap(60, 40, 5), PlanSettings{}, std::nullopt, {},
                              [&](double) { return ++calls < 3; }),
                    Cancelled);
    CHECK(calls == 3);
}

TEST_CASE("the dilution table picks the mix by skin type and hair colour, and prices by area",
          "[planning]")
{
    const DilutionTable table = defaultDilutionTable();
    CHECK(dilutionFor(table, 2, "Light Grey").firstShare == Approx(0.15));
    CHECK(dilutionFor(table, 2, "dark brown").firstShare == Approx(0.20));
    CHECK(dilutionFor(table, 6, "black").lastShare == Approx(0.60));
    CHECK(dilutionFor(table, 0, "").firstShare == Approx(0.25)); // not assessed
    CHECK(waterMlPerPigmentMl(0.25) == Approx(3.0));
    // Round trip, and errors that name the field.
    const DilutionTable back = parseDilutionTableJson(dilutionTableJson(table));
    REQUIRE(back.rows.size() == table.rows.size());
    CHECK(back.rows[0].hairColours == table.rows[0].hairColours);
    CHECK_THROWS_WITH(parseDilutionTableJson(R"({"dilution_table": [{"skin_type_min": 1,
        "skin_type_max": 9, "first_pigment_share": 0.2, "last_pigment_share": 0.3}]})"),
                      Catch::Contains("dilution_table[0].skin_type_max' is 9, outside 0 to 6"));
    CHECK_THROWS_WITH(parseDilutionTableJson("{}"), Catch::Contains("dilution_table"));

    PriceList prices;
    CHECK(quoteFor(prices, 50, 3).basis == "hairline");
    CHECK(quoteFor(prices, 200, 3).total == Approx(prices.frontHalfPrice));
    CHECK(quoteFor(prices, 600, 3).basis == "full head");
    prices.perSessionPrice = 700;
    CHECK(quoteFor(prices, 600, 4).total == Approx(2800));
    CHECK(parsePriceListJson(priceListJson(prices)).perSessionPrice == Approx(700));
    CHECK_THROWS_WITH(parsePriceListJson(R"({"currency": "USD"})"),
                      Catch::Contains("price_list.hairline_up_to_cm2' is missing"));
}

namespace {

TreatmentZone square(TreatmentZone::Kind kind, double x, double y, double side)
{
    TreatmentZone zone;
    zone.kind = kind;
    zone.outline = {{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}};
    return zone;
}

std::size_t dotsIn(const std::vector<Dot> &dots, RectMm r)
{
    return static_cast<std::size_t>(std::count_if(
        dots.begin(), dots.end(), [&](const Dot &d) { return r.contains(d.position); }));
}

} // namespace

TEST_CASE("excluded areas get no dots, and scars their own density and needle", "[planning]")
{
    const GradeMap map = gradeMap(80, 60, 5); // bald all over
    TreatmentZone excluded = square(TreatmentZone::Kind::Exclude, 10, 10, 20);
    TreatmentZone scar = square(TreatmentZone::Kind::Scar, 45, 20, 20);
    scar.densityDotsPerCm2 = 60;
    scar.needle = Needle::RL1;
    const Plan plan = buildPlan(map, PlanSettings{}, std::nullopt, {excluded, scar});
    CHECK(dotsIn(plan.dots, {10.5, 10.5, 19, 19}) == 0);
    // The scar: 60 dots/cm2 over 4 cm2, all 1RL; the rest 110 dots/cm2 in 3RL.
    const std::size_t inScar = dotsIn(plan.dots, {45, 20, 20, 20});
    CHECK(static_cast<double>(inScar) == Approx(240).epsilon(0.03));
    for (const Dot &d : plan.dots)
        if (RectMm{45.5, 20.5, 19, 19}.contains(d.position))
            CHECK(d.needle == Needle::RL1);
    CHECK(dotsIn(plan.dots, {10, 40, 20, 20}) == Approx(440).epsilon(0.03));
    CHECK(plan.treatedAreaCm2 == Approx(48 - 4).epsilon(0.01));
    for (const Dot &d : plan.dots)
        if (RectMm{0, 40, 40, 20}.contains(d.position))
            CHECK(d.needle == Needle::RL3);

    // A later zone wins where zones overlap: a scar drawn over part of the excluded area.
    TreatmentZone over = square(TreatmentZone::Kind::Scar, 20, 10, 10);
    const Plan layered = buildPlan(map, PlanSettings{}, std::nullopt, {excluded, over});
    CHECK(dotsIn(layered.dots, {10.5, 10.5, 9, 19}) == 0);
    CHECK(dotsIn(layered.dots, {20, 10, 10, 10}) == Approx(110).epsilon(0.05));

    // Zones travel with the plan file; a zones file reads back the same.
    const Plan back = parsePlanJson(planJson(plan));
    REQUIRE(back.zones.size() == 2);
    CHECK(back.zones[1].kind == TreatmentZone::Kind::Scar);
    CHECK(back.zones[1].densityDotsPerCm2 == 60);
    CHECK(back.zones[1].outline[2].x == 65);
    const std::string svg = planSvg(plan, {0, 0, 80, 60});
    CHECK(svg.find("id=\"zone-1-exclude\"") != std::string::npos);
    CHECK(svg.find("id=\"zone-2-scar\"") != std::string::npos);
    const auto zones = parseZonesJson(zonesJson(plan.zones));
    REQUIRE(zones.size() == 2);
    CHECK(zones[0].kind == TreatmentZone::Kind::Exclude);
}

TEST_CASE("bad zones are refused with the zone and field named", "[planning]")
{
    TreatmentZone line = square(TreatmentZone::Kind::Exclude, 0, 0, 5);
    line.outline.pop_back();
    line.outline.pop_back();
    CHECK_THROWS_WITH(buildPlan(gradeMap(40, 30, 5), PlanSettings{}, std::nullopt, {line}),
                      Catch::Contains("zone 1 (exclude)") && Catch::Contains("3 points"));
    TreatmentZone scar = square(TreatmentZone::Kind::Scar, 0, 0, 5);
    scar.densityDotsPerCm2 = 500;
    CHECK_THROWS_WITH(buildPlan(gradeMap(40, 30, 5), PlanSettings{}, std::nullopt, {scar}),
                      Catch::Contains("zone 1 (scar)") && Catch::Contains("40 to 200"));
    CHECK_THROWS_WITH(parseZonesJson(R"({"zones": [{"kind": "mole", "outline_mm": []}]})"),
                      Catch::Contains("zones[0].kind"));
    CHECK_THROWS_WITH(
        parseZonesJson(R"({"zones": [{"kind": "scar", "outline_mm": [[0,0],[1,0],[1,"a"]]}]})"),
        Catch::Contains("zones[0].outline_mm[2]"));
    CHECK_THROWS_WITH(parseZonesJson(
                          R"({"zones": [{"kind": "scar", "outline_mm": [[0,0],[9,0],[9,9]],
                              "density_dots_per_cm2": 20}]})"),
                      Catch::Contains("zones[0].density_dots_per_cm2"));
    CHECK_THROWS_WITH(parseZonesJson("[]"), Catch::Contains("zones"));
}

TEST_CASE("adding or removing a zone re-places only the dots within it", "[planning]")
{
    const GradeMap map = gradeMap(80, 60, 5);
    const Plan before = buildPlan(map, PlanSettings{}, std::nullopt);
    const TreatmentZone excluded = square(TreatmentZone::Kind::Exclude, 30, 20, 15);
    const Plan after = replanZones(before, map, {excluded});
    REQUIRE(after.zones.size() == 1);
    CHECK(dotsIn(after.dots, {30.5, 20.5, 14, 14}) == 0);
    // Every dot away from the zone is exactly where it was.
    const RectMm changed = zonesChangeArea(before.zones, after.zones);
    std::size_t outside = 0, kept = 0;
    for (const Dot &d : before.dots) {
        if (changed.contains(d.position))
            continue;
        ++outside;
        kept += std::any_of(after.dots.begin(), after.dots.end(), [&](const Dot &e) {
            return e.position.x == d.position.x && e.position.y == d.position.y &&
                   e.session == d.session;
        });
    }
    CHECK(outside > 3000);
    CHECK(kept == outside);
    CHECK(after.treatedAreaCm2 == Approx(48 - 2.25).epsilon(0.01));
    // Undoing it fills the area again at the full density, the rest still untouched.
    const Plan undone = replanZones(after, map, {});
    CHECK(dotsIn(undone.dots, {30, 20, 15, 15}) == Approx(247).epsilon(0.05));
    CHECK(undone.treatedAreaCm2 == Approx(48).epsilon(0.01));
    const DensityFunction target = planDensity(map, undone.settings, std::nullopt);
    const PlanMetrics m = measurePlan(
        [&] {
            std::vector<SampledDot> s;
            for (const Dot &d : undone.dots)
                s.push_back({d.position, d.session});
            return s;
        }(),
        target, sessionShares(3));
    CHECK(m.spreads[0].minNormalisedNearest >= 0.70);
    CHECK(m.minDistanceMm >= 0.15);
}

TEST_CASE("hairline guides: Garg's 8-8-8 from the face points, presets, a tilted head",
          "[planning]")
{
    FaceLandmarks face;
    face.leftEyeCorner = {60, 150};
    face.rightEyeCorner = {160, 150};
    face.glabella = {110, 140};
    const HairlineGuides mature = hairlineGuides(face, HairlinePreset::Mature);
    // The mid-frontal point 80 mm above the glabella; the frontotemporal angles 80 mm above the
    // outer eye corners, on their verticals; the temple points 10 mm out, 5/8 of the way down.
    CHECK(mature.midFrontal.x == Approx(110));
    CHECK(mature.midFrontal.y == Approx(60));
    CHECK(mature.frontotemporal[0].x == Approx(60));
    CHECK(mature.frontotemporal[0].y == Approx(70));
    CHECK(mature.frontotemporal[1].x == Approx(160));
    CHECK(mature.temple[0].x == Approx(50));
    CHECK(mature.temple[0].y == Approx(120));
    CHECK(mature.temple[1].x == Approx(170));

    // Presets: the juvenile line lowest, the receded highest, corners receding with it.
    const auto juvenile = hairlineGuides(face, HairlinePreset::Juvenile);
    const auto receded = hairlineGuides(face, HairlinePreset::Receded);
    CHECK(juvenile.midFrontal.y > mature.midFrontal.y);
    CHECK(receded.midFrontal.y < mature.midFrontal.y);
    CHECK(mature.midFrontal.y - receded.midFrontal.y == Approx(15));
    CHECK(receded.frontotemporal[0].y < receded.midFrontal.y); // corners recede past the middle
    // Women: a third of the face, from the chin point (glabella to chin 130 mm: 65 mm up).
    face.chin = PointMm{110, 270};
    const auto female = hairlineGuides(face, HairlinePreset::Female);
    CHECK(female.midFrontal.y == Approx(140 - 65));
    CHECK(female.frontotemporal[0].y > female.midFrontal.y); // rounded, corners lower
    face.chin.reset();
    CHECK(hairlineGuides(face, HairlinePreset::Female).midFrontal.y == Approx(80));

    // The preset line runs through the guides and treats above it (a front view): a plan on a
    // bald front view puts no dots on the forehead below the line, and the line is not straight.
    const Hairline line = presetHairline(mature);
    CHECK(line.treatedAbove);
    REQUIRE(line.controlPoints.size() == 7);
    CHECK(hairlineY(line, 110) == Approx(60).margin(0.01));
    CHECK(hairlineY(line, 60) == Approx(70).margin(0.01));
    CHECK(hairlineY(line, 85) < 70); // rounded between the corner and the middle
    CHECK(hairlineY(line, 85) > 60);
    const Plan plan = buildPlan(gradeMap(220, 200, 5), PlanSettings{}, line);
    // Measured vertically where the line is nearly level (between the corners).
    std::size_t belowLine = 0, aboveLine = 0;
    for (const Dot &d : plan.dots) {
        if (d.position.x < 65 || d.position.x > 155)
            continue;
        const double edge = hairlineY(line, d.position.x);
        belowLine += d.position.y > edge + line.isolatedZoneMm + 2.5;
        aboveLine += d.position.y < edge - 20;
    }
    CHECK(belowLine == 0);
    CHECK(aboveLine > 3000);
    // 1RL along the line (now below the treated side), 3RL far above it.
    for (const Dot &d : plan.dots)
        if (d.position.x > 65 && d.position.x < 155 &&
            d.position.y < hairlineY(line, d.position.x) - 25)
            CHECK(d.needle == Needle::RL3);
    // The treated side survives the plan file.
    CHECK(parsePlanJson(planJson(plan)).hairline->treatedAbove);

    // A head tilted by 10 degrees gets guides in its own frame.
    const double t = 10 * std::numbers::pi / 180;
    const auto turn = [&](PointMm p) {
        const double x = p.x - 110, y = p.y - 140;
        return PointMm{110 + x * std::cos(t) - y * std::sin(t),
                       140 + x * std::sin(t) + y * std::cos(t)};
    };
    FaceLandmarks tilted{turn({110, 140}), turn({60, 150}), turn({160, 150}), std::nullopt};
    const auto g = hairlineGuides(tilted, HairlinePreset::Mature);
    const PointMm expected = turn({110, 60});
    CHECK(g.midFrontal.x == Approx(expected.x));
    CHECK(g.midFrontal.y == Approx(expected.y));
    CHECK_NOTHROW(presetHairline(g));
}

TEST_CASE("the face outline takes the face and low forehead, not the hairline's guides",
          "[planning]")
{
    // Ray casting: is p inside the polygon?
    const auto inside = [](const std::vector<PointMm> &polygon, PointMm p) {
        bool in = false;
        for (std::size_t a = 0, b = polygon.size() - 1; a < polygon.size(); b = a++) {
            const PointMm &pa = polygon[a], &pb = polygon[b];
            if ((pa.y > p.y) != (pb.y > p.y) &&
                p.x < (pb.x - pa.x) * (p.y - pa.y) / (pb.y - pa.y) + pa.x)
                in = !in;
        }
        return in;
    };
    FaceLandmarks face{{110, 140}, {60, 150}, {160, 150}, std::nullopt};
    const HairlineGuides guides = hairlineGuides(face, HairlinePreset::Juvenile);
    const std::vector<PointMm> outline = faceOutline(guides);
    // The eyes, the chin, the cheeks beyond the eye corners, the forehead 40 mm up: face.
    for (const PointMm p : {PointMm{60, 150}, PointMm{110, 260}, PointMm{30, 200},
                            PointMm{110, 100}, PointMm{70, 101}})
        CHECK(inside(outline, p));
    // The lowest preset's mid-frontal point (65 mm up), its corners and temple points, and the
    // forehead 40 mm up beyond the eye-corner verticals (the temples' hair): not taken off.
    for (const PointMm p :
         {guides.midFrontal, guides.frontotemporal[0], guides.frontotemporal[1], guides.temple[0],
          guides.temple[1], PointMm{110, 90}, PointMm{40, 100}, PointMm{180, 100}})
        CHECK_FALSE(inside(outline, p));
    // A short face (glabella to chin 90 mm; a third of it 45 mm): the forehead stops 10 mm under
    // that line.
    face.chin = PointMm{110, 230};
    const auto shortFace = faceOutline(hairlineGuides(face, HairlinePreset::Female));
    CHECK(inside(shortFace, {110, 106}));
    CHECK_FALSE(inside(shortFace, {110, 104}));
    // A tilted head: the outline turns with it (the glabella's forehead point, 30 mm along the
    // face's up, is inside; 60 mm along it is not).
    const double t = 15 * std::numbers::pi / 180;
    const auto turn = [&](PointMm p) {
        const double x = p.x - 110, y = p.y - 140;
        return PointMm{110 + x * std::cos(t) - y * std::sin(t),
                       140 + x * std::sin(t) + y * std::cos(t)};
    };
    const auto tilted = faceOutline(hairlineGuides(
        FaceLandmarks{turn({110, 140}), turn({60, 150}), turn({160, 150}), std::nullopt},
        HairlinePreset::Mature));
    CHECK(inside(tilted, turn({110, 110})));
    CHECK_FALSE(inside(tilted, turn({110, 80})));
    CHECK_FALSE(inside(tilted, turn({40, 100})));
}

TEST_CASE("implausible face points are refused with the point named", "[planning]")
{
    FaceLandmarks face{{110, 140}, {60, 150}, {160, 150}, std::nullopt};
    FaceLandmarks close = face;
    close.rightEyeCorner = {80, 150};
    CHECK_THROWS_WITH(hairlineGuides(close, HairlinePreset::Mature),
                      Catch::Contains("eye corners") && Catch::Contains("20 mm apart"));
    FaceLandmarks swapped = face;
    std::swap(swapped.leftEyeCorner, swapped.rightEyeCorner);
    CHECK_THROWS_WITH(hairlineGuides(swapped, HairlinePreset::Mature),
                      Catch::Contains("eye corners"));
    FaceLandmarks low = face;
    low.glabella = {110, 200};
    CHECK_THROWS_WITH(hairlineGuides(low, HairlinePreset::Mature), Catch::Contains("glabella"));
    FaceLandmarks tilted = face;
    tilted.rightEyeCorner = {150, 100};
    CHECK_THROWS_WITH(hairlineGuides(tilted, HairlinePreset::Mature), Catch::Contains("tilted"));
    FaceLandmarks chin = face;
    chin.chin = PointMm{110, 150};
    CHECK_THROWS_WITH(hairlineGuides(chin, HairlinePreset::Female), Catch::Contains("chin"));
    CHECK(presetFromName("receded") == HairlinePreset::Receded);
    CHECK_FALSE(presetFromName("bold").has_value());
}

TEST_CASE("a plan design (the autosaved draft) round-trips, unfinished hairline and all",
          "[planning]")
{
    PlanDesign design;
    design.densityDotsPerCm2 = 95;
    design.sessions = 4;
    design.seed = 18446744073709551557ULL;           // 64 bits survive
    design.hairline.controlPoints = {{12.5, 30.25}}; // one point: still being drawn
    design.hairline.treatedAbove = true;
    design.zones = {square(TreatmentZone::Kind::Scar, 5, 5, 10)};
    design.zones[0].densityDotsPerCm2 = 70;
    design.facePoints = {{50, 80}, {20, 90}};
    design.basedOnPlanId = 42;
    PlanDesign back = parsePlanDesignJson(planDesignJson(design));
    CHECK(back.densityDotsPerCm2 == 95);
    CHECK(back.sessions == 4);
    CHECK(back.seed == design.seed);
    REQUIRE(back.hairline.controlPoints.size() == 1);
    CHECK(back.hairline.controlPoints[0].y == 30.25);
    CHECK(back.hairline.treatedAbove);
    REQUIRE(back.zones.size() == 1);
    CHECK(back.zones[0].kind == TreatmentZone::Kind::Scar);
    CHECK(back.zones[0].densityDotsPerCm2 == 70);
    CHECK(back.facePoints.size() == 2);
    CHECK(back.basedOnPlanId == 42);
    CHECK_FALSE(back.plan.has_value());

    // With the dots made.
    Hairline hairline;
    hairline.controlPoints = {{5, 10}, {20, 8}, {35, 11}};
    design.hairline = hairline;
    design.plan = buildPlan(gradeMap(40, 30, 4), PlanSettings{}, hairline);
    back = parsePlanDesignJson(planDesignJson(design));
    REQUIRE(back.plan.has_value());
    CHECK(back.plan->dots.size() == design.plan->dots.size());
    CHECK(back.plan->dots[7].position.x == Approx(design.plan->dots[7].position.x).margin(0.0005));

    CHECK_THROWS_WITH(parsePlanDesignJson("{\"schema\": \"smp-plan\"}"),
                      Catch::Contains("plan design"));
    std::string bad = planDesignJson(design);
    bad.replace(bad.find("\"sessions\":4"), 12, "\"sessions\":9");
    CHECK_THROWS_WITH(parsePlanDesignJson(bad), Catch::Contains("sessions"));
}
