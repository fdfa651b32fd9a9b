#pragma once

// Reading hair coverage per pixel (steps 3-4 of analyze()): lightness unmixed between the skin
// and the hair, colour unmixed for hair about as light as the skin, a greying head's three ends,
// the light on the hair, and how sharp the photo is. Internal to src/analysis.

#include <opencv2/core.hpp>

#include <functional>

namespace smp::analysis::detail {

// L*'s fineDetail() of bare skin and of strands, for strandShare() on lightness: on the real
// photographs a shiny bald scalp reads 0.1-0.5 L*, short grey hair 1.5-3; on the phantoms light
// hair on darker skin 1.5-8.
inline constexpr float kSmoothSkinL = 0.5f;
inline constexpr float kStrandedL = 1.0f;

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
                       const cv::Mat &hairLightRead = {});

// A head whose colour-unmixed map covers at least this share of it on average is dense: its
// reddest fifth is skin mixed with hair (unmixColour()'s skin end), and light hair on darker skin
// with little contrast is read in colour (analyze()). On the phantoms dense heads 0.64-0.71,
// sparse ones about 0.3; the real photographs under the low-contrast test at most 0.38.
inline constexpr double kDenseColourCoverage = 0.5;

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
                                     const cv::Mat &inner);

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
                    double softness, const cv::Mat &scalpOnlyL, bool withLocalSkin);

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
                         double skinL);

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
                        bool darkHair);

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
                               int block, bool darkHair);

// Lightness with the head's shading taken out: each pixel's L* + 16 (which scales with the cube
// root of the light) over the mean of L* + 16 around it on `mask` (meanOnMask(), sigma
// `sigmaPx`); 1 where a pixel is as light as its surroundings. `L` CV_32F L*, `mask` 8-bit;
// returns CV_32F.
cv::Mat withoutShading(const cv::Mat &L, const cv::Mat &mask, double sigmaPx);

// How sharp a photo is at the working size: the mean absolute fine detail of L* (L* less L*
// blurred by 1 px) over its coarse detail (L* blurred by 1 px less L* blurred by 3 px), over
// `mask`. A blur takes the fine detail and leaves the coarse: the phantoms read 1.2-1.7 sharp
// and 0.56-0.84 blurred by 1 px at 800 px (2.5 px at 12 MP), whatever their noise; the real
// photographs of the hair-loss set, exported small and resized, 0.41-1.64 (median 0.69).
// Computed over the mask's box widened by the blurs' reach, so that it reads as over the whole
// image. `L` CV_32F, `mask` 8-bit; returns 2 where the head has no coarse detail at all.
double photoSharpness(const cv::Mat &L, const cv::Mat &mask);

} // namespace smp::analysis::detail
