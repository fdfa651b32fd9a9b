#include "smp/gui/BackgroundWork.h"

#include "smp/clinic/Calibration.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QHash>
#include <QImageReader>
#include <QMutex>
#include <QPainter>
#include <QProgressDialog>
#include <QPromise>
#include <QtConcurrent>

namespace smp::gui {

namespace {

std::unique_ptr<storage::Database> openWorkerConnection(const DatabaseAddress &address)
{
    storage::Database::Options options;
    options.role = storage::Database::Role::Secondary;
    options.createIfMissing = false;
    auto db = std::make_unique<storage::Database>(address.path, options);
    db->setActor(address.actor);
    return db;
}

} // namespace

QFuture<void> importPhotosInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                       const QStringList &paths, storage::PhotoView view,
                                       std::shared_ptr<clinic::ImportReport> report)
{
    return QtConcurrent::run([address, clientId, paths, view, report](QPromise<void> &promise) {
        try {
            auto db = openWorkerConnection(address);
            *report = clinic::importPhotos(
                *db, clientId, paths, view, [&promise](int index, int total, const QString &path) {
                    promise.setProgressRange(0, total);
                    promise.setProgressValueAndText(index, QFileInfo(path).fileName());
                    return !promise.isCanceled();
                });
        } catch (const std::exception &error) {
            report->failed.push_back({QString(), QString::fromUtf8(error.what())});
        }
    });
}

// Runs `job(db, progress)` on the thread pool with a worker connection, reporting progress
// through the promise and any failure into `error`.
template <typename Job>
QFuture<void> runDatabaseJob(const DatabaseAddress &address, std::shared_ptr<QString> error,
                             Job job)
{
    return QtConcurrent::run([address, error, job](QPromise<void> &promise) {
        try {
            auto db = openWorkerConnection(address);
            job(*db, [&promise](qint64 done, qint64 total) {
                promise.setProgressRange(0, static_cast<int>(total));
                promise.setProgressValue(static_cast<int>(done));
                return !promise.isCanceled();
            });
        } catch (const std::exception &failure) {
            *error = QString::fromUtf8(failure.what());
        }
    });
}

QFuture<void> backupInBackground(const DatabaseAddress &address, const QString &destination,
                                 std::shared_ptr<storage::BackupResult> result,
                                 std::shared_ptr<QString> error)
{
    return runDatabaseJob(
        address, error,
        [destination, result](storage::Database &db, const storage::ProgressCallback &progress) {
            *result = storage::backupDatabase(db, destination, progress);
        });
}

QFuture<void> checkBackupInBackground(const QString &file,
                                      std::shared_ptr<storage::BackupCheck> result,
                                      std::shared_ptr<QString> error)
{
    return QtConcurrent::run([file, result, error](QPromise<void> &promise) {
        try {
            *result = storage::checkBackup(file, [&promise](qint64 done, qint64 total) {
                promise.setProgressRange(0, static_cast<int>(total));
                promise.setProgressValue(static_cast<int>(done));
                return !promise.isCanceled();
            });
        } catch (const std::exception &failure) {
            *error = QString::fromUtf8(failure.what());
        }
    });
}

QFuture<void> checkDatabaseInBackground(const DatabaseAddress &address,
                                        std::shared_ptr<QStringList> problems,
                                        std::shared_ptr<QString> error)
{
    return runDatabaseJob(
        address, error, [problems, error](storage::Database &db, const auto &progress) {
            const auto goOn = [&](qint64 done) {
                if (progress(done, 4))
                    return true;
                *error = QStringLiteral("cancelled");
                return false;
            };
            if (!goOn(0))
                return;
            *problems << db.integrityProblems(true);
            if (!goOn(1))
                return;
            *problems << db.foreignKeyProblems();
            if (!goOn(2))
                return;
            const auto library = storage::PhotoLibrary(db).checkLibrary(
                storage::PhotoLibrary::ContentCheck::Hashes, [&] { return goOn(2); });
            if (!goOn(3))
                return;
            for (const auto &photo : library.rowsWithoutFile)
                *problems << QObject::tr("photo %1 of client %2 has lost its file")
                                 .arg(photo.id)
                                 .arg(photo.clientId);
            for (const auto &photo : library.rowsWithChangedFile)
                *problems << QObject::tr("photo %1 of client %2: its file has changed since it "
                                         "was imported (damaged or replaced); restore it from a "
                                         "backup, or import the original %3 again")
                                 .arg(photo.id)
                                 .arg(photo.clientId)
                                 .arg(photo.originalName);
            for (const auto &doubt : clinic::doubtfulCalibrations(db))
                *problems << QObject::tr("photo %1's scale (%2 mm/px) is doubtful and not used: "
                                         "%3; remove it in the photo window (Remove Scale)")
                                 .arg(doubt.calibration.photoId)
                                 .arg(doubt.calibration.mmPerPx, 0, 'g', 4)
                                 .arg(doubt.reason);
            progress(4, 4);
        });
}

QFuture<void> gatherReportInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                       std::shared_ptr<clinic::ConsultationReport> report,
                                       std::shared_ptr<QString> error)
{
    return runDatabaseJob(address, error,
                          [clientId, report](storage::Database &db, const auto &progress) {
                              *report = clinic::gatherConsultation(db, clientId, [&](double done) {
                                  return progress(static_cast<qint64>(done * 100), 100);
                              });
                          });
}

