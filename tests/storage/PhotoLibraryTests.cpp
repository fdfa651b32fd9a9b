#include "StorageTestSupport.h"
#include "TestSupport.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/imaging/ImageProbe.h"
#include "smp/storage/AuditLog.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <catch2/catch.hpp>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>

#include <QSet>
#include <algorithm>
#include <random>
#include <sys/mount.h>

using namespace smp;
using namespace smp::storage;
using smp::test::addClient;
using smp::test::ScratchDir;

namespace {

QString probeError(const QString &path, const imaging::ImageLimits &limits = {})
{
    try {
        imaging::probeImage(path, limits);
    } catch (const imaging::ImageError &error) {
        return error.message();
    }
    FAIL("expected the probe to refuse " << path.toStdString());
    return {};
}

// Photo files in a library, not counting the thumbnail cache.
int filesIn(const QString &folder)
{
    int count = 0;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (!it.next().contains(QLatin1String("/.thumbnails/")))
            ++count;
    }
    return count;
}

} // namespace

TEST_CASE("an imported photo is copied into the content-addressed library and recorded", "[photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Photo"));
    const QString source =
        test::writeTestImage(dir.file(QStringLiteral("IMG_0042.JPG")), 320, 240, "jpeg", 7);

    const Photo photo = clinic::importPhoto(db, client, source, PhotoView::Crown);
    CHECK(photo.id > 0);
    CHECK(photo.view == PhotoView::Crown);
    CHECK(photo.format == QStringLiteral("jpeg"));
    CHECK(photo.widthPx == 320);
    CHECK(photo.heightPx == 240);
    CHECK(photo.originalName == QStringLiteral("IMG_0042.JPG"));
    CHECK(photo.sha256 == QString::fromLatin1(test::sha256Hex(source)));
    CHECK(photo.fileName ==
          photo.sha256.left(2) + QLatin1Char('/') + photo.sha256 + QStringLiteral(".jpg"));
    PhotoLibrary library(db);
    const QString stored = library.absolutePath(photo);
    CHECK(stored.startsWith(db.photoLibraryPath()));
    CHECK(test::readAll(stored) == test::readAll(source));
    CHECK(photo.byteSize == QFileInfo(source).size());

    const auto listed = library.photos(client);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].sha256 == photo.sha256);
    // No temporary files are left in the library; the thumbnail is cached.
    CHECK(filesIn(db.photoLibraryPath()) == 1);
    const QImage thumbnail(library.thumbnailPath(photo));
    CHECK(thumbnail.size() == QSize(320, 240));

    library.setView(photo.id, PhotoView::Top);
    CHECK(library.find(photo.id)->view == PhotoView::Top);
}

TEST_CASE("a removed calibration put back is the same record: its id, time and author",
          "[photos][calibration]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Scale"));
    const Photo photo =
        test::importTestImage(db, client, dir.file(QStringLiteral("s.png")), 64, 48, "png", 3);
    PhotoLibrary library(db);
    Calibration older;
    older.photoId = photo.id;
    older.method = CalibrationMethod::Manual;
    older.mmPerPx = 0.1;
    library.addCalibration(older);
    Calibration newer = older;
    newer.mmPerPx = 0.12;
    library.addCalibration(newer);
    const Calibration removed = *library.currentCalibration(photo.id);
    REQUIRE(removed.mmPerPx == Approx(0.12));

    library.removeCalibration(removed.id);
    CHECK(library.currentCalibration(photo.id)->mmPerPx == Approx(0.1));
    library.restoreCalibration(removed);
    const Calibration back = *library.currentCalibration(photo.id);
    CHECK(back.id == removed.id);
    CHECK(back.mmPerPx == Approx(0.12));
    CHECK(back.createdAt == removed.createdAt);
    CHECK(back.createdBy == removed.createdBy);
    CHECK(library.calibrations(photo.id).size() == 2);
    // The audit says who put it back, and that it was put back.
    const auto audit = AuditLog(db).entries(client);
    CHECK(std::any_of(audit.begin(), audit.end(), [&](const AuditEntry &e) {
        return e.recordId == removed.id && e.action == QStringLiteral("insert") &&
               e.details.contains(QStringLiteral("restored"));
    }));

    // Not twice, and only what was stored.
    CHECK_THROWS_AS(library.restoreCalibration(removed), StorageError);
    Calibration neverStored = older;
    CHECK_THROWS_AS(library.restoreCalibration(neverStored), StorageError);
    CHECK(library.calibrations(photo.id).size() == 2);
}

