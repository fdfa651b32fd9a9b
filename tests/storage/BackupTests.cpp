#include "StorageTestSupport.h"
#include "TestSupport.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/storage/Backup.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/Migrations.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <catch2/catch.hpp>

#include <QDir>
#include <QFile>

#include <atomic>
#include <thread>

using namespace smp;
using namespace smp::storage;
using smp::test::addClient;
using smp::test::ScratchDir;

namespace {} // namespace

TEST_CASE("a backup is a complete, openable database with its photos, taken while another "
          "connection writes",
          "[backup]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    Database db(path);
    const RecordId client = addClient(db, QStringLiteral("Backed Up"));
    const Photo photo =
        test::importTestImage(db, client, dir.file(QStringLiteral("p.jpg")), 120, 90, "jpeg", 31);
    for (int i = 0; i < 300; ++i)
        addClient(db, QStringLiteral("Filler %1").arg(i));

    // A second connection keeps writing during the backup.
    std::atomic<bool> stop = false;
    std::atomic<int> written = 0;
    std::thread writer([&] {
        Database::Options options;
        options.role = Database::Role::Secondary;
        Database other(path, options);
        while (!stop) {
            addClient(other, QStringLiteral("Concurrent"));
            ++written;
        }
    });
    qint64 lastTotal = 0;
    const BackupResult result = backupDatabase(db, dir.file(QStringLiteral("backups/b1.sqlite")),
                                               [&](qint64, qint64 total) {
                                                   lastTotal = total;
                                                   return true;
                                               });
    stop = true;
    writer.join();
    CHECK(lastTotal > 0);
    CHECK(result.photosCopied == 1);
    CHECK_FALSE(QFile::exists(result.databaseFile + QStringLiteral(".partial")));

    Database backup(result.databaseFile);
    CHECK(backup.integrityProblems(true).isEmpty());
    ClientStore restored(backup);
    CHECK(restored.count() >= 301);
    CHECK(restored.get(client).familyName == QStringLiteral("Backed Up"));
    PhotoLibrary backupLibrary(backup);
    const auto photos = backupLibrary.photos(client);
    REQUIRE(photos.size() == 1);
    CHECK(test::readAll(backupLibrary.absolutePath(photos[0])) ==
          test::readAll(PhotoLibrary(db).absolutePath(photo)));
    CHECK(backupLibrary.checkLibrary().rowsWithoutFile.empty());
}

TEST_CASE("a damaged photo file never overwrites a good copy: the backup keeps its own, the "
          "restore mends the library's",
          "[backup]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Mended"));
    const Photo photo =
        test::importTestImage(db, client, dir.file(QStringLiteral("p.png")), 80, 60, "png", 43);
    PhotoLibrary library(db);
    const QString stored = library.absolutePath(photo);
    const QByteArray good = test::readAll(stored);
    const QString backupFile = dir.file(QStringLiteral("b.sqlite"));
    const BackupResult first = backupDatabase(db, backupFile);
    CHECK(first.damagedPhotoFiles.isEmpty());
    const QString backedUp = first.photoFolder + QLatin1Char('/') + photo.fileName;
    REQUIRE(test::readAll(backedUp) == good);

    // The library's file cut short (a disk fault): the next backup does not copy it over the
    // good copy it has (its size differs, which until 2026-12-05 was enough to copy), and
    // names it.
    QFile file(stored);
    REQUIRE(file.open(QIODevice::ReadWrite));
    REQUIRE(file.resize(good.size() / 2));
    file.close();
    const BackupResult second = backupDatabase(db, backupFile);
    CHECK(second.damagedPhotoFiles == QStringList{photo.fileName});
    CHECK(second.photosCopied == 0);
    CHECK(test::readAll(backedUp) == good);

    // A bit flipped instead (same size, which the restore trusted): the restore replaces it.
    QByteArray flipped = good;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x20);
    test::writeBytes(stored, flipped);
    RestoreResult restored = restoreDatabase(db, backupFile);
    CHECK(restored.damagedPhotoFiles.isEmpty());
    CHECK(restored.photosCopied == 1);
    CHECK(test::readAll(stored) == good);
    CHECK(PhotoLibrary(db).verifiedPath(photo) == stored);

    // The backup's copy damaged: the library's good one is kept (checked, not replaced); with
    // the library's lost too, the damaged copy is not passed off as the photo, and is named.
    test::writeBytes(backedUp, flipped);
    restored = restoreDatabase(db, backupFile);
    CHECK(restored.damagedPhotoFiles.isEmpty());
    CHECK(restored.photosCopied == 0);
    CHECK(test::readAll(stored) == good);
    REQUIRE(QFile::remove(stored));
    restored = restoreDatabase(db, backupFile);
    CHECK(restored.damagedPhotoFiles == QStringList{photo.fileName});
    CHECK(restored.photosCopied == 0);
    CHECK_FALSE(QFile::exists(stored));
}