QFuture<void> gatherProgressInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                         std::shared_ptr<clinic::ProgressReport> report,
                                         std::shared_ptr<QString> error)
{
    return runDatabaseJob(address, error,
                          [clientId, report](storage::Database &db, const auto &progress) {
                              progress(0, 1);
                              *report = clinic::gatherProgress(db, clientId);
                              progress(1, 1);
                          });
}

QFuture<void> clientStageInBackground(const DatabaseAddress &address, storage::RecordId clientId,
                                      std::shared_ptr<std::optional<clinic::ClientStage>> stage,
                                      std::shared_ptr<QString> error)
{
    return runDatabaseJob(address, error, [clientId, stage](storage::Database &db, const auto &) {
        *stage = clinic::clientStage(db, clientId);
    });
}

QFuture<void> compareInBackground(const DatabaseAddress &address, storage::RecordId before,
                                  storage::RecordId after,
                                  std::vector<std::pair<vision::Point2, vision::Point2>> pairs,
                                  std::shared_ptr<clinic::Comparison> result,
                                  std::shared_ptr<QString> error)
{
    return runDatabaseJob(
        address, error,
        [before, after, pairs, result](storage::Database &db, const auto &progress) {
            progress(0, 1);
            *result = clinic::comparePhotos(db, before, after, pairs);
            progress(1, 1);
        });
}

QFuture<void> restoreInBackground(const DatabaseAddress &address, const QString &source,
                                  std::shared_ptr<storage::RestoreResult> result,
                                  std::shared_ptr<QString> error)
{
    return runDatabaseJob(
        address, error,
        [source, result](storage::Database &db, const storage::ProgressCallback &progress) {
            *result = storage::restoreDatabase(db, source, progress);
        });
}

namespace {

// What is wrong with the photo's file (empty: nothing), remembered per file while its size and
// modification time stay the same. Thread-safe.
QString photoFileProblem(const storage::Photo &photo, const QString &path)
{
    static QMutex mutex;
    static QHash<QString, std::pair<QString, QString>> known; // path -> (stamp, problem)
    const QFileInfo info(path);
    const QString stamp =
        info.exists()
            ? QStringLiteral("%1 %2").arg(info.size()).arg(info.lastModified().toMSecsSinceEpoch())
            : QString();
    {
        QMutexLocker lock(&mutex);
        if (const auto it = known.constFind(path); it != known.cend() && it->first == stamp)
            return it->second;
    }
    QString problem;
    try {
        storage::verifyPhotoFile(photo, path);
    } catch (const storage::StorageError &error) {
        problem = error.message();
    }
    QMutexLocker lock(&mutex);
    known.insert(path, {stamp, problem});
    return problem;
}

} // namespace

QFuture<QImage> loadThumbnails(const std::vector<ThumbnailRequest> &requests)
{
    return QtConcurrent::mapped(requests, [](const ThumbnailRequest &request) {
        const QString problem = photoFileProblem(request.photo, request.photoPath);
        // A damaged file's thumbnail comes from the cache only: one made from it would be
        // cached and outlast the file's mending.
        QImage thumbnail = problem.isEmpty() || QFileInfo::exists(request.thumbnailPath)
                               ? clinic::loadThumbnail(request.photoPath, request.thumbnailPath,
                                                       request.quarterTurns)
                               : QImage();
        if (problem.isEmpty())
            return thumbnail;
        if (thumbnail.isNull()) {
            thumbnail = QImage(clinic::kThumbnailSide, clinic::kThumbnailSide * 3 / 4,
                               QImage::Format_RGB32);
            thumbnail.fill(QColor(128, 128, 128));
        }
        thumbnail = thumbnail.convertToFormat(QImage::Format_RGB32);
        QPainter painter(&thumbnail);
        const int width = std::max(4, thumbnail.width() / 24);
        painter.setPen(QPen(QColor(198, 40, 40), width));
        painter.drawRect(QRectF(thumbnail.rect())
                             .adjusted(width / 2.0, width / 2.0, -width / 2.0, -width / 2.0));
        painter.end();
        thumbnail.setText(QString::fromLatin1(kThumbnailProblemKey), problem);
        return thumbnail;
    });
}

void followWithProgress(QWidget *parent, const QString &title, QFuture<void> future,
                        std::function<void()> finished)
{
    auto *watcher = new QFutureWatcher<void>(parent);
    auto *dialog = new QProgressDialog(title, QObject::tr("Cancel"), 0, 0, parent);
    dialog->setWindowTitle(title);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    QObject::connect(watcher, &QFutureWatcherBase::progressRangeChanged, dialog,
                     &QProgressDialog::setRange);
    QObject::connect(watcher, &QFutureWatcherBase::progressValueChanged, dialog,
                     &QProgressDialog::setValue);
    QObject::connect(watcher, &QFutureWatcherBase::progressTextChanged, dialog,
                     [dialog, title](const QString &text) {
                         dialog->setLabelText(text.isEmpty() ? title
                                                             : title + QStringLiteral("\n") + text);
                     });
    QObject::connect(dialog, &QProgressDialog::canceled, watcher, &QFutureWatcherBase::cancel);
    QObject::connect(watcher, &QFutureWatcherBase::finished, parent,
                     [watcher, dialog, finished = std::move(finished)] {
                         dialog->close();
                         dialog->deleteLater();
                         watcher->deleteLater();
                         if (finished)
                             finished();
                     });
    watcher->setFuture(future);
}

} // namespace smp::gui
