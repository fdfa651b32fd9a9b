#include "Stage.h"

#include "MapStatistics.h"

#include "smp/analysis/LossCalibration.h"

#include "Forest.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace smp::analysis::detail {

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

} // namespace

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
    // The variants are moved in as strings: assigned as literals, GCC 12 inlines them here and
    // misreports an overlapping copy (-Wrestrict).
    if ((view == View::Top || view == View::Crown) && vertexShare > 0.7)
        estimate.variant = std::string("vertex");
    // Anterior: on a top view, none of the loss at the vertex and at least half of it across
    // the front (not only the temple corners).
    else if (view == View::Top && lossFraction > 0 && vertexShare < 0.05 && frontShare >= 0.5)
        estimate.variant = std::string("a");
    estimate.stage = stageName(level, estimate.variant);
    // Distance to the nearest cut, relative to the gap it sits in: a coarse confidence, never
    // high from one photo.
    double nearest = 1.0;
    for (double cut : kLossCuts)
        nearest = std::min(nearest, std::abs(lossFraction - cut));
    estimate.confidence = std::clamp(0.3 + 3.0 * nearest, 0.3, 0.7);
    return estimate;
}

namespace {

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

} // namespace

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

namespace {

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

} // namespace

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

std::optional<std::string> installedStageModelId()
{
    if (const auto model = currentStageModel())
        return model->id;
    return std::nullopt;
}

} // namespace smp::analysis::detail

namespace smp::analysis {

using namespace detail;

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

} // namespace smp::analysis
