#include "TestSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/SampleClient.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

using namespace smp;
using smp::test::ScratchDir;

namespace {

// The grade map of `result` with the square [x0, x0 + side) x [y0, y0 + side) (map pixels)
// graded `grade`, stored as the correction tiles it touches.
std::vector<storage::GradeTile> paintSquare(const storage::StoredAnalysis &analysis, int x0, int y0,
                                            int side, analysis::Grade grade)
{
    QByteArray map = analysis.grades;
    for (int y = y0; y < y0 + side; ++y)
        for (int x = x0; x < x0 + side; ++x)
            map[qsizetype(y) * analysis.mapWidth + x] = static_cast<char>(grade);
    const int size = storage::kAnalysisTileSize;
    std::vector<storage::GradeTile> tiles;
    for (int ty = y0 / size; ty <= (y0 + side - 1) / size; ++ty)
        for (int tx = x0 / size; tx <= (x0 + side - 1) / size; ++tx) {
            const int tw = std::min(size, analysis.mapWidth - tx * size);
            const int th = std::min(size, analysis.mapHeight - ty * size);
            storage::GradeTile tile{tx, ty, QByteArray(qsizetype(tw) * th, '\0')};
            for (int y = 0; y < th; ++y)
                std::copy_n(map.constData() + qsizetype(ty * size + y) * analysis.mapWidth +
                                tx * size,
                            tw, tile.grades.data() + qsizetype(y) * tw);
            tiles.push_back(tile);
        }
    return tiles;
}

// The sample client's photo (seeded into `db`) and its analysis, not stored.
std::pair<storage::Photo, analysis::Result> analysedSamplePhoto(storage::Database &db)
{
    const auto clientId = clinic::seedSampleClientIfNew(db);
    REQUIRE(clientId.has_value());
    const storage::Photo photo = storage::PhotoLibrary(db).photos(*clientId).front();
    const QImage upright = imaging::loadUprightImage(storage::PhotoLibrary(db).absolutePath(photo));
    return {photo, clinic::analyzeImage(upright, clinic::parametersForPhoto(db, photo.id))};
}

} // namespace

TEST_CASE("the technician's corrections are carried onto a new analysis of the photo, at its "
          "scale, with the new map kept as read",
          "[storage][analysis][corrections]")
{
    ScratchDir dir;
    storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const auto [photo, result] = analysedSamplePhoto(db);
    storage::AnalysisStore store(db);

    // No analysis yet, then one without corrections: nothing to carry.
    CHECK(clinic::latestCorrections(db, photo.id).analysisId == 0);
    const storage::RecordId first = clinic::storeAnalysis(db, photo.id, result);
    CHECK(clinic::latestCorrections(db, photo.id).pixels == 0);
    qsizetype carried = -1;
    CHECK(clinic::carryCorrections(clinic::latestCorrections(db, photo.id), result, &carried)
              .empty());
    CHECK(carried == 0);

    // A 40-pixel square in the middle of the map taken off as not scalp (the centre of the drawn
    // head, which reads as scalp).
    const storage::StoredAnalysis stored = *store.find(first);
    const int x0 = stored.mapWidth / 2 - 20, y0 = stored.mapHeight / 2 - 20;
    const auto notScalp = static_cast<char>(analysis::Grade::NotScalp);
    qsizetype scalpInSquare = 0;
    for (int y = y0; y < y0 + 40; ++y)
        for (int x = x0; x < x0 + 40; ++x)
            scalpInSquare += stored.grades.at(qsizetype(y) * stored.mapWidth + x) != notScalp;
    REQUIRE(scalpInSquare == 1600);
    store.saveCorrections(first, paintSquare(stored, x0, y0, 40, analysis::Grade::NotScalp));
    const clinic::MapCorrections corrections = clinic::latestCorrections(db, photo.id);
    CHECK(corrections.analysisId == first);
    CHECK(corrections.pixels == 1600);

    SECTION("a new analysis at the same scale takes them pixel for pixel")
    {
        const auto tiles = clinic::carryCorrections(corrections, result, &carried);
        CHECK(carried == 1600);
        CHECK_FALSE(tiles.empty());
        CHECK(tiles.size() <= 4); // only the tiles the square touches
        const storage::RecordId second = clinic::storeAnalysis(db, photo.id, result, tiles);
        const storage::StoredAnalysis again = *store.latest(photo.id);
        CHECK(again.id == second);
        CHECK(again.grades == stored.grades); // its own map as read
        CHECK(store.correctedGrades(again) == store.correctedGrades(stored));
        CHECK(clinic::latestCorrections(db, photo.id).pixels == 1600);
    }

    SECTION("a new analysis at half the scale takes them where its pixels' centres fall")
    {
        analysis::Result half = result;
        half.mapWidth = result.mapWidth / 2;
        half.mapHeight = result.mapHeight / 2;
        half.photoPxPerMapPx = result.photoPxPerMapPx * 2;
        half.grades.assign(static_cast<std::size_t>(half.mapWidth) *
                               static_cast<std::size_t>(half.mapHeight),
                           analysis::Grade::Normal);
        const auto tiles = clinic::carryCorrections(corrections, half, &carried);
        CHECK(carried == 400); // the 40-pixel square is 20 pixels wide at half the scale
        const storage::RecordId second = clinic::storeAnalysis(db, photo.id, half, tiles);
        const storage::StoredAnalysis again = *store.find(second);
        const QByteArray map = store.correctedGrades(again);
        const auto at = [&](int x, int y) { return map.at(qsizetype(y) * half.mapWidth + x); };
        CHECK(at(x0 / 2 + 10, y0 / 2 + 10) == notScalp);
        CHECK(at(x0 / 2 - 2, y0 / 2 + 10) == static_cast<char>(analysis::Grade::Normal));
        CHECK(std::count(map.begin(), map.end(), notScalp) == 400);
    }

    SECTION("a new analysis that already reads the corrected grade carries nothing there")
    {
        analysis::Result agreeing = result;
        for (int y = y0; y < y0 + 40; ++y)
            for (int x = x0; x < x0 + 20; ++x)
                agreeing.grades[static_cast<std::size_t>(y * result.mapWidth + x)] =
                    analysis::Grade::NotScalp;
        clinic::carryCorrections(corrections, agreeing, &carried);
        CHECK(carried == 800);
    }
}

