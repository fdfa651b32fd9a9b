#include "smp/planning/PlanFiles.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace smp::planning {

namespace {

using Json = nlohmann::json;

std::string fixed(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

double parseNumber(std::string_view field, std::string_view name, int line)
{
    double value = 0;
    const auto result = std::from_chars(field.data(), field.data() + field.size(), value);
    if (result.ec != std::errc() || result.ptr != field.data() + field.size() ||
        !std::isfinite(value))
        throw PlanFileError("line " + std::to_string(line) + ", field " + std::string(name) +
                            ": '" + std::string(field) + "' is not a number");
    return value;
}

Needle parseNeedle(std::string_view text, const std::string &where)
{
    if (text == "1RL")
        return Needle::RL1;
    if (text == "3RL")
        return Needle::RL3;
    throw PlanFileError(where + ": needle '" + std::string(text) + "' is not 1RL or 3RL");
}

// Reads a required member of a JSON object, naming its path when it is missing or of the wrong
// kind.
const Json &member(const Json &object, const std::string &path, const char *name)
{
    const std::string full = path.empty() ? name : path + "." + name;
    if (!object.is_object() || !object.contains(name))
        throw PlanFileError("field '" + full + "' is missing");
    return object.at(name);
}

double number(const Json &object, const std::string &path, const char *name, double low,
              double high)
{
    const Json &value = member(object, path, name);
    const std::string full = path.empty() ? name : path + "." + name;
    if (!value.is_number())
        throw PlanFileError("field '" + full + "' must be a number");
    const double v = value.get<double>();
    if (!(v >= low && v <= high))
        throw PlanFileError("field '" + full + "' is " + fixed(v, 3) + ", outside " +
                            fixed(low, 2) + " to " + fixed(high, 2));
    return v;
}

// Parses `text` as a JSON object; `expected` says what the object should be when it is not one.
Json parseObject(std::string_view text, const std::string &expected)
{
    Json j;
    try {
        j = Json::parse(text);
    } catch (const Json::parse_error &e) {
        throw PlanFileError(std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw PlanFileError(expected);
    return j;
}

// Reads a list of at least `least` points [x_mm, y_mm] at field `field`.
std::vector<PointMm> readPoints(const Json &array, const std::string &field, std::size_t least)
{
    if (!array.is_array() || array.size() < least)
        throw PlanFileError("field '" + field + "' must hold at least " + std::to_string(least) +
                            " points");
    std::vector<PointMm> points;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const Json &p = array[i];
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            throw PlanFileError("field '" + field + "[" + std::to_string(i) +
                                "]' must be [x_mm, y_mm]");
        points.push_back({p[0].get<double>(), p[1].get<double>()});
    }
    return points;
}

Json hairlineObject(const Hairline &h)
{
    Json points = Json::array();
    for (const PointMm &p : h.controlPoints)
        points.push_back({p.x, p.y});
    return {{"control_points_mm", points},
            {"treated_side", h.treatedAbove ? "above" : "below"},
            {"transition_mm", h.transitionMm},
            {"macro_amplitude_mm", h.macroAmplitudeMm},
            {"macro_wavelength_mm", h.macroWavelengthMm},
            {"micro_amplitude_mm", h.microAmplitudeMm},
            {"micro_wavelength_mm", h.microWavelengthMm},
            {"isolated_zone_mm", h.isolatedZoneMm},
            {"isolated_share", h.isolatedShare}};
}

// Reads a hairline object; `complete` requires every field (a plan file), else the missing ones
// keep their defaults (a hand-written hairline file). A hairline being drawn (a design) may have
// fewer than two points: `leastPoints`.
Hairline readHairline(const Json &object, const std::string &path, bool complete,
                      std::size_t leastPoints = 2)
{
    Hairline h;
    h.controlPoints = readPoints(member(object, path, "control_points_mm"),
                                 path + ".control_points_mm", leastPoints);
    // Optional everywhere: plans from before front-view hairlines treat below the line.
    if (object.contains("treated_side")) {
        const Json &side = object.at("treated_side");
        if (side != "below" && side != "above")
            throw PlanFileError("field '" + path +
                                ".treated_side' must be \"below\" (a top view) " +
                                "or \"above\" (a front view)");
        h.treatedAbove = side == "above";
    }
    const auto optional = [&](const char *name, double &target, double low, double high) {
        if (complete || object.contains(name))
            target = number(object, path, name, low, high);
    };
    optional("transition_mm", h.transitionMm, 0, 50);
    optional("macro_amplitude_mm", h.macroAmplitudeMm, 0, 20);
    optional("macro_wavelength_mm", h.macroWavelengthMm, 1, 200);
    optional("micro_amplitude_mm", h.microAmplitudeMm, 0, 5);
    optional("micro_wavelength_mm", h.microWavelengthMm, 0.5, 50);
    optional("isolated_zone_mm", h.isolatedZoneMm, 0, 20);
    optional("isolated_share", h.isolatedShare, 0, 1);
    return h;
}

Json zonesArray(const std::vector<TreatmentZone> &zones)
{
    Json array = Json::array();
    for (const TreatmentZone &zone : zones) {
        Json outline = Json::array();
        for (const PointMm &p : zone.outline)
            outline.push_back({std::round(p.x * 1000) / 1000, std::round(p.y * 1000) / 1000});
        Json object = {{"kind", zoneKindName(zone.kind)}, {"outline_mm", outline}};
        if (zone.kind == TreatmentZone::Kind::Scar) {
            object["density_dots_per_cm2"] = zone.densityDotsPerCm2;
            object["needle"] = needleName(zone.needle);
        }
        array.push_back(object);
    }
    return array;
}

// Reads a list of zones; a scar's density and needle default to 110 and 1RL when left out.
std::vector<TreatmentZone> readZones(const Json &array, const std::string &path)
{
    if (!array.is_array())
        throw PlanFileError("field '" + path + "' must be a list of areas");
    std::vector<TreatmentZone> zones;
    for (std::size_t z = 0; z < array.size(); ++z) {
        const Json &object = array[z];
        const std::string where = path + "[" + std::to_string(z) + "]";
        TreatmentZone zone;
        const Json &kind = member(object, where, "kind");
        if (kind == "exclude")
            zone.kind = TreatmentZone::Kind::Exclude;
        else if (kind == "scar")
            zone.kind = TreatmentZone::Kind::Scar;
        else
            throw PlanFileError("field '" + where + ".kind' must be \"exclude\" or \"scar\"");
        zone.outline = readPoints(member(object, where, "outline_mm"), where + ".outline_mm", 3);
        if (zone.kind == TreatmentZone::Kind::Scar) {
            if (object.contains("density_dots_per_cm2"))
                zone.densityDotsPerCm2 = number(object, where, "density_dots_per_cm2", 40, 200);
            if (object.contains("needle")) {
                const Json &needle = object.at("needle");
                if (!needle.is_string())
                    throw PlanFileError("field '" + where + ".needle' must be \"1RL\" or \"3RL\"");
                zone.needle = parseNeedle(needle.get<std::string>(), "field '" + where + "'");
            }
        }
        zones.push_back(std::move(zone));
    }
    return zones;
}

} // namespace

std::string zonesJson(const std::vector<TreatmentZone> &zones)
{
    return Json{{"zones", zonesArray(zones)}}.dump(1) + '\n';
}

std::vector<TreatmentZone> parseZonesJson(std::string_view text)
{
    const Json j = parseObject(text, "zones must be a JSON object with a list \"zones\"");
    return readZones(member(j, "", "zones"), "zones");
}

FaceLandmarks parseFaceJson(std::string_view text)
{
    const Json j =
        parseObject(text, "face points must be a JSON object (glabella_mm, left_eye_corner_mm, "
                          "right_eye_corner_mm, chin_mm)");
    const auto point = [&](const char *name) {
        const Json &p = member(j, "", name);
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            throw PlanFileError(std::string("field '") + name + "' must be [x_mm, y_mm]");
        return PointMm{p[0].get<double>(), p[1].get<double>()};
    };
    FaceLandmarks face;
    face.glabella = point("glabella_mm");
    face.leftEyeCorner = point("left_eye_corner_mm");
    face.rightEyeCorner = point("right_eye_corner_mm");
    if (j.contains("chin_mm"))
        face.chin = point("chin_mm");
    return face;
}

std::string hairlineJson(const Hairline &hairline)
{
    return hairlineObject(hairline).dump(1) + '\n';
}

Hairline parseHairlineJson(std::string_view text)
{
    const Json j = parseObject(text, "a hairline must be a JSON object with control_points_mm");
    return readHairline(j, "hairline", false);
}

const char *sessionColour(int session)
{
    static const char *const kColours[] = {"#1f77b4", "#d62728", "#2ca02c",
                                           "#9467bd", "#ff7f0e", "#8c564b"};
    return kColours[std::clamp(session, 1, 6) - 1];
}

std::string dotsCsv(const std::vector<Dot> &dots)
{
    std::string out = kDotsCsvHeader;
    out += '\n';
    out.reserve(dots.size() * 40);
    for (const Dot &d : dots) {
        out += fixed(d.position.x, 3) + ',' + fixed(d.position.y, 3) + ',' +
               std::to_string(d.session) + ',' + needleName(d.needle) + ',' +
               fixed(d.freshDiameterMm, 3) + ',' + fixed(d.healedDiameterMm, 3) + ',' +
               fixed(d.shade, 3) + '\n';
    }
    return out;
}

std::vector<Dot> parseDotsCsv(std::string_view text)
{
    std::vector<Dot> dots;
    int line = 0;
    std::size_t start = 0;
    bool header = true;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view row = text.substr(start, end - start);
        start = end + 1;
        ++line;
        if (!row.empty() && row.back() == '\r')
            row.remove_suffix(1);
        if (row.empty())
            continue;
        if (header) {
            if (row != kDotsCsvHeader)
                throw PlanFileError("line 1: the header must be '" + std::string(kDotsCsvHeader) +
                                    "'");
            header = false;
            continue;
        }
        std::vector<std::string_view> fields;
        std::size_t from = 0;
        while (true) {
            const std::size_t comma = row.find(',', from);
            fields.push_back(
                row.substr(from, comma == std::string_view::npos ? row.npos : comma - from));
            if (comma == std::string_view::npos)
                break;
            from = comma + 1;
        }
        if (fields.size() != 7)
            throw PlanFileError("line " + std::to_string(line) + ": " +
                                std::to_string(fields.size()) + " fields, 7 expected");
        Dot d;
        d.position = {parseNumber(fields[0], "x_mm", line), parseNumber(fields[1], "y_mm", line)};
        const double session = parseNumber(fields[2], "session", line);
        if (session != std::floor(session) || session < 1 || session > 6)
            throw PlanFileError("line " + std::to_string(line) +
                                ", field session: must be a whole number 1 to 6");
        d.session = static_cast<int>(session);
        d.needle = parseNeedle(fields[3], "line " + std::to_string(line) + ", field needle");
        d.freshDiameterMm = parseNumber(fields[4], "fresh_diameter_mm", line);
        d.healedDiameterMm = parseNumber(fields[5], "healed_diameter_mm", line);
        if (d.freshDiameterMm <= 0 || d.freshDiameterMm > 2 || d.healedDiameterMm <= 0 ||
            d.healedDiameterMm > 2)
            throw PlanFileError("line " + std::to_string(line) +
                                ": diameters must be above 0 and at most 2 mm (are they in mm?)");
        d.shade = parseNumber(fields[6], "shade", line);
        if (d.shade < 0 || d.shade > 1)
            throw PlanFileError("line " + std::to_string(line) +
                                ", field shade: must be 0 to 1 (the pigment share of the mix)");
        dots.push_back(d);
    }
    if (header)
        throw PlanFileError("the file is empty: no header line");
    return dots;
}

namespace {

Json planObject(const Plan &plan)
{
    const PlanSettings &s = plan.settings;
    Json j;
    j["schema"] = "smp-plan";
    j["schema_version"] = kPlanSchemaVersion;
    j["algorithm"] = kPlanAlgorithm;
    j["algorithm_version"] = kPlanAlgorithmVersion;
    j["seed"] = std::to_string(s.seed); // 64 bits do not survive a JSON double
    j["settings"] = {
        {"density_dots_per_cm2", s.densityDotsPerCm2},
        {"sessions", s.sessions},
        {"grade_share",
         {s.gradeShare[0], s.gradeShare[1], s.gradeShare[2], s.gradeShare[3], s.gradeShare[4]}},
        {"hairline_needle_zone_mm", s.hairlineNeedleZoneMm},
        {"fresh_diameter_mm", {s.freshDiameterMm[0], s.freshDiameterMm[1]}},
        {"healed_diameter_mm", {s.healedDiameterMm[0], s.healedDiameterMm[1]}},
        {"first_shade", s.firstShade},
        {"last_shade", s.lastShade},
        {"impressions_per_minute", s.impressionsPerMinute},
        {"break_every_minutes", s.breakEveryMinutes},
        {"break_minutes", s.breakMinutes},
        {"max_session_minutes", s.maxSessionMinutes}};
    j["hairline"] = plan.hairline ? hairlineObject(*plan.hairline) : Json(nullptr);
    j["zones"] = zonesArray(plan.zones);
    j["treated_area_cm2"] = plan.treatedAreaCm2;
    Json sessions = Json::array();
    for (const SessionSummary &x : plan.sessions)
        sessions.push_back({{"session", x.session},
                            {"dots", x.dots},
                            {"dots_1rl", x.dots1RL},
                            {"dots_3rl", x.dots3RL},
                            {"shade", x.shade},
                            {"minutes", x.minutes},
                            {"sittings", x.sittings}});
    j["sessions"] = sessions;
    j["notices"] = plan.notices;
    j["dots_columns"] = kDotsCsvHeader;
    Json dots = Json::array();
    for (const Dot &d : plan.dots)
        dots.push_back({std::round(d.position.x * 1000) / 1000,
                        std::round(d.position.y * 1000) / 1000, d.session, needleName(d.needle),
                        d.freshDiameterMm, d.healedDiameterMm, d.shade});
    j["dots"] = dots;
    return j;
}

Plan readPlan(const Json &j)
{
    if (!j.is_object() || j.value("schema", std::string()) != "smp-plan")
        throw PlanFileError("field 'schema': not an SMP Planner plan (\"smp-plan\" expected)");
    const Json &version = member(j, "", "schema_version");
    if (!version.is_number_integer())
        throw PlanFileError("field 'schema_version' must be a whole number");
    if (version.get<int>() > kPlanSchemaVersion)
        throw PlanFileError("field 'schema_version' is " + std::to_string(version.get<int>()) +
                            ": the plan was written by a newer SMP Planner (this one reads " +
                            std::to_string(kPlanSchemaVersion) + ")");
    if (version.get<int>() < 1)
        throw PlanFileError("field 'schema_version' must be 1 or more");
    Plan plan;
    PlanSettings &s = plan.settings;
    const Json &seed = member(j, "", "seed");
    if (!seed.is_string())
        throw PlanFileError("field 'seed' must be a string of digits");
    try {
        std::size_t used = 0;
        s.seed = std::stoull(seed.get<std::string>(), &used);
        if (used != seed.get<std::string>().size())
            throw std::invalid_argument("trailing");
    } catch (const std::exception &) {
        throw PlanFileError("field 'seed' must be a string of digits");
    }
    const Json &settings = member(j, "", "settings");
    s.densityDotsPerCm2 = number(settings, "settings", "density_dots_per_cm2", 40, 200);
    s.sessions = static_cast<int>(number(settings, "settings", "sessions", 2, 6));
    const Json &shares = member(settings, "settings", "grade_share");
    if (!shares.is_array() || shares.size() != 5)
        throw PlanFileError("field 'settings.grade_share' must be 5 numbers");
    for (std::size_t i = 0; i < 5; ++i) {
        if (!shares[i].is_number() || shares[i].get<double>() < 0 || shares[i].get<double>() > 1)
            throw PlanFileError("field 'settings.grade_share[" + std::to_string(i) +
                                "]' must be 0 to 1");
        s.gradeShare[i] = shares[i].get<double>();
    }
    s.hairlineNeedleZoneMm = number(settings, "settings", "hairline_needle_zone_mm", 0, 100);
    for (const auto &[name, target] : {std::pair{"fresh_diameter_mm", s.freshDiameterMm},
                                       {"healed_diameter_mm", s.healedDiameterMm}}) {
        const Json &pair = member(settings, "settings", name);
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number() ||
            pair[0].get<double>() <= 0 || pair[0].get<double>() > 2 || pair[1].get<double>() <= 0 ||
            pair[1].get<double>() > 2)
            throw PlanFileError(std::string("field 'settings.") + name +
                                "' must be two diameters in mm (1RL, 3RL), above 0 and at most 2");
        target[0] = pair[0].get<double>();
        target[1] = pair[1].get<double>();
    }
    s.firstShade = number(settings, "settings", "first_shade", 0, 1);
    s.lastShade = number(settings, "settings", "last_shade", 0, 1);
    s.impressionsPerMinute = number(settings, "settings", "impressions_per_minute", 1, 1000);
    s.breakEveryMinutes = number(settings, "settings", "break_every_minutes", 10, 600);
    s.breakMinutes = number(settings, "settings", "break_minutes", 0, 120);
    s.maxSessionMinutes = number(settings, "settings", "max_session_minutes", 30, 720);

