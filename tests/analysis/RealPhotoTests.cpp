// The analysis and the shipped stage model on real photographs of pattern hair loss
// (../shared/data/hairloss: uze, hair-loss dataset, Roboflow Universe, CC BY 4.0), skipped when
// the data set is absent. Only the "check" half of the subjects, which the model was not trained
// on (the same split as smp-evaluate-hairloss), and only front and top views, the ones the issue
// sets targets for.

#include "HairlossLabels.h"
#include "Statistics.h"
#include "TestSupport.h"
#include "smp/analysis/ScalpAnalysis.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/SampleClient.h"
#include "smp/imaging/SampleScalp.h"

#include <catch2/catch.hpp>

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace smp;

namespace {

struct ViewScore
{
    double photos = 0;
    double scalpFound = 0;
    double absoluteError = 0;
    double withinOne = 0;
    std::vector<double> labels;     // Norwood level per photo with a scalp
    std::vector<double> lossShares; // its map's advanced-plus-bald share
};

// The index of a stage feature by its name.
std::size_t feature(const std::string &name)
{
    const auto &names = analysis::stageFeatureNames();
    const auto at = std::find(names.begin(), names.end(), name);
    REQUIRE(at != names.end());
    return static_cast<std::size_t>(at - names.begin());
}

// The rows of ../shared/data/hairloss/labels.csv under `images`' parent after its header: file,
// norwood_level, view, subject.
std::vector<QStringList> labelRows(const QString &images)
{
    QFile labels(images + QStringLiteral("/../labels.csv"));
    REQUIRE(labels.open(QIODevice::ReadOnly));
    QTextStream in(&labels);
    in.readLine();
    std::vector<QStringList> rows;
    while (!in.atEnd()) {
        QStringList f = in.readLine().split(QLatin1Char(','));
        if (f.size() >= 4)
            rows.push_back(std::move(f));
    }
    return rows;
}

// A labelled photo analysed as the application analyses it, with its label's view.
analysis::Result analyzeLabelled(const QString &images, const QStringList &row)
{
    const QImage photo(images + QStringLiteral("/../") + row[0]);
    REQUIRE_FALSE(photo.isNull());
    analysis::Parameters parameters;
    parameters.view = test::viewOfHairlossLabel(row[2]);
    return clinic::analyzeImage(photo, parameters);
}

// Each of `files` (names under `images`, every one listed in the labels) is analysed as its
// label's view and read with its hair darker than the skin.
void checkHairReadDarker(const QString &images, const QStringList &files)
{
    int found = 0;
    for (const QStringList &f : labelRows(images)) {
        if (!files.contains(f[0].section(QLatin1Char('/'), -1)))
            continue;
        ++found;
        const auto result = analyzeLabelled(images, f);
        INFO(f[0].toStdString() << " (" << f[2].toStdString() << "): " << result.unmixing);
        REQUIRE(result.scalpFound);
        CHECK(result.hairTone == analysis::HairTone::DarkerThanSkin);
    }
    CHECK(found == files.size());
}

} // namespace

