#include "MarkerRendering.h"

#include "smp/vision/Markers.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numbers>
#include <random>

namespace smp::test {

namespace {

cv::Matx33d rotationZ(double radians)
{
    const double c = std::cos(radians), s = std::sin(radians);
    return {c, -s, 0, s, c, 0, 0, 0, 1};
}

cv::Matx33d rotationX(double radians)
{
    const double c = std::cos(radians), s = std::sin(radians);
    return {1, 0, 0, 0, c, -s, 0, s, c};
}

} // namespace

RenderedMarker renderMarkerScene(const MarkerScene &scene)
{
    constexpr int kSupersample = 4;
    const double sideMm = vision::markerSideMm(scene.markerId);
    const auto cells = vision::markerCells(scene.markerId);
    const int cellCount = static_cast<int>(cells.size());

    // The printed marker with a white quiet zone of one cell, 40 texture px per cell.
    constexpr int kCellPx = 40;
    const int quiet = kCellPx;
    const int printedPx = cellCount * kCellPx + 2 * quiet;
    cv::Mat printed(printedPx, printedPx, CV_8UC1, cv::Scalar(235));
    for (int r = 0; r < cellCount; ++r)
        for (int c = 0; c < cellCount; ++c)
            if (cells[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)])
                printed(cv::Rect(quiet + c * kCellPx, quiet + r * kCellPx, kCellPx, kCellPx))
                    .setTo(25);
    const double mmPerTexturePx = sideMm / (cellCount * kCellPx);

    // Camera: plane point (X, Y, 0) in mm, centred on the marker; x_image = K (R p + t).
    const double f = scene.focalPx;
    const double cx = scene.imageWidth / 2.0 + 37.0, cy = scene.imageHeight / 2.0 - 21.0;
    const cv::Matx33d K(f, 0, cx, 0, f, cy, 0, 0, 1);
    const double deg = std::numbers::pi / 180.0;
    const cv::Matx33d R = rotationZ(scene.tiltAxisDegrees * deg) *
                          rotationX(scene.tiltDegrees * deg) *
                          rotationZ((scene.rotationDegrees - scene.tiltAxisDegrees) * deg);
    // Distance so that the untilted marker would appear markerSidePx wide.
    const double Z = f * sideMm / scene.markerSidePx;
    const cv::Matx33d planeToImage =
        K * cv::Matx33d(R(0, 0), R(0, 1), 0, R(1, 0), R(1, 1), 0, R(2, 0), R(2, 1), Z);

    // Texture px -> plane mm -> image px, rendered at kSupersample times the resolution.
    const cv::Matx33d textureToPlane(mmPerTexturePx, 0, -printedPx * mmPerTexturePx / 2.0, 0,
                                     mmPerTexturePx, -printedPx * mmPerTexturePx / 2.0, 0, 0, 1);
    const cv::Matx33d upscale(kSupersample, 0, (kSupersample - 1) / 2.0, 0, kSupersample,
                              (kSupersample - 1) / 2.0, 0, 0, 1);
    const cv::Matx33d textureToBig = upscale * planeToImage * textureToPlane;

    std::mt19937 random(scene.seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    cv::Mat big(scene.imageHeight * kSupersample, scene.imageWidth * kSupersample, CV_8UC1);
    // Skin-like background with soft blotches.
    cv::Mat blotches(scene.imageHeight / 16 + 1, scene.imageWidth / 16 + 1, CV_8UC1);
    cv::randu(blotches, 120, 170);
    cv::resize(blotches, big, big.size(), 0, 0, cv::INTER_CUBIC);
    cv::warpPerspective(printed, big, cv::Mat(textureToBig), big.size(), cv::INTER_LINEAR,
                        cv::BORDER_TRANSPARENT);
    cv::Mat image;
    cv::resize(big, image, cv::Size(scene.imageWidth, scene.imageHeight), 0, 0, cv::INTER_AREA);
    if (scene.blurSigmaPx > 0)
        cv::GaussianBlur(image, image, cv::Size(0, 0), scene.blurSigmaPx);
    if (scene.noiseSigma > 0) {
        cv::Mat noise(image.size(), CV_16SC1);
        cv::randn(noise, 0, scene.noiseSigma);
        cv::Mat wide;
        image.convertTo(wide, CV_16SC1);
        wide += noise;
        wide.convertTo(image, CV_8UC1);
    }

    RenderedMarker result;
    result.width = image.cols;
    result.height = image.rows;
    result.gray.assign(image.datastart, image.dataend);
    // Ground truth: local scale of image -> plane at the marker's centre. Image coordinates here
    // put pixel centres at integers (OpenCV); the project's put them at +0.5, a pure shift.
    const cv::Matx33d imageToPlane = planeToImage.inv();
    const cv::Vec3d centre = planeToImage * cv::Vec3d(0, 0, 1);
    const double u = centre[0] / centre[2], v = centre[1] / centre[2];
    result.centreX = u + 0.5;
    result.centreY = v + 0.5;
    const auto &H = imageToPlane;
    const double w = H(2, 0) * u + H(2, 1) * v + H(2, 2);
    const double X = (H(0, 0) * u + H(0, 1) * v + H(0, 2)) / w;
    const double Y = (H(1, 0) * u + H(1, 1) * v + H(1, 2)) / w;
    const double j00 = (H(0, 0) - X * H(2, 0)) / w, j01 = (H(0, 1) - X * H(2, 1)) / w;
    const double j10 = (H(1, 0) - Y * H(2, 0)) / w, j11 = (H(1, 1) - Y * H(2, 1)) / w;
    result.trueMmPerPx = std::sqrt(std::abs(j00 * j11 - j01 * j10));
    (void)gauss;
    return result;
}

} // namespace smp::test
