// The texture check (analysis/HairTexture.h): its cells, its gates, and the shipped forest on
// phantoms. The forest's figures on the real photographs: RealPhotoTests.cpp.

#include "PhantomEvaluation.h"
#include "smp/analysis/HairTexture.h"
#include "smp/analysis/ScalpAnalysis.h"
#include "smp/imaging/SampleScalp.h"

#include <catch2/catch.hpp>

#include <QFile>
#include <QImage>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using namespace smp;

namespace {

analysis::RgbImage rgbOf(const QImage &image)
{
    return {image.width(), image.height(), image.bytesPerLine(), image.constBits()};
}

// Installs the forest the application ships (resources/models/hair-texture-rtrees.yml).
void installShippedTextureModel()
{
    QFile file(QStringLiteral(SMP_SOURCE_DIR "/resources/models/hair-texture-rtrees.yml"));
    REQUIRE(file.open(QIODevice::ReadOnly));
    analysis::setHairTextureModel(file.readAll().toStdString(), "shipped");
}

std::size_t featureIndex(const std::string &name)
{
    const auto &names = analysis::hairTextureFeatureNames();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return i;
    FAIL("no cell number " << name);
    return 0;
}

} // namespace

TEST_CASE("the texture check reads 16 px cells of the photo scaled to 640 px",
          "[analysis][texture]")
{
    const std::size_t count = analysis::hairTextureFeatureNames().size();
    REQUIRE(count == 17);
    // A 1600 x 1200 photo: scaled to 640 x 480, 40 x 30 cells of 40 photo pixels.
    QImage grey(1600, 1200, QImage::Format_RGB888);
    grey.fill(QColor(119, 119, 119)); // L* 50.0
    auto cells = analysis::hairTextureCells(rgbOf(grey));
    CHECK(cells.cellsWide == 40);
    CHECK(cells.cellsHigh == 30);
    CHECK(cells.photoPxPerCell == Approx(40.0));
    REQUIRE(cells.features.size() == 40u * 30u * count);
    // A flat grey: L* 50, no colour, no detail, no spread.
    CHECK(cells.features[featureIndex("mean_L")] == Approx(50.0).margin(0.3));
    CHECK(cells.features[featureIndex("mean_chroma")] == Approx(0.0).margin(0.05));
    CHECK(cells.features[featureIndex("fine_detail_1px")] == Approx(0.0).margin(1e-3));
    CHECK(cells.features[featureIndex("sd_L")] == Approx(0.0).margin(1e-3));
    CHECK(cells.features[featureIndex("p90_L")] == Approx(50.0).margin(0.3));

    // A photo smaller than 640 px is read as it is; stripes one pixel wide have fine detail and
    // a spread of L* between the stripes' lightnesses.
    QImage stripes(320, 200, QImage::Format_RGB888);
    for (int y = 0; y < stripes.height(); ++y)
        for (int x = 0; x < stripes.width(); ++x)
            stripes.setPixelColor(x, y, x % 2 ? QColor(40, 32, 26) : QColor(222, 178, 150));
    cells = analysis::hairTextureCells(rgbOf(stripes));
    CHECK(cells.cellsWide == 20);
    CHECK(cells.cellsHigh == 12);
    CHECK(cells.photoPxPerCell == Approx(16.0));
    CHECK(cells.features[featureIndex("fine_detail_1px")] > 5.0f);
    CHECK(cells.features[featureIndex("sd_L")] > 20.0f);
    CHECK(cells.features[featureIndex("p90_L")] - cells.features[featureIndex("p10_L")] > 40.0f);

    CHECK_THROWS_AS(analysis::hairTextureCells({}), std::invalid_argument);
}

