#include "PhantomEvaluation.h"
#include "TestSupport.h"

#include <catch2/catch.hpp>

#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QTransform>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <random>
#include <tuple>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

using namespace smp;

namespace {

// `rgb` (Format_RGB888) analysed with the default parameters as seen from `view`.
analysis::Result analyzeAsView(const QImage &rgb, analysis::View view)
{
    analysis::Parameters parameters;
    parameters.view = view;
    return analysis::analyze({rgb.width(), rgb.height(), rgb.bytesPerLine(), rgb.constBits()},
                             parameters);
}

analysis::Result analyzeQImage(const QImage &image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    return analysis::analyze({rgb.width(), rgb.height(), rgb.bytesPerLine(), rgb.constBits()});
}

// The share of the scalp graded advanced or bald.
double lossShare(const analysis::Result &result)
{
    const auto loss =
        std::count_if(result.grades.begin(), result.grades.end(), [](analysis::Grade g) {
            return g == analysis::Grade::Advanced || g == analysis::Grade::Bald;
        });
    const auto scalp =
        std::count_if(result.grades.begin(), result.grades.end(),
                      [](analysis::Grade g) { return g != analysis::Grade::NotScalp; });
    return scalp > 0 ? static_cast<double>(loss) / static_cast<double>(scalp) : 0.0;
}

} // namespace

TEST_CASE("the default phantom meets the coverage and bald-plus-advanced targets", "[analysis]")
{
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    const auto score = test::scorePhantom(c);
    std::printf("default phantom: coverage error %.2f pp, loss IoU %.3f, reference %.3f, coverage "
                "%.1f%%, Norwood %s\n",
                score.coverageErrorPp, score.lossIoU, score.result.referenceCoverage,
                score.result.coveragePercent, score.result.norwood.stage.c_str());
    REQUIRE(score.result.scalpFound);
    CHECK(score.coverageErrorPp < 5.0);
    CHECK(score.lossIoU > 0.85);
    CHECK(score.result.algorithmName == "smp-scalp-coverage");
    CHECK(score.result.parametersJson.find("\"thresholds\"") != std::string::npos);
    // The regions say where the loss is: bald or advanced at the vertex and at the front.
    bool vertex = false, frontal = false;
    for (const auto &region : score.result.regions) {
        if (region.grade < analysis::Grade::Advanced)
            continue;
        vertex |= region.location == "vertex";
        frontal |= region.location == "frontal";
    }
    CHECK(vertex);
    CHECK(frontal);
}

TEST_CASE("a reference area off the scalp is refused, not graded against", "[analysis]")
{
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    analysis::Parameters parameters;
    // The backdrop's corner: every pixel would have graded normal against it.
    parameters.referenceArea = analysis::Parameters::Rect{4, 4, 60, 60};
    CHECK_THROWS_WITH(test::scorePhantom(c, parameters),
                      Catch::Contains("the reference area (4,4,60,60 photo px) is 0% on the "
                                      "scalp"));
    // Over the head's side, well covered: graded against it.
    parameters.referenceArea = analysis::Parameters::Rect{220, 260, 60, 60};
    const auto score = test::scorePhantom(c, parameters);
    CHECK(score.result.scalpFound);
    CHECK(score.result.referenceCoverage > 0.2);
}

TEST_CASE("a calibrated photo gets areas in cm2 and a window of 5 mm", "[analysis]")
{
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    analysis::Parameters parameters;
    parameters.mmPerPx = 0.2;
    const auto score = test::scorePhantom(c, parameters);
    const auto &r = score.result;
    CHECK(r.calibrated);
    CHECK(r.windowPhotoPx == Approx(25.0));
    REQUIRE(r.scalpAreaCm2.has_value());
    CHECK(*r.scalpAreaCm2 == Approx(r.scalpAreaPx * 0.04 / 100.0));
    for (const auto &region : r.regions)
        CHECK(region.areaCm2.has_value());
}

namespace {

// One row of the phantom tables in docs/analysis.md: the case, coverage error and bias, loss
// IoU, then the true loss area (% of the scalp), the thinning IoU (moderate or worse) and the
// loss IoU of the truth read a point off (PhantomScore::lossIoUOfTruthOffByPp). The loss
// pattern's column reads "-" on a head drawn with no loss.
void printPhantomRow(const test::PhantomCase &c, const test::PhantomScore &score)
{
    const std::string pattern = c.phantom.lossSeverity > 0
                                    ? std::to_string(static_cast<int>(c.phantom.pattern))
                                    : std::string("-");
    std::printf(
        "| %-27s | %s | %.1f | %.1f | %.0f | %d | %5.2f | %+6.2f | %.3f | %4.1f | %.3f | %.3f | "
        "%.3f |\n",
        c.name.c_str(), pattern.c_str(), c.phantom.lightingGradient, c.blurSigma, c.noiseSigma,
        c.jpegQuality, score.coverageErrorPp, score.meanCoverageErrorPp, score.lossIoU,
        100.0 * score.trueLossFraction, score.thinningIoU, score.lossIoUOfTruthOffByPp,
        score.lossIoUClearOfLine);
}

// The cases the quality targets are met for at 800 x 600.
bool isDarkHairOnLighterSkin(const test::PhantomCase &c)
{
    return c.name.find("dark hair") != std::string::npos &&
           c.name.find("very dark skin") == std::string::npos;
}

// Grey or blond hair on very light to medium skin: unmixed in colour.
bool isLightHairOnLighterSkin(const test::PhantomCase &c)
{
    return c.name.find("dark hair") == std::string::npos &&
           (c.name.find("very light skin") == 0 || c.name.find("light skin") == 0 ||
            c.name.find("medium skin") == 0);
}

// An 800 x 600 photo of a head-sized ellipse of `base` hair with short `strand` strands over it
// and no skin showing, on a light grey background.
QImage drawFullHeadOfHair(QColor base, QColor strand, std::uint32_t seed)
{
    QImage photo(800, 600, QImage::Format_RGB32);
    photo.fill(QColor(226, 226, 222));
    QPainter painter(&photo);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(base);
    painter.drawEllipse(QPointF(400, 300), 230, 250);
    painter.setPen(QPen(strand, 1.5));
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int i = 0; i < 6000; ++i) {
        const QPointF at(400 + 200 * unit(random), 300 + 220 * unit(random));
        if (std::hypot((at.x() - 400) / 215, (at.y() - 300) / 235) <= 1)
            painter.drawLine(at, at + QPointF(8 * unit(random), 8 * unit(random)));
    }
    return photo;
}

// Bounds for one class of phantom cases: coverage error under `errorPp`, loss IoU over `iou`
// (0: not checked) where the true loss is at least `iouFromLoss` of the scalp.
struct PhantomBounds
{
    double errorPp = 0;
    double iou = 0;
    double iouFromLoss = 0;
};

// Scores every one of `cases`, prints its row, holds each to the bounds of its class and prints
// how many lie outside the issue's targets. `loss` NoneDrawn: the cases are drawn with no loss
// (an even head), whose few true loss pixels make no area to score: only coverage counts.
enum class Loss
{
    Drawn,
    NoneDrawn
};

void checkPhantomCases(std::vector<test::PhantomCase> cases, PhantomBounds darkHairOnLighterSkin,
                       PhantomBounds lightHairOnLighterSkin, PhantomBounds others,
                       Loss loss = Loss::Drawn)
{
    constexpr double kScantLoss = 0.02;
    int outside = 0, scantLoss = 0, diffuseOutside = 0, outsideClearOfLine = 0;
    for (auto &c : cases) {
        if (loss == Loss::NoneDrawn)
            c.phantom.lossSeverity = 0.0;
        const auto score = test::scorePhantom(c);
        printPhantomRow(c, score);
        INFO(c.name);
        CHECK(score.result.scalpFound);
        const PhantomBounds &bounds = isDarkHairOnLighterSkin(c)    ? darkHairOnLighterSkin
                                      : isLightHairOnLighterSkin(c) ? lightHairOnLighterSkin
                                                                    : others;
        CHECK(score.coverageErrorPp < bounds.errorPp);
        if (bounds.iou > 0 && score.trueLossFraction >= bounds.iouFromLoss)
            CHECK(score.lossIoU > bounds.iou);
        const bool iouShort = loss == Loss::Drawn && score.lossIoU <= 0.85;
        outside += score.coverageErrorPp >= 5.0 || iouShort;
        // Scored with the grade line given a point's tolerance (PhantomScore::lossIoUClearOfLine).
        outsideClearOfLine +=
            score.coverageErrorPp >= 5.0 || (loss == Loss::Drawn && score.lossIoUClearOfLine >= 0 &&
                                             score.lossIoUClearOfLine <= 0.85);
        // A loss area of a few pixels (diffuse thinning draws almost none) makes the IoU a
        // count of pixels at the threshold: said apart.
        scantLoss += iouShort && score.trueLossFraction < kScantLoss;
        // Pattern loss draws its loss area with an edge: moved a point, the truth's loss line
        // keeps over 0.9 of it (diffuse thinning's bowl keeps 0.75-0.86: docs/analysis.md).
        if (loss == Loss::Drawn && c.phantom.pattern != imaging::LossPattern::Diffuse &&
            score.trueLossFraction >= kScantLoss)
            CHECK(score.lossIoUOfTruthOffByPp > 0.9);
        // Diffuse thinning's loss area lies on the bowl's shallow slope: said apart.
        diffuseOutside += loss == Loss::Drawn &&
                          c.phantom.pattern == imaging::LossPattern::Diffuse &&
                          (score.coverageErrorPp >= 5.0 || iouShort);
    }
    std::printf("%d case(s) outside the targets (%d of them by a loss IoU over a true loss area "
                "under %.0f%% of the scalp; %d of them diffuse thinning); %d with a point's "
                "tolerance at the grade line\n",
                outside, scantLoss, 100.0 * kScantLoss, diffuseOutside, outsideClearOfLine);
}

// The case of `cases` called `name` (PhantomCase::name); the test fails where none is.
const test::PhantomCase &phantomNamed(const std::vector<test::PhantomCase> &cases,
                                      const std::string &name)
{
    const auto it = std::find_if(cases.begin(), cases.end(),
                                 [&](const test::PhantomCase &c) { return c.name == name; });
    REQUIRE(it != cases.end());
    return *it;
}

} // namespace

TEST_CASE("analysis across skin tones, hair colours, loss patterns, light, blur, noise and JPEG",
          "[analysis][phantoms]")
{
    // The targets are met for sharp dark hair on very light to dark skin; blurred (sigma 1 px:
    // very light and tan skin since the table's layout of 2026-12-02) it reads 4-7 points over, the
    // hair end (the darkest 2%) being a mix once blur spreads each strand. Light hair on lighter
    // skin is unmixed in colour since 1.2 (lightness alone: 10-20 points, IoU 0.16-0.47): the
    // coverage is near the target, the loss area not yet. The rest (light hair on darker skin,
    // dark hair on very dark skin: 11 points until 1.5 read its shaded side as bald, 6 until
    // 1.11 its darkest rim) are known shortfalls, guarded against getting worse
    // (docs/analysis.md). Since 1.20 a soft photo's sparse hair takes its end from the darkest
    // 0.5% (the blurred cases 4.5-8.3 -> 2.8-3.4 points): every case but light hair on lighter
    // skin meets the coverage target; their loss IoU does not yet (0.67-0.84).
    checkPhantomCases(test::phantomCases(800), {5.0, 0.65, 0.0}, {7.5, 0.5, 0.0}, {5.0, 0.0, 0.0});
}

TEST_CASE("a near tie between skin and hair is said, and not when the technician gave the tone",
          "[analysis][phantoms]")
{
    // On very dark skin the reddest fifth lies within 3 L* of the head's median whichever way
    // the hair lies (2.75 L* on these two heads): the way round is decided by the second test,
    // right here, but the map is the likeliest to be inside out, and the result says so
    // (Result::hairToneCloseCall; the viewer and `smp analyze` then say what to do). Light
    // skin's skin lies far over the median of dark hair.
    const auto cases = test::phantomCases(800);
    const auto named = [&](const std::string &name) {
        const auto c = std::find_if(cases.begin(), cases.end(),
                                    [&](const test::PhantomCase &p) { return p.name == name; });
        REQUIRE(c != cases.end());
        return *c;
    };
    const struct
    {
        const char *name;
        bool closeCall;
        analysis::HairTone read;
    } expected[] = {
        {"very dark skin, dark hair", true, analysis::HairTone::DarkerThanSkin},
        {"very dark skin, grey hair", true, analysis::HairTone::LighterThanSkin},
        {"light skin, dark hair", false, analysis::HairTone::DarkerThanSkin},
    };
    for (const auto &e : expected) {
        INFO(e.name);
        const test::DegradedPhantom degraded = test::degradedPhantom(named(e.name));
        const QImage &photo = degraded.photo;
        const analysis::RgbImage image{photo.width(), photo.height(), photo.bytesPerLine(),
                                       photo.constBits()};
        const analysis::Result automatic = analysis::analyze(image, {});
        REQUIRE(automatic.scalpFound);
        CHECK(automatic.hairTone == e.read);
        CHECK(automatic.hairToneCloseCall == e.closeCall);
        analysis::Parameters told;
        told.hairTone = e.read;
        const analysis::Result given = analysis::analyze(image, told);
        CHECK(given.hairToneGiven);
        CHECK_FALSE(given.hairToneCloseCall);
    }
}

