// Before/after alignment on pairs made from one photo by a known transform, a lighting change,
// noise and local changes in hair: the recovered transform must be within 1 px over the image.

#include "smp/imaging/SampleScalp.h"
#include "smp/vision/Alignment.h"

#include <catch2/catch.hpp>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QImage>

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace smp::vision;

namespace {

// The bundled sample head drawn at 12 megapixels (4000 x 3000), grey.
cv::Mat sampleAt12Megapixels()
{
    static const cv::Mat image = [] {
        const QImage drawn =
            smp::imaging::drawSampleScalp().convertToFormat(QImage::Format_Grayscale8);
        const cv::Mat small(drawn.height(), drawn.width(), CV_8UC1,
                            const_cast<uchar *>(drawn.constBits()),
                            static_cast<std::size_t>(drawn.bytesPerLine()));
        cv::Mat big;
        cv::resize(small, big, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
        return big;
    }();
    return image;
}

GrayImage view(const cv::Mat &m)
{
    return {m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step), m.data};
}

// In our convention (pixel corners at integers) to OpenCV's (pixel centres at integers).
cv::Mat toCv(const Homography &h)
{
    cv::Mat m(3, 3, CV_64F);
    for (int i = 0; i < 9; ++i)
        m.at<double>(i / 3, i % 3) = h[static_cast<std::size_t>(i)];
    cv::Mat shift = cv::Mat::eye(3, 3, CV_64F), unshift = cv::Mat::eye(3, 3, CV_64F);
    shift.at<double>(0, 2) = shift.at<double>(1, 2) = 0.5;
    unshift.at<double>(0, 2) = unshift.at<double>(1, 2) = -0.5;
    return unshift * m * shift;
}

// The worst distance (px) between two transforms over a grid of points of B's interior.
double worstError(const Homography &estimated, const Homography &truth, int width, int height)
{
    double worst = 0;
    for (int y = 1; y < 10; ++y)
        for (int x = 1; x < 10; ++x) {
            const Point2 p{width * x / 10.0, height * y / 10.0};
            const Point2 a = mapPoint(estimated, p), b = mapPoint(truth, p);
            worst = std::max(worst, std::hypot(a.x - b.x, a.y - b.y));
        }
    return worst;
}

// Photo B: photo A seen through `bToA` (a = bToA * b), with lighting, noise and new dark strokes.
cv::Mat makeAfter(const cv::Mat &a, const Homography &bToA, double gain, double noise, bool strokes)
{
    cv::Mat b;
    cv::warpPerspective(a, b, toCv(bToA), a.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                        cv::BORDER_REPLICATE);
    cv::Mat f;
    b.convertTo(f, CV_32F);
    // Uneven light: brighter on one side, darker overall by `gain`.
    for (int y = 0; y < f.rows; ++y) {
        float *row = f.ptr<float>(y);
        for (int x = 0; x < f.cols; ++x)
            row[x] = static_cast<float>(
                static_cast<double>(row[x]) * gain * (0.85 + 0.3 * x / f.cols) + 6);
    }
    if (noise > 0) {
        cv::Mat n(f.size(), CV_32F);
        cv::randn(n, 0, noise);
        f += n;
    }
    f.convertTo(b, CV_8U);
    if (strokes) {
        // New pigment dots and hair in the crown: local changes the alignment must ignore.
        cv::RNG rng(5);
        for (int i = 0; i < 4000; ++i) {
            const cv::Point c(1700 + rng.uniform(0, 600), 1600 + rng.uniform(0, 600));
            cv::circle(b, c, 3, cv::Scalar(25), cv::FILLED);
        }
        for (int i = 0; i < 300; ++i) {
            const cv::Point s(1500 + rng.uniform(0, 900), 600 + rng.uniform(0, 500));
            cv::line(b, s, s + cv::Point(rng.uniform(-60, 60), rng.uniform(20, 80)), cv::Scalar(30),
                     4);
        }
    }
    return b;
}

} // namespace

TEST_CASE("two 12-megapixel photos are aligned within 1 px despite light, noise and new hair",
          "[alignment]")
{
    const cv::Mat a = sampleAt12Megapixels();
    // A different distance, a slight turn and tilt, and a shifted frame.
    const double t = 2.5 * CV_PI / 180;
    const Homography bToA{1.04 * std::cos(t),
                          -1.04 * std::sin(t),
                          60,
                          1.04 * std::sin(t),
                          1.04 * std::cos(t),
                          -90,
                          4e-6,
                          -3e-6,
                          1};
    struct Case
    {
        const char *name;
        double gain, noise;
        bool strokes;
    };
    for (const Case &c :
         {Case{"transform only", 1.0, 0, false}, Case{"light and noise", 0.8, 6, false},
          Case{"light, noise, new hair and pigment", 0.85, 5, true}}) {
        INFO(c.name);
        const cv::Mat b = makeAfter(a, bToA, c.gain, c.noise, c.strokes);
        const Alignment found = alignPhotos(view(a), view(b));
        REQUIRE(found.ok);
        CHECK_FALSE(found.poor);
        const double error = worstError(found.bToA, bToA, b.cols, b.rows);
        if (std::getenv("SMP_PRINT_METRICS"))
            std::printf(
                "%s: worst %.3f px, residual %.2f px, %d/%d inliers, correlation %.3f, %s\n",
                c.name, error, found.residualPx, found.inliers, found.matches, found.correlation,
                found.method.c_str());
        CHECK(error < 1.0);
        CHECK(found.method == "features+ecc+patches");
    }
}

TEST_CASE("photos that do not match are refused with the reason, and points align by hand",
          "[alignment]")
{
    const cv::Mat a = sampleAt12Megapixels();
    cv::Mat blank(3000, 4000, CV_8UC1, cv::Scalar(128));
    const Alignment none = alignPhotos(view(a), view(blank));
    CHECK_FALSE(none.ok);
    CHECK_THAT(none.problem, Catch::Contains("features"));

    // Three point pairs give the affine transform that maps them.
    const Homography truth{1.02, 0.01, 12, -0.01, 0.98, -7, 0, 0, 1};
    const std::vector<Point2> inB{{100, 100}, {3000, 200}, {1500, 2600}};
    std::vector<Point2> inA;
    for (const Point2 &p : inB)
        inA.push_back(mapPoint(truth, p));
    const Alignment byHand = alignByPoints(inA, inB);
    REQUIRE(byHand.ok);
    CHECK(worstError(byHand.bToA, truth, 4000, 3000) < 1e-6);
    CHECK(byHand.method == "points");
    CHECK_THROWS_WITH(alignByPoints({{0, 0}, {1, 1}}, {{0, 0}, {1, 1}}), Catch::Contains("three"));
    CHECK_THROWS_WITH(alignByPoints({{0, 0}, {1, 1}, {2, 2}}, {{0, 0}, {10, 10}, {20, 20}}),
                      Catch::Contains("line"));
}
