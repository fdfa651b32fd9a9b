#pragma once

#include "smp/storage/Records.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

// Checks that `path` is a usable photo (smp::imaging::probeImage) and stores it in the
// database's photo library for the client. Throws std::exception subclasses (ImageError,
// StorageError) whose what() names the file and the problem; on failure nothing is stored.
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
    std::vector<ImportFailure> failed;
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

} // namespace smp::clinic