TEST_CASE("denser phantoms (1600 x 1200, analysed at 1024 px): measured, guarded, short of the "
          "targets",
          "[analysis][phantoms]")
{
    // The same cases drawn at twice the size carry about 80% coverage on a full head instead of
    // 30%: little skin shows between the hairs. Until 1.4 the skin reference (the lightest 5% per
    // block) was partly hair there and the hair end a shine or shade of it, and every case
    // under-read (dark hair by 6.5-8.3 points, light hair by 12-31). Since 1.4 dark hair on
    // lighter skin meets the coverage target here too (blurred: 3.5-4.9 points); the rest is
    // guarded (docs/analysis.md; dark hair on very dark skin 20 points until 1.5, 11 until 1.19,
    // now 4.6; grey and blond on tan skin 24-26 points until 1.7, when the spread of light
    // hair's shades hid its end). Since 1.22, which takes a dense head's colour ends where the
    // JPEG dilutes the colour least, grey and blond on very light to tan skin read 1.8-6.6
    // points (1.1-6.9 in 1.21; summed over the table 60.7 -> 56.0).
    // The IoU of a loss area under 2% of the scalp says little (medium skin: 0.5%).
    checkPhantomCases(test::phantomCases(1600), {5.0, 0.85, 0.02}, {16.0, 0.0, 0.0},
                      {12.0, 0.0, 0.0});
}

TEST_CASE("phantoms at a clinic camera's 12 MP, as dense as the 1600 px ones: the targets, "
          "where the loss is at least 2% of the scalp",
          "[analysis][phantoms][12mp]")
{
    // A clinic's photos are 12 MP; the tables above draw 800 and 1600 px. The phantom scales its
    // strands' width and length with the picture but draws a fixed number per square pixel, so
    // drawn at 4000 x 3000 as it is a head is six times as densely covered as at 1600 px: a mat
    // of hair with no skin between (the benchmark's photo; the grey head below). Here the 1600
    // px cases are drawn at 4000 x 3000 with the strands per pixel scaled down to the same
    // coverage of the head, and their blur scaled up with the picture (sigma 2.5 px). Measured
    // 2026-12-02 (1.15): 14 of 18 within 5 points (1.2-4.8), 12 of 18 over 0.85 IoU; dark hair
    // on tan skin blurred 6.6 points, dark skin grey hair blurred 6.9, very dark skin blond
    // blurred 6.1, dark hair on very dark skin 9.6 (3.2 since 1.19; docs/analysis.md). Since
    // 1.21 (a soft photo's peak of pure hair moved towards its extreme) every case is within 5
    // points (1.2-4.0) and every loss IoU over 0.85 (0.91-0.99) where the true loss covers at
    // least 2% of the scalp; the six under it (0.9-1.8% of the scalp: diffuse thinning, which
    // draws almost no advanced or bald area) are measured, not held.
    auto cases = test::phantomCases(4000);
    for (auto &c : cases) {
        c.phantom.strandsPerPixel *= (1600.0 / 4000.0) * (1600.0 / 4000.0);
        c.blurSigma *= 4000.0 / 1600.0;
    }
    checkPhantomCases(cases, {5.0, 0.85, 0.02}, {5.0, 0.85, 0.02}, {5.0, 0.85, 0.02});
}

TEST_CASE("phantoms at 800 px with as much hair as the 1600 px ones: measured, guarded, short "
          "of the targets",
          "[analysis][phantoms][normal800]")
{
    // The phantom draws a fixed number of strands per square pixel, so the 800 px table above
    // draws a quarter of the 1600 px head's strands: about 40 per cm2 at full density where the
    // 1600 px head has 160 (the sample's marker: 0.167 mm/px at 1600 px; a normal scalp has
    // 175-300 hairs per cm2, PRODUCT.md), a full head about 37% covered. Here the same head as at
    // 1600 px, drawn at 800 x 600 (strands 0.55-1.1 px wide), as a low-resolution photo of a
    // normal head would show it; the real photographs (640 px) are of this kind. Measured
    // 2026-12-04 (1.21): 14 of 18 outside, 2.0-14.7 points; the peak of pure hair hairEnd()
    // finds is strands mixed with skin (dark hair: 17-25 L* where the hair is 11-16), and dense
    // dark hair reads 4-9 points over, light hair on lighter skin 8-15 off (docs/analysis.md,
    // "A normal head's hair at 800 px"). Guarded, with the loss IoU of dark hair on lighter
    // skin (0.86-0.97) where the loss is at least 2% of the scalp.
    auto cases = test::phantomCases(800);
    for (auto &c : cases)
        c.phantom.strandsPerPixel *= (1600.0 / 800.0) * (1600.0 / 800.0);
    checkPhantomCases(cases, {10.5, 0.8, 0.02}, {13.0, 0.0, 0.0}, {13.0, 0.0, 0.0});
}

namespace {

// Prints each case's row read by the analysis and with its exact ends (test::scoreExactEnds()),
// and holds the exact readings to `along` (dark hair on lighter skin, alongSkinToHair) and
// `greyShare` (grey hair, skinShare): coverage errors under each, in points, and for dark hair
// a loss IoU over `alongIoU` (0: not checked). Those bounds say that the truth agrees with the
// pixels drawn. `localSkinWithin` (0: not checked): grey hair's skin share read against the
// skin known only as smoothed over kLocalSkinSigmaPx scores a loss IoU within it of the exact
// skin's, which says that a local skin is all that reading needs; the rest is measured
// (docs/analysis.md, "What the pixels allow").
void checkExactEnds(const std::vector<test::PhantomCase> &cases, double along, double alongIoU,
                    double greyShare, double localSkinWithin = 0)
{
    int analysisAtBest = 0;
    for (const auto &c : cases) {
        const auto score = test::scorePhantom(c);
        const auto [line, skin, localSkin] = test::scoreExactEnds(c, score.result);
        std::printf("| %-27s | %5.2f | %.3f | %5.2f | %+6.2f | %.3f | %5.2f | %+6.2f | %.3f | "
                    "%5.2f | %+6.2f | %.3f |\n",
                    c.name.c_str(), score.coverageErrorPp, score.lossIoU, line.coverageErrorPp,
                    line.meanCoverageErrorPp, line.lossIoU, skin.coverageErrorPp,
                    skin.meanCoverageErrorPp, skin.lossIoU, localSkin.coverageErrorPp,
                    localSkin.meanCoverageErrorPp, localSkin.lossIoU);
        analysisAtBest += score.lossIoU >= std::max(line.lossIoU, skin.lossIoU) - 0.02;
        INFO(c.name);
        if (isDarkHairOnLighterSkin(c)) {
            CHECK(line.coverageErrorPp < along);
            if (alongIoU > 0)
                CHECK(line.lossIoU > alongIoU);
        }
        if (c.name.find("grey hair") != std::string::npos) {
            CHECK(skin.coverageErrorPp < greyShare);
            if (localSkinWithin > 0)
                CHECK(localSkin.lossIoU > skin.lossIoU - localSkinWithin);
        }
    }
    std::printf("%d case(s) whose loss IoU is within 0.02 of the better exact reading's or over "
                "it\n",
                analysisAtBest);
}

} // namespace

TEST_CASE("the phantoms read with their exact ends: what their pixels allow",
          "[analysis][phantoms][exact]")
{
    // Each row: the analysis's coverage error and loss IoU, then the exact ends' (error, bias,
    // IoU) along the line from skin to hair, as the share of skin hidden, and as that share
    // with the skin known only as smoothed over 16 px. Measured 2026-12-06 (docs/analysis.md,
    // "What the pixels allow"): at 800 px dark hair on very light to dark skin reads 0.2-0.8
    // points off along the line (IoU 0.94-0.99), grey hair 0.8-1.4 as the skin's share; at 800
    // px with the 1600 px heads' hair, 1.0-2.5 and 2.7-3.4. 2026-12-07: grey hair's share with
    // the skin known over 16 px, loss IoU 0.87-0.96 at 800 px, within 0.015 of the exact skin's.
    SECTION("800 px")
    {
        checkExactEnds(test::phantomCases(800), 1.0, 0.92, 2.0, 0.03);
    }
    SECTION("800 px, as much hair as at 1600 px")
    {
        auto cases = test::phantomCases(800);
        for (auto &c : cases)
            c.phantom.strandsPerPixel *= (1600.0 / 800.0) * (1600.0 / 800.0);
        checkExactEnds(cases, 3.5, 0.0, 4.0);
    }
}

TEST_CASE("a top view's mat of fine grey hair is read from its lightness's strands",
          "[analysis][phantoms]")
{
    // The 800 px normal head of grey hair on medium skin (JPEG quality 70): strands 0.55-1.1 px
    // wide, whose colour the JPEG smooths as flat as bare skin's. Until 1.26 the colour strand
    // test scaled such patches to nothing: 10.67 points off (-9.36), loss IoU 0.906. Its L*
    // keeps the strands, and on a top view (scalp alone) vouches for them: 3.95 (+0.25), 0.921.
    auto cases = test::phantomCases(800);
    const auto it = std::find_if(cases.begin(), cases.end(), [](const test::PhantomCase &c) {
        return c.name == "medium skin, grey hair";
    });
    REQUIRE(it != cases.end());
    test::PhantomCase c = *it;
    c.phantom.strandsPerPixel *= (1600.0 / 800.0) * (1600.0 / 800.0);
    analysis::Parameters top;
    top.view = analysis::View::Top;
    const test::PhantomScore score = test::scorePhantom(c, top);
    CHECK(score.result.unmixing.rfind("colour", 0) == 0);
    CHECK(score.coverageErrorPp < 5.0);
    CHECK(std::abs(score.meanCoverageErrorPp) < 2.0);
    CHECK(score.lossIoU > 0.9);
}

TEST_CASE("dense dark hair's lit sheen is read as hair, not as bare skin", "[analysis][phantoms]")
{
    // No phantom table draws sheen: light falling on dense dark hair lights its strands to
    // near the skin's lightness, in a colour that is not the skin's. Until 1.27 such strands
    // read as bare skin, and on the real photographs' top views full heads mapped as patches of
    // bald. Here a dense head of dark hair on light skin (800 px, twice the strands of the
    // 800 px normal head; its vertex and frontal recession thin, so skin shows there) gets a band
    // of sheen across its middle: in half of its 3 x 3 px cells (at random) the strands are
    // blended towards a light brownish grey (L* about 60, the skin's 77), most in the band's
    // middle, the skin between them left as it is; JPEG quality 90. Its dense part (true
    // coverage 0.94) reads 0.94 without the sheen; with it 0.56 in 1.26, 0.92 since 1.27 (the
    // blocks where a fifth or more of the pixels are skin-coloured keep the lightness reading).
    imaging::SampleScalpParameters spec;
    spec.widthPx = 800;
    spec.heightPx = 600;
    spec.strandsPerPixel *= 8.0;
    spec.skin = QColor(222, 178, 150);
    spec.hair = QColor(40, 32, 26);
    const imaging::ScalpPhantom phantom = imaging::drawScalpPhantom(spec);
    constexpr int kBandTop = 230, kBandBottom = 330; // px, the sheen's rows
    const QColor sheen(150, 144, 128);
    QImage lit = phantom.photo.convertToFormat(QImage::Format_RGB888);
    std::mt19937 random(7);
    std::bernoulli_distribution litCell(0.5);
    std::vector<bool> cellLit(
        static_cast<std::size_t>((lit.width() / 3 + 1) * (lit.height() / 3 + 1)));
    for (auto &&cell : cellLit)
        cell = litCell(random);
    for (int y = kBandTop; y < kBandBottom; ++y) {
        const double across = (y - kBandTop) / double(kBandBottom - kBandTop); // 0..1
        const double strength = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * across);
        const uchar *hairRow = phantom.hairMask.constScanLine(y);
        uchar *row = lit.scanLine(y);
        for (int x = 0; x < lit.width(); ++x) {
            if (!cellLit[static_cast<std::size_t>((y / 3) * (lit.width() / 3 + 1) + x / 3)])
                continue;
            const double w = strength * hairRow[x] / 255.0;
            for (int c = 0; c < 3; ++c) {
                const int target = c == 0 ? sheen.red() : c == 1 ? sheen.green() : sheen.blue();
                uchar &v = row[3 * x + c];
                v = static_cast<uchar>(std::lround(v + w * (target - v)));
            }
        }
    }
    const analysis::Result plain =
        analyzeAsView(test::jpegRoundTrip(phantom.photo.convertToFormat(QImage::Format_RGB888), 90),
                      analysis::View::Top);
    const analysis::Result withSheen =
        analyzeAsView(test::jpegRoundTrip(lit, 90), analysis::View::Top);
    REQUIRE(plain.mapWidth == 800);
    REQUIRE(withSheen.mapWidth == 800);
    // The band's dense part: the middle half of its rows, where the true hair covers at least
    // 90% of a 19 px window.
    cv::Mat hair(phantom.hairMask.height(), phantom.hairMask.width(), CV_8U,
                 const_cast<uchar *>(phantom.hairMask.constBits()),
                 static_cast<std::size_t>(phantom.hairMask.bytesPerLine()));
    cv::Mat trueCoverage;
    cv::boxFilter(hair, trueCoverage, CV_32F, cv::Size(19, 19));
    double plainSum = 0, sheenSum = 0, truthSum = 0;
    int pixels = 0;
    for (int y = kBandTop + 25; y < kBandBottom - 25; ++y)
        for (int x = 0; x < 800; ++x) {
            const auto i = static_cast<std::size_t>(y * 800 + x);
            if (trueCoverage.at<float>(y, x) < 0.9f * 255.0f ||
                plain.labels[i] == analysis::Label::Background)
                continue;
            plainSum += static_cast<double>(plain.coverage[i]);
            sheenSum += static_cast<double>(withSheen.coverage[i]);
            truthSum += static_cast<double>(trueCoverage.at<float>(y, x)) / 255.0;
            ++pixels;
        }
    REQUIRE(pixels > 5000);
    INFO("dense band: truth " << truthSum / pixels << ", read without sheen " << plainSum / pixels
                              << ", with sheen " << sheenSum / pixels << " (" << withSheen.unmixing
                              << ")");
    CHECK(std::abs(plainSum - truthSum) / pixels < 0.08);
    CHECK((plainSum - sheenSum) / pixels < 0.05);
}