TEST_CASE("the same photo twice is stored once, and for the same client it is refused", "[photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId first = addClient(db, QStringLiteral("First"));
    const RecordId second = addClient(db, QStringLiteral("Second"));
    const QString source =
        test::writeTestImage(dir.file(QStringLiteral("a.png")), 100, 80, "png", 3);
    const QString copy = dir.file(QStringLiteral("copy-of-a.png"));
    QFile::copy(source, copy);

    clinic::importPhoto(db, first, source, PhotoView::Top);
    try {
        clinic::importPhoto(db, first, copy, PhotoView::Top);
        FAIL("the same content for the same client must be refused");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::Duplicate);
        CHECK(error.message().contains(copy));
        CHECK(error.message().contains(QStringLiteral("already")));
    }
    clinic::importPhoto(db, second, copy, PhotoView::Top);
    CHECK(PhotoLibrary(db).count() == 2);
    CHECK(filesIn(db.photoLibraryPath()) == 1);
}

TEST_CASE("bad photo files are refused with the file and the reason, and nothing remains",
          "[photos][probe]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Bad Input"));

    const QString text = dir.file(QStringLiteral("letter.jpg"));
    test::writeBytes(text, QByteArrayLiteral("Dear clinic, this is a letter, not a photo.\n"));
    CHECK(probeError(text).contains(QStringLiteral("not an image")));
    CHECK(probeError(text).contains(text));

    const QString empty = dir.file(QStringLiteral("empty.png"));
    test::writeBytes(empty, QByteArray());
    CHECK(probeError(empty).contains(QStringLiteral("empty")));

    CHECK(
        probeError(dir.file(QStringLiteral("missing.jpg"))).contains(QStringLiteral("not found")));

    const QString jpeg =
        test::writeTestImage(dir.file(QStringLiteral("whole.jpg")), 400, 300, "jpeg", 5);
    const QByteArray jpegBytes = test::readAll(jpeg);
    const QString truncatedJpeg = dir.file(QStringLiteral("truncated.jpg"));
    test::writeBytes(truncatedJpeg, jpegBytes.left(jpegBytes.size() * 2 / 3));
    CHECK(probeError(truncatedJpeg).contains(QStringLiteral("truncated")));

    const QString png =
        test::writeTestImage(dir.file(QStringLiteral("whole.png")), 400, 300, "png", 6);
    const QByteArray pngBytes = test::readAll(png);
    const QString truncatedPng = dir.file(QStringLiteral("truncated.png"));
    test::writeBytes(truncatedPng, pngBytes.left(pngBytes.size() / 2));
    // Refused from its chunks, before libpng sees it (libpng would print its own error line):
    // the message says where the file ends.
    const QString pngError = probeError(truncatedPng);
    CHECK(pngError.contains(truncatedPng));
    CHECK(pngError.contains(QStringLiteral("is truncated")));
    CHECK(pngError.contains(QStringLiteral("inside the IDAT chunk")));
    CHECK(pngError.contains(QStringLiteral("byte %1").arg(pngBytes.size() / 2)));
    // Cut exactly after a chunk (here before IEND): truncated too.
    const qsizetype iend = pngBytes.lastIndexOf("IEND") - 4;
    REQUIRE(iend > 0);
    const QString noEnd = dir.file(QStringLiteral("no-end.png"));
    test::writeBytes(noEnd, pngBytes.left(iend));
    CHECK(probeError(noEnd).contains(QStringLiteral("before the image's end")));
    // One byte of the pixel data changed: its chunk's CRC-32 no longer matches.
    const QString damagedPng = dir.file(QStringLiteral("damaged.png"));
    QByteArray flipped = pngBytes;
    flipped[pngBytes.size() / 2] = static_cast<char>(flipped[pngBytes.size() / 2] ^ 0x10);
    test::writeBytes(damagedPng, flipped);
    CHECK(probeError(damagedPng).contains(QStringLiteral("IDAT chunk at byte")));
    CHECK(probeError(damagedPng).contains(QStringLiteral("fails its checksum")));
    // An ancillary chunk whose CRC does not match (here a text chunk after the header) is
    // skipped, as libpng skips it: the image is whole.
    const QString noteDamaged = dir.file(QStringLiteral("note-damaged.png"));
    {
        const QByteArray typeAndData = QByteArrayLiteral("tEXtComment\0a note");
        QByteArray chunk;
        const quint32 length = static_cast<quint32>(typeAndData.size() - 4);
        for (int shift = 24; shift >= 0; shift -= 8)
            chunk.append(static_cast<char>((length >> shift) & 0xFF));
        chunk.append(typeAndData).append(QByteArrayLiteral("\x00\x00\x00\x00")); // a wrong CRC
        test::writeBytes(noteDamaged, QByteArray(pngBytes).insert(8 + 25, chunk));
    }
    CHECK(imaging::probeImage(noteDamaged).size == QSize(400, 300));
    // The whole file passes: the walk reads real PNGs as valid.
    CHECK(imaging::probeImage(png).size == QSize(400, 300));

    // A zero-sized image: width and height in the PNG header set to 0.
    const QString zeroSized = dir.file(QStringLiteral("zero.png"));
    QByteArray scrambled = pngBytes;
    for (qsizetype i = 16; i < 24; ++i)
        scrambled[i] = '\0';
    test::writeBytes(zeroSized, scrambled);
    CHECK(probeError(zeroSized).contains(zeroSized));
    CHECK_FALSE(probeError(zeroSized).isEmpty());

    imaging::ImageLimits small;
    small.maxPixels = 100 * 100;
    CHECK(probeError(png, small).contains(QStringLiteral("megapixels")));
    small = {};
    small.maxFileBytes = 1000;
    CHECK(probeError(png, small).contains(QStringLiteral("MB")));

    // Through the import: nothing stored for any of them.
    for (const QString &bad :
         {text, empty, truncatedJpeg, truncatedPng, noEnd, damagedPng, zeroSized})
        CHECK_THROWS(clinic::importPhoto(db, client, bad, PhotoView::Top));
    CHECK(PhotoLibrary(db).count() == 0);
    CHECK(filesIn(db.photoLibraryPath()) == 0);
}

