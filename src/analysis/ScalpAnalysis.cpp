#include "smp/analysis/ScalpAnalysis.h"

#include "smp/analysis/LossCalibration.h"

#include "Forest.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>

namespace smp::analysis {

namespace {

// The stage model: the forest, and for some views a loss calibration it is blended with
// (`calibrationWeight` the calibration's share; calibrations by view index, View's order).
struct StageModel
{
    cv::Ptr<cv::ml::RTrees> forest;
    std::map<int, LossCalibration> calibrations;
    double calibrationWeight = 0;
    std::string id;
};

// The node of a stage model's YAML that holds its loss calibrations, and the views' names there
// (View's order).
constexpr const char *kLossCalibrationNode = "smp_loss_calibration";
const std::array<std::string, 6> kViewNames = {"front", "top", "crown", "back", "left", "right"};

std::mutex stageModelMutex;
std::shared_ptr<const StageModel> stageModel;

std::shared_ptr<const StageModel> currentStageModel()
{
    std::lock_guard lock(stageModelMutex);
    return stageModel;
}

// Skin colours in 8-bit CIELAB (a*, b* offset by 128): reddish to yellowish, from pink (b* a
// little below 0: pale skin under cool light) to deep brown. `A8`, `B8` CV_8U; returns a mask.
cv::Mat skinColoured(const cv::Mat &A8, const cv::Mat &B8)
{
    return (A8 >= 128 + 4) & (A8 <= 128 + 40) & (B8 >= 128 - 4) & (B8 <= 128 + 50);
}

// CIELAB chroma, sqrt(a*^2 + b*^2), of 8-bit a* and b* (offset by 128; CV_8U); returns CV_32F.
cv::Mat labChroma(const cv::Mat &A8, const cv::Mat &B8)
{
    cv::Mat a, b, chroma;
    A8.convertTo(a, CV_32F, 1.0, -128.0);
    B8.convertTo(b, CV_32F, 1.0, -128.0);
    cv::magnitude(a, b, chroma);
    return chroma;
}

// The pixels of `skinColour` (skinColoured()) that are not dark brown hair: under L* 50
// (kDarkSkinL8) only those with a CIELAB chroma of kDarkSkinChroma or more. Dark brown hair has
// a little red (a* 4-6, chroma 5-7 on the real photographs' dense heads, its a* swinging with
// noise): counted as skin, a full head of it showed 10-42% "skin", missed the full-head rule and
// took its reddest strands for the skin end. Since 1.39 this mask decides the head's share of
// skin, its skin end and a full head's hair; the lightness unmixing's per-pixel rules and the
// fringe rule keep skinColoured() (with this mask very dark skin in shade, its chroma under 8 in
// places, read as hair, 1.7-3.7 points over). The darkest skin the phantoms draw (very dark, L*
// 22) has chroma 15, 11 at its shaded rim; pale skin under cool light has less but is lighter.
// `A8`, `B8`, `L8` CV_8U; returns a mask.
cv::Mat skinColouredNotDarkHair(const cv::Mat &skinColour, const cv::Mat &A8, const cv::Mat &B8,
                                const cv::Mat &L8)
{
    constexpr int kDarkSkinL8 = 128;        // L* 50, on OpenCV's 8-bit scale (L* * 255 / 100)
    constexpr double kDarkSkinChroma = 8.0; // CIELAB chroma (labChroma())
    return skinColour & ((L8 >= kDarkSkinL8) | (labChroma(A8, B8) >= kDarkSkinChroma));
}

void step(const Progress &progress, double fraction)
{
    if (progress && !progress(fraction))
        throw Cancelled{};
}

// The largest 8-connected component of an 8-bit mask, as an 8-bit mask (255 on it); all 0 when
// the mask is empty. The first of equal largest ones.
cv::Mat largestComponent(const cv::Mat &mask)
{
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
    int best = 0;
    for (int i = 1; i < count; ++i)
        if (best == 0 || stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA))
            best = i;
    return best ? cv::Mat(labels == best) : cv::Mat(mask.size(), CV_8U, cv::Scalar(0));
}

// GrabCut's working size (px, the longer side): the head's outline is known to one of its pixels.
constexpr double kGrabCutSide = 128.0;

// The head (scalp, hair, and whatever skin belongs to it) against the background: GrabCut on a
// small copy, initialised with a rectangle 4% inside the frame, then the largest component with
// its holes filled.
cv::Mat headMask(const cv::Mat &rgb)
{
    // GrabCut dominates the analysis time: at 128 px and two iterations it stays well under 100 ms.
    const double factor = std::min(1.0, kGrabCutSide / std::max(rgb.cols, rgb.rows));
    cv::Mat small;
    cv::resize(rgb, small, cv::Size(), factor, factor, cv::INTER_AREA);
    cv::Mat mask(small.size(), CV_8UC1, cv::Scalar(cv::GC_BGD));
    const int insetX = std::max(2, small.cols / 25);
    const int insetY = std::max(2, small.rows / 25);
    const cv::Rect rect(insetX, insetY, small.cols - 2 * insetX, small.rows - 2 * insetY);
    cv::Mat background, foreground;
    {
        // GrabCut seeds its colour models by k-means from OpenCV's per-thread generator: from a
        // fixed state, so that a photo reads the same whatever ran before it (until 1.7 it did
        // not), and the caller's state put back afterwards. The state is the generator's
        // default, a fresh thread's, so a process's first analysis reads as it always did.
        cv::RNG &generator = cv::theRNG();
        const std::uint64_t callerState = generator.state;
        generator = cv::RNG();
        cv::grabCut(small, mask, rect, background, foreground, 2, cv::GC_INIT_WITH_RECT);
        generator.state = callerState;
    }
    cv::Mat head = (mask == cv::GC_FGD) | (mask == cv::GC_PR_FGD);

    head = largestComponent(head);
    // Fill holes: everything not reachable from the border through non-head pixels.
    cv::Mat outside = head.clone();
    cv::copyMakeBorder(outside, outside, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::floodFill(outside, cv::Point(0, 0), cv::Scalar(255));
    cv::Mat holes = ~outside(cv::Rect(1, 1, head.cols, head.rows));
    head |= holes;
    cv::Mat full;
    cv::resize(head, full, rgb.size(), 0, 0, cv::INTER_LINEAR);
    cv::threshold(full, full, 127, 255, cv::THRESH_BINARY);
    return full;
}

// Whether a block's percentile `value` can be trusted, given the block's `samples` (in any
// order; the rule may reorder them); the rule may also refine `value`.
using BlockRule = std::function<bool(float &value, std::vector<float> &samples)>;

// A smooth map of a percentile of `values` over the pixels of `mask`, computed in blocks of
// `block` px and interpolated; blocks without enough mask pixels, or failing `trusted`, take their
// neighbours' values (all blocks with pixels count when none passes). Any value range: a block is
// missing by its count of pixels, not by its value.
cv::Mat percentileMap(const cv::Mat &values, const cv::Mat &mask, int block, double q,
                      const BlockRule &trusted = {})
{
    const int gx = (values.cols + block - 1) / block;
    const int gy = (values.rows + block - 1) / block;
    cv::Mat grid(gy, gx, CV_32F, cv::Scalar(0));
    cv::Mat known(gy, gx, CV_8U, cv::Scalar(0));
    cv::Mat measured(gy, gx, CV_8U, cv::Scalar(0));
    std::vector<float> samples;
    for (int by = 0; by < gy; ++by) {
        for (int bx = 0; bx < gx; ++bx) {
            const cv::Rect r(bx * block, by * block, std::min(block, values.cols - bx * block),
                             std::min(block, values.rows - by * block));
            samples.clear();
            for (int y = r.y; y < r.y + r.height; ++y)
                for (int x = r.x; x < r.x + r.width; ++x)
                    if (mask.at<std::uint8_t>(y, x))
                        samples.push_back(values.at<float>(y, x));
            if (samples.size() < static_cast<std::size_t>(block * block / 8))
                continue;
            const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(
                                                   q * static_cast<double>(samples.size() - 1));
            std::nth_element(samples.begin(), nth, samples.end());
            float value = *nth;
            if (!trusted || trusted(value, samples))
                known.at<std::uint8_t>(by, bx) = 1;
            grid.at<float>(by, bx) = value;
            measured.at<std::uint8_t>(by, bx) = 1;
        }
    }
    if (cv::countNonZero(known) == 0)
        known = measured;
    // Fill empty blocks from their neighbours, repeatedly.
    for (int pass = 0; pass < std::max(gx, gy); ++pass) {
        bool missing = false;
        cv::Mat next = grid.clone();
        cv::Mat nextKnown = known.clone();
        for (int y = 0; y < gy; ++y) {
            for (int x = 0; x < gx; ++x) {
                if (known.at<std::uint8_t>(y, x))
                    continue;
                double sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < gy && xx >= 0 && xx < gx &&
                            known.at<std::uint8_t>(yy, xx)) {
                            sum += static_cast<double>(grid.at<float>(yy, xx));
                            ++n;
                        }
                    }
                if (n) {
                    next.at<float>(y, x) = static_cast<float>(sum / n);
                    nextKnown.at<std::uint8_t>(y, x) = 1;
                } else {
                    missing = true;
                }
            }
        }
        grid = next;
        known = nextKnown;
        if (!missing)
            break;
    }
    // No envelope over neighbouring blocks: a neighbour's brighter skin would bias shaded areas
    // (measured on the phantoms: 5 -> 1-3 points of coverage error for dark hair).
    // Smoothed at up to a quarter of the size, where the blur's sigma (block / 2 px) stays at
    // 4 px or more: the full-size blur took most of the map's time (12 MP photo: 173 -> 101 ms
    // for the whole analysis; the phantoms read the same to 0.01 points).
    const int factor = std::clamp(block / 8, 1, 4);
    const cv::Size coarseSize((values.cols + factor - 1) / factor,
                              (values.rows + factor - 1) / factor);
    cv::Mat coarse, map;
    cv::resize(grid, coarse, coarseSize, 0, 0, cv::INTER_CUBIC);
    cv::GaussianBlur(coarse, coarse, cv::Size(0, 0), block / 2.0 / factor);
    cv::resize(coarse, map, values.size(), 0, 0, cv::INTER_LINEAR);
    return map;
}

double percentile(const cv::Mat &values, const cv::Mat &mask, double q)
{
    std::vector<float> samples;
    samples.reserve(static_cast<std::size_t>(cv::countNonZero(mask)));
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < values.cols; ++x)
            if (mask.at<std::uint8_t>(y, x))
                samples.push_back(values.at<float>(y, x));
    if (samples.empty())
        return 0;
    const auto nth =
        samples.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), nth, samples.end());
    return *nth;
}

// Counts of `values` (CV_32F) under `mask` (8-bit) in kHistogramBins equal bins from `from` to
// `to` (either way round; bin 0 at `from`); values outside are not counted.
constexpr int kHistogramBins = 40;
using Histogram = std::array<double, kHistogramBins>;

Histogram histogramOf(const cv::Mat &values, const cv::Mat &mask, double from, double to)
{
    Histogram histogram{};
    const double width = (to - from) / kHistogramBins;
    if (std::abs(width) < 1e-9)
        return histogram;
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < values.cols; ++x) {
            if (!mask.at<std::uint8_t>(y, x))
                continue;
            const double bin = (static_cast<double>(values.at<float>(y, x)) - from) / width;
            if (bin >= 0 && bin < kHistogramBins)
                histogram[static_cast<std::size_t>(bin)] += 1;
        }
    return histogram;
}

// The fullest bin of `histogram` once each bin is summed with its two neighbours either side, and
// that sum.
std::pair<int, double> smoothedPeak(const Histogram &histogram)
{
    int peak = 0;
    double peakCount = -1;
    for (int i = 0; i < kHistogramBins; ++i) {
        double sum = 0;
        for (int j = std::max(0, i - 2); j <= std::min(kHistogramBins - 1, i + 2); ++j)
            sum += histogram[static_cast<std::size_t>(j)];
        if (sum > peakCount) {
            peakCount = sum;
            peak = i;
        }
    }
    return {peak, peakCount};
}

// The most common value of `values` (CV_32F, under the 8-bit `mask`) between `low` and `high`:
// the centre of histogramOf()'s smoothedPeak() between them.
double modeBetween(const cv::Mat &values, const cv::Mat &mask, double low, double high)
{
    const int peak = smoothedPeak(histogramOf(values, mask, low, high)).first;
    return low + (peak + 0.5) * (high - low) / kHistogramBins;
}

// The value of pure hair along a skin-to-hair scale (`values` over `mask`, `skin` the skin's
// value), when hair is on the side of `extreme` (an extreme percentile, hair or beyond it). Where
// the hair is dense, many pixels are pure hair and the far half of the scale, from midway between
// the skin and the extreme, has a peak inside it: that peak is the hair (the extreme is its
// lightest shine or darkest shade, and noise). Where the hair is sparse, pixels are mostly hair
// mixed with skin, the far half falls off from its start, and the extreme is the better guess.
// Light hair's shades spread wide (a grey head mixes white and pigmented hairs, blond varies,
// and lightness follows the light), so a dense light head can fill the far half with no peak in
// it, its extreme far lighter than most of its hair (dense grey on tan skin read 26 points thin
// until 1.7). With `HairShades::Spread`, when at least a third of the head lies in the far half
// but no peak does, the hair is the median of the pixels past `kSpreadFrom` of the way.
// `sparseEnd`, when given, stands for the extreme as the sparse hair's end (a soft photo's
// strand cores lie beyond the extreme that bounds the search: analyze()).
// In a soft photo (`softness` 0..1, analyze()'s: 1 at kSoftPhotoSharpness and below) the blur
// mixes even dense hair with the skin between its strands, and the peak lies on the skin's side
// of pure hair: the end is then moved from the peak towards the sparse end by kSoftPeakShift
// times the softness (since 1.21: the blurred phantoms at 1600 px and 12 MP read 2.7-7.4 points
// off, now 2.1-5.1; docs/analysis.md).
enum class HairShades
{
    Narrow,
    Spread
};

