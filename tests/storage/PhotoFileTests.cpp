// Photos as cameras and phones write them: formats, EXIF orientation, metadata, thumbnails.

#include "StorageTestSupport.h"
#include "TestSupport.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/PhotoLibrary.h"

#include <catch2/catch.hpp>

#include <QFile>
#include <QImage>
#include <QPainter>

#include <exiv2/exiv2.hpp>
#include <libheif/heif.h>

using namespace smp;
using namespace smp::storage;
using smp::test::addClient;
using smp::test::ScratchDir;

namespace {

// 60x40 with four coloured quadrants: top-left red, top-right green, bottom-left blue,
// bottom-right white, so that every flip and turn is told apart.
QImage quadrants(int width = 60, int height = 40)
{
    QImage image(width, height, QImage::Format_RGB32);
    QPainter painter(&image);
    painter.fillRect(0, 0, width / 2, height / 2, Qt::red);
    painter.fillRect(width / 2, 0, width - width / 2, height / 2, Qt::green);
    painter.fillRect(0, height / 2, width / 2, height - height / 2, Qt::blue);
    painter.fillRect(width / 2, height / 2, width - width / 2, height - height / 2, Qt::white);
    return image;
}

bool close(QRgb a, QRgb b)
{
    return std::abs(qRed(a) - qRed(b)) < 48 && std::abs(qGreen(a) - qGreen(b)) < 48 &&
           std::abs(qBlue(a) - qBlue(b)) < 48;
}

// Where display pixel (u, v) comes from in the stored image, for EXIF orientation k (the
// definitions of the EXIF 2.3 standard, written out independently of the code under test).
QPoint sourceOf(int k, int u, int v, int W, int H)
{
    switch (k) {
    case 2:
        return {W - 1 - u, v};
    case 3:
        return {W - 1 - u, H - 1 - v};
    case 4:
        return {u, H - 1 - v};
    case 5:
        return {v, u};
    case 6:
        return {v, H - 1 - u};
    case 7:
        return {W - 1 - v, H - 1 - u};
    case 8:
        return {W - 1 - v, u};
    default:
        return {u, v};
    }
}

void setExif(const QString &path, const std::function<void(Exiv2::Image &)> &edit)
{
    auto image = Exiv2::ImageFactory::open(QFile::encodeName(path).toStdString());
    image->readMetadata();
    edit(*image);
    image->writeMetadata();
}

Exiv2::ExifData readExif(const QString &path)
{
    auto image = Exiv2::ImageFactory::open(QFile::encodeName(path).toStdString());
    image->readMetadata();
    return image->exifData();
}

// Encodes a HEIC file with libheif's HEVC encoder; false when none is available.
bool writeHeic(const QImage &source, const QString &path)
{
    const QImage rgb = source.convertToFormat(QImage::Format_RGB888);
    heif_context *context = heif_context_alloc();
    heif_encoder *encoder = nullptr;
    if (heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder).code !=
        heif_error_Ok) {
        heif_context_free(context);
        return false;
    }
    heif_encoder_set_lossy_quality(encoder, 95);
    heif_image *image = nullptr;
    heif_image_create(rgb.width(), rgb.height(), heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                      &image);
    heif_image_add_plane(image, heif_channel_interleaved, rgb.width(), rgb.height(), 8);
    int stride = 0;
    std::uint8_t *plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
    for (int y = 0; y < rgb.height(); ++y)
        std::memcpy(plane + y * stride, rgb.constScanLine(y),
                    static_cast<std::size_t>(rgb.width() * 3));
    const bool ok = heif_context_encode_image(context, image, encoder, nullptr, nullptr).code ==
                        heif_error_Ok &&
                    heif_context_write_to_file(context, QFile::encodeName(path).constData()).code ==
                        heif_error_Ok;
    heif_image_release(image);
    heif_encoder_release(encoder);
    heif_context_free(context);
    return ok;
}

} // namespace