TEST_CASE("real photographs, check half: Norwood level within the targets on front and top "
          "views (skipped when absent)",
          "[analysis][shared-data]")
{
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the real-photo stage check");
        return;
    }
    std::map<QString, ViewScore> scores;
    const std::size_t advanced = feature("share_advanced"), bald = feature("share_bald");
    for (const QStringList &f : labelRows(images)) {
        if (f[2] != QLatin1String("front") && f[2] != QLatin1String("top"))
            continue;
        // The check half: the subjects whose id's MD5 starts with an odd byte.
        if (!(QCryptographicHash::hash(f[3].toUtf8(), QCryptographicHash::Md5).at(0) & 1))
            continue;
        const auto result = analyzeLabelled(images, f);
        // No scalp found counts as level I: what a technician would be told.
        const int level = result.scalpFound ? result.norwood.level : 1;
        const int error = std::abs(level - f[1].toInt());
        ViewScore &score = scores[f[2]];
        score.photos += 1;
        score.scalpFound += result.scalpFound;
        score.absoluteError += error;
        score.withinOne += error <= 1;
        if (result.scalpFound) {
            score.labels.push_back(f[1].toDouble());
            score.lossShares.push_back(result.stageFeatures[advanced] + result.stageFeatures[bald]);
        }
    }
    for (const auto &[view, score] : scores) {
        const double rho = test::spearman(score.labels, score.lossShares);
        INFO(view.toStdString() << ": " << score.photos << " photos, scalp found in "
                                << score.scalpFound << ", MAE "
                                << score.absoluteError / score.photos << ", within one level "
                                << score.withinOne / score.photos
                                << ", rank correlation of the loss share " << rho);
        REQUIRE(score.photos > 80);
        // Measured 2026-12-01 and -02 (algorithms 1.7 and 1.8 alike, model
        // norwood-rtrees-2026-12-01c, the forest blended with a loss calibration per view): front
        // 106 photos, scalp found in all, MAE 0.65, 89% within one level, loss-share rank
        // correlation 0.84; top 94, 94, 0.60, 93%, 0.82 (1.6: 0.62 / 89%, 0.57 / 94%; the forest
        // alone, model -01b: 0.66 / 89%, 0.76 / 87%). Across 20 random halvings of the subjects the
        // means are front 0.74 / 85%, top 0.73 / 90% (1.8: 0.75 / 85%, 0.73 / 90%;
        // docs/analysis.md). Algorithm 1.9 moves 31 photos to the light-hair branch: with the
        // evaluator's OpenCV decoding front 0.69 / 88%, top 0.61 / 93% (1.8 0.65 / 89%,
        // 0.60 / 93%), over 20 halvings 0.76 / 85%, 0.75 / 89%; 1.10 (the fringe's backdrop not
        // scalp) front 0.64 / 88%, top 0.61 / 91%, over 20 halvings 0.75 / 86%, 0.73 / 89%; 1.11
        // (the skin by the smoothed image's redness) front 0.66 / 87%, top 0.59 / 93%, over 20
        // halvings 0.77 / 85%, 0.74 / 89%. The first target: MAE at most 0.8, within
        // one level for at least 85%.
        CHECK(score.scalpFound / score.photos >= 0.95);
        CHECK(score.absoluteError / score.photos <= 0.8);
        CHECK(score.withinOne / score.photos >= 0.85);
        // The map itself: its loss share ranks the photos by level (1.3: front 0.34, top 0.71;
        // 1.4 before the skin middle for light hair and the full heads where no skin shows:
        // 0.24, 0.46; 1.5, whose shiny bald scalps read partly as hair: 0.66, 0.86).
        CHECK(rho >= 0.75);
    }
    CHECK(scores.size() == 2);
}

TEST_CASE("real photographs, check half: the texture check hatches more of the loss area on heads "
          "labelled 2 and 3 than on thinner ones (skipped when absent)",
          "[analysis][shared-data][texture]")
{
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the real-photo texture check");
        return;
    }
    // Per label, where the check applies (top views; until analysis 1.41 only those whose hair
    // reads darker than the skin): the share of the map's advanced-plus-bald area that reads
    // hair.
    std::map<int, std::vector<double>> shares;
    int photos = 0;
    for (const QStringList &f : labelRows(images)) {
        if (f[2] != QLatin1String("top") ||
            !(QCryptographicHash::hash(f[3].toUtf8(), QCryptographicHash::Md5).at(0) & 1))
            continue;
        const auto result = analyzeLabelled(images, f);
        ++photos;
        if (result.texture.applies) {
            CHECK(result.texture.modelId == clinic::textureModelId());
            shares[f[1].toInt()].push_back(result.texture.lossReadingHair);
        }
    }
    const auto mean = [](const std::vector<double> &v) {
        return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    };
    std::vector<double> fuller, thinner;
    for (const auto &[label, list] : shares) {
        UNSCOPED_INFO("label " << label << ": " << list.size() << " photos, mean share "
                               << mean(list));
        (label <= 3 ? fuller : thinner)
            .insert((label <= 3 ? fuller : thinner).end(), list.begin(), list.end());
    }
    // Measured 2026-12-04 (hair-texture-rtrees-2026-12-04, analysis 1.20): 94 top views, the
    // check applying to 51 (none labelled 6 or 7: their hair reads lighter); mean share labels 2
    // 0.26, 3 0.19, 4 0.03, 5 0.06; 2-3 0.22 (29 photos), 4-7 0.04 (22): full heads read as loss
    // are among the former (docs/analysis.md, "The texture check"). Since 1.41 it applies to all
    // 94: labels 2 0.20, 3 0.19, 4 0.02, 5 0.06, 6 0.010, 7 0.001; 2-3 0.198 (31 photos), 4-7
    // 0.022 (63).
    REQUIRE(photos > 80);
    REQUIRE(fuller.size() >= 20);
    REQUIRE(thinner.size() >= 15);
    CHECK(mean(fuller) > 2 * mean(thinner));
    CHECK(mean(thinner) < 0.08);
}

