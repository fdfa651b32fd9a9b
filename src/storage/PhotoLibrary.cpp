#include "smp/storage/PhotoLibrary.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/FileWriting.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace smp::storage {

namespace {

constexpr qint64 kOrphanMinimumAgeSeconds = 3600;

const char *const kPhotoColumns =
    "id, client_id, view, taken_at, imported_at, sha256, file_name, original_name, format, "
    "width_px, height_px, byte_size, notes, rotation_quarter_turns, taken_at_source";

Photo readPhoto(const Statement &row)
{
    Photo photo;
    photo.id = row.int64(0);
    photo.clientId = row.int64(1);
    photo.view = photoViewFromString(row.text(2)).value_or(PhotoView::Other);
    photo.takenAt = row.dateTime(3);
    photo.importedAt = row.dateTime(4);
    photo.sha256 = row.text(5);
    photo.fileName = row.text(6);
    photo.originalName = row.text(7);
    photo.format = row.text(8);
    photo.widthPx = row.integer(9);
    photo.heightPx = row.integer(10);
    photo.byteSize = row.int64(11);
    photo.notes = row.text(12);
    photo.rotationQuarterTurns = row.integer(13);
    photo.takenAtFromExif = row.text(14) == QLatin1String("exif");
    return photo;
}

QString extensionFor(const QString &format)
{
    const QString f = format.toLower();
    if (f == QLatin1String("jpeg") || f == QLatin1String("jpg"))
        return QStringLiteral("jpg");
    if (f == QLatin1String("tiff") || f == QLatin1String("tif"))
        return QStringLiteral("tif");
    if (f == QLatin1String("heif") || f == QLatin1String("heic"))
        return QStringLiteral("heic");
    static const QRegularExpression safe(QStringLiteral("^[a-z0-9]{1,8}$"));
    return safe.match(f).hasMatch() ? f : QStringLiteral("img");
}

} // namespace

RecordId clientOfPhoto(Database &db, RecordId photoId)
{
    auto photo = db.prepare("SELECT client_id FROM photos WHERE id = ?1");
    photo.bind(1, photoId);
    if (!photo.step())
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(photoId));
    return photo.int64(0);
}

PhotoLibrary::PhotoLibrary(Database &db)
    : m_db(db)
    , m_root(db.photoLibraryPath())
{}

QString PhotoLibrary::relativePathFor(const QString &sha256, const QString &format)
{
    return sha256.left(2) + QLatin1Char('/') + sha256 + QLatin1Char('.') + extensionFor(format);
}

QString PhotoLibrary::absolutePath(const Photo &photo) const
{
    return m_root + QLatin1Char('/') + photo.fileName;
}

QString verifyPhotoFile(const Photo &photo, const QString &path)
{
    const QString which = QStringLiteral("photo %1 (%2)").arg(photo.id).arg(photo.originalName);
    if (!QFileInfo::exists(path)) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("%1: its file \"%2\" is missing from the photo library; "
                                          "restore it from a backup, or import the original %3 "
                                          "again, which mends it")
                               .arg(which, path, photo.originalName));
    }
    const QString sha256 = sha256OfFile(path);
    if (sha256.isEmpty()) {
        throw StorageError(ErrorKind::Io,
                           QStringLiteral("%1: its file \"%2\" cannot be read").arg(which, path));
    }
    if (sha256 != photo.sha256) {
        throw StorageError(ErrorKind::Damaged,
                           QStringLiteral("%1: its file \"%2\" has changed since it was imported "
                                          "(damaged or replaced: its content no longer matches "
                                          "the SHA-256 recorded then); restore it from a backup, "
                                          "or import the original %3 again, which mends it")
                               .arg(which, path, photo.originalName));
    }
    return path;
}

QString PhotoLibrary::verifiedPath(const Photo &photo) const
{
    return verifyPhotoFile(photo, absolutePath(photo));
}