TEST_CASE("phantoms whose hair is shaded with the head: measured, guarded, short of the targets",
          "[analysis][phantoms][shaded]")
{
    // The phantoms above paint the head's shading (lighter up and left, a third darker at the
    // rim) into the skin only; on a real head it falls on the hair as well. With the strands
    // shaded too, light hair's coverage follows the light, the analysis's hair end being one
    // value per head (dense dark hair on very dark skin reads thinner the darker the side, 31
    // points at 1600 px; dense blond on tan skin lit from one side 33 until 1.14, now 4.4).
    // Measured here so that work on it shows, guarded against getting worse (docs/analysis.md).
    // Until 1.9 sparse grey and blond hair on tan skin read as dark hair, their shaded skin as
    // the hair (15-17 points at 800 px); and dense blond on medium skin and grey and blond on tan
    // skin, unmixed in lightness, 33-44 points at 1600 px. Since 1.17 dense dark hair is read
    // with the light on the hair divided out: at 1600 px dark hair meets the targets on lighter
    // skin (1.0-3.8 points, 3.4-6.8 before) and on very dark skin reads 5.3 points (31 before).
    // Since 1.19 dense grey and blond hair on dark and very dark skin is too: 8.4-11.9 -> 3.0-7.9.
    // Since 1.30 sparse grey and blond on tan to very dark skin at 800 px is read with the light
    // its skin shows (3.9-8.0 -> 1.2-5.1 points): the rest of the table is held to 7 (it was 9).
    SECTION("800 x 600")
    {
        checkPhantomCases(test::phantomCases(800, true), {5.0, 0.6, 0.0}, {12.0, 0.0, 0.0},
                          {7.0, 0.0, 0.0});
    }
    SECTION("1600 x 1200")
    {
        checkPhantomCases(test::phantomCases(1600, true), {5.0, 0.85, 0.02}, {16.0, 0.0, 0.0},
                          {13.0, 0.0, 0.0});
    }
}

TEST_CASE("even heads, no loss drawn: measured, guarded, short of the targets",
          "[analysis][phantoms][even]")
{
    // The phantom cases drawn with no loss: a diffuse thinner or a full head, where no bald
    // skin shows to tell the skin's colour and lightness from. Coverage is scored, not the loss
    // area (there is none). Until 1.11 the reddest fifth of the head, taken for its skin, was
    // on pale skin the edges of the dark strands (a dark pixel's a* swings widest with noise),
    // and dark hair on very light and light skin read as light hair on darker skin, 30 and 34
    // points over at 800 px; and dense light hair at 1600 px, unmixed in colour against a skin
    // reference mixed with hair, read 10-21 points thin. Until 1.14 dense blond on very light
    // and light skin read 45 points thin and on tan skin lit from one side 29, the colour
    // ratio's noisy extreme taken for the hair end (now 2.1-4.5: the light-hair bound at 1600 px
    // was 48). Dense dark hair on very dark skin lit from one side read 27 points until 1.12,
    // 9.2 until 1.19, now 3.1. Dense dark hair blurred on very light skin read 10-11 points
    // thin until 1.28 (its skin end, the blocks' 95th percentile, skin mixed with hair by the
    // blur), 3.9 since, when a soft photo's dense blocks take their lightest 1%: dark hair on
    // lighter skin at 1600 px is held to the target. Sparse blurred dark hair on very light
    // skin read 8.6 in 1.17-1.19, 3.5 since 1.20 (a soft photo's sparse hair end). Dense
    // light hair with no thin area, read in colour, took a skin end mixed with hair until 1.29
    // (grey on very light and dark skin 7.9 and 5.8 points thin, blond on medium skin 6.0);
    // since, every case at 1600 px but light hair on lighter skin is held to the target, and
    // that to 8 points (blond on light skin 7.0, its skin end now in the noise). Sparse light
    // hair read in colour, with no bare patch, took its reddest fifth, hair mixed with skin, for
    // its skin end until 1.37 (blond on very light and light skin 6.8 and 6.4 points thin, 7.1
    // and 6.6 before 1.35); since, its skin end is the mean colour ratio of the pixels it reads
    // nearly bare, and every case at 800 px is held to the target.
    SECTION("800 x 600")
    {
        checkPhantomCases(test::phantomCases(800), {5.0, 0.0, 0.0}, {5.0, 0.0, 0.0},
                          {5.0, 0.0, 0.0}, Loss::NoneDrawn);
    }
    SECTION("1600 x 1200")
    {
        checkPhantomCases(test::phantomCases(1600), {5.0, 0.0, 0.0}, {8.0, 0.0, 0.0},
                          {5.0, 0.0, 0.0}, Loss::NoneDrawn);
    }
}

TEST_CASE("ears are not scalp on top, crown and back views, and the head's outline stays",
          "[analysis]")
{
    // The phantom's ears: ellipses centred 1.02 head radii left and right of the head's centre
    // (400, 318) of an 800 x 600 photo, head radii 240 x 264 px; they stick out by about 26 px.
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    const imaging::ScalpPhantom phantom = imaging::drawScalpPhantom(c.phantom);
    const QImage rgb = phantom.photo.convertToFormat(QImage::Format_RGB888);
    const auto labelAt = [](const analysis::Result &r, int x, int y) {
        return r.labels[static_cast<std::size_t>(y * r.mapWidth + x)];
    };
    for (const analysis::View view : {analysis::View::Top, analysis::View::Front}) {
        const analysis::Result r = analyzeAsView(rgb, view);
        REQUIRE(r.mapWidth == 800);
        const bool earsOff = view == analysis::View::Top;
        INFO("view " << static_cast<int>(view));
        // The outer parts of both ears.
        CHECK((labelAt(r, 145, 305) == analysis::Label::Background) == earsOff);
        CHECK((labelAt(r, 655, 305) == analysis::Label::Background) == earsOff);
        // The head itself, edge to edge (its outline's hair fringe included).
        CHECK(labelAt(r, 400, 318) != analysis::Label::Background);
        CHECK(labelAt(r, 400, 60) != analysis::Label::Background);
        CHECK(labelAt(r, 168, 400) != analysis::Label::Background);
    }
}

TEST_CASE("ears come off a head turned a few degrees in the frame", "[analysis]")
{
    // Photos are not taken square to the head: the phantom above, turned about its head's centre
    // (400, 318) on its own background. Both ears' outer parts must come off a top view, the head
    // stay. (Until 1.42 this phantom turned -6 degrees kept its right ear, and the sample photo
    // turned 3 degrees one of its own: the ear's piece outside the head's oval, joined to a
    // fringe of the outline, filled under half its upright bounding box.)
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    const QImage upright = imaging::drawScalpPhantom(c.phantom).photo;
    const QPointF centre(400, 318);
    for (const double degrees : {-6.0, -3.0, 3.0, 6.0}) {
        INFO("turned " << degrees << " degrees");
        QImage turned(upright.size(), QImage::Format_RGB32);
        turned.fill(upright.pixelColor(2, 2));
        QTransform t;
        t.translate(centre.x(), centre.y());
        t.rotate(degrees);
        t.translate(-centre.x(), -centre.y());
        {
            QPainter painter(&turned);
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            painter.setTransform(t);
            painter.drawImage(0, 0, upright);
        }
        const analysis::Result r =
            analyzeAsView(turned.convertToFormat(QImage::Format_RGB888), analysis::View::Top);
        REQUIRE(r.mapWidth == 800);
        const auto labelAt = [&r, &t](double x, double y) {
            const QPoint p = t.map(QPointF(x, y)).toPoint();
            return r.labels[static_cast<std::size_t>(p.y() * r.mapWidth + p.x())];
        };
        CHECK(labelAt(145, 305) == analysis::Label::Background);
        CHECK(labelAt(655, 305) == analysis::Label::Background);
        CHECK(labelAt(400, 318) != analysis::Label::Background);
        CHECK(labelAt(400, 60) != analysis::Label::Background);
        CHECK(labelAt(168, 400) != analysis::Label::Background);
    }
}

TEST_CASE("seen from behind, bare skin on the outline apart from the crown is not scalp",
          "[analysis]")
{
    // A bare lobe of skin over the phantom's lower left rim (an ear seen flat, which
    // takeOffEars() leaves but for its part outside the head's oval, which it takes as an ear
    // since 1.42: it lies mostly inside), 800 x 600: the head's centre (400, 318), radii
    // 240 x 264 px, so its outline at y = 440 lies at x = 187; the lobe spans x = 178..214,
    // under the 53 px depth limit (0.12 of the head area's square root), 3,960 px in all.
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    QImage photo = imaging::drawScalpPhantom(c.phantom).photo;
    {
        QPainter painter(&photo);
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setPen(Qt::NoPen);
        painter.setBrush(c.phantom.skin);
        painter.drawEllipse(QPointF(196, 440), 18, 70);
    }
    const QImage rgb = photo.convertToFormat(QImage::Format_RGB888);
    const auto at = [](const analysis::Result &r, int x, int y) {
        return static_cast<std::size_t>(y * r.mapWidth + x);
    };
    double backTakenOffPx = 0;
    for (const analysis::View view : {analysis::View::Back, analysis::View::Top}) {
        const analysis::Result r = analyzeAsView(rgb, view);
        REQUIRE(r.mapWidth == 800);
        INFO("view " << static_cast<int>(view));
        const analysis::Grade lobe = r.grades[at(r, 196, 440)];
        // The ears come off both views, and the lobe's lower part outside the oval; the rest
        // of the lobe (about 2,500 px) adds to what a back view says it took off.
        CHECK(r.takenOffPx > 0);
        CHECK(r.labels[at(r, 184, 490)] == analysis::Label::Background);
        if (view == analysis::View::Back)
            backTakenOffPx = r.takenOffPx;
        else
            CHECK(backTakenOffPx > r.takenOffPx + 20 * 100);
        if (view == analysis::View::Back) {
            CHECK(lobe == analysis::Grade::NotScalp);
            CHECK(r.labels[at(r, 196, 440)] == analysis::Label::Background);
        } else {
            // Seen from above such a rim is the frontal recession: it stays, graded as loss.
            CHECK((lobe == analysis::Grade::Bald || lobe == analysis::Grade::Advanced));
        }
        // The crown's loss stays on both, and so does the hair between it and the lobe.
        CHECK(r.grades[at(r, 390, 390)] == analysis::Grade::Bald);
        CHECK(r.grades[at(r, 250, 440)] != analysis::Grade::NotScalp);
    }
}