namespace {

// The mean (percent) of `result`'s own hair share over its scalp pixels for which `keep` holds:
// the coverage worked out from the analysis in floating point, to check the stored one by.
template <typename Keep> double meanHairShare(const analysis::Result &result, Keep keep)
{
    double hair = 0;
    qsizetype pixels = 0;
    for (std::size_t i = 0; i < result.grades.size(); ++i) {
        if (result.grades[i] == analysis::Grade::NotScalp || !keep(result.grades[i]))
            continue;
        hair += static_cast<double>(result.hairFraction[i]);
        ++pixels;
    }
    return pixels > 0 ? 100.0 * hair / double(pixels) : 0.0;
}

// Grades every pixel of the stored map whose grade `mark` picks `grade`, as stored corrections.
template <typename Mark>
void gradeWhere(storage::AnalysisStore &store, const storage::StoredAnalysis &stored, Mark mark,
                analysis::Grade grade)
{
    std::vector<std::uint8_t> marked(std::size_t(stored.grades.size()), 0);
    for (qsizetype i = 0; i < stored.grades.size(); ++i)
        marked[std::size_t(i)] = mark(static_cast<analysis::Grade>(stored.grades.at(i))) ? 1 : 0;
    const clinic::GradeChange change = clinic::gradeMarkedPixels(
        store.correctedGrades(stored), stored.mapWidth, stored.mapHeight, marked, grade);
    REQUIRE_FALSE(change.after.empty());
    store.saveCorrections(stored.id, change.after);
}

} // namespace