double hairEnd(const cv::Mat &values, const cv::Mat &mask, double skin, double extreme,
               HairShades shades = HairShades::Narrow, std::optional<double> sparseEnd = {},
               double softness = 0)
{
    constexpr double kSoftPeakShift = 1.0 / 3.0;
    const double sparse = sparseEnd.value_or(extreme);
    const double cut = skin + 0.5 * (extreme - skin);
    const double width = (extreme - cut) / kHistogramBins;
    if (std::abs(width) < 1e-6)
        return sparse;
    const Histogram histogram = histogramOf(values, mask, cut, extreme);
    // Smoothed over 5 bins, the peak must lie past the first quarter of the far half and rise
    // 5% above its first 5 bins (on the phantoms: past bin 12 when dense, before bin 10 when not).
    const auto [peak, peakCount] = smoothedPeak(histogram);
    double start = 0;
    for (int j = 0; j < 5; ++j)
        start += histogram[static_cast<std::size_t>(j)];
    if (peak >= kHistogramBins / 4 && peakCount >= 1.05 * start) {
        const double peakValue = cut + (peak + 0.5) * width;
        return peakValue + kSoftPeakShift * softness * (sparse - peakValue);
    }
    if (shades == HairShades::Narrow)
        return sparse;
    // Spread shades: dense when a third of the head is in the far half (on the phantoms light
    // hair's dense heads 0.37-0.64, its sparse ones 0.14-0.27).
    constexpr double kDenseShare = 1.0 / 3.0;
    constexpr double kSpreadFrom = 0.4;
    const double from = skin + kSpreadFrom * (extreme - skin);
    const double sign = extreme > skin ? 1.0 : -1.0;
    double inFarHalf = 0, total = 0;
    std::vector<float> pastFrom;
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < values.cols; ++x) {
            if (!mask.at<std::uint8_t>(y, x))
                continue;
            const float value = values.at<float>(y, x);
            total += 1;
            inFarHalf += sign * (static_cast<double>(value) - cut) > 0;
            if (sign * (static_cast<double>(value) - from) > 0)
                pastFrom.push_back(value);
        }
    if (inFarHalf < kDenseShare * total || pastFrom.empty())
        return sparse;
    const auto middle = pastFrom.begin() + static_cast<std::ptrdiff_t>(pastFrom.size() / 2);
    std::nth_element(pastFrom.begin(), middle, pastFrom.end());
    return static_cast<double>(*middle);
}

// The per-channel median of the 8-bit RGB pixels under `mask` (8-bit), as floats; black when
// the mask is empty.
cv::Vec3f medianColour(const cv::Mat &rgb, const cv::Mat &mask)
{
    std::array<std::vector<std::uint8_t>, 3> channels;
    for (int y = 0; y < rgb.rows; ++y)
        for (int x = 0; x < rgb.cols; ++x)
            if (mask.at<std::uint8_t>(y, x)) {
                const cv::Vec3b c = rgb.at<cv::Vec3b>(y, x);
                for (std::size_t k = 0; k < 3; ++k)
                    channels[k].push_back(c[static_cast<int>(k)]);
            }
    cv::Vec3f median(0, 0, 0);
    for (std::size_t k = 0; k < 3; ++k) {
        auto &values = channels[k];
        if (values.empty())
            continue;
        const auto middle = values.begin() + static_cast<std::ptrdiff_t>((values.size() - 1) / 2);
        std::nth_element(values.begin(), middle, values.end());
        median[static_cast<int>(k)] = static_cast<float>(*middle);
    }
    return median;
}

// How much fine detail each pixel's neighbourhood has: the mean absolute difference between
// `values` and `values` blurred by 1 px, averaged over about 6 px (Gaussian). Hair is stranded
// and bare scalp smooth, even where its shine is as light as grey or blond hair. Scale: the
// working copy's pixels (at most 1024 px a side). `values` CV_32F; returns CV_32F, in the units
// of `values`.
cv::Mat fineDetail(const cv::Mat &values)
{
    cv::Mat smooth, detail;
    cv::GaussianBlur(values, smooth, cv::Size(), 1.0);
    cv::GaussianBlur(cv::abs(values - smooth), detail, cv::Size(), 6.0);
    return detail;
}

// The share of a pixel's hair coverage that its fineDetail() supports: 0 where the
// neighbourhood is as smooth as bare scalp (`smooth` or less), 1 from `stranded` up, linear
// between (all three in the same units).
float strandShare(float detail, float smooth, float stranded)
{
    return std::clamp((detail - smooth) / (stranded - smooth), 0.0f, 1.0f);
}

// L*'s fineDetail() of bare skin and of strands, for strandShare() on lightness: on the real
// photographs a shiny bald scalp reads 0.1-0.5 L*, short grey hair 1.5-3; on the phantoms light
// hair on darker skin 1.5-8.
constexpr float kSmoothSkinL = 0.5f;
constexpr float kStrandedL = 1.0f;

// Hair coverage per pixel by unmixing lightness: where each pixel's lightness L* lies between
// the local skin and the hair lightness, 2 L* of noise ignored at either end. The local
// skin is the 95th percentile per block of `block` px when the hair is darker (else the 5th),
// taken only from blocks where skin shows: at least 15% of the block within 4 L* of it. Under
// dense hair the block's 95th percentile is hair mixed with skin; such blocks take their
// neighbours' skin (on the denser phantoms 7 -> 3 points of coverage for dark hair).
// For hair lighter than the skin the skin is the dark end, and the darkest 5% of bare skin lie
// well below its middle (skin tone, shade, noise): all the rest of the skin then read as some
// hair, and a bald head's lit skin as a patchwork of hair. There the block's skin is the
// percentile at half the share of the block on the skin side of a quarter of the way to the
// hair: its median where it is bare, its 5th percentile where a tenth of it is skin.
// The hair lightness is hairEnd() between the skin and `extremeL` (the head's extreme
// percentile on the hair side). `skinL`: the skin's median L* (the reddest fifth of the head);
// `skinLike`: the skin-coloured pixels (8-bit mask). Light hair must also be stranded: a shiny
// bald scalp's lit skin is lighter than its shaded skin, and read as light hair until 1.6 (bald
// heads mapped as patches of normal hair); where L*'s fineDetail() is as smooth as bare skin the
// coverage is scaled down by strandShare() (on the real photographs a shiny bald scalp reads
// 0.1-0.5 L*, short grey hair 1.5-3). `colourCoverage` gives the colour unmixing's map, for
// shade too deep for lightness (below); called at most once, only when such a pixel is met;
// `shadeTookColour` says whether any pixel of the returned map took it. `hairLightRead`: where
// `L` has the light on the hair divided out, how much (lightOnHair()'s weight, CV_32F 0..1);
// empty when it has not. `softness`: how soft the photo is, for hairEnd(). Dark hair's lit
// sheen, where no skin colour shows around, counts as hair as far as it is stranded (below).
// Returns 0..1, CV_32F.
cv::Mat unmixLightness(const cv::Mat &L, const cv::Mat &head, const cv::Mat &inner, int block,
                       bool darkHair, double extremeL, double sparseExtremeL, double softness,
                       double skinL, const cv::Mat &skinLike,
                       const std::function<cv::Mat()> &colourCoverage, bool &shadeTookColour,
                       const cv::Mat &hairLightRead = {})
{
    constexpr float kSkinPlateauL = 4.0f;
    constexpr double kSkinPlateauShare = 0.15;
    constexpr double kSkinSideOfContrast = 0.25;
    constexpr float kDarkL = 35.0f; // L*: dark hair, as the scalp test counts it
    // Light hair's end, from the reddest fifth's skin (the block rule below needs it); dark
    // hair's is found once the local skin is known.
    const double lightHairL =
        darkHair ? extremeL
                 : hairEnd(L, inner, skinL, extremeL, HairShades::Spread, sparseExtremeL, softness);
    const auto skinShows = [&](float &value, std::vector<float> &samples) {
        const float end = value;
        const auto near = std::count_if(samples.begin(), samples.end(), [end](float sample) {
            return std::abs(sample - end) <= kSkinPlateauL;
        });
        if (static_cast<double>(near) < kSkinPlateauShare * static_cast<double>(samples.size()))
            return false;
        if (!darkHair) {
            const float limit =
                static_cast<float>(static_cast<double>(end) +
                                   kSkinSideOfContrast * (lightHairL - static_cast<double>(end)));
            const auto skinSide = std::count_if(samples.begin(), samples.end(),
                                                [limit](float sample) { return sample <= limit; });
            const double q = std::clamp(0.5 * static_cast<double>(skinSide) /
                                            static_cast<double>(samples.size()),
                                        0.05, 0.5);
            const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(
                                                   q * static_cast<double>(samples.size() - 1));
            std::nth_element(samples.begin(), nth, samples.end());
            value = *nth;
        }
        return true;
    };
    cv::Mat skin = percentileMap(L, inner, block, darkHair ? 0.95 : 0.05, skinShows);
    // Dense dark hair in a soft photo (since 1.28). A blur spreads every strand over the skin
    // between, and under dense hair no pixel is left bare: the block's 95th percentile is skin
    // mixed with hair, too dark, and the head reads thin everywhere (an even head of dark hair
    // on very light skin, blurred, at 1600 px: skin end L* 61.5 where the skin is 76; 11 points
    // thin). As the hair end takes a soft photo's darkest 0.5% instead of 2% (hairEnd()), the
    // skin end there takes the block's lightest kSoftSkinShare, as far as the photo is soft
    // (`softness`) and the block dense: its median from kDenseFrom to kDenseFull of the way
    // from the skin end to the hair end. A sparse block's 95th percentile is bare skin, and
    // stays (a lighter end there read the sparse blurred heads at 800 px 2 points over).
    if (darkHair && softness > 0) {
        constexpr double kSoftSkinShare = 0.01;
        constexpr float kDenseFrom = 0.4f;
        constexpr float kDenseFull = 0.7f;
        const cv::Mat softSkin = percentileMap(L, inner, block, 1.0 - kSoftSkinShare, skinShows);
        const cv::Mat median = percentileMap(L, inner, block, 0.5);
        const cv::Mat towardsHair =
            (skin - median) / cv::max(skin - static_cast<float>(extremeL), 1.0f);
        cv::Mat dense =
            cv::min(cv::max((towardsHair - kDenseFrom) / (kDenseFull - kDenseFrom), 0.0), 1.0);
        dense *= softness;
        skin += dense.mul(softSkin - skin);
    }
    // Dark hair: the reddest fifth of a densely haired head is hair mixed with skin, too dark
    // for a skin end, and hairEnd() then found no peak in the far half; the local skin's median
    // is the better skin end when it is lighter (very dark skin, dense: 20 -> 10 points).
    const double skinRef = darkHair ? std::max(skinL, percentile(skin, inner, 0.5)) : skinL;
    const double firstHairL = darkHair ? hairEnd(L, inner, skinRef, extremeL, HairShades::Narrow,
                                                 sparseExtremeL, softness)
                                       : lightHairL;

    // Where the local skin and the hair lie within kMinContrastL of each other there is either
    // no skin (a full head of dark hair: the lightest pixels are hair too) or shade: the head's
    // hair lightness, its darkest pixels, is too light for the shaded side of a dark-skinned
    // head. Where skin-coloured pixels show (a third of the block) and the head as a whole has
    // some contrast, the hair end there is the lighter of the block's darkest 2% (the block
    // alone: under dense hair they are shadow between strands) and the head's hair end scaled
    // down with the local skin (shade darkens hair and skin alike; L* + 16 scales with the cube
    // root of the light), and unmixing needs only kMinShadedContrastL (very dark skin, dark
    // hair: 11 -> 5.6 points; lit from one side, its shaded half read as bald).
    constexpr float kMinContrastL = 8.0f;
    constexpr float kMinShadedContrastL = 5.0f;
    // Where the light was read from the hair (`hairLightRead`, lightOnHair()'s weight, at least
    // kLightReadFromHair) that light is already divided out of `L`: the hair end is the same
    // everywhere, and skin darker than elsewhere is the skin's own shade, not the hair's. There
    // the hair end stays as it is, and kMinEvenContrastL suffices (the coverage window averages
    // the noise of so small a contrast out). Until 1.19 the shade rule above scaled the hair
    // end down with the skin there too: dense dark hair on very dark skin, its skin shaded at
    // the rim and its hair not, read its rim as thinning (1600 px: 11 points, -5.7 on average).
    constexpr float kLightReadFromHair = 0.5f;
    constexpr float kMinEvenContrastL = 1.0f;
    constexpr float kSkinNearShare = 0.3f;
    constexpr float kMarginL = 2.0f; // of noise ignored at either end (a quarter of the contrast
                                     // when that is smaller)
    // The share of each block's pixels that are skin-coloured (dark hair: the shade rule and
    // the sheen rule below).
    cv::Mat skinNear;
    if (darkHair) {
        cv::boxFilter(skinLike & head, skinNear, CV_32F, cv::Size(block, block), cv::Point(-1, -1),
                      true);
        skinNear /= 255.0;
    }
    // Dense dark hair's sheen (since 1.27). Where light falls on a dense head of dark hair, its
    // lit strands are as light as the skin, and the lightness unmixing read them as bare skin:
    // on the real photographs' top views full heads mapped as patches of bald and advanced
    // (the fit half's heads labelled 2 had a median loss share of 0.48), and greying dark hair
    // as a patchwork. Sheen is hair, lit: it keeps the hair's colour, which is not the skin's.
    // Where under kSheenSkinShare of a block is skin-coloured (little bare skin shows there), a
    // pixel that reads as partly skin is taken as hair as far as L*'s fine detail says it is
    // stranded (strandShare() with kSmoothSkinL and kStrandedL, as light hair). Bare skin
    // between strands is skin-coloured, so a block that shows more of it keeps the lightness
    // reading: the phantoms (they draw no sheen) move by a thinning IoU of 0.002 at most, and a
    // shiny bald scalp is skin-coloured and smooth.
    constexpr float kSheenSkinShare = 0.2f; // 0.1: a test's painted sheen read 0.79 of its
                                            // 0.94; 0.3: 0.98, over
    const bool sheenMayShow = darkHair && cv::countNonZero((skinNear < kSheenSkinShare) & head) > 0;
    // Light hair's strand test and the sheen rule's (kSmoothSkinL, kStrandedL; about 22 ms on a
    // 1024 x 768 map).
    const cv::Mat detail = !darkHair || sheenMayShow ? fineDetail(L) : cv::Mat();
    // Made when the first pixel needs it (most heads have contrast everywhere).
    cv::Mat localHair, colour;
    const auto makeShadeMaps = [&] { localHair = percentileMap(L, inner, block, 0.02); };
    const auto unmix = [&](double hairL) {
        shadeTookColour = false;
        const bool headHasContrast = skinRef - hairL >= static_cast<double>(kMinShadedContrastL);
        cv::Mat alpha(L.size(), CV_32F, cv::Scalar(0));
        for (int y = 0; y < L.rows; ++y) {
            for (int x = 0; x < L.cols; ++x) {
                if (!head.at<std::uint8_t>(y, x))
                    continue;
                const float s = skin.at<float>(y, x);
                const float value = L.at<float>(y, x);
                float contrast =
                    darkHair ? s - static_cast<float>(hairL) : static_cast<float>(hairL) - s;
                float minContrast = kMinContrastL;
                if (darkHair && contrast < kMinContrastL && headHasContrast && localHair.empty())
                    makeShadeMaps();
                const bool shade = darkHair && contrast < kMinContrastL && headHasContrast &&
                                   skinNear.at<float>(y, x) >= kSkinNearShare;
                if (shade && !hairLightRead.empty() &&
                    hairLightRead.at<float>(y, x) >= kLightReadFromHair) {
                    contrast = s - static_cast<float>(hairL);
                    minContrast = kMinEvenContrastL;
                } else if (shade) {
                    const double shadedHairL =
                        (hairL + 16.0) * (static_cast<double>(s) + 16.0) / (skinRef + 16.0) - 16.0;
                    contrast = std::min(s - static_cast<float>(shadedHairL),
                                        s - localHair.at<float>(y, x));
                    minContrast = kMinShadedContrastL;
                }
                if (contrast < minContrast) {
                    // Shade too deep even for that (very dark skin at a head's dark rim: skin and
                    // hair 2 L* apart, under the noise): colour still tells them apart, the
                    // unmixing ratio being free of shading, and averaged over the coverage window
                    // its noise goes. Until 1.11 these pixels took the rule below, and JPEG lends
                    // dark strands the skin's chroma there: the rim read as bald (very dark skin,
                    // dark hair, 800 px: 6.0 -> 3.6 points, IoU 0.44 -> 0.71). Not where no skin
                    // shows around (a full head of dark hair), where colour read the real
                    // photographs' top views worse (MAE 0.59 -> 0.69).
                    if (shade) {
                        if (colour.empty())
                            colour = colourCoverage();
                        alpha.at<float>(y, x) = colour.at<float>(y, x);
                        shadeTookColour = true;
                        continue;
                    }
                    // No skin to measure against: dark pixels that are not skin-coloured are hair.
                    // Until 1.4 every such pixel read as bare skin, and a full head as bald.
                    if (darkHair && value < kDarkL && !skinLike.at<std::uint8_t>(y, x))
                        alpha.at<float>(y, x) = 1.0f;
                    continue;
                }
                const float d = darkHair ? s - value : value - s;
                const float margin = std::min(kMarginL, 0.25f * contrast);
                float share = std::clamp((d - margin) / (contrast - 2 * margin), 0.0f, 1.0f);
                if (!darkHair)
                    share *= strandShare(detail.at<float>(y, x), kSmoothSkinL, kStrandedL);
                else if (sheenMayShow && share < 1.0f && skinNear.at<float>(y, x) < kSheenSkinShare)
                    share = std::max(share,
                                     strandShare(detail.at<float>(y, x), kSmoothSkinL, kStrandedL));
                alpha.at<float>(y, x) = share;
            }
        }
        return alpha;
    };
    cv::Mat alpha = unmix(firstHairL);
    // A dense head of dark hair on skin little lighter than it (very dark skin: 7 L* apart)
    // spreads its hair's shades (the phantoms draw them 15% darker to 25% lighter) over the
    // whole far half of the scale, and its mode lies near the middle: no peak in the far half,
    // the hair end its darkest shade, 3 L* past the hair's middle, and the head read at half
    // its coverage (an even head at 1600 px: 27 points thin). Where the map so read covers at
    // least kDenseDarkCoverage of the head, the hair end is the middle of the far shades
    // (hairEnd()'s spread rule) when that is lighter: 27 -> 11 points, nothing else on the
    // phantoms moves; sparse heads (the phantoms at 800 px: at most 0.35) keep their extreme,
    // which blur already pulls towards the skin.
    constexpr double kDenseDarkCoverage = 0.4;
    if (darkHair && cv::mean(alpha, inner)[0] >= kDenseDarkCoverage) {
        const double spreadL =
            hairEnd(L, inner, skinRef, extremeL, HairShades::Spread, {}, softness);
        if (spreadL > firstHairL)
            alpha = unmix(spreadL);
    }
    return alpha;
}