TEST_CASE("a photo that shows no scalp says so instead of inventing regions", "[analysis]")
{
    // A landscape: sky over a green field.
    QImage landscape(800, 600, QImage::Format_RGB32);
    QPainter painter(&landscape);
    painter.fillRect(0, 0, 800, 300, QColor(120, 170, 235));
    painter.fillRect(0, 300, 800, 300, QColor(70, 150, 60));
    painter.setBrush(QColor(40, 110, 40));
    painter.drawEllipse(QPointF(400, 330), 200, 90);
    painter.end();
    auto result = analyzeQImage(landscape);
    CHECK_FALSE(result.scalpFound);
    CHECK(result.regions.empty());
    CHECK(result.scalpConfidence < 0.5);
    CHECK_FALSE(result.noScalpReason.empty());
    // Nor does the texture check mark anything: it says why it does not apply.
    CHECK_FALSE(result.texture.applies);
    CHECK_FALSE(result.texture.reason.empty());

    // A document: black lines of text on paper of this colour.
    const auto page = [](QColor paper) {
        QImage document(800, 600, QImage::Format_RGB32);
        document.fill(paper);
        QPainter text(&document);
        text.setPen(Qt::NoPen);
        text.setBrush(Qt::black);
        for (int y = 60; y < 560; y += 24)
            for (int x = 60; x < 740; x += 37)
                text.drawRect(x, y, 28, 9);
        text.end();
        return document;
    };
    result = analyzeQImage(page(Qt::white));
    CHECK_FALSE(result.scalpFound);
    CHECK(result.regions.empty());

    // Grey and textured, as a full head of grey hair is, but with no skin showing: a page in
    // shade, and a knitted grey sweater filling the middle of the frame.
    result = analyzeQImage(page(QColor(170, 170, 168)));
    CHECK_FALSE(result.scalpFound);
    QImage sweater(800, 600, QImage::Format_RGB32);
    sweater.fill(QColor(60, 90, 140));
    std::mt19937 random(3);
    std::normal_distribution<double> knit(150.0, 18.0);
    for (int y = 100; y < 500; ++y)
        for (int x = 180; x < 620; ++x) {
            const int v = std::clamp(static_cast<int>(knit(random)), 0, 255);
            sweater.setPixel(x, y, qRgb(v, v, v - 2));
        }
    result = analyzeQImage(sweater);
    CHECK_FALSE(result.scalpFound);
    CHECK(result.regions.empty());

    // A nearly uniform frame: black (a lens cap; it read as a full head of dark hair, 100%
    // covered, stage I), with a little sensor noise, and a blank grey one.
    for (const int level : {6, 128}) {
        QImage blank(800, 600, QImage::Format_RGB32);
        std::normal_distribution<double> noise(level, 2.0);
        for (int y = 0; y < blank.height(); ++y)
            for (int x = 0; x < blank.width(); ++x) {
                const int v = std::clamp(static_cast<int>(std::lround(noise(random))), 0, 255);
                blank.setPixel(x, y, qRgb(v, v, v));
            }
        INFO("grey level " << level);
        result = analyzeQImage(blank);
        CHECK_FALSE(result.scalpFound);
        CHECK(result.scalpConfidence == 0);
        CHECK(result.regions.empty());
        CHECK_THAT(result.noScalpReason, Catch::Contains("nearly uniform"));
    }

    // The sample photo under a quarter of its exposure (no flash in a dim room): too dark to
    // tell hair from skin (it read 96% covered, stage I, at a fifth). At half its exposure it is
    // read, as its thinning shows.
    const QImage sample = smp::imaging::drawSampleScalp({});
    const auto exposed = [&sample](double gain) {
        QImage dim = sample.convertToFormat(QImage::Format_RGB32);
        for (int y = 0; y < dim.height(); ++y) {
            auto *line = reinterpret_cast<QRgb *>(dim.scanLine(y));
            for (int x = 0; x < dim.width(); ++x)
                line[x] = qRgb(static_cast<int>(qRed(line[x]) * gain),
                               static_cast<int>(qGreen(line[x]) * gain),
                               static_cast<int>(qBlue(line[x]) * gain));
        }
        return analyzeQImage(dim);
    };
    result = exposed(0.25);
    CHECK_FALSE(result.scalpFound);
    CHECK(result.regions.empty());
    CHECK_THAT(result.noScalpReason, Catch::Contains("too dark to tell hair from skin"));
    result = exposed(0.5);
    CHECK(result.scalpFound);
    CHECK(result.norwood.level >= 3);
    // As dark a frame, well lit: a close-up of very dark skin with dark hair (the phantoms'
    // colours), the frame all scalp. Its skin keeps its colour, and it is read, close to the
    // truth (it was refused as too dark until 2026-12-06).
    imaging::SampleScalpParameters veryDark;
    veryDark.skin = QColor(72, 48, 36);
    veryDark.hair = QColor(40, 32, 26);
    const imaging::ScalpPhantom phantom = imaging::drawScalpPhantom(veryDark);
    const QRect closeUp(500, 300, 600, 600);
    const QImage closeUpPhoto = phantom.photo.copy(closeUp);
    QImage closeUpRgb = closeUpPhoto.convertToFormat(QImage::Format_RGB888);
    cv::Mat lab;
    cv::cvtColor(cv::Mat(closeUpRgb.height(), closeUpRgb.width(), CV_8UC3, closeUpRgb.bits(),
                         static_cast<std::size_t>(closeUpRgb.bytesPerLine())),
                 lab, cv::COLOR_RGB2Lab);
    cv::Mat lightness;
    cv::extractChannel(lab, lightness, 0);
    lightness = lightness.reshape(1, 1).clone();
    cv::sort(lightness, lightness, cv::SORT_EVERY_ROW | cv::SORT_ASCENDING);
    const double lightestL = lightness.at<std::uint8_t>(0, lightness.cols * 99 / 100) / 2.55;
    REQUIRE(lightestL < 30.0); // as dark as the underexposed frames refused above
    double trueCoverage = 0;
    const QImage truth = phantom.hairMask.copy(closeUp);
    for (int y = 0; y < truth.height(); ++y)
        for (int x = 0; x < truth.width(); ++x)
            trueCoverage += qGray(truth.pixel(x, y)) / 255.0;
    trueCoverage *= 100.0 / (truth.width() * truth.height());
    result = analyzeQImage(closeUpPhoto);
    INFO(result.noScalpReason);
    REQUIRE(result.scalpFound);
    CHECK(std::abs(result.coveragePercent - trueCoverage) < 5.0);

    // The sample photo in black and white: skin is told from hair by its colour, and it read
    // 78.6% covered (64.5% in colour).
    result = analyzeQImage(
        sample.convertToFormat(QImage::Format_Grayscale8).convertToFormat(QImage::Format_RGB32));
    CHECK_FALSE(result.scalpFound);
    CHECK(result.scalpConfidence == 0);
    CHECK(result.regions.empty());
    CHECK_THAT(result.noScalpReason, Catch::Contains("the photo has no colour"));
}

TEST_CASE("a full head of grey hair showing little skin is a scalp", "[analysis]")
{
    // Drawn at 4000 x 3000 px with its strands per pixel as at 1600 px, the phantom's grey head
    // is six times as densely covered (the phantoms above): a full head of grey hair, 5% of it
    // skin-coloured, 96% grey, almost none dark, and until 2026-12-02 it was "no scalp" (the
    // benchmark's grey-hair case measured that early return). Its grey strands now stand in for
    // the skin.
    imaging::SampleScalpParameters big;
    big.widthPx = 4000;
    big.heightPx = 3000;
    big.skin = QColor(222, 178, 150);
    big.hair = QColor(165, 165, 160);
    const auto result = analyzeQImage(imaging::drawSampleScalp(big));
    REQUIRE(result.scalpFound);
    CHECK(result.scalpConfidence >= 0.5);
    CHECK(result.coveragePercent > 40.0);
    // The drawn vertex (a quarter of the head's height below its centre) grades as thinning.
    const auto gradeAt = [&](double x, double y) {
        return result.grades.at(static_cast<std::size_t>(y / result.photoPxPerMapPx) *
                                    static_cast<std::size_t>(result.mapWidth) +
                                static_cast<std::size_t>(x / result.photoPxPerMapPx));
    };
    CHECK(gradeAt(2060, 1960) >= analysis::Grade::Moderate);
}

TEST_CASE("a full head of grey or light-brown hair showing no skin is a scalp", "[analysis]")
{
    // Until 1.4 only dark hair (L* under 35) stood in for the skin: a full head of slate-grey or
    // short light-brown hair (5 of the real photographs each) was "not a scalp".
    struct Hair
    {
        const char *name;
        QColor base, strand;
    };
    for (const Hair &hair : {Hair{"slate grey", QColor(95, 100, 110), QColor(140, 145, 155)},
                             Hair{"light brown", QColor(112, 104, 72), QColor(150, 140, 100)}}) {
        INFO(hair.name);
        const QImage photo = drawFullHeadOfHair(hair.base, hair.strand, 7);
        const auto result = analyzeQImage(photo);
        CHECK(result.scalpFound);
        CHECK(result.scalpConfidence >= 0.5);
        // And it reads as covered: no skin shows, so its sheen is not taken for skin (until 1.4
        // such heads mapped as patches of loss).
        CHECK(result.coveragePercent > 80.0);
    }
}

TEST_CASE("a full head of near-black hair with no skin showing reads as covered", "[analysis]")
{
    // The lightest pixels of such a head are hair too: there is no skin-to-hair contrast to
    // unmix. Until 1.4 every pixel then read as bare skin, the head as bald (coverage 0%).
    const QImage photo = drawFullHeadOfHair(QColor(28, 26, 25), QColor(44, 41, 39), 11);
    const auto result = analyzeQImage(photo);
    REQUIRE(result.scalpFound);
    CHECK(result.unmixing == "full head");
    CHECK(result.coveragePercent > 80.0);
    const auto bald = std::count(result.grades.begin(), result.grades.end(), analysis::Grade::Bald);
    CHECK(bald < static_cast<long>(result.grades.size() / 100));
}

TEST_CASE("a full head of dark brown hair lit from above reads as hair, not as bare scalp",
          "[analysis]")
{
    // Seen from behind: dense dark brown hair (a little red, chroma 5-7, as on the real
    // photographs), a strip of neck below it, and the top of the head lit, its hair up to 1.9
    // times as light. Until 1.39 its dark strands passed for skin-coloured: the head missed the
    // full-head rule, the reddest strands stood in for the skin, and the lit hair, lighter than
    // that, read as bare (56-64% covered, 12-16% of the head advanced or bald).
    for (const auto &[base, strand] : {std::pair{QColor(38, 29, 26), QColor(58, 46, 41)},
                                       std::pair{QColor(34, 27, 24), QColor(52, 42, 37)}}) {
        INFO("hair " << base.name().toStdString());
        QImage photo = drawFullHeadOfHair(base, strand, 13);
        {
            QPainter painter(&photo);
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(196, 146, 118));
            painter.drawRect(QRectF(330, 500, 140, 100));
        }
        // The light: 1 at y = 230 px, rising to 1.9 at the top of the head (y = 50 px).
        for (int y = 50; y < 230; ++y) {
            const double gain = 1.0 + 0.9 * (230 - y) / 180.0;
            for (int x = 0; x < photo.width(); ++x) {
                const QColor c = photo.pixelColor(x, y);
                if (c.red() > 150) // the backdrop
                    continue;
                const auto lit = [gain](int value, int sheen) {
                    return std::min(255, static_cast<int>(value * gain) + sheen);
                };
                photo.setPixelColor(x, y,
                                    QColor(lit(c.red(), 8), lit(c.green(), 10), lit(c.blue(), 12)));
            }
        }
        const auto result = analyzeQImage(photo);
        REQUIRE(result.scalpFound);
        CHECK(result.coveragePercent > 85.0); // 1.38: 56-64
        long scalp = 0, loss = 0;
        for (const analysis::Grade g : result.grades) {
            scalp += g != analysis::Grade::NotScalp;
            loss += g == analysis::Grade::Advanced || g == analysis::Grade::Bald;
        }
        REQUIRE(scalp > 0);
        CHECK(static_cast<double>(loss) / static_cast<double>(scalp) < 0.02); // 1.38: 0.12-0.16
    }
}

TEST_CASE("dark hair beside a pale bald scalp whose shaded skin is the reddest reads as the "
          "darker",
          "[analysis]")
{
    // A top view of pattern loss: pale bald skin lit from one side, a band of it in shade (darker
    // and redder, as shaded skin photographs), and dense dark hair over the lower third. The
    // reddest fifth is the shaded band, darker than the head's median (lit skin): until 1.40 the
    // hair read as the lighter, the dark hair as bare skin and the lit skin as hair.
    QImage photo(800, 600, QImage::Format_RGB32);
    photo.fill(QColor(150, 160, 172));
    {
        QPainter painter(&photo);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        QPainterPath head;
        head.addEllipse(QPointF(400, 300), 230, 250);
        painter.setClipPath(head);
        painter.fillRect(photo.rect(), QColor(232, 196, 182));          // lit skin
        painter.fillRect(QRect(0, 250, 800, 80), QColor(168, 116, 98)); // shaded skin
        painter.fillRect(QRect(0, 390, 800, 210), QColor(30, 26, 24));  // dense dark hair
        painter.setPen(QPen(QColor(16, 14, 13), 1.5));
        std::mt19937 random(5);
        std::uniform_real_distribution<double> unit(-1.0, 1.0);
        for (int i = 0; i < 3000; ++i) {
            const QPointF at(400 + 230 * unit(random), 495 + 105 * unit(random));
            painter.drawLine(at, at + QPointF(8 * unit(random), 8 * unit(random)));
        }
    }
    const auto result = analyzeQImage(photo);
    REQUIRE(result.scalpFound);
    CHECK(result.hairTone == analysis::HairTone::DarkerThanSkin);
    // The hair's share of the head, drawn: about a third.
    CHECK(result.coveragePercent > 20.0);
    CHECK(result.coveragePercent < 45.0);
}

TEST_CASE("dark hair on very dark skin in shade reads as hair, not as bald scalp", "[analysis]")
{
    // A full, even head of dark hair on very dark skin, lit from the top left: its shaded side
    // has little skin-to-hair contrast left under the head's hair lightness. Until 1.5 that side
    // read as bare skin (the loss of a head that has lost nothing); now the hair end there
    // follows the shade.
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    c.phantom.lossSeverity = 0.0;
    c.phantom.skin = QColor(72, 48, 36);
    c.phantom.hair = QColor(40, 32, 26);
    c.phantom.lightingGradient = 0.4;
    c.noiseSigma = 4.0;
    c.jpegQuality = 80;
    const auto score = test::scorePhantom(c);
    REQUIRE(score.result.scalpFound);
    INFO("coverage error " << score.coverageErrorPp << " pp, bias " << score.meanCoverageErrorPp);
    CHECK(score.coverageErrorPp < 6.0); // 1.4: 10.4
    INFO("advanced or bald: " << lossShare(score.result) << " of the scalp");
    CHECK(lossShare(score.result) < 0.1); // 1.4: 29%, 1.5: 6%
}

