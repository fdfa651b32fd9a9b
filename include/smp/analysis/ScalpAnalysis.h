#pragma once

// Scalp analysis: from one photo, where is the hair thinning and how badly.
//
// No OpenCV and no Qt in this header. Input is a borrowed 8-bit RGB image; maps come back at a
// working resolution (the photo scaled so its longer side is at most workingMaxSide), with
// `photoPxPerMapPx` to convert. Outlines and areas are given in photo pixels (the photo pixel
// coordinates of storage::Photo) and, when calibrated, in cm2.

#include "smp/analysis/HairTexture.h"
#include "smp/analysis/LossCalibration.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smp::analysis {

struct RgbImage
{
    int width = 0;
    int height = 0;
    std::ptrdiff_t bytesPerLine = 0;
    const std::uint8_t *pixels = nullptr; // R, G, B per pixel; borrowed for the call
};

enum class Label : std::uint8_t
{
    Background = 0,
    Skin = 1,
    Hair = 2,
};

// Thinning relative to the client's own normal coverage (the reference).
enum class Grade : std::uint8_t
{
    NotScalp = 0,
    Normal = 1,
    Mild = 2,
    Moderate = 3,
    Advanced = 4,
    Bald = 5,
};
const char *gradeName(Grade grade);

enum class View
{
    Front,
    Top,
    Crown,
    Back,
    Left,
    Right,
    Other,
};

// Which way the hair lies against the skin, the first thing the unmixing needs (docs/analysis.md,
// step 3): hair darker than the skin (dark hair; grey or blond hair on very light skin) or
// lighter (grey or blond hair on darker skin).
enum class HairTone
{
    Automatic, // the analysis tells: its reddest fifth (the skin) against the head's median
    DarkerThanSkin,
    LighterThanSkin,
};
const char *hairToneName(HairTone tone); // "auto", "darker", "lighter"
// The tone hairToneName() names `name`; nullopt for any other text.
std::optional<HairTone> hairToneFromName(std::string_view name);

struct PointF
{
    double x = 0;
    double y = 0;
};

struct Parameters
{
    View view = View::Top;
    std::optional<double> mmPerPx; // photo millimetres per photo pixel, when calibrated
    // Coverage is averaged over a square window this wide: windowMm when calibrated, else this
    // fraction of the head's width.
    double windowMm = 5.0;
    double windowHeadFraction = 0.035;
    int workingMaxSide = 1024;
    // Grade thresholds on the coverage ratio (coverage / reference): at or above `mild` is
    // normal, below `bald` is bald. Thinning becomes visible at about half the normal coverage.
    double normalAbove = 0.80;
    double mildAbove = 0.60;
    double moderateAbove = 0.40;
    double advancedAbove = 0.15;
    // The reference coverage: this percentile of coverage over the scalp (of the coverage
    // smoothed over a window where it was unmixed in colour, a noisier map), unless the
    // technician gave a reference area (photo pixels, inclusive rectangle): its mean coverage.
    double referencePercentile = 0.90;
    struct Rect
    {
        double x = 0, y = 0, width = 0, height = 0;
    };
    std::optional<Rect> referenceArea;
    // Automatic, or the technician's word where the analysis read it the wrong way round (the
    // test is a near-tie on about a tenth of the real photographs: docs/analysis.md).
    HairTone hairTone = HairTone::Automatic;
    // Regions smaller than this fraction of the scalp are left out of Result::regions and of
    // summarizeGrades()'s loss share; the grade map keeps them, since the phantoms' truth holds
    // such patches too (absorbing them into their surroundings lowered every table's loss IoU:
    // docs/analysis.md, "Small patches").
    double minRegionFraction = 0.003;
    // How the photo is shown: clockwise quarter turns on top of the upright image. Locations
    // ("frontal", "vertex" ...) are named in the shown orientation, where the forehead is up.
    int displayQuarterTurns = 0;
};