TEST_CASE("restore replaces the records, keeps a safety copy and brings back the photos",
          "[backup]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId kept = addClient(db, QStringLiteral("Kept"));
    const Photo photo =
        test::importTestImage(db, kept, dir.file(QStringLiteral("p.png")), 80, 60, "png", 41);
    const QString backupFile =
        backupDatabase(db, dir.file(QStringLiteral("b.sqlite"))).databaseFile;

    ClientStore(db).remove(kept); // an accident: the client and the photo file are gone
    addClient(db, QStringLiteral("Added Later"));
    REQUIRE_FALSE(QFile::exists(PhotoLibrary(db).absolutePath(photo)));

    const RestoreResult result = restoreDatabase(db, backupFile);
    ClientStore clients(db);
    CHECK(clients.count() == 1);
    CHECK(clients.get(kept).familyName == QStringLiteral("Kept"));
    CHECK(QFile::exists(PhotoLibrary(db).absolutePath(photo)));
    CHECK(result.photosCopied == 1);
    CHECK(db.integrityProblems(true).isEmpty());

    // The state just before the restore was saved and holds the later client.
    REQUIRE(QFile::exists(result.safetyCopy));
    Database safety(result.safetyCopy);
    CHECK(ClientStore(safety).search(QStringLiteral("Added Later")).size() == 1);
}

TEST_CASE("restore refuses bad backups and leaves the database as it was", "[backup]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    addClient(db, QStringLiteral("Untouched"));

    auto restoreError = [&](const QString &file) {
        try {
            restoreDatabase(db, file);
        } catch (const StorageError &error) {
            return error;
        }
        FAIL("restore should have failed");
        return StorageError(ErrorKind::Sql, QString());
    };

    const QString text = dir.file(QStringLiteral("text.sqlite"));
    test::writeBytes(text, QByteArrayLiteral("not a database at all").repeated(100));
    StorageError error = restoreError(text);
    CHECK(error.kind() == ErrorKind::NotADatabase);
    CHECK(error.message().contains(text));

    const QString newer = dir.file(QStringLiteral("newer.sqlite"));
    {
        Database other(newer);
    }
    test::rawExecute(newer,
                     QStringLiteral("PRAGMA journal_mode = DELETE; PRAGMA user_version = %1;")
                         .arg(kCurrentSchemaVersion + 1));
    const QByteArray newerBytes = test::readAll(newer);
    error = restoreError(newer);
    CHECK(error.kind() == ErrorKind::NewerSchema);
    CHECK(test::readAll(newer) == newerBytes); // the backup file itself is never changed

    CHECK(restoreError(dir.file(QStringLiteral("missing.sqlite"))).kind() == ErrorKind::NotFound);

    // A backup cut short: damaged, and the advice is another backup (SQLite's own advice for
    // a damaged database, "restore it from a backup", was passed on as it was).
    const QString cut = dir.file(QStringLiteral("cut.sqlite"));
    {
        Database full(dir.file(QStringLiteral("full.sqlite")));
        for (int i = 0; i < 50; ++i)
            addClient(full, QStringLiteral("Filler %1").arg(i));
        backupDatabase(full, dir.file(QStringLiteral("full-backup.sqlite")));
    }
    test::writeBytes(cut, test::readAll(dir.file(QStringLiteral("full-backup.sqlite"))).left(5000));
    error = restoreError(cut);
    CHECK(error.kind() == ErrorKind::Damaged);
    CHECK(error.message().startsWith(
        QStringLiteral("cannot restore: backup \"%1\" is damaged; choose another backup")
            .arg(cut)));

    ClientStore clients(db);
    CHECK(clients.count() == 1);
    CHECK(clients.search(QStringLiteral("Untouched")).size() == 1);
}

TEST_CASE("a cancelled backup leaves no file behind", "[backup]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    for (int i = 0; i < 500; ++i)
        addClient(db, QStringLiteral("Client number %1 with a longer name").arg(i));
    const QString target = dir.file(QStringLiteral("b.sqlite"));
    CHECK_THROWS_WITH(backupDatabase(db, target, [](qint64, qint64) { return false; }),
                      Catch::Contains("cancelled"));
    CHECK_FALSE(QFile::exists(target));
    CHECK_FALSE(QFile::exists(target + QStringLiteral(".partial")));
}