// A head whose colour-unmixed map covers at least this share of it on average is dense: its
// reddest fifth is skin mixed with hair (unmixColour()'s skin end), and light hair on darker skin
// with little contrast is read in colour (analyze()). On the phantoms dense heads 0.64-0.71,
// sparse ones about 0.3; the real photographs under the low-contrast test at most 0.38.
constexpr double kDenseColourCoverage = 0.5;

// A map's pixel read at or over this share of hair is taken for a strand, one read under it for
// bare skin or its noise: readAgainstLocalSkin() (1.35) takes the pixels 2 px clear of any strand
// for bare skin, unmixColour() (1.37) those read under it, where a sparse head shows no bare
// patch.
constexpr float kStrandShare = 0.1f;

cv::Mat meanOnMask(const cv::Mat &values, const cv::Mat &weight, double sigmaPx);

// A sparse head's colour map read again against the skin around each pixel (since 1.35).
// unmixColour() reads every pixel against one skin, its ends and margin set for the head; but
// the skin varies over a head (shading, its own tone), and on the 800 px phantoms grey hair read
// with its exact ends and each pixel's own bare skin scored a loss IoU of 0.87-0.96 where the
// analysis read 0.55-0.83, as well with the skin known only over 16 px (docs/analysis.md, "What
// the pixels allow"). Here the bare skin is the photo's own: the pixels at least
// kStrandClearancePx from any that `alpha` reads kStrandShare or more covered (nearer, the
// strands' soft edges, the blur and the JPEG's colour reach them: taken from every pixel off
// the strands the grey heads read 9-17 points thin), averaged over the head around each pixel
// (meanOnMask(), sigma kLocalSkinHeadFraction of the head's larger side). Each pixel's share is
// one less its skin coefficient when its colour is written as a mix of that skin and `hair`
// (least squares; shading scales both coefficients, and how light a strand is moves only the
// hair's), left signed so that bare skin's noise averages out over a window, and the map is
// scaled to keep `alpha`'s mean over `inner` (the hair ends' rules were set on it). Empty where
// under kMinBareShare of `inner` is found bare; `alpha` as it is outside `inner`. `colour`
// CV_32FC3 RGB, `alpha` CV_32F, masks 8-bit; returns CV_32F, signed per pixel (its mean over
// `inner` `alpha`'s).
cv::Mat readAgainstLocalSkin(const cv::Mat &colour, const cv::Mat &alpha, const cv::Mat &head,
                             const cv::Mat &inner, const cv::Vec3f &skin, const cv::Vec3f &hair)
{
    constexpr int kStrandClearancePx = 2;
    constexpr double kMinBareShare = 0.03;
    constexpr double kLocalSkinHeadFraction = 1.0 / 15.0;
    cv::Mat nearStrands;
    cv::dilate(alpha >= kStrandShare, nearStrands,
               cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * kStrandClearancePx + 1,
                                                                     2 * kStrandClearancePx + 1)));
    const cv::Mat bare = inner & ~nearStrands;
    const double innerPixels = cv::countNonZero(inner);
    if (innerPixels == 0 || cv::countNonZero(bare) < kMinBareShare * innerPixels)
        return {};
    cv::Mat bareWeight;
    bare.convertTo(bareWeight, CV_32F, 1.0 / 255.0);
    const cv::Rect box = cv::boundingRect(head);
    const double sigma = kLocalSkinHeadFraction * std::max(box.width, box.height);
    std::vector<cv::Mat> channels;
    cv::split(colour, channels);
    for (auto &channel : channels)
        channel = meanOnMask(channel, bareWeight, sigma);
    cv::Mat localSkin;
    cv::merge(channels, localSkin);
    const float hh = hair.dot(hair);
    cv::Mat share(alpha.size(), CV_32F, cv::Scalar(0));
    for (int y = 0; y < share.rows; ++y) {
        for (int x = 0; x < share.cols; ++x) {
            if (!head.at<std::uint8_t>(y, x))
                continue;
            // Where no bare pixel lies within reach, meanOnMask() reads 0: the head's skin.
            // (Where a few do, however far, their mean reads better than the head's skin: the
            // shaded 800 px blond head on light skin 0.853 -> 0.802 with a floor of 1% of the
            // area bare.)
            cv::Vec3f s = localSkin.at<cv::Vec3f>(y, x);
            if (s.dot(s) < 1.0f)
                s = skin;
            const float ss = s.dot(s), sh = s.dot(hair);
            const float determinant = ss * hh - sh * sh;
            if (determinant <= 1e-6f * ss * hh)
                continue;
            const cv::Vec3f &c = colour.at<cv::Vec3f>(y, x);
            const float a = (hh * c.dot(s) - sh * c.dot(hair)) / determinant;
            share.at<float>(y, x) = std::clamp(1.0f - a, -1.0f, 2.0f);
        }
    }
    const double read = cv::mean(share, inner)[0];
    if (read <= 1e-3)
        return {};
    share *= cv::mean(alpha, inner)[0] / read;
    // The head's outline, outside `inner`, keeps `alpha`: there the backdrop shows between the
    // fringe's strands, and read against the skin it is negative hair, which the scalp's count
    // leaves out of a window (analyze()) but a window's sum would not: the outline of an 800 px
    // blond head read as a rim of bald and advanced patches.
    alpha.copyTo(share, head & ~inner);
    return share;
}

// A sparse head of grey hair a little lighter than its darker skin, read in lightness, read again
// in colour against the skin around each pixel (since 1.36), as readAgainstLocalSkin() reads a
// sparse head unmixed in colour: the lightness map (`alpha`) is the finder of strands, the hair
// the median colour of the head's kMostCoveredShare most covered pixels, the skin (where no bare
// pixel lies within reach) that of its kLeastCoveredShare least covered. On the 800 px phantoms
// grey hair on tan and dark skin read in lightness scored a loss IoU of 0.64-0.80 where its exact
// reading with each pixel's own skin scores 0.87-0.96 (docs/analysis.md, "What the pixels
// allow"). Only grey hair, whose median colour is less saturated than kMaxHairSaturation (HSV
// saturation, max - min over max; grey hair mixed with skin 0.13-0.25 on the phantoms, blond
// 0.37-0.42): blond lies near the skin's own hue, a skin a little off reads as blond hair, and
// read so the blond heads lost 0.1-0.2 of loss IoU. Only a head covered kMinCoverage or more
// on average: under it lie 72 real photographs, all-but-bald heads whose shine or grey fringe
// reads as lighter hair; read so, their fringes looked better, but the shipped stage model,
// learnt on the maps as first read, staged them worse (front views under the 85% target).
// `rgb` 8-bit RGB, `alpha` CV_32F 0..1, masks 8-bit; empty where it does not apply or
// readAgainstLocalSkin() finds too little bare skin, else CV_32F, signed per pixel.
cv::Mat readGreyHairAgainstLocalSkin(const cv::Mat &rgb, const cv::Mat &alpha, const cv::Mat &head,
                                     const cv::Mat &inner)
{
    constexpr double kMinCoverage = 0.1;
    constexpr double kMostCoveredShare = 0.05;
    constexpr double kLeastCoveredShare = 0.2;
    constexpr float kMaxHairSaturation = 0.3f;
    const double coverage = cv::mean(alpha, inner)[0];
    if (coverage < kMinCoverage || coverage >= kDenseColourCoverage)
        return {};
    const cv::Vec3f hair =
        medianColour(rgb, inner & (alpha >= percentile(alpha, inner, 1.0 - kMostCoveredShare)));
    const float brightest = std::max({hair[0], hair[1], hair[2]});
    const float dullest = std::min({hair[0], hair[1], hair[2]});
    if (brightest <= 0 || (brightest - dullest) / brightest >= kMaxHairSaturation)
        return {};
    const cv::Vec3f skin =
        medianColour(rgb, inner & (alpha <= percentile(alpha, inner, kLeastCoveredShare)));
    cv::Mat colour;
    rgb.convertTo(colour, CV_32FC3);
    return readAgainstLocalSkin(colour, alpha, head, inner, skin, hair);
}