struct Region
{
    Grade grade = Grade::Normal;
    std::vector<PointF> outline; // photo pixels, closed polygon
    double areaPx = 0;           // photo pixels
    std::optional<double> areaCm2;
    std::string location; // "frontal", "mid-scalp", "vertex", "temporal", "crown", "occipital"
    PointF centroid;      // photo pixels
};

struct NorwoodEstimate
{
    // "model" (the trained stage model), "rule" (loss-share cut points) or "map" (the model's
    // level was higher than the map's loss allows: highestStageShown(), since 1.16)
    std::string method;
    int level = 0;         // 1-7; 0 when no scalp was found
    std::string stage;     // "I" .. "VII", with a variant letter where told ("IIIa", "III-vertex")
    double confidence = 0; // 0-1
    // The pattern's variant where a top view tells it: "a" (anterior: the loss advances from the
    // front, none at the vertex; named for levels II-V), "vertex" (the loss lies mostly at the
    // vertex; named for level III), else empty.
    std::string variant;
};

struct Result
{
    // Maps at working resolution, row-major, mapWidth * mapHeight entries.
    int mapWidth = 0;
    int mapHeight = 0;
    double photoPxPerMapPx = 1;
    std::vector<Label> labels;
    std::vector<float> coverage; // 0-1: hair coverage averaged over the window; 0 off the scalp
    // 0-1: the share of each map pixel that is hair (the unmixing's reading, not averaged); 0 off
    // the scalp. coveragePercent is its mean over the scalp; kept so that the coverage can be
    // taken again over the scalp as the technician corrects it (what they take off no longer
    // counts).
    std::vector<float> hairFraction;
    std::vector<Grade> grades;

    bool scalpFound = false;
    double scalpConfidence = 0; // 0-1
    std::string noScalpReason;  // when scalpFound is false
    // How hair was told from skin (docs/analysis.md, step 3), for support and comparison:
    // "lightness", "lightness, colour in deep shade" (where skin and hair lie a few L* apart),
    // "colour", "colour: skin, dark and grey hair" (a greying head, since 1.13), or "full head"
    // (no skin showing: hair-coloured pixels are hair); a lightness reading may be followed by
    // "; light read from the hair" (a dense head read again with the light on its hair divided
    // out, since 1.17) or "; light read from the skin" (a sparse head of light hair on darker
    // skin, since 1.30); then "; skin the least red" where the technician's hair tone made the
    // reddest fifth the hair (red hair). Empty when no scalp was found.
    std::string unmixing;
    // The way round the hair was read (DarkerThanSkin or LighterThanSkin; Automatic when no scalp
    // was found), and whether that was Parameters::hairTone rather than the analysis's own test.
    HairTone hairTone = HairTone::Automatic;
    bool hairToneGiven = false;
    // The analysis's own test was a near tie: the skin it found within 3 L* of the head's median
    // lightness, where the way round was decided by a second test (docs/analysis.md, step 3).
    // Such a map is the likeliest to be inside out; false when the technician gave the tone.
    bool hairToneCloseCall = false;
    // How sharp the photo is at the working size (photoSharpness(): L*'s fine detail over its
    // coarse detail on the head; sharp phantoms 1.2-1.7, blurred ones 0.56-0.84), and the share
    // of the head on the hair side taken as the sparse hair's extreme with it (0.02 in a sharp
    // photo, down to 0.005 in a soft one; docs/analysis.md, step 3). 0 when no scalp was found.
    double photoSharpness = 0;
    double hairExtremeShare = 0;
    double referenceCoverage = 0;
    double coveragePercent = 0; // whole-scalp: hair-covered share of the scalp, in percent
    double scalpAreaPx = 0;     // photo pixels
    std::optional<double> scalpAreaCm2;
    // What the analysis took off the head as not scalp, so that the technician knows to look:
    // ears on top, crown and back views, and on back views loss on the outline apart from the
    // crown's (an ear seen flat, a strip of neck). Photo pixels; cm2 when calibrated.
    double takenOffPx = 0;
    std::optional<double> takenOffCm2;
    std::vector<Region> regions; // every connected area of one grade (normal included)
    NorwoodEstimate norwood;
    bool calibrated = false;
    double windowMm = 0;      // the window used, when calibrated
    double windowPhotoPx = 0; // the window used, in photo pixels