TEST_CASE("dark hair on very dark skin at its darkest rim is told from the skin by colour",
          "[analysis]")
{
    // The 800 px table's case of dark hair on very dark skin (JPEG 70, noise; uneven light
    // since 2026-12-02): at the head's shaded rim skin and hair lie 2 L* apart, under the noise,
    // and JPEG lends the strands the skin's chroma. Until 1.11 that rim read as bald (coverage 0
    // in a band along its bottom): 6.0 points, loss IoU 0.44. Now colour unmixes it: 3.4
    // points, IoU 0.70.
    for (const test::PhantomCase &c : test::phantomCases(800)) {
        if (c.name != "very dark skin, dark hair")
            continue;
        const test::PhantomScore score = test::scorePhantom(c);
        INFO("coverage error " << score.coverageErrorPp << " points, loss IoU " << score.lossIoU);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing.rfind("lightness, colour in deep shade", 0) == 0);
        CHECK(score.coverageErrorPp < 5.0); // 1.10: 6.03
        CHECK(score.lossIoU > 0.6);         // 1.10: 0.44
    }
}

TEST_CASE("a dense head of dark hair on very dark skin reads most of its coverage", "[analysis]")
{
    // The 1600 px case of dark hair on very dark skin (0.86 coverage at its 90th percentile, lit
    // from one side, its skin a third darker at the rim and its hair not): skin and hair 7 L*
    // apart, the hair's shades spread over the whole far half of the lightness scale. Until
    // 1.12 its darkest shade was the hair end and the even head read at 0.56 of its coverage, 27
    // points thin. Until 1.19 its lower rim read as thinning: the light is read from the hair
    // there (1.17), and the hair end was still scaled down with the skin's shade (even head 9.2
    // points, -6.5 on average; with its loss drawn 11.0, -5.7).
    test::PhantomCase c = test::phantomCases(1600)[15];
    REQUIRE(c.name == "very dark skin, dark hair");
    SECTION("an even head, no loss drawn")
    {
        c.phantom.lossSeverity = 0.0;
        const test::PhantomScore score = test::scorePhantom(c);
        INFO("coverage error " << score.coverageErrorPp << " points, bias "
                               << score.meanCoverageErrorPp);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing == "lightness; light read from the hair");
        CHECK(score.coverageErrorPp < 5.0);      // 1.18: 9.2 (1.11: 27.3)
        CHECK(score.meanCoverageErrorPp > -4.0); // 1.18: -6.5 (1.11: -27.2)
    }
    SECTION("with its loss drawn")
    {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO("coverage error " << score.coverageErrorPp << " points, bias "
                               << score.meanCoverageErrorPp);
        REQUIRE(score.result.scalpFound);
        CHECK(score.coverageErrorPp < 6.0);               // 1.18: 11.0
        CHECK(std::abs(score.meanCoverageErrorPp) < 2.0); // 1.18: -5.7
    }
}

TEST_CASE("dense light hair on darker skin, shaded with the head, is read with the light on it",
          "[analysis]")
{
    // The shaded table's 1600 px grey and blond heads on dark and very dark skin, unmixed in
    // lightness (hair lighter than the skin): one hair end per head, and the hair follows the
    // light, so the shaded side read thin and the lit side thick. Since 1.19 such a head is read
    // a second time with the light on its hair (the dense blocks' lightest 5%) divided out, as
    // dense dark hair is since 1.17.
    const auto cases = test::phantomCases(1600, true);
    for (const auto &[index, bound, before] :
         {std::tuple{14, 5.5, 8.95}, std::tuple{16, 4.5, 8.37}}) {
        const test::PhantomCase &c = cases[static_cast<std::size_t>(index)];
        const test::PhantomScore score = test::scorePhantom(c);
        INFO(c.name << ": coverage error " << score.coverageErrorPp << " points (1.18: " << before
                    << ")");
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing == "lightness; light read from the hair");
        CHECK(score.coverageErrorPp < bound);
    }
}

namespace {

// A head of the shaded 800 px table, its bounds and its figures with the version before the rule.
struct ShadedHead
{
    const char *name; // the case's name without ", shaded hair"
    double errorBound = 0, iouBound = 0;
    double errorBefore = 0, iouBefore = 0;
};

// Holds each of `heads` (the shaded 800 px table's) to its bounds, read in lightness with the
// light its skin shows (lightFollowingSkin()); `before` names the version the figures come from.
void checkLightReadFromSkin(std::initializer_list<ShadedHead> heads, const char *before)
{
    const auto shaded = test::phantomCases(800, true);
    for (const ShadedHead &head : heads) {
        const test::PhantomScore score =
            test::scorePhantom(phantomNamed(shaded, std::string(head.name) + ", shaded hair"));
        INFO(head.name << ", shaded hair: coverage error " << score.coverageErrorPp << " points ("
                       << before << ": " << head.errorBefore << "), loss IoU " << score.lossIoU
                       << " (" << before << ": " << head.iouBefore << ")");
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing.rfind("lightness", 0) == 0);
        CHECK(score.result.unmixing.find("; light read from the skin") != std::string::npos);
        CHECK(score.coverageErrorPp < head.errorBound);
        CHECK(score.lossIoU > head.iouBound);
    }
}

} // namespace

TEST_CASE("sparse light hair on darker skin, shaded with the head, is read with the light its "
          "skin shows",
          "[analysis]")
{
    // The shaded table's 800 px grey and blond heads on tan to very dark skin: sparse
    // (lightOnHair() finds too little dense hair), unmixed in lightness with one hair end per head,
    // so their shaded side read thin. Since 1.30 the light is read from the skin, as far as the
    // well covered blocks' hair is seen to follow it. The unshaded twins, whose skin alone is
    // shaded, must not take it.
    const std::initializer_list<ShadedHead> heads = {
        {"tan skin, grey hair", 6.0, 0.7, 8.01, 0.469},
        {"tan skin, blond hair", 4.5, 0.6, 6.86, 0.337},
        {"dark skin, grey hair", 4.5, 0.6, 6.33, 0.416},
        {"dark skin, blond hair", 3.0, 0.8, 3.85, 0.703},
        {"very dark skin, grey hair", 2.0, 0.85, 4.00, 0.778},
        {"very dark skin, blond hair", 4.5, 0.7, 6.18, 0.610}};
    checkLightReadFromSkin(heads, "1.29");
    const auto unshaded = test::phantomCases(800);
    for (const ShadedHead &head : heads) {
        INFO(head.name << ", unshaded");
        const std::string unmixing =
            test::scorePhantom(phantomNamed(unshaded, head.name)).result.unmixing;
        CHECK(unmixing.rfind("lightness", 0) == 0);
        CHECK(unmixing.find("; light read from") == std::string::npos);
    }
}

TEST_CASE("sparse dark hair shaded with the head is read with the light its skin shows",
          "[analysis]")
{
    // The 800 px heads of dark hair, sparse: one hair end per head, the darkest strands' on the
    // shaded side, so the lit side's strands read thinner than they are. Since 1.34 the light is
    // read from the skin as for light hair (1.30), as far as the hair follows it, and the hair
    // end is the darkest quarter of the first reading's share of the head read so.
    checkLightReadFromSkin({{"very light skin, dark hair", 3.0, 0.92, 3.15, 0.901},
                            {"medium skin, dark hair", 1.5, 0.88, 1.07, 0.816},
                            {"tan skin, dark hair", 3.0, 0.85, 4.23, 0.763},
                            {"dark skin, dark hair", 2.0, 0.92, 2.22, 0.882},
                            {"very dark skin, dark hair", 4.0, 0.65, 6.20, 0.610}},
                           "1.33");
    // Unshaded, the light's fall-off falls on hair and skin alike: tan skin's head, lit from one
    // side, takes the rule too (1.33: 3.12 points, loss IoU 0.821).
    const test::PhantomScore tan =
        test::scorePhantom(phantomNamed(test::phantomCases(800), "tan skin, dark hair"));
    INFO("tan skin, dark hair: coverage error " << tan.coverageErrorPp << ", loss IoU "
                                                << tan.lossIoU);
    CHECK(tan.coverageErrorPp < 3.0);
    CHECK(tan.lossIoU > 0.85);
}

TEST_CASE("sparse grey hair with a loss area takes its end towards the neutral where bare skin "
          "shows",
          "[analysis]")
{
    // The 800 px heads of grey hair on very light and medium skin, read in colour: sparse, so
    // the hair end is the colour ratio's extreme (hairEnd() finds no peak), which the JPEG's
    // dilution of the strands' colour keeps short of the hair: until 1.31 they read 5.9-7.1
    // points over. Since 1.31 the end moves towards the neutral as a dense head's does, where
    // bare skin shows (its thinnest windows nearly bare). The same heads drawn with no loss
    // show no bare skin, their reddest fifth holds hair, and the moved end read them thin (7.7
    // and 7.8 points): they keep the extreme.
    const auto unshaded = test::phantomCases(800);
    const auto shaded = test::phantomCases(800, true);
    for (const auto &[name, errorBefore] : {std::pair{"very light skin, grey hair", 7.01},
                                            std::pair{"medium skin, grey hair", 5.88}}) {
        for (const auto &c : {phantomNamed(unshaded, name),
                              phantomNamed(shaded, std::string(name) + ", shaded hair")}) {
            const test::PhantomScore score = test::scorePhantom(c);
            INFO(c.name << ": coverage error " << score.coverageErrorPp << " points (1.30, "
                        << "unshaded: " << errorBefore << "), bias " << score.meanCoverageErrorPp);
            REQUIRE(score.result.scalpFound);
            CHECK(score.result.unmixing == "colour");
            CHECK(score.coverageErrorPp < 4.0);
            CHECK(std::abs(score.meanCoverageErrorPp) < 2.0);
        }
        test::PhantomCase even = phantomNamed(unshaded, name);
        even.phantom.lossSeverity = 0.0;
        const test::PhantomScore score = test::scorePhantom(even);
        INFO(name << ", no loss drawn: coverage error " << score.coverageErrorPp << " points, bias "
                  << score.meanCoverageErrorPp);
        REQUIRE(score.result.scalpFound);
        CHECK(score.coverageErrorPp < 5.0);
        CHECK(score.meanCoverageErrorPp > -4.0);
    }
    // Blurred heads read soft, and the move is not weighted down for it: grey on light skin
    // (1.30: 5.87 points, shaded 6.14) and, its neutral within reach, shaded blond on medium
    // skin (10.89).
    for (const auto &[c, errorBefore] :
         {std::pair{phantomNamed(unshaded, "light skin, grey hair"), 5.87},
          std::pair{phantomNamed(shaded, "light skin, grey hair, shaded hair"), 6.14},
          std::pair{phantomNamed(shaded, "medium skin, blond hair, shaded hair"), 10.89}}) {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO(c.name << ": coverage error " << score.coverageErrorPp << " points (1.30: "
                    << errorBefore << "), sharpness " << score.result.photoSharpness);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing == "colour");
        CHECK(score.result.photoSharpness < analysis::kSoftPhotoSharpness);
        CHECK(score.coverageErrorPp < 5.0);
    }
}

TEST_CASE("a soft photo's sparse blond hair takes its colour end nearer the strands' cores",
          "[analysis]")
{
    // The 800 px head of blond hair on medium skin, blurred by 1 px and read in colour: the
    // blur dilutes the strands' colour, the colour ratio's extreme (its top 0.2%) lies short of
    // their cores, and the head read 6.7 points over (1.32). Blond's neutral lies out of reach,
    // so 1.31's grey move does not take it; since 1.33 a soft photo's end is the extreme of a
    // smaller tail, where bare skin shows. The same head with no loss drawn shows none and
    // keeps its end (with the end moved it read 7.0 points thin).
    test::PhantomCase c = phantomNamed(test::phantomCases(800), "medium skin, blond hair");
    REQUIRE(c.blurSigma == 1.0);
    const test::PhantomScore score = test::scorePhantom(c);
    INFO("coverage error " << score.coverageErrorPp << " points (1.32: 6.67), bias "
                           << score.meanCoverageErrorPp << ", loss IoU " << score.lossIoU
                           << ", sharpness " << score.result.photoSharpness);
    REQUIRE(score.result.scalpFound);
    CHECK(score.result.unmixing == "colour");
    CHECK(score.result.photoSharpness < analysis::kSoftPhotoSharpness);
    CHECK(score.coverageErrorPp < 5.0);
    CHECK(score.lossIoU > 0.85);
    c.phantom.lossSeverity = 0.0;
    const test::PhantomScore even = test::scorePhantom(c);
    INFO("no loss drawn: coverage error " << even.coverageErrorPp << " points, bias "
                                          << even.meanCoverageErrorPp);
    REQUIRE(even.result.scalpFound);
    CHECK(even.coverageErrorPp < 6.0); // 5.25 with 1.32's end, 6.98 with the end moved
}

TEST_CASE("a sparse head read in colour takes its skin end at bare skin", "[analysis]")
{
    // Sparse heads of light hair on lighter skin at 800 px, read in colour, each with one loss
    // area and thinly covered elsewhere: their reddest fifth, the skin end until 1.32, takes in
    // pixels mixed with hair, bare skin reads below it, and every thin window read less than it
    // holds, so that thin hair was graded as loss. Since 1.32 the skin end is bare skin's, from
    // the thinnest windows, and the hair end moves out to keep the head's mean coverage. Loss
    // IoU with 1.31 in the message; each bound fails with the skin end at 0.
    const auto unshaded = test::phantomCases(800);
    const auto shaded = test::phantomCases(800, true);
    for (const auto &[c, iouBefore, iouAtLeast] :
         {std::tuple{phantomNamed(unshaded, "light skin, blond hair"), 0.854, 0.92},
          std::tuple{phantomNamed(unshaded, "medium skin, grey hair"), 0.759, 0.80},
          std::tuple{phantomNamed(unshaded, "very light skin, blond hair"), 0.604, 0.66},
          std::tuple{phantomNamed(unshaded, "light skin, grey hair"), 0.506, 0.53},
          std::tuple{phantomNamed(shaded, "medium skin, grey hair, shaded hair"), 0.834, 0.85},
          std::tuple{phantomNamed(shaded, "very light skin, blond hair, shaded hair"), 0.728,
                     0.78}}) {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO(c.name << ": loss IoU " << score.lossIoU << " (1.31: " << iouBefore
                    << "), coverage error " << score.coverageErrorPp << " points, bias "
                    << score.meanCoverageErrorPp);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing == "colour");
        CHECK(score.lossIoU > iouAtLeast);
        // The head's coverage as before, or nearer the truth.
        CHECK(score.coverageErrorPp < 4.0);
    }
}

