#include "smp/analysis/ScalpAnalysis.h"

#include "HeadOutline.h"
#include "MapStatistics.h"
#include "Stage.h"
#include "Unmixing.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>

namespace smp::analysis {

using namespace detail;

namespace {

void step(const Progress &progress, double fraction)
{
    if (progress && !progress(fraction))
        throw Cancelled{};
}

const char *locationOf(View view, double u, double v)
{
    // u, v: centroid relative to the head's bounding box, -1..1 (v = -1 at the top of the image).
    switch (view) {
    case View::Front:
        return std::abs(u) > 0.55 ? "temporal" : (v < 0.2 ? "frontal" : "mid-scalp");
    case View::Crown:
        return std::hypot(u, v) < 0.6 ? "vertex" : "crown";
    case View::Back:
        return v < -0.2 ? "vertex" : "occipital";
    case View::Left:
    case View::Right:
        return v < -0.3 ? "mid-scalp" : "temporal";
    case View::Top:
    case View::Other:
        break;
    }
    if (v < -0.45)
        return std::abs(u) > 0.45 ? "temporal" : "frontal";
    if (v > 0.2)
        return "vertex";
    return "mid-scalp";
}

std::string parametersJson(const Parameters &p, double windowPhotoPx)
{
    std::ostringstream json;
    const auto modelId = installedStageModelId();
    json << "{\"view\":" << static_cast<int>(p.view) << ",\"mm_per_px\":";
    if (p.mmPerPx)
        json << *p.mmPerPx;
    else
        json << "null";
    json << ",\"window_mm\":" << p.windowMm << ",\"window_head_fraction\":" << p.windowHeadFraction
         << ",\"window_photo_px\":" << windowPhotoPx << ",\"working_max_side\":" << p.workingMaxSide
         << ",\"thresholds\":[" << p.normalAbove << ',' << p.mildAbove << ',' << p.moderateAbove
         << ',' << p.advancedAbove << "],\"reference_percentile\":" << p.referencePercentile
         << ",\"reference_area\":";
    if (p.referenceArea)
        json << '[' << p.referenceArea->x << ',' << p.referenceArea->y << ','
             << p.referenceArea->width << ',' << p.referenceArea->height << ']';
    else
        json << "null";
    json << ",\"display_quarter_turns\":" << p.displayQuarterTurns
         << ",\"min_region_fraction\":" << p.minRegionFraction << ",\"hair_tone\":\""
         << hairToneName(p.hairTone) << "\",\"stage_model\":";
    if (modelId)
        json << '"' << *modelId << '"';
    else
        json << "null";
    json << '}';
    return json.str();
}

} // namespace

const char *gradeName(Grade grade)
{
    switch (grade) {
    case Grade::Normal:
        return "normal";
    case Grade::Mild:
        return "mild";
    case Grade::Moderate:
        return "moderate";
    case Grade::Advanced:
        return "advanced";
    case Grade::Bald:
        return "bald";
    case Grade::NotScalp:
        break;
    }
    return "not-scalp";
}

const char *hairToneName(HairTone tone)
{
    switch (tone) {
    case HairTone::DarkerThanSkin:
        return "darker";
    case HairTone::LighterThanSkin:
        return "lighter";
    case HairTone::Automatic:
        break;
    }
    return "auto";
}

std::optional<HairTone> hairToneFromName(std::string_view name)
{
    for (const HairTone tone :
         {HairTone::Automatic, HairTone::DarkerThanSkin, HairTone::LighterThanSkin})
        if (name == hairToneName(tone))
            return tone;
    return std::nullopt;
}

namespace {

// Why a scale is too fine to analyse a photo at: what the photo then shows, in mm.
std::string scaleTooFineMessage(const RgbImage &image, const Parameters &p)
{
    const double mmPerPx = *p.mmPerPx;
    // The scale to three significant digits (0.0100, 0.250).
    const int decimals = std::max(3, 2 - static_cast<int>(std::floor(std::log10(mmPerPx))));
    const double shorterMm = std::min(image.width, image.height) * mmPerPx;
    const int sizeDecimals = std::max(1, 1 - static_cast<int>(std::floor(std::log10(shorterMm))));
    std::ostringstream message;
    message.setf(std::ios::fixed);
    message << "at a scale of " << std::setprecision(decimals) << mmPerPx
            << " mm per pixel the photo shows " << std::setprecision(sizeDecimals)
            << image.width * mmPerPx << " x " << image.height * mmPerPx
            << " mm, too little for the analysis's " << std::setprecision(1) << p.windowMm
            << " mm coverage window (it maps a head's scalp, 150-200 mm across): "
            << "check the photo's scale";
    return message.str();
}

} // namespace

void prepare()
{
    static std::once_flag built;
    std::call_once(built, [] {
        // The 8-bit and float conversions share the tables: one pixel builds them all.
        const cv::Mat pixel(1, 1, CV_8UC3, cv::Scalar(128, 128, 128));
        cv::Mat lab;
        cv::cvtColor(pixel, lab, cv::COLOR_RGB2Lab);
    });
}

namespace {

// Redness: CIELAB a* of the image smoothed over kRednessSigma. Raw a* of a dark pixel swings
// wider with noise (the cube root is steep near black) and JPEG lends strand pixels their
// neighbours' chroma, so on pale skin the reddest fifth of raw a* was the edges of dark
// strands, darker than the head's median: an even head of dark hair on very light or light
// skin read as light hair on darker skin, at twice its coverage, until 1.11.
// Computed over the head's box widened by the blur's reach (its kernel radius, 4 sigma), so
// every pixel of `inner` reads as over the whole image; elsewhere 0, never read.
// `rgb` 8-bit RGB, `inner` 8-bit; returns CV_32F at `rgb`'s size.
cv::Mat rednessOf(const cv::Mat &rgb, const cv::Mat &inner)
{
    constexpr double kRednessSigma = 1.5; // px at the working size
    const int reach = static_cast<int>(std::ceil(4 * kRednessSigma));
    const cv::Rect box =
        (cv::boundingRect(inner) + cv::Size(2 * reach, 2 * reach) - cv::Point(reach, reach)) &
        cv::Rect(0, 0, rgb.cols, rgb.rows);
    cv::Mat redness(rgb.size(), CV_32F, cv::Scalar(0));
    if (!box.empty()) {
        cv::Mat smoothRgb, smoothLab;
        rgb(box).convertTo(smoothRgb, CV_32FC3, 1.0 / 255.0);
        cv::GaussianBlur(smoothRgb, smoothRgb, cv::Size(), kRednessSigma);
        cv::cvtColor(smoothRgb, smoothLab, cv::COLOR_RGB2Lab);
        cv::extractChannel(smoothLab, redness(box), 1);
    }
    return redness;
}

// Which way round hair and skin lie (step 3 of analyze()), and where the skin is: the reddest
// fifth of `inner` by `redness` (rednessOf()), its skin-coloured pixels alone where there are
// enough (`skinNotDarkHair`, skinColouredNotDarkHair()), or the least red fifth for hair redder
// than the skin. `tone` is the technician's word (Parameters::hairTone), which stands when given;
// `contents` headContents() of the head; `view` the photo's; `block` withoutShading()'s block (px).
// `L` CIELAB L* (CV_32F, 0-100), masks 8-bit, all at the working size.
struct HairSide
{
    bool darkHair = true;       // the hair is darker than the skin
    bool denseDarkHair = false; // a full head of dark hair: too little skin to unmix against
    bool hairIsRedder = false;  // the skin is the least red fifth (the technician said so)
    bool closeCall = false;     // decided within kCloseL of the median (Result::hairToneCloseCall)
    cv::Mat skinPixels;         // 8-bit: the pixels the skin's lightness is read from
    double skinLightness = 0;   // their median L*
};

HairSide readHairSide(const cv::Mat &L, const cv::Mat &inner, const cv::Mat &redness,
                      const cv::Mat &skinNotDarkHair, const HeadContents &contents, HairTone tone,
                      View view, int block)
{
    cv::Mat skinPixels = inner & (redness >= percentile(redness, inner, 0.8));
    // Where less than a fifth of the head shows skin (a dense head, its neck and ears at the
    // edge), the reddest fifth takes in the redder strands: its skin-coloured pixels alone are
    // the skin then, when they are at least kMinSkinShare of the head (since 1.39).
    constexpr double kMinSkinShare = 0.01; // of the head less its outline
    if (const cv::Mat reddestSkin = skinPixels & skinNotDarkHair;
        cv::countNonZero(reddestSkin) >= kMinSkinShare * cv::countNonZero(inner))
        skinPixels = reddestSkin;
    double skinLightness = percentile(L, skinPixels, 0.5);
    // A full head of dark hair (accepted above by its dark share) shows too little skin for the
    // reddest fifth to be skin: there the hair is the dark part, whatever the reddest says
    // (unless the technician says the hair is the lighter).
    const bool denseDarkHair =
        contents.skinShare < 0.08 && contents.darkShare >= 0.4 && tone != HairTone::LighterThanSkin;
    // Sparse hair about as light as the skin puts the reddest fifth within a few L* of the
    // median, and then the light across the head decides: grey or blond hair on tan skin lit
    // from one side read as dark hair, its shaded skin as the hair (17 points of coverage). Within
    // kCloseL the hair is dark only if the skin is also lighter than the median with the shading
    // taken out (withoutShading(), over a block). Letting that test also overrule towards dark
    // hair read the real photographs' front and top views worse (docs/analysis.md).
    constexpr double kCloseL = 3.0;
    const double skinOverMedianL = skinLightness - percentile(L, inner, 0.5);
    // A close call on the fringe of a mostly dark head (since 1.43): on back and side views,
    // where a head in pattern loss keeps its hair, within kCloseL either way and where at least
    // kMostlyDarkShare of the head is dark, or grey or brown under L* 59 (headContents()), the
    // hair is the darker. On the real photographs' back and side views of short dark or greying
    // hair around a bald top, the reddest fifth is skin in shade, as light as the median, and
    // the hair read as the lighter: the hair mapped bald, the lit top as hair (docs/analysis.md,
    // "Algorithm 1.43"). Not on top views: very dark skin is dark too, and sparse grey hair on it
    // read as the darker (a phantom 1.4 -> 27 points).
    constexpr double kMostlyDarkShare = 0.6;
    const bool fringeView = view == View::Back || view == View::Left || view == View::Right;
    // The technician's word, when given, stands instead (Parameters::hairTone).
    bool darkHair = denseDarkHair || skinOverMedianL >= 0;
    const bool given = tone != HairTone::Automatic;
    if (given) {
        darkHair = tone == HairTone::DarkerThanSkin;
    } else if (fringeView && !denseDarkHair && std::abs(skinOverMedianL) < kCloseL &&
               contents.darkShare >= kMostlyDarkShare) {
        darkHair = true;
    } else if (darkHair && !denseDarkHair && skinOverMedianL < kCloseL) {
        const cv::Mat relativeL = withoutShading(L, inner, block);
        darkHair = percentile(relativeL, skinPixels, 0.5) >= percentile(relativeL, inner, 0.5);
    }
    // Hair read as the lighter must be what is not skin-coloured: grey or blond hair is never far
    // darker than the skin. Where at least kNotSkinShare of the head is not skin-coloured
    // (skinColouredNotDarkHair()) and its median lies kFarDarkerL or more below the skin's, that
    // is dark hair, whatever the reddest fifth said (since 1.40). On the real photographs the
    // reddest fifth of a pale head is often its shaded skin or its warm brown strands, darker
    // than the head's median: dark hair beside a bald scalp read as the skin and the bald
    // scalp's lit patches as hair (51 photos, 23 people and views, each looked at; the
    // phantoms' light hair on darker skin, not skin-coloured but lighter, keeps its reading).
    constexpr double kNotSkinShare = 0.05; // of the head less its outline
    constexpr double kFarDarkerL = 15.0;   // L*
    if (!given && !darkHair) {
        const cv::Mat notSkin = inner & ~skinNotDarkHair;
        const int notSkinPixels = cv::countNonZero(notSkin);
        darkHair = notSkinPixels > 0 && notSkinPixels >= kNotSkinShare * cv::countNonZero(inner) &&
                   skinLightness - percentile(L, notSkin, 0.5) >= kFarDarkerL;
    }
    // Red hair is redder than the skin: its reddest fifth is the hair, and the test above reads
    // auburn hair as light hair on darker skin, the bald scalp as the hair (on light skin 22-54
    // points, loss IoU 0, stage I for IV). Redness alone cannot tell red hair from skin (the
    // red-haired phantoms' reddest fifth reads a* 16-21, the real photographs' 17 at the median
    // and up to 40); the technician can. Where they say which way round the hair lies, the skin
    // is whichever of the reddest and the least red fifth lies on the skin's side in lightness
    // (the lighter for hair darker than the skin); when that is the least red, the hair is the
    // redder.
    bool hairIsRedder = false;
    if (given && !denseDarkHair) {
        const cv::Mat leastRed = inner & (redness <= percentile(redness, inner, 0.2));
        const double leastRedL = percentile(L, leastRed, 0.5);
        hairIsRedder = darkHair ? leastRedL > skinLightness : leastRedL < skinLightness;
        if (hairIsRedder) {
            skinPixels = leastRed;
            skinLightness = leastRedL;
        }
    }
    const bool closeCall = !given && !denseDarkHair && std::abs(skinOverMedianL) < kCloseL;
    return {darkHair, denseDarkHair, hairIsRedder, closeCall, skinPixels, skinLightness};
}

// The share of a head's pixels at the hair's extreme that is the hair's end (step 3): its
// darkest 2% for hair darker than the skin, else its lightest (a soft photo's first reading
// takes less: Result::hairExtremeShare).
constexpr double kHairExtremeShare = 0.02;

// Light hair is little lighter than darker skin where (L* + 16) of its lightest 2% is under this
// times the skin's (a ratio of cube roots of the light, which shading leaves alone): step 3 reads
// such heads in colour where dense, and sparse grey hair against the skin around it.
constexpr double kLowContrast = 1.42;

// The hair side's extreme of a lightness map over `inner`: its darkest `share` for dark hair,
// else its lightest (L* of the same map).
double hairExtreme(const cv::Mat &lightness, const cv::Mat &inner, bool darkHair, double share)
{
    return percentile(lightness, inner, darkHair ? share : 1.0 - share);
}

// The planes of a head that step 3's readings unmix, all at the working size: `rgb` 8-bit RGB,
// `L` CIELAB L* (CV_32F, 0-100), `A` a* (CV_32F, OpenCV's 8-bit scale), `B8` b* (8-bit), `head`
// and `inner` (the head less its outline) 8-bit masks, `block` withoutShading()'s block (px).
// The references are the caller's and outlive the reading.
struct HeadPlanes
{
    const cv::Mat &rgb;
    const cv::Mat &L;
    const cv::Mat &A;
    const cv::Mat &B8;
    const cv::Mat &head;
    const cv::Mat &inner;
    int block = 0;
};

// The hair's ends in lightness for the lightness reading (step 3): `hairL` the extreme at
// kHairExtremeShare, `sparseHairL` at `extremeShare` (a soft photo's, Result::hairExtremeShare),
// `softness` 0 (sharp) to 1 (soft: photoSharpness()).
struct HairEnds
{
    double hairL = 0;
    double sparseHairL = 0;
    double extremeShare = kHairExtremeShare;
    double softness = 0;
};

// What the lightness reading made of a head: hair coverage per pixel (`alpha`, CV_32F 0-1),
// whether deep shade was read in colour, and what it did beyond the plain unmixing ("; light
// read from the skin", ...), for Result::unmixing.
struct LightnessReading
{
    cv::Mat alpha;
    bool shadeInColour = false;
    std::string notes;
};

// Step 3's reading of a head whose hair differs from its skin in lightness (neither unmixed in
// colour nor a greying head): unmixLightness() between the skin and the hair's ends; read again
// with the light divided out, the light read from dense hair (lightOnHair()) or from a sparse
// head's skin (lightFollowingSkin()); and sparse grey hair a little lighter than darker skin read
// against the skin around each pixel (readGreyHairAgainstLocalSkin()). `skinColour`
// skinColoured(), `scalpOnlyL` L on top and crown views (else empty: unmixColour()).
LightnessReading readLightness(const HeadPlanes &planes, const HairSide &side, const HairEnds &ends,
                               const cv::Mat &skinColour, const cv::Mat &scalpOnlyL)
{
    const auto &[rgb, L, A, B8, head, inner, block] = planes;
    const bool darkHair = side.darkHair;
    LightnessReading reading;
    // The colour reading deep shade falls back on (unmixLightness()) depends on the photo, not
    // on the lightness read: taken once for both readings below (taking it twice was a fifth
    // of the benchmark's 12 MP sample's analysis). unmixLightness() only reads the map.
    cv::Mat colourReading;
    const auto colourCoverage = [&] {
        if (colourReading.empty())
            colourReading = unmixColour(rgb, head, inner, A, B8, side.hairIsRedder, ends.softness,
                                        scalpOnlyL, false);
        return colourReading;
    };
    reading.alpha =
        unmixLightness(L, head, inner, block, darkHair, ends.hairL, ends.sparseHairL, ends.softness,
                       side.skinLightness, skinColour, colourCoverage, reading.shadeInColour);
    // Dense hair: read again with the light on the hair divided out, the hair end taken
    // afresh (1.17 for dark hair, 1.19 for light hair on darker skin; lightOnHair()).
    // Not red hair read as the darker: copper on light skin read 2.3 -> 5.5 points with
    // it (its lightness spreads with the mix).
    LightOnHair light =
        !side.hairIsRedder ? lightOnHair(L, reading.alpha, inner, block, darkHair) : LightOnHair{};
    // A sparse head: the light read from its skin, as far as its hair follows it
    // (lightFollowingSkin(); light hair on darker skin since 1.30, dark hair since 1.34:
    // the shaded phantoms of dark hair at 800 px, loss IoU 0.61-0.94 -> 0.70-0.95, the lit
    // side no longer read thinner than it is). Its hair end is the extreme at the first
    // reading's share (a soft photo's extreme 0.5%, not 2%: with 2% the shaded light
    // heads read 5.7 and 7.0 points off, over); dark hair's at kEvenDarkHairShare of that
    // share. The first reading's darkest 2% lie on the shaded side, where strands are
    // darkest, and stand in for the strands' cores; with the light divided out they lie
    // all over the head, most of them strands mixed with skin, and the sparse dark heads
    // at 800 px read 0.4-2.6 points further over with them (a shaded one 5.0, outside); a
    // half read the twelve such heads of the two tables 25.7 points off in sum, a quarter
    // 22.8, an eighth 24.7 (very dark skin 5.3).
    constexpr double kEvenDarkHairShare = 0.25;
    const bool lightFromSkin = light.light.empty() && !side.hairIsRedder;
    if (lightFromSkin)
        light = lightFollowingSkin(L, reading.alpha, inner, block, darkHair);
    if (!light.light.empty()) {
        const cv::Mat evenL = (L + 16.0) / light.light - 16.0;
        const double fromSkinShare = ends.extremeShare * (darkHair ? kEvenDarkHairShare : 1.0);
        const double evenHairL =
            hairExtreme(evenL, inner, darkHair, lightFromSkin ? fromSkinShare : kHairExtremeShare);
        reading.alpha = unmixLightness(evenL, head, inner, block, darkHair, evenHairL, evenHairL,
                                       ends.softness, side.skinLightness, skinColour,
                                       colourCoverage, reading.shadeInColour, light.weight);
        reading.notes = lightFromSkin ? "; light read from the skin" : "; light read from the hair";
    }
    // Sparse grey hair a little lighter than darker skin: read again in colour against
    // the skin around each pixel (since 1.36; the phantoms' grey hair on tan skin, loss
    // IoU 0.803 -> 0.851, shaded 0.781 -> 0.886).
    if (!darkHair && (ends.hairL + 16.0) / (side.skinLightness + 16.0) < kLowContrast) {
        if (cv::Mat local = readGreyHairAgainstLocalSkin(rgb, reading.alpha, head, inner);
            !local.empty()) {
            reading.alpha = local;
            reading.notes += "; grey hair read against the skin around it";
        }
    }
    return reading;
}

// The coverage the map is graded against (step 5): the mean over the technician's reference
// area (Parameters::referenceArea, photo px), or by default Parameters::referencePercentile of
// the coverage over the head less a window at its outline, taken on the map smoothed over
// `smoothing` windows (Gaussian sigma; 0: not smoothed); at least kLeastReference. `coverage`
// CV_32F 0..1 and 0 off the head, `head` 8-bit, `headF` the head as CV_32F 0/1, all at map size;
// `window` the coverage window in map px. Throws std::invalid_argument for a reference area under
// kMinReferenceOnScalp on the scalp, naming it.
double referenceCoverage(const cv::Mat &coverage, const cv::Mat &head, const cv::Mat &headF,
                         const Parameters &p, double photoPxPerMapPx, int window, double smoothing)
{
    // A bald head's best-covered part holds a few percent of hair; the grades are ratios to it.
    constexpr double kLeastReference = 0.05;
    cv::Mat referenceMask;
    if (p.referenceArea) {
        referenceMask = cv::Mat::zeros(head.size(), CV_8U);
        const cv::Rect r(static_cast<int>(p.referenceArea->x / photoPxPerMapPx),
                         static_cast<int>(p.referenceArea->y / photoPxPerMapPx),
                         std::max(1, static_cast<int>(p.referenceArea->width / photoPxPerMapPx)),
                         std::max(1, static_cast<int>(p.referenceArea->height / photoPxPerMapPx)));
        const cv::Rect inside = r & cv::Rect(0, 0, head.cols, head.rows);
        referenceMask(inside).setTo(255);
        referenceMask &= head;
        // An area mostly off the scalp (the backdrop, the face) would grade every pixel against
        // the few it holds, or against nothing (all normal): refused with what was drawn.
        const double onScalp = cv::countNonZero(referenceMask) / std::max(1.0, double(r.area()));
        if (onScalp < kMinReferenceOnScalp) {
            std::ostringstream message;
            message << "the reference area (" << std::lround(p.referenceArea->x) << ','
                    << std::lround(p.referenceArea->y) << ',' << std::lround(p.referenceArea->width)
                    << ',' << std::lround(p.referenceArea->height) << " photo px) is "
                    << std::lround(100 * onScalp)
                    << "% on the scalp; draw it over hair of the client's normal density";
            throw std::invalid_argument(message.str());
        }
        return std::max(cv::mean(coverage, referenceMask)[0], kLeastReference);
    }
    cv::erode(head, referenceMask,
              cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(window, window)));
    if (cv::countNonZero(referenceMask) == 0)
        referenceMask = head;
    const double referenceSigma = smoothing * window; // map px
    // (`coverage` is 0 off the head, so weighting it by the head changes nothing.)
    const cv::Mat source =
        referenceSigma > 0 ? meanOnMask(coverage, headF, referenceSigma) : coverage;
    return std::max(percentile(source, referenceMask, p.referencePercentile), kLeastReference);
}

// Each head pixel's grade against `reference` (referenceCoverage()): its coverage over the
// reference, cut at Parameters' normalAbove, mildAbove, moderateAbove and advancedAbove; 0 (not
// scalp) off the head. Returns 8-bit Grade values at map size.
cv::Mat gradesAgainst(const cv::Mat &coverage, const cv::Mat &head, double reference,
                      const Parameters &p)
{
    cv::Mat gradeMap(head.size(), CV_8U, cv::Scalar(0));
    for (int y = 0; y < head.rows; ++y) {
        for (int x = 0; x < head.cols; ++x) {
            if (!head.at<std::uint8_t>(y, x))
                continue;
            const double ratio = static_cast<double>(coverage.at<float>(y, x)) / reference;
            Grade g = Grade::Bald;
            if (ratio >= p.normalAbove)
                g = Grade::Normal;
            else if (ratio >= p.mildAbove)
                g = Grade::Mild;
            else if (ratio >= p.moderateAbove)
                g = Grade::Moderate;
            else if (ratio >= p.advancedAbove)
                g = Grade::Advanced;
            gradeMap.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(g);
        }
    }
    return gradeMap;
}

} // namespace