// Hair coverage per pixel for hair about as light as the skin or lighter (grey, blond), where
// lightness says little: unmixing in colour. Each pixel's RGB colour c is written as
// a * skin + b * hair (least squares); shading multiplies a and b alike, so b / (a + b) depends
// on the mix only. Skin is the median colour of the reddest fifth of the head (`redness`: CIELAB
// a*), where the ratio is 0 (on dense heads the skin end lies below: see the body); hair the
// median of its least red 5%, which is hair mixed with some skin where the hair is sparse, so
// the hair end is the head's 99.8th percentile of the ratio, or the peak of pure hair where it
// is dense, or the median of its spread shades where they fill the far half with no peak
// (hairEnd(); a full grey head read 35 points thin until 1.7).
// A bald scalp whose lit side is paler than its shaded side lands here too, its paler skin read
// as hair until 1.6: hair must also be stranded, and where the ratio's fineDetail() is as smooth
// as bare skin the coverage is scaled down by strandShare(). The ratio, unlike lightness, is free
// of shading and carries the detail of hair about as light as the skin: over the hair end, shine
// reads 0.006-0.010 (the phantoms with a highlight and the real photographs alike), grey and blond
// strands 0.03-0.08 on the phantoms, whatever their noise. `hairIsRedder` (red hair, as the
// technician says: analyze()) swaps the references: skin the least red fifth, hair the reddest
// 5%. `scalpOnlyL`: CIELAB L* (CV_32F) where the view shows nothing but scalp (top and crown
// views: strandedness also from lightness, below), empty where a face, ears or a beard may show.
// `rgb` 8-bit RGB, masks 8-bit, `redness` CIELAB a* + 128 (CV_32F), `yellowness8` b* + 128
// (8-bit), `softness` how soft the photo is (hairEnd()); returns 0..1, CV_32F, but signed per
// pixel where `withLocalSkin` reads a sparse head against the skin around each pixel
// (readAgainstLocalSkin(); analyze()'s map of the head, not its colour for deep shade).
cv::Mat unmixColour(const cv::Mat &rgb, const cv::Mat &head, const cv::Mat &inner,
                    const cv::Mat &redness, const cv::Mat &yellowness8, bool hairIsRedder,
                    double softness, const cv::Mat &scalpOnlyL, bool withLocalSkin)
{
    cv::Mat colour;
    rgb.convertTo(colour, CV_32FC3);
    const cv::Mat reddest =
        inner & (redness >= percentile(redness, inner, hairIsRedder ? 0.95 : 0.8));
    const cv::Mat leastRed =
        inner & (redness <= percentile(redness, inner, hairIsRedder ? 0.2 : 0.05));
    const cv::Vec3f skin = medianColour(rgb, hairIsRedder ? leastRed : reddest);
    const cv::Vec3f hair = medianColour(rgb, hairIsRedder ? reddest : leastRed);
    const float ss = skin.dot(skin), hh = hair.dot(hair), sh = skin.dot(hair);
    const float determinant = ss * hh - sh * sh;
    cv::Mat alpha(rgb.size(), CV_32F, cv::Scalar(0));
    if (determinant <= 1e-6f * ss * hh) // the same colour up to brightness: nothing to unmix
        return alpha;
    // A colour's b / (a + b), `c` in 8-bit RGB units.
    const auto ratioOf = [&](const cv::Vec3f &c) {
        const float cs = c.dot(skin), ch = c.dot(hair);
        const float a = (hh * cs - sh * ch) / determinant;
        const float b = (ss * ch - sh * cs) / determinant;
        return std::abs(a + b) > 1e-3f ? b / (a + b) : 0.0f;
    };
    cv::Mat ratio(rgb.size(), CV_32F, cv::Scalar(0));
    for (int y = 0; y < ratio.rows; ++y)
        for (int x = 0; x < ratio.cols; ++x)
            ratio.at<float>(y, x) = ratioOf(colour.at<cv::Vec3f>(y, x));
    // The ratio is 0 at the skin colour whatever the shading, so the skin end is 0 everywhere: a
    // local map (the 5th percentile per block, as for lightness) sits in the noise below the
    // skin on bald areas and in the hair on dense ones.
    const double extremeRatio = percentile(ratio, inner, 0.998);
    float hairRatio = static_cast<float>(
        hairEnd(ratio, inner, 0.0, extremeRatio, HairShades::Spread, {}, softness));
    // A dense head of light hair a hue apart from the skin (blond on very light, light or tan
    // skin) shows little bare skin: its reddest fifth, the skin reference, is more than half hair
    // and lies close to the hair reference, the ratio's noise grows with that closeness (its
    // 99.8th percentile 1.7-1.9 where pure hair reads 0.9-1.0), and hairEnd() finds no peak and
    // no spread of shades in the far half: even heads at 1600 px read 29-46 points thin with the
    // extreme (until 1.14). The head's most common ratio is then its pure hair, when it lies at
    // least kHairSideMode of the way to the hair reference and the head's most common hue (CIELAB
    // atan2(b*, a*)) lies at least kHairSideHue of the way from its 5th to its 95th percentile,
    // towards the yellow of such hair and away from the skin (on the phantoms dense blond heads
    // 0.69-0.86, sparse ones 0.41-0.66). The ratio alone does not tell them: two sparse shaded
    // blond heads at 800 px have their most common ratio at 0.61 and 0.66 (hue 0.49 and 0.54),
    // and read 45 points over with it. The strand test keeps hairEnd()'s end (`strandHairRatio`):
    // fine detail is measured against the span the ratio shows, and against the nearer end its
    // noise passed for strands where the two references nearly coincide (three bald side views
    // of the real photographs read 32-55% covered, stage III for VI).
    const float strandHairRatio = hairRatio;
    // JPEG keeps colour at half the resolution and quantises its fine detail away, so a strand's
    // pixels read a colour mixed with the skin beside it: the peak of "pure" hair lies at
    // 0.85-0.90 of the ratio a strand's core reads, and dense light hair read 4.5-7.4 points
    // over at 1600 px (docs/analysis.md, "Light hair and the JPEG's colour"). Where the head
    // shows a peak or a spread of hair shades (a dense head; sparse ones keep their extreme), the
    // hair end is looked for again in the ratio's 2 x 2 maximum, where the colour is least
    // diluted, and moved there by the photo's sharpness (colourEndWeight): in a soft photo the
    // blur mixes the colours as much as the JPEG, and the maximum follows its noise (a blurred
    // even head of grey hair read 4.5 -> 9.0 points thin). Since 1.22.
    const double colourEndWeight = 1.0 - softness;
    if (colourEndWeight > 0 && hairRatio < static_cast<float>(extremeRatio)) {
        cv::Mat ratioMax;
        cv::dilate(ratio, ratioMax, cv::Mat::ones(2, 2, CV_8U));
        const double extremeMax = percentile(ratioMax, inner, 0.998);
        const double hairMax =
            hairEnd(ratioMax, inner, 0.0, extremeMax, HairShades::Spread, {}, softness);
        const double plain = static_cast<double>(hairRatio);
        if (hairMax > plain && hairMax < extremeMax)
            hairRatio = static_cast<float>(plain + colourEndWeight * (hairMax - plain));
    }
    // Grey hair's end where the JPEG diluted its colour (since 1.24). Grey hair is about
    // neutral, and a neutral colour's ratio (any grey: the ratio does not depend on lightness)
    // bounds it from beyond: on the phantoms' 1600 px loss heads of grey hair the end found
    // above lies 10-17% short of the strands' true ratio and the neutral 5-10% beyond it, and
    // those heads read 2.6-6.6 points over. Where the neutral lies within kGreyNeutralReach
    // of the end (blond hair's neutral is negative or far off), the end is moved kGreyEndMove
    // of the way to it, by the photo's sharpness as above, but only where the colour shows
    // the dilution: the ratio's fine detail over the head (less its Gaussian blur, sigma
    // 1.5 px), over the end, under kDilutedColourDetail (0.12-0.15 on those heads; 0.18-0.25
    // on even heads of grey hair and at 12 MP, whose ends are right and which the move read
    // 2-4 points thin). The 1,014 real photographs read exactly as before. The reach was 1.35
    // until 1.25: a normal head of grey hair at 800 px (strands 0.55-1.1 px wide) finds its end
    // at 0.74 of the strands' ratio with the neutral 1.6 times beyond it, and read 15.3 points
    // over (5.6 since; blond's neutral stays out of reach, 1.9 times or more on the phantoms).
    constexpr float kGreyNeutralReach = 1.65f;
    constexpr double kGreyEndMove = 0.5;
    constexpr double kDilutedColourDetail = 0.165;
    const auto greyEnd = [&](float end, double weight) {
        if (hairIsRedder || weight <= 0 || end <= 0.1f)
            return end;
        const float neutralRatio = ratioOf(cv::Vec3f(255.0f, 255.0f, 255.0f)); // any grey
        if (neutralRatio <= end || neutralRatio > kGreyNeutralReach * end)
            return end;
        cv::Mat blurred;
        cv::GaussianBlur(ratio, blurred, cv::Size(), 1.5);
        cv::Scalar detailMean, detailSpread;
        cv::meanStdDev(ratio - blurred, detailMean, detailSpread, inner);
        if (detailSpread[0] / static_cast<double>(end) >= kDilutedColourDetail)
            return end;
        return end + static_cast<float>(kGreyEndMove * weight) * (neutralRatio - end);
    };
    if (hairRatio < static_cast<float>(extremeRatio))
        hairRatio = greyEnd(hairRatio, colourEndWeight);
    constexpr double kHairSideMode = 0.6;
    constexpr double kHairSideHue = 0.6;
    if (hairRatio >= static_cast<float>(extremeRatio)) {
        const double modeRatio =
            modeBetween(ratio, inner, percentile(ratio, inner, 0.02), extremeRatio);
        if (modeRatio >= kHairSideMode && modeRatio < extremeRatio) {
            cv::Mat hue(rgb.size(), CV_32F, cv::Scalar(0));
            for (int y = 0; y < hue.rows; ++y)
                for (int x = 0; x < hue.cols; ++x)
                    if (inner.at<std::uint8_t>(y, x))
                        hue.at<float>(y, x) = std::atan2(
                            static_cast<float>(yellowness8.at<std::uint8_t>(y, x)) - 128.0f,
                            redness.at<float>(y, x) - 128.0f);
            const double hue5 = percentile(hue, inner, 0.05);
            const double hue95 = percentile(hue, inner, 0.95);
            if (hue95 > hue5 &&
                modeBetween(hue, inner, hue5, hue95) - hue5 >= kHairSideHue * (hue95 - hue5))
                hairRatio = static_cast<float>(modeRatio);
        }
    }
    if (hairRatio <= 0.1f)
        return alpha;
    const bool endIsExtreme = hairRatio >= static_cast<float>(extremeRatio);
    constexpr float kMargin = 0.04f; // of the skin-to-hair contrast, ignored at either end
    // The ratio's fine detail over the hair end, of bare skin and of stranded hair, for
    // strandShare(). Lightness detail would not do here: on side views it reads faces, ears
    // and beards as hair (left views' loss-share rank correlation 0.39 -> 0.34).
    constexpr float kSmoothSkin = 0.012f;
    constexpr float kStranded = 0.024f;
    const cv::Mat rawDetail = fineDetail(ratio);
    // A mat of hair whose strands are under 1-2 px wide: the JPEG, which keeps colour at half
    // the resolution, smooths its colour as flat as bare skin's, and the strand test above
    // scaled it to nothing (a normal head of grey hair drawn at 800 px, strands 0.55-1.1 px:
    // blobs read 13 points and more thin, the head 10.7 points under). Its lightness keeps the
    // strands (JPEG keeps L* at full resolution). Since 1.26, where a pixel reads at least
    // kMatShare hair, L*'s fineDetail() may vouch for the strands as well (kSmoothSkinL,
    // kStrandedL) - only on views of the scalp alone: on front and side views L* detail
    // reads faces, ears and beards as strands (a bald left view's loss share 0.74 -> 0.58).
    const cv::Mat detailL = scalpOnlyL.empty() ? cv::Mat() : fineDetail(scalpOnlyL);
    constexpr float kMatShare = 0.5f;
    const auto unmix = [&](float skinRatio) {
        const float contrast = hairRatio - skinRatio;
        const cv::Mat detail = rawDetail / (strandHairRatio - skinRatio);
        const float margin = kMargin * contrast;
        for (int y = 0; y < ratio.rows; ++y) {
            for (int x = 0; x < ratio.cols; ++x) {
                if (!head.at<std::uint8_t>(y, x))
                    continue;
                const float share = std::clamp((ratio.at<float>(y, x) - skinRatio - margin) /
                                                   (contrast - 2 * margin),
                                               0.0f, 1.0f);
                float stranded = strandShare(detail.at<float>(y, x), kSmoothSkin, kStranded);
                if (!detailL.empty() && share >= kMatShare)
                    stranded = std::max(
                        stranded, strandShare(detailL.at<float>(y, x), kSmoothSkinL, kStrandedL));
                alpha.at<float>(y, x) = share * stranded;
            }
        }
    };
    // The map's windows, `alpha` averaged over windows a fourteenth of the head's size (per
    // pixel, 0..1), and its thinnest windows, their 2nd percentile over the head: measured by
    // measureWindows() for the map as unmixed, and again when a rule below unmixes it anew
    // before another reads them (1.29's, 1.31's and 1.32's rules read them).
    constexpr int kWindowsPerHead = 14;
    constexpr double kThinnestWindowsShare = 0.02;
    cv::Mat windows;
    double thinnestWindows = 0;
    const auto measureWindows = [&] {
        const cv::Rect box = cv::boundingRect(inner);
        const int side = std::max(3, std::max(box.width, box.height) / kWindowsPerHead);
        cv::Mat headShare, coverage;
        cv::boxFilter(head, headShare, CV_32F, cv::Size(side, side), cv::Point(-1, -1), true);
        cv::boxFilter(alpha, coverage, CV_32F, cv::Size(side, side));
        windows = coverage / cv::max(headShare / 255.0, 1e-3);
        thinnestWindows = percentile(windows, inner, kThinnestWindowsShare);
    };
    unmix(0.0f);
    measureWindows();
    // Grey hair's end where it is the extreme (a sparse head: hairEnd() found no peak), moved
    // towards the neutral as a dense head's above, since 1.31: the JPEG dilutes the colour of
    // sparse strands too, and their extreme lies 0.70-0.72 of the way to the neutral on the
    // 800 px heads of grey hair with a loss area, which read 5.9-7.1 points over. Only where
    // bare skin shows (the thinnest windows under kBareSkinWindows covered: 0.01-0.05 there):
    // there the reddest fifth, the skin end, is bare skin. An even sparse head shows none (its
    // thinnest windows 0.16), its reddest fifth holds hair too, and the moved end read it thin
    // (even heads of grey hair at 800 px 4.3-4.4 -> 7.7-7.8 points). The move is not weighted
    // by the photo's sharpness, as the dense head's is (there a soft photo's peak is moved by
    // hairEnd() already): a blur dilutes sparse strands' colour further, and the neutral does
    // not depend on it (blurred grey on light skin 5.9 -> 4.2 points, shaded 6.1 -> 2.6; a
    // blurred, shaded blond head on medium skin, its neutral within reach, 10.9 -> 4.6).
    // Other hair has no neutral to bound it (blond's lies out of reach): in a soft photo its
    // end is the extreme nearer the strands' cores instead (since 1.33), as the lightness
    // unmixing's is (1.20): the ratio's top kExtremeTail shrunk by kSoftTailShrink times the
    // softness (0.05% of the head in the softest photos, 0.2% in sharp ones). A blurred blond
    // head on medium skin read 6.7 points over at 800 px (4.1 since); gated as the grey move,
    // for the same reason (the even blurred blond head on medium skin read 5.3 -> 7.0 thin
    // without the gate), and on top and crown views only: on front and side views the rarest
    // colours are a face's, an ear's or a beard's (two soft side views of a person labelled 5
    // read 0.83 -> 0.99 of their scalp as loss).
    constexpr double kBareSkinWindows = 0.08;
    constexpr double kExtremeTail = 0.002;
    constexpr double kSoftTailShrink = 0.75;
    if (endIsExtreme && thinnestWindows < kBareSkinWindows) {
        float moved = greyEnd(hairRatio, 1.0);
        if (moved == hairRatio && softness > 0 && !scalpOnlyL.empty())
            moved = std::max(
                hairRatio,
                static_cast<float>(percentile(
                    ratio, inner, 1.0 - kExtremeTail * (1.0 - kSoftTailShrink * softness))));
        if (moved != hairRatio) {
            hairRatio = moved;
            unmix(0.0f);
            measureWindows();
        }
    }
    // Sparse heads take the skin end of 1.37 or 1.32 (next), dense ones their own (below), as
    // first read.
    const bool denseHead = cv::mean(alpha, inner)[0] >= kDenseColourCoverage;
    // A sparse head with no bare patch (its thinnest windows kBareSkinWindows covered or more: an
    // even head, thinning all over) has a reddest fifth, the skin end, that holds hair too, and
    // read thin: the even heads of blond hair at 800 px 4.5-6.8 points under. Its bare skin is
    // scattered between the strands: the pixels the map reads under kStrandShare covered. Where
    // at least kMinScatteredBareShare of the head are, their mean ratio is the skin end, when it
    // lies below 0; the hair end stays (since 1.37). Those pixels are chosen by their own ratio,
    // so their mean lies on bare skin's near side; taken 2 px clear of the strands, as 1.35's
    // local skin is, it lay further out and read grey heads 5-8 points over.
    constexpr double kMinScatteredBareShare = 0.03;
    if (!denseHead && thinnestWindows >= kBareSkinWindows) {
        const cv::Mat scatteredBare = inner & (alpha < kStrandShare);
        if (cv::countNonZero(scatteredBare) >= kMinScatteredBareShare * cv::countNonZero(inner)) {
            if (const double skinEnd = cv::mean(ratio, scatteredBare)[0]; skinEnd < 0) {
                unmix(static_cast<float>(skinEnd));
                measureWindows();
            }
        }
    }
    // A sparse head's skin end at bare skin (since 1.32). The reddest fifth, the skin end, is a
    // fifth of the head; where less of the head is bare (a sparse head with one loss area,
    // thinly covered elsewhere) it takes in pixels mixed with hair, and bare skin reads below it:
    // on the 800 px phantoms of light hair on lighter skin, bare skin's most common ratio lies
    // 0.03-0.26 of the hair end below 0. Every window then reads less than it holds by a share of
    // the contrast, and the thin ones most; as grades are relative to the head's own reference,
    // that offset, not the scale, grades thin hair as loss (light skin, grey hair: true
    // coverage 0.075 read 0.028, loss IoU 0.51). Where bare skin shows (the thinnest windows
    // under kBareSkinWindows covered), the skin end is the mean ratio over those windows (their
    // lowest kThinnestWindowsShare), which read bare skin and their few strands: the mean is
    // what a window's coverage averages, and it stays on the near side of bare skin's mode
    // (the mode itself, 0.05-0.1 lower on two shaded blond heads, read their thin areas over, as
    // the clamp at 0 keeps only bare skin's noise above it). The hair end then moves out until the
    // head's mean coverage is as read with the skin at 0: the hair end's rules (hairEnd(), the
    // JPEG's and grey hair's moves) were measured on that coverage. Dense heads take their own
    // skin end (below).
    if (!denseHead) {
        const double bareSkinRatio = thinnestWindows < kBareSkinWindows
                                         ? cv::mean(ratio, inner & (windows <= thinnestWindows))[0]
                                         : 0.0;
        if (bareSkinRatio < 0) {
            const double covered = cv::mean(alpha, inner)[0];
            const auto skinEnd = static_cast<float>(bareSkinRatio);
            // The head's mean coverage, read with the ends s and h, falls as h moves out, about
            // in proportion to u = 1 / (h - s): the secant in u from the end as found (which
            // reads more than `covered` with the skin end below 0) to within kCoverageTolerance,
            // in at most kMaxSteps unmixings (2-3 on the phantoms), u kept positive.
            constexpr double kCoverageTolerance = 0.0002;
            constexpr int kMaxSteps = 8;
            const auto coverageAt = [&](double u) {
                hairRatio = static_cast<float>(bareSkinRatio + 1.0 / u);
                unmix(skinEnd);
                return cv::mean(alpha, inner)[0];
            };
            double u0 = 1.0 / (static_cast<double>(hairRatio) - bareSkinRatio);
            double m0 = coverageAt(u0);
            double u1 = u0 * covered / std::max(m0, 1e-6);
            for (int step = 1; step < kMaxSteps; ++step) {
                const double m1 = coverageAt(u1);
                if (std::abs(m1 - covered) < kCoverageTolerance || m1 == m0)
                    break;
                const double next = u1 + (covered - m1) * (u1 - u0) / (m1 - m0);
                u0 = u1;
                m0 = m1;
                u1 = std::max(next, 0.25 * u1);
            }
        }
    }
    // A dense head shows little bare skin (a full head of light hair 2-5%), and its reddest
    // fifth, the skin reference, is skin mixed with hair. The ratio stays linear in the mix (with
    // a reference k hair, a pixel of hair share f reads (f - k) / (1 - k)), pure skin at
    // -k / (1 - k): read with the skin at 0, dense heads of light hair under-read by 10-20
    // points (43 for blond on light skin; docs/analysis.md). Where the map so read covers at
    // least kDenseColourCoverage of the head, the skin end is the peak of bare skin below 0 if one
    // shows, else the ratio's kSkinEndShare percentile (hairEnd()). Sparser heads keep 0 or the
    // mean of their thinnest windows (above): a low percentile lies in the noise beyond bare
    // skin (an 800 px blond head with its loss read 6 -> 21 points).
    // A head with no thin area at all (since 1.29): where even its thinnest windows (the 2nd
    // percentile of the map averaged over windows a fourteenth of the head's size) read over
    // kNoThinArea covered, no bare skin shows anywhere, every pixel of the reddest fifth is mixed
    // with hair and so is the ratio's 5th percentile: the skin end is its kFullHeadSkinEndShare
    // percentile instead (even heads of grey and blond at 1600 px, their thinnest windows
    // 0.42-0.57: very light skin, grey hair 7.9 -> 3.4 points thin, medium skin, blond 6.0 -> 2.8,
    // dark skin, grey 5.8 -> 2.8). A diffuse thinner's thinnest windows read 0.20-0.32, and the
    // lower end read them over (at 800 px, tan skin, blond: 12 -> 15 points).
    constexpr double kSkinEndShare = 0.05;
    constexpr double kFullHeadSkinEndShare = 0.02;
    constexpr double kNoThinArea = 0.37;
    if (denseHead) {
        const double skinEndShare =
            thinnestWindows > kNoThinArea ? kFullHeadSkinEndShare : kSkinEndShare;
        const double skinRatio =
            hairEnd(ratio, inner, static_cast<double>(hairRatio),
                    percentile(ratio, inner, skinEndShare), HairShades::Narrow, {}, softness);
        // The skin end likewise in the ratio's 2 x 2 minimum (since 1.22), where the skin
        // reference is at most half hair (a skin end of kLeastDilutedSkinEnd or more): where the
        // two references nearly coincide (a full head of grey hair at 12 MP, its skin end -9.5)
        // the minimum takes the end to -20 and the margin swallows the map (65% -> 23% covered).
        constexpr double kLeastDilutedSkinEnd = -1.0;
        double skinEnd = skinRatio;
        if (colourEndWeight > 0 && skinRatio >= kLeastDilutedSkinEnd) {
            cv::Mat ratioMin;
            cv::erode(ratio, ratioMin, cv::Mat::ones(2, 2, CV_8U));
            const double skinMin = hairEnd(ratioMin, inner, static_cast<double>(hairRatio),
                                           percentile(ratioMin, inner, skinEndShare),
                                           HairShades::Narrow, {}, softness);
            if (skinMin < skinRatio)
                skinEnd = skinRatio + colourEndWeight * (skinMin - skinRatio);
        }
        if (skinEnd < 0)
            unmix(static_cast<float>(skinEnd));
    } else if (withLocalSkin) {
        if (cv::Mat local = readAgainstLocalSkin(colour, alpha, head, inner, skin, hair);
            !local.empty())
            alpha = local;
    }
    return alpha;
}