TEST_CASE("a folder import goes on past bad files and reports them at the end", "[photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Folder"));
    QDir().mkpath(dir.file(QStringLiteral("visit/nested")));
    test::writeTestImage(dir.file(QStringLiteral("visit/1-front.jpg")), 200, 150, "jpeg", 11);
    test::writeBytes(dir.file(QStringLiteral("visit/2-notes.txt")), QByteArrayLiteral("notes"));
    test::writeTestImage(dir.file(QStringLiteral("visit/3-top.png")), 200, 150, "png", 12);
    test::writeTestImage(dir.file(QStringLiteral("visit/nested/4-crown.jpg")), 200, 150, "jpeg",
                         13);

    int calls = 0;
    const auto report =
        clinic::importPhotos(db, client, {dir.file(QStringLiteral("visit"))}, PhotoView::Other,
                             [&](int, int total, const QString &) {
                                 CHECK(total == 4);
                                 ++calls;
                                 return true;
                             });
    CHECK(report.imported.size() == 3);
    REQUIRE(report.failed.size() == 1);
    CHECK(report.failed[0].path.endsWith(QStringLiteral("2-notes.txt")));
    CHECK(report.failed[0].reason.contains(QStringLiteral("not an image")));
    CHECK(calls == 5); // once per file, once at the end
    CHECK_FALSE(report.cancelled);

    const auto cancelled = clinic::importPhotos(
        db, addClient(db, QStringLiteral("Cancel")), {dir.file(QStringLiteral("visit"))},
        PhotoView::Other, [](int index, int, const QString &) { return index < 1; });
    CHECK(cancelled.cancelled);
    CHECK(cancelled.imported.size() == 1);
}

TEST_CASE("the library check finds rows without files and old files without rows", "[photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Check"));
    const Photo photo =
        test::importTestImage(db, client, dir.file(QStringLiteral("a.png")), 50, 50, "png", 21);
    PhotoLibrary library(db);
    CHECK(library.checkLibrary().rowsWithoutFile.empty());

    // A leftover of an interrupted import, two hours old.
    const QString stray = db.photoLibraryPath() + QStringLiteral("/ff/stray.png");
    QDir().mkpath(QFileInfo(stray).absolutePath());
    test::writeBytes(stray, QByteArrayLiteral("x"));
    QFile strayFile(stray);
    REQUIRE(strayFile.open(QIODevice::ReadWrite));
    strayFile.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-7200),
                          QFileDevice::FileModificationTime);
    strayFile.close();
    // A fresh one may belong to an import in progress: not reported yet.
    test::writeBytes(db.photoLibraryPath() + QStringLiteral("/ff/fresh.png"),
                     QByteArrayLiteral("y"));

    auto check = library.checkLibrary();
    CHECK(check.filesWithoutRow == QStringList{QStringLiteral("ff/stray.png")});
    CHECK(library.removeOrphanFiles() == 1);
    CHECK_FALSE(QFile::exists(stray));

    QFile::remove(library.absolutePath(photo));
    check = library.checkLibrary();
    REQUIRE(check.rowsWithoutFile.size() == 1);
    CHECK(check.rowsWithoutFile[0].id == photo.id);
}