TEST_CASE("real photographs labelled 6 or 7, every view: no more staged III or below (skipped "
          "when absent)",
          "[analysis][shared-data]")
{
    // A bald head read as partly haired is a patchwork of hair over bare scalp on the map the
    // technician plans on. Found 2026-12-02: the first cut of algorithm 1.14 (the colour ratio's
    // most common value as the hair end, its strand test measured against that nearer end) read
    // three bald side views as 32-55% covered, two labelled 6 moving to stage III (from V and
    // VI). Both halves of the subjects, every view: those were side views of the fit half.
    // Measured with 1.13 and 1.14 and model -01c: 11 of the 321 at stage III, all labelled 6,
    // back and left views whose fringe of hair reads 24-50% covered (no photo at I or II); the
    // rest at IV or above. A guard against more, not a target (side and back views have none).
    // 1.20 (a soft photo's sparse hair end) adds two copies of a level-6 right view, its bald
    // top mapped bald (5% covered; loss share 0.656 -> 0.664, up): the forest, given that, steps
    // from IV to III (docs/analysis.md, real photographs, 1.20). 1.23 (a soft photo's reference
    // from its smoothed map) adds four side views of two people, all labelled 6, whose coverage
    // is unchanged and whose lower reference grades a little less loss: a level-6 left view
    // (three copies) whose head mask takes in the whole face, and a right view of a bald top
    // read 22% covered (docs/analysis.md, "A soft photo's reference"). Side views do not count
    // towards the client's stage. 1.27 (dense dark hair's sheen is hair) adds a back view of
    // short greying hair (labelled 6) whose fringe now reads as hair, 58% covered, its crown
    // bald, and the third copy of that left view (its other two already here): the forest,
    // learnt on 1.6's features, steps them from IV to III (docs/analysis.md, "Algorithm 1.27").
    // 18 since. 1.40 (dark hair beside a pale bald scalp read as the darker) adds the three
    // copies of one person's back view (labelled 6), whose fringe, read as the lighter until
    // then, mapped as bald and now maps as hair, 37% covered, its top bald: the same forest
    // reads III (docs/analysis.md, "Algorithm 1.40").
    constexpr int kStagedLowNow = 21;
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the bald-head check");
        return;
    }
    int photos = 0, stagedLow = 0;
    std::ostringstream low; // every photo staged III or below, for the failure's message
    for (const QStringList &f : labelRows(images)) {
        if (f[1].toInt() < 6)
            continue;
        const auto result = analyzeLabelled(images, f);
        CHECK(result.scalpFound);
        ++photos;
        if (result.norwood.level <= 3) {
            ++stagedLow;
            low << '\n'
                << f[0].toStdString() << " (level " << f[1].toStdString() << ", "
                << f[2].toStdString() << "): stage " << result.norwood.stage << ", coverage "
                << result.coveragePercent << "%";
        }
    }
    CHECK(photos > 300);
    INFO("staged III or below:" << low.str());
    CHECK(stagedLow <= kStagedLowNow);
}

