#pragma once

#include "smp/storage/Records.h"
#include "smp/storage/StorageError.h"

#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// What the importer learned about an image before handing it to the library.
struct ImageFacts
{
    QString format;  // lower-case format of the stored file: "jpeg", "png", "tiff", "webp"
    int widthPx = 0; // upright size (EXIF orientation applied)
    int heightPx = 0;
    QDateTime takenAt; // UTC; when unknown the caller passes the file's modification time
    bool takenAtFromExif = false;
    QString originalName; // name shown to the user; default: the file name of the source
    QString originalPath; // where the user's file is, for messages; default: the source path
};

// The client whose photo `photoId` is; throws StorageError (NotFound) "photo N does not exist".
RecordId clientOfPhoto(Database &db, RecordId photoId);

// PhotoLibrary::add()'s Duplicate: the client already has this photo (`existingId`). The copy
// still mends the library when the existing photo's file was lost or damaged (`mended`), so
// importing the original again is how a technician repairs it.
class DuplicatePhoto : public StorageError
{
public:
    enum class Mended
    {
        Nothing,
        MissingFile, // the file was gone: put back from this copy
        DamagedFile  // the file no longer held the imported bytes: replaced by this copy
    };
    DuplicatePhoto(const QString &message, RecordId existingId, Mended mended)
        : StorageError(ErrorKind::Duplicate, message)
        , m_existingId(existingId)
        , m_mended(mended)
    {}
    RecordId existingId() const noexcept { return m_existingId; }
    Mended mended() const noexcept { return m_mended; }

private:
    RecordId m_existingId;
    Mended m_mended;
};

// The content-addressed photo library beside a database ("<database>.photos/ab/<sha256>.ext")
// and the photo rows that name its files.
//
// Write order, so that a crash never leaves a row without its file: the file is copied to a
// temporary name inside the library, flushed to disk, renamed to its content address and the
// folder flushed; only then is the row inserted and committed. A crash in between leaves at
// most an unreferenced file, which checkLibrary() reports and removeOrphanFiles() deletes.
// The same content is stored once, however many rows name it.
class PhotoLibrary
{
public:
    explicit PhotoLibrary(Database &db);

    const QString &root() const noexcept { return m_root; }

    // Copies `sourcePath` into the library and records it for `clientId`.
    // Throws DuplicatePhoto when this client already has a photo with the same content (after
    // mending that photo's lost or damaged file with this copy), NotFound
    // for an unknown client, Io / DiskFull when the copy fails (nothing is left behind).
    Photo add(RecordId clientId, const QString &sourcePath, PhotoView view,
              const ImageFacts &facts);

    std::vector<Photo> photos(RecordId clientId);
    std::optional<Photo> find(RecordId photoId);
    int count();
    QString absolutePath(const Photo &photo) const;
    // absolutePath() once the file is checked to be the one imported (its SHA-256): for reading
    // the photo. Throws NotFound when the file is missing, Damaged when its content changed (a
    // disk fault, a bad copy back: a JPEG cut short decodes with a grey band, silently). Reads
    // the whole file: about 10 ms for a 12 MP JPEG.
    QString verifiedPath(const Photo &photo) const;

    void setView(RecordId photoId, PhotoView view);
    // Sets the display rotation (quarter turns clockwise, any integer; stored modulo 4).
    void setRotation(RecordId photoId, int quarterTurns);

    // Calibrations: every one is kept; the newest is the photo's current scale.
    RecordId addCalibration(const Calibration &calibration);
    std::optional<Calibration> currentCalibration(RecordId photoId);
    std::vector<Calibration> calibrations(RecordId photoId);
    // Every calibrated photo's current calibration, by photo id.
    std::vector<Calibration> currentCalibrations();
    void removeCalibration(RecordId calibrationId);
    // Puts back a calibration removeCalibration() took off (the viewer's Undo): under its own
    // id, time and author, so that it is the same record, not a new one by whoever undid.
    // Throws Duplicate when a calibration with that id exists.
    void restoreCalibration(const Calibration &removed);

    // The cached thumbnail of a photo (upright, not rotated): "<library>/.thumbnails/ab/<sha>.jpg".
    QString thumbnailPath(const Photo &photo) const;
    // Deletes the row (with audit), then the file if no other row names it.
    void remove(RecordId photoId);

    // Deletes those of `fileNames` (library-relative) that no photo row names any more.
    void removeFilesIfUnreferenced(const QStringList &fileNames);

    struct CheckResult
    {
        std::vector<Photo> rowsWithoutFile; // a damaged library: the file was lost
        // With `ContentCheck::Hashes`: files whose content is no longer what was imported.
        std::vector<Photo> rowsWithChangedFile;
        QStringList filesWithoutRow; // harmless leftovers of an interrupted import
    };
    // Hashes reads every photo file (about 10 ms per 12 MP JPEG): for the database check.
    // `keepGoing` is asked before each file is hashed; false stops the check there (what it
    // found so far is returned).
    enum class ContentCheck
    {
        Existence,
        Hashes
    };
    CheckResult checkLibrary(ContentCheck content = ContentCheck::Existence,
                             const std::function<bool()> &keepGoing = {});
    // Deletes files that no row names (as found by checkLibrary). Returns how many.
    int removeOrphanFiles();

    // "ab/<sha256>.<ext>" for a content hash and format.
    static QString relativePathFor(const QString &sha256, const QString &format);

private:
    // addCalibration() and restoreCalibration(): checks and inserts with audit. `id` 0: a new one.
    RecordId insertCalibration(const Calibration &calibration, RecordId id,
                               const QDateTime &createdAt, const QString &createdBy,
                               const QString &auditNote);

    Database &m_db;
    QString m_root;
};

// PhotoLibrary::verifiedPath()'s check of the file at `path` against `photo`'s SHA-256, for a
// worker thread (it needs no database). Returns `path`.
QString verifyPhotoFile(const Photo &photo, const QString &path);

} // namespace smp::storage
