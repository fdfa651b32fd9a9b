#pragma once

// The hair-loss stage: the features a photo's maps give the stage model, the model itself (set
// once, read by every analysis) and the rule on the loss share it is blended with. Internal to
// src/analysis.

#include "smp/analysis/ScalpAnalysis.h"

#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

namespace smp::analysis::detail {

// The id of the stage model setStageModel() installed, none before. Thread-safe.
std::optional<std::string> installedStageModelId();

// `vertexShare` and `frontShare`: the shares of the loss area at the vertex (or crown) and in the
// frontal band, named in the orientation the photo is shown in.
NorwoodEstimate estimateNorwood(double lossFraction, double vertexShare, double frontShare,
                                View view);

// Stage feature indices (see stageFeatureNames()).
inline constexpr std::size_t kShareFeatures = 0; // 5: share of the scalp in each grade
// The photo's whole-head measures, one feature each (set by analyze()):
inline constexpr std::size_t kCoverageFeature = 5;       // coverage of the scalp, 0..1
inline constexpr std::size_t kReferenceFeature = 6;      // the reference coverage graded against
inline constexpr std::size_t kCoverageMeanFeature = 7;   // the coverage map's mean over the head
inline constexpr std::size_t kCoverageSpreadFeature = 8; // its standard deviation
inline constexpr std::size_t kHeadFractionFeature = 9;   // the head's share of the photo
inline constexpr std::size_t kLossCentre = 10;        // loss near the centre, in the ring around it
inline constexpr std::size_t kSkinShareFeature = 12;  // the head's skin-coloured share
inline constexpr std::size_t kScalpShareFeature = 13; // its skin- or hair-like share
inline constexpr std::size_t kDarkHairFeature = 14;   // 1 when the hair is darker than the skin
inline constexpr std::size_t kViewFeatures = 15; // 6: one-hot Front, Top, Crown, Back, Left, Right
inline constexpr std::size_t kLossRingFeatures = 21;         // 4: loss share per ringOf() ring
inline constexpr std::size_t kCoverageRingFeatures = 25;     // 4: mean coverage per ring
inline constexpr std::size_t kCoverageQuantileFeatures = 29; // 5: coverage 10, 25, 50, 75, 90%
inline constexpr std::size_t kLightnessFeatures = 34; // 3: skin L*, hair L*, their difference
inline constexpr std::size_t kTextureFeatures = 37;   // 10: rotation-invariant LBP histogram
inline constexpr std::size_t kEdgeFeature = 47;       // mean gradient over the contrast

// The stage features that come from the grade map: the share of the scalp in each grade, and the
// loss (advanced or bald) near the head's centre, in the ring around it and in each of the
// rings of ringOf(). `head`: the scalp pixels (8-bit mask, the grade map's size).
void setGradeFeatures(std::vector<double> &f, const cv::Mat &gradeMap, const cv::Mat &head);

// The stage features that describe the photo rather than the grades: mean coverage per ring and
// its quantiles, the skin and hair lightness (L*), and the texture of the inner head (hair is
// stranded, bare scalp smooth): a rotation-invariant uniform LBP histogram of 8 neighbours at
// 2 px (ties within 2 levels of 8-bit L count as equal) and the mean gradient over the
// skin-to-hair contrast. `L8` 8-bit CIELAB L, `coverage` 0-1 CV_32F, masks 8-bit.
void setPhotoFeatures(std::vector<double> &f, const cv::Mat &L8, const cv::Mat &coverage,
                      const cv::Mat &head, const cv::Mat &inner, double skinL, double hairL);

// The installed model's stage for the analysis's `features` (its forest's level, blended with
// the loss calibration of the photo's view when the model has one); when `corrected` (the same
// features with those of the corrected grade map) is given, moved by as many levels as the
// corrections move the advanced-plus-bald share across the cut points (lossLevel()). `rule` (the
// loss-share estimate) when no model is installed or the features do not fit it. Keeps the rule's
// variant (stageName()).
NorwoodEstimate stageFromFeatures(const std::vector<double> &features,
                                  const std::vector<double> *corrected, NorwoodEstimate rule);

} // namespace smp::analysis::detail