TEST_CASE("the texture check marks only loss whose cells read hair, on the map as corrected",
          "[analysis][texture]")
{
    // Four cells of 100 photo px over a 50 x 50 map of 4 photo px a pixel: the left column of
    // cells reads hair, the right bare.
    analysis::TextureCheck check;
    check.applies = true;
    check.cellsWide = 2;
    check.cellsHigh = 2;
    check.photoPxPerCell = 100;
    check.hairProbability = {0.95f, 0.05f, 0.95f, 0.05f};
    const int w = 50, h = 50;
    std::vector<analysis::Grade> bald(w * h, analysis::Grade::Bald);
    const auto marked = analysis::lossReadingHair(check, bald, w, h, 4.0);
    REQUIRE(marked.size() == bald.size());
    CHECK(marked[10 * w + 2] == 1);  // well inside the left cells
    CHECK(marked[10 * w + 47] == 0); // well inside the right ones
    // Interpolated between the cells' centres (map x 12.5 and 37.5): 0.9 is reached at x 14.
    CHECK(analysis::lossReadingHairShare(check, bald, w, h, 4.0) == Approx(14.0 / 50).margin(0.03));

    // Normal and moderate grades are never marked; advanced ones are.
    std::vector<analysis::Grade> mixed(w * h, analysis::Grade::Normal);
    mixed[10 * w + 2] = analysis::Grade::Moderate;
    mixed[11 * w + 2] = analysis::Grade::Advanced;
    const auto mixedMarked = analysis::lossReadingHair(check, mixed, w, h, 4.0);
    CHECK(mixedMarked[10 * w + 2] == 0);
    CHECK(mixedMarked[11 * w + 2] == 1);
    CHECK(analysis::lossReadingHairShare(check, mixed, w, h, 4.0) == Approx(1.0));
    // No loss at all: nothing to share.
    CHECK(analysis::lossReadingHairShare(
              check, std::vector<analysis::Grade>(w * h, analysis::Grade::Normal), w, h, 4.0) ==
          0.0);

    // Where the map reads hair, whatever its grade: made once, then marked against each map.
    const auto hair = analysis::hairOnMap(check, w, h, 4.0);
    REQUIRE(hair.size() == bald.size());
    CHECK(hair[10 * w + 2] == 1);
    CHECK(hair[10 * w + 47] == 0);
    CHECK(hair == marked);

    // A map of another size, or a check that does not apply, marks nothing.
    CHECK(analysis::lossReadingHair(check, bald, w, h - 1, 4.0).empty());
    check.applies = false;
    CHECK(analysis::lossReadingHair(check, bald, w, h, 4.0).empty());
    CHECK(analysis::hairOnMap(check, w, h, 4.0).empty());
}

TEST_CASE("the texture model is refused unless it is a trained forest of the cell numbers",
          "[analysis][texture]")
{
    CHECK_THROWS_AS(analysis::setHairTextureModel("not a model", "junk"), std::invalid_argument);
    QFile stage(QStringLiteral(SMP_SOURCE_DIR "/resources/models/norwood-rtrees.yml"));
    REQUIRE(stage.open(QIODevice::ReadOnly));
    try {
        analysis::setHairTextureModel(stage.readAll().toStdString(), "the stage model");
        FAIL("the stage model was taken for a texture model");
    } catch (const std::invalid_argument &error) {
        CHECK(std::string(error.what()).find("the stage model") != std::string::npos);
    }
}

