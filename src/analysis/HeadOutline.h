#pragma once

// Finding the head and its scalp (steps 1-2 of analyze()): whether a frame shows anything to
// analyse, the head's outline (GrabCut), what it holds, and the ears and rim taken off it.
// Internal to src/analysis.

#include <opencv2/core.hpp>

#include <string>

namespace smp::analysis::detail {

// Skin colours in 8-bit CIELAB (a*, b* offset by 128): reddish to yellowish, from pink (b* a
// little below 0: pale skin under cool light) to deep brown. `A8`, `B8` CV_8U; returns a mask.
cv::Mat skinColoured(const cv::Mat &A8, const cv::Mat &B8);

// The pixels of `skinColour` (skinColoured()) that are not dark brown hair: under L* 50
// (kDarkSkinL8) only those with a CIELAB chroma of kDarkSkinChroma or more. Dark brown hair has
// a little red (a* 4-6, chroma 5-7 on the real photographs' dense heads, its a* swinging with
// noise): counted as skin, a full head of it showed 10-42% "skin", missed the full-head rule and
// took its reddest strands for the skin end. Since 1.39 this mask decides the head's share of
// skin, its skin end and a full head's hair; the lightness unmixing's per-pixel rules and the
// fringe rule keep skinColoured() (with this mask very dark skin in shade, its chroma under 8 in
// places, read as hair, 1.7-3.7 points over). The darkest skin the phantoms draw (very dark, L*
// 22) has chroma 15, 11 at its shaded rim; pale skin under cool light has less but is lighter.
// `A8`, `B8`, `L8` CV_8U; returns a mask.
cv::Mat skinColouredNotDarkHair(const cv::Mat &skinColour, const cv::Mat &A8, const cv::Mat &B8,
                                const cv::Mat &L8);

// GrabCut's working size (px, the longer side): the head's outline is known to one of its pixels.
inline constexpr double kGrabCutSide = 128.0;

// The head (scalp, hair, and whatever skin belongs to it) against the background: GrabCut on a
// small copy, initialised with a rectangle 4% inside the frame, then the largest component with
// its holes filled.
cv::Mat headMask(const cv::Mat &rgb);

// Ears: seen from above or behind they stick out of the head's oval outline as lobes of bare
// skin, which would read as bald scalp (and get dots planned on them). An ellipse fitted to the
// outline (refitted without the points outside it, which the ears pull outwards) finds them:
// compact lobes outside it are taken off `head`, the outline's fringe of hair stays. Returns the
// pixels taken off.
int takeOffEars(cv::Mat &head);

// Seen from behind, what lies on the head's outline beside the scalp: ears that stick out too
// little for takeOffEars() to see them, the neck and collar under the nape, the fringe of a
// hand or a door. Graded, they read as loss apart from the crown's (on the real photographs'
// back views, 2026-12-03: 104 such pieces on 77 of 201, most of them ears and necks). Taken
// off `head` and `gradeMap` (0 there): each connected area of advanced or bald grade that is
// not the largest, touches the outline, covers at least kMinShare of the head, and reaches no
// deeper into it than kMaxDepth times the square root of the head's area (a rim; the crown's
// loss reaches its middle). Back views only: on a top view the frontal recession is such a
// rim. `head`, `gradeMap`: 8-bit, the map's size. Returns the pixels taken off.
int takeOffRimLoss(cv::Mat &head, cv::Mat &gradeMap);

// Whether a frame shows anything to analyse (step 1 of analyze(), before the head is looked
// for), and if not why (until 2026-12-05 both below passed for a full head of dark hair: a black
// frame 100% covered, the sample photo at a fifth of its exposure 96%, stage I where it shows
// III):
// - nearly uniform (a lens cap, a blank wall): its lightness spans under kUniformSpanL from
//   its 1st to its 99th percentile; a head on any backdrop, even a close-up of dense black
//   hair, spans more;
// - too dark to tell hair from skin (no flash in a dim room): its 99th percentile under
//   kDarkFrameL and, on the head found, too little skin colour to tell skin by (step 2).
//   The sample photo read right down to about half its exposure (99th percentile L* 44)
//   and stage II at a quarter to a third (L* 22-27); the 1,014 real photographs reach L* 63
//   or more, the phantoms' backdrops 80. A close-up of very dark skin, well lit, is as dark
//   (L* 25-27) and was refused until 2026-12-06; its skin keeps its colour where an
//   underexposed one loses it (step 2).
// - black and white: under 1% of its pixels have red, green and blue kColourSpread or more
//   apart (a black-and-white photo has them equal, within 2 after a JPEG). Skin is told
//   from grey and light hair by its colour, so the sample photo in black and white read
//   78.6% covered against 64.5% in colour.
// `rgb` the working copy (8-bit RGB), `L8` its OpenCV 8-bit CIELAB lightness.
struct FrameCheck
{
    std::string refusal; // why the frame is no scalp; empty: it may be one
    std::string tooDark; // the frame is dark: refused in step 2 unless its head shows skin colour
};

FrameCheck checkFrame(const cv::Mat &rgb, const cv::Mat &L8);

// The largest connected area of skin-coloured (`skinColour`, 8-bit) or dark (L* under 35) pixels,
// closed over 15 px and opened over 9 px (working-copy pixels): the head of a close-up that fills
// the frame, where GrabCut, which takes the border as background, finds little. 8-bit, all 0
// when there is none.
cv::Mat largestScalpLikeArea(const cv::Mat &skinColour, const cv::Mat &L8);

// What a head shows (step 2 of analyze()), each as a share (0-1) of `head` (8-bit): skin-coloured
// pixels (`skinNotDarkHair`, skinColouredNotDarkHair()), hair that is not light, skin or hair of
// any kind, and, only where the first two leave the head no scalp, grey strands. `L8`, `A8`,
// `B8`: OpenCV's 8-bit CIELAB channels of the working copy.
struct HeadContents
{
    double skinShare = 0;
    double darkShare = 0;       // dark hair, or grey or brown hair under L* 59
    double scalpShare = 0;      // skin-like or hair-like
    double greyStrandShare = 0; // grey pixels under L* 75 that show strands
    cv::Mat notLightHair;       // 8-bit: the head's hair that is not light (darkShare's pixels)
};

HeadContents headContents(const cv::Mat &head, const cv::Mat &skinNotDarkHair, const cv::Mat &L8,
                          const cv::Mat &A8, const cv::Mat &B8);

} // namespace smp::analysis::detail
