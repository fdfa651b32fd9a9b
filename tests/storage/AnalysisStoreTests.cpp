#include "TestSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/SampleClient.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <catch2/catch.hpp>

#include <algorithm>

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

} // namespace

TEST_CASE("the technician's corrections are carried onto a new analysis of the photo, at its "
          "scale, with the new map kept as read",
          "[storage][analysis][corrections]")
{
    ScratchDir dir;
    storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const auto clientId = clinic::seedSampleClientIfNew(db);
    REQUIRE(clientId.has_value());
    const storage::Photo photo = storage::PhotoLibrary(db).photos(*clientId).front();
    const QImage upright = imaging::loadUprightImage(storage::PhotoLibrary(db).absolutePath(photo));
    const analysis::Result result =
        clinic::analyzeImage(upright, clinic::parametersForPhoto(db, photo.id));
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
