#pragma once

// Renders photos of a calibration marker on a plane seen by a pinhole camera, with known scale,
// rotation, tilt, blur and noise, for the calibration accuracy tests and the benchmark.

#include <cstdint>
#include <vector>

namespace smp::test {

struct MarkerScene
{
    int imageWidth = 800;
    int imageHeight = 640;
    int markerId = 30;         // a 20 mm marker
    double markerSidePx = 100; // apparent side length at the marker's centre (before tilt)
    double rotationDegrees = 0;
    double tiltDegrees = 0; // angle between the marker's plane and the image plane
    double tiltAxisDegrees = 0;
    double focalPx = 1600;
    double blurSigmaPx = 0;
    double noiseSigma = 0; // grey levels
    std::uint32_t seed = 1;
};

struct RenderedMarker
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> gray; // row-major, bytesPerLine == width
    double trueMmPerPx = 0;         // local scale at the marker's centre (area-equivalent)
    double centreX = 0;
    double centreY = 0;
};

RenderedMarker renderMarkerScene(const MarkerScene &scene);

} // namespace smp::test
