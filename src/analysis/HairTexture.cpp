#include "smp/analysis/HairTexture.h"

#include "smp/analysis/ScalpAnalysis.h"

#include "Forest.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace smp::analysis {

namespace {

struct TextureModel
{
    cv::Ptr<cv::ml::RTrees> forest;
    std::string id;
};

std::mutex textureModelMutex;
std::shared_ptr<const TextureModel> textureModel;

std::size_t toSize(int value)
{
    return static_cast<std::size_t>(std::max(0, value));
}

std::shared_ptr<const TextureModel> currentTextureModel()
{
    std::lock_guard lock(textureModelMutex);
    return textureModel;
}

// The mean of `map` (CV_32F) over each cell: a cellsHigh x cellsWide CV_32F image.
cv::Mat cellMeans(const cv::Mat &map, int cellsWide, int cellsHigh)
{
    cv::Mat means;
    cv::resize(map(cv::Rect(0, 0, cellsWide * kTextureCellPx, cellsHigh * kTextureCellPx)), means,
               cv::Size(cellsWide, cellsHigh), 0, 0, cv::INTER_AREA);
    return means;
}

} // namespace

const std::vector<std::string> &hairTextureFeatureNames()
{
    static const std::vector<std::string> names = {"mean_L",
                                                   "mean_a",
                                                   "mean_b",
                                                   "mean_chroma",
                                                   "fine_detail_1px",
                                                   "fine_detail_2.5px",
                                                   "gradient",
                                                   "coherence",
                                                   "sd_L",
                                                   "p10_L",
                                                   "p90_L",
                                                   "sd_a",
                                                   "p10_a",
                                                   "p90_a",
                                                   "sd_b",
                                                   "p10_b",
                                                   "p90_b"};
    return names;
}

