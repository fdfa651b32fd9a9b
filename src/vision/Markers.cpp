#include "smp/vision/Markers.h"

#include <opencv2/aruco.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace smp::vision {

namespace {

cv::Ptr<cv::aruco::Dictionary> dictionary()
{
    static const cv::Ptr<cv::aruco::Dictionary> dict =
        cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_50);
    return dict;
}

// Local scale of the homography H (image px -> plane mm) at image point p: the singular values
// of its Jacobian there.
std::pair<double, double> localScales(const cv::Matx33d &H, cv::Point2d p)
{
    const double w = H(2, 0) * p.x + H(2, 1) * p.y + H(2, 2);
    const double u = (H(0, 0) * p.x + H(0, 1) * p.y + H(0, 2)) / w;
    const double v = (H(1, 0) * p.x + H(1, 1) * p.y + H(1, 2)) / w;
    const cv::Matx22d J((H(0, 0) - u * H(2, 0)) / w, (H(0, 1) - u * H(2, 1)) / w,
                        (H(1, 0) - v * H(2, 0)) / w, (H(1, 1) - v * H(2, 1)) / w);
    cv::Mat singular;
    cv::SVD::compute(cv::Mat(J), singular, cv::SVD::NO_UV);
    return {singular.at<double>(0), singular.at<double>(1)};
}

MarkerMeasurement measure(int id, const std::vector<cv::Point2f> &corners, double cornerSigmaPx)
{
    MarkerMeasurement m;
    m.id = id;
    m.sideMm = markerSideMm(id);
    double perimeter = 0;
    for (int i = 0; i < 4; ++i) {
        m.cornersPx[static_cast<std::size_t>(i)] = {corners[static_cast<std::size_t>(i)].x,
                                                    corners[static_cast<std::size_t>(i)].y};
        perimeter += cv::norm(corners[static_cast<std::size_t>(i)] -
                              corners[static_cast<std::size_t>((i + 1) % 4)]);
    }
    m.sidePx = perimeter / 4.0;
    const double half = m.sideMm / 2.0;
    const std::vector<cv::Point2f> plane = {{static_cast<float>(-half), static_cast<float>(-half)},
                                            {static_cast<float>(half), static_cast<float>(-half)},
                                            {static_cast<float>(half), static_cast<float>(half)},
                                            {static_cast<float>(-half), static_cast<float>(half)}};
    const cv::Matx33d H = cv::getPerspectiveTransform(corners, plane);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            m.imageToPlaneMm[static_cast<std::size_t>(r * 3 + c)] = H(r, c) / H(2, 2);
    // The marker's centre in the image: where the plane origin maps back to.
    const cv::Matx33d Hinv = H.inv();
    const double w = Hinv(2, 2);
    const cv::Point2d centre(Hinv(0, 2) / w, Hinv(1, 2) / w);
    m.centrePx = {centre.x, centre.y};
    const auto [major, minor] = localScales(H, centre);
    m.mmPerPx = std::sqrt(major * minor); // geometric mean: the scale of areas
    m.tiltDegrees = std::acos(std::clamp(minor / major, 0.0, 1.0)) * 180.0 / std::numbers::pi;
    // Each corner off by cornerSigmaPx (per axis): one side's length is off by about sigma*sqrt(2);
    // the mean of four sides sharing corners by about sigma, so the scale by sigma / side.
    const double relative = cornerSigmaPx / m.sidePx;
    m.uncertaintyMmPerPx = m.mmPerPx * relative;
    return m;
}

} // namespace

double markerSideMm(int id)
{
    if (id < 0 || id >= kMarkerCount)
        return 0.0;
    return id < 25 ? 10.0 : 20.0;
}

std::vector<std::vector<bool>> markerCells(int id)
{
    if (id < 0 || id >= kMarkerCount)
        return {};
    const int cells = dictionary()->markerSize + 2;
    cv::Mat image;
    cv::aruco::drawMarker(dictionary(), id, cells, image, 1);
    std::vector<std::vector<bool>> result(static_cast<std::size_t>(cells),
                                          std::vector<bool>(static_cast<std::size_t>(cells)));
    for (int r = 0; r < cells; ++r)
        for (int c = 0; c < cells; ++c)
            result[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] =
                image.at<std::uint8_t>(r, c) < 128;
    return result;
}