    const Json &hairline = member(j, "", "hairline");
    if (!hairline.is_null())
        plan.hairline = readHairline(hairline, "hairline", true);
    // Zones came with schema version 2; a version 1 plan has none.
    if (version.get<int>() >= 2)
        plan.zones = readZones(member(j, "", "zones"), "zones");
    plan.treatedAreaCm2 = number(j, "", "treated_area_cm2", 0, 1e6);
    const Json &dots = member(j, "", "dots");
    if (!dots.is_array())
        throw PlanFileError("field 'dots' must be a list");
    std::vector<SampledDot> sampled;
    std::vector<Dot> parsed;
    for (std::size_t i = 0; i < dots.size(); ++i) {
        const Json &d = dots[i];
        const std::string where = "field 'dots[" + std::to_string(i) + "]'";
        if (!d.is_array() || d.size() != 7 || !d[0].is_number() || !d[1].is_number() ||
            !d[2].is_number_integer() || !d[3].is_string() || !d[4].is_number() ||
            !d[5].is_number() || !d[6].is_number())
            throw PlanFileError(where + " must be [x_mm, y_mm, session, needle, fresh_diameter_mm, "
                                        "healed_diameter_mm, shade]");
        Dot dot;
        dot.position = {d[0].get<double>(), d[1].get<double>()};
        dot.session = d[2].get<int>();
        if (dot.session < 1 || dot.session > s.sessions)
            throw PlanFileError(where + ": session " + std::to_string(dot.session) +
                                " is outside 1 to " + std::to_string(s.sessions));
        dot.needle = parseNeedle(d[3].get<std::string>(), where);
        dot.freshDiameterMm = d[4].get<double>();
        dot.healedDiameterMm = d[5].get<double>();
        dot.shade = d[6].get<double>();
        parsed.push_back(dot);
        sampled.push_back({dot.position, dot.session});
    }
    // Summaries are recomputed from the dots, so a file cannot disagree with itself.
    finishPlan(plan, sampled);
    for (SessionSummary &summary : plan.sessions)
        summary.dots1RL = summary.dots3RL = 0;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        plan.dots[i].needle = parsed[i].needle;
        plan.dots[i].freshDiameterMm = parsed[i].freshDiameterMm;
        plan.dots[i].healedDiameterMm = parsed[i].healedDiameterMm;
        plan.dots[i].shade = parsed[i].shade;
        SessionSummary &summary = plan.sessions[static_cast<std::size_t>(parsed[i].session - 1)];
        (parsed[i].needle == Needle::RL1 ? summary.dots1RL : summary.dots3RL) += 1;
    }
    return plan;
}

} // namespace

