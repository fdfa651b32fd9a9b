#include "HeadOutline.h"

#include "smp/analysis/ScalpAnalysis.h"

#include "MapStatistics.h"
#include "Unmixing.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

namespace smp::analysis::detail {

cv::Mat skinColoured(const cv::Mat &A8, const cv::Mat &B8)
{
    return (A8 >= 128 + 4) & (A8 <= 128 + 40) & (B8 >= 128 - 4) & (B8 <= 128 + 50);
}

cv::Mat skinColouredNotDarkHair(const cv::Mat &skinColour, const cv::Mat &A8, const cv::Mat &B8,
                                const cv::Mat &L8)
{
    constexpr int kDarkSkinL8 = 128;        // L* 50, on OpenCV's 8-bit scale (L* * 255 / 100)
    constexpr double kDarkSkinChroma = 8.0; // CIELAB chroma (labChroma())
    return skinColour & ((L8 >= kDarkSkinL8) | (labChroma(A8, B8) >= kDarkSkinChroma));
}

namespace {

// The largest 8-connected component of an 8-bit mask, as an 8-bit mask (255 on it); all 0 when
// the mask is empty. The first of equal largest ones.
cv::Mat largestComponent(const cv::Mat &mask)
{
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
    int best = 0;
    for (int i = 1; i < count; ++i)
        if (best == 0 || stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA))
            best = i;
    return best ? cv::Mat(labels == best) : cv::Mat(mask.size(), CV_8U, cv::Scalar(0));
}

} // namespace

