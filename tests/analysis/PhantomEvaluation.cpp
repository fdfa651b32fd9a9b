#include "PhantomEvaluation.h"

#include "TestSupport.h"

#include <QImage>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace smp::test {

namespace {

cv::Mat grayOf(const QImage &image)
{
    const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    return cv::Mat(gray.height(), gray.width(), CV_8UC1, const_cast<uchar *>(gray.constBits()),
                   static_cast<std::size_t>(gray.bytesPerLine()))
        .clone();
}

// SMP_DUMP_PHANTOMS=DIR: where each case's pictures go, as DIR/<case name>_<width>; empty when
// the variable is not set.
QString dumpStem(const PhantomCase &c)
{
    const QString dir = qEnvironmentVariable("SMP_DUMP_PHANTOMS");
    if (dir.isEmpty())
        return {};
    QString name = QString::fromStdString(c.name + " " + std::to_string(c.phantom.widthPx));
    name.replace(QLatin1Char(' '), QLatin1Char('_')).remove(QLatin1Char(','));
    return dir + QLatin1Char('/') + name;
}

// Saves an 8-bit grey or RGB map as PNG.
void savePng(const cv::Mat &map, const QString &path)
{
    const bool grey = map.type() == CV_8UC1;
    QImage(map.data, map.cols, map.rows, static_cast<qsizetype>(map.step),
           grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888)
        .save(path);
}

// What is behind a case's score, for whoever works on the analysis (with SMP_DUMP_PHANTOMS):
// `<stem>_loss.png`, the advanced-plus-bald area green where the analysis and the truth agree,
// red where only the analysis has it, blue where only the truth has; `<stem>_error.png`, the
// coverage error over the inner scalp, grey 128 where exact, 10 levels per point (white: read
// over by 12.8 points or more); and a line on standard output: how hair was told from skin, the
// reference against the truth's, the loss IoU graded against the truth's reference (what the
// map alone scores), and the mean estimated coverage per band of true coverage (a calibration
// line: a slope over 1 reads dense hair over and sparse under).
void explainScore(const QString &stem, const PhantomCase &c, const analysis::Result &r,
                  const cv::Mat &truth, const cv::Mat &estimated, const cv::Mat &inner,
                  const cv::Mat &trueLoss, const cv::Mat &estimatedLoss, double trueReference,
                  double lossIoUAtTrueReference)
{
    cv::Mat loss;
    cv::merge(std::vector<cv::Mat>{estimatedLoss & ~trueLoss, trueLoss & estimatedLoss,
                                   trueLoss & ~estimatedLoss},
              loss);
    savePng(loss, stem + QStringLiteral("_loss.png"));
    cv::Mat error;
    cv::Mat(128.0 + 1000.0 * (estimated - truth)).convertTo(error, CV_8U);
    error.setTo(0, ~inner);
    savePng(error, stem + QStringLiteral("_error.png"));

    constexpr int kBands = 20;
    constexpr double kBand = 0.05;
    std::array<double, kBands> sums{}, counts{};
    for (int y = 0; y < truth.rows; ++y)
        for (int x = 0; x < truth.cols; ++x)
            if (inner.at<uchar>(y, x)) {
                const auto band = static_cast<std::size_t>(
                    std::min(kBands - 1,
                             static_cast<int>(static_cast<double>(truth.at<float>(y, x)) / kBand)));
                sums[band] += static_cast<double>(estimated.at<float>(y, x));
                counts[band] += 1;
            }
    std::printf("%s %d: %s; reference %.3f (truth's %.3f); loss IoU %.3f at the truth's "
                "reference; coverage by true coverage:",
                c.name.c_str(), c.phantom.widthPx, r.unmixing.c_str(), r.referenceCoverage,
                trueReference, lossIoUAtTrueReference);
    for (std::size_t band = 0; band < sums.size(); ++band)
        if (counts[band] > 0)
            std::printf(" %.3f->%.3f", (static_cast<double>(band) + 0.5) * kBand,
                        sums[band] / counts[band]);
    std::printf("\n");
}

// The IoU of two 8-bit masks; 1 where both are empty.
double iou(const cv::Mat &a, const cv::Mat &b)
{
    const double unionArea = cv::countNonZero(a | b);
    return unionArea > 0 ? cv::countNonZero(a & b) / unionArea : 1.0;
}

// A phantom's ground truth at the resolution of the analysis map `r`, averaged over the same
// window (map px): the head, its inner part (a window in from the outline: where coverage is
// scored), the true coverage, its reference (the 90th percentile over the inner part) and the
// areas graded advanced-plus-bald and moderate-or-worse against it with `p`'s thresholds.
struct MapTruth
{
    cv::Size size;
    int window = 3;
    cv::Mat headMask, headSum, inner; // 8-bit masks; headSum CV_32F, head pixels per window
    cv::Mat truth;                    // CV_32F, 0..1
    double reference = 0;
    cv::Mat trueLoss, trueThinning;
};

// The mean of `share` (CV_32F at the map's size, per pixel) over each window, as a share of the
// head in it: a coverage map like the truth's.
cv::Mat windowCoverage(cv::Mat share, const MapTruth &t)
{
    share.setTo(0, ~t.headMask);
    cv::Mat sum;
    cv::boxFilter(share, sum, CV_32F, cv::Size(t.window, t.window), cv::Point(-1, -1), false);
    return sum / cv::max(t.headSum, 1.0);
}

// The 90th percentile of `coverage` over `inner`: the reference the truth grades against.
double referenceOf(const cv::Mat &coverage, const cv::Mat &inner)
{
    std::vector<float> values;
    for (int y = 0; y < inner.rows; ++y)
        for (int x = 0; x < inner.cols; ++x)
            if (inner.at<uchar>(y, x))
                values.push_back(coverage.at<float>(y, x));
    if (values.empty())
        return 0;
    const auto nth =
        values.begin() + static_cast<std::ptrdiff_t>(0.9 * static_cast<double>(values.size()));
    std::nth_element(values.begin(), nth, values.end());
    return static_cast<double>(*nth);
}

MapTruth mapTruth(const imaging::ScalpPhantom &phantom, const analysis::Result &r,
                  const analysis::Parameters &p)
{
    MapTruth t;
    t.size = cv::Size(r.mapWidth, r.mapHeight);
    cv::Mat hair, head;
    cv::resize(grayOf(phantom.hairMask), hair, t.size, 0, 0, cv::INTER_AREA);
    cv::resize(grayOf(phantom.headMask), head, t.size, 0, 0, cv::INTER_AREA);
    cv::Mat alpha, headF;
    hair.convertTo(alpha, CV_32F, 1.0 / 255.0);
    head.convertTo(headF, CV_32F, 1.0 / 255.0);
    t.headMask = head > 127;
    t.window = std::max(3, static_cast<int>(std::lround(r.windowPhotoPx / r.photoPxPerMapPx)) | 1);
    cv::boxFilter(headF, t.headSum, CV_32F, cv::Size(t.window, t.window), cv::Point(-1, -1), false);
    t.truth = windowCoverage(alpha, t);
    cv::erode(t.headMask, t.inner,
              cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(t.window, t.window)));
    t.reference = referenceOf(t.truth, t.inner);
    t.trueLoss = (t.truth < p.moderateAbove * t.reference) & t.headMask;
    t.trueThinning = (t.truth < p.mildAbove * t.reference) & t.headMask;
    return t;
}
} // namespace