TEST_CASE("JPEG, PNG, TIFF, WebP and HEIC photos import with their pixels", "[photos][formats]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Formats"));
    PhotoLibrary library(db);
    const QImage original = quadrants(64, 48);

    struct Case
    {
        const char *file;
        const char *writeAs;
        const char *stored;
    };
    for (const Case c : {Case{"a.jpg", "jpeg", "jpeg"}, Case{"b.png", "png", "png"},
                         Case{"c.tif", "tiff", "tiff"}, Case{"d.webp", "webp", "webp"}}) {
        const QString path = dir.file(QString::fromLatin1(c.file));
        REQUIRE(original.save(path, c.writeAs, 95));
        const Photo photo = clinic::importPhoto(db, client, path, PhotoView::Top);
        INFO(c.file);
        CHECK(photo.format == QString::fromLatin1(c.stored));
        CHECK(photo.widthPx == 64);
        CHECK(photo.heightPx == 48);
        const QImage stored = imaging::loadUprightImage(library.absolutePath(photo));
        CHECK(close(stored.pixel(8, 8), qRgb(255, 0, 0)));
        CHECK(close(stored.pixel(56, 40), qRgb(255, 255, 255)));
    }

    const QString heic = dir.file(QStringLiteral("IMG_0001.HEIC"));
    if (!writeHeic(original, heic)) {
        WARN("libheif has no HEVC encoder here: the HEIC case is skipped");
        return;
    }
    CHECK(imaging::isHeif(heic));
    const Photo photo = clinic::importPhoto(db, client, heic, PhotoView::Crown);
    CHECK(photo.format == QStringLiteral("png")); // decoded once, stored losslessly
    CHECK(photo.widthPx == 64);
    CHECK(photo.heightPx == 48);
    CHECK(photo.originalName == QStringLiteral("IMG_0001.HEIC"));
    const QImage stored = imaging::loadUprightImage(library.absolutePath(photo));
    CHECK(close(stored.pixel(8, 8), qRgb(255, 0, 0)));
    CHECK(close(stored.pixel(56, 8), qRgb(0, 255, 0)));
    CHECK(close(stored.pixel(8, 40), qRgb(0, 0, 255)));

    // A truncated HEIC is refused like any other broken file.
    const QByteArray bytes = test::readAll(heic);
    const QString truncated = dir.file(QStringLiteral("cut.heic"));
    test::writeBytes(truncated, bytes.left(bytes.size() / 2));
    CHECK_THROWS_WITH(clinic::importPhoto(db, client, truncated, PhotoView::Top),
                      Catch::Contains("cut.heic"));
}

TEST_CASE("all eight EXIF orientations are shown upright", "[photos][orientation]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Orientation"));
    PhotoLibrary library(db);
    const int W = 60, H = 40;
    const QImage original = quadrants(W, H);
    for (int k = 1; k <= 8; ++k) {
        INFO("orientation " << k);
        const QString path = dir.file(QStringLiteral("o%1.jpg").arg(k));
        // Different quality per file so the eight files differ in content.
        REQUIRE(original.save(path, "jpeg", 90 + k));
        setExif(path, [k](Exiv2::Image &image) {
            Exiv2::ExifData exif;
            exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(k);
            image.setExifData(exif);
        });
        const Photo photo = clinic::importPhoto(db, client, path, PhotoView::Top);
        const bool transposed = k >= 5;
        CHECK(photo.widthPx == (transposed ? H : W));
        CHECK(photo.heightPx == (transposed ? W : H));
        const QImage shown = imaging::loadUprightImage(library.absolutePath(photo));
        REQUIRE(shown.size() == QSize(photo.widthPx, photo.heightPx));
        // Compare the centre of each quadrant of the shown image with where it came from.
        for (const auto &[u, v] : {std::pair{shown.width() / 4, shown.height() / 4},
                                   std::pair{3 * shown.width() / 4, shown.height() / 4},
                                   std::pair{shown.width() / 4, 3 * shown.height() / 4},
                                   std::pair{3 * shown.width() / 4, 3 * shown.height() / 4}}) {
            const QPoint from = sourceOf(k, u, v, W, H);
            CHECK(close(shown.pixel(u, v), original.pixel(from)));
        }
        // The thumbnail is upright too.
        const QImage thumbnail(library.thumbnailPath(photo));
        CHECK((thumbnail.width() > thumbnail.height()) == !transposed);
    }
}