std::string planJson(const Plan &plan)
{
    return planObject(plan).dump(1) + '\n';
}

Plan parsePlanJson(std::string_view text)
{
    Json j;
    try {
        j = Json::parse(text);
    } catch (const Json::parse_error &e) {
        throw PlanFileError(std::string("not valid JSON: ") + e.what());
    }
    return readPlan(j);
}

std::string planDesignJson(const PlanDesign &design)
{
    Json face = Json::array();
    for (const PointMm &p : design.facePoints)
        face.push_back({p.x, p.y});
    Json j;
    j["schema"] = "smp-plan-design";
    j["schema_version"] = 1;
    j["density_dots_per_cm2"] = design.densityDotsPerCm2;
    j["sessions"] = design.sessions;
    j["seed"] = std::to_string(design.seed);
    j["hairline"] = hairlineObject(design.hairline);
    j["zones"] = zonesArray(design.zones);
    j["face_points_mm"] = face;
    j["based_on_plan"] = design.basedOnPlanId;
    j["plan"] = design.plan ? planObject(*design.plan) : Json(nullptr);
    return j.dump();
}

PlanDesign parsePlanDesignJson(std::string_view text)
{
    const Json j = parseObject(text, "a plan design must be a JSON object");
    if (j.value("schema", std::string()) != "smp-plan-design")
        throw PlanFileError("field 'schema': not a plan design (\"smp-plan-design\" expected)");
    const Json &version = member(j, "", "schema_version");
    if (!version.is_number_integer() || version.get<int>() != 1)
        throw PlanFileError("field 'schema_version' must be 1 (written by a newer SMP Planner?)");
    PlanDesign design;
    design.densityDotsPerCm2 = number(j, "", "density_dots_per_cm2", 40, 200);
    design.sessions = static_cast<int>(number(j, "", "sessions", 2, 6));
    const Json &seed = member(j, "", "seed");
    if (!seed.is_string() || seed.get<std::string>().empty() ||
        seed.get<std::string>().find_first_not_of("0123456789") != std::string::npos)
        throw PlanFileError("field 'seed' must be a string of digits");
    design.seed = std::stoull(seed.get<std::string>());
    design.hairline = readHairline(member(j, "", "hairline"), "hairline", true, 0);
    design.zones = readZones(member(j, "", "zones"), "zones");
    design.facePoints = readPoints(member(j, "", "face_points_mm"), "face_points_mm", 0);
    const Json &based = member(j, "", "based_on_plan");
    if (!based.is_number_integer() || based.get<std::int64_t>() < 0)
        throw PlanFileError("field 'based_on_plan' must be a plan id or 0");
    design.basedOnPlanId = based.get<std::int64_t>();
    const Json &plan = member(j, "", "plan");
    if (!plan.is_null())
        design.plan = readPlan(plan);
    return design;
}

