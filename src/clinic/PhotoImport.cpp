#include "smp/clinic/PhotoImport.h"

#include "smp/clinic/Calibration.h"
#include "smp/imaging/ImageProbe.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImageWriter>
#include <QSaveFile>
#include <QStorageInfo>
#include <QTemporaryDir>

#include <algorithm>

namespace smp::clinic {

namespace {

// Writes a thumbnail atomically (QSaveFile); a failure only costs a later re-make.
void saveThumbnail(const QImage &image, const QString &thumbnailPath)
{
    QDir().mkpath(QFileInfo(thumbnailPath).absolutePath());
    QSaveFile file(thumbnailPath);
    if (!file.open(QIODevice::WriteOnly))
        return;
    QImageWriter writer(&file, "jpeg");
    writer.setQuality(85);
    if (writer.write(image))
        file.commit();
    else
        file.cancelWriting();
}

QImage thumbnailOf(const QImage &upright)
{
    return upright.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio,
                          Qt::SmoothTransformation);
}

} // namespace

storage::Photo importPhoto(storage::Database &db, storage::RecordId clientId, const QString &path,
                           storage::PhotoView view)
{
    storage::PhotoLibrary library(db);
    const QString incoming = library.root() + QStringLiteral("/.incoming");
    QDir().mkpath(incoming);
    // Room for the prepared copy and the library's copy, checked before anything is written.
    const qint64 needed = 2 * QFileInfo(path).size() + 1024 * 1024;
    const QStorageInfo disk(incoming);
    if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < needed) {
        throw storage::StorageError(
            storage::ErrorKind::DiskFull,
            QStringLiteral(
                "disk full: the photo library \"%1\" has %2 MB free and importing \"%3\" "
                "needs about %4 MB; nothing was imported. Free some space and try again.")
                .arg(library.root())
                .arg(static_cast<double>(disk.bytesAvailable()) / 1e6, 0, 'f', 1)
                .arg(path)
                .arg(static_cast<double>(needed) / 1e6, 0, 'f', 1));
    }
    QTemporaryDir work(incoming + QStringLiteral("/prepare-XXXXXX"));
    if (!work.isValid()) {
        throw storage::StorageError(
            storage::ErrorKind::ReadOnly,
            QStringLiteral("cannot create a work folder in \"%1\"").arg(incoming));
    }
    const imaging::PreparedPhoto prepared = imaging::preparePhoto(path, work.path());

    storage::ImageFacts facts;
    facts.format = prepared.format;
    facts.widthPx = prepared.uprightSize.width();
    facts.heightPx = prepared.uprightSize.height();
    facts.takenAt = prepared.takenAt;
    facts.takenAtFromExif = prepared.takenAtFromExif;
    facts.originalName = QFileInfo(path).fileName();
    facts.originalPath = path;
    const storage::Photo photo = library.add(clientId, prepared.file, view, facts);

    // The pixels decoded while checking the file serve the thumbnail and the marker search (the
    // stored copy has the same pixels); a failure here leaves a valid, uncalibrated photo.
    try {
        const QImage &upright = prepared.upright;
        saveThumbnail(thumbnailOf(upright), library.thumbnailPath(photo));
        if (const auto marker = findMarker(upright))
            storeMarkerCalibration(db, photo.id, *marker);
    } catch (const std::exception &) {
        // The photo itself is stored: a missing thumbnail is remade on demand and the marker
        // can be searched again (viewer, smp calibrate). Reporting the import as failed here
        // would be wrong.
    }
    return photo;
}

QStringList expandImportPaths(const QStringList &paths)
{
    QStringList files;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.isDir()) {
            files << path;
            continue;
        }
        QStringList inFolder;
        QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            inFolder << it.next();
        std::sort(inFolder.begin(), inFolder.end());
        files << inFolder;
    }
    return files;
}

ImportReport importPhotos(storage::Database &db, storage::RecordId clientId,
                          const QStringList &paths, storage::PhotoView view,
                          const ImportProgress &progress)
{
    const QStringList files = expandImportPaths(paths);
    ImportReport report;
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (progress && !progress(static_cast<int>(i), static_cast<int>(files.size()), files[i])) {
            report.cancelled = true;
            break;
        }
        try {
            report.imported.push_back(importPhoto(db, clientId, files[i], view));
        } catch (const storage::DuplicatePhoto &duplicate) {
            (duplicate.mended() == storage::DuplicatePhoto::Mended::Nothing ? report.duplicates
                                                                            : report.mended)
                .push_back({files[i], duplicate.message()});
        } catch (const storage::StorageError &error) {
            (error.kind() == storage::ErrorKind::Duplicate ? report.duplicates : report.failed)
                .push_back({files[i], error.message()});
        } catch (const std::exception &error) {
            report.failed.push_back({files[i], QString::fromUtf8(error.what())});
        }
    }
    if (progress && !report.cancelled)
        progress(static_cast<int>(files.size()), static_cast<int>(files.size()), QString());
    return report;
}

QImage loadThumbnail(const QString &photoPath, const QString &thumbnailPath, int quarterTurns)
{
    QImage thumbnail(thumbnailPath);
    if (thumbnail.isNull()) {
        try {
            thumbnail =
                imaging::loadUprightImage(photoPath, 0, QSize(kThumbnailSide, kThumbnailSide));
        } catch (const imaging::ImageError &) {
            return {};
        }
        saveThumbnail(thumbnail, thumbnailPath);
    }
    const int turns = ((quarterTurns % 4) + 4) % 4;
    return turns ? thumbnail.transformed(QTransform().rotate(90.0 * turns)) : thumbnail;
}

} // namespace smp::clinic
