#pragma once

// Statistics and per-pixel measures of the scalp analysis's working maps: percentiles over a
// mask or per block, histograms and their peaks, the hair end between two references, colour
// medians and chroma, fine detail, and means weighted by a mask. Internal to src/analysis.

#include <opencv2/core.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace smp::analysis::detail {

// CIELAB chroma, sqrt(a*^2 + b*^2), of 8-bit a* and b* (offset by 128; CV_8U); returns CV_32F.
cv::Mat labChroma(const cv::Mat &A8, const cv::Mat &B8);

// Whether a block's percentile `value` can be trusted, given the block's `samples` (in any
// order; the rule may reorder them); the rule may also refine `value`.
using BlockRule = std::function<bool(float &value, std::vector<float> &samples)>;

// A smooth map of a percentile of `values` over the pixels of `mask`, computed in blocks of
// `block` px and interpolated; blocks without enough mask pixels, or failing `trusted`, take their
// neighbours' values (all blocks with pixels count when none passes). Any value range: a block is
// missing by its count of pixels, not by its value.
cv::Mat percentileMap(const cv::Mat &values, const cv::Mat &mask, int block, double q,
                      const BlockRule &trusted = {});

// The `q` quantile (0..1, nearest rank) of `values` (CV_32F) over the pixels of `mask` (8-bit);
// 0 when the mask is empty.
double percentile(const cv::Mat &values, const cv::Mat &mask, double q);

// The most common value of `values` (CV_32F, under the 8-bit `mask`) between `low` and `high`:
// the centre of histogramOf()'s smoothedPeak() between them.
double modeBetween(const cv::Mat &values, const cv::Mat &mask, double low, double high);

// How widely a head's hair shades spread, for hairEnd().
enum class HairShades
{
    Narrow,
    Spread
};

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
double hairEnd(const cv::Mat &values, const cv::Mat &mask, double skin, double extreme,
               HairShades shades = HairShades::Narrow, std::optional<double> sparseEnd = {},
               double softness = 0);

// The per-channel median of the 8-bit RGB pixels under `mask` (8-bit), as floats; black when
// the mask is empty.
cv::Vec3f medianColour(const cv::Mat &rgb, const cv::Mat &mask);

// How much fine detail each pixel's neighbourhood has: the mean absolute difference between
// `values` and `values` blurred by 1 px, averaged over about 6 px (Gaussian). Hair is stranded
// and bare scalp smooth, even where its shine is as light as grey or blond hair. Scale: the
// working copy's pixels (at most 1024 px a side). `values` CV_32F; returns CV_32F, in the units
// of `values`.
cv::Mat fineDetail(const cv::Mat &values);

// The mean of `values` around each pixel, weighted by `weight` (0..1: where the values count),
// over a Gaussian of sigma `sigmaPx`; where the weight around is nil, 0. Computed at a quarter
// of sigma per pixel (a blur that wide keeps nothing finer), which keeps the kernel a few dozen
// pixels wide at any size. Both CV_32F of one size; returns CV_32F of that size.
cv::Mat meanOnMask(const cv::Mat &values, const cv::Mat &weight, double sigmaPx);

// The share of each pixel's block (a box of `block` px around it) that `alpha` (CV_32F 0..1)
// covers, over the pixels of `innerF` (CV_32F, 1 on the head less its outline, else 0) only;
// returns CV_32F 0..1 (0 where the box holds none of them).
cv::Mat blockDensity(const cv::Mat &alpha, const cv::Mat &innerF, int block);

} // namespace smp::analysis::detail
