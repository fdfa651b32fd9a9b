#pragma once

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Compare.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/clinic/Report.h"
#include "smp/storage/Backup.h"
#include "smp/storage/Records.h"

#include <QFuture>
#include <QImage>
#include <QSize>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QWidget;

namespace smp::gui {

// What a worker thread needs to open its own connection to the application's database.
// (A storage::Database belongs to one thread; workers never touch the GUI's connection.)
struct DatabaseAddress
{
    QString path;
    QString actor;
};

// Imports photos on a worker thread (clinic::importPhotos). Progress: one step per file, the
// file's name as progress text. Cancelling stops before the next file; photos already
// imported stay. `report` is filled by the worker and may be read once the future finished.
QFuture<void> importPhotosInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                       const QStringList &paths, storage::PhotoView view,
                                       std::shared_ptr<clinic::ImportReport> report);

// Backup or restore on a worker thread; `result` is filled when it succeeded, `error` when it
// failed (a complete one-line message). Progress in database pages.
QFuture<void> backupInBackground(const DatabaseAddress &address, const QString &destination,
                                 std::shared_ptr<storage::BackupResult> result,
                                 std::shared_ptr<QString> error);
QFuture<void> restoreInBackground(const DatabaseAddress &address, const QString &source,
                                  std::shared_ptr<storage::RestoreResult> result,
                                  std::shared_ptr<QString> error);

// storage::checkBackup() of the backup `file` on a worker thread (progress in photo files;
// Cancel stops between files, `result->cancelled`); `error` says why the check could not run
// (no such file, not a database, damaged, newer than this program).
QFuture<void> checkBackupInBackground(const QString &file,
                                      std::shared_ptr<storage::BackupCheck> result,
                                      std::shared_ptr<QString> error);

// The full check of the database (integrity, foreign keys) and the photo library (a file for
// every photo row) on a worker thread, a step each; `problems` lists what is wrong (empty: all
// sound), `error` says why the check itself could not run (the database cannot be opened) or
// "cancelled".
QFuture<void> checkDatabaseInBackground(const DatabaseAddress &address,
                                        std::shared_ptr<QStringList> problems,
                                        std::shared_ptr<QString> error);

// Gathers a client's consultation report (photos with their analysis, pigment map, healed
// previews) on a worker thread; progress in percent. `report` is filled when it succeeded,
// `error` when it failed.
QFuture<void> gatherReportInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                       std::shared_ptr<clinic::ConsultationReport> report,
                                       std::shared_ptr<QString> error);

// Gathers a client's progress report (first and latest photo of each view aligned) on a worker
// thread.
QFuture<void> gatherProgressInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                         std::shared_ptr<clinic::ProgressReport> report,
                                         std::shared_ptr<QString> error);

// Reads a client's stage from their latest visit's photos (clinic::clientStage()) on a worker
// thread: `stage` is filled when it succeeded (empty when no photo counts), `error` when it
// failed.
QFuture<void> clientStageInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                      std::shared_ptr<std::optional<clinic::ClientStage>> stage,
                                      std::shared_ptr<QString> error);

// Compares two photos (clinic::comparePhotos) on a worker thread.
QFuture<void> compareInBackground(const DatabaseAddress &address, storage::RecordId before,
                                  storage::RecordId after,
                                  std::vector<std::pair<vision::Point2, vision::Point2>> pairs,
                                  std::shared_ptr<clinic::Comparison> result,
                                  std::shared_ptr<QString> error);

struct ThumbnailRequest
{
    storage::Photo photo;
    QString photoPath;
    QString thumbnailPath; // the cache; made when missing
    int quarterTurns = 0;
};

// The QImage::text() key under which loadThumbnails() says what is wrong with a photo's file.
inline constexpr char kThumbnailProblemKey[] = "smp-problem";

// Loads thumbnails (clinic::loadThumbnail: from the cache, made once when missing) on the
// thread pool, one result per request in order; a photo that cannot be read gives a null image.
// Each photo's file is checked against its SHA-256 once per run of the program while its size
// and time stay the same (storage::verifyPhotoFile()); a missing or changed one gives its
// thumbnail (or a blank one) framed in red, with the reason under kThumbnailProblemKey.
QFuture<QImage> loadThumbnails(const std::vector<ThumbnailRequest> &requests);

// Shows a window-modal progress dialog with a Cancel button for `future` and calls `finished`
// on the GUI thread when it ends (also after a cancel). The dialog appears only when the work
// takes longer than a moment. Ownership: everything created is parented to `parent`.
void followWithProgress(QWidget *parent, const QString &title, QFuture<void> future,
                        std::function<void()> finished);

} // namespace smp::gui