std::string planSvg(const Plan &plan, RectMm area)
{
    std::ostringstream svg;
    const double legendMm = 14;
    svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fixed(area.width, 2)
        << "mm\" height=\"" << fixed(area.height + legendMm, 2) << "mm\" viewBox=\""
        << fixed(area.x, 3) << ' ' << fixed(area.y, 3) << ' ' << fixed(area.width, 3) << ' '
        << fixed(area.height + legendMm, 3) << "\">\n"
        << "<title>SMP pigment map, 1:1 (units: mm)</title>\n"
        << "<rect x=\"" << fixed(area.x, 3) << "\" y=\"" << fixed(area.y, 3) << "\" width=\""
        << fixed(area.width, 3) << "\" height=\"" << fixed(area.height + legendMm, 3)
        << "\" fill=\"white\"/>\n";
    for (const SessionSummary &session : plan.sessions) {
        svg << "<g id=\"session-" << session.session << "\" fill=\""
            << sessionColour(session.session) << "\">\n";
        for (const Dot &d : plan.dots)
            if (d.session == session.session && area.contains(d.position))
                svg << "<circle cx=\"" << fixed(d.position.x, 3) << "\" cy=\""
                    << fixed(d.position.y, 3) << "\" r=\"" << fixed(d.freshDiameterMm / 2, 3)
                    << "\"/>\n";
        svg << "</g>\n";
    }
    // The outlined areas: left out (grey, dashed) and scars (magenta).
    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
        const TreatmentZone &zone = plan.zones[z];
        const bool scar = zone.kind == TreatmentZone::Kind::Scar;
        svg << "<polygon id=\"zone-" << z + 1 << "-" << zoneKindName(zone.kind)
            << "\" fill=\"none\" stroke-width=\"0.3\" stroke=\"" << (scar ? "#e600a0" : "#666666")
            << "\"" << (scar ? "" : " stroke-dasharray=\"1 0.6\"") << " points=\"";
        for (const PointMm &p : zone.outline)
            svg << fixed(p.x, 3) << ',' << fixed(p.y, 3) << ' ';
        svg << "\"/>\n";
    }
    const double barY = area.y + area.height + 4;
    svg << "<g font-family=\"DejaVu Sans, sans-serif\" font-size=\"3\">\n"
        << "<rect x=\"" << fixed(area.x + 4, 3) << "\" y=\"" << fixed(barY, 3)
        << "\" width=\"10\" height=\"1.2\" fill=\"black\"/>\n"
        << "<text x=\"" << fixed(area.x + 4, 3) << "\" y=\"" << fixed(barY + 5, 3)
        << "\">10 mm</text>\n";
    double x = area.x + 24;
    for (const SessionSummary &session : plan.sessions) {
        svg << "<circle cx=\"" << fixed(x, 3) << "\" cy=\"" << fixed(barY + 0.6, 3)
            << "\" r=\"1.2\" fill=\"" << sessionColour(session.session) << "\"/>\n"
            << "<text x=\"" << fixed(x + 2, 3) << "\" y=\"" << fixed(barY + 1.6, 3) << "\">session "
            << session.session << ": " << session.dots << " dots</text>\n";
        x += 48;
    }
    svg << "</g>\n</svg>\n";
    return svg.str();
}

} // namespace smp::planning