TEST_CASE("the whole-scalp coverage is taken again over the scalp as the technician corrects it",
          "[storage][analysis][corrections]")
{
    using analysis::Grade;
    ScratchDir dir;
    storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const auto [photo, result] = analysedSamplePhoto(db);
    REQUIRE(result.hairFraction.size() == result.grades.size());
    const auto isLoss = [](Grade g) { return g == Grade::Advanced || g == Grade::Bald; };
    const double lossShare = meanHairShare(result, isLoss);
    const double restShare = meanHairShare(result, [&](Grade g) { return !isLoss(g); });
    INFO("coverage " << result.coveragePercent << "%, of the loss " << lossShare
                     << "%, of the rest " << restShare << "%");
    // The drawn head's loss is sparse, the rest dense: taking either off moves the coverage.
    REQUIRE(lossShare < result.coveragePercent - 20);
    REQUIRE(restShare > result.coveragePercent + 5);

    storage::AnalysisStore store(db);
    const auto analysisOf = [&] {
        return *store.find(clinic::storeAnalysis(db, photo.id, result));
    };
    // Stored with its hair share; uncorrected, the coverage is the analysis's own.
    const storage::StoredAnalysis stored = analysisOf();
    REQUIRE(stored.hairFraction.size() == stored.grades.size());
    clinic::ScalpCoverage coverage = clinic::scalpCoverage(stored, store.correctedGrades(stored));
    CHECK_FALSE(coverage.overCorrectedScalp);
    CHECK_FALSE(coverage.notRetaken);
    CHECK(coverage.percent == Approx(result.coveragePercent).margin(1e-9));
    CHECK(coverage.asAnalysedPercent == Approx(result.coveragePercent).margin(1e-9));

    // Regraded, not taken off: the hair measured is the same, and so is the coverage.
    gradeWhere(store, stored, isLoss, Grade::Normal);
    coverage = clinic::scalpCoverage(stored, store.correctedGrades(stored));
    CHECK_FALSE(coverage.overCorrectedScalp);
    CHECK(coverage.percent == Approx(result.coveragePercent).margin(1e-9));

    // The loss taken off the map (as if it were a face): the coverage of the rest, to the 8-bit
    // rounding of the stored share.
    const storage::StoredAnalysis second = analysisOf();
    gradeWhere(store, second, isLoss, Grade::NotScalp);
    coverage = clinic::scalpCoverage(second, store.correctedGrades(second));
    CHECK(coverage.overCorrectedScalp);
    CHECK_FALSE(coverage.notRetaken);
    CHECK(coverage.percent == Approx(restShare).margin(0.2));
    CHECK(coverage.asAnalysedPercent == Approx(result.coveragePercent).margin(1e-9));

    // Everything but the loss taken off: the loss's own coverage. Painting beyond the outline
    // adds no measured hair, and changes nothing.
    const storage::StoredAnalysis third = analysisOf();
    gradeWhere(
        store, third, [&](Grade g) { return g != Grade::NotScalp && !isLoss(g); }, Grade::NotScalp);
    coverage = clinic::scalpCoverage(third, store.correctedGrades(third));
    CHECK(coverage.percent == Approx(lossShare).margin(0.2));
    gradeWhere(
        store, third, [](Grade g) { return g == Grade::NotScalp; }, Grade::Bald);
    CHECK(clinic::scalpCoverage(third, store.correctedGrades(third)).percent ==
          Approx(coverage.percent).margin(1e-9));

    // An analysis stored without its hair share (before schema 9) cannot follow: as analysed,
    // and it says so.
    storage::StoredAnalysis older = stored;
    older.hairFraction.clear();
    const storage::RecordId olderId = store.add(older);
    older = *store.find(olderId);
    CHECK(older.hairFraction.isEmpty());
    gradeWhere(store, older, isLoss, Grade::NotScalp);
    coverage = clinic::scalpCoverage(older, store.correctedGrades(older));
    CHECK(coverage.notRetaken);
    CHECK_FALSE(coverage.overCorrectedScalp);
    CHECK(coverage.percent == Approx(result.coveragePercent).margin(1e-9));

    // A hair share that does not fit the map is refused, naming the photo.
    storage::StoredAnalysis misfit = stored;
    misfit.hairFraction.chop(1);
    try {
        store.add(misfit);
        FAIL("a hair share of the wrong size was stored");
    } catch (const storage::StorageError &error) {
        CHECK(error.message().contains(QStringLiteral("hair-share map does not match")));
        CHECK(error.message().contains(QString::number(photo.id)));
    }
}

TEST_CASE("a tile brought back to the analysis's own grades is no longer stored",
          "[storage][analysis][corrections]")
{
    ScratchDir dir;
    storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const auto [photo, result] = analysedSamplePhoto(db);
    storage::AnalysisStore store(db);
    const storage::StoredAnalysis stored = *store.find(clinic::storeAnalysis(db, photo.id, result));

    // A square across four tiles graded bald (the map's middle is not bald): four tiles stored.
    const int x0 = 2 * storage::kAnalysisTileSize - 10, y0 = storage::kAnalysisTileSize - 10;
    REQUIRE(x0 + 20 < stored.mapWidth);
    REQUIRE(y0 + 20 < stored.mapHeight);
    store.saveCorrections(stored.id, paintSquare(stored, x0, y0, 20, analysis::Grade::Bald));
    REQUIRE(store.corrections(stored.id).size() == 4);
    const auto auditLines = [&db] {
        auto q =
            db.prepare("SELECT count(*) FROM audit_log WHERE table_name = 'analysis_corrections'");
        q.step();
        return q.integer(0);
    };
    const int auditBefore = auditLines();

    // Three of them put back as the analysis read them (a stroke undone, the eraser): their rows
    // go, the fourth stays, and the map reads the same as when they were stored.
    std::vector<storage::GradeTile> tiles = paintSquare(stored, x0, y0, 20, analysis::Grade::Bald);
    const storage::GradeTile kept = tiles.back();
    tiles.pop_back();
    for (storage::GradeTile &tile : tiles) {
        // The tile's top-left pixel painted with its own grade: the tile as analysed.
        const int tx = tile.tileX * storage::kAnalysisTileSize;
        const int ty = tile.tileY * storage::kAnalysisTileSize;
        const auto own =
            static_cast<analysis::Grade>(stored.grades.at(qsizetype(ty) * stored.mapWidth + tx));
        tile.grades = paintSquare(stored, tx, ty, 1, own).front().grades;
    }
    store.saveCorrections(stored.id, tiles);
    const std::vector<storage::GradeTile> left = store.corrections(stored.id);
    REQUIRE(left.size() == 1);
    CHECK(left.front().tileX == kept.tileX);
    CHECK(left.front().tileY == kept.tileY);
    CHECK(left.front().grades == kept.grades);
    auto audit = db.prepare("SELECT action, details FROM audit_log WHERE table_name = "
                            "'analysis_corrections' ORDER BY id DESC LIMIT 1");
    REQUIRE(audit.step());
    CHECK(audit.text(0) == QStringLiteral("delete"));
    CHECK(audit.text(1).contains(QStringLiteral("3 tile")));

    // Taking back what is left leaves nothing stored; the corrected map is the analysis's own.
    const clinic::GradeChange back =
        clinic::takeBackCorrections(stored, store.correctedGrades(stored));
    REQUIRE(back.after.size() == 1);
    store.saveCorrections(stored.id, back.after);
    CHECK(store.corrections(stored.id).empty());
    CHECK(store.correctedGrades(stored) == stored.grades);
    // Saving tiles that were never stored, as the analysis reads them, writes no audit line.
    store.saveCorrections(stored.id, back.after);
    CHECK(auditLines() == auditBefore + 2);
}

