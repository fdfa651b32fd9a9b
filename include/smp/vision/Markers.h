#pragma once

// Calibration markers: square fiducials (OpenCV ArUco, dictionary DICT_4X4_50) of known printed
// size, found in a photo to give its scale in millimetres per pixel.
//
// No OpenCV (and no Qt) in this header: images come in as borrowed 8-bit grey buffers.
// Coordinates: image pixels, origin at the top-left corner of the top-left pixel, x to the
// right, y down; a pixel's centre is at (i + 0.5, j + 0.5).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace smp::vision {

// A borrowed view of an 8-bit grey image; the caller keeps the pixels alive during the call.
struct GrayImage
{
    int width = 0;
    int height = 0;
    std::ptrdiff_t bytesPerLine = 0;
    const std::uint8_t *pixels = nullptr;
};

struct Point2
{
    double x = 0;
    double y = 0;
};

// The project's marker ids: 0-24 are printed 10 mm wide (to stick on the scalp), 25-49 are
// printed 20 mm wide (to hold beside the head). The width is that of the black square.
inline constexpr int kMarkerCount = 50;
double markerSideMm(int id);

// The marker's cells, row by row, including its one-cell black border: true = black.
// 6 x 6 cells for DICT_4X4_50. Empty for ids outside 0..kMarkerCount-1.
std::vector<std::vector<bool>> markerCells(int id);

struct MarkerMeasurement
{
    int id = -1;
    double sideMm = 0;
    // Outer corners of the black square, clockwise from the marker's top-left.
    std::array<Point2, 4> cornersPx{};
    Point2 centrePx;
    double sidePx = 0;             // mean length of the four sides in pixels
    double mmPerPx = 0;            // local scale on the marker's plane at its centre
    double uncertaintyMmPerPx = 0; // one standard deviation
    // Estimated tilt of the marker's plane against the image plane, from the anisotropy of the
    // local scale (0 = facing the camera).
    double tiltDegrees = 0;
    // Homography (row-major 3x3) from image pixels to millimetres on the marker's plane, with the
    // origin at the marker's centre.
    std::array<double, 9> imageToPlaneMm{};
};

struct DetectionOptions
{
    // Detection runs on a copy scaled so its longer side is at most this (speed); corners are
    // then refined on the full-resolution image.
    int maxDetectionSide = 2048;
    // Corner localisation error assumed for the uncertainty, in pixels (one standard deviation).
    double cornerSigmaPx = 0.25;
};

// Whether four corners (in order around the outline, pixels) can be a printed square seen by a
// camera: a convex quadrilateral no side of which is under half the longest (a square tilted 60
// degrees away keeps half its width) nor under 8 px. Dense dark hair holds small dark
// quadrilaterals whose cells happen to spell an id, with sides of 3-24 px in one shape (until
// 2026-12-02 one calibrated a full head at 1.67 mm/px); detectMarkers() refuses them, and a
// stored calibration whose corners fail this was made before it did.
bool plausibleMarkerOutline(const std::array<Point2, 4> &cornersPx);

// Every project marker found, largest first. Throws std::invalid_argument for an empty image.
std::vector<MarkerMeasurement> detectMarkers(const GrayImage &image,
                                             const DetectionOptions &options = {});

// The scale from the markers in the image: the largest marker's measurement, or nothing.
std::optional<MarkerMeasurement> measureScale(const GrayImage &image,
                                              const DetectionOptions &options = {});

// Scale from two points a known distance apart (a ruler in the photo). Uncertainty assumes each
// click is off by clickSigmaPx and the length by lengthSigmaMm (one standard deviation).
struct TwoPointScale
{
    double mmPerPx = 0;
    double uncertaintyMmPerPx = 0;
    double distancePx = 0;
};
TwoPointScale scaleFromTwoPoints(Point2 a, Point2 b, double lengthMm, double clickSigmaPx = 1.0,
                                 double lengthSigmaMm = 0.5);

} // namespace smp::vision