namespace {

// `drawn` made worse as case `c` says: blurred, with noise when `withNoise`, saved as a JPEG
// and read back (RGB888).
QImage degradedPhoto(const QImage &drawn, const PhantomCase &c, bool withNoise)
{
    QImage photo = drawn.convertToFormat(QImage::Format_RGB888);
    cv::Mat rgb(photo.height(), photo.width(), CV_8UC3, photo.bits(),
                static_cast<std::size_t>(photo.bytesPerLine()));
    if (c.blurSigma > 0)
        cv::GaussianBlur(rgb, rgb, cv::Size(0, 0), c.blurSigma);
    if (withNoise && c.noiseSigma > 0) {
        cv::Mat noise(rgb.size(), CV_16SC3);
        cv::RNG random(c.phantom.seed); // the same noise whatever ran before
        random.fill(noise, cv::RNG::NORMAL, 0, c.noiseSigma);
        cv::Mat wide;
        rgb.convertTo(wide, CV_16SC3);
        wide += noise;
        wide.convertTo(rgb, CV_8UC3);
    }
    if (c.jpegQuality > 0)
        photo = jpegRoundTrip(photo, c.jpegQuality);
    return photo;
}

} // namespace

DegradedPhantom degradedPhantom(const PhantomCase &c)
{
    DegradedPhantom out;
    out.phantom = imaging::drawScalpPhantom(c.phantom);
    const imaging::ScalpPhantom &phantom = out.phantom;
    const QImage photo = degradedPhoto(phantom.photo, c, true);

    // SMP_DUMP_PHANTOMS=DIR: each case's degraded photo and its true hair and head masks as
    // PNG, to look at or to run `smp analyze` on.
    if (const QString stem = dumpStem(c); !stem.isEmpty()) {
        photo.save(stem + QStringLiteral(".png"));
        phantom.hairMask.save(stem + QStringLiteral("_hair.png"));
        phantom.headMask.save(stem + QStringLiteral("_head.png"));
    }
    out.photo = photo;
    return out;
}