    // Numbers describing the result for the stage model (see stageFeatureNames()); empty when no
    // scalp was found.
    std::vector<double> stageFeatures;

    // The texture check's second opinion on the map (HairTexture.h): not applied to the map.
    TextureCheck texture;

    std::string algorithmName = "smp-scalp-coverage";
    std::string algorithmVersion = "1.43"; // 1.1: ears taken off top, crown and back views;
                                           // 1.2: light hair on lighter skin unmixed in colour;
                                           // 1.3: pink skin and full heads of dark hair are
                                           // scalps; ring, texture and lightness stage features;
                                           // 1.4: skin and hair ends found under dense hair;
                                           // 1.5: dark hair in shade, hair end under dense
                                           // dark hair from the local skin; 1.6: light hair
                                           // must be stranded (shine on bald scalps); 1.7:
                                           // dense light hair's end where its shades spread,
                                           // GrabCut from a fixed start, 7 px outline margin;
                                           // 1.8: colour-unmixed heads' reference coverage
                                           // from the map smoothed over a window; 1.9:
                                           // light hair told from dark with the shading
                                           // taken out when the plain test is close, dense
                                           // light heads with little contrast unmixed in
                                           // colour; 1.10: the backdrop between the
                                           // fringe's strands is not bare scalp; 1.11:
                                           // skin found by the redness of the image
                                           // smoothed over 1.5 px (pale skin, dark hair),
                                           // dense colour-unmixed heads' skin end below
                                           // their reddest fifth's, shade too deep for
                                           // lightness unmixed in colour; 1.12: dense dark
                                           // heads' hair end the middle of their far shades;
                                           // 1.13: greying heads (dark and grey strands)
                                           // unmixed in colour with three ends; 1.14:
                                           // dense blond heads' hair end their most common
                                           // colour ratio when their hue agrees; 1.15:
                                           // the technician's hair tone (red hair), a
                                           // full head of grey hair showing little skin
                                           // is a scalp; 1.16: no stage above what the
                                           // map's loss allows (highestStageShown());
                                           // 1.17: dense dark hair read again with the
                                           // light on the hair divided out; 1.18: seen
                                           // from behind, loss on the outline apart from
                                           // the crown's (ears, necks) is not scalp;
                                           // 1.19: where the light was read from the
                                           // hair, its end is not shaded with the skin;
                                           // light hair on darker skin read with the light
                                           // on the hair divided out too; 1.20: a soft
                                           // photo's sparse hair from its darkest 0.5%;
                                           // 1.21: a soft photo's peak of pure hair moved
                                           // towards its extreme; 1.22: a dense head's
                                           // colour ends where JPEG dilutes the colour
                                           // least (2 x 2 maximum and minimum); 1.23:
                                           // a soft photo's reference from the map
                                           // smoothed over its softness times a window;
                                           // 1.24: grey hair's end moved towards the
                                           // neutral where the JPEG diluted its colour;
                                           // 1.25: a dark frame is refused only when its
                                           // head shows too little skin colour (very dark
                                           // skin, well lit, is read); grey hair's
                                           // neutral bound reached 1.65 times past its end;
                                           // 1.26: on top and crown views L* detail may
                                           // vouch for a colour-unmixed mat's strands;
                                           // 1.27: dense dark hair's stranded sheen, where
                                           // no skin colour shows, is hair;
                                           // 1.28: a soft photo's dense dark hair takes
                                           // its skin end from the lightest 1%;
                                           // 1.29: a dense head of light hair with no
                                           // thin area takes a further colour skin end;
                                           // 1.30: a sparse head of light hair on darker
                                           // skin read with the light its skin shows, as
                                           // far as its hair follows it;
                                           // 1.31: a sparse head of grey hair read in
                                           // colour takes its end towards the neutral
                                           // where bare skin shows;
                                           // 1.32: a sparse head read in colour takes its
                                           // skin end at bare skin where it shows;
                                           // 1.33: and, in a soft photo of the scalp alone,
                                           // its hair end nearer the strands' cores
                                           // 1.34: a sparse head of dark hair is read
                                           // with the light its skin shows, as far as its
                                           // hair follows it;
                                           // 1.35: a sparse head read in colour, against
                                           // the skin around each pixel; 1.36: sparse grey
                                           // hair read in lightness, too; 1.37: a sparse
                                           // colour head with no bare patch takes its skin
                                           // end from the pixels it reads nearly bare;
                                           // 1.38: the head's outermost ring, where
                                           // GrabCut takes in the backdrop, left out of
                                           // the windows' counts; 1.39: dark pixels are
                                           // skin-coloured only with a skin's chroma, and
                                           // the skin end is the reddest fifth's
                                           // skin-coloured pixels; 1.40: hair read as
                                           // the lighter is dark when what is not
                                           // skin-coloured lies far darker than the skin;
                                           // 1.41: the texture check also where the hair
                                           // reads lighter than the skin; 1.42: the ears of
                                           // a head turned in the frame taken off too;
                                           // 1.43: a close call on a mostly dark head
                                           // seen from behind or the side reads the hair
                                           // as the darker
    std::string parametersJson;            // every parameter that shaped the result
};