TEST_CASE("a sparse head read in colour reads each pixel against the skin around it", "[analysis]")
{
    // Since 1.35 a sparse head unmixed in colour is read again against the skin around each
    // pixel, taken from the pixels 2 px clear of any strand (readAgainstLocalSkin()): its skin
    // is shaded and varies in tone over the head, and read against one skin its thin areas were
    // graded as loss. Each bound fails with 1.34 (in the message).
    const auto unshaded = test::phantomCases(800);
    const auto shaded = test::phantomCases(800, true);
    for (const auto &[c, iouBefore, iouAtLeast] :
         {std::tuple{phantomNamed(unshaded, "light skin, grey hair"), 0.551, 0.65},
          std::tuple{phantomNamed(unshaded, "very light skin, blond hair"), 0.696, 0.77},
          std::tuple{phantomNamed(shaded, "light skin, grey hair, shaded hair"), 0.653, 0.78}}) {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO(c.name << ": loss IoU " << score.lossIoU << " (1.34: " << iouBefore
                    << "), coverage error " << score.coverageErrorPp << " points");
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing == "colour");
        CHECK(score.lossIoU > iouAtLeast);
        CHECK(score.coverageErrorPp < 3.5);
    }
    // An even head, no loss drawn, of blond hair on medium skin: 5.25 points thin with 1.34.
    auto even = phantomNamed(unshaded, "medium skin, blond hair");
    even.phantom.lossSeverity = 0.0;
    const test::PhantomScore score = test::scorePhantom(even);
    INFO("even head: coverage error " << score.coverageErrorPp << " points");
    CHECK(score.coverageErrorPp < 5.0);
}

TEST_CASE("sparse grey hair read in lightness is read again against the skin around each pixel",
          "[analysis]")
{
    // Since 1.36 a sparse head of grey hair a little lighter than its darker skin, read in
    // lightness, is read again in colour against the skin around each pixel
    // (readGreyHairAgainstLocalSkin()). Each loss IoU bound fails with 1.35 (in the message).
    constexpr const char *kSuffix = "; grey hair read against the skin around it";
    const auto unshaded = test::phantomCases(800);
    const auto shaded = test::phantomCases(800, true);
    for (const auto &[c, iouBefore, iouAtLeast, errorBelow] :
         {std::tuple{phantomNamed(unshaded, "tan skin, grey hair"), 0.803, 0.83, 4.5},
          std::tuple{phantomNamed(shaded, "tan skin, grey hair, shaded hair"), 0.781, 0.85, 5.0},
          std::tuple{phantomNamed(unshaded, "dark skin, grey hair"), 0.731, 0.79, 3.0},
          std::tuple{phantomNamed(shaded, "dark skin, grey hair, shaded hair"), 0.643, 0.79,
                     3.0}}) {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO(c.name << ": loss IoU " << score.lossIoU << " (1.35: " << iouBefore
                    << "), coverage error " << score.coverageErrorPp << " points ("
                    << score.result.unmixing << ")");
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.unmixing.rfind("lightness", 0) == 0);
        CHECK(score.result.unmixing.find(kSuffix) != std::string::npos);
        CHECK(score.lossIoU > iouAtLeast);
        CHECK(score.coverageErrorPp < errorBelow);
    }
    // Not blond hair (near the skin's hue: read so, tan skin's blond head's loss IoU fell from
    // 0.733 to 0.509), nor grey hair far lighter than very dark skin (lightness reads it well).
    for (const char *name :
         {"tan skin, blond hair", "dark skin, blond hair", "very dark skin, grey hair"}) {
        const test::PhantomScore score = test::scorePhantom(phantomNamed(unshaded, name));
        INFO(name << ": " << score.result.unmixing);
        CHECK(score.result.unmixing.find(kSuffix) == std::string::npos);
    }
}

TEST_CASE("the head's outline, where GrabCut takes in the backdrop, is left out of the windows",
          "[analysis]")
{
    // GrabCut's outline is known to one of its pixels, and on the 800 px phantoms its head reached
    // past the drawn one; a reading of light hair took that backdrop for hair, the outermost
    // pixels of these heads read 10-13 points more than the rest of the head (1.37's figures in
    // the message), and the rim of their frontal loss graded thin. Since 1.38 the head's
    // outermost ring counts in no window. Each bound on the light heads fails with 1.37.
    const auto unshaded = test::phantomCases(800);
    for (const auto &[name, biasBefore, iouBefore, iouAtLeast] :
         {std::tuple{"medium skin, grey hair", 13.2, 0.843, 0.88},
          std::tuple{"medium skin, blond hair", 12.6, 0.868, 0.89},
          std::tuple{"very dark skin, grey hair", 9.6, 0.889, 0.92},
          std::tuple{"very dark skin, blond hair", 10.0, 0.837, 0.86}}) {
        const test::PhantomScore score = test::scorePhantom(phantomNamed(unshaded, name));
        INFO(name << ": outline band read " << score.outlineCoverageBiasPp
                  << " points off, the head " << score.meanCoverageErrorPp
                  << " (outline less head, 1.37: +" << biasBefore << "), loss IoU " << score.lossIoU
                  << " (1.37: " << iouBefore << "), " << score.result.unmixing);
        REQUIRE(score.result.scalpFound);
        // The outline reads as the rest of the head does.
        CHECK(std::abs(score.outlineCoverageBiasPp - score.meanCoverageErrorPp) < 4.0);
        CHECK(score.lossIoU > iouAtLeast);
    }
    // Dark hair, whose reading took the backdrop for bare skin, keeps its outline as it read.
    const test::PhantomScore dark =
        test::scorePhantom(phantomNamed(unshaded, "light skin, dark hair"));
    INFO("light skin, dark hair: outline band read "
         << dark.outlineCoverageBiasPp << " points off, the head " << dark.meanCoverageErrorPp
         << ", loss IoU " << dark.lossIoU);
    CHECK(std::abs(dark.outlineCoverageBiasPp - dark.meanCoverageErrorPp) < 4.0);
    CHECK(dark.lossIoU > 0.88);
}

TEST_CASE("a soft photo's sparse hair is read from its strands' cores", "[analysis]")
{
    // The 800 px case of dark hair on very light skin, blurred by 1 px: its strands, 0.5-1.1 px
    // wide, are spread over the skin beside them, and the head's darkest 2% (the sparse hair's
    // end until 1.20) are hair mixed with skin: every pixel read as more hair than it holds,
    // 8.3 points over. The photo reads soft (photoSharpness()), and the end is its darkest 0.5%.
    test::PhantomCase c = test::phantomCases(800)[0];
    REQUIRE(c.name == "very light skin, dark hair");
    REQUIRE(c.blurSigma == 1.0);
    SECTION("blurred")
    {
        const test::PhantomScore score = test::scorePhantom(c);
        INFO("coverage error " << score.coverageErrorPp << " points, bias "
                               << score.meanCoverageErrorPp << ", sharpness "
                               << score.result.photoSharpness);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.photoSharpness < 0.9);
        CHECK(score.result.hairExtremeShare == Approx(0.005));
        CHECK(score.coverageErrorPp < 5.0);      // 1.19: 8.26
        CHECK(score.meanCoverageErrorPp < 4.0);  // 1.19: +8.25
        CHECK(score.meanCoverageErrorPp > -2.0); // not read thin instead
    }
    SECTION("sharp, the same head: the end as before")
    {
        c.blurSigma = 0.0;
        const test::PhantomScore score = test::scorePhantom(c);
        INFO("coverage error " << score.coverageErrorPp << " points, sharpness "
                               << score.result.photoSharpness);
        REQUIRE(score.result.scalpFound);
        CHECK(score.result.photoSharpness > 1.1);
        CHECK(score.result.hairExtremeShare == Approx(0.02));
        CHECK(score.coverageErrorPp < 5.0);
    }
}

TEST_CASE("salt-and-pepper hair: dense greying heads unmixed with three ends",
          "[analysis][phantoms][greying]")
{
    // A greying head: dark and grey strands mixed, common among the clinic's clients over 40
    // and not among the tables' cases (each draws one hair colour). Light and tan skin, a third
    // and two thirds of the strands grey, pattern loss, noise and JPEG; printed as a table
    // (`smp_analysis_tests "[greying]" -s`; docs/analysis.md). Until 1.13 the dense heads read
    // 15-38 points thin, their grey strands counted as skin; now the dense heads read as dark
    // hair are unmixed into skin, dark and grey hair: 3.2-3.6 points. Two thirds grey on tan
    // skin reads as light hair and stays 20 points thin; the sparse heads at 800 px, their
    // grey too mixed with skin to be told, keep the two-way unmixing (3-11 points).
    struct Skin
    {
        const char *name;
        QColor colour;
    };
    const Skin skins[] = {{"light", QColor(222, 178, 150)}, {"tan", QColor(160, 112, 78)}};
    std::vector<test::PhantomCase> cases;
    for (const int width : {800, 1600})
        for (const Skin &skin : skins)
            for (const double grey : {1.0 / 3.0, 2.0 / 3.0}) {
                test::PhantomCase c;
                c.phantom.widthPx = width;
                c.phantom.heightPx = width * 3 / 4;
                c.phantom.seed = 300 + static_cast<std::uint32_t>(cases.size());
                c.phantom.skin = skin.colour;
                c.phantom.hair = QColor(40, 32, 26);
                c.phantom.greyStrandShare = grey;
                c.noiseSigma = 4.0;
                c.jpegQuality = 90;
                c.name = std::string(skin.name) + " skin, " +
                         (grey < 0.5 ? "a third" : "two thirds") + " grey, " +
                         std::to_string(width) + " px";
                cases.push_back(c);
            }
    for (const auto &c : cases) {
        const auto score = test::scorePhantom(c);
        printPhantomRow(c, score);
        std::printf("  (unmixing: %s)\n", score.result.unmixing.c_str());
        INFO(c.name << ": " << score.result.unmixing);
        REQUIRE(score.result.scalpFound);
        if (c.phantom.widthPx == 800) {
            CHECK(score.coverageErrorPp < 12.0); // 3.0-10.6
        } else if (c.name.starts_with("tan skin, two thirds")) {
            CHECK(score.coverageErrorPp < 22.0); // 19.8
        } else {
            CHECK(score.result.unmixing == "colour: skin, dark and grey hair");
            CHECK(score.coverageErrorPp < 5.0); // 1.12: 15.6, 37.7, 15.1; 1.13: 3.2-3.6
            CHECK(score.lossIoU > 0.8);         // 1.12: 0.86, 0.65, 0.00; 1.13: 0.85-0.89
        }
    }
}

TEST_CASE("a shiny bald scalp reads as bald, its highlight not as light hair", "[analysis]")
{
    // The lit skin of a shiny bald head is paler than its shaded skin, as grey or blond hair is,
    // and until 1.6 it read as hair: bald heads mapped with patches of normal coverage. Hair is
    // stranded, shine smooth.
    SECTION("a highlight on the phantom's bald head (unmixed in colour)")
    {
        const struct
        {
            const char *name;
            QColor skin;
            double shine;
            double noiseSigma;
        } heads[] = {{"medium skin", QColor(198, 150, 120), 0.5, 2.0},
                     {"medium skin, strong shine", QColor(198, 150, 120), 0.8, 3.0},
                     {"light skin, strong shine", QColor(226, 188, 170), 0.8, 3.0}};
        for (const auto &head : heads) {
            INFO(head.name);
            test::PhantomCase c;
            c.name = std::string("shiny bald ") + head.name;
            c.phantom.widthPx = 800;
            c.phantom.heightPx = 600;
            c.phantom.strandsPerPixel = 0.0;
            c.phantom.skin = head.skin;
            c.phantom.shine = head.shine;
            c.noiseSigma = head.noiseSigma;
            c.jpegQuality = 85;
            const auto score = test::scorePhantom(c);
            REQUIRE(score.result.scalpFound);
            INFO("coverage " << score.result.coveragePercent << "%, advanced or bald "
                             << lossShare(score.result));
            CHECK(score.result.coveragePercent < 3.0); // 1.5: 13-14%
            CHECK(lossShare(score.result) > 0.85);     // 1.5: 0.75-0.76
        }
    }
    SECTION("a wide pale highlight over reddish skin (unmixed in lightness)")
    {
        // Drawn here rather than by the phantom: the reddest fifth of this head is its shaded
        // rim, darker than most of it, so the lit skin is taken for light hair on darker skin.
        QImage photo(800, 600, QImage::Format_RGB888);
        photo.fill(QColor(44, 48, 58));
        {
            QPainter painter(&photo);
            painter.setRenderHint(QPainter::Antialiasing, true);
            QRadialGradient skin(QPointF(370, 270), 260);
            skin.setColorAt(0.0, QColor(236, 222, 212));
            skin.setColorAt(0.5, QColor(214, 176, 156));
            skin.setColorAt(1.0, QColor(160, 98, 76));
            painter.setPen(Qt::NoPen);
            painter.setBrush(skin);
            painter.drawEllipse(QPointF(400, 300), 240, 264);
        }
        test::addNoise(photo, 1.5, 7);
        const analysis::Result result = analyzeQImage(photo);
        REQUIRE(result.scalpFound);
        INFO("coverage " << result.coveragePercent << "%, advanced or bald " << lossShare(result));
        CHECK(result.coveragePercent < 3.0); // 1.5: 7.5%
        CHECK(lossShare(result) > 0.85);     // 1.5: 0.79
    }
}