PhantomScore scorePhantom(const PhantomCase &c, const analysis::Parameters &parameters)
{
    const DegradedPhantom degraded = degradedPhantom(c);
    const imaging::ScalpPhantom &phantom = degraded.phantom;
    const QImage &photo = degraded.photo;
    PhantomScore score;
    score.result = analysis::analyze(
        {photo.width(), photo.height(), photo.bytesPerLine(), photo.constBits()}, parameters);
    const analysis::Result &r = score.result;

    const MapTruth t = mapTruth(phantom, r, parameters);
    const cv::Size &size = t.size;
    const cv::Mat &truth = t.truth, &inner = t.inner, &headMask = t.headMask;
    const cv::Mat &trueLoss = t.trueLoss, &trueThinning = t.trueThinning;
    const double reference = t.reference;
    const analysis::Parameters &p = parameters;

    const cv::Mat estimated(size, CV_32F, const_cast<float *>(r.coverage.data()));
    cv::Mat difference;
    cv::absdiff(estimated, truth, difference);
    score.coverageErrorPp = 100.0 * cv::mean(difference, inner)[0];
    score.meanCoverageErrorPp = 100.0 * (cv::mean(estimated, inner)[0] - cv::mean(truth, inner)[0]);
    cv::Mat clearOfBand;
    cv::erode(headMask, clearOfBand,
              cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                        cv::Size(2 * PhantomScore::kOutlineBandPx + 1,
                                                 2 * PhantomScore::kOutlineBandPx + 1)));
    const cv::Mat outlineBand = headMask & ~clearOfBand;
    score.outlineCoverageBiasPp =
        100.0 * (cv::mean(estimated, outlineBand)[0] - cv::mean(truth, outlineBand)[0]);

    cv::Mat estimatedLoss(size, CV_8U), estimatedThinning(size, CV_8U);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            const auto g = r.grades[static_cast<std::size_t>(y * size.width + x)];
            estimatedLoss.at<uchar>(y, x) =
                (g == analysis::Grade::Advanced || g == analysis::Grade::Bald) ? 255 : 0;
            estimatedThinning.at<uchar>(y, x) =
                (g == analysis::Grade::Moderate || g == analysis::Grade::Advanced ||
                 g == analysis::Grade::Bald)
                    ? 255
                    : 0;
        }
    estimatedLoss &= headMask;
    estimatedThinning &= headMask;
    score.lossIoU = iou(trueLoss, estimatedLoss);
    for (const double offBy : {-PhantomScore::kOffByPp / 100.0, PhantomScore::kOffByPp / 100.0}) {
        // The loss line moved by `offBy` of coverage: the truth read off where it is thin, read
        // right where it sets the reference.
        const double offIoU =
            iou(trueLoss, (truth < p.moderateAbove * reference + offBy) & headMask);
        score.lossIoUOfTruthOffByPp =
            offBy < 0 ? offIoU : std::min(score.lossIoUOfTruthOffByPp, offIoU);
    }
    {
        const double line = p.moderateAbove * reference;
        const double tolerance = PhantomScore::kOffByPp / 100.0;
        const cv::Mat clearOfLine =
            ((truth < line - tolerance) | (truth > line + tolerance)) & headMask;
        const cv::Mat trueClear = trueLoss & clearOfLine,
                      estimatedClear = estimatedLoss & clearOfLine;
        if (cv::countNonZero(trueClear | estimatedClear) > 0)
            score.lossIoUClearOfLine = iou(trueClear, estimatedClear);
    }
    score.thinningIoU = iou(trueThinning, estimatedThinning);
    if (const QString stem = dumpStem(c); !stem.isEmpty())
        explainScore(stem, c, r, truth, estimated, inner, trueLoss, estimatedLoss, reference,
                     iou(trueLoss, (estimated < p.moderateAbove * reference) & headMask));
    score.trueLossFraction =
        cv::countNonZero(trueLoss) / std::max(1.0, static_cast<double>(cv::countNonZero(headMask)));
    // The texture check's hatching: on loss the truth has too (a false alarm), and on loss the
    // truth has not (a catch).
    if (const auto marked = analysis::lossReadingHair(r.texture, r.grades, r.mapWidth, r.mapHeight,
                                                      r.photoPxPerMapPx);
        !marked.empty()) {
        const cv::Mat hatched = cv::Mat(size, CV_8U, const_cast<std::uint8_t *>(marked.data())) > 0;
        const cv::Mat rightLoss = estimatedLoss & trueLoss, wrongLoss = estimatedLoss & ~trueLoss;
        score.rightLossReadingHair =
            cv::countNonZero(hatched & rightLoss) /
            std::max(1.0, static_cast<double>(cv::countNonZero(rightLoss)));
        score.wrongLossReadingHair =
            cv::countNonZero(hatched & wrongLoss) /
            std::max(1.0, static_cast<double>(cv::countNonZero(wrongLoss)));
    }
    return score;
}

