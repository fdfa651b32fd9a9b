#include "smp/vision/Alignment.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace smp::vision {

namespace {

cv::Mat wrap(const GrayImage &image)
{
    return cv::Mat(image.height, image.width, CV_8UC1, const_cast<std::uint8_t *>(image.pixels),
                   static_cast<std::size_t>(image.bytesPerLine));
}

Homography fromMat(const cv::Mat &m)
{
    cv::Mat d;
    m.convertTo(d, CV_64F);
    Homography h{};
    for (int i = 0; i < 9; ++i)
        h[static_cast<std::size_t>(i)] = d.at<double>(i / 3, i % 3);
    return h;
}

cv::Mat toMat(const Homography &h)
{
    cv::Mat m(3, 3, CV_64F);
    for (int i = 0; i < 9; ++i)
        m.at<double>(i / 3, i % 3) = h[static_cast<std::size_t>(i)];
    return m;
}

// The homography between full-size pixels, from one between working-size pixels (scale s).
cv::Mat toFullSize(const cv::Mat &work, double scaleA, double scaleB)
{
    cv::Mat toWorkB = cv::Mat::eye(3, 3, CV_64F), fromWorkA = cv::Mat::eye(3, 3, CV_64F);
    toWorkB.at<double>(0, 0) = toWorkB.at<double>(1, 1) = scaleB;
    fromWorkA.at<double>(0, 0) = fromWorkA.at<double>(1, 1) = 1 / scaleA;
    return fromWorkA * work * toWorkB;
}

// Pixel centres: OpenCV's (0, 0) is the centre of the first pixel; ours is its corner.
std::vector<cv::Point2f> toCentres(const std::vector<cv::Point2f> &points)
{
    std::vector<cv::Point2f> out;
    out.reserve(points.size());
    for (const auto &p : points)
        out.emplace_back(p.x + 0.5f, p.y + 0.5f);
    return out;
}

double rmsResidual(const cv::Mat &bToA, const std::vector<cv::Point2f> &a,
                   const std::vector<cv::Point2f> &b)
{
    if (a.empty())
        return 0;
    std::vector<cv::Point2f> mapped;
    cv::perspectiveTransform(b, mapped, bToA);
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double dx = mapped[i].x - a[i].x, dy = mapped[i].y - a[i].y;
        sum += dx * dx + dy * dy;
    }
    return std::sqrt(sum / static_cast<double>(a.size()));
}

