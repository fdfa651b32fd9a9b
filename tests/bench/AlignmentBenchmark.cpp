// smp-align-benchmark: times the before/after alignment of a 12-megapixel pair (the sample head
// drawn at 4000 x 3000, and the same seen through a known transform with other light, noise and
// new dark strokes) and reports the error against the known transform. Not part of the test
// run; figures go to docs/benchmarks.md. Usage: smp-align-benchmark [runs]

#include "smp/imaging/SampleScalp.h"
#include "smp/vision/Alignment.h"

#include "Timing.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QGuiApplication>
#include <QImage>

#include <cmath>
#include <cstdio>

using namespace smp::vision;
using smp::bench::median;
using smp::bench::millisecondsOf;
using smp::bench::p95;

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    const QImage drawn = smp::imaging::drawSampleScalp().convertToFormat(QImage::Format_Grayscale8);
    const cv::Mat small(drawn.height(), drawn.width(), CV_8UC1,
                        const_cast<uchar *>(drawn.constBits()),
                        static_cast<std::size_t>(drawn.bytesPerLine()));
    cv::Mat a;
    cv::resize(small, a, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    const double t = 2.5 * CV_PI / 180;
    const Homography truth{1.04 * std::cos(t),
                           -1.04 * std::sin(t),
                           60,
                           1.04 * std::sin(t),
                           1.04 * std::cos(t),
                           -90,
                           4e-6,
                           -3e-6,
                           1};
    cv::Mat m(3, 3, CV_64F);
    for (int i = 0; i < 9; ++i)
        m.at<double>(i / 3, i % 3) = truth[static_cast<std::size_t>(i)];
    cv::Mat shift = cv::Mat::eye(3, 3, CV_64F), unshift = cv::Mat::eye(3, 3, CV_64F);
    shift.at<double>(0, 2) = shift.at<double>(1, 2) = 0.5;
    unshift.at<double>(0, 2) = unshift.at<double>(1, 2) = -0.5;
    cv::Mat b;
    cv::warpPerspective(a, b, unshift * m * shift, a.size(),
                        cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    b.convertTo(b, CV_8U, 0.85, 10);
    cv::Mat noise(b.size(), CV_16S);
    cv::randn(noise, 0, 5);
    cv::Mat b16;
    b.convertTo(b16, CV_16S);
    b16 += noise;
    b16.convertTo(b, CV_8U);
    cv::RNG rng(5);
    for (int i = 0; i < 3000; ++i)
        cv::circle(b, cv::Point(1700 + rng.uniform(0, 600), 1600 + rng.uniform(0, 600)), 3,
                   cv::Scalar(25), cv::FILLED);
    const GrayImage viewA{a.cols, a.rows, static_cast<std::ptrdiff_t>(a.step), a.data};
    const GrayImage viewB{b.cols, b.rows, static_cast<std::ptrdiff_t>(b.step), b.data};

    std::vector<double> times;
    Alignment found;
    for (int i = 0; i < runs; ++i)
        times.push_back(millisecondsOf([&] { found = alignPhotos(viewA, viewB); }));
    double worst = 0;
    for (int y = 1; y < 10; ++y)
        for (int x = 1; x < 10; ++x) {
            const Point2 p{400.0 * x, 300.0 * y};
            const Point2 estimated = mapPoint(found.bToA, p);
            const Point2 expected = mapPoint(truth, p);
            worst = std::max(worst, std::hypot(estimated.x - expected.x, estimated.y - expected.y));
        }
    std::printf("| operation | median ms | p95 ms | runs |\n|---|---|---|---|\n");
    std::printf("| align a 12-megapixel pair (%s) | %.0f | %.0f | %d |\n", found.method.c_str(),
                median(times), p95(times), runs);
    std::printf("\nworst error over the image %.3f px, residual %.2f px, %d/%d feature inliers\n",
                worst, found.residualPx, found.inliers, found.matches);
    return 0;
}