TEST_CASE("golden outputs: three phantoms keep their coverage, stage and loss area",
          "[analysis][golden]")
{
    // tests/data/golden/phantoms.json holds, per phantom, the result accepted on 2026-11-24
    // (algorithm 1.1: the ears are no longer scalp), and for grey hair on 2026-12-01 (algorithm
    // 1.2: light hair on lighter skin unmixed in colour) and 2026-12-02 (1.8: its reference from
    // the map smoothed over a window, 0.351 -> 0.326, loss 15.2 -> 14.2 cm2), all four again
    // for 1.10 (the fringe's backdrop not scalp: coverage -0.3 to 0 points, loss within 0.3 cm2)
    // and for 1.38 (the outline's ring left out of the windows: grey hair's loss 14.2 -> 15.5 cm2,
    // its frontal loss now reaching the outline; the others within 0.06 cm2 and 0.02 points of
    // 1.10's); a change of algorithm that moves them must update the file and docs/analysis.md
    // together.
    QFile file(QStringLiteral(SMP_SOURCE_DIR "/tests/data/golden/phantoms.json"));
    REQUIRE(file.open(QIODevice::ReadOnly));
    const QJsonObject golden = QJsonDocument::fromJson(file.readAll()).object();
    for (const char *name : {"pattern", "diffuse", "receding", "grey"}) {
        INFO(name);
        const std::string kind = name;
        test::PhantomCase c;
        c.phantom.widthPx = 800;
        c.phantom.heightPx = 600;
        c.phantom.pattern = kind == "diffuse"    ? imaging::LossPattern::Diffuse
                            : kind == "receding" ? imaging::LossPattern::Receding
                                                 : imaging::LossPattern::Pattern;
        if (kind == "grey")
            c.phantom.hair = QColor(165, 165, 160);
        analysis::Parameters parameters;
        parameters.mmPerPx = 0.2;
        const auto r = test::scorePhantom(c, parameters).result;
        double loss = 0;
        for (const auto &region : r.regions)
            if (region.grade >= analysis::Grade::Advanced)
                loss += *region.areaCm2;
        const QJsonObject expected = golden.value(QLatin1String(name)).toObject();
        if (qEnvironmentVariableIsSet("SMP_PRINT_GOLDEN"))
            std::printf("\"%s\": {\"coverage_percent\": %.2f, \"reference_coverage\": %.4f, "
                        "\"norwood_level\": %d, "
                        "\"loss_cm2\": %.2f},\n",
                        name, r.coveragePercent, r.referenceCoverage, r.norwood.level, loss);
        CHECK_FALSE(expected.isEmpty());
        if (expected.isEmpty())
            continue;
        CHECK(r.coveragePercent ==
              Approx(expected.value(QLatin1String("coverage_percent")).toDouble()).margin(1.5));
        CHECK(r.referenceCoverage ==
              Approx(expected.value(QLatin1String("reference_coverage")).toDouble()).margin(0.03));
        CHECK(r.norwood.level == expected.value(QLatin1String("norwood_level")).toInt());
        CHECK(loss == Approx(expected.value(QLatin1String("loss_cm2")).toDouble()).epsilon(0.08));
    }
}

TEST_CASE("grey hair over the same loss map reads like dark hair", "[analysis]")
{
    // Same skin, same strands, same density map; only the hair colour differs. Grey hair is
    // barely darker than this skin, so lightness alone read it 10-20 points off (algorithm 1.1).
    const auto measure = [](const QColor &hair) {
        test::PhantomCase c;
        c.phantom.widthPx = 800;
        c.phantom.heightPx = 600;
        c.phantom.hair = hair;
        c.noiseSigma = 3;
        c.jpegQuality = 85;
        analysis::Parameters parameters;
        parameters.mmPerPx = 0.2;
        const auto score = test::scorePhantom(c, parameters);
        double loss = 0;
        for (const auto &region : score.result.regions)
            if (region.grade >= analysis::Grade::Advanced)
                loss += *region.areaCm2;
        return std::pair{score, loss};
    };
    const auto [dark, darkLoss] = measure(QColor(46, 36, 28));
    const auto [grey, greyLoss] = measure(QColor(165, 165, 160));
    // 1.1: 15 points of error, loss 55 vs 16 cm2, level VII vs IV.
    CHECK(dark.result.unmixing.rfind("lightness", 0) == 0);
    CHECK(grey.result.unmixing == "colour");
    CHECK(grey.coverageErrorPp < 6.0);
    CHECK(grey.result.coveragePercent == Approx(dark.result.coveragePercent).margin(6.0));
    CHECK(greyLoss == Approx(darkLoss).epsilon(0.25));
    CHECK(grey.result.norwood.level == dark.result.norwood.level);

    // A full head of grey hair is a scalp (1.1 said "not a scalp": only dark pixels were hair).
    imaging::SampleScalpParameters full;
    full.skin = QColor(222, 178, 150);
    full.hair = QColor(165, 165, 160);
    const QImage photo = imaging::drawSampleScalp(full).convertToFormat(QImage::Format_RGB888);
    const auto r = analysis::analyze(
        {photo.width(), photo.height(), photo.bytesPerLine(), photo.constBits()}, {});
    CHECK(r.scalpFound);
    CHECK(r.coveragePercent > 15.0);
}

TEST_CASE("locations follow the way the photo is shown", "[analysis]")
{
    // The phantom's forehead is at the top of the image. Shown upside down (two quarter turns),
    // the loss at the top of the image is at the bottom of the view, where a top view's vertex is.
    test::PhantomCase c;
    c.phantom.widthPx = 800;
    c.phantom.heightPx = 600;
    auto lossAtImageTop = [&](const analysis::Result &r) {
        const analysis::Region *largest = nullptr;
        for (const auto &region : r.regions)
            if (region.grade >= analysis::Grade::Advanced &&
                region.centroid.y < 0.3 * c.phantom.heightPx &&
                (!largest || region.areaPx > largest->areaPx))
                largest = &region;
        return largest ? largest->location : std::string();
    };
    analysis::Parameters upright;
    CHECK(lossAtImageTop(test::scorePhantom(c, upright).result) == "frontal");
    analysis::Parameters turned;
    turned.displayQuarterTurns = 2;
    const auto result = test::scorePhantom(c, turned).result;
    CHECK(lossAtImageTop(result) == "vertex");
    CHECK(result.parametersJson.find("\"display_quarter_turns\":2") != std::string::npos);
}

TEST_CASE("an earlier version's stage moves with the corrections", "[analysis]")
{
    // A 10 x 10 map: 20 pixels off the scalp, 80 graded, a quarter of them bald: about 4.4 on the
    // cut points' continuous scale (3.5 at 16%, 4.5 at 26%), 1 at no loss, 7 at two thirds.
    std::vector<analysis::Grade> original(100, analysis::Grade::Normal);
    std::fill(original.begin(), original.begin() + 20, analysis::Grade::NotScalp);
    std::fill(original.begin() + 20, original.begin() + 40, analysis::Grade::Bald);
    analysis::NorwoodEstimate stored;
    stored.method = "model";
    stored.level = 4;
    stored.stage = "IV";
    stored.confidence = 0.7;

    const auto unchanged = analysis::movedStage(stored, original, original, {});
    CHECK(unchanged.stage == "IV");
    CHECK(unchanged.confidence == 0.7);

    std::vector<analysis::Grade> allNormal = original;
    std::fill(allNormal.begin() + 20, allNormal.end(), analysis::Grade::Normal);
    const auto normal = analysis::movedStage(stored, original, allNormal, {});
    CHECK(normal.level == 1); // 4 - (4.4 - 1), rounded
    CHECK(normal.stage == "I");
    CHECK(normal.method == "model");

    std::vector<analysis::Grade> allBald = original;
    std::fill(allBald.begin() + 20, allBald.end(), analysis::Grade::Bald);
    CHECK(analysis::movedStage(stored, original, allBald, {}).level == 7);
    CHECK(analysis::movedStage(stored, original, allBald, {}).stage == "VII");

    CHECK_THROWS_AS(analysis::movedStage(stored, original, std::vector<analysis::Grade>(99), {}),
                    std::invalid_argument);
}

TEST_CASE("no stage above what the map's loss allows", "[analysis]")
{
    // The loss-share rule's first two cut points: I under 3% of the scalp advanced or bald, II
    // under 8%.
    CHECK(analysis::highestStageShown(0.0) == 1);
    CHECK(analysis::highestStageShown(0.029) == 1);
    CHECK(analysis::highestStageShown(0.03) == 2);
    CHECK(analysis::highestStageShown(0.079) == 2);
    CHECK(analysis::highestStageShown(0.08) == 7);
    CHECK(analysis::highestStageShown(1.0) == 7);

    // A stored stage VII whose map the technician corrects from 37.5% loss (30 of 80 scalp
    // pixels bald) to 5% (4): the corrections alone would move it to III (the cut points' scale
    // falls 5.46 -> 1.9: 7 - 3.56, rounded); the map allows II.
    std::vector<analysis::Grade> original(100, analysis::Grade::Normal);
    std::fill(original.begin(), original.begin() + 20, analysis::Grade::NotScalp);
    std::fill(original.begin() + 20, original.begin() + 50, analysis::Grade::Bald);
    std::vector<analysis::Grade> corrected = original;
    std::fill(corrected.begin() + 24, corrected.begin() + 50, analysis::Grade::Normal);
    analysis::NorwoodEstimate stored;
    stored.method = "model";
    stored.level = 7;
    stored.stage = "VII";
    const auto moved = analysis::movedStage(stored, original, corrected, {});
    CHECK(moved.level == 2);
    CHECK(moved.stage == "II");
    CHECK(moved.method == "map");
}

TEST_CASE("a person's stage is the rounded mean of their front, top and crown views' stages",
          "[analysis][stage]")
{
    using analysis::View;
    // Back and side views do not count, nor photos without a stage (no scalp found).
    CHECK_FALSE(analysis::combinedStage({}).has_value());
    CHECK_FALSE(
        analysis::combinedStage({{View::Back, 5}, {View::Left, 6}, {View::Right, 4}}).has_value());
    CHECK_FALSE(analysis::combinedStage({{View::Top, 0}}).has_value());

    const auto one = analysis::combinedStage({{View::Top, 4}, {View::Back, 7}});
    REQUIRE(one.has_value());
    CHECK(one->level == 4);
    CHECK(one->stage == "IV");
    CHECK(one->photosCounted == 1);

    // (3 + 4) / 2 = 3.5 rounds up; (3 + 3 + 4) / 3 = 3.33 rounds down; each photo counts once.
    const auto half = analysis::combinedStage({{View::Front, 3}, {View::Top, 4}, {View::Left, 7}});
    REQUIRE(half.has_value());
    CHECK(half->level == 4);
    CHECK(half->photosCounted == 2);
    const auto third =
        analysis::combinedStage({{View::Front, 3}, {View::Top, 3}, {View::Crown, 4}});
    REQUIRE(third.has_value());
    CHECK(third->level == 3);
    CHECK(third->stage == "III");
    CHECK(third->photosCounted == 3);
    const auto far = analysis::combinedStage({{View::Front, 2}, {View::Top, 7}, {View::Top, 7}});
    REQUIRE(far.has_value());
    CHECK(far->level == 5); // 16 / 3 = 5.33
    CHECK(analysis::countsForCombinedStage(View::Crown));
    CHECK_FALSE(analysis::countsForCombinedStage(View::Other));
}

TEST_CASE("a top view tells the anterior variant: loss from the front, none at the vertex",
          "[analysis]")
{
    // A 100 x 100 map, all scalp: a bald band across the front (the top of the image) over 15%
    // of the scalp, level III by the cut points (8% <= 15% < 16%).
    std::vector<analysis::Grade> frontOnly(100 * 100, analysis::Grade::Normal);
    for (int y = 0; y < 25; ++y)
        for (int x = 20; x < 80; ++x)
            frontOnly[static_cast<std::size_t>(y * 100 + x)] = analysis::Grade::Bald;
    const auto summarize = [](const std::vector<analysis::Grade> &grades, analysis::View view,
                              int quarterTurns = 0) {
        return analysis::summarizeGrades(grades, 100, 100, 1.0, std::nullopt, view, 0.003,
                                         quarterTurns)
            .norwood;
    };
    auto norwood = summarize(frontOnly, analysis::View::Top);
    CHECK(norwood.level == 3);
    CHECK(norwood.variant == "a");
    CHECK(norwood.stage == "IIIa");

    // Shown upside down, the same loss lies at the vertex: a vertex pattern instead.
    CHECK(summarize(frontOnly, analysis::View::Top, 2).stage == "III-vertex");
    // A front view cannot see the vertex, so it does not tell the variant.
    CHECK(summarize(frontOnly, analysis::View::Front).stage == "III");

    // The same front plus a bald spot at the vertex: the ordinary pattern.
    std::vector<analysis::Grade> withVertex = frontOnly;
    for (int y = 80; y < 92; ++y)
        for (int x = 44; x < 56; ++x)
            withVertex[static_cast<std::size_t>(y * 100 + x)] = analysis::Grade::Bald;
    norwood = summarize(withVertex, analysis::View::Top);
    CHECK(norwood.variant.empty());
    CHECK(norwood.stage == "IV"); // 16.4% of the scalp

    // The variant is named for levels II-V only: the front 28% bald is Va, the front 40% VI.
    std::vector<analysis::Grade> wideFront(100 * 100, analysis::Grade::Normal);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 100; ++x)
            wideFront[static_cast<std::size_t>(y * 100 + x)] = analysis::Grade::Bald;
    CHECK(summarize(wideFront, analysis::View::Top).stage == "Va");
    for (int y = 28; y < 40; ++y)
        for (int x = 0; x < 100; ++x)
            wideFront[static_cast<std::size_t>(y * 100 + x)] = analysis::Grade::Bald;
    norwood = summarize(wideFront, analysis::View::Top);
    CHECK(norwood.variant == "a");
    CHECK(norwood.stage == "VI");
}