bool plausibleMarkerOutline(const std::array<Point2, 4> &cornersPx)
{
    constexpr double kMinSideRatio = 0.5;
    constexpr double kMinSidePx = 8.0;
    std::vector<cv::Point2f> corners;
    for (const Point2 &p : cornersPx)
        corners.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
    if (!cv::isContourConvex(corners))
        return false;
    double shortest = std::numeric_limits<double>::max(), longest = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        const double side = cv::norm(corners[k] - corners[(k + 1) % 4]);
        shortest = std::min(shortest, side);
        longest = std::max(longest, side);
    }
    return shortest >= kMinSidePx && shortest >= kMinSideRatio * longest;
}

std::vector<MarkerMeasurement> detectMarkers(const GrayImage &image,
                                             const DetectionOptions &options)
{
    if (image.width <= 0 || image.height <= 0 || !image.pixels)
        throw std::invalid_argument("detectMarkers: empty image");
    const cv::Mat full(image.height, image.width, CV_8UC1, const_cast<std::uint8_t *>(image.pixels),
                       static_cast<std::size_t>(image.bytesPerLine));
    const double factor = std::min(1.0, static_cast<double>(options.maxDetectionSide) /
                                            std::max(image.width, image.height));
    cv::Mat small;
    if (factor < 1.0)
        cv::resize(full, small, cv::Size(), factor, factor, cv::INTER_AREA);
    else
        small = full;

    auto parameters = cv::aruco::DetectorParameters::create();
    parameters->cornerRefinementMethod = cv::aruco::CORNER_REFINE_SUBPIX;
    parameters->cornerRefinementWinSize = 4;
    parameters->cornerRefinementMinAccuracy = 0.01;
    parameters->cornerRefinementMaxIterations = 50;
    std::vector<std::vector<cv::Point2f>> corners;
    std::vector<int> ids;
    cv::aruco::detectMarkers(small, dictionary(), corners, ids, parameters);

    std::vector<MarkerMeasurement> result;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (markerSideMm(ids[i]) <= 0)
            continue;
        std::vector<cv::Point2f> found = corners[i];
        // OpenCV's corners are in pixel-centre coordinates; ours put pixel centres at +0.5.
        if (factor < 1.0) {
            for (auto &p : found)
                p = cv::Point2f(
                    static_cast<float>((static_cast<double>(p.x) + 0.5) / factor - 0.5),
                    static_cast<float>((static_cast<double>(p.y) + 0.5) / factor - 0.5));
            const double side = cv::norm(found[0] - found[1]);
            const int window = std::clamp(static_cast<int>(side / 12.0), 2, 12);
            cv::cornerSubPix(
                full, found, cv::Size(window, window), cv::Size(-1, -1),
                cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 60, 0.005));
        }
        std::array<Point2, 4> outline{};
        for (std::size_t k = 0; k < outline.size() && k < found.size(); ++k)
            outline[k] = {static_cast<double>(found[k].x), static_cast<double>(found[k].y)};
        if (found.size() != 4 || !plausibleMarkerOutline(outline))
            continue;
        for (auto &p : found)
            p += cv::Point2f(0.5f, 0.5f);
        result.push_back(measure(ids[i], found, options.cornerSigmaPx));
    }
    std::sort(result.begin(), result.end(),
              [](const auto &a, const auto &b) { return a.sidePx > b.sidePx; });
    return result;
}

std::optional<MarkerMeasurement> measureScale(const GrayImage &image,
                                              const DetectionOptions &options)
{
    auto markers = detectMarkers(image, options);
    if (markers.empty())
        return std::nullopt;
    return markers.front();
}

TwoPointScale scaleFromTwoPoints(Point2 a, Point2 b, double lengthMm, double clickSigmaPx,
                                 double lengthSigmaMm)
{
    if (!(lengthMm > 0))
        throw std::invalid_argument("the known length must be greater than 0 mm");
    TwoPointScale scale;
    scale.distancePx = std::hypot(b.x - a.x, b.y - a.y);
    if (!(scale.distancePx >= 2.0)) // NaN too
        throw std::invalid_argument("the two points must be at least 2 pixels apart");
    scale.mmPerPx = lengthMm / scale.distancePx;
    const double relativeClicks = clickSigmaPx * std::sqrt(2.0) / scale.distancePx;
    const double relativeLength = lengthSigmaMm / lengthMm;
    scale.uncertaintyMmPerPx = scale.mmPerPx * std::hypot(relativeClicks, relativeLength);
    return scale;
}

} // namespace smp::vision