// Hair coverage per pixel of a greying head read as dark hair: dark and grey strands mixed
// (salt and pepper). The lightness unmixing has two ends, the skin and the dark hair, and a grey
// strand, about as light as the skin, read as skin: dense greying heads 15-38 points thin on the
// phantoms (docs/analysis.md). Here each pixel's RGB colour less the skin's (`skinPixels`'
// median) is solved, least squares, for a share of the dark hair (the median of the head's
// darkest 2% of `L`) and a share of the grey (the median of the lighter half of its most neutral
// tenth, by CIELAB chroma), and its coverage is their sum, 0..1. Grey counts only where it is
// stranded (strandShare() of L*'s fineDetail(), as for light hair: the neutral light pixels of a
// bald scalp are shine). Applies only where that grey is a grey, neutral (chroma under
// kGreyChroma) and no darker than the skin less kGreyBelowSkinL (on a head of dark hair alone
// the most neutral pixels are the dark hair itself): otherwise returns an empty Mat. `rgb`
// 8-bit RGB, `L` CIELAB L* CV_32F, `A8` and `B8` 8-bit CIELAB a* and b*, masks 8-bit; returns
// CV_32F.
cv::Mat unmixGreyingHead(const cv::Mat &rgb, const cv::Mat &L, const cv::Mat &A8, const cv::Mat &B8,
                         const cv::Mat &head, const cv::Mat &inner, const cv::Mat &skinPixels,
                         double skinL)
{
    constexpr double kGreyChroma = 6.0;
    constexpr double kGreyBelowSkinL = 15.0;
    constexpr double kNeutralShare = 0.1;
    const cv::Mat chroma = labChroma(A8, B8);
    const cv::Mat neutral = inner & (chroma <= percentile(chroma, inner, kNeutralShare));
    // The grey first: most heads stop at its test, before the float copy of the photo (the
    // test costs 12-19 ms at 1024 px, the unmixing about 80 more).
    const cv::Vec3f grey = medianColour(rgb, neutral & (L >= percentile(L, neutral, 0.5)));
    cv::Mat greyLab(1, 1, CV_32FC3,
                    cv::Scalar(grey[0] / 255.0f, grey[1] / 255.0f, grey[2] / 255.0f));
    cv::cvtColor(greyLab, greyLab, cv::COLOR_RGB2Lab);
    const cv::Vec3f g = greyLab.at<cv::Vec3f>(0, 0);
    if (std::hypot(static_cast<double>(g[1]), static_cast<double>(g[2])) >= kGreyChroma ||
        static_cast<double>(g[0]) < skinL - kGreyBelowSkinL)
        return {};
    const cv::Vec3f skin = medianColour(rgb, skinPixels);
    const cv::Vec3f dark = medianColour(rgb, inner & (L <= percentile(L, inner, 0.02)));
    cv::Mat colour;
    rgb.convertTo(colour, CV_32FC3);
    const cv::Vec3f toDark = dark - skin, toGrey = grey - skin;
    const float dd = toDark.dot(toDark), gg = toGrey.dot(toGrey), dg = toDark.dot(toGrey);
    const float determinant = dd * gg - dg * dg;
    if (determinant <= 1e-3f * dd * gg) // grey on the line from skin to dark: nothing to unmix
        return {};
    const cv::Mat detail = fineDetail(L);
    cv::Mat alpha(rgb.size(), CV_32F, cv::Scalar(0));
    for (int y = 0; y < alpha.rows; ++y) {
        for (int x = 0; x < alpha.cols; ++x) {
            if (!head.at<std::uint8_t>(y, x))
                continue;
            const cv::Vec3f c = colour.at<cv::Vec3f>(y, x) - skin;
            const float cd = c.dot(toDark), cg = c.dot(toGrey);
            const float darkShare = (gg * cd - dg * cg) / determinant;
            const float greyShare = (dd * cg - dg * cd) / determinant *
                                    strandShare(detail.at<float>(y, x), kSmoothSkinL, kStrandedL);
            alpha.at<float>(y, x) = std::clamp(darkShare + greyShare, 0.0f, 1.0f);
        }
    }
    return alpha;
}