// The regions and the Norwood estimate of a grade map (as computed, or as corrected by the
// technician): every connected area of one grade larger than minRegionFraction of the scalp,
// with outlines and areas in photo pixels and cm2 when mmPerPx is given.
struct GradeSummary
{
    std::vector<Region> regions;
    double lossFraction = 0; // advanced + bald share of the scalp
    NorwoodEstimate norwood;
};
GradeSummary summarizeGrades(const std::vector<Grade> &grades, int mapWidth, int mapHeight,
                             double photoPxPerMapPx, std::optional<double> mmPerPx, View view,
                             double minRegionFraction = 0.003, int displayQuarterTurns = 0);

// The highest Norwood level a grade map showing `lossShare` (advanced plus bald, 0-1 of the
// scalp) may be staged: I under 3%, II under 8% (the loss-share rule's first two cut points),
// else VII. The stage model learnt levels II-VII from photographs of pattern loss whose maps all
// show some (of the 1,014 labelled ones, the 10 under 10% are labelled II or III), and read a
// full head of hair with no loss on its map as III; a stage never claims loss the map does not
// show (since 1.16; docs/analysis.md).
int highestStageShown(double lossShare);

// The Norwood stage of a grade map as the technician corrected it: the stage model's estimate
// for the analysis that made the map (its Result::stageFeatures), moved by as many levels as the
// corrections move the advanced-plus-bald share across the loss-share cut points (so painting
// loss raises the stage, erasing it lowers it; an unchanged map keeps the analysis's stage). `rule`
// (summarizeGrades' loss-share estimate) when there are no features (an analysis stored before they
// were) or no model. Throws std::invalid_argument when the map does not match its size.
NorwoodEstimate stageOfGrades(const std::vector<Grade> &grades, int mapWidth, int mapHeight,
                              std::vector<double> stageFeatures, const NorwoodEstimate &rule);

// The stage `stored` (given by an earlier version of the analysis, whose features this version's
// model does not read) of a grade map corrected from `original` to `corrected` (same size): moved
// as stageOfGrades() moves the model's stage, by the change of the advanced-plus-bald share across
// the loss-share cut points, with the variant of `rule` (summarizeGrades' estimate for the
// corrected map). Unchanged maps keep it. Throws std::invalid_argument when the maps differ in
// size.
NorwoodEstimate movedStage(const NorwoodEstimate &stored, const std::vector<Grade> &original,
                           const std::vector<Grade> &corrected, const NorwoodEstimate &rule);