Photo PhotoLibrary::add(RecordId clientId, const QString &sourcePath, PhotoView view,
                        const ImageFacts &facts)
{
    if (facts.widthPx <= 0 || facts.heightPx <= 0) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("photo \"%1\": image size %2x%3 is not valid")
                               .arg(sourcePath)
                               .arg(facts.widthPx)
                               .arg(facts.heightPx));
    }
    {
        auto client = m_db.prepare("SELECT 1 FROM clients WHERE id = ?1");
        client.bind(1, clientId);
        if (!client.step()) {
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("client %1 does not exist").arg(clientId));
        }
    }

    // 1. The file: temporary copy, flushed, renamed to its content address.
    const StoredFile stored = storeContentAddressed(sourcePath, m_root, [&](const QString &hash) {
        return relativePathFor(hash, facts.format);
    });

    // 2. The row, now that its file is safely on disk.
    Photo photo;
    photo.clientId = clientId;
    photo.view = view;
    photo.takenAt =
        facts.takenAt.isValid() ? facts.takenAt.toUTC() : QDateTime::currentDateTimeUtc();
    photo.importedAt = QDateTime::currentDateTimeUtc();
    photo.sha256 = stored.sha256;
    photo.fileName = stored.relativePath;
    photo.originalName =
        facts.originalName.isEmpty() ? QFileInfo(sourcePath).fileName() : facts.originalName;
    photo.takenAtFromExif = facts.takenAtFromExif;
    photo.format = facts.format.toLower();
    photo.widthPx = facts.widthPx;
    photo.heightPx = facts.heightPx;
    photo.byteSize = stored.byteSize;

    Transaction transaction(m_db);
    // Under the write lock: a concurrent delete may have removed an identical file that
    // step 1 found already stored. Store it again rather than commit a row without its file.
    if (!QFileInfo::exists(m_root + QLatin1Char('/') + stored.relativePath)) {
        storeContentAddressed(sourcePath, m_root, [&](const QString &hash) {
            return relativePathFor(hash, facts.format);
        });
    }
    auto existing = m_db.prepare("SELECT id FROM photos WHERE client_id = ?1 AND sha256 = ?2");
    existing.bind(1, clientId).bind(2, photo.sha256);
    if (existing.step()) {
        using Mended = DuplicatePhoto::Mended;
        const Mended mended =
            stored.previously == StoredFile::Previously::Damaged  ? Mended::DamagedFile
            : stored.previously == StoredFile::Previously::Absent ? Mended::MissingFile
                                                                  : Mended::Nothing;
        const RecordId existingId = existing.int64(0);
        QString message = QStringLiteral("photo \"%1\" is already in this client's photos "
                                         "(photo %2)")
                              .arg(facts.originalPath.isEmpty() ? sourcePath : facts.originalPath)
                              .arg(existingId);
        if (mended == Mended::DamagedFile)
            message += QStringLiteral("; its damaged file in the library is mended with this copy");
        else if (mended == Mended::MissingFile)
            message += QStringLiteral("; its missing file in the library is put back from this "
                                      "copy");
        throw DuplicatePhoto(message, existingId, mended);
    }
    auto insert = m_db.prepare(
        "INSERT INTO photos (client_id, view, taken_at, imported_at, sha256, file_name, "
        "original_name, format, width_px, height_px, byte_size, taken_at_source) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    insert.bind(1, clientId)
        .bind(2, toString(view))
        .bind(3, photo.takenAt)
        .bind(4, photo.importedAt)
        .bind(5, photo.sha256)
        .bind(6, photo.fileName)
        .bind(7, photo.originalName)
        .bind(8, photo.format)
        .bind(9, photo.widthPx)
        .bind(10, photo.heightPx)
        .bind(11, photo.byteSize)
        .bind(12, photo.takenAtFromExif ? "exif" : "file")
        .run();
    photo.id = m_db.lastInsertId();
    AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("photos"), photo.id, clientId,
                          QStringLiteral("%1 (%2, %3x%4)")
                              .arg(photo.originalName, toString(view))
                              .arg(photo.widthPx)
                              .arg(photo.heightPx));
    transaction.commit();
    return photo;
}

