#include "smp/clinic/PhotoImport.h"

#include "smp/imaging/ImageProbe.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>

namespace smp::clinic {

storage::Photo importPhoto(storage::Database &db, storage::RecordId clientId, const QString &path,
                           storage::PhotoView view)
{
    const imaging::ImageInfo info = imaging::probeImage(path);
    storage::ImageFacts facts;
    facts.format = info.format;
    facts.widthPx = info.size.width();
    facts.heightPx = info.size.height();
    facts.takenAt = info.takenAt;
    return storage::PhotoLibrary(db).add(clientId, path, view, facts);
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
        } catch (const std::exception &error) {
            report.failed.push_back({files[i], QString::fromUtf8(error.what())});
        }
    }
    if (progress && !report.cancelled)
        progress(static_cast<int>(files.size()), static_cast<int>(files.size()), QString());
    return report;
}

} // namespace smp::clinic