TextureCells hairTextureCells(const RgbImage &photo)
{
    if (photo.width <= 0 || photo.height <= 0 || !photo.pixels)
        throw std::invalid_argument("hairTextureCells: empty image");
    const cv::Mat rgb(photo.height, photo.width, CV_8UC3, const_cast<std::uint8_t *>(photo.pixels),
                      static_cast<std::size_t>(photo.bytesPerLine));
    const double scale =
        std::min(1.0, static_cast<double>(kTextureSidePx) / std::max(photo.width, photo.height));
    cv::Mat small;
    if (scale < 1.0)
        cv::resize(rgb, small, cv::Size(), scale, scale, cv::INTER_AREA);
    else
        small = rgb;
    TextureCells cells;
    cells.cellsWide = small.cols / kTextureCellPx;
    cells.cellsHigh = small.rows / kTextureCellPx;
    cells.photoPxPerCell = kTextureCellPx / scale;
    if (cells.cellsWide == 0 || cells.cellsHigh == 0)
        return cells;

    cv::Mat lab;
    small.convertTo(lab, CV_32FC3, 1.0 / 255);
    cv::cvtColor(lab, lab, cv::COLOR_RGB2Lab); // L* 0-100, a* and b* about -128..127
    std::vector<cv::Mat> channels;
    cv::split(lab, channels);
    const cv::Mat &L = channels[0], &A = channels[1], &B = channels[2];
    cv::Mat blur1, blur25, chroma, gx, gy, gradient;
    cv::GaussianBlur(L, blur1, cv::Size(), 1.0);
    cv::GaussianBlur(L, blur25, cv::Size(), 2.5);
    const cv::Mat fine = cv::abs(L - blur1), fine2 = cv::abs(blur1 - blur25);
    cv::magnitude(A, B, chroma);
    cv::Sobel(L, gx, CV_32F, 1, 0, 3);
    cv::Sobel(L, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, gradient);
    // The structure tensor over a cell's width: how much the edges share one direction (strands).
    cv::Mat jxx, jyy, jxy;
    const cv::Size box(kTextureCellPx, kTextureCellPx);
    cv::boxFilter(gx.mul(gx), jxx, -1, box);
    cv::boxFilter(gy.mul(gy), jyy, -1, box);
    cv::boxFilter(gx.mul(gy), jxy, -1, box);
    cv::Mat spread, coherence;
    cv::magnitude(jxx - jyy, 2 * jxy, spread);
    cv::divide(spread, jxx + jyy + 1e-3, coherence);

    const std::size_t count = hairTextureFeatureNames().size();
    const std::size_t cellCount = toSize(cells.cellsWide) * toSize(cells.cellsHigh);
    cells.features.assign(cellCount * count, 0.0f);
    std::size_t column = 0;
    for (const cv::Mat *map : std::array<const cv::Mat *, 8>{&L, &A, &B, &chroma, &fine, &fine2,
                                                             &gradient, &coherence}) {
        const cv::Mat means = cellMeans(*map, cells.cellsWide, cells.cellsHigh);
        for (std::size_t c = 0; c < cellCount; ++c)
            cells.features[c * count + column] = means.at<float>(static_cast<int>(c));
        ++column;
    }
    // Spread, 10th and 90th percentiles of L*, a* and b* over each cell's pixels.
    std::vector<float> values(kTextureCellPx * kTextureCellPx);
    const auto at = [&](double q) {
        const auto k =
            static_cast<std::ptrdiff_t>(std::lround(q * static_cast<double>(values.size() - 1)));
        std::nth_element(values.begin(), values.begin() + k, values.end());
        return values[static_cast<std::size_t>(k)];
    };
    for (const cv::Mat *map : std::array<const cv::Mat *, 3>{&L, &A, &B}) {
        for (int cy = 0; cy < cells.cellsHigh; ++cy)
            for (int cx = 0; cx < cells.cellsWide; ++cx) {
                double sum = 0, sumSquares = 0;
                std::size_t i = 0;
                for (int y = 0; y < kTextureCellPx; ++y) {
                    const float *row = map->ptr<float>(cy * kTextureCellPx + y) +
                                       static_cast<std::ptrdiff_t>(cx) * kTextureCellPx;
                    for (int x = 0; x < kTextureCellPx; ++x, ++i) {
                        values[i] = row[x];
                        sum += static_cast<double>(row[x]);
                        sumSquares += static_cast<double>(row[x]) * static_cast<double>(row[x]);
                    }
                }
                const double n = static_cast<double>(values.size());
                const double variance = std::max(0.0, sumSquares / n - (sum / n) * (sum / n));
                float *out =
                    &cells.features[(toSize(cy) * toSize(cells.cellsWide) + toSize(cx)) * count +
                                    column];
                out[0] = static_cast<float>(std::sqrt(variance));
                out[1] = at(0.1);
                out[2] = at(0.9);
            }
        column += 3;
    }
    return cells;
}

void setHairTextureModel(const std::string &yaml, const std::string &id)
{
    const cv::Ptr<cv::ml::RTrees> forest = readForest(
        yaml, "hair texture model " + id, hairTextureFeatureNames().size(), "the cell numbers");
    auto model = std::make_shared<TextureModel>();
    model->forest = forest;
    model->id = id;
    std::lock_guard lock(textureModelMutex);
    textureModel = std::move(model);
}