std::vector<Photo> PhotoLibrary::photos(RecordId clientId)
{
    auto query = m_db.prepare(std::string("SELECT ") + kPhotoColumns +
                              " FROM photos WHERE client_id = ?1 ORDER BY taken_at, id");
    query.bind(1, clientId);
    std::vector<Photo> result;
    while (query.step())
        result.push_back(readPhoto(query));
    return result;
}

std::optional<Photo> PhotoLibrary::find(RecordId photoId)
{
    auto query =
        m_db.prepare(std::string("SELECT ") + kPhotoColumns + " FROM photos WHERE id = ?1");
    query.bind(1, photoId);
    if (!query.step())
        return std::nullopt;
    return readPhoto(query);
}

int PhotoLibrary::count()
{
    auto query = m_db.prepare("SELECT count(*) FROM photos");
    query.step();
    return query.integer(0);
}

void PhotoLibrary::setView(RecordId photoId, PhotoView view)
{
    Transaction transaction(m_db);
    const std::optional<Photo> photo = find(photoId);
    if (!photo)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(photoId));
    auto update = m_db.prepare("UPDATE photos SET view = ?1 WHERE id = ?2");
    update.bind(1, toString(view)).bind(2, photoId).run();
    AuditLog(m_db).record(
        QStringLiteral("update"), QStringLiteral("photos"), photoId, photo->clientId,
        QStringLiteral("view: %1 -> %2").arg(toString(photo->view), toString(view)));
    transaction.commit();
}

void PhotoLibrary::setRotation(RecordId photoId, int quarterTurns)
{
    const int turns = ((quarterTurns % 4) + 4) % 4;
    Transaction transaction(m_db);
    const std::optional<Photo> photo = find(photoId);
    if (!photo)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(photoId));
    auto update = m_db.prepare("UPDATE photos SET rotation_quarter_turns = ?1 WHERE id = ?2");
    update.bind(1, turns).bind(2, photoId).run();
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("photos"), photoId,
                          photo->clientId,
                          QStringLiteral("rotation: %1 -> %2 degrees")
                              .arg(photo->rotationQuarterTurns * 90)
                              .arg(turns * 90));
    transaction.commit();
}

namespace {

const char *const kCalibrationColumns =
    "id, photo_id, method, mm_per_px, uncertainty_mm_per_px, details, created_at, created_by";

Calibration readCalibration(const Statement &row)
{
    Calibration calibration;
    calibration.id = row.int64(0);
    calibration.photoId = row.int64(1);
    calibration.method =
        calibrationMethodFromString(row.text(2)).value_or(CalibrationMethod::Manual);
    calibration.mmPerPx = row.real(3);
    calibration.uncertaintyMmPerPx = row.real(4);
    calibration.details = row.text(5);
    calibration.createdAt = row.dateTime(6);
    calibration.createdBy = row.text(7);
    return calibration;
}

} // namespace

RecordId PhotoLibrary::addCalibration(const Calibration &calibration)
{
    return insertCalibration(calibration, 0, QDateTime::currentDateTimeUtc(), m_db.actor(), {});
}

void PhotoLibrary::restoreCalibration(const Calibration &removed)
{
    if (removed.id <= 0 || !removed.createdAt.isValid() || removed.createdBy.isEmpty()) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("calibration: only a stored calibration can be restored "
                                          "(its id, time and author are missing)"));
    }
    insertCalibration(removed, removed.id, removed.createdAt, removed.createdBy,
                      QStringLiteral("restored, "));
}