// The mean of `values` around each pixel, weighted by `weight` (0..1: where the values count),
// over a Gaussian of sigma `sigmaPx`; where the weight around is nil, 0. Computed at a quarter
// of sigma per pixel (a blur that wide keeps nothing finer), which keeps the kernel a few dozen
// pixels wide at any size. Both CV_32F of one size; returns CV_32F of that size.
cv::Mat meanOnMask(const cv::Mat &values, const cv::Mat &weight, double sigmaPx)
{
    const double shrink = std::max(1.0, sigmaPx / 4.0);
    const cv::Size small(std::max(1, cvRound(values.cols / shrink)),
                         std::max(1, cvRound(values.rows / shrink)));
    cv::Mat weightedSmall, weightSmall;
    cv::resize(values.mul(weight), weightedSmall, small, 0, 0, cv::INTER_AREA);
    cv::resize(weight, weightSmall, small, 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(weightedSmall, weightedSmall, cv::Size(), sigmaPx / shrink);
    cv::GaussianBlur(weightSmall, weightSmall, cv::Size(), sigmaPx / shrink);
    cv::Mat mean;
    cv::divide(weightedSmall, cv::max(weightSmall, 1e-3), mean);
    cv::resize(mean, mean, values.size(), 0, 0, cv::INTER_LINEAR);
    return mean;
}

// The share of each pixel's block (a box of `block` px around it) that `alpha` (CV_32F 0..1)
// covers, over the pixels of `innerF` (CV_32F, 1 on the head less its outline, else 0) only;
// returns CV_32F 0..1 (0 where the box holds none of them).
cv::Mat blockDensity(const cv::Mat &alpha, const cv::Mat &innerF, int block)
{
    cv::Mat covered, counted;
    cv::boxFilter(alpha.mul(innerF), covered, CV_32F, cv::Size(block, block), cv::Point(-1, -1),
                  false);
    cv::boxFilter(innerF, counted, CV_32F, cv::Size(block, block), cv::Point(-1, -1), false);
    return covered / cv::max(counted, 1e-3);
}

struct LightOnHair
{
    cv::Mat light;  // the factor on L* + 16, CV_32F, about 0.8-1.3; empty when not read
    cv::Mat weight; // how much of it the hair's lightness gave, 0..1 (CV_32F); empty: none
};

// The light falling on a head of hair read in lightness, read from the hair itself: where the
// first reading `alpha` (unmixLightness()) finds the hair dense, the block's darkest kHairShadeQ
// of L* (the lightest, for hair lighter than the skin: `darkHair` false; since 1.19) is pure
// hair, and the light there is that lightness's L* + 16 over its median over the dense blocks
// (L* + 16 scales with the cube root of the light, so shade divides it out). The factor fades
// to 1 where the hair thins (from kDenseFrom to kDenseFull of the block covered), where the
// darkest pixels are hair mixed with skin: a sparse head's map does not move. Nothing (an
// empty Mat) when under kMinDenseShare of the head is dense (from 0.15, the dense fringe of
// five more real bald heads, labelled 6 or 7, moved their hair end and staged them III). Why:
// unmixLightness() has one hair end for the head, its darkest shade, and a dense head of dark hair
// lit from one side read its lit half as hair mixed with skin (very dark skin, shaded hair, 1600
// px: 31 points thin; grey and blond hair on dark and very dark skin so shaded 8-12 points until
// 1.19). `L` CV_32F L*, `alpha` CV_32F 0..1, `inner` 8-bit; returns the factor
// (CV_32F, about 0.8-1.3) and the weight it was read with, or nothing.
LightOnHair lightOnHair(const cv::Mat &L, const cv::Mat &alpha, const cv::Mat &inner, int block,
                        bool darkHair)
{
    constexpr double kHairShadeQ = 0.05;
    constexpr double kDenseFrom = 0.35;
    constexpr double kDenseFull = 0.5;
    constexpr double kMinDenseShare = 0.55;
    cv::Mat innerF;
    inner.convertTo(innerF, CV_32F, 1.0 / 255.0);
    const cv::Mat density = blockDensity(alpha, innerF, block);
    const cv::Mat dense = (density >= kDenseFrom) & inner;
    const int innerPixels = cv::countNonZero(inner);
    if (innerPixels == 0 || static_cast<double>(cv::countNonZero(dense)) <
                                kMinDenseShare * static_cast<double>(innerPixels))
        return {};
    const cv::Mat hairL =
        percentileMap(L, dense, block, darkHair ? kHairShadeQ : 1.0 - kHairShadeQ);
    const double reference = percentile(hairL, dense, 0.5);
    // Smoothed over the head (meanOnMask(): a blur this wide at full size took 100 ms).
    const cv::Mat light = meanOnMask((hairL + 16.0) / (reference + 16.0), innerF, block);
    cv::Mat weight = (density - kDenseFrom) / (kDenseFull - kDenseFrom);
    weight = meanOnMask(cv::min(cv::max(weight, 0.0), 1.0), innerF, block / 2.0);
    return {1.0 + weight.mul(light - 1.0), weight};
}

// The light on a sparse head of hair, where lightOnHair() finds too little dense hair to read it
// from (light hair on darker skin since 1.30, dark hair since 1.34): the skin's, as far as the
// hair follows it. On a real head the light falls on hair and skin alike; the lightness unmixing
// has one hair end per head, the lit side's for light hair (the shaded phantoms at 800 px, grey
// and blond on tan skin: 6.9-8.0 points off, loss IoU 0.34-0.47) and the shaded side's for dark
// hair (its lit side's strands, lighter, then read thinner than they are: the shaded phantoms of
// dark hair at 800 px, loss IoU 0.61-0.94). A sparse head shows its skin everywhere, so the local
// skin (each block's L* at kSkinQ from the skin's end: its darkest for light hair, its lightest
// for dark) maps the light, but skin can also darken on its own (the unshaded phantoms paint the
// head's shading on the skin and not on the hair). So the map is taken as far as the hair is seen
// to follow it: over the blocks the first reading `alpha` finds well covered (at least
// kWellCoveredShare of the head's 90th percentile block), the slope of the log of L* + 16 of the
// block's kHairQ at the hair's end (its hair) against that of its skin; 0.8-1.0 on the shaded
// phantoms, 0.1-0.4 for light hair and 0.3-0.75 for dark hair where only the skin or the light's
// fall-off is shaded (the fall-off falls on the hair too). The factor on L* + 16 is 1 + w (skin's
// L* + 16 over its median - 1), w the slope faded in from kFollowsFrom to kFollowsFull; nothing
// (an empty Mat) for a head with too little hair to measure (its 90th percentile block under
// kMinReferenceDensity covered, fewer than kMinBlocks such blocks) or skin too even to tell (the
// log's standard deviation under kMinSkinSpread). `L` CV_32F L*, `alpha` CV_32F 0..1, `inner`
// 8-bit, `darkHair` which end of L* the hair lies at; no weight (an empty Mat): the light was not
// read from the hair, and unmixLightness()'s shade rules apply as on any head.
LightOnHair lightFollowingSkin(const cv::Mat &L, const cv::Mat &alpha, const cv::Mat &inner,
                               int block, bool darkHair)
{
    constexpr double kHairQ = 0.05;
    constexpr double kSkinQ = 0.05;
    constexpr double kMinReferenceDensity = 0.2;
    constexpr double kWellCoveredShare = 0.6;
    constexpr std::size_t kMinBlocks = 6;
    constexpr double kMinSkinSpread = 0.03;
    constexpr double kFollowsFrom = 0.5;
    constexpr double kFollowsFull = 0.7;
    cv::Mat innerF;
    inner.convertTo(innerF, CV_32F, 1.0 / 255.0);
    const double referenceDensity = percentile(blockDensity(alpha, innerF, block), inner, 0.9);
    if (referenceDensity < kMinReferenceDensity)
        return {};
    // Each whole block at least half inside the head and well covered: its hair's and its skin's
    // log(L* + 16).
    std::vector<double> hairLog, skinLog;
    std::vector<float> samples;
    const auto quantile = [&samples](double q) {
        const auto nth = samples.begin() +
                         static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
        std::nth_element(samples.begin(), nth, samples.end());
        return static_cast<double>(*nth);
    };
    for (int by = 0; by + block <= L.rows; by += block)
        for (int bx = 0; bx + block <= L.cols; bx += block) {
            samples.clear();
            double coverage = 0;
            for (int y = by; y < by + block; ++y)
                for (int x = bx; x < bx + block; ++x)
                    if (inner.at<std::uint8_t>(y, x)) {
                        samples.push_back(L.at<float>(y, x));
                        coverage += static_cast<double>(alpha.at<float>(y, x));
                    }
            if (samples.size() < static_cast<std::size_t>(block * block / 2) ||
                coverage <
                    kWellCoveredShare * referenceDensity * static_cast<double>(samples.size()))
                continue;
            hairLog.push_back(std::log(quantile(darkHair ? kHairQ : 1.0 - kHairQ) + 16.0));
            skinLog.push_back(std::log(quantile(darkHair ? 1.0 - kSkinQ : kSkinQ) + 16.0));
        }
    const std::size_t n = hairLog.size();
    if (n < kMinBlocks)
        return {};
    const double count = static_cast<double>(n);
    const double skinMean = std::accumulate(skinLog.begin(), skinLog.end(), 0.0) / count;
    const double hairMean = std::accumulate(hairLog.begin(), hairLog.end(), 0.0) / count;
    double skinVariance = 0, covariance = 0;
    for (std::size_t i = 0; i < n; ++i) {
        skinVariance += (skinLog[i] - skinMean) * (skinLog[i] - skinMean) / count;
        covariance += (skinLog[i] - skinMean) * (hairLog[i] - hairMean) / count;
    }
    if (std::sqrt(skinVariance) < kMinSkinSpread)
        return {};
    const double slope = std::clamp(covariance / skinVariance, 0.0, 1.0);
    const double follows =
        slope * std::clamp((slope - kFollowsFrom) / (kFollowsFull - kFollowsFrom), 0.0, 1.0);
    if (follows <= 0)
        return {};
    const cv::Mat skin = percentileMap(L, inner, block, darkHair ? 1.0 - kSkinQ : kSkinQ);
    const double skinMedian = percentile(skin, inner, 0.5);
    const cv::Mat light = 1.0 + follows * ((skin + 16.0) / (skinMedian + 16.0) - 1.0);
    return {light, {}};
}

// Lightness with the head's shading taken out: each pixel's L* + 16 (which scales with the cube
// root of the light) over the mean of L* + 16 around it on `mask` (meanOnMask(), sigma
// `sigmaPx`); 1 where a pixel is as light as its surroundings. `L` CV_32F L*, `mask` 8-bit;
// returns CV_32F.
cv::Mat withoutShading(const cv::Mat &L, const cv::Mat &mask, double sigmaPx)
{
    cv::Mat weight;
    mask.convertTo(weight, CV_32F, 1.0 / 255.0);
    const cv::Mat shifted = L + 16.0;
    return shifted / cv::max(meanOnMask(shifted, weight, sigmaPx), 1.0);
}

// How sharp a photo is at the working size: the mean absolute fine detail of L* (L* less L*
// blurred by 1 px) over its coarse detail (L* blurred by 1 px less L* blurred by 3 px), over
// `mask`. A blur takes the fine detail and leaves the coarse: the phantoms read 1.2-1.7 sharp
// and 0.56-0.84 blurred by 1 px at 800 px (2.5 px at 12 MP), whatever their noise; the real
// photographs of the hair-loss set, exported small and resized, 0.41-1.64 (median 0.69).
// Computed over the mask's box widened by the blurs' reach, so that it reads as over the whole
// image. `L` CV_32F, `mask` 8-bit; returns 2 where the head has no coarse detail at all.
double photoSharpness(const cv::Mat &L, const cv::Mat &mask)
{
    constexpr double kFineSigma = 1.0, kCoarseSigma = 3.0; // px at the working size
    const int reach = static_cast<int>(std::ceil(4 * kCoarseSigma));
    const cv::Rect box =
        (cv::boundingRect(mask) + cv::Size(2 * reach, 2 * reach) - cv::Point(reach, reach)) &
        cv::Rect(0, 0, L.cols, L.rows);
    if (box.empty())
        return 2.0;
    const cv::Mat values = L(box), within = mask(box);
    cv::Mat fine, coarse;
    cv::GaussianBlur(values, fine, cv::Size(), kFineSigma);
    // Blurring the fine copy further by sqrt(3^2 - 1^2) blurs the original by 3 px.
    cv::GaussianBlur(fine, coarse, cv::Size(),
                     std::sqrt(kCoarseSigma * kCoarseSigma - kFineSigma * kFineSigma));
    const double coarseDetail = cv::mean(cv::abs(fine - coarse), within)[0];
    const double fineDetail = cv::mean(cv::abs(values - fine), within)[0];
    return coarseDetail > 1e-6 ? fineDetail / coarseDetail : 2.0;
}

// Ears: seen from above or behind they stick out of the head's oval outline as lobes of bare
// skin, which would read as bald scalp (and get dots planned on them). An ellipse fitted to the
// outline (refitted without the points outside it, which the ears pull outwards) finds them:
// compact lobes outside it are taken off `head`, the outline's fringe of hair stays. Returns the
// pixels taken off.
int takeOffEars(cv::Mat &head)
{
    int taken = 0;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(head.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    const auto largest =
        std::max_element(contours.begin(), contours.end(), [](const auto &a, const auto &b) {
            return cv::contourArea(a) < cv::contourArea(b);
        });
    if (largest != contours.end() && largest->size() >= 20) {
        cv::RotatedRect oval = cv::fitEllipse(*largest);
        // Refit without the outline points outside the first fit: the ears pull it outwards.
        for (int pass = 0; pass < 2; ++pass) {
            const double angle = static_cast<double>(oval.angle) * CV_PI / 180.0;
            const double c = std::cos(angle), sn = std::sin(angle);
            const double a = static_cast<double>(oval.size.width) / 2.0;
            const double b = static_cast<double>(oval.size.height) / 2.0;
            std::vector<cv::Point> inliers;
            for (const cv::Point &pt : *largest) {
                const double dx = pt.x - static_cast<double>(oval.center.x);
                const double dy = pt.y - static_cast<double>(oval.center.y);
                const double u = (dx * c + dy * sn) / a, v = (-dx * sn + dy * c) / b;
                if (u * u + v * v <= 1.0)
                    inliers.push_back(pt);
            }
            if (inliers.size() < largest->size() / 2 || inliers.size() < 20)
                break;
            oval = cv::fitEllipse(inliers);
        }
        cv::Mat inside(head.size(), CV_8U, cv::Scalar(0));
        cv::ellipse(inside, oval, cv::Scalar(255), cv::FILLED);
        // Only compact lobes outside the ellipse go: an ear is a solid bump at least 3% of
        // the head's size across, a fringe of hair along the outline is a thin sliver.
        const cv::Mat outside = head & ~inside;
        cv::Mat labels, stats, centroids;
        const int count = cv::connectedComponentsWithStats(outside, labels, stats, centroids, 8);
        const cv::Rect box = cv::boundingRect(head);
        const double headSize = std::max(box.width, box.height);
        const double headArea = cv::countNonZero(head);
        for (int i = 1; i < count; ++i) {
            const double area = stats.at<int>(i, cv::CC_STAT_AREA);
            const double w = stats.at<int>(i, cv::CC_STAT_WIDTH);
            const double h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
            if (area >= 0.001 * headArea && area <= 0.04 * headArea && area >= 0.5 * w * h &&
                std::min(w, h) >= 0.03 * headSize) {
                head.setTo(0, labels == i);
                taken += static_cast<int>(area);
            }
        }
    }
    return taken;
}

// Seen from behind, what lies on the head's outline beside the scalp: ears that stick out too
// little for takeOffEars() to see them, the neck and collar under the nape, the fringe of a
// hand or a door. Graded, they read as loss apart from the crown's (on the real photographs'
// back views, 2026-12-03: 104 such pieces on 77 of 201, most of them ears and necks). Taken
// off `head` and `gradeMap` (0 there): each connected area of advanced or bald grade that is
// not the largest, touches the outline, covers at least kMinShare of the head, and reaches no
// deeper into it than kMaxDepth times the square root of the head's area (a rim; the crown's
// loss reaches its middle). Back views only: on a top view the frontal recession is such a
// rim. `head`, `gradeMap`: 8-bit, the map's size. Returns the pixels taken off.
int takeOffRimLoss(cv::Mat &head, cv::Mat &gradeMap)
{
    constexpr double kMaxDepth = 0.12;
    constexpr double kMinShare = 0.01;
    const double headArea = cv::countNonZero(head);
    if (headArea == 0)
        return 0;
    const cv::Mat loss = head & (gradeMap >= static_cast<int>(Grade::Advanced));
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(loss, labels, stats, centroids, 8);
    if (count <= 2)
        return 0;
    int largest = 1;
    for (int i = 2; i < count; ++i)
        if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(largest, cv::CC_STAT_AREA))
            largest = i;
    // Distance (map px) from the nearest pixel off the head, the frame's edge counting as off.
    cv::Mat framed, depth;
    cv::copyMakeBorder(head, framed, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::distanceTransform(framed, depth, cv::DIST_L2, cv::DIST_MASK_5);
    depth = depth(cv::Rect(1, 1, head.cols, head.rows));
    const double maxDepth = kMaxDepth * std::sqrt(headArea);
    int taken = 0;
    for (int i = 1; i < count; ++i) {
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (i == largest || area < kMinShare * headArea)
            continue;
        const cv::Mat piece = labels == i;
        double deepest = 0, shallowest = 0;
        cv::minMaxLoc(depth, &shallowest, &deepest, nullptr, nullptr, piece);
        // Touching the outline: its shallowest pixel is the outline's (1 px in).
        if (deepest >= maxDepth || shallowest > 1.5)
            continue;
        head.setTo(0, piece);
        gradeMap.setTo(0, piece);
        taken += area;
    }
    return taken;
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

// The stage's name for a level 1-7 and a NorwoodEstimate::variant: "IIIa", "III-vertex", "V".
std::string stageName(int level, const std::string &variant)
{
    static const char *const kRoman[] = {"I", "II", "III", "IV", "V", "VI", "VII"};
    std::string name = kRoman[std::clamp(level, 1, 7) - 1];
    if (variant == "a" && level >= 2 && level <= 5)
        name += "a";
    else if (variant == "vertex" && level == 3)
        name += "-vertex";
    return name;
}

// The loss-share rule's cut points between Norwood levels I-VII (share of the scalp graded
// advanced or bald; docs/analysis.md).
constexpr double kLossCuts[] = {0.03, 0.08, 0.16, 0.26, 0.38, 0.52};

// `vertexShare` and `frontShare`: the shares of the loss area at the vertex (or crown) and in the
// frontal band, named in the orientation the photo is shown in.
NorwoodEstimate estimateNorwood(double lossFraction, double vertexShare, double frontShare,
                                View view)
{
    // Loss fraction: share of the scalp graded advanced or bald.
    int level = 1;
    for (double cut : kLossCuts)
        if (lossFraction >= cut)
            ++level;
    NorwoodEstimate estimate;
    estimate.method = "rule";
    estimate.level = level;
    if ((view == View::Top || view == View::Crown) && vertexShare > 0.7)
        estimate.variant = "vertex";
    // Anterior: on a top view, none of the loss at the vertex and at least half of it across
    // the front (not only the temple corners).
    else if (view == View::Top && lossFraction > 0 && vertexShare < 0.05 && frontShare >= 0.5)
        estimate.variant = "a";
    estimate.stage = stageName(level, estimate.variant);
    // Distance to the nearest cut, relative to the gap it sits in: a coarse confidence, never
    // high from one photo.
    double nearest = 1.0;
    for (double cut : kLossCuts)
        nearest = std::min(nearest, std::abs(lossFraction - cut));
    estimate.confidence = std::clamp(0.3 + 3.0 * nearest, 0.3, 0.7);
    return estimate;
}

// Each head pixel's distance from the head's centroid over the radius of a disc of the head's
// area (radial, so the photo's rotation does not matter); -1 off the head. `head`: 8-bit mask;
// returns CV_32F.
cv::Mat headDistance(const cv::Mat &head)
{
    const cv::Moments m = cv::moments(head, true);
    const double mx = m.m10 / std::max(m.m00, 1.0), my = m.m01 / std::max(m.m00, 1.0);
    const double radius = std::max(1.0, std::sqrt(m.m00 / CV_PI));
    cv::Mat distance(head.size(), CV_32F, cv::Scalar(-1));
    for (int y = 0; y < head.rows; ++y)
        for (int x = 0; x < head.cols; ++x)
            if (head.at<std::uint8_t>(y, x))
                distance.at<float>(y, x) = static_cast<float>(std::hypot(x - mx, y - my) / radius);
    return distance;
}

// The ring (0-3) of a headDistance(): cut at 0.4, 0.7 and 1.0.
int ringOf(float distance)
{
    return distance < 0.4f ? 0 : distance < 0.7f ? 1 : distance < 1.0f ? 2 : 3;
}

// Stage feature indices (see stageFeatureNames()).
constexpr std::size_t kShareFeatures = 0;         // 5: share of the scalp in each grade
constexpr std::size_t kLossCentre = 10;           // loss near the centre, in the ring around it
constexpr std::size_t kViewFeatures = 15;         // 6: one-hot Front, Top, Crown, Back, Left, Right
constexpr std::size_t kLossRingFeatures = 21;     // 4: loss share per ringOf() ring
constexpr std::size_t kCoverageRingFeatures = 25; // 4: mean coverage per ring
constexpr std::size_t kCoverageQuantileFeatures = 29; // 5: coverage 10, 25, 50, 75, 90%
constexpr std::size_t kLightnessFeatures = 34;        // 3: skin L*, hair L*, their difference
constexpr std::size_t kTextureFeatures = 37;          // 10: rotation-invariant LBP histogram
constexpr std::size_t kEdgeFeature = 47;              // mean gradient over the contrast

// The stage features that come from the grade map: the share of the scalp in each grade, and the
// loss (advanced or bald) near the head's centre, in the ring around it and in each of the
// rings of ringOf(). `head`: the scalp pixels (8-bit mask, the grade map's size).
void setGradeFeatures(std::vector<double> &f, const cv::Mat &gradeMap, const cv::Mat &head)
{
    double share[6] = {0, 0, 0, 0, 0, 0};
    double centreLoss = 0, centreCount = 0, outerLoss = 0, outerCount = 0;
    double ringLoss[4] = {0, 0, 0, 0}, ringCount[4] = {0, 0, 0, 0};
    const cv::Mat distance = headDistance(head);
    const double headPixels = std::max(1.0, static_cast<double>(cv::countNonZero(head)));
    for (int y = 0; y < head.rows; ++y) {
        for (int x = 0; x < head.cols; ++x) {
            const int g = gradeMap.at<std::uint8_t>(y, x);
            const float d = distance.at<float>(y, x);
            if (!g || d < 0)
                continue;
            share[g] += 1;
            const double loss = g >= static_cast<int>(Grade::Advanced) ? 1 : 0;
            (d < 0.5f ? centreLoss : outerLoss) += loss;
            (d < 0.5f ? centreCount : outerCount) += 1;
            ringLoss[ringOf(d)] += loss;
            ringCount[ringOf(d)] += 1;
        }
    }
    for (int g = 1; g <= 5; ++g)
        f[kShareFeatures + static_cast<std::size_t>(g - 1)] = share[g] / headPixels;
    f[kLossCentre] = centreCount > 0 ? centreLoss / centreCount : 0;
    f[kLossCentre + 1] = outerCount > 0 ? outerLoss / outerCount : 0;
    for (std::size_t r = 0; r < 4; ++r)
        f[kLossRingFeatures + r] = ringCount[r] > 0 ? ringLoss[r] / ringCount[r] : 0;
}

// The stage features that describe the photo rather than the grades: mean coverage per ring and
// its quantiles, the skin and hair lightness (L*), and the texture of the inner head (hair is
// stranded, bare scalp smooth): a rotation-invariant uniform LBP histogram of 8 neighbours at
// 2 px (ties within 2 levels of 8-bit L count as equal) and the mean gradient over the
// skin-to-hair contrast. `L8` 8-bit CIELAB L, `coverage` 0-1 CV_32F, masks 8-bit.
void setPhotoFeatures(std::vector<double> &f, const cv::Mat &L8, const cv::Mat &coverage,
                      const cv::Mat &head, const cv::Mat &inner, double skinL, double hairL)
{
    const cv::Mat distance = headDistance(head);
    double sum[4] = {0, 0, 0, 0}, count[4] = {0, 0, 0, 0};
    for (int y = 0; y < head.rows; ++y) {
        for (int x = 0; x < head.cols; ++x) {
            const float d = distance.at<float>(y, x);
            if (d < 0)
                continue;
            sum[ringOf(d)] += static_cast<double>(coverage.at<float>(y, x));
            count[ringOf(d)] += 1;
        }
    }
    for (int r = 0; r < 4; ++r)
        f[kCoverageRingFeatures + static_cast<std::size_t>(r)] =
            count[r] > 0 ? sum[r] / count[r] : 0;
    const double quantiles[] = {0.1, 0.25, 0.5, 0.75, 0.9};
    for (std::size_t i = 0; i < 5; ++i)
        f[kCoverageQuantileFeatures + i] = percentile(coverage, head, quantiles[i]);
    f[kLightnessFeatures] = skinL / 100.0;
    f[kLightnessFeatures + 1] = hairL / 100.0;
    f[kLightnessFeatures + 2] = (skinL - hairL) / 100.0;

    static const int kDx[8] = {2, 2, 0, -2, -2, -2, 0, 2};
    static const int kDy[8] = {0, 2, 2, 2, 0, -2, -2, -2};
    constexpr int kTie = 2;
    double histogram[10] = {};
    double total = 0;
    for (int y = 2; y < L8.rows - 2; ++y) {
        for (int x = 2; x < L8.cols - 2; ++x) {
            if (!inner.at<std::uint8_t>(y, x))
                continue;
            const int centre = L8.at<std::uint8_t>(y, x);
            int bits[8];
            int ones = 0;
            for (int k = 0; k < 8; ++k) {
                bits[k] = L8.at<std::uint8_t>(y + kDy[k], x + kDx[k]) >= centre + kTie ? 1 : 0;
                ones += bits[k];
            }
            int transitions = 0;
            for (int k = 0; k < 8; ++k)
                transitions += bits[k] != bits[(k + 1) % 8];
            histogram[transitions <= 2 ? ones : 9] += 1;
            total += 1;
        }
    }
    for (std::size_t i = 0; i < 10; ++i)
        f[kTextureFeatures + i] = total > 0 ? histogram[i] / total : 0;

    cv::Mat gx, gy, magnitude;
    cv::Sobel(L8, gx, CV_32F, 1, 0);
    cv::Sobel(L8, gy, CV_32F, 0, 1);
    cv::magnitude(gx, gy, magnitude);
    const double contrast = std::max(8.0, std::abs(skinL - hairL) * 2.55); // in 8-bit L levels
    f[kEdgeFeature] = cv::mean(magnitude, inner)[0] / 8.0 / contrast;
}

// The loss-share cut points as a continuous level: 1 at no loss, half a level past each cut
// (so that rounding it gives estimateNorwood's level), 7 at two thirds of the scalp lost.
double lossLevel(double lossFraction)
{
    static const double kLoss[] = {0.0, 0.03, 0.08, 0.16, 0.26, 0.38, 0.52, 2.0 / 3.0};
    static const double kLevel[] = {1.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.0};
    if (lossFraction >= kLoss[7])
        return kLevel[7];
    std::size_t i = 1;
    while (lossFraction > kLoss[i])
        ++i;
    const double t = (lossFraction - kLoss[i - 1]) / (kLoss[i] - kLoss[i - 1]);
    return kLevel[i - 1] + std::max(0.0, t) * (kLevel[i] - kLevel[i - 1]);
}

// The installed model's stage for the analysis's `features` (its forest's level, blended with
// the loss calibration of the photo's view when the model has one); when `corrected` (the same
// features with those of the corrected grade map) is given, moved by as many levels as the
// corrections move the advanced-plus-bald share across the cut points (lossLevel()). `rule` (the
// loss-share estimate) when no model is installed or the features do not fit it. Keeps the rule's
// variant (stageName()).
NorwoodEstimate stageFromFeatures(const std::vector<double> &features,
                                  const std::vector<double> *corrected, NorwoodEstimate rule)
{
    const auto model = currentStageModel();
    if (!model || features.size() != stageFeatureNames().size())
        return rule;
    cv::Mat row(1, static_cast<int>(features.size()), CV_32F);
    for (std::size_t i = 0; i < features.size(); ++i)
        row.at<float>(0, static_cast<int>(i)) = static_cast<float>(features[i]);
    const auto loss = [](const std::vector<double> &f) {
        return f[kShareFeatures + 3] + f[kShareFeatures + 4]; // advanced + bald
    };
    double predicted = static_cast<double>(model->forest->predict(row));
    for (int v = 0; v < 6; ++v) {
        const auto calibration = model->calibrations.find(v);
        if (features[kViewFeatures + static_cast<std::size_t>(v)] > 0.5 &&
            calibration != model->calibrations.end())
            predicted = (1 - model->calibrationWeight) * predicted +
                        model->calibrationWeight * calibration->second(loss(features));
    }
    if (corrected)
        predicted += lossLevel(loss(*corrected)) - lossLevel(loss(features));
    NorwoodEstimate estimate;
    estimate.method = "model";
    const int highest = highestStageShown(loss(corrected ? *corrected : features));
    if (predicted > highest) {
        predicted = highest;
        estimate.method = "map";
    }
    const int level = std::clamp(static_cast<int>(std::lround(predicted)), 1, 7);
    estimate.level = level;
    estimate.variant = rule.variant;
    estimate.stage = stageName(level, estimate.variant);
    // Closer to a whole level, more confident; within one level for about 85% of front and top
    // photos of people it was not trained on (docs/analysis.md), so never above 0.8.
    estimate.confidence = std::clamp(0.8 - std::abs(predicted - level), 0.3, 0.8);
    return estimate;
}

std::string parametersJson(const Parameters &p, double windowPhotoPx)
{
    std::ostringstream json;
    const auto model = currentStageModel();
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
    if (model)
        json << '"' << model->id << '"';
    else
        json << "null";
    json << '}';
    return json.str();
}

} // namespace

std::string stageModelWithCalibration(const std::string &forestYaml,
                                      const std::map<View, LossCalibration> &calibrations,
                                      double weight)
{
    if (!(weight >= 0 && weight <= 1))
        throw std::invalid_argument("stage model: the calibration's weight is not 0-1");
    // The forest's text stays as it is; the calibrations follow as a second top-level node.
    cv::FileStorage out(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
    out << kLossCalibrationNode << "{"
        << "weight" << weight << "views"
        << "[";
    for (const auto &[view, calibration] : calibrations) {
        const auto index = static_cast<std::size_t>(view);
        if (index >= kViewNames.size())
            throw std::invalid_argument("stage model: no such view to calibrate");
        out << "{"
            << "view" << kViewNames[index] << "loss" << calibration.loss() << "level"
            << calibration.level() << "}";
    }
    out << "]"
        << "}";
    std::string calibrationYaml = out.releaseAndGetString();
    // Without the second document's header ("%YAML:1.0" and "---"): the forest's has one.
    if (const auto body = calibrationYaml.find("---\n"); body != std::string::npos)
        calibrationYaml.erase(0, body + 4);
    std::string yaml = forestYaml;
    if (!yaml.empty() && yaml.back() != '\n')
        yaml += '\n';
    return yaml + calibrationYaml;
}

void setStageModel(const std::string &yaml, const std::string &id)
{
    const cv::Ptr<cv::ml::RTrees> forest =
        readForest(yaml, "stage model " + id, stageFeatureNames().size(), "the stage features");
    auto model = std::make_shared<StageModel>();
    model->forest = forest;
    model->id = id;
    // The loss calibrations, when the model has them: a node after the forest's, read alone (the
    // forest's text is 2 MB).
    const auto calibrationAt = yaml.find(std::string(kLossCalibrationNode) + ":");
    try {
        const cv::FileStorage storage(calibrationAt == std::string::npos
                                          ? std::string("%YAML:1.0\n---\n{}\n")
                                          : "%YAML:1.0\n---\n" + yaml.substr(calibrationAt),
                                      cv::FileStorage::READ | cv::FileStorage::MEMORY);
        const cv::FileNode node = storage[kLossCalibrationNode];
        if (!node.empty()) {
            model->calibrationWeight = static_cast<double>(node["weight"]);
            if (!(model->calibrationWeight >= 0 && model->calibrationWeight <= 1))
                throw std::invalid_argument("stage model " + id +
                                            ": the calibration's weight is not 0-1");
            for (const cv::FileNode view : node["views"]) {
                const auto name = static_cast<std::string>(view["view"]);
                const auto at =
                    std::find(kViewNames.begin(), kViewNames.end(), name) - kViewNames.begin();
                if (at >= static_cast<std::ptrdiff_t>(kViewNames.size()))
                    throw std::invalid_argument("stage model " + id + ": no view \"" + name +
                                                "\" to calibrate");
                std::vector<double> loss, level;
                view["loss"] >> loss;
                view["level"] >> level;
                try {
                    model->calibrations[static_cast<int>(at)] =
                        LossCalibration(std::move(loss), std::move(level));
                } catch (const std::invalid_argument &error) {
                    throw std::invalid_argument("stage model " + id + ", view " + name + ": " +
                                                error.what());
                }
            }
        }
    } catch (const cv::Exception &error) {
        throw std::invalid_argument(std::string("stage model ") + id + ": " + error.what());
    }
    std::lock_guard lock(stageModelMutex);
    stageModel = std::move(model);
}

const std::vector<std::string> &stageFeatureNames()
{
    static const std::vector<std::string> names = {"share_normal",
                                                   "share_mild",
                                                   "share_moderate",
                                                   "share_advanced",
                                                   "share_bald",
                                                   "coverage",
                                                   "reference_coverage",
                                                   "coverage_mean",
                                                   "coverage_std",
                                                   "head_fraction",
                                                   "loss_centre",
                                                   "loss_ring",
                                                   "skin_share",
                                                   "scalp_share",
                                                   "dark_hair",
                                                   "view_front",
                                                   "view_top",
                                                   "view_crown",
                                                   "view_back",
                                                   "view_left",
                                                   "view_right",
                                                   "loss_ring0",
                                                   "loss_ring1",
                                                   "loss_ring2",
                                                   "loss_ring3",
                                                   "coverage_ring0",
                                                   "coverage_ring1",
                                                   "coverage_ring2",
                                                   "coverage_ring3",
                                                   "coverage_p10",
                                                   "coverage_p25",
                                                   "coverage_p50",
                                                   "coverage_p75",
                                                   "coverage_p90",
                                                   "skin_lightness",
                                                   "hair_lightness",
                                                   "lightness_contrast",
                                                   "lbp0",
                                                   "lbp1",
                                                   "lbp2",
                                                   "lbp3",
                                                   "lbp4",
                                                   "lbp5",
                                                   "lbp6",
                                                   "lbp7",
                                                   "lbp8",
                                                   "lbp_nonuniform",
                                                   "edge_strength"};
    return names;
}

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

// Whether a frame shows anything to analyse (step 1 of analyze(), before the head is looked
// for), and if not why (until 2026-12-05 both below passed for a full head of dark hair: a black
// frame 100% covered, the sample photo at a fifth of its exposure 96%, stage I where it shows
// III):
// - nearly uniform (a lens cap, a blank wall): its lightness spans under kUniformSpanL from
//   its 1st to its 99th percentile; a head on any backdrop, even a close-up of dense black
//   hair, spans more;
// - too dark to tell hair from skin (no flash in a dim room): its 99th percentile under
//   kDarkFrameL and, on the head found, too little skin colour to tell skin by (step 2).
//   The sample photo read right down to about half its exposure (99th percentile L* 44)
//   and stage II at a quarter to a third (L* 22-27); the 1,014 real photographs reach L* 63
//   or more, the phantoms' backdrops 80. A close-up of very dark skin, well lit, is as dark
//   (L* 25-27) and was refused until 2026-12-06; its skin keeps its colour where an
//   underexposed one loses it (step 2).
// - black and white: under 1% of its pixels have red, green and blue kColourSpread or more
//   apart (a black-and-white photo has them equal, within 2 after a JPEG). Skin is told
//   from grey and light hair by its colour, so the sample photo in black and white read
//   78.6% covered against 64.5% in colour.
// `rgb` the working copy (8-bit RGB), `L8` its OpenCV 8-bit CIELAB lightness.
struct FrameCheck
{
    std::string refusal; // why the frame is no scalp; empty: it may be one
    std::string tooDark; // the frame is dark: refused in step 2 unless its head shows skin colour
};

FrameCheck checkFrame(const cv::Mat &rgb, const cv::Mat &L8)
{
    const double n = static_cast<double>(L8.total());
    FrameCheck check;
    constexpr double kUniformSpanL = 10.0; // L*
    constexpr double kDarkFrameL = 30.0;   // L*
    constexpr int kColourSpread = 3;       // 8-bit levels
    std::array<double, 256> counts{};
    double colourfulPixels = 0;
    for (int y = 0; y < L8.rows; ++y) {
        const auto *pixel = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < L8.cols; ++x) {
            counts[L8.at<std::uint8_t>(y, x)] += 1;
            const auto [low, high] = std::minmax({pixel[x][0], pixel[x][1], pixel[x][2]});
            if (high - low >= kColourSpread)
                colourfulPixels += 1;
        }
    }
    // The L* (0-100) of the q-th quantile of the frame's 8-bit lightness.
    const auto quantileL = [&counts, n](double q) {
        double seen = 0;
        for (std::size_t level = 0; level < counts.size(); ++level) {
            seen += counts[level];
            if (seen >= q * n)
                return static_cast<double>(level) * 100.0 / 255.0;
        }
        return 100.0;
    };
    const double darkest = quantileL(0.01);
    const double lightest = quantileL(0.99);
    std::ostringstream reason;
    reason.setf(std::ios::fixed);
    reason.precision(0);
    if (lightest < kDarkFrameL) {
        reason << "the photo is too dark to tell hair from skin (its lightest pixels reach "
               << "L* " << lightest << ", a well-lit scalp photo's " << kDarkFrameL * 2
               << " or more): take it again with more light";
        check.tooDark = reason.str();
        reason.str({});
    }
    if (lightest - darkest < kUniformSpanL)
        reason << "the photo is nearly uniform (its lightness spans L* " << darkest << " to "
               << lightest << "): a blank, black or out-of-focus frame shows no scalp to "
               << "analyse";
    // (A dark frame without colour is said in step 2: it shows no skin colour.)
    else if (check.tooDark.empty() && colourfulPixels < 0.01 * n)
        reason << "the photo has no colour (black and white, or its colour taken out), and "
               << "the analysis tells skin from hair by colour: take it again in colour";
    check.refusal = reason.str();
    return check;
}

// The largest connected area of skin-coloured (`skinColour`, 8-bit) or dark (L* under 35) pixels,
// closed over 15 px and opened over 9 px (working-copy pixels): the head of a close-up that fills
// the frame, where GrabCut, which takes the border as background, finds little. 8-bit, all 0
// when there is none.
cv::Mat largestScalpLikeArea(const cv::Mat &skinColour, const cv::Mat &L8)
{
    cv::Mat scalpLike = skinColour | (L8 < 90);
    cv::morphologyEx(scalpLike, scalpLike, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(15, 15)));
    cv::morphologyEx(scalpLike, scalpLike, cv::MORPH_OPEN,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
    return largestComponent(scalpLike);
}

// What a head shows (step 2 of analyze()), each as a share (0-1) of `head` (8-bit): skin-coloured
// pixels (`skinNotDarkHair`, skinColouredNotDarkHair()), hair that is not light, skin or hair of
// any kind, and, only where the first two leave the head no scalp, grey strands. `L8`, `A8`,
// `B8`: OpenCV's 8-bit CIELAB channels of the working copy.
struct HeadContents
{
    double skinShare = 0;
    double darkShare = 0;       // dark hair, or grey or brown hair under L* 59
    double scalpShare = 0;      // skin-like or hair-like
    double greyStrandShare = 0; // grey pixels under L* 75 that show strands
    cv::Mat notLightHair;       // 8-bit: the head's hair that is not light (darkShare's pixels)
};

HeadContents headContents(const cv::Mat &head, const cv::Mat &skinNotDarkHair, const cv::Mat &L8,
                          const cv::Mat &A8, const cv::Mat &B8)
{
    const double headPixels = cv::countNonZero(head);
    const cv::Mat skinLike = head & skinNotDarkHair;
    // Hair: dark (L* < 35), grey: nearly neutral (|a*| < 5, |b*| < 12), or brown: little red
    // (a* -5..4), yellowish (b* 0..30) and not light (L* < 59); blond hair passes as skin-like.
    // Without grey, a head of grey hair was "not a scalp"; without brown (1.4), short
    // light-brown hair seen from behind.
    const cv::Mat greyLike = (A8 > 128 - 5) & (A8 < 128 + 5) & (B8 > 128 - 12) & (B8 < 128 + 12);
    const cv::Mat brownLike =
        (A8 > 128 - 5) & (A8 < 128 + 4) & (B8 >= 128) & (B8 <= 128 + 30) & (L8 < 150);
    const cv::Mat hairLike = head & ((L8 < 90) | greyLike | brownLike);
    HeadContents c;
    c.skinShare = headPixels > 0 ? cv::countNonZero(skinLike) / headPixels : 0;
    // Hair that is not light: dark, or grey or brown under L* 59 (a white page is neither).
    c.notLightHair = head & ((L8 < 90) | ((greyLike | brownLike) & (L8 < 150)));
    c.darkShare = headPixels > 0 ? cv::countNonZero(c.notLightHair) / headPixels : 0;
    c.scalpShare = headPixels > 0 ? cv::countNonZero(skinLike | hairLike) / headPixels : 0;
    // A full head of grey hair lighter than L* 59 shows neither (a dense grey head drawn at
    // 12 MP: 5% skin-coloured, 96% grey, 0.1% dark: "no scalp" until 2026-12-02). Grey pixels
    // under L* 75 that show strands (L*'s fineDetail() at least kStrandedL, as for light hair in
    // step 3) stand in for it where some skin shows (kSomeSkin: a client's thinning); a grey
    // sweater, concrete or a page in shade shows none. Computed only for a head that would
    // otherwise be no scalp.
    constexpr int kGreyHairL8 = 191; // L* 75, on OpenCV's 8-bit scale (L* * 255 / 100)
    constexpr double kSomeSkin = 0.02;
    if (c.skinShare < 0.08 && c.skinShare >= kSomeSkin && c.darkShare < 0.4) {
        cv::Mat lightness;
        L8.convertTo(lightness, CV_32F, 100.0 / 255.0);
        const cv::Mat stranded = fineDetail(lightness) >= kStrandedL;
        c.greyStrandShare =
            cv::countNonZero(head & greyLike & (L8 < kGreyHairL8) & stranded) / headPixels;
    }
    return c;
}

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
// `contents` headContents() of the head; `block` withoutShading()'s block (px). `L` CIELAB L*
// (CV_32F, 0-100), masks 8-bit, all at the working size.
struct HairSide
{
    bool darkHair = true;       // the hair is darker than the skin
    bool denseDarkHair = false; // a full head of dark hair: too little skin to unmix against
    bool hairIsRedder = false;  // the skin is the least red fifth (the technician said so)
    cv::Mat skinPixels;         // 8-bit: the pixels the skin's lightness is read from
    double skinLightness = 0;   // their median L*
};

HairSide readHairSide(const cv::Mat &L, const cv::Mat &inner, const cv::Mat &redness,
                      const cv::Mat &skinNotDarkHair, const HeadContents &contents, HairTone tone,
                      int block)
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
    // The technician's word, when given, stands instead (Parameters::hairTone).
    bool darkHair = denseDarkHair || skinOverMedianL >= 0;
    const bool given = tone != HairTone::Automatic;
    if (given) {
        darkHair = tone == HairTone::DarkerThanSkin;
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
    return {darkHair, denseDarkHair, hairIsRedder, skinPixels, skinLightness};
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
    const auto colourCoverage = [&] {
        return unmixColour(rgb, head, inner, A, B8, side.hairIsRedder, ends.softness, scalpOnlyL,
                           false);
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
        readHairSide(L, inner, redness, skinNotDarkHair, contents, p.hairTone, block);
    const bool darkHair = side.darkHair;
    const bool denseDarkHair = side.denseDarkHair;
    const bool hairIsRedder = side.hairIsRedder;
    const cv::Mat skinPixels = side.skinPixels;
    const double skinLightness = side.skinLightness;
    result.hairToneGiven = p.hairTone != HairTone::Automatic;
    result.hairTone = darkHair ? HairTone::DarkerThanSkin : HairTone::LighterThanSkin;
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
        f[5] = result.coveragePercent / 100.0;
        f[6] = result.referenceCoverage;
        f[7] = coverageMean[0];
        f[8] = coverageStd[0];
        f[9] = headFraction;
        f[12] = skinShare;
        f[13] = scalpShare;
        f[14] = darkHair ? 1.0 : 0.0;
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

bool countsForCombinedStage(View view)
{
    return view == View::Front || view == View::Top || view == View::Crown;
}

std::optional<CombinedStage> combinedStage(const std::vector<ViewLevel> &photos)
{
    int sum = 0, counted = 0;
    for (const ViewLevel &photo : photos)
        if (countsForCombinedStage(photo.view) && photo.level >= 1 && photo.level <= 7) {
            sum += photo.level;
            ++counted;
        }
    if (counted == 0)
        return std::nullopt;
    CombinedStage combined;
    // The mean rounded half up, in integers: floor(sum / counted + 1/2).
    combined.level = (2 * sum + counted) / (2 * counted);
    combined.stage = stageName(combined.level, {});
    combined.photosCounted = counted;
    return combined;
}

int highestStageShown(double lossShare)
{
    return lossShare < kLossCuts[0] ? 1 : lossShare < kLossCuts[1] ? 2 : 7;
}

NorwoodEstimate movedStage(const NorwoodEstimate &stored, const std::vector<Grade> &original,
                           const std::vector<Grade> &corrected, const NorwoodEstimate &rule)
{
    if (original.size() != corrected.size())
        throw std::invalid_argument("movedStage: the maps differ in size");
    const auto lossShare = [](const std::vector<Grade> &grades) {
        std::size_t graded = 0, loss = 0;
        for (const Grade g : grades) {
            graded += g != Grade::NotScalp;
            loss += g == Grade::Advanced || g == Grade::Bald;
        }
        return graded ? static_cast<double>(loss) / static_cast<double>(graded) : 0.0;
    };
    if (stored.level < 1 || original == corrected)
        return stored;
    const double moved =
        stored.level + lossLevel(lossShare(corrected)) - lossLevel(lossShare(original));
    NorwoodEstimate estimate = stored;
    estimate.level = std::clamp(static_cast<int>(std::lround(moved)), 1, 7);
    if (const int highest = highestStageShown(lossShare(corrected)); estimate.level > highest) {
        estimate.level = highest;
        estimate.method = "map";
    }
    estimate.variant = rule.variant;
    estimate.stage = stageName(estimate.level, estimate.variant);
    return estimate;
}

NorwoodEstimate stageOfGrades(const std::vector<Grade> &grades, int mapWidth, int mapHeight,
                              std::vector<double> stageFeatures, const NorwoodEstimate &rule)
{
    if (mapWidth <= 0 || mapHeight <= 0 ||
        grades.size() != static_cast<std::size_t>(mapWidth) * static_cast<std::size_t>(mapHeight))
        throw std::invalid_argument("stageOfGrades: the map does not match its size");
    if (stageFeatures.size() != stageFeatureNames().size())
        return rule;
    const cv::Mat gradeMap(mapHeight, mapWidth, CV_8U, const_cast<Grade *>(grades.data()));
    std::vector<double> corrected = stageFeatures;
    setGradeFeatures(corrected, gradeMap, gradeMap > 0);
    return stageFromFeatures(stageFeatures, &corrected, rule);
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
