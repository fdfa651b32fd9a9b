#include "MapStatistics.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace smp::analysis::detail {

cv::Mat labChroma(const cv::Mat &A8, const cv::Mat &B8)
{
    cv::Mat a, b, chroma;
    A8.convertTo(a, CV_32F, 1.0, -128.0);
    B8.convertTo(b, CV_32F, 1.0, -128.0);
    cv::magnitude(a, b, chroma);
    return chroma;
}

cv::Mat percentileMap(const cv::Mat &values, const cv::Mat &mask, int block, double q,
                      const BlockRule &trusted)
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

namespace {

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

} // namespace

double modeBetween(const cv::Mat &values, const cv::Mat &mask, double low, double high)
{
    const int peak = smoothedPeak(histogramOf(values, mask, low, high)).first;
    return low + (peak + 0.5) * (high - low) / kHistogramBins;
}

double hairEnd(const cv::Mat &values, const cv::Mat &mask, double skin, double extreme,
               HairShades shades, std::optional<double> sparseEnd, double softness)
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

cv::Mat fineDetail(const cv::Mat &values)
{
    cv::Mat smooth, detail;
    cv::GaussianBlur(values, smooth, cv::Size(), 1.0);
    cv::GaussianBlur(cv::abs(values - smooth), detail, cv::Size(), 6.0);
    return detail;
}

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

cv::Mat blockDensity(const cv::Mat &alpha, const cv::Mat &innerF, int block)
{
    cv::Mat covered, counted;
    cv::boxFilter(alpha.mul(innerF), covered, CV_32F, cv::Size(block, block), cv::Point(-1, -1),
                  false);
    cv::boxFilter(innerF, counted, CV_32F, cv::Size(block, block), cv::Point(-1, -1), false);
    return covered / cv::max(counted, 1e-3);
}

} // namespace smp::analysis::detail