RecordId PhotoLibrary::insertCalibration(const Calibration &calibration, RecordId id,
                                         const QDateTime &createdAt, const QString &createdBy,
                                         const QString &auditNote)
{
    if (!(calibration.mmPerPx > 0) || !(calibration.mmPerPx < 100)) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("calibration: %1 mm per pixel is not a plausible scale")
                               .arg(calibration.mmPerPx));
    }
    if (!(calibration.uncertaintyMmPerPx >= 0)) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("calibration: the uncertainty must not be negative"));
    }
    Transaction transaction(m_db);
    const std::optional<Photo> photo = find(calibration.photoId);
    if (!photo) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(calibration.photoId));
    }
    if (id > 0) {
        auto taken = m_db.prepare("SELECT 1 FROM photo_calibrations WHERE id = ?1");
        taken.bind(1, id);
        if (taken.step()) {
            throw StorageError(ErrorKind::Duplicate,
                               QStringLiteral("calibration %1 already exists").arg(id));
        }
    }
    // A NULL id takes the next free one.
    auto insert = m_db.prepare("INSERT INTO photo_calibrations (id, photo_id, method, mm_per_px, "
                               "uncertainty_mm_per_px, details, created_at, created_by) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind(1, id > 0 ? std::optional<RecordId>(id) : std::nullopt)
        .bind(2, calibration.photoId)
        .bind(3, toString(calibration.method))
        .bind(4, calibration.mmPerPx)
        .bind(5, calibration.uncertaintyMmPerPx)
        .bind(6, calibration.details.isEmpty() ? QStringLiteral("{}") : calibration.details)
        .bind(7, createdAt)
        .bind(8, createdBy)
        .run();
    const RecordId stored = m_db.lastInsertId();
    AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("photo_calibrations"), stored,
                          photo->clientId,
                          QStringLiteral("photo %1: %2%3, %4 mm/px +- %5")
                              .arg(calibration.photoId)
                              .arg(auditNote, toString(calibration.method))
                              .arg(calibration.mmPerPx, 0, 'g', 6)
                              .arg(calibration.uncertaintyMmPerPx, 0, 'g', 3));
    transaction.commit();
    return stored;
}

std::optional<Calibration> PhotoLibrary::currentCalibration(RecordId photoId)
{
    auto query =
        m_db.prepare(std::string("SELECT ") + kCalibrationColumns +
                     " FROM photo_calibrations WHERE photo_id = ?1 ORDER BY id DESC LIMIT 1");
    query.bind(1, photoId);
    if (!query.step())
        return std::nullopt;
    return readCalibration(query);
}

std::vector<Calibration> PhotoLibrary::currentCalibrations()
{
    auto query = m_db.prepare(std::string("SELECT ") + kCalibrationColumns +
                              " FROM photo_calibrations WHERE id IN (SELECT max(id) FROM "
                              "photo_calibrations GROUP BY photo_id) ORDER BY photo_id");
    std::vector<Calibration> result;
    while (query.step())
        result.push_back(readCalibration(query));
    return result;
}

std::vector<Calibration> PhotoLibrary::calibrations(RecordId photoId)
{
    auto query = m_db.prepare(std::string("SELECT ") + kCalibrationColumns +
                              " FROM photo_calibrations WHERE photo_id = ?1 ORDER BY id");
    query.bind(1, photoId);
    std::vector<Calibration> result;
    while (query.step())
        result.push_back(readCalibration(query));
    return result;
}

void PhotoLibrary::removeCalibration(RecordId calibrationId)
{
    Transaction transaction(m_db);
    auto query = m_db.prepare("SELECT c.photo_id, p.client_id FROM photo_calibrations c "
                              "JOIN photos p ON p.id = c.photo_id WHERE c.id = ?1");
    query.bind(1, calibrationId);
    if (!query.step()) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("calibration %1 does not exist").arg(calibrationId));
    }
    const RecordId photoId = query.int64(0);
    const RecordId clientId = query.int64(1);
    auto erase = m_db.prepare("DELETE FROM photo_calibrations WHERE id = ?1");
    erase.bind(1, calibrationId).run();
    AuditLog(m_db).record(QStringLiteral("delete"), QStringLiteral("photo_calibrations"),
                          calibrationId, clientId, QStringLiteral("photo %1").arg(photoId));
    transaction.commit();
}