ExactEndsScores scoreExactEnds(const PhantomCase &c, const analysis::Result &analysed,
                               const analysis::Parameters &parameters)
{
    if (c.phantom.shadeHairWithHead)
        throw std::invalid_argument("scoreExactEnds: the hair's colour varies over the head");
    const DegradedPhantom degraded = degradedPhantom(c);
    PhantomCase bareCase = c;
    bareCase.phantom.strandsPerPixel = 0; // the same skin, pores and light: they come first
    const QImage bare = degradedPhoto(imaging::drawScalpPhantom(bareCase.phantom).photo, c, false);
    const auto floatRgb = [](const QImage &image) {
        cv::Mat out;
        cv::Mat(image.height(), image.width(), CV_8UC3, const_cast<uchar *>(image.constBits()),
                static_cast<std::size_t>(image.bytesPerLine()))
            .convertTo(out, CV_32FC3);
        return out;
    };
    const cv::Mat photo = floatRgb(degraded.photo), skin = floatRgb(bare);
    const QColor drawnHair = c.phantom.hair;
    const cv::Vec3f hairColour(static_cast<float>(drawnHair.red()),
                               static_cast<float>(drawnHair.green()),
                               static_cast<float>(drawnHair.blue()));
    constexpr float kOpacity = imaging::kStrandOpacity / 255.0f;
    // Each pixel read against the bare skin `skinOf`: along the line to the hair, and as the
    // share of the skin it hides.
    const auto readAgainst = [&](const cv::Mat &skinOf) {
        cv::Mat along(photo.size(), CV_32F, cv::Scalar(0));
        cv::Mat hidden(photo.size(), CV_32F, cv::Scalar(0));
        for (int y = 0; y < photo.rows; ++y)
            for (int x = 0; x < photo.cols; ++x) {
                const cv::Vec3f s = skinOf.at<cv::Vec3f>(y, x);
                const auto light = static_cast<float>(imaging::lightingGain(c.phantom, x, y));
                cv::Vec3f h = kOpacity * light * hairColour + (1.0f - kOpacity) * s;
                for (int k = 0; k < 3; ++k)
                    h[k] = std::min(h[k], 255.0f);
                const cv::Vec3f colour = photo.at<cv::Vec3f>(y, x);
                const cv::Vec3f line = h - s;
                if (line.dot(line) > 1.0f)
                    along.at<float>(y, x) = (colour - s).dot(line) / line.dot(line);
                const float ss = s.dot(s), hh = h.dot(h), sh = s.dot(h);
                const float determinant = ss * hh - sh * sh;
                if (determinant > 1e-6f * ss * hh)
                    hidden.at<float>(y, x) =
                        1.0f - (hh * colour.dot(s) - sh * colour.dot(h)) / determinant;
            }
        return std::pair{along, hidden};
    };
    const auto [along, hidden] = readAgainst(skin);
    // The bare skin smoothed over the head alone (a normalised convolution: the backdrop must not
    // colour the skin along the outline).
    cv::Mat headWeight, weightSum, localSkin;
    grayOf(degraded.phantom.headMask).convertTo(headWeight, CV_32F, 1.0 / 255.0);
    const double sigma = kLocalSkinSigmaPx * static_cast<double>(photo.cols) / 800.0;
    std::vector<cv::Mat> channels;
    cv::split(skin, channels);
    cv::GaussianBlur(headWeight, weightSum, cv::Size(), sigma);
    weightSum = cv::max(weightSum, 1e-3);
    for (auto &channel : channels) {
        cv::GaussianBlur(channel.mul(headWeight), channel, cv::Size(), sigma);
        channel /= weightSum;
    }
    cv::merge(channels, localSkin);
    const cv::Mat hiddenOfLocalSkin = readAgainst(localSkin).second;
    const MapTruth t = mapTruth(degraded.phantom, analysed, parameters);
    const auto scoreOf = [&](cv::Mat share) {
        cv::resize(share, share, t.size, 0, 0, cv::INTER_AREA);
        const cv::Mat coverage = windowCoverage(share, t);
        ExactEndsScore score;
        cv::Mat difference;
        cv::absdiff(coverage, t.truth, difference);
        score.coverageErrorPp = 100.0 * cv::mean(difference, t.inner)[0];
        score.meanCoverageErrorPp =
            100.0 * (cv::mean(coverage, t.inner)[0] - cv::mean(t.truth, t.inner)[0]);
        const double reference = referenceOf(coverage, t.inner);
        score.lossIoU =
            iou(t.trueLoss, (coverage < parameters.moderateAbove * reference) & t.headMask);
        return score;
    };
    return {scoreOf(along), scoreOf(hidden), scoreOf(hiddenOfLocalSkin)};
}