TEST_CASE("real photographs, back views labelled 2: few map their hair as loss (skipped when "
          "absent)",
          "[analysis][shared-data]")
{
    // Seen from behind, a level-2 head is all but covered: what its map grades advanced or bald
    // should be its neck and ears, not its hair. Until 1.39 dark brown hair (a* 4-6, chroma 5-7)
    // passed for skin: full heads missed the full-head rule, took their redder strands for the
    // skin end, and their hair lit from above read as bare (docs/analysis.md, "Algorithm 1.39").
    // Both halves of the subjects (no model is involved): 25 of the 39 mapped over 30% of the
    // head advanced or bald with 1.38, 19 with 1.39, 15 with 1.42 (the ears of heads turned in
    // the frame taken off: among them two copies of one back view, whose map then reads its hair
    // as hair, docs/analysis.md, "Algorithm 1.42"); the
    // rest of them are necks as wide as the head and short grey or light brown hair. A guard
    // against more, not a target.
    constexpr int kMostlyLossNow = 15;
    constexpr double kMostlyLoss = 0.3; // advanced-plus-bald share of the scalp
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the back-view check");
        return;
    }
    const std::size_t advanced = feature("share_advanced"), bald = feature("share_bald");
    int photos = 0, mostlyLoss = 0;
    std::ostringstream listed; // every photo over the bound, for the failure's message
    for (const QStringList &f : labelRows(images)) {
        if (f[1] != QLatin1String("2") || f[2] != QLatin1String("back"))
            continue;
        const auto result = analyzeLabelled(images, f);
        REQUIRE(result.scalpFound);
        ++photos;
        const double lossShare = result.stageFeatures[advanced] + result.stageFeatures[bald];
        if (lossShare > kMostlyLoss) {
            ++mostlyLoss;
            listed << '\n'
                   << f[0].toStdString() << ": loss share " << lossShare << ", coverage "
                   << result.coveragePercent << "%, " << result.unmixing;
        }
    }
    CHECK(photos == 39);
    INFO("mapped mostly as loss:" << listed.str());
    CHECK(mostlyLoss <= kMostlyLossNow);
}

TEST_CASE("real photographs of dark hair beside a pale bald scalp read the hair as the darker "
          "(skipped when absent)",
          "[analysis][shared-data]")
{
    // One photo per person (and view) looked at: dark or dark brown hair around or beside a pale
    // bald scalp, whose reddest fifth is shaded skin or warm brown strands, darker than the
    // head's median. Until 1.40 each read its hair as the lighter: the dark hair mapped as bare
    // skin and the lit bald scalp's highlights as islands of hair (docs/analysis.md, "Algorithm
    // 1.40"). Every one of them fails on 1.39.
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the hair-tone check");
        return;
    }
    const QStringList darkHaired = {
        QStringLiteral("12-Top-Down_jpg.rf.4c2fa7d547865bbec23228ab46bef325.jpg"),
        QStringLiteral("2-Top-Down_jpg.rf.14e4a0b98502d4f5b5d46db473ab6104.jpg"),
        QStringLiteral("15-Front_jpg.rf.71dce791ce621a6d3fc6e601e3640e99.jpg"),
        QStringLiteral("20-Front_jpg.rf.0da190695a324abf44da2ed429ec7792.jpg"),
        QStringLiteral("55-Front_jpg.rf.8e33204ae51619dbc14b2c05374a5816.jpg"),
        QStringLiteral("6-Front_jpg.rf.1270315caecff63edc409f01f9e23545.jpg"),
        QStringLiteral("20-Back_jpg.rf.552b2b0bb44152d7330d350101794621.jpg"),
        QStringLiteral("18-Right_jpg.rf.4047e6f0084884a408cadc919bdc36d3.jpg"),
    };
    checkHairReadDarker(images, darkHaired);
}

TEST_CASE("real photographs of short dark or greying hair around a bald top, a close call, read "
          "the hair as the darker (skipped when absent)",
          "[analysis][shared-data]")
{
    // One photo per person and view looked at: back and side views of short dark or greying hair
    // around a bald top, the head at least 60% dark pixels, whose reddest fifth (shaded skin)
    // lies within 3 L* of the head's median. Until 1.43 each read its hair as the lighter: the
    // hair mapped bald, the lit top and its highlights as hair (docs/analysis.md, "Algorithm
    // 1.43"). Every one of them fails on 1.42.
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the close-call hair-tone check");
        return;
    }
    const QStringList closeCalls = {
        QStringLiteral("15-Back_jpg.rf.9ceb3708d86655c8b08068b90bd602fe.jpg"),
        QStringLiteral("17-Back_jpg.rf.4ba651eef51a4a6aaa5864ecb725205c.jpg"),
        QStringLiteral("27-Back_jpg.rf.7a8f30ba546aae0ed7cdfbdbdae8707f.jpg"),
        QStringLiteral("35-Back_jpg.rf.eed6b3394de0baced980f99af103a30e.jpg"),
        QStringLiteral("18-Left_jpg.rf.41998a2f1ca033e4f41fa05b6cb7351f.jpg"),
        QStringLiteral("38-Left_jpg.rf.1d2f7d7022032bbdf44e9022ea17438a.jpg"),
        QStringLiteral("24-Right_jpg.rf.592e48abaa8d07478266dd60fd6bb58d.jpg"),
    };
    checkHairReadDarker(images, closeCalls);
}

