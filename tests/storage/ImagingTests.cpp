#include "TestSupport.h"

#include "smp/clinic/SampleClient.h"
#include "smp/imaging/ImageProbe.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <catch2/catch.hpp>

#include <QImage>

using namespace smp;

namespace {

// Mean luminance of a square of the image around (x, y) in pixels.
double meanLuma(const QImage &image, int x, int y, int half)
{
    double sum = 0;
    int count = 0;
    for (int j = y - half; j <= y + half; ++j) {
        for (int i = x - half; i <= x + half; ++i) {
            sum += qGray(image.pixel(i, j));
            ++count;
        }
    }
    return sum / count;
}

} // namespace

TEST_CASE("the sample scalp is drawn the same every time and differs with the seed", "[imaging]")
{
    imaging::SampleScalpParameters small;
    small.widthPx = 400;
    small.heightPx = 300;
    const QImage a = imaging::drawSampleScalp(small);
    const QImage b = imaging::drawSampleScalp(small);
    CHECK(a == b);
    small.seed += 1;
    CHECK_FALSE(imaging::drawSampleScalp(small) == a);
}

TEST_CASE("the sample scalp shows the thinning its density map describes", "[imaging]")
{
    const imaging::SampleScalpParameters parameters;
    const QImage image = imaging::drawSampleScalp(parameters);
    REQUIRE(image.size() == QSize(parameters.widthPx, parameters.heightPx));
    // Head geometry as drawn: centre (0.5 w, 0.53 h), radii (0.30 w, 0.44 h).
    const double cx = parameters.widthPx * 0.5;
    const double cy = parameters.heightPx * 0.53;
    const double rx = parameters.widthPx * 0.30;
    const double ry = parameters.heightPx * 0.44;
    auto at = [&](double u, double v) {
        return std::pair{static_cast<int>(cx + u * rx), static_cast<int>(cy + v * ry)};
    };
    CHECK(imaging::sampleHairDensity(0.05, 0.28, parameters.lossSeverity) < 0.2); // vertex
    CHECK(imaging::sampleHairDensity(-0.8, 0.3, parameters.lossSeverity) > 0.95); // side
    const auto [vx, vy] = at(0.05, 0.28);
    const auto [sx, sy] = at(-0.8, 0.3);
    // Hair is dark over light skin: the thin vertex is much brighter than the full side.
    CHECK(meanLuma(image, vx, vy, 30) > meanLuma(image, sx, sy, 30) + 40);
}

TEST_CASE("the bundled sample photo is a readable JPEG drawn by the project", "[imaging]")
{
    const imaging::ImageInfo info = imaging::probeImage(clinic::samplePhotoResource());
    CHECK(info.format == QStringLiteral("jpeg"));
    CHECK(info.size == QSize(1600, 1200));
}

TEST_CASE("the seeded sample client's photo is dated when it is seeded, not when the program was "
          "built",
          "[imaging][sample]")
{
    test::ScratchDir dir;
    storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const auto clientId = clinic::seedSampleClientIfNew(db);
    REQUIRE(clientId.has_value());
    const storage::Photo photo = storage::PhotoLibrary(db).photos(*clientId).front();
    CHECK(photo.takenAt >= before);
    CHECK(photo.takenAt <= QDateTime::currentDateTimeUtc().addSecs(1));
    CHECK_FALSE(photo.takenAtFromExif);
}