TEST_CASE("location and personal metadata are removed, and pixels and capture time are kept",
          "[photos][metadata]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Private"));
    const QString path = dir.file(QStringLiteral("phone.jpg"));
    REQUIRE(quadrants(120, 80).save(path, "jpeg", 92));
    setExif(path, [](Exiv2::Image &image) {
        Exiv2::ExifData exif;
        exif["Exif.Image.Make"] = "PhoneMaker";
        exif["Exif.Image.Model"] = "Phone 15";
        exif["Exif.Image.Artist"] = "Jane Doe";
        exif["Exif.Photo.BodySerialNumber"] = "SN-0042";
        exif["Exif.Photo.DateTimeOriginal"] = "2025:06:01 14:30:00";
        exif["Exif.Photo.OffsetTimeOriginal"] = "+02:00";
        exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
        exif["Exif.GPSInfo.GPSLatitude"] = Exiv2::URationalValue(Exiv2::URational(38, 1));
        exif["Exif.GPSInfo.GPSLongitudeRef"] = "W";
        exif["Exif.GPSInfo.GPSLongitude"] = Exiv2::URationalValue(Exiv2::URational(9, 1));
        image.setExifData(exif);
        Exiv2::XmpData xmp;
        xmp["Xmp.dc.creator"] = "Jane Doe";
        image.setXmpData(xmp);
        Exiv2::IptcData iptc;
        iptc["Iptc.Application2.City"] = "Lisbon";
        image.setIptcData(iptc);
        image.setComment("client's home address");
    });
    REQUIRE(readExif(path).findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLatitude")) !=
            readExif(path).end());

    PhotoLibrary library(db);
    const Photo photo = clinic::importPhoto(db, client, path, PhotoView::Front);
    const QString stored = library.absolutePath(photo);
    const Exiv2::ExifData exif = readExif(stored);
    for (const auto &datum : exif) {
        INFO(datum.key());
        CHECK(datum.key().rfind("Exif.GPSInfo.", 0) != 0);
    }
    CHECK(exif.findKey(Exiv2::ExifKey("Exif.Image.Artist")) == exif.end());
    CHECK(exif.findKey(Exiv2::ExifKey("Exif.Photo.BodySerialNumber")) == exif.end());
    CHECK(exif.findKey(Exiv2::ExifKey("Exif.Photo.DateTimeOriginal")) != exif.end());
    CHECK(exif.findKey(Exiv2::ExifKey("Exif.Image.Model")) != exif.end());
    auto image = Exiv2::ImageFactory::open(QFile::encodeName(stored).toStdString());
    image->readMetadata();
    CHECK(image->xmpData().empty());
    CHECK(image->iptcData().empty());
    CHECK(image->comment().empty());
    const QByteArray storedBytes = test::readAll(stored);
    CHECK_FALSE(storedBytes.contains("Jane Doe"));
    CHECK_FALSE(storedBytes.contains("Lisbon"));

    // The pixels are the same (the compressed image data was not touched) ...
    CHECK(QImage(stored) == QImage(path));
    // ... and the capture time comes from EXIF, with its time zone.
    CHECK(photo.takenAtFromExif);
    CHECK(photo.takenAt == QDateTime(QDate(2025, 6, 1), QTime(12, 30), Qt::UTC));
    // The user's file is left as it was.
    CHECK(readExif(path).findKey(Exiv2::ExifKey("Exif.Image.Artist")) != readExif(path).end());
}

TEST_CASE("a photo without EXIF takes its capture time from the file", "[photos][metadata]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("No Exif"));
    const QString path =
        test::writeTestImage(dir.file(QStringLiteral("plain.png")), 50, 40, "png", 77);
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadWrite));
    const QDateTime modified(QDate(2024, 2, 29), QTime(8, 15), Qt::UTC);
    file.setFileTime(modified, QFileDevice::FileModificationTime);
    file.close();
    const Photo photo = clinic::importPhoto(db, client, path, PhotoView::Top);
    CHECK_FALSE(photo.takenAtFromExif);
    CHECK(photo.takenAt == modified);
}

TEST_CASE("rotation is stored for display, thumbnails are cached and turned with it",
          "[photos][thumbnails]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Rotate"));
    const QString path = dir.file(QStringLiteral("wide.png"));
    REQUIRE(quadrants(400, 200).save(path, "png"));
    PhotoLibrary library(db);
    const Photo photo = clinic::importPhoto(db, client, path, PhotoView::Top);
    const QString thumbnailPath = library.thumbnailPath(photo);
    REQUIRE(QFile::exists(thumbnailPath));

    library.setRotation(photo.id, 1);
    CHECK(library.find(photo.id)->rotationQuarterTurns == 1);
    library.setRotation(photo.id, -1);
    CHECK(library.find(photo.id)->rotationQuarterTurns == 3);
    CHECK(library.find(photo.id)->widthPx == 400); // upright size does not change

    const QImage turned = clinic::loadThumbnail(library.absolutePath(photo), thumbnailPath, 1);
    CHECK(turned.size() == QSize(160, 320));
    CHECK(close(turned.pixel(turned.width() - 10, 10), qRgb(255, 0, 0))); // red now top-right

    // The cache is what is read: overwrite it and the loader returns the cached pixels.
    QImage marker(320, 160, QImage::Format_RGB32);
    marker.fill(Qt::magenta);
    REQUIRE(marker.save(thumbnailPath, "jpeg"));
    CHECK(close(clinic::loadThumbnail(library.absolutePath(photo), thumbnailPath, 0).pixel(5, 5),
                qRgb(255, 0, 255)));
    // A missing thumbnail is made again and cached.
    QFile::remove(thumbnailPath);
    CHECK(clinic::loadThumbnail(library.absolutePath(photo), thumbnailPath, 0).size() ==
          QSize(320, 160));
    CHECK(QFile::exists(thumbnailPath));
}