TEST_CASE("a photo is read only while its file is the one imported", "[photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Verify"));
    const Photo photo =
        test::importTestImage(db, client, dir.file(QStringLiteral("a.png")), 50, 50, "png", 22);
    PhotoLibrary library(db);
    CHECK(library.verifiedPath(photo) == library.absolutePath(photo));
    CHECK(library.checkLibrary(PhotoLibrary::ContentCheck::Hashes).rowsWithChangedFile.empty());

    // One byte changed: Damaged, naming the photo and what to do; the check lists it, the
    // existence-only check does not, and a check told to stop has not got to it.
    QByteArray bytes = test::readAll(library.absolutePath(photo));
    bytes[bytes.size() - 1] = static_cast<char>(bytes[bytes.size() - 1] ^ 1);
    test::writeBytes(library.absolutePath(photo), bytes);
    try {
        library.verifiedPath(photo);
        FAIL("a changed file was read");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::Damaged);
        CHECK(error.message().startsWith(QStringLiteral("photo %1 (").arg(photo.id)));
        CHECK(error.message().contains(QStringLiteral("has changed since it was imported")));
    }
    const auto check = library.checkLibrary(PhotoLibrary::ContentCheck::Hashes);
    REQUIRE(check.rowsWithChangedFile.size() == 1);
    CHECK(check.rowsWithChangedFile[0].id == photo.id);
    CHECK(library.checkLibrary().rowsWithChangedFile.empty());
    CHECK(library.checkLibrary(PhotoLibrary::ContentCheck::Hashes, [] { return false; })
              .rowsWithChangedFile.empty());

    // Importing the original again mends it (refused as a duplicate, saying so); it was kept
    // as it was, since a file of the same size counted as the same content.
    try {
        clinic::importPhoto(db, client, dir.file(QStringLiteral("a.png")), PhotoView::Top);
        FAIL("the same photo was imported twice");
    } catch (const DuplicatePhoto &error) {
        CHECK(error.kind() == ErrorKind::Duplicate);
        CHECK(error.existingId() == photo.id);
        CHECK(error.mended() == DuplicatePhoto::Mended::DamagedFile);
        CHECK(error.message().contains(QStringLiteral("mended with this copy")));
    }
    CHECK(library.verifiedPath(photo) == library.absolutePath(photo));
    // Now whole, importing it once more mends nothing: a plain duplicate.
    const auto again =
        clinic::importPhotos(db, client, {dir.file(QStringLiteral("a.png"))}, PhotoView::Top);
    CHECK(again.imported.empty());
    CHECK(again.duplicates.size() == 1);
    CHECK(again.mended.empty());

    // Gone: NotFound.
    REQUIRE(QFile::remove(library.absolutePath(photo)));
    try {
        library.verifiedPath(photo);
        FAIL("a missing file was read");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::NotFound);
        CHECK(error.message().contains(QStringLiteral("is missing from the photo library")));
    }
    // Importing the original puts it back, reported as mended, not as a skipped duplicate.
    const auto putBack =
        clinic::importPhotos(db, client, {dir.file(QStringLiteral("a.png"))}, PhotoView::Top);
    CHECK(putBack.imported.empty());
    CHECK(putBack.duplicates.empty());
    REQUIRE(putBack.mended.size() == 1);
    CHECK(putBack.mended[0].reason.contains(QStringLiteral("its missing file in the library is "
                                                           "put back from this copy")));
    CHECK(library.verifiedPath(photo) == library.absolutePath(photo));
    CHECK(library.count() == 1);
}