cv::Mat headMask(const cv::Mat &rgb)
{
    // GrabCut dominates the analysis time: at 128 px and two iterations it stays well under 100 ms.
    const double factor = std::min(1.0, kGrabCutSide / std::max(rgb.cols, rgb.rows));
    cv::Mat small;
    cv::resize(rgb, small, cv::Size(), factor, factor, cv::INTER_AREA);
    cv::Mat mask(small.size(), CV_8UC1, cv::Scalar(cv::GC_BGD));
    const int insetX = std::max(2, small.cols / 25);
    const int insetY = std::max(2, small.rows / 25);
    const cv::Rect rect(insetX, insetY, small.cols - 2 * insetX, small.rows - 2 * insetY);
    cv::Mat background, foreground;
    {
        // GrabCut seeds its colour models by k-means from OpenCV's per-thread generator: from a
        // fixed state, so that a photo reads the same whatever ran before it (until 1.7 it did
        // not), and the caller's state put back afterwards. The state is the generator's
        // default, a fresh thread's, so a process's first analysis reads as it always did.
        cv::RNG &generator = cv::theRNG();
        const std::uint64_t callerState = generator.state;
        generator = cv::RNG();
        cv::grabCut(small, mask, rect, background, foreground, 2, cv::GC_INIT_WITH_RECT);
        generator.state = callerState;
    }
    cv::Mat head = (mask == cv::GC_FGD) | (mask == cv::GC_PR_FGD);

    head = largestComponent(head);
    // Fill holes: everything not reachable from the border through non-head pixels.
    cv::Mat outside = head.clone();
    cv::copyMakeBorder(outside, outside, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::floodFill(outside, cv::Point(0, 0), cv::Scalar(255));
    cv::Mat holes = ~outside(cv::Rect(1, 1, head.cols, head.rows));
    head |= holes;
    cv::Mat full;
    cv::resize(head, full, rgb.size(), 0, 0, cv::INTER_LINEAR);
    cv::threshold(full, full, 127, 255, cv::THRESH_BINARY);
    return full;
}

namespace {

// Whether a piece of the head outside its oval is a solid lobe, whichever way it is turned:
// it fills at least 0.45 of its smallest enclosing rectangle and 0.7 of its convex hull, and the
// rectangle's narrow side is at least 3% of the head's size (`headSize`, px). `piece`: 8-bit,
// nonzero on the piece; `area`: its pixels. For takeOffEars(): a head turned a few degrees in
// the frame turns its ears too, and an ear with a fringe of outline at its ends then fills
// under half its upright bounding box (the sample photo turned 3 degrees: 0.43). Measured:
// turned ears fill 0.50-0.77 of their rectangle, other pieces of their size at most 0.39.
bool isSolidLobe(const cv::Mat &piece, double area, double headSize)
{
    std::vector<cv::Point> pixels;
    cv::findNonZero(piece, pixels);
    const cv::RotatedRect enclosing = cv::minAreaRect(pixels);
    const double length = static_cast<double>(enclosing.size.width);
    const double breadth = static_cast<double>(enclosing.size.height);
    std::vector<cv::Point> hull;
    cv::convexHull(pixels, hull);
    return area >= 0.45 * length * breadth && area >= 0.7 * cv::contourArea(hull) &&
           std::min(length, breadth) >= 0.03 * headSize;
}

} // namespace

int takeOffEars(cv::Mat &head)
{
    int taken = 0;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(head.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    const auto largest =
        std::max_element(contours.begin(), contours.end(), [](const auto &a, const auto &b) {
            return cv::contourArea(a) < cv::contourArea(b);
        });
    if (largest != contours.end() && largest->size() >= 20) {
        cv::RotatedRect oval = cv::fitEllipse(*largest);
        // Refit without the outline points outside the first fit: the ears pull it outwards.
        for (int pass = 0; pass < 2; ++pass) {
            const double angle = static_cast<double>(oval.angle) * CV_PI / 180.0;
            const double c = std::cos(angle), sn = std::sin(angle);
            const double a = static_cast<double>(oval.size.width) / 2.0;
            const double b = static_cast<double>(oval.size.height) / 2.0;
            std::vector<cv::Point> inliers;
            for (const cv::Point &pt : *largest) {
                const double dx = pt.x - static_cast<double>(oval.center.x);
                const double dy = pt.y - static_cast<double>(oval.center.y);
                const double u = (dx * c + dy * sn) / a, v = (-dx * sn + dy * c) / b;
                if (u * u + v * v <= 1.0)
                    inliers.push_back(pt);
            }
            if (inliers.size() < largest->size() / 2 || inliers.size() < 20)
                break;
            oval = cv::fitEllipse(inliers);
        }
        cv::Mat inside(head.size(), CV_8U, cv::Scalar(0));
        cv::ellipse(inside, oval, cv::Scalar(255), cv::FILLED);
        // Only compact lobes outside the ellipse go: an ear is a solid bump at least 3% of
        // the head's size across, a fringe of hair along the outline is a thin sliver. An ear
        // of a turned head is told by its turned shape (isSolidLobe()) when it holds at least
        // 0.4% of the head: under that, fringe pieces can be as solid (measured on phantoms:
        // ears 0.6-0.9% of the head, loose fringe bits up to 0.2% filling 0.6 of their rectangle).
        const cv::Mat outside = head & ~inside;
        cv::Mat labels, stats, centroids;
        const int count = cv::connectedComponentsWithStats(outside, labels, stats, centroids, 8);
        const cv::Rect box = cv::boundingRect(head);
        const double headSize = std::max(box.width, box.height);
        const double headArea = cv::countNonZero(head);
        for (int i = 1; i < count; ++i) {
            const double area = stats.at<int>(i, cv::CC_STAT_AREA);
            const double w = stats.at<int>(i, cv::CC_STAT_WIDTH);
            const double h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
            if (area < 0.001 * headArea || area > 0.04 * headArea)
                continue;
            const bool uprightLobe = area >= 0.5 * w * h && std::min(w, h) >= 0.03 * headSize;
            if (!uprightLobe && area < 0.004 * headArea)
                continue;
            const cv::Mat piece = labels == i;
            if (uprightLobe || isSolidLobe(piece, area, headSize)) {
                head.setTo(0, piece);
                taken += static_cast<int>(area);
            }
        }
    }
    return taken;
}

int takeOffRimLoss(cv::Mat &head, cv::Mat &gradeMap)
{
    constexpr double kMaxDepth = 0.12;
    constexpr double kMinShare = 0.01;
    const double headArea = cv::countNonZero(head);
    if (headArea == 0)
        return 0;
    const cv::Mat loss = head & (gradeMap >= static_cast<int>(Grade::Advanced));
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(loss, labels, stats, centroids, 8);
    if (count <= 2)
        return 0;
    int largest = 1;
    for (int i = 2; i < count; ++i)
        if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(largest, cv::CC_STAT_AREA))
            largest = i;
    // Distance (map px) from the nearest pixel off the head, the frame's edge counting as off.
    cv::Mat framed, depth;
    cv::copyMakeBorder(head, framed, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::distanceTransform(framed, depth, cv::DIST_L2, cv::DIST_MASK_5);
    depth = depth(cv::Rect(1, 1, head.cols, head.rows));
    const double maxDepth = kMaxDepth * std::sqrt(headArea);
    int taken = 0;
    for (int i = 1; i < count; ++i) {
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (i == largest || area < kMinShare * headArea)
            continue;
        const cv::Mat piece = labels == i;
        double deepest = 0, shallowest = 0;
        cv::minMaxLoc(depth, &shallowest, &deepest, nullptr, nullptr, piece);
        // Touching the outline: its shallowest pixel is the outline's (1 px in).
        if (deepest >= maxDepth || shallowest > 1.5)
            continue;
        head.setTo(0, piece);
        gradeMap.setTo(0, piece);
        taken += area;
    }
    return taken;
}

FrameCheck checkFrame(const cv::Mat &rgb, const cv::Mat &L8)
{
    const double n = static_cast<double>(L8.total());
    FrameCheck check;
    constexpr double kUniformSpanL = 10.0; // L*
    constexpr double kDarkFrameL = 30.0;   // L*
    constexpr int kColourSpread = 3;       // 8-bit levels
    std::array<double, 256> counts{};
    double colourfulPixels = 0;
    for (int y = 0; y < L8.rows; ++y) {
        const auto *pixel = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < L8.cols; ++x) {
            counts[L8.at<std::uint8_t>(y, x)] += 1;
            const auto [low, high] = std::minmax({pixel[x][0], pixel[x][1], pixel[x][2]});
            if (high - low >= kColourSpread)
                colourfulPixels += 1;
        }
    }
    // The L* (0-100) of the q-th quantile of the frame's 8-bit lightness.
    const auto quantileL = [&counts, n](double q) {
        double seen = 0;
        for (std::size_t level = 0; level < counts.size(); ++level) {
            seen += counts[level];
            if (seen >= q * n)
                return static_cast<double>(level) * 100.0 / 255.0;
        }
        return 100.0;
    };
    const double darkest = quantileL(0.01);
    const double lightest = quantileL(0.99);
    std::ostringstream reason;
    reason.setf(std::ios::fixed);
    reason.precision(0);
    if (lightest < kDarkFrameL) {
        reason << "the photo is too dark to tell hair from skin (its lightest pixels reach "
               << "L* " << lightest << ", a well-lit scalp photo's " << kDarkFrameL * 2
               << " or more): take it again with more light";
        check.tooDark = reason.str();
        reason.str({});
    }
    if (lightest - darkest < kUniformSpanL)
        reason << "the photo is nearly uniform (its lightness spans L* " << darkest << " to "
               << lightest << "): a blank, black or out-of-focus frame shows no scalp to "
               << "analyse";
    // (A dark frame without colour is said in step 2: it shows no skin colour.)
    else if (check.tooDark.empty() && colourfulPixels < 0.01 * n)
        reason << "the photo has no colour (black and white, or its colour taken out), and "
               << "the analysis tells skin from hair by colour: take it again in colour";
    check.refusal = reason.str();
    return check;
}

cv::Mat largestScalpLikeArea(const cv::Mat &skinColour, const cv::Mat &L8)
{
    cv::Mat scalpLike = skinColour | (L8 < 90);
    cv::morphologyEx(scalpLike, scalpLike, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(15, 15)));
    cv::morphologyEx(scalpLike, scalpLike, cv::MORPH_OPEN,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
    return largestComponent(scalpLike);
}

HeadContents headContents(const cv::Mat &head, const cv::Mat &skinNotDarkHair, const cv::Mat &L8,
                          const cv::Mat &A8, const cv::Mat &B8)
{
    const double headPixels = cv::countNonZero(head);
    const cv::Mat skinLike = head & skinNotDarkHair;
    // Hair: dark (L* < 35), grey: nearly neutral (|a*| < 5, |b*| < 12), or brown: little red
    // (a* -5..4), yellowish (b* 0..30) and not light (L* < 59); blond hair passes as skin-like.
    // Without grey, a head of grey hair was "not a scalp"; without brown (1.4), short
    // light-brown hair seen from behind.
    const cv::Mat greyLike = (A8 > 128 - 5) & (A8 < 128 + 5) & (B8 > 128 - 12) & (B8 < 128 + 12);
    const cv::Mat brownLike =
        (A8 > 128 - 5) & (A8 < 128 + 4) & (B8 >= 128) & (B8 <= 128 + 30) & (L8 < 150);
    const cv::Mat hairLike = head & ((L8 < 90) | greyLike | brownLike);
    HeadContents c;
    c.skinShare = headPixels > 0 ? cv::countNonZero(skinLike) / headPixels : 0;
    // Hair that is not light: dark, or grey or brown under L* 59 (a white page is neither).
    c.notLightHair = head & ((L8 < 90) | ((greyLike | brownLike) & (L8 < 150)));
    c.darkShare = headPixels > 0 ? cv::countNonZero(c.notLightHair) / headPixels : 0;
    c.scalpShare = headPixels > 0 ? cv::countNonZero(skinLike | hairLike) / headPixels : 0;
    // A full head of grey hair lighter than L* 59 shows neither (a dense grey head drawn at
    // 12 MP: 5% skin-coloured, 96% grey, 0.1% dark: "no scalp" until 2026-12-02). Grey pixels
    // under L* 75 that show strands (L*'s fineDetail() at least kStrandedL, as for light hair in
    // step 3) stand in for it where some skin shows (kSomeSkin: a client's thinning); a grey
    // sweater, concrete or a page in shade shows none. Computed only for a head that would
    // otherwise be no scalp.
    constexpr int kGreyHairL8 = 191; // L* 75, on OpenCV's 8-bit scale (L* * 255 / 100)
    constexpr double kSomeSkin = 0.02;
    if (c.skinShare < 0.08 && c.skinShare >= kSomeSkin && c.darkShare < 0.4) {
        cv::Mat lightness;
        L8.convertTo(lightness, CV_32F, 100.0 / 255.0);
        const cv::Mat stranded = fineDetail(lightness) >= kStrandedL;
        c.greyStrandShare =
            cv::countNonZero(head & greyLike & (L8 < kGreyHairL8) & stranded) / headPixels;
    }
    return c;
}

} // namespace smp::analysis::detail
