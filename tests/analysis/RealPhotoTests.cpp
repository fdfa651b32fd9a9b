// The analysis and the shipped stage model on real photographs of pattern hair loss
// (../shared/data/hairloss: uze, hair-loss dataset, Roboflow Universe, CC BY 4.0), skipped when
// the data set is absent. Only the "check" half of the subjects, which the model was not trained
// on (the same split as smp-evaluate-hairloss), and only front and top views, the ones the issue
// sets targets for.

#include "TestSupport.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/SampleClient.h"

#include <catch2/catch.hpp>

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QTextStream>

#include <cstdlib>
#include <map>

using namespace smp;

namespace {

struct ViewScore
{
    double photos = 0;
    double scalpFound = 0;
    double absoluteError = 0;
    double withinOne = 0;
};

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
    QFile labels(images + QStringLiteral("/../labels.csv"));
    REQUIRE(labels.open(QIODevice::ReadOnly));
    QTextStream in(&labels);
    in.readLine();
    std::map<QString, ViewScore> scores;
    while (!in.atEnd()) {
        const QStringList f = in.readLine().split(QLatin1Char(','));
        if (f.size() < 4 || (f[2] != QLatin1String("front") && f[2] != QLatin1String("top")))
            continue;
        // The check half: the subjects whose id's MD5 starts with an odd byte.
        if (!(QCryptographicHash::hash(f[3].toUtf8(), QCryptographicHash::Md5).at(0) & 1))
            continue;
        const QImage photo(images + QStringLiteral("/../") + f[0]);
        REQUIRE_FALSE(photo.isNull());
        analysis::Parameters parameters;
        parameters.view =
            f[2] == QLatin1String("front") ? analysis::View::Front : analysis::View::Top;
        const auto result = clinic::analyzeImage(photo, parameters);
        // No scalp found counts as level I: what a technician would be told.
        const int level = result.scalpFound ? result.norwood.level : 1;
        const int error = std::abs(level - f[1].toInt());
        ViewScore &score = scores[f[2]];
        score.photos += 1;
        score.scalpFound += result.scalpFound;
        score.absoluteError += error;
        score.withinOne += error <= 1;
    }
    for (const auto &[view, score] : scores) {
        INFO(view.toStdString() << ": " << score.photos << " photos, scalp found in "
                                << score.scalpFound << ", MAE "
                                << score.absoluteError / score.photos << ", within one level "
                                << score.withinOne / score.photos);
        REQUIRE(score.photos > 80);
        // Measured 2026-12-01 (algorithm 1.4, model norwood-rtrees-2026-12-01b): front 106
        // photos, scalp found in all, MAE 0.70, 88% within one level; top 94, 94, 0.66, 90%.
        // Across 20 random halvings of the subjects the means are front 0.88 / 82%, top
        // 0.80 / 87% (docs/analysis.md): this split is a kind one. The first target: MAE
        // at most 0.8, within one level for at least 85%.
        CHECK(score.scalpFound / score.photos >= 0.95);
        CHECK(score.absoluteError / score.photos <= 0.8);
        CHECK(score.withinOne / score.photos >= 0.85);
    }
    CHECK(scores.size() == 2);
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
}
