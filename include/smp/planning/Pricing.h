#pragma once

// The clinic's tables the plan draws on (no Qt): the dilution table (how much pigment in the mix,
// by skin type and hair colour) and the price list. Both are edited by the clinic and stored as
// JSON in the settings; the readers validate and throw PlanFileError naming the field.

#include <string>
#include <string_view>
#include <vector>

namespace smp::planning {

// One row: for skin types skinTypeMin..skinTypeMax (Fitzpatrick 1-6; 0 for "not recorded") and
// hair colours containing one of `hairColours` (lower case words; empty: any), the pigment share
// of the mix (pigment / (pigment + distilled water)) in the first and the last session.
struct DilutionRow
{
    int skinTypeMin = 0;
    int skinTypeMax = 6;
    std::vector<std::string> hairColours;
    double firstShare = 0.25;
    double lastShare = 0.45;
};

// Rows are tried in order; the first that matches is used.
struct DilutionTable
{
    std::vector<DilutionRow> rows;
};

// Fair skin takes the most dilution (dark pigment turns bluish under it), dark skin the least;
// light hair (grey, white, blond, red) a lighter mix than dark hair on the same skin.
DilutionTable defaultDilutionTable();
const DilutionRow &dilutionFor(const DilutionTable &table, int skinType,
                               std::string_view hairColour);

// A share as a recipe: ml of distilled water to 1 ml of pigment.
double waterMlPerPigmentMl(double pigmentShare);

std::string dilutionTableJson(const DilutionTable &table);
DilutionTable parseDilutionTableJson(std::string_view text);

// Prices by area tier (the treated area decides: hairline, front half, full head) or per
// session, and the touch-up price.
struct PriceList
{
    std::string currency = "USD";
    double hairlineUpToCm2 = 80;
    double hairlinePrice = 1500;
    double frontHalfUpToCm2 = 300;
    double frontHalfPrice = 2500;
    double fullHeadPrice = 3500;
    double perSessionPrice = 0; // above 0: the course is priced per session instead of by tier
    double touchUpPrice = 400;
};

struct Quote
{
    std::string basis; // "hairline", "front half", "full head" or "per session"
    double total = 0;
    double touchUp = 0;
    std::string currency;
};

Quote quoteFor(const PriceList &prices, double treatedAreaCm2, int sessions);

std::string priceListJson(const PriceList &prices);
PriceList parsePriceListJson(std::string_view text);

} // namespace smp::planning
