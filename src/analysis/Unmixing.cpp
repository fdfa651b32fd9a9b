#include "Unmixing.h"

#include "MapStatistics.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace smp::analysis::detail {

namespace {

// The share of a pixel's hair coverage that its fineDetail() supports: 0 where the
// neighbourhood is as smooth as bare scalp (`smooth` or less), 1 from `stranded` up, linear
// between (all three in the same units).
float strandShare(float detail, float smooth, float stranded)
{
    return std::clamp((detail - smooth) / (stranded - smooth), 0.0f, 1.0f);
}

} // namespace

cv::Mat unmixLightness(const cv::Mat &L, const cv::Mat &head, const cv::Mat &inner, int block,
                       bool darkHair, double extremeL, double sparseExtremeL, double softness,
                       double skinL, const cv::Mat &skinLike,
                       const std::function<cv::Mat()> &colourCoverage, bool &shadeTookColour,
                       const cv::Mat &hairLightRead)
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

namespace {

// A map's pixel read at or over this share of hair is taken for a strand, one read under it for
// bare skin or its noise: readAgainstLocalSkin() (1.35) takes the pixels 2 px clear of any strand
// for bare skin, unmixColour() (1.37) those read under it, where a sparse head shows no bare
// patch.
constexpr float kStrandShare = 0.1f;

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

} // namespace

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

cv::Mat withoutShading(const cv::Mat &L, const cv::Mat &mask, double sigmaPx)
{
    cv::Mat weight;
    mask.convertTo(weight, CV_32F, 1.0 / 255.0);
    const cv::Mat shifted = L + 16.0;
    return shifted / cv::max(meanOnMask(shifted, weight, sigmaPx), 1.0);
}

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

} // namespace smp::analysis::detail