TEST_CASE("a backup is checked without restoring it: its records, and every photo file by its "
          "SHA-256",
          "[backup]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    const RecordId client = addClient(db, QStringLiteral("Verified"));
    const Photo first =
        test::importTestImage(db, client, dir.file(QStringLiteral("a.png")), 80, 60, "png", 51);
    const Photo second =
        test::importTestImage(db, client, dir.file(QStringLiteral("b.png")), 80, 60, "png", 52);
    const QString backupFile = dir.file(QStringLiteral("b.sqlite"));
    const BackupResult backup = backupDatabase(db, backupFile);
    const QByteArray backupBytes = test::readAll(backupFile);

    qint64 lastDone = -1, lastTotal = -1;
    BackupCheck check = checkBackup(backupFile, [&](qint64 done, qint64 total) {
        lastDone = done;
        lastTotal = total;
        return true;
    });
    CHECK(check.problems.isEmpty());
    CHECK(check.photos == 2);
    CHECK(check.photosChecked == 2);
    CHECK(check.schemaVersion == kCurrentSchemaVersion);
    CHECK(lastDone == 2);
    CHECK(lastTotal == 2);

    // A bit flipped on the backup drive (the same size: the next backup keeps it as it is),
    // and the other photo's file lost: each named, with what to do.
    const QString firstCopy = backup.photoFolder + QLatin1Char('/') + first.fileName;
    QByteArray flipped = test::readAll(firstCopy);
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
    test::writeBytes(firstCopy, flipped);
    REQUIRE(QFile::remove(backup.photoFolder + QLatin1Char('/') + second.fileName));
    check = checkBackup(backupFile);
    REQUIRE(check.problems.size() == 2);
    CHECK(check.problems[0].startsWith(
        QStringLiteral("photo %1 of client %2 (a.png)").arg(first.id).arg(client)));
    CHECK(check.problems[0].contains(QStringLiteral("has changed since it was imported")));
    CHECK(check.problems[0].contains(QStringLiteral("make a new backup to another file")));
    CHECK(check.problems[1].contains(QStringLiteral("(b.png): its file")));
    CHECK(check.problems[1].contains(QStringLiteral("is missing from the backup")));
    // Checking never writes to the backup.
    CHECK(test::readAll(backupFile) == backupBytes);

    // The database file copied without its photo folder: said once, naming the folder.
    const QString alone = dir.file(QStringLiteral("alone/b.sqlite"));
    REQUIRE(QDir().mkpath(dir.file(QStringLiteral("alone"))));
    REQUIRE(QFile::copy(backupFile, alone));
    const BackupCheck withoutPhotos = checkBackup(alone);
    REQUIRE(withoutPhotos.problems.size() == 1);
    CHECK(withoutPhotos.problems[0].startsWith(
        QStringLiteral("the backup's photo folder \"%1.photos\" is missing, so none of its 2 "
                       "photos can be restored")
            .arg(QFileInfo(alone).absoluteFilePath())));

    // Restored onto another machine from that lone file: the records come back, and the
    // photos that did not are named, with the reason (it said nothing).
    Database elsewhere(dir.file(QStringLiteral("elsewhere/clinic.sqlite")));
    const RestoreResult restored = restoreDatabase(elsewhere, alone);
    CHECK(ClientStore(elsewhere).count() == 1);
    CHECK(restored.photosWithoutFile ==
          QStringList{QStringLiteral("photo %1 of client %2 (a.png)").arg(first.id).arg(client),
                      QStringLiteral("photo %1 of client %2 (b.png)").arg(second.id).arg(client)});
    CHECK(restored.backupPhotoFolderMissing);
    // From the backup with its folder: the damaged copy is not passed off as the photo and the
    // lost one is lost, so both are still named, but the folder is there.
    const RestoreResult whole = restoreDatabase(elsewhere, backupFile);
    CHECK(whole.damagedPhotoFiles == QStringList{first.fileName});
    CHECK(whole.photosWithoutFile == restored.photosWithoutFile);
    CHECK_FALSE(whole.backupPhotoFolderMissing);

    // Cancelled before the second file: what was checked is said, and that it stopped.
    check = checkBackup(backupFile, [](qint64 done, qint64) { return done < 1; });
    CHECK(check.cancelled);
    CHECK(check.photosChecked == 1);

    // Not a database, or none there: an error naming the file.
    const QString text = dir.file(QStringLiteral("text.sqlite"));
    test::writeBytes(text, QByteArrayLiteral("not a database at all").repeated(100));
    try {
        checkBackup(text);
        FAIL("a text file passed as a backup");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::NotADatabase);
        CHECK(error.message().contains(text));
    }
    try {
        checkBackup(dir.file(QStringLiteral("missing.sqlite")));
        FAIL("a missing backup passed");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::NotFound);
    }
    // A backup cut short (a copy that did not finish): damaged, and what to do is a new backup.
    const QString cut = dir.file(QStringLiteral("cut.sqlite"));
    test::writeBytes(cut, backupBytes.left(5000));
    try {
        checkBackup(cut);
        FAIL("a backup cut short passed");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::Damaged);
        CHECK(error.message().startsWith(QStringLiteral("backup \"%1\" is damaged and cannot be "
                                                        "restored: make a new backup")
                                             .arg(cut)));
    }
    // Its folder chosen instead of its file.
    try {
        checkBackup(dir.path());
        FAIL("a folder passed as a backup");
    } catch (const StorageError &error) {
        CHECK(error.message().contains(QStringLiteral("is a folder")));
    }
}