TEST_CASE("the shipped texture check: quiet on true loss, hatches dense hair graded bald, and "
          "stays off where it has not learnt",
          "[analysis][texture]")
{
    installShippedTextureModel();

    // The bundled sample photo's phantom: its loss is true loss, and the check is quiet on it.
    const auto sample = test::scorePhantom(test::PhantomCase{"sample", {}, 0, 0, 0});
    REQUIRE(sample.result.texture.applies);
    CHECK(sample.result.texture.modelId == "shipped");
    CHECK(sample.rightLossReadingHair < 0.05);

    // A full head of dense dark hair with its map graded bald by hand: the check reads hair.
    imaging::SampleScalpParameters full;
    full.lossSeverity = 0;
    const QImage dense = imaging::drawSampleScalp(full).convertToFormat(QImage::Format_RGB888);
    analysis::Result r = analysis::analyze(rgbOf(dense));
    REQUIRE(r.scalpFound);
    for (auto &g : r.grades)
        if (g != analysis::Grade::NotScalp)
            g = analysis::Grade::Bald;
    const auto check = analysis::checkHairTexture(rgbOf(dense), analysis::View::Top, r);
    REQUIRE(check.applies);
    INFO("share of the scalp read as hair: " << check.lossReadingHair);
    CHECK(check.lossReadingHair > 0.5);

    // Where it has not learnt: other views.
    analysis::Parameters front;
    front.view = analysis::View::Front;
    const auto fromFront = analysis::analyze(rgbOf(dense), front);
    CHECK_FALSE(fromFront.texture.applies);
    CHECK(fromFront.texture.reason.find("top views") != std::string::npos);
    imaging::SampleScalpParameters lightOnDark;
    lightOnDark.skin = QColor(72, 48, 36);
    lightOnDark.hair = QColor(165, 165, 160);
    const QImage grey =
        imaging::drawSampleScalp(lightOnDark).convertToFormat(QImage::Format_RGB888);
    // Hair read lighter than the skin (since analysis 1.41): grey hair on very dark skin, the
    // sample's head with its loss. The prototype, learnt from the real photographs alone, read
    // such bare skin as hair; the shipped forest learnt the phantoms' six skin tones too, and is
    // quiet on this head's loss, which is true loss.
    const auto greyOnDark = analysis::analyze(rgbOf(grey));
    REQUIRE(greyOnDark.scalpFound);
    REQUIRE(greyOnDark.hairTone == analysis::HairTone::LighterThanSkin);
    REQUIRE(greyOnDark.texture.applies);
    INFO("loss read as hair: " << greyOnDark.texture.lossReadingHair);
    CHECK(greyOnDark.texture.lossReadingHair < 0.05);
}

TEST_CASE("the shipped texture check stays quiet on true loss across phantoms it did not learn "
          "from",
          "[analysis][texture][phantoms]")
{
    installShippedTextureModel();
    // The quality targets' cases drawn with other seeds than the forest learnt from (other
    // strands and noise): 800 and 1600 px, and 800 px with the hair shaded with the head; and
    // the 12 MP cases (as dense as the 1600 px ones, blur scaled with the picture), a size it
    // learnt nothing at.
    std::vector<test::PhantomCase> cases;
    for (const auto &[width, shaded] : {std::pair{800, false}, {1600, false}, {800, true}})
        for (auto c : test::phantomCases(width, shaded)) {
            c.phantom.seed += 2000;
            cases.push_back(c);
        }
    for (auto c : test::phantomCases(4000)) {
        c.phantom.strandsPerPixel *= (1600.0 / 4000.0) * (1600.0 / 4000.0);
        c.blurSigma *= 4000.0 / 1600.0;
        cases.push_back(c);
    }
    int checked = 0;
    double falseAlarms = 0, catches = 0;
    for (const auto &c : cases) {
        const auto score = test::scorePhantom(c);
        if (score.rightLossReadingHair < 0)
            continue; // the check does not apply (since analysis 1.41 every case's does)
        ++checked;
        falseAlarms += score.rightLossReadingHair;
        catches += score.wrongLossReadingHair;
        INFO(c.name << ", " << c.phantom.widthPx << " px: true loss hatched "
                    << score.rightLossReadingHair << ", wrong loss hatched "
                    << score.wrongLossReadingHair);
        // Measured 2026-12-04 (hair-texture-rtrees-2026-12-04), 40 of the 72 cases checked: at
        // most 0.036 of the true loss hatched (very light skin, dark hair, 800 px, shaded), 0.003
        // on average; of the analysis's wrong loss 0.066 on average (docs/analysis.md). Since
        // analysis 1.41 the 32 whose hair reads lighter than the skin are checked too: at most
        // 0.027 of their true loss hatched (dark skin, grey hair, 800 px), and 0.43-0.57 of the
        // wrong loss on very dark skin with grey or blond hair at 800 px.
        CHECK(score.rightLossReadingHair < 0.1);
    }
    std::printf("texture check on %d phantoms: true loss hatched %.3f, wrong loss hatched %.3f "
                "(means)\n",
                checked, falseAlarms / std::max(1, checked), catches / std::max(1, checked));
    CHECK(checked == static_cast<int>(cases.size()));
}