Result analyze(const RgbImage &image, const Parameters &p, const Progress &progress)
{
    prepare();
    if (image.width <= 0 || image.height <= 0 || !image.pixels)
        throw std::invalid_argument("analyze: empty image");
    if (std::min(image.width, image.height) < kMinSidePx)
        throw std::invalid_argument("the photo is " + std::to_string(image.width) + " x " +
                                    std::to_string(image.height) +
                                    " px: too small to analyse (at least " +
                                    std::to_string(kMinSidePx) + " px on each side)");
    const cv::Mat photo(image.height, image.width, CV_8UC3,
                        const_cast<std::uint8_t *>(image.pixels),
                        static_cast<std::size_t>(image.bytesPerLine));
    Result result;
    // The result for a photo that shows no scalp: the reason, no map, the texture check saying
    // why it does not apply. `confidence` is result.scalpConfidence as computed, or 0.
    const auto noScalp = [&](std::string reason, double confidence = 0) {
        result.scalpFound = false;
        result.scalpConfidence = confidence;
        result.noScalpReason = std::move(reason);
        result.parametersJson = parametersJson(p, 0);
        result.texture = checkHairTexture(image, p.view, result); // does not apply: says why
        return result;
    };
    const double factor =
        std::min(1.0, static_cast<double>(p.workingMaxSide) / std::max(image.width, image.height));
    // A long strip (over 16:1 at the default working size) would leave too few rows or columns
    // for the analysis's windows once its longer side is brought to the working size.
    const int workingShorterSide =
        static_cast<int>(std::floor(factor * std::min(image.width, image.height)));
    if (workingShorterSide < kMinSidePx)
        throw std::invalid_argument(
            "the photo is " + std::to_string(image.width) + " x " + std::to_string(image.height) +
            " px: too narrow to analyse (read at " + std::to_string(p.workingMaxSide) +
            " px on its longer side it is " + std::to_string(workingShorterSide) +
            " px on its shorter, and at least " + std::to_string(kMinSidePx) + " are needed)");
    cv::Mat rgb;
    if (factor < 1.0)
        cv::resize(photo, rgb, cv::Size(), factor, factor, cv::INTER_AREA);
    else
        rgb = photo.clone();
    result.mapWidth = rgb.cols;
    result.mapHeight = rgb.rows;
    result.photoPxPerMapPx = 1.0 / factor;
    const double photoPxPerMapPx = result.photoPxPerMapPx;
    if (p.mmPerPx && !(std::isfinite(*p.mmPerPx) && *p.mmPerPx > 0))
        throw std::invalid_argument("the scale " + std::to_string(*p.mmPerPx) +
                                    " mm per pixel is not a scale (a number above 0)");
    // A scale under which the coverage window spans more than half the photo's shorter side
    // cannot map anything (and its window's kernels would ask for gigabytes): a mistyped scale,
    // or a close-up of a few millimetres of skin rather than a head.
    if (p.mmPerPx && p.windowMm / *p.mmPerPx / photoPxPerMapPx > 0.5 * std::min(rgb.cols, rgb.rows))
        throw std::invalid_argument(scaleTooFineMessage(image, p));
    const std::size_t n = static_cast<std::size_t>(rgb.cols) * static_cast<std::size_t>(rgb.rows);
    result.labels.assign(n, Label::Background);
    result.coverage.assign(n, 0.0f);
    result.hairFraction.assign(n, 0.0f);
    result.grades.assign(n, Grade::NotScalp);
    result.calibrated = p.mmPerPx.has_value();
    step(progress, 0.05);

    // 1. The head: GrabCut against the background; for close-ups where the head fills the frame
    // (and so touches the border GrabCut takes as background) the skin- and hair-like pixels.
    cv::Mat lab;
    cv::cvtColor(rgb, lab, cv::COLOR_RGB2Lab);
    std::vector<cv::Mat> channels;
    cv::split(lab, channels);
    const cv::Mat &L8 = channels[0];
    const cv::Mat &A8 = channels[1];
    const cv::Mat &B8 = channels[2];
    // A frame that shows nothing to analyse is no scalp, with the reason (checkFrame()).
    const FrameCheck frame = checkFrame(rgb, L8);
    if (!frame.refusal.empty())
        return noScalp(frame.refusal);
    const cv::Mat skinColour = skinColoured(A8, B8);
    const cv::Mat skinNotDarkHair = skinColouredNotDarkHair(skinColour, A8, B8, L8);
    cv::Mat head = headMask(rgb);
    if (cv::countNonZero(head) < 0.15 * static_cast<double>(n)) {
        // GrabCut found little: a close-up, whose head touches the border.
        const cv::Mat closeUp = largestScalpLikeArea(skinColour, L8);
        if (cv::countNonZero(closeUp) > cv::countNonZero(head))
            head = closeUp;
    }
    int takenOffMapPx = 0;
    if (p.view == View::Top || p.view == View::Crown || p.view == View::Back)
        takenOffMapPx += takeOffEars(head);
    step(progress, 0.35);
    const double headPixels = cv::countNonZero(head);
    const double headFraction = headPixels / static_cast<double>(n);

    // 2. Is this a scalp at all? Skin-like colours, or dark or grey hair, must dominate the head.
    const HeadContents contents = headContents(head, skinNotDarkHair, L8, A8, B8);
    const double skinShare = contents.skinShare;
    const double darkShare = contents.darkShare;
    const double scalpShare = contents.scalpShare;
    const double greyStrandShare = contents.greyStrandShare;
    // A full head of hair shows little skin: hair that is not light over most of the head stands
    // in for the skin (a document's black text on white paper does not).
    const double skinOrDenseHair =
        std::max({skinShare / 0.25, darkShare / 0.6, greyStrandShare / 0.6});
    result.scalpConfidence = std::clamp(std::min(skinOrDenseHair, scalpShare / 0.6), 0.0, 1.0) *
                             (headFraction > 0.03 ? 1.0 : headFraction / 0.03);
    // A dark frame (step 1) is told by its skin's colour: an underexposed light scalp loses it
    // (the sample photo at a fifth, a quarter and a third of its exposure: 4%, 12% and 25% of
    // its head skin-coloured), a well-lit close-up of very dark skin keeps it (the phantoms'
    // very dark skin with dark hair: 65-100%, read 30.6% and 77.2% covered where the truth is
    // 29.4% and 77.6%).
    constexpr double kDarkFrameSkinShare = 0.4;
    if (!frame.tooDark.empty() && skinShare < kDarkFrameSkinShare)
        return noScalp(frame.tooDark);
    if (headFraction < 0.03 || (skinShare < 0.08 && darkShare < 0.4 && greyStrandShare < 0.4) ||
        scalpShare < 0.5)
        return noScalp(headFraction < 0.03 ? "no head found in the photo"
                                           : "the photo does not show skin or hair of a scalp",
                       result.scalpConfidence);
    result.scalpFound = true;

    // 3. Hair against skin, by linear unmixing of lightness: each pixel's hair coverage is where
    // its lightness lies between the local skin and the hair lightness. Skin is the reddest thing
    // on a head (hair of any colour has less a*): when the reddest fifth of the head is lighter
    // than the head's median, the hair is darker than the skin, else lighter (grey or blond hair on
    // darker skin). Light hair on lighter skin is unmixed in colour instead (below).
    cv::Mat L;
    L8.convertTo(L, CV_32F, 100.0 / 255.0);
    // The head less its outline, for the skin and hair statistics: GrabCut knows the outline to
    // one of its pixels (6-8 px at the working size), and that ring mixes backdrop into the hair
    // at the rim (until 1.7 a 4 px margin: blond on tan skin read 4 or 10 points depending on
    // where GrabCut put the outline).
    constexpr int kOutlineMargin = 7; // px
    cv::Mat inner;
    cv::erode(head, inner, cv::Mat::ones(2 * kOutlineMargin + 1, 2 * kOutlineMargin + 1, CV_8U));
    const cv::Mat redness = rednessOf(rgb, inner);
    cv::Mat A;
    A8.convertTo(A, CV_32F);
    const cv::Rect headBox = cv::boundingRect(head);
    const int block = std::max(8, std::max(headBox.width, headBox.height) / 14);
    const HairSide side =
        readHairSide(L, inner, redness, skinNotDarkHair, contents, p.hairTone, p.view, block);
    const bool darkHair = side.darkHair;
    const bool denseDarkHair = side.denseDarkHair;
    const bool hairIsRedder = side.hairIsRedder;
    const cv::Mat skinPixels = side.skinPixels;
    const double skinLightness = side.skinLightness;
    result.hairToneGiven = p.hairTone != HairTone::Automatic;
    result.hairTone = darkHair ? HairTone::DarkerThanSkin : HairTone::LighterThanSkin;
    result.hairToneCloseCall = side.closeCall;
    const double hairL = hairExtreme(L, inner, darkHair, kHairExtremeShare);
    // Sparse hair's end is its extreme (hairEnd()), and in a soft photo (photoSharpness() under
    // kSoftPhotoSharpness) a blur spreads a strand's core over the skin beside it: the darkest
    // 2% are hair mixed with skin and every pixel read as more hair than it holds (blurred
    // phantoms at 800 px 4.5-8.6 points over). There the extreme is the darkest
    // kSoftHairExtremeShare (the lightest, for light hair), nearer the strands' cores; from
    // kSoftPhotoSharpness to kSharpPhotoSharpness the share goes linearly to 2%. Only the
    // unmixing's first reading takes it: the tests of which way the hair lies and how (below)
    // and the stage features keep the 2% they were set on, and the second reading of dense hair
    // (lightOnHair()) finds its end in a peak of pure hair.
    constexpr double kSoftHairExtremeShare = 0.005;
    result.photoSharpness = photoSharpness(L, inner);
    const double softness = std::clamp((kSharpPhotoSharpness - result.photoSharpness) /
                                           (kSharpPhotoSharpness - kSoftPhotoSharpness),
                                       0.0, 1.0);
    // std::lerp() is exact at its ends: a soft photo's share is stored as 0.005, not 0.005 and
    // a rounding error.
    result.hairExtremeShare = std::lerp(kHairExtremeShare, kSoftHairExtremeShare, softness);
    const double sparseHairL = hairExtreme(L, inner, darkHair, result.hairExtremeShare);
    // Light (grey, blond) hair on lighter skin: darker than the skin, but its darkest pixels are
    // still light. Lightness alone reads it badly (up to 20 points of coverage on the phantoms);
    // colour tells it from the skin. Light hair on darker skin stays with lightness: on the real
    // photographs that branch also takes many dark-haired heads with a bright, shiny scalp, and
    // colour unmixing made their stage worse (docs/analysis.md) - unless the hair is hardly
    // lighter than the skin (its lightest 2% within 15 L* of the skin's median), where lightness
    // has nothing to go on and the choice of branch was a coin toss (grey or blond hair on
    // medium skin; blond on tan skin 10 -> 4 points).
    // A dense head of light hair on darker skin, lit from one side, is unmixed in colour too when
    // its hair is little lighter than the skin (L* + 16 of the lightest 2% under kLowContrast
    // times the skin's; a ratio of cube roots of the light, which shading leaves alone): the
    // lightness unmixing has one hair end per head, and its shaded side read thin (blond on
    // medium skin 44 points, grey and blond on tan skin 33 on the shaded phantoms at 1600 px).
    // Dense: the colour unmixing's mean coverage over the head at least kDenseColourCoverage
    // (the real photographs' shiny bald scalps, which the colour reads as partly hair, stay
    // under it: none of them moves).
    constexpr double kLightHairL = 45.0; // L*: the darkest 2% of a head with dark hair lie below
    constexpr double kSameLightnessL = 15.0;
    // Red hair as dark as the skin or a little darker (copper on tan skin) is read in colour
    // too: lightness has little to go on.
    const bool sameLightness = darkHair ? hairIsRedder && skinLightness - hairL < kSameLightnessL
                                        : hairL - skinLightness < kSameLightnessL;
    // Top and crown views show scalp alone: there L* detail may vouch for hair's strands
    // (unmixColour()).
    const cv::Mat scalpOnlyL = p.view == View::Top || p.view == View::Crown ? L : cv::Mat();
    cv::Mat alpha;
    bool colourUnmixed = false;
    if (denseDarkHair) {
        // A full head of hair, under 8% of it skin-coloured: no skin to unmix against (the
        // lightest pixels are sheen). Hair-coloured pixels are hair, the rest skin. Until 1.4
        // the sheen stood in for the skin and such heads mapped as patches of loss.
        alpha = cv::Mat(L.size(), CV_32F, cv::Scalar(0));
        alpha.setTo(1.0f, contents.notLightHair & ~skinNotDarkHair);
        result.unmixing = "full head";
    } else {
        colourUnmixed = (darkHair && hairL > kLightHairL) || sameLightness;
        if (colourUnmixed) {
            alpha = unmixColour(rgb, head, inner, A, B8, hairIsRedder, softness, scalpOnlyL, true);
        } else if (!darkHair && (hairL + 16.0) / (skinLightness + 16.0) < kLowContrast) {
            alpha = unmixColour(rgb, head, inner, A, B8, hairIsRedder, softness, scalpOnlyL, true);
            colourUnmixed = cv::mean(alpha, inner)[0] >= kDenseColourCoverage;
        }
        // A greying head, dark and grey strands mixed (1.13; docs/analysis.md), before the
        // lightness unmixing, which it replaces.
        cv::Mat greying;
        if (!colourUnmixed && darkHair)
            greying = unmixGreyingHead(rgb, L, A8, B8, head, inner, skinPixels, skinLightness);
        bool shadeInColour = false;
        std::string readingNotes; // what the lightness reading did beyond its plain unmixing
        if (!greying.empty())
            alpha = greying;
        else if (!colourUnmixed) {
            const HairEnds ends{hairL, sparseHairL, result.hairExtremeShare, softness};
            LightnessReading reading = readLightness({rgb, L, A, B8, head, inner, block}, side,
                                                     ends, skinColour, scalpOnlyL);
            alpha = std::move(reading.alpha);
            shadeInColour = reading.shadeInColour;
            readingNotes = std::move(reading.notes);
        }
        result.unmixing = colourUnmixed      ? "colour"
                          : !greying.empty() ? "colour: skin, dark and grey hair"
                          : shadeInColour    ? "lightness, colour in deep shade"
                                             : "lightness";
        result.unmixing += readingNotes;
        if (hairIsRedder)
            result.unmixing += "; skin the least red";
    }
    step(progress, 0.6);

    // 4. Coverage over a window of physical size (or a share of the head's width).
    const double headWidthPhotoPx = std::max(headBox.width, headBox.height) * photoPxPerMapPx;
    result.windowPhotoPx =
        p.mmPerPx ? p.windowMm / *p.mmPerPx : p.windowHeadFraction * headWidthPhotoPx;
    result.windowMm = p.mmPerPx ? p.windowMm : 0;
    const int window =
        std::max(3, static_cast<int>(std::lround(result.windowPhotoPx / photoPxPerMapPx)) | 1);
    cv::Mat headF;
    head.convertTo(headF, CV_32F, 1.0 / 255.0);
    // What a window's coverage is a share of: the head, less the backdrop seen between the
    // strands of the hair's fringe, which GrabCut takes into the head: within half a window of
    // the outline, pixels that are neither skin-coloured nor half hair. Until 1.10 they counted
    // as bare scalp and every head was ringed with mild and moderate thinning (an even phantom
    // head of dark hair: 93% of that ring over its top, now 1%).
    cv::Mat core;
    const int halfWindow = std::max(1, window / 2);
    cv::erode(head, core,
              cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                        cv::Size(2 * halfWindow + 1, 2 * halfWindow + 1)));
    cv::Mat scalpF = headF.clone();
    scalpF.setTo(0.0f, head & ~core & ~skinColour & (alpha < 0.5f));
    // The head's outermost ring counts neither as scalp nor as hair in a window (since 1.38),
    // though its pixels take their window's coverage and grade: GrabCut's outline is known to
    // one of its pixels (kGrabCutSide), and the ring, half of one wide (rounded up), holds the
    // backdrop it takes in, which a reading of light hair takes for hair. On the 800 px phantoms
    // GrabCut's head reached 1.8 px past the drawn one on average, and the outermost 9 px of the
    // grey and blond heads read 4-16 points over, the rim of their frontal loss graded thin
    // (loss IoU 0.84 -> 0.86-0.91 on three heads). At most a quarter of the window wide, so
    // that every pixel's window keeps scalp to read. Where a head runs off the photo, the frame's
    // edge is no outline and keeps its pixels (erode()'s default border counts as head).
    const int outlineRingPx =
        std::min(static_cast<int>(std::ceil(0.5 * std::max(rgb.cols, rgb.rows) / kGrabCutSide)),
                 halfWindow / 2);
    cv::Mat windowAlpha = alpha;
    if (outlineRingPx > 0) {
        cv::Mat clearOfOutline;
        cv::erode(head, clearOfOutline,
                  cv::getStructuringElement(
                      cv::MORPH_ELLIPSE, cv::Size(2 * outlineRingPx + 1, 2 * outlineRingPx + 1)));
        const cv::Mat outlineRing = head & ~clearOfOutline;
        scalpF.setTo(0.0f, outlineRing);
        windowAlpha = alpha.clone();
        windowAlpha.setTo(0.0f, outlineRing);
    }
    cv::Mat alphaSum, scalpSum;
    cv::boxFilter(windowAlpha, alphaSum, CV_32F, cv::Size(window, window), cv::Point(-1, -1),
                  false);
    cv::boxFilter(scalpF, scalpSum, CV_32F, cv::Size(window, window), cv::Point(-1, -1), false);
    cv::Mat coverage = alphaSum / cv::max(scalpSum, 1.0);
    // A sparse head read against the skin around each pixel has signed shares
    // (readAgainstLocalSkin(): colour heads since 1.35, grey hair read in lightness since 1.36);
    // a window reads no less than bare.
    coverage = cv::max(coverage, 0.0);
    coverage.setTo(0, ~head);

    // 5. Reference coverage and grades. Colour-unmixed coverage is noisier than lightness's, and
    // a noisy map's high percentile sits in its noise: light hair on lighter skin read its
    // reference 0.07-0.14 above the truth's (0.34-0.36 on the 800 px phantoms), so its thinner
    // areas as advanced (loss IoU 0.46-0.71). There the reference is the percentile of the map
    // smoothed over kColourReferenceSigma windows, an area's coverage rather than a window's
    // (1.8: IoU +0.02 to +0.13, no phantom worse; two windows gained more but took a clean grey
    // head's reference 0.04 under its dark-haired twin's). Not for lightness, whose maps are less
    // noisy: dark hair's IoU fell by up to 0.08. A soft photo's lightness map is noisy too (its
    // strands blur into the skin): there the smoothing scales with the softness (1.23: real
    // photos' check half, per person MAE 0.49 -> 0.45, front 0.63 -> 0.61, top 0.59 -> 0.57;
    // sharp photos unchanged).
    constexpr double kColourReferenceSigma = 1.0; // windows
    result.referenceCoverage =
        referenceCoverage(coverage, head, headF, p, photoPxPerMapPx, window,
                          (colourUnmixed ? 1.0 : softness) * kColourReferenceSigma);
    cv::Mat gradeMap = gradesAgainst(coverage, head, result.referenceCoverage, p);
    cv::medianBlur(gradeMap, gradeMap, 5);
    gradeMap.setTo(0, ~head);
    // Seen from behind, loss along the outline apart from the crown's is ears and neck (1.18).
    if (const int rim = p.view == View::Back ? takeOffRimLoss(head, gradeMap) : 0; rim > 0) {
        coverage.setTo(0, ~head);
        alpha.setTo(0, ~head);
        takenOffMapPx += rim;
    }
    const double scalpPixels = cv::countNonZero(head);
    step(progress, 0.75);

    // 6. Maps out.
    for (int y = 0; y < head.rows; ++y) {
        for (int x = 0; x < head.cols; ++x) {
            const std::size_t i =
                static_cast<std::size_t>(y) * static_cast<std::size_t>(head.cols) +
                static_cast<std::size_t>(x);
            if (!head.at<std::uint8_t>(y, x))
                continue;
            result.labels[i] = alpha.at<float>(y, x) >= 0.5f ? Label::Hair : Label::Skin;
            result.coverage[i] = coverage.at<float>(y, x);
            result.hairFraction[i] = std::clamp(alpha.at<float>(y, x), 0.0f, 1.0f);
            result.grades[i] = static_cast<Grade>(gradeMap.at<std::uint8_t>(y, x));
        }
    }
    const double areaPerMapPx = photoPxPerMapPx * photoPxPerMapPx;
    result.scalpAreaPx = scalpPixels * areaPerMapPx;
    result.takenOffPx = takenOffMapPx * areaPerMapPx;
    if (p.mmPerPx) {
        result.scalpAreaCm2 = result.scalpAreaPx * *p.mmPerPx * *p.mmPerPx / 100.0;
        result.takenOffCm2 = result.takenOffPx * *p.mmPerPx * *p.mmPerPx / 100.0;
    }
    result.coveragePercent = 100.0 * cv::mean(alpha, head)[0];

    // 7b. Features for the stage model: grade shares, coverage, layout (radial, so that the
    // photo's rotation does not matter), colour, view.
    {
        cv::Scalar coverageMean, coverageStd;
        cv::meanStdDev(coverage, coverageMean, coverageStd, head);
        auto &f = result.stageFeatures;
        f.assign(stageFeatureNames().size(), 0.0);
        f[kCoverageFeature] = result.coveragePercent / 100.0;
        f[kReferenceFeature] = result.referenceCoverage;
        f[kCoverageMeanFeature] = coverageMean[0];
        f[kCoverageSpreadFeature] = coverageStd[0];
        f[kHeadFractionFeature] = headFraction;
        f[kSkinShareFeature] = skinShare;
        f[kScalpShareFeature] = scalpShare;
        f[kDarkHairFeature] = darkHair ? 1.0 : 0.0;
        std::size_t index = kViewFeatures;
        for (View v : {View::Front, View::Top, View::Crown, View::Back, View::Left, View::Right})
            f[index++] = p.view == v ? 1.0 : 0.0;
        // On the graded pixels, as stageOfGrades() does on a stored map: the median filter can
        // leave a few ungraded pixels at the head's edge.
        setGradeFeatures(f, gradeMap, gradeMap > 0);
        // The texture over the scalp as graded: without what 1.18 took off a back view's rim.
        setPhotoFeatures(f, L8, coverage, head, inner & head, skinLightness, hairL);
    }

    // 7. Regions: connected areas of one grade, and the stage.
    GradeSummary summary =
        summarizeGrades(result.grades, result.mapWidth, result.mapHeight, photoPxPerMapPx,
                        p.mmPerPx, p.view, p.minRegionFraction, p.displayQuarterTurns);
    result.regions = std::move(summary.regions);
    result.norwood = stageFromFeatures(result.stageFeatures, nullptr, summary.norwood);
    result.parametersJson = parametersJson(p, result.windowPhotoPx);
    step(progress, 0.9);

    // 8. The texture check: a second opinion on the map, shown, not applied.
    result.texture = checkHairTexture(image, p.view, result);
    step(progress, 1.0);
    return result;
}