TEST_CASE("the models prepared on other threads are what the first analysis reads its stage with",
          "[analysis][models]")
{
    imaging::SampleScalpParameters sample;
    sample.widthPx = 800;
    sample.heightPx = 600;
    const QImage rgb = imaging::drawSampleScalp(sample).convertToFormat(QImage::Format_RGB888);
    // analysis::analyze() itself, not clinic::analyzeImage(), which would install the models.
    const auto analyse = [&rgb] {
        return analysis::analyze({rgb.width(), rgb.height(), rgb.bytesPerLine(), rgb.constBits()},
                                 {});
    };
    // The models are installed once per process: after a case that installed them, this one
    // could not tell whether prepareAnalysis() does (ctest runs every case in its own process).
    if (analyse().norwood.method == "model") {
        WARN("the models were installed by an earlier case in this process: skipping; run this "
             "case alone");
        return;
    }
    // Two threads at once, as the application's start-up and a first analysis may be.
    std::thread first(&clinic::prepareAnalysis);
    std::thread second(&clinic::prepareAnalysis);
    first.join();
    second.join();
    const analysis::Result result = analyse();
    CHECK_THAT(result.parametersJson,
               Catch::Contains("\"stage_model\":\"" + clinic::stageModelId() + "\""));
    CHECK(result.norwood.method == "model");
}

TEST_CASE("the texture check's hatching lies over its marks, its stripes as wide as asked",
          "[analysis][texture]")
{
    // A 10 x 8 map whose left half is marked, hatched at three times its size with stripes
    // every 12 px (the report's photo: stripes sized for the page, not the map).
    const int mapWidth = 10, mapHeight = 8;
    std::vector<std::uint8_t> marks(static_cast<std::size_t>(mapWidth * mapHeight), 0);
    for (int y = 0; y < mapHeight; ++y)
        for (int x = 0; x < mapWidth / 2; ++x)
            marks[static_cast<std::size_t>(y * mapWidth + x)] = 1;
    const QImage hatch =
        clinic::textureCheckOverlayImage(marks, mapWidth, mapHeight, QSize(30, 24), 12);
    REQUIRE(hatch.size() == QSize(30, 24));
    int left = 0, right = 0;
    for (int y = 0; y < hatch.height(); ++y)
        for (int x = 0; x < hatch.width(); ++x) {
            const bool striped = qAlpha(hatch.pixel(x, y)) > 0;
            (x < 15 ? left : right) += striped;
            // A stripe a third of the period wide: four of every twelve diagonals.
            if (x < 15)
                CHECK(striped == ((x + y) % 12 < 4));
        }
    CHECK(right == 0);
    CHECK(left == Approx(15 * 24 / 3.0).margin(15));
    // At map size, the photo window's: stripes two map pixels wide every six.
    const QImage atMap = clinic::textureCheckOverlayImage(marks, mapWidth, mapHeight);
    REQUIRE(atMap.size() == QSize(mapWidth, mapHeight));
    CHECK(qAlpha(atMap.pixel(0, 0)) > 0);
    CHECK(qAlpha(atMap.pixel(2, 0)) == 0);
    CHECK(qAlpha(atMap.pixel(6, 0)) == 0); // right half: not marked
    // Marks that do not fit the map: nothing hatched.
    const QImage none = clinic::textureCheckOverlayImage(std::vector<std::uint8_t>(3, 1), mapWidth,
                                                         mapHeight, QSize(30, 24), 12);
    CHECK(none.size() == QSize(30, 24));
    CHECK(qAlpha(none.pixel(0, 0)) == 0);
}
