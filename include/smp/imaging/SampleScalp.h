#pragma once

#include <QColor>
#include <QImage>

#include <cstdint>

namespace smp::imaging {

// The scalp phantom: a drawn top view of a head whose hair follows a known density map, made
// only from geometry and a fixed-seed random generator (never a photograph of a person). The same
// parameters give the same pixels. It is the source of the bundled sample photo and the ground
// truth of the analysis tests.
//
// Image coordinates: x to the right, y down; the forehead is at the top of the image.

enum class LossPattern
{
    Pattern,  // Hamilton-Norwood-like: thinning vertex, M-shaped frontal recession, diffuse
              // mid-scalp
    Diffuse,  // even thinning over the top of the head
    Receding, // a receding frontal hairline only
};

struct SampleScalpParameters
{
    int widthPx = 1600;
    int heightPx = 1200;
    std::uint32_t seed = 20261123;
    // Hair strands per square pixel at full density (before the thinning pattern).
    double strandsPerPixel = 0.045;
    // 0 = no thinning, 1 = bald where the pattern thins most.
    double lossSeverity = 0.85;
    LossPattern pattern = LossPattern::Pattern;
    QColor skin = QColor(214, 170, 142); // mid-tone skin under the light
    QColor hair = QColor(46, 36, 28);    // dark brown
    // Lighting falling off across the head from top-left: 0 = even, 0.4 = strong.
    double lightingGradient = 0.0;
    // A soft specular highlight on the scalp, up and left of its centre, under the hair: 0 =
    // matte, 1 = white at its centre. A shiny bald scalp's lit skin is paler than its shaded
    // skin, like grey or blond hair.
    double shine = 0.0;
    // Whether the head's shading (lighter up and left of its centre, darker to its rim, painted
    // into the skin) darkens and lightens the strands on it as it does the skin under them, as
    // light does on a real head. Off, the strands keep their colour across the head: the bundled
    // sample photo and the phantoms of the quality targets were drawn that way (docs/analysis.md).
    bool shadeHairWithHead = false;
    // Salt and pepper: the share of strands drawn in `greyHair` instead of `hair` (0..1), as on a
    // greying head. 0 draws no random number for it, so the phantoms without grey stay as drawn.
    double greyStrandShare = 0.0;
    QColor greyHair = QColor(200, 200, 195);
};

struct ScalpPhantom
{
    QImage photo;    // RGB32
    QImage hairMask; // Grayscale8: 255 where a strand covers the pixel (anti-aliased)
    QImage headMask; // Grayscale8: 255 on the scalp (the head ellipse)
};

// The opacity every strand is drawn with (0..255): a strand lays this share of its colour over
// the skin under it.
inline constexpr int kStrandOpacity = 235;

// The uneven lighting's gain at photo pixel (x, y) (SampleScalpParameters::lightingGradient): the
// drawing's colours are multiplied by it (and clamped to 255) after everything is drawn.
double lightingGain(const SampleScalpParameters &parameters, int x, int y);

ScalpPhantom drawScalpPhantom(const SampleScalpParameters &parameters = {});

// The photo of drawScalpPhantom() alone.
QImage drawSampleScalp(const SampleScalpParameters &parameters = {});

// Density of hair the drawing aims for at normalised head coordinates (u, v), where the head
// ellipse is u^2 + v^2 <= 1, u to the right in the image, v from forehead (-1) to back (+1).
// Returns 0..1.
double sampleHairDensity(double u, double v, double lossSeverity,
                         LossPattern pattern = LossPattern::Pattern);

} // namespace smp::imaging