TEST_CASE("the shipped stage model follows the technician's corrections", "[analysis]")
{
    // The bundled sample photo, analysed with the shipped model; then its grade map painted all
    // normal, and all bald, as a technician could with the brush.
    const QImage photo(clinic::samplePhotoResource());
    REQUIRE_FALSE(photo.isNull());
    analysis::Parameters parameters;
    parameters.view = analysis::View::Top;
    const auto result = clinic::analyzeImage(photo, parameters);
    REQUIRE(result.scalpFound);
    REQUIRE(result.norwood.method == "model");
    const auto restaged = [&](analysis::Grade grade) {
        std::vector<analysis::Grade> grades = result.grades;
        for (auto &g : grades)
            if (g != analysis::Grade::NotScalp)
                g = grade;
        return analysis::stageOfGrades(grades, result.mapWidth, result.mapHeight,
                                       result.stageFeatures, result.norwood)
            .level;
    };
    const int asAnalysed = analysis::stageOfGrades(result.grades, result.mapWidth, result.mapHeight,
                                                   result.stageFeatures, result.norwood)
                               .level;
    const int allNormal = restaged(analysis::Grade::Normal);
    const int allBald = restaged(analysis::Grade::Bald);
    INFO("as analysed " << asAnalysed << ", all normal " << allNormal << ", all bald " << allBald);
    CHECK(asAnalysed == result.norwood.level);
    CHECK(allNormal < asAnalysed);
    CHECK(allBald > asAnalysed);

    // Painted bald across the front only (the top quarter of the head), normal elsewhere: the
    // model's stage carries the anterior variant the map shows.
    std::vector<analysis::Grade> front = result.grades;
    int top = result.mapHeight, bottom = 0;
    for (int y = 0; y < result.mapHeight; ++y)
        for (int x = 0; x < result.mapWidth; ++x)
            if (front[static_cast<std::size_t>(y * result.mapWidth + x)] !=
                analysis::Grade::NotScalp) {
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
    for (int y = 0; y < result.mapHeight; ++y)
        for (int x = 0; x < result.mapWidth; ++x) {
            auto &g = front[static_cast<std::size_t>(y * result.mapWidth + x)];
            if (g != analysis::Grade::NotScalp)
                g = y < top + (bottom - top) / 4 ? analysis::Grade::Bald : analysis::Grade::Normal;
        }
    const auto rule =
        analysis::summarizeGrades(front, result.mapWidth, result.mapHeight, result.photoPxPerMapPx,
                                  std::nullopt, analysis::View::Top)
            .norwood;
    REQUIRE(rule.variant == "a");
    const auto anterior = analysis::stageOfGrades(front, result.mapWidth, result.mapHeight,
                                                  result.stageFeatures, rule);
    INFO("anterior: " << anterior.stage);
    CHECK(anterior.variant == "a");
    CHECK((anterior.level >= 2 && anterior.level <= 5) == (anterior.stage.back() == 'a'));
}

TEST_CASE("a full head of hair, no loss on its map, is staged I, not the model's III", "[analysis]")
{
    // The stage model learnt levels II-VII from photographs of pattern loss, every map showing
    // some; it read even phantom heads (about 75% covered, under 1% of the scalp graded advanced
    // or bald) as III until 1.16. Dark hair on light skin, blond on tan, grey on very dark skin
    // (the phantom cases' colours), 1600 x 1200 (analysed at 1024 px), no loss drawn.
    const std::pair<QColor, QColor> skinAndHair[] = {{QColor(222, 178, 150), QColor(40, 32, 26)},
                                                     {QColor(160, 112, 78), QColor(205, 172, 112)},
                                                     {QColor(72, 48, 36), QColor(165, 165, 160)}};
    std::uint32_t seed = 7;
    for (const auto &[skin, hair] : skinAndHair) {
        imaging::SampleScalpParameters phantom;
        phantom.widthPx = 1600;
        phantom.heightPx = 1200;
        phantom.seed = seed++;
        phantom.skin = skin;
        phantom.hair = hair;
        phantom.lossSeverity = 0.0;
        const QImage photo =
            imaging::drawScalpPhantom(phantom).photo.convertToFormat(QImage::Format_RGB888);
        analysis::Parameters parameters;
        parameters.view = analysis::View::Top;
        const auto result = clinic::analyzeImage(photo, parameters);
        INFO("skin " << skin.name().toStdString() << ", hair " << hair.name().toStdString() << ": "
                     << result.norwood.stage << " (" << result.norwood.method << ")");
        REQUIRE(result.scalpFound);
        const double lossShare = result.stageFeatures.at(3) + result.stageFeatures.at(4);
        CHECK(lossShare < 0.03);
        CHECK(result.norwood.level == 1);
        CHECK(result.norwood.method == "map"); // the model alone said more
    }
}

TEST_CASE("the stage model blends its forest with the loss calibration of the photo's view",
          "[analysis]")
{
    QFile file(QStringLiteral(":/smp/models/norwood-rtrees.yml"));
    REQUIRE(file.open(QIODevice::ReadOnly));
    const std::string shipped = file.readAll().toStdString();
    const auto calibrationAt = shipped.find("smp_loss_calibration:");
    REQUIRE(calibrationAt != std::string::npos); // the shipped model has calibrations
    const std::string forest = shipped.substr(0, calibrationAt);
    // Whatever a test installs, the shipped model is back for the tests after it.
    struct Restore
    {
        const std::string &text;
        ~Restore() { analysis::setStageModel(text, clinic::stageModelId()); }
    } restore{shipped};

    const QImage photo =
        QImage(clinic::samplePhotoResource()).convertToFormat(QImage::Format_RGB888);
    REQUIRE_FALSE(photo.isNull());
    const auto levelAs = [&](analysis::View view) {
        analysis::Parameters parameters;
        parameters.view = view;
        const auto result = analysis::analyze(
            {photo.width(), photo.height(), photo.bytesPerLine(), photo.constBits()}, parameters);
        REQUIRE(result.norwood.method == "model");
        return result.norwood.level;
    };
    const analysis::LossCalibration alwaysVII({0.0, 1.0}, {7.0, 7.0});
    const analysis::LossCalibration alwaysI({0.0, 1.0}, {1.0, 1.0});

    analysis::setStageModel(forest, "forest alone");
    const int forestTop = levelAs(analysis::View::Top);
    const int forestFront = levelAs(analysis::View::Front);
    INFO("the forest alone: top " << forestTop << ", front " << forestFront);
    REQUIRE(forestTop < 7);
    REQUIRE(forestFront > 1);

    // All of the calibration: top views read what it says; front views, without one, the forest.
    analysis::setStageModel(
        analysis::stageModelWithCalibration(forest, {{analysis::View::Top, alwaysVII}}, 1.0),
        "top always VII");
    CHECK(levelAs(analysis::View::Top) == 7);
    CHECK(levelAs(analysis::View::Front) == forestFront);
    // Half of it: halfway between the forest and the calibration.
    analysis::setStageModel(
        analysis::stageModelWithCalibration(forest, {{analysis::View::Front, alwaysI}}, 0.5),
        "front half I");
    const int halfway = levelAs(analysis::View::Front);
    CHECK(halfway < forestFront);
    // (The forest's level is itself rounded: its own prediction lies within half a level of it.)
    CHECK(std::abs(halfway - (forestFront + 1) / 2.0) <= 1.0);

    // A weight outside 0-1 or a calibration that falls is refused, naming the model.
    CHECK_THROWS_AS(
        analysis::stageModelWithCalibration(forest, {{analysis::View::Top, alwaysI}}, 1.5),
        std::invalid_argument);
    std::string falling = analysis::stageModelWithCalibration(
        forest, {{analysis::View::Top, analysis::LossCalibration({0.1, 0.2}, {3.0, 4.0})}}, 0.5);
    falling.replace(falling.find("4.", falling.find("smp_loss_calibration")), 2, "2.");
    try {
        analysis::setStageModel(falling, "falling");
        FAIL("a calibration that falls was installed");
    } catch (const std::invalid_argument &error) {
        CHECK_THAT(error.what(), Catch::Contains("falling") && Catch::Contains("must not fall"));
    }
}