// One photo's part in combinedStage(): the view it was taken from and its Norwood level (1-7).
struct ViewLevel
{
    View view = View::Other;
    int level = 0;
};

// A person's stage read from several photos taken together (one visit).
struct CombinedStage
{
    int level = 0;     // 1-7
    std::string stage; // "I" .. "VII" (no variant letter: the views may differ on it)
    int photosCounted = 0;
};

// The stage of a person from the stages of their photos: the mean level of the front, top and
// crown views, each photo counting once, rounded to the nearer level (halves up). Back, side and
// other views do not count: over 20 random halvings of the labelled real photographs' people,
// front and top views together read 0.72 levels off on average and 87% within one level, one
// front photo 0.81 / 82% and one top photo 0.75 / 89%; adding the back views at full weight read
// 0.76 / 85%, all five views 0.89 / 79%; on the fixed check half with the shipped model 0.49 /
// 91% (docs/analysis.md, "A person's stage from several views"). Levels outside 1-7 (no scalp
// found) are left out. Empty when no photo counts.
std::optional<CombinedStage> combinedStage(const std::vector<ViewLevel> &photos);

// Whether combinedStage() counts a photo of `view`.
bool countsForCombinedStage(View view);

// Installs the stage model: an OpenCV random forest (cv::ml::RTrees regression, YAML text) that
// maps stageFeatures to a Norwood level, with an id recorded in every result's parameters; when
// the text also holds loss calibrations (stageModelWithCalibration()), the forest's level for a
// photo of a calibrated view is blended with the calibration's level for its loss share.
// Without a model, the stage comes from the loss-share cut points. Thread-safe; later analyses
// use it. Throws std::invalid_argument when the text is not such a model.
void setStageModel(const std::string &yaml, const std::string &id);

// A stage model's text: the forest's YAML (as cv::ml::RTrees::save() writes it) with loss
// calibrations for some views appended, `weight` (0-1) the calibrations' share of the blend.
std::string stageModelWithCalibration(const std::string &forestYaml,
                                      const std::map<View, LossCalibration> &calibrations,
                                      double weight);

// Names of Result::stageFeatures, in order.
const std::vector<std::string> &stageFeatureNames();

// Called with a fraction done (0-1); return false to cancel (analyze then throws Cancelled).
using Progress = std::function<bool(double)>;

struct Cancelled
{};

// The smallest photo the analysis reads: kMinSidePx on its shorter side.
inline constexpr int kMinSidePx = 64;

// Result::photoSharpness under kSoftPhotoSharpness: a soft photo (out of focus, shaken, or
// enlarged from a small one), whose fine strands blur into the skin. From there to
// kSharpPhotoSharpness the analysis moves its sparse hair's end from the strands' cores to its
// usual 2% (docs/analysis.md, step 3). Blurred phantoms read 0.56-0.84, sharp ones 1.2-1.7.
inline constexpr double kSoftPhotoSharpness = 0.9;
inline constexpr double kSharpPhotoSharpness = 1.1;

// A reference area (Parameters::referenceArea) must lie at least this share on the scalp.
inline constexpr double kMinReferenceOnScalp = 0.25;

// Throws std::invalid_argument for an empty image, one under kMinSidePx on a side or so long and
// narrow that its working copy (Parameters::workingMaxSide) is (the message says its size), a
// scale (mmPerPx) so fine that the coverage window spans more than half the
// photo's shorter side (the message says what the photo then shows, in mm), or a reference area
// under kMinReferenceOnScalp on the scalp (the message gives the area and its share); Cancelled
// when progress says stop.
Result analyze(const RgbImage &image, const Parameters &parameters = {},
               const Progress &progress = {});

// Builds, once per process, what the first analysis would otherwise build on its way: OpenCV's
// CIELAB conversion tables (150-215 ms on the benchmark machine, docs/benchmarks.md). Any
// thread; a call while another thread builds them waits for it. analyze() calls it; the
// application calls it at start-up on a worker thread, so that the technician's first analysis
// does not wait for it.
void prepare();

} // namespace smp::analysis