TEST_CASE("a photo too small or too narrow to analyse is refused with its size", "[analysis]")
{
    // Refused with its size and `why`.
    const auto refused = [](QSize size, const char *why) {
        QImage image(size, QImage::Format_RGB32);
        image.fill(QColor(200, 150, 120));
        INFO(size.width() << " x " << size.height());
        CHECK_THROWS_WITH(analyzeQImage(image),
                          Catch::Contains(std::to_string(size.width()) + " x " +
                                          std::to_string(size.height()) + " px") &&
                              Catch::Contains(why));
    };
    for (const QSize size : {QSize(3, 3), QSize(1000, 1), QSize(63, 400)})
        refused(size, "too small");
    // A strip whose shorter side would be under 64 px once its longer side is brought to the
    // working size (1024 px): 20000 x 64 would be 3 px high (it was an OpenCV assertion).
    for (const QSize size : {QSize(20000, 64), QSize(300, 5000)})
        refused(size, "too narrow to analyse");
    QImage longest(1024 * 16, 1024, QImage::Format_RGB32); // 16:1, 64 px high at 1024 px wide
    longest.fill(QColor(200, 150, 120));
    CHECK_NOTHROW(analyzeQImage(longest));
    QImage smallest(64, 64, QImage::Format_RGB32);
    smallest.fill(QColor(200, 150, 120));
    CHECK_NOTHROW(analyzeQImage(smallest));
}

TEST_CASE("the same photo reads the same whatever ran before it", "[analysis]")
{
    // A stored result must be recomputable (issue 4). GrabCut seeds its colour models with
    // k-means from OpenCV's per-thread random generator; until 1.7 whatever had drawn from it
    // before (an earlier analysis, anything else in the process) changed the head mask, and the
    // dense grey phantom on very light skin read 4.49 or 4.84 points depending on which tests
    // ran first.
    const test::PhantomCase c = test::phantomCases(1600)[1];
    REQUIRE(c.name == "very light skin, grey hair");
    cv::theRNG().state = 1;
    const test::PhantomScore first = test::scorePhantom(c);
    for (const std::uint64_t state : {7ULL, 1234567ULL, 0xffffffffULL}) {
        INFO("generator state " << state);
        cv::theRNG().state = state;
        const test::PhantomScore again = test::scorePhantom(c);
        CHECK(again.result.coverage == first.result.coverage);
        CHECK(again.result.grades == first.result.grades);
        CHECK(again.coverageErrorPp == first.coverageErrorPp);
    }
    // And the generator is the caller's again afterwards: the analysis leaves it as it was.
    cv::theRNG().state = 42;
    (void)test::scorePhantom(c);
    CHECK(cv::theRNG().state == 42);
}

TEST_CASE("a full head of grey or blond hair reads most of its coverage", "[analysis]")
{
    // Drawn at 1600 x 1200 with no loss (about 80% coverage), grey hair on light skin and blond
    // on medium skin are unmixed in colour. Their hair's shades spread over the far half of the
    // ratio's scale with no peak, and until 1.7 the hair end was the 99.8th percentile in the
    // noise beyond it: they read 34.5 and 35.5 points thin. Since 1.7 the median past 40% of the
    // way: 12.5 and 10.0; since 1.11, whose skin end lies below the reddest fifth's (mixed with
    // hair on so dense a head), 4.7 and 5.6 (docs/analysis.md).
    struct Case
    {
        const char *name;
        QColor skin, hair;
    };
    for (const Case &k :
         {Case{"grey hair on light skin", QColor(222, 178, 150), QColor(165, 165, 160)},
          Case{"blond hair on medium skin", QColor(196, 146, 108), QColor(205, 172, 112)}}) {
        test::PhantomCase c;
        c.phantom.widthPx = 1600;
        c.phantom.heightPx = 1200;
        c.phantom.skin = k.skin;
        c.phantom.hair = k.hair;
        c.phantom.lossSeverity = 0.0;
        c.noiseSigma = 4;
        c.jpegQuality = 90;
        const test::PhantomScore score = test::scorePhantom(c);
        std::printf("full head, %s: coverage error %.2f points, bias %+.2f\n", k.name,
                    score.coverageErrorPp, score.meanCoverageErrorPp);
        CHECK(score.result.scalpFound);
        CHECK(score.coverageErrorPp < 8.0);
        CHECK(score.meanCoverageErrorPp > -8.0);
    }
}

TEST_CASE("noise in a colour-unmixed map does not grade an even head of light hair as loss",
          "[analysis]")
{
    // An even head of blond or grey hair on light skin, no loss drawn, photographed with noise.
    // The colour unmixing's map is noisy, and until 1.8 its 90th percentile, the reference, sat
    // in the noise above the head's coverage: 9-12% of the scalp read as advanced or bald, and
    // 30-34% as normal (1.8: 5-6% and 49%; dark hair on the same head, unmixed in lightness:
    // 0.7% and 43%, the rest mild or moderate where the drawn strands fall sparser).
    for (const QColor hair : {QColor(205, 172, 112), QColor(165, 165, 160)}) {
        INFO(hair.name().toStdString());
        test::PhantomCase c;
        c.phantom.widthPx = 800;
        c.phantom.heightPx = 600;
        c.phantom.skin = QColor(222, 178, 150);
        c.phantom.hair = hair;
        c.phantom.lossSeverity = 0.0;
        c.noiseSigma = 4;
        c.jpegQuality = 85;
        const analysis::Result r = test::scorePhantom(c).result;
        REQUIRE(r.scalpFound);
        const auto scalp = std::count_if(r.grades.begin(), r.grades.end(), [](analysis::Grade g) {
            return g != analysis::Grade::NotScalp;
        });
        const auto normal = std::count(r.grades.begin(), r.grades.end(), analysis::Grade::Normal);
        CHECK(lossShare(r) < 0.08);
        CHECK(static_cast<double>(normal) / static_cast<double>(scalp) > 0.4);
    }
}

TEST_CASE("the outline of a full head of hair does not grade as thinning", "[analysis]")
{
    // A top view of an even head of dark hair, no loss drawn: at its outline the hair's fringe
    // lies over the backdrop, and GrabCut takes that fringe into the head. Until 1.10 the
    // backdrop seen between its strands counted as bare scalp in the coverage window, and every
    // head was ringed with mild and moderate thinning half a window wide.
    test::PhantomCase c;
    c.phantom.widthPx = 1600;
    c.phantom.heightPx = 1200;
    c.phantom.lossSeverity = 0.0;
    const analysis::Result r = test::scorePhantom(c).result;
    REQUIRE(r.scalpFound);
    // The ring: scalp pixels within half a window of the background, over the top of the head
    // (above its middle less a fifth, clear of the ears).
    cv::Mat scalp(r.mapHeight, r.mapWidth, CV_8U);
    for (int i = 0; i < r.mapWidth * r.mapHeight; ++i)
        scalp.data[i] =
            r.grades[static_cast<std::size_t>(i)] != analysis::Grade::NotScalp ? 255 : 0;
    cv::Mat distance;
    cv::distanceTransform(scalp, distance, cv::DIST_L2, 3);
    const float halfWindow = static_cast<float>(r.windowPhotoPx / r.photoPxPerMapPx / 2.0);
    const cv::Rect box = cv::boundingRect(scalp);
    const int top = box.y + box.height * 3 / 10;
    int ring = 0, thinning = 0;
    for (int y = box.y; y < top; ++y)
        for (int x = 0; x < r.mapWidth; ++x) {
            const float d = distance.at<float>(y, x);
            if (d <= 0 || d > halfWindow)
                continue;
            ++ring;
            thinning +=
                r.grades[static_cast<std::size_t>(y * r.mapWidth + x)] != analysis::Grade::Normal;
        }
    REQUIRE(ring > 1000);
    const double share = static_cast<double>(thinning) / ring;
    std::printf("outline ring: %d px, %.3f graded mild or worse\n", ring, share);
    CHECK(share < 0.1); // 1.9: 0.93
}

TEST_CASE("red hair reads the right way round when the technician says it is the darker",
          "[analysis]")
{
    // Red hair is redder than the skin, and the analysis takes the reddest fifth of a head for
    // its skin: read automatically, auburn and copper heads map inside out (22-56 points of
    // coverage, loss IoU under 0.3 on these cases, stage I for IV). Told which way round the
    // hair lies, the least red fifth is the skin (docs/analysis.md, step 3).
    struct RedCase
    {
        QColor hair, skin;
        analysis::HairTone tone;
        double maxErrorPp, minIoU; // at 1600 x 1200 (measured 2.3-6.4 points, IoU 0.94-0.98)
    };
    const QColor auburn(140, 60, 30), copper(170, 80, 40), lightCopper(190, 100, 50);
    const QColor veryLight(238, 206, 188), light(222, 178, 150), tan(160, 112, 78);
    const RedCase cases[] = {{auburn, veryLight, analysis::HairTone::DarkerThanSkin, 4.5, 0.9},
                             {auburn, light, analysis::HairTone::DarkerThanSkin, 6.0, 0.9},
                             {copper, light, analysis::HairTone::DarkerThanSkin, 4.0, 0.9},
                             {copper, tan, analysis::HairTone::DarkerThanSkin, 7.5, 0.9},
                             {lightCopper, tan, analysis::HairTone::LighterThanSkin, 8.0, 0.9}};
    for (const RedCase &red : cases) {
        test::PhantomCase c;
        c.phantom.widthPx = 1600;
        c.phantom.heightPx = 1200;
        c.phantom.hair = red.hair;
        c.phantom.skin = red.skin;
        c.noiseSigma = 3;
        c.jpegQuality = 85;
        analysis::Parameters parameters;
        const auto automatic = test::scorePhantom(c, parameters);
        parameters.hairTone = red.tone;
        const auto given = test::scorePhantom(c, parameters);
        INFO("hair " << red.hair.name().toStdString() << " on skin "
                     << red.skin.name().toStdString() << ": automatic " << automatic.coverageErrorPp
                     << " points, IoU " << automatic.lossIoU << "; given " << given.coverageErrorPp
                     << ", IoU " << given.lossIoU);
        CHECK(given.result.hairToneGiven);
        CHECK(given.result.hairTone == red.tone);
        CHECK(given.result.unmixing.ends_with("; skin the least red"));
        CHECK(given.coverageErrorPp < red.maxErrorPp);
        CHECK(given.lossIoU > red.minIoU);
        CHECK(given.coverageErrorPp < automatic.coverageErrorPp);
    }
}

TEST_CASE("a scale too fine for the photo is refused with what the photo would show", "[analysis]")
{
    smp::imaging::SampleScalpParameters drawn;
    drawn.widthPx = 800;
    drawn.heightPx = 600;
    const QImage rgb = smp::imaging::drawSampleScalp(drawn).convertToFormat(QImage::Format_RGB888);
    const smp::analysis::RgbImage image{rgb.width(), rgb.height(), rgb.bytesPerLine(),
                                        rgb.constBits()};
    smp::analysis::Parameters parameters;
    // 0.01 mm per pixel: the photo is 8 x 6 mm, the 5 mm window 500 px of its 600.
    parameters.mmPerPx = 0.01;
    CHECK_THROWS_WITH(smp::analysis::analyze(image, parameters),
                      Catch::Contains("0.0100 mm per pixel") &&
                          Catch::Contains("the photo shows 8.0 x 6.0 mm") &&
                          Catch::Contains("check the photo's scale"));
    // A scale far too fine asked for a kernel of gigabytes before (OpenCV's out-of-memory error).
    parameters.mmPerPx = 0.00001;
    CHECK_THROWS_WITH(smp::analysis::analyze(image, parameters),
                      Catch::Contains("check the photo's scale"));
    // Not a scale at all (a stored calibration of NaN, 0 or a negative number).
    for (const double notAScale : {std::numeric_limits<double>::quiet_NaN(), 0.0, -0.2}) {
        parameters.mmPerPx = notAScale;
        CHECK_THROWS_WITH(smp::analysis::analyze(image, parameters),
                          Catch::Contains("is not a scale"));
    }
    // A head 800 px across at 0.25 mm per pixel (200 mm): analysed, its window 20 px.
    parameters.mmPerPx = 0.25;
    const smp::analysis::Result result = smp::analysis::analyze(image, parameters);
    CHECK(result.windowPhotoPx == Approx(20));
    CHECK(result.scalpFound);
}
