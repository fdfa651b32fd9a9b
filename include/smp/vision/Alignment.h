#pragma once

// Aligning two photos of the same view taken on different days (before and after), so that
// the same point of the scalp lies at the same pixel: features and a robust homography first,
// then an intensity-based refinement (ECC) that leaves out hair and new pigment by a mask.
//
// No OpenCV (and no Qt) in this header. Coordinates: image pixels as in Markers.h. The result
// maps pixels of photo B (after) onto photo A (before): a = H * b (homogeneous).

#include "smp/vision/Markers.h"

#include <array>
#include <string>

namespace smp::vision {

// A 3 x 3 homography, row-major.
using Homography = std::array<double, 9>;
Homography identityHomography();
Point2 mapPoint(const Homography &h, Point2 p);
Homography inverse(const Homography &h);

struct AlignmentOptions
{
    int workingMaxSide = 1600;   // both photos are matched at most this large
    int features = 6000;         // ORB features per photo
    double ransacPx = 3.0;       // RANSAC reprojection threshold at the working size
    bool refine = true;          // ECC refinement after the features
    double poorResidualPx = 3.0; // above this (full-size pixels) the alignment is called poor
};

struct Alignment
{
    Homography bToA = identityHomography();
    bool ok = false;        // a transform was found
    bool poor = false;      // found, but the residual says it may be off: check it by eye
    int matches = 0;        // feature matches after the ratio test
    int inliers = 0;        // matches the homography explains
    double residualPx = 0;  // RMS distance of the inlier matches after alignment, full size
    double correlation = 0; // ECC correlation after refinement (0-1), 0 when not refined
    std::string method;     // "features", "features+ecc", "points"
    std::string problem;    // why it failed or is poor
};

// Aligns B onto A. Never throws for photos that do not match: `ok` is false and `problem` says
// why (too few features, too few matches, a degenerate transform).
Alignment alignPhotos(const GrayImage &a, const GrayImage &b, const AlignmentOptions &options = {});

// The transform from three (or more) point pairs a person placed: affine from three pairs,
// homography from four or more. Throws std::invalid_argument for fewer than three pairs or
// points in a line.
Alignment alignByPoints(const std::vector<Point2> &inA, const std::vector<Point2> &inB);

} // namespace smp::vision