// Final refinement at full size: square patches of A on a grid, where A has texture, are found
// in B near where the transform puts them (normalised cross-correlation, sub-pixel peak by a
// parabola through the neighbours), and the homography is fitted to those pairs robustly.
// Patches over what changed between the visits do not correlate and are dropped by their score
// and by RANSAC. Returns false when too few patches agree.
bool refineByPatches(const cv::Mat &a, const cv::Mat &b, cv::Mat &bToA, double &residual,
                     int &patches)
{
    constexpr int kPatch = 48, kSearch = 6, kGrid = 16;
    const cv::Mat aToB = bToA.inv();
    std::vector<cv::Point2f> inA, inB;
    for (int gy = 1; gy < kGrid; ++gy)
        for (int gx = 1; gx < kGrid; ++gx) {
            const cv::Point2f centreA(static_cast<float>(a.cols * gx / kGrid),
                                      static_cast<float>(a.rows * gy / kGrid));
            const cv::Rect patchRect(cvRound(centreA.x) - kPatch / 2,
                                     cvRound(centreA.y) - kPatch / 2, kPatch, kPatch);
            if ((patchRect & cv::Rect(0, 0, a.cols, a.rows)) != patchRect)
                continue;
            const cv::Mat patch = a(patchRect);
            cv::Scalar mean, deviation;
            cv::meanStdDev(patch, mean, deviation);
            if (deviation[0] < 8) // no texture to lock on to
                continue;
            // Where the patch's centre (our corner convention) lies in B.
            std::vector<cv::Point2f> centre{{static_cast<float>(patchRect.x + kPatch / 2.0),
                                             static_cast<float>(patchRect.y + kPatch / 2.0)}},
                mapped;
            cv::perspectiveTransform(centre, mapped, aToB);
            const cv::Rect searchRect(cvRound(mapped[0].x) - kPatch / 2 - kSearch,
                                      cvRound(mapped[0].y) - kPatch / 2 - kSearch,
                                      kPatch + 2 * kSearch, kPatch + 2 * kSearch);
            if ((searchRect & cv::Rect(0, 0, b.cols, b.rows)) != searchRect)
                continue;
            cv::Mat score;
            cv::matchTemplate(b(searchRect), patch, score, cv::TM_CCOEFF_NORMED);
            double best = 0;
            cv::Point at;
            cv::minMaxLoc(score, nullptr, &best, nullptr, &at);
            if (best < 0.6 || at.x < 1 || at.y < 1 || at.x >= score.cols - 1 ||
                at.y >= score.rows - 1)
                continue;
            const auto peak = [](float left, float middle, float right) {
                const float denominator = left - 2 * middle + right;
                return std::abs(denominator) < 1e-6f ? 0.0f : 0.5f * (left - right) / denominator;
            };
            const float dx = peak(score.at<float>(at.y, at.x - 1), score.at<float>(at.y, at.x),
                                  score.at<float>(at.y, at.x + 1));
            const float dy = peak(score.at<float>(at.y - 1, at.x), score.at<float>(at.y, at.x),
                                  score.at<float>(at.y + 1, at.x));
            inA.push_back(centre[0]);
            inB.emplace_back(static_cast<float>(searchRect.x + at.x) + dx + kPatch / 2.0f,
                             static_cast<float>(searchRect.y + at.y) + dy + kPatch / 2.0f);
        }
    if (inA.size() < 12)
        return false;
    std::vector<unsigned char> keep;
    const cv::Mat refined = cv::findHomography(inB, inA, cv::RANSAC, 1.0, keep);
    if (refined.empty())
        return false;
    std::vector<cv::Point2f> goodA, goodB;
    for (std::size_t i = 0; i < keep.size(); ++i)
        if (keep[i]) {
            goodA.push_back(inA[i]);
            goodB.push_back(inB[i]);
        }
    if (goodA.size() < 10)
        return false;
    // A least-squares fit to the agreeing pairs.
    bToA = cv::findHomography(goodB, goodA, 0);
    bToA /= bToA.at<double>(2, 2);
    residual = rmsResidual(bToA, goodA, goodB);
    patches = static_cast<int>(goodA.size());
    return true;
}

} // namespace

Homography identityHomography()
{
    return {1, 0, 0, 0, 1, 0, 0, 0, 1};
}

Point2 mapPoint(const Homography &h, Point2 p)
{
    const double w = h[6] * p.x + h[7] * p.y + h[8];
    return {(h[0] * p.x + h[1] * p.y + h[2]) / w, (h[3] * p.x + h[4] * p.y + h[5]) / w};
}

Homography inverse(const Homography &h)
{
    return fromMat(toMat(h).inv());
}