TEST_CASE("real camera photos from the shared data set import (skipped when absent)",
          "[photos][shared-data]")
{
    const QString images = test::sharedHairlossImages();
    if (images.isEmpty()) {
        WARN("../shared/data/hairloss is not present: skipping the real-photo import check");
        return;
    }
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Real"));
    const QStringList files =
        QDir(images).entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name).mid(0, 12);
    REQUIRE(files.size() == 12);
    QStringList paths;
    for (const QString &file : files)
        paths << images + QLatin1Char('/') + file;
    const auto report = clinic::importPhotos(db, client, paths, PhotoView::Other);
    // The data set holds byte-identical copies: exactly those are refused, as duplicates.
    QSet<QByteArray> distinct;
    for (const QString &path : paths)
        distinct.insert(test::sha256Hex(path));
    CHECK(report.imported.size() == static_cast<std::size_t>(distinct.size()));
    CHECK(report.failed.empty());
    CHECK(report.imported.size() + report.duplicates.size() == 12);
    for (const auto &duplicate : report.duplicates)
        CHECK(duplicate.reason.contains(QStringLiteral("already in this client's photos")));
    for (const auto &photo : report.imported) {
        CHECK(photo.widthPx == 640);
        CHECK(photo.heightPx == 640);
        CHECK(photo.format == QStringLiteral("jpeg"));
    }
}

TEST_CASE("photos over 100 megapixels or 200 MB are refused before they are decoded",
          "[photos][probe]")
{
    // A tiny PNG whose header claims 12000 x 9000 pixels (tests/data, made by the project).
    const QString huge = QStringLiteral(SMP_SOURCE_DIR "/tests/data/header-108-megapixels.png");
    const QString message = probeError(huge);
    CHECK(message.contains(QStringLiteral("12000x9000")));
    CHECK(message.contains(QStringLiteral("100 megapixels")));

    // A 201 MB file (sparse: no disk space used) is refused by its size alone.
    ScratchDir dir;
    const QString big = dir.file(QStringLiteral("big.jpg"));
    QFile file(big);
    REQUIRE(file.open(QIODevice::WriteOnly));
    REQUIRE(file.write("\xFF\xD8\xFF", 3) == 3);
    REQUIRE(file.resize(201LL * 1024 * 1024));
    file.close();
    const QString tooBig = probeError(big);
    CHECK(tooBig.contains(big));
    CHECK(tooBig.contains(QStringLiteral("200 MB")));
}

TEST_CASE("a full disk refuses the photo with a clear message and leaves nothing behind",
          "[photos][disk-full]")
{
    ScratchDir dir;
    const QString small = dir.file(QStringLiteral("small-disk"));
    QDir().mkpath(small);
    // A 1 MB file system of our own (needs root; skipped with a message otherwise).
    if (::mount("tmpfs", QFile::encodeName(small).constData(), "tmpfs", 0, "size=1m") != 0) {
        WARN("cannot mount a small tmpfs here (not root?): the full-disk case is skipped");
        return;
    }
    struct Unmount
    {
        QByteArray path;
        ~Unmount() { ::umount2(path.constData(), MNT_DETACH); }
    } unmount{QFile::encodeName(small)};

    QImage noise(1200, 900, QImage::Format_RGB32);
    std::mt19937 random(99);
    for (int y = 0; y < noise.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(noise.scanLine(y));
        for (int x = 0; x < noise.width(); ++x)
            line[x] = static_cast<QRgb>(random()) | 0xff000000u;
    }
    const QString photo = dir.file(QStringLiteral("big.png"));
    REQUIRE(noise.save(photo, "png"));
    // Noise-like content does not compress: make sure the file is larger than the disk.
    REQUIRE(QFileInfo(photo).size() > 1024 * 1024);
    {
        Database db(small + QStringLiteral("/clinic.sqlite"));
        const RecordId client = addClient(db, QStringLiteral("Full Disk"));
        try {
            clinic::importPhoto(db, client, photo, PhotoView::Top);
            FAIL("the import should have failed for lack of space");
        } catch (const StorageError &error) {
            CHECK(error.kind() == ErrorKind::DiskFull);
            CHECK(error.message().contains(QStringLiteral("disk full")));
        } catch (const std::exception &error) {
            FAIL("unexpected error: " << error.what());
        }
        CHECK(PhotoLibrary(db).count() == 0);
        CHECK(filesIn(db.photoLibraryPath()) == 0);
        CHECK(db.integrityProblems(true).isEmpty());
        // The records written before are intact and the database still takes small changes.
        CHECK(ClientStore(db).get(client).familyName == QStringLiteral("Full Disk"));
    }
}
