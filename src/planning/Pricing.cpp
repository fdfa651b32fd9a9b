#include "smp/planning/Pricing.h"

#include "smp/planning/PlanFiles.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace smp::planning {

namespace {

using Json = nlohmann::json;

Json parse(std::string_view text, const char *what)
{
    try {
        Json j = Json::parse(text);
        if (!j.is_object())
            throw PlanFileError(std::string(what) + ": a JSON object is expected");
        return j;
    } catch (const Json::parse_error &e) {
        throw PlanFileError(std::string(what) + ": not valid JSON: " + e.what());
    }
}

std::string compact(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

double number(const Json &object, const std::string &path, const char *name, double low,
              double high)
{
    const std::string full = path + "." + name;
    if (!object.contains(name))
        throw PlanFileError("field '" + full + "' is missing");
    const Json &value = object.at(name);
    if (!value.is_number())
        throw PlanFileError("field '" + full + "' must be a number");
    const double v = value.get<double>();
    if (!(v >= low && v <= high))
        throw PlanFileError("field '" + full + "' is " + compact(v) + ", outside " + compact(low) +
                            " to " + compact(high));
    return v;
}

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

DilutionTable defaultDilutionTable()
{
    const std::vector<std::string> light = {"grey", "gray", "white", "blond", "red", "silver"};
    return {{
        {1, 2, light, 0.15, 0.30},
        {1, 2, {}, 0.20, 0.35},
        {3, 4, light, 0.20, 0.40},
        {3, 4, {}, 0.25, 0.45},
        {5, 6, {}, 0.35, 0.60},
        {0, 6, {}, 0.25, 0.45}, // skin type not recorded
    }};
}

const DilutionRow &dilutionFor(const DilutionTable &table, int skinType,
                               std::string_view hairColour)
{
    const std::string hair = lower(hairColour);
    for (const DilutionRow &row : table.rows) {
        if (skinType < row.skinTypeMin || skinType > row.skinTypeMax)
            continue;
        if (row.hairColours.empty())
            return row;
        for (const std::string &word : row.hairColours)
            if (hair.find(word) != std::string::npos)
                return row;
    }
    static const DilutionRow fallback;
    return fallback;
}

double waterMlPerPigmentMl(double pigmentShare)
{
    return pigmentShare > 0 ? (1 - pigmentShare) / pigmentShare : 0;
}

std::string dilutionTableJson(const DilutionTable &table)
{
    Json rows = Json::array();
    for (const DilutionRow &r : table.rows)
        rows.push_back({{"skin_type_min", r.skinTypeMin},
                        {"skin_type_max", r.skinTypeMax},
                        {"hair_colours", r.hairColours},
                        {"first_pigment_share", r.firstShare},
                        {"last_pigment_share", r.lastShare}});
    return Json{{"dilution_table", rows}}.dump(1) + '\n';
}

DilutionTable parseDilutionTableJson(std::string_view text)
{
    const Json j = parse(text, "dilution table");
    if (!j.contains("dilution_table") || !j.at("dilution_table").is_array() ||
        j.at("dilution_table").empty())
        throw PlanFileError("field 'dilution_table' must be a list of rows");
    DilutionTable table;
    const Json &rows = j.at("dilution_table");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string path = "dilution_table[" + std::to_string(i) + "]";
        const Json &row = rows[i];
        if (!row.is_object())
            throw PlanFileError("field '" + path + "' must be an object");
        DilutionRow r;
        r.skinTypeMin = static_cast<int>(number(row, path, "skin_type_min", 0, 6));
        r.skinTypeMax = static_cast<int>(number(row, path, "skin_type_max", 0, 6));
        if (r.skinTypeMax < r.skinTypeMin)
            throw PlanFileError("field '" + path + ".skin_type_max' is below skin_type_min");
        if (row.contains("hair_colours")) {
            const Json &colours = row.at("hair_colours");
            if (!colours.is_array())
                throw PlanFileError("field '" + path + ".hair_colours' must be a list of words");
            for (const Json &c : colours) {
                if (!c.is_string() || c.get<std::string>().empty())
                    throw PlanFileError("field '" + path +
                                        ".hair_colours' must be a list of words");
                r.hairColours.push_back(lower(c.get<std::string>()));
            }
        }
        r.firstShare = number(row, path, "first_pigment_share", 0.05, 1);
        r.lastShare = number(row, path, "last_pigment_share", 0.05, 1);
        table.rows.push_back(r);
    }
    return table;
}

Quote quoteFor(const PriceList &prices, double treatedAreaCm2, int sessions)
{
    Quote quote;
    quote.currency = prices.currency;
    quote.touchUp = prices.touchUpPrice;
    if (prices.perSessionPrice > 0) {
        quote.basis = "per session";
        quote.total = prices.perSessionPrice * sessions;
    } else if (treatedAreaCm2 <= prices.hairlineUpToCm2) {
        quote.basis = "hairline";
        quote.total = prices.hairlinePrice;
    } else if (treatedAreaCm2 <= prices.frontHalfUpToCm2) {
        quote.basis = "front half";
        quote.total = prices.frontHalfPrice;
    } else {
        quote.basis = "full head";
        quote.total = prices.fullHeadPrice;
    }
    return quote;
}

std::string priceListJson(const PriceList &p)
{
    return Json{{"currency", p.currency},
                {"hairline_up_to_cm2", p.hairlineUpToCm2},
                {"hairline_price", p.hairlinePrice},
                {"front_half_up_to_cm2", p.frontHalfUpToCm2},
                {"front_half_price", p.frontHalfPrice},
                {"full_head_price", p.fullHeadPrice},
                {"per_session_price", p.perSessionPrice},
                {"touch_up_price", p.touchUpPrice}}
               .dump(1) +
           '\n';
}

PriceList parsePriceListJson(std::string_view text)
{
    const Json j = parse(text, "price list");
    PriceList p;
    if (!j.contains("currency") || !j.at("currency").is_string() ||
        j.at("currency").get<std::string>().empty() ||
        j.at("currency").get<std::string>().size() > 8)
        throw PlanFileError("field 'price_list.currency' must be a currency code such as \"USD\"");
    p.currency = j.at("currency").get<std::string>();
    constexpr double kMax = 1e7;
    p.hairlineUpToCm2 = number(j, "price_list", "hairline_up_to_cm2", 0, 1000);
    p.hairlinePrice = number(j, "price_list", "hairline_price", 0, kMax);
    p.frontHalfUpToCm2 = number(j, "price_list", "front_half_up_to_cm2", 0, 1000);
    if (p.frontHalfUpToCm2 < p.hairlineUpToCm2)
        throw PlanFileError("field 'price_list.front_half_up_to_cm2' is below hairline_up_to_cm2");
    p.frontHalfPrice = number(j, "price_list", "front_half_price", 0, kMax);
    p.fullHeadPrice = number(j, "price_list", "full_head_price", 0, kMax);
    p.perSessionPrice = number(j, "price_list", "per_session_price", 0, kMax);
    p.touchUpPrice = number(j, "price_list", "touch_up_price", 0, kMax);
    return p;
}

} // namespace smp::planning