std::vector<PhantomCase> phantomCases(int widthPx, bool shadeHairWithHead)
{
    struct Skin
    {
        const char *name;
        QColor colour;
    };
    const Skin skins[] = {{"very light", QColor(238, 206, 188)}, {"light", QColor(222, 178, 150)},
                          {"medium", QColor(196, 146, 108)},     {"tan", QColor(160, 112, 78)},
                          {"dark", QColor(112, 74, 52)},         {"very dark", QColor(72, 48, 36)}};
    struct Hair
    {
        const char *name;
        QColor colour;
    };
    const Hair hairs[] = {{"dark", QColor(40, 32, 26)},
                          {"grey", QColor(165, 165, 160)},
                          {"blond", QColor(205, 172, 112)}};
    std::vector<PhantomCase> cases;
    std::uint32_t seed = 100;
    int skinIndex = 0;
    for (const Skin &skin : skins) {
        ++skinIndex;
        int hairIndex = 0;
        for (const Hair &hair : hairs) {
            ++hairIndex;
            PhantomCase c;
            c.phantom.widthPx = widthPx;
            c.phantom.heightPx = widthPx * 3 / 4;
            c.phantom.seed = seed++;
            c.phantom.skin = skin.colour;
            c.phantom.hair = hair.colour;
            // Every hair colour meets every loss pattern across the skin tones.
            c.phantom.pattern = static_cast<imaging::LossPattern>((skinIndex + hairIndex) % 3);
            // Uneven light on every other skin tone, apart from the noise (until 2026-12-02
            // both followed the seed's parity: no case had both).
            c.phantom.lightingGradient = skinIndex % 2 == 0 ? 0.3 : 0.0;
            // Blur on a third of the cases, every hair colour on two skin tones, apart from
            // the pattern (until 2026-12-02 it followed the seed, and so the hair colour: every
            // blond case was blurred and no other).
            c.blurSigma = (skinIndex + 2 * hairIndex) % 3 == 0 ? 1.0 : 0.0;
            c.noiseSigma = (seed % 2) ? 0.0 : 4.0;
            c.jpegQuality = (seed % 4 == 0) ? 70 : 90;
            c.phantom.shadeHairWithHead = shadeHairWithHead;
            c.name = std::string(skin.name) + " skin, " + hair.name + " hair" +
                     (shadeHairWithHead ? ", shaded hair" : "");
            cases.push_back(c);
        }
    }
    return cases;
}

} // namespace smp::test
