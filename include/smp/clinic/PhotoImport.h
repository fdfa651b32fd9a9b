#pragma once

#include "smp/storage/Records.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

// Imports one photo for a client:
//  1. checks the file completely (format, size limits, truncation) - imaging::probeImage;
//  2. makes a private copy without personal metadata (imaging::preparePhoto: EXIF orientation and
//     capture time kept, location and names dropped; HEIC converted to lossless PNG);
//  3. stores it in the content-addressed library with its row (storage::PhotoLibrary::add);
//  4. writes the cached thumbnail;
//  5. looks for a calibration marker and, when one is found, stores the photo's scale.
// Throws std::exception subclasses (ImageError, StorageError) whose what() names the file and
// the problem; on failure nothing is stored.
storage::Photo importPhoto(storage::Database &db, storage::RecordId clientId, const QString &path,
                           storage::PhotoView view);

struct ImportFailure
{
    QString path;
    QString reason; // complete one-line message
};

struct ImportReport
{
    std::vector<storage::Photo> imported;
    std::vector<ImportFailure> duplicates; // already in this client's photos: skipped
    // Also already there, but the photo's file in the library was lost or damaged and this copy
    // put it back (not a new photo): the way to repair a library file without a backup.
    std::vector<ImportFailure> mended;
    std::vector<ImportFailure> failed; // refused: not an image, truncated, too large ...
    bool cancelled = false;
};

// Called before each file with (index, total, path); return false to stop.
using ImportProgress = std::function<bool(int index, int total, const QString &path)>;

// Imports each file on its own (one transaction each), going on past bad files and reporting
// them at the end. Folders in `paths` are expanded to the image files they contain.
ImportReport importPhotos(storage::Database &db, storage::RecordId clientId,
                          const QStringList &paths, storage::PhotoView view,
                          const ImportProgress &progress = {});

// Files named directly, plus the files inside named folders (recursively, sorted by name,
// hidden files skipped). Order is kept.
QStringList expandImportPaths(const QStringList &paths);

// Longest side of cached thumbnails, in pixels.
inline constexpr int kThumbnailSide = 320;

// The thumbnail of a stored photo, rotated by the photo's quarter turns: read from the cache, or
// made from the photo and cached when missing. Safe on any thread (touches files, not the
// database). Returns a null image when the photo cannot be read.
QImage loadThumbnail(const QString &photoPath, const QString &thumbnailPath, int quarterTurns);

} // namespace smp::clinic
