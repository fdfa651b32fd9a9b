#pragma once

// The texture check: a second opinion on the grade map from the look of the hair.
//
// A random forest learnt from real top views (smp-train-hair-texture, on the hair-loss set's fit
// half: heads labelled Norwood 2 as hair, 6 and 7 as bare scalp) reads small cells of the photo
// and says how much each looks like hair. Where the map grades a cell advanced or bald and the
// forest reads it as hair, the technician is shown it: the map is not changed (the forest has
// seen only the set's light to medium skins and dark hair, and reads the crisp sparse strands of
// an advanced area as hair too: docs/analysis.md, "The texture check").
//
// No OpenCV and no Qt in this header. Cells are kTextureCellPx square on the photo scaled so its
// longer side is kTextureSidePx (the set's photos are that size); `photoPxPerCell` converts.

#include <cstdint>
#include <string>
#include <vector>

namespace smp::analysis {

struct RgbImage;
struct Result;
enum class Grade : std::uint8_t;
enum class View;

// The photo's longer side (px) when its cells are read, and a cell's side there.
inline constexpr int kTextureSidePx = 640;
inline constexpr int kTextureCellPx = 16;
// A cell reads as hair from this probability on.
inline constexpr double kTextureHairProbability = 0.9;

struct TextureCheck
{
    bool applies = false;
    std::string reason;  // why it does not apply, when it does not (a sentence)
    std::string modelId; // the forest that read the cells; empty without one
    int cellsWide = 0;
    int cellsHigh = 0;
    double photoPxPerCell = 0; // a cell's side in photo pixels
    // Per cell, row-major (cellsWide x cellsHigh), how much it looks like hair (0-1); empty unless
    // the check applies.
    std::vector<float> hairProbability;
    // The share (0-1) of the map's advanced and bald area that lies in cells reading hair.
    double lossReadingHair = 0;
};

// The cells of a photo as the forest reads them: hairTextureFeatureNames().size() numbers per
// cell, row-major. Throws std::invalid_argument for an empty image.
struct TextureCells
{
    int cellsWide = 0;
    int cellsHigh = 0;
    double photoPxPerCell = 0;
    std::vector<float> features;
};
TextureCells hairTextureCells(const RgbImage &photo);

// Names of the numbers per cell, in order (CIELAB: L* 0-100, a* and b* about -128..127).
const std::vector<std::string> &hairTextureFeatureNames();

// Installs the forest (cv::ml::RTrees regression of hair 1 / bare 0 on the cell numbers, YAML
// text as RTrees::save() writes it), with an id recorded in every check. Thread-safe; later
// analyses use it. Throws std::invalid_argument when the text is not such a forest.
void setHairTextureModel(const std::string &yaml, const std::string &id);

// The check of an analysed photo: applies to top and crown views (what the forest learnt), when a
// forest is installed and a scalp was found, whichever way round the analysis read the hair
// (until analysis 1.41 only hair read darker than the skin). `result` is analyze()'s for `photo`.
TextureCheck checkHairTexture(const RgbImage &photo, View view, const Result &result);

// Per map pixel (mapWidth x mapHeight, row-major): 1 where the cells' probability, interpolated
// between their centres, is at least kTextureHairProbability, whatever the grade; else 0. Empty
// when the check does not apply. Made once per map (a remap of the whole map), so that marking
// the map as it is corrected is a pass over its grades.
std::vector<std::uint8_t> hairOnMap(const TextureCheck &check, int mapWidth, int mapHeight,
                                    double photoPxPerMapPx);

// Per map pixel: 1 where `grades` (as analysed or as corrected) is advanced or bald and
// hairOnMap() reads hair; else 0. Empty when the check does not apply or does not fit the map.
std::vector<std::uint8_t> lossReadingHair(const TextureCheck &check,
                                          const std::vector<Grade> &grades, int mapWidth,
                                          int mapHeight, double photoPxPerMapPx);

// The share (0-1) of `grades`' advanced and bald pixels that lossReadingHair() marks; 0 without
// any.
double lossReadingHairShare(const TextureCheck &check, const std::vector<Grade> &grades,
                            int mapWidth, int mapHeight, double photoPxPerMapPx);

} // namespace smp::analysis