TextureCheck checkHairTexture(const RgbImage &photo, View view, const Result &result)
{
    TextureCheck check;
    const auto model = currentTextureModel();
    if (!model) {
        check.reason = "No texture model is installed.";
        return check;
    }
    check.modelId = model->id;
    if (!result.scalpFound) {
        check.reason = "No scalp was found.";
        return check;
    }
    if (view != View::Top && view != View::Crown) {
        check.reason = "The texture model learnt top views; this photo is not a top or crown view.";
        return check;
    }
    const TextureCells cells = hairTextureCells(photo);
    check.cellsWide = cells.cellsWide;
    check.cellsHigh = cells.cellsHigh;
    check.photoPxPerCell = cells.photoPxPerCell;
    if (cells.features.empty()) {
        check.reason = "The photo is too small for the texture model's cells.";
        return check;
    }
    const int count = static_cast<int>(hairTextureFeatureNames().size());
    const cv::Mat samples(cells.cellsWide * cells.cellsHigh, count, CV_32F,
                          const_cast<float *>(cells.features.data()));
    cv::Mat predictions;
    model->forest->predict(samples, predictions);
    check.hairProbability.resize(static_cast<std::size_t>(predictions.rows));
    for (int i = 0; i < predictions.rows; ++i)
        check.hairProbability[static_cast<std::size_t>(i)] =
            std::clamp(predictions.at<float>(i), 0.0f, 1.0f);
    check.applies = true;
    check.lossReadingHair = lossReadingHairShare(check, result.grades, result.mapWidth,
                                                 result.mapHeight, result.photoPxPerMapPx);
    return check;
}

std::vector<std::uint8_t> hairOnMap(const TextureCheck &check, int mapWidth, int mapHeight,
                                    double photoPxPerMapPx)
{
    const std::size_t cellCount = toSize(check.cellsWide) * toSize(check.cellsHigh);
    if (!check.applies || cellCount == 0 || check.hairProbability.size() != cellCount ||
        mapWidth <= 0 || mapHeight <= 0 || photoPxPerMapPx <= 0 || check.photoPxPerCell <= 0)
        return {};
    // The cells' probabilities interpolated between their centres onto the map's pixels.
    const cv::Mat cellMap(check.cellsHigh, check.cellsWide, CV_32F,
                          const_cast<float *>(check.hairProbability.data()));
    const double mapPxPerCell = check.photoPxPerCell / photoPxPerMapPx;
    cv::Mat mapX(mapHeight, mapWidth, CV_32F), mapY(mapHeight, mapWidth, CV_32F);
    for (int y = 0; y < mapHeight; ++y)
        for (int x = 0; x < mapWidth; ++x) {
            mapX.at<float>(y, x) = static_cast<float>((x + 0.5) / mapPxPerCell - 0.5);
            mapY.at<float>(y, x) = static_cast<float>((y + 0.5) / mapPxPerCell - 0.5);
        }
    cv::Mat probability;
    cv::remap(cellMap, probability, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    std::vector<std::uint8_t> hair(toSize(mapWidth) * toSize(mapHeight), 0);
    for (int y = 0; y < mapHeight; ++y) {
        const float *row = probability.ptr<float>(y);
        for (int x = 0; x < mapWidth; ++x)
            hair[toSize(y) * toSize(mapWidth) + toSize(x)] =
                static_cast<double>(row[x]) >= kTextureHairProbability ? 1 : 0;
    }
    return hair;
}

std::vector<std::uint8_t> lossReadingHair(const TextureCheck &check,
                                          const std::vector<Grade> &grades, int mapWidth,
                                          int mapHeight, double photoPxPerMapPx)
{
    if (grades.size() != toSize(mapWidth) * toSize(mapHeight))
        return {};
    std::vector<std::uint8_t> marked = hairOnMap(check, mapWidth, mapHeight, photoPxPerMapPx);
    for (std::size_t i = 0; i < marked.size(); ++i)
        marked[i] = marked[i] && grades[i] >= Grade::Advanced ? 1 : 0;
    return marked;
}

double lossReadingHairShare(const TextureCheck &check, const std::vector<Grade> &grades,
                            int mapWidth, int mapHeight, double photoPxPerMapPx)
{
    const auto marked = lossReadingHair(check, grades, mapWidth, mapHeight, photoPxPerMapPx);
    if (marked.empty())
        return 0;
    std::size_t loss = 0, reading = 0;
    for (std::size_t i = 0; i < grades.size(); ++i) {
        loss += grades[i] >= Grade::Advanced ? 1u : 0u;
        reading += marked[i];
    }
    return loss > 0 ? static_cast<double>(reading) / static_cast<double>(loss) : 0;
}

} // namespace smp::analysis