QString PhotoLibrary::thumbnailPath(const Photo &photo) const
{
    return m_root + QStringLiteral("/.thumbnails/") + photo.sha256.left(2) + QLatin1Char('/') +
           photo.sha256 + QStringLiteral(".jpg");
}

void PhotoLibrary::remove(RecordId photoId)
{
    QString fileName;
    {
        Transaction transaction(m_db);
        const std::optional<Photo> photo = find(photoId);
        if (!photo) {
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("photo %1 does not exist").arg(photoId));
        }
        fileName = photo->fileName;
        auto erase = m_db.prepare("DELETE FROM photos WHERE id = ?1");
        erase.bind(1, photoId).run();
        AuditLog(m_db).record(QStringLiteral("delete"), QStringLiteral("photos"), photoId,
                              photo->clientId, photo->originalName);
        transaction.commit();
    }
    removeFilesIfUnreferenced({fileName});
}

void PhotoLibrary::removeFilesIfUnreferenced(const QStringList &fileNames)
{
    if (fileNames.isEmpty())
        return;
    // Hold the write lock while deciding and deleting, so that no import can commit a row
    // naming a file between the check and the removal (add() re-checks under the same lock).
    Transaction lock(m_db);
    auto stillUsed = m_db.prepare("SELECT 1 FROM photos WHERE file_name = ?1 LIMIT 1");
    for (const QString &name : fileNames) {
        stillUsed.reset();
        stillUsed.bind(1, name);
        if (stillUsed.step())
            continue;
        // A file that cannot be removed is a leftover, not a loss: checkLibrary reports it.
        QFile::remove(m_root + QLatin1Char('/') + name);
        const QString sha = QFileInfo(name).completeBaseName();
        QFile::remove(m_root + QStringLiteral("/.thumbnails/") + sha.left(2) + QLatin1Char('/') +
                      sha + QStringLiteral(".jpg"));
    }
    lock.commit();
}

PhotoLibrary::CheckResult PhotoLibrary::checkLibrary(ContentCheck content,
                                                     const std::function<bool()> &keepGoing)
{
    CheckResult result;
    QSet<QString> named;
    auto query = m_db.prepare(std::string("SELECT ") + kPhotoColumns + " FROM photos ORDER BY id");
    while (query.step()) {
        Photo photo = readPhoto(query);
        named.insert(photo.fileName);
        if (!QFileInfo::exists(absolutePath(photo))) {
            result.rowsWithoutFile.push_back(std::move(photo));
            continue;
        }
        if (content == ContentCheck::Hashes) {
            if (keepGoing && !keepGoing())
                return result;
            try {
                verifiedPath(photo);
            } catch (const StorageError &) {
                result.rowsWithChangedFile.push_back(std::move(photo));
            }
        }
    }
    const QDir root(m_root);
    // A file younger than this may belong to an import in progress in another process.
    const QDateTime settled = QDateTime::currentDateTimeUtc().addSecs(-kOrphanMinimumAgeSeconds);
    QDirIterator files(m_root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        const QString relative = root.relativeFilePath(path);
        if (named.contains(relative) || relative.startsWith(QLatin1String(".thumbnails/")))
            continue;
        if (QFileInfo(path).lastModified().toUTC() > settled)
            continue;
        result.filesWithoutRow << relative;
    }
    result.filesWithoutRow.sort();
    return result;
}

int PhotoLibrary::removeOrphanFiles()
{
    const CheckResult check = checkLibrary();
    int removed = 0;
    for (const QString &name : check.filesWithoutRow) {
        if (QFile::remove(m_root + QLatin1Char('/') + name))
            ++removed;
    }
    return removed;
}

} // namespace smp::storage