GradeSummary summarizeGrades(const std::vector<Grade> &grades, int mapWidth, int mapHeight,
                             double photoPxPerMapPx, std::optional<double> mmPerPx, View view,
                             double minRegionFraction, int displayQuarterTurns)
{
    GradeSummary summary;
    if (mapWidth <= 0 || mapHeight <= 0 ||
        grades.size() != static_cast<std::size_t>(mapWidth) * static_cast<std::size_t>(mapHeight))
        throw std::invalid_argument("summarizeGrades: the map does not match its size");
    const cv::Mat gradeMap(mapHeight, mapWidth, CV_8U, const_cast<Grade *>(grades.data()));
    const cv::Mat head = gradeMap > 0;
    const double headPixels = cv::countNonZero(head);
    if (headPixels == 0)
        return summary;
    const cv::Rect headBox = cv::boundingRect(head);
    const double areaPerMapPx = photoPxPerMapPx * photoPxPerMapPx;
    const double minArea = minRegionFraction * headPixels;
    double lossArea = 0, lossAtVertex = 0, lossAtFront = 0;
    for (int g = static_cast<int>(Grade::Normal); g <= static_cast<int>(Grade::Bald); ++g) {
        const cv::Mat mask = gradeMap == g;
        cv::Mat labels, stats, centroids;
        const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
        for (int c = 1; c < count; ++c) {
            const double area = stats.at<int>(c, cv::CC_STAT_AREA);
            if (area < minArea)
                continue;
            std::vector<std::vector<cv::Point>> contours;
            // Only this component, within its bounding box (cheap however many there are).
            const cv::Rect box(
                stats.at<int>(c, cv::CC_STAT_LEFT), stats.at<int>(c, cv::CC_STAT_TOP),
                stats.at<int>(c, cv::CC_STAT_WIDTH), stats.at<int>(c, cv::CC_STAT_HEIGHT));
            cv::findContours(labels(box) == c, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE,
                             box.tl());
            if (contours.empty())
                continue;
            const auto &largest =
                *std::max_element(contours.begin(), contours.end(),
                                  [](const auto &a, const auto &b) { return a.size() < b.size(); });
            std::vector<cv::Point> simplified;
            cv::approxPolyDP(largest, simplified, 1.0, true);
            Region region;
            region.grade = static_cast<Grade>(g);
            for (const cv::Point &q : simplified)
                region.outline.push_back(
                    {(q.x + 0.5) * photoPxPerMapPx, (q.y + 0.5) * photoPxPerMapPx});
            region.areaPx = area * areaPerMapPx;
            if (mmPerPx)
                region.areaCm2 = region.areaPx * *mmPerPx * *mmPerPx / 100.0;
            const double cx = centroids.at<double>(c, 0), cy = centroids.at<double>(c, 1);
            region.centroid = {(cx + 0.5) * photoPxPerMapPx, (cy + 0.5) * photoPxPerMapPx};
            const double u = (cx - (headBox.x + headBox.width / 2.0)) / (headBox.width / 2.0);
            const double v = (cy - (headBox.y + headBox.height / 2.0)) / (headBox.height / 2.0);
            // Into the shown orientation: a clockwise quarter turn takes (u, v) to (-v, u).
            double du = u, dv = v;
            for (int turn = 0; turn < ((displayQuarterTurns % 4) + 4) % 4; ++turn)
                std::tie(du, dv) = std::pair{-dv, du};
            region.location = locationOf(view, du, dv);
            if (region.grade == Grade::Advanced || region.grade == Grade::Bald) {
                lossArea += area;
                if (region.location == "vertex" || region.location == "crown")
                    lossAtVertex += area;
                else if (region.location == "frontal")
                    lossAtFront += area;
            }
            summary.regions.push_back(std::move(region));
        }
    }
    std::sort(summary.regions.begin(), summary.regions.end(), [](const Region &a, const Region &b) {
        return a.grade != b.grade ? a.grade > b.grade : a.areaPx > b.areaPx;
    });
    summary.lossFraction = lossArea / headPixels;
    summary.norwood =
        estimateNorwood(summary.lossFraction, lossArea > 0 ? lossAtVertex / lossArea : 0,
                        lossArea > 0 ? lossAtFront / lossArea : 0, view);
    return summary;
}

} // namespace smp::analysis