Alignment alignPhotos(const GrayImage &imageA, const GrayImage &imageB,
                      const AlignmentOptions &options)
{
    Alignment result;
    const cv::Mat a = wrap(imageA), b = wrap(imageB);
    const double scaleA =
        std::min(1.0, options.workingMaxSide / static_cast<double>(std::max(a.cols, a.rows)));
    const double scaleB =
        std::min(1.0, options.workingMaxSide / static_cast<double>(std::max(b.cols, b.rows)));
    cv::Mat workA, workB;
    cv::resize(a, workA, cv::Size(), scaleA, scaleA, cv::INTER_AREA);
    cv::resize(b, workB, cv::Size(), scaleB, scaleB, cv::INTER_AREA);
    // Lighting differs between visits: equalise contrast locally before matching.
    const cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(2.0, cv::Size(8, 8));
    cv::Mat eqA, eqB;
    clahe->apply(workA, eqA);
    clahe->apply(workB, eqB);

    const cv::Ptr<cv::ORB> orb = cv::ORB::create(options.features);
    std::vector<cv::KeyPoint> keysA, keysB;
    cv::Mat descA, descB;
    orb->detectAndCompute(eqA, cv::noArray(), keysA, descA);
    orb->detectAndCompute(eqB, cv::noArray(), keysB, descB);
    if (keysA.size() < 20 || keysB.size() < 20) {
        result.problem = "too few features to match (a blank or blurred photo?)";
        return result;
    }
    cv::BFMatcher matcher(cv::NORM_HAMMING);
    std::vector<std::vector<cv::DMatch>> knn;
    matcher.knnMatch(descB, descA, knn, 2);
    std::vector<cv::Point2f> pointsA, pointsB;
    for (const auto &pair : knn)
        if (pair.size() == 2 && pair[0].distance < 0.8f * pair[1].distance) {
            pointsB.push_back(keysB[static_cast<std::size_t>(pair[0].queryIdx)].pt);
            pointsA.push_back(keysA[static_cast<std::size_t>(pair[0].trainIdx)].pt);
        }
    result.matches = static_cast<int>(pointsA.size());
    if (pointsA.size() < 12) {
        result.problem = "too few matching features: are these photos of the same view?";
        return result;
    }
    pointsA = toCentres(pointsA);
    pointsB = toCentres(pointsB);
    std::vector<unsigned char> inlierMask;
    cv::Mat work = cv::findHomography(pointsB, pointsA, cv::USAC_MAGSAC, options.ransacPx,
                                      inlierMask, 5000, 0.999);
    if (work.empty()) {
        result.problem = "no consistent transform between the photos";
        return result;
    }
    std::vector<cv::Point2f> inA, inB;
    for (std::size_t i = 0; i < inlierMask.size(); ++i)
        if (inlierMask[i]) {
            inA.push_back(pointsA[i]);
            inB.push_back(pointsB[i]);
        }
    result.inliers = static_cast<int>(inA.size());
    if (result.inliers < 10) {
        result.problem = "too few matches agree on one transform";
        return result;
    }
    result.method = "features";

    if (options.refine) {
        // ECC: B warped onto A's frame should look like A. Hair that grew or was cut and new
        // pigment differ between the visits: the pixels of B that differ most from A seen through
        // the feature transform (the top 15% of the smoothed difference) are left out. OpenCV
        // takes the mask in the input image's (B's) pixels.
        // At half the working size: the full-size patches do the fine work after it.
        cv::Mat floatA, floatB;
        cv::resize(workA, floatA, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
        cv::resize(workB, floatB, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
        floatA.convertTo(floatA, CV_32F);
        floatB.convertTo(floatB, CV_32F);
        cv::Mat half = cv::Mat::eye(3, 3, CV_64F), twice = cv::Mat::eye(3, 3, CV_64F);
        half.at<double>(0, 0) = half.at<double>(1, 1) = 0.5;
        twice.at<double>(0, 0) = twice.at<double>(1, 1) = 2;
        // findTransformECC wants the warp from template (A) to input (B) coordinates, in
        // OpenCV's pixel-centre convention: shift ours by half a pixel.
        cv::Mat shift = cv::Mat::eye(3, 3, CV_64F), unshift = cv::Mat::eye(3, 3, CV_64F);
        shift.at<double>(0, 2) = shift.at<double>(1, 2) = 0.5;
        unshift.at<double>(0, 2) = unshift.at<double>(1, 2) = -0.5;
        cv::Mat aToB = unshift * (half * work * twice).inv() * shift;
        aToB /= aToB.at<double>(2, 2);
        cv::Mat warp;
        aToB.convertTo(warp, CV_32F);
        cv::Mat aInB;
        cv::warpPerspective(floatA, aInB, warp, floatB.size(), cv::INTER_LINEAR,
                            cv::BORDER_CONSTANT, cv::Scalar(-1));
        const auto normalised = [](const cv::Mat &m) {
            cv::Scalar mean, deviation;
            cv::meanStdDev(m, mean, deviation);
            return cv::Mat((m - mean[0]) / std::max(deviation[0], 1.0));
        };
        cv::Mat difference = cv::abs(normalised(floatB) - normalised(aInB));
        cv::GaussianBlur(difference, difference, cv::Size(0, 0), 3);
        std::vector<float> values(difference.begin<float>(), difference.end<float>());
        const auto at85 = values.begin() + static_cast<std::ptrdiff_t>(values.size() * 85 / 100);
        std::nth_element(values.begin(), at85, values.end());
        cv::Mat mask = difference < *at85;
        mask.setTo(0, aInB < 0); // outside A
        try {
            result.correlation = cv::findTransformECC(
                floatA, floatB, warp, cv::MOTION_HOMOGRAPHY,
                cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 60, 1e-6), mask,
                5);
            cv::Mat refined;
            warp.convertTo(refined, CV_64F);
            work = shift * refined * unshift;
            work = twice * work.inv() * half;
            work /= work.at<double>(2, 2);
            result.method = "features+ecc";
        } catch (const cv::Exception &) {
            result.problem =
                "the intensity refinement did not converge; the feature transform is used";
        }
    }
    cv::Mat full = toFullSize(work, scaleA, scaleB);
    double patchResidual = 0;
    int patches = 0;
    // Twice: the second pass starts from the first's better transform.
    if (options.refine && refineByPatches(a, b, full, patchResidual, patches)) {
        refineByPatches(a, b, full, patchResidual, patches);
        result.method += "+patches";
    }
    // The inliers in full-size pixels, for the residual.
    std::vector<cv::Point2f> bigA, bigB;
    for (std::size_t i = 0; i < inA.size(); ++i) {
        bigA.emplace_back(static_cast<float>(static_cast<double>(inA[i].x) / scaleA),
                          static_cast<float>(static_cast<double>(inA[i].y) / scaleA));
        bigB.emplace_back(static_cast<float>(static_cast<double>(inB[i].x) / scaleB),
                          static_cast<float>(static_cast<double>(inB[i].y) / scaleB));
    }
    // The residual: of the full-size patches when they refined the transform (the features are
    // located only to a working-size pixel), else of the feature inliers.
    result.residualPx = patches > 0 ? patchResidual : rmsResidual(full, bigA, bigB);
    result.bToA = fromMat(full / full.at<double>(2, 2));
    result.ok = true;
    if (result.residualPx > options.poorResidualPx) {
        result.poor = true;
        result.problem = "the matched points still differ by " +
                         std::to_string(static_cast<int>(std::lround(result.residualPx))) +
                         " px after alignment: check it, or align by three point pairs";
    }
    return result;
}

Alignment alignByPoints(const std::vector<Point2> &inA, const std::vector<Point2> &inB)
{
    if (inA.size() < 3 || inA.size() != inB.size())
        throw std::invalid_argument("align by points: three or more pairs of points are needed");
    std::vector<cv::Point2f> a, b;
    for (std::size_t i = 0; i < inA.size(); ++i) {
        a.emplace_back(static_cast<float>(inA[i].x), static_cast<float>(inA[i].y));
        b.emplace_back(static_cast<float>(inB[i].x), static_cast<float>(inB[i].y));
    }
    const double area = std::abs((b[1] - b[0]).cross(b[2] - b[0]));
    if (area < 1.0)
        throw std::invalid_argument("align by points: the points lie in a line");
    cv::Mat h;
    if (a.size() == 3) {
        const cv::Mat affine = cv::getAffineTransform(b.data(), a.data());
        h = cv::Mat::eye(3, 3, CV_64F);
        affine.copyTo(h(cv::Rect(0, 0, 3, 2)));
    } else {
        h = cv::findHomography(b, a, 0);
        if (h.empty())
            throw std::invalid_argument("align by points: the points give no transform");
    }
    Alignment result;
    result.bToA = fromMat(h / h.at<double>(2, 2));
    result.ok = true;
    result.method = "points";
    result.inliers = result.matches = static_cast<int>(a.size());
    result.residualPx = rmsResidual(h, a, b);
    return result;
}

} // namespace smp::vision
