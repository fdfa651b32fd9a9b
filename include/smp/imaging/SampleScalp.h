#pragma once

#include <QImage>

#include <cstdint>

namespace smp::imaging {

// A drawn top view of a man's head with pattern hair loss (thinning vertex and a receding
// front), made only from geometry and a fixed-seed random generator: the project's own sample
// photo, never a photograph of a person. The same parameters give the same pixels.
//
// Image coordinates: x to the right, y down; the forehead is at the top of the image.
struct SampleScalpParameters
{
    int widthPx = 1600;
    int heightPx = 1200;
    std::uint32_t seed = 20261123;
    // Hair strands per square pixel at full density (before the thinning pattern).
    double strandsPerPixel = 0.045;
    // 0 = no thinning, 1 = bald vertex and deep frontal recession.
    double lossSeverity = 0.85;
};

QImage drawSampleScalp(const SampleScalpParameters &parameters = {});

// Density of hair the drawing aims for at normalised head coordinates (u, v), where the head
// ellipse is u^2 + v^2 <= 1, u to the client's left in the image, v from forehead (-1) to back
// (+1). Returns 0..1. Exposed so tests can compare the drawing with its own ground truth.
double sampleHairDensity(double u, double v, double lossSeverity);

} // namespace smp::imaging
