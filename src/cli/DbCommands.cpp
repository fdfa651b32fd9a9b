#include "CliSupport.h"

#include "smp/clinic/Calibration.h"
#include "smp/storage/AuditLog.h"
#include "smp/storage/Backup.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/Migrations.h"
#include "smp/storage/PhotoLibrary.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QObject>

#include <cstdio>

namespace smp::cli {

namespace {

int dbCheck(const QStringList &arguments)
{
    Invocation call(QStringLiteral("db check"),
                    QStringLiteral("Checks the database (full integrity check, foreign keys), "
                                   "the photo library (rows without files, files whose content "
                                   "changed since import, files without rows) "
                                   "and the photos' scales (a marker found in the hair before "
                                   "such matches were refused). Exit code 1 when something is "
                                   "wrong."),
                    arguments,
                    {{QStringLiteral("remove-orphans"),
                      QStringLiteral("Delete library files that no photo names (leftovers of an "
                                     "interrupted import, older than an hour).")}},
                    {});
    call.requirePositional(0);
    storage::Database &db = call.database();
    const QStringList integrity = db.integrityProblems(true);
    const QStringList foreignKeys = db.foreignKeyProblems();
    storage::PhotoLibrary library(db);
    constexpr auto hashes = storage::PhotoLibrary::ContentCheck::Hashes;
    int removed = 0;
    if (call.isSet(QStringLiteral("remove-orphans")))
        removed = library.removeOrphanFiles();
    const auto libraryCheck = library.checkLibrary(hashes);
    const auto doubtful = clinic::doubtfulCalibrations(db);
    const bool healthy = integrity.isEmpty() && foreignKeys.isEmpty() &&
                         libraryCheck.rowsWithoutFile.empty() &&
                         libraryCheck.rowsWithChangedFile.empty() && doubtful.empty();
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("database")] = db.path();
        object[QLatin1String("schema_version")] = db.schemaVersion();
        object[QLatin1String("integrity_problems")] = QJsonArray::fromStringList(integrity);
        object[QLatin1String("foreign_key_problems")] = QJsonArray::fromStringList(foreignKeys);
        QJsonArray missing;
        for (const auto &photo : libraryCheck.rowsWithoutFile)
            missing.append(toJson(photo, library.absolutePath(photo)));
        object[QLatin1String("photos_without_file")] = missing;
        QJsonArray changed;
        for (const auto &photo : libraryCheck.rowsWithChangedFile)
            changed.append(toJson(photo, library.absolutePath(photo)));
        object[QLatin1String("photos_with_changed_file")] = changed;
        object[QLatin1String("files_without_photo")] =
            QJsonArray::fromStringList(libraryCheck.filesWithoutRow);
        object[QLatin1String("orphans_removed")] = removed;
        QJsonArray scales;
        for (const auto &doubt : doubtful) {
            QJsonObject scale;
            scale[QLatin1String("photo_id")] = static_cast<qint64>(doubt.calibration.photoId);
            scale[QLatin1String("calibration_id")] = static_cast<qint64>(doubt.calibration.id);
            scale[QLatin1String("mm_per_px")] = doubt.calibration.mmPerPx;
            scale[QLatin1String("reason")] = doubt.reason;
            scales.append(scale);
        }
        object[QLatin1String("doubtful_calibrations")] = scales;
        object[QLatin1String("ok")] = healthy;
        printJson(object);
    } else {
        print(QStringLiteral("Database %1 (schema version %2)")
                  .arg(db.path())
                  .arg(db.schemaVersion()));
        print(integrity.isEmpty()
                  ? QStringLiteral("  integrity: ok")
                  : QStringLiteral("  integrity: ") + integrity.join(QStringLiteral("; ")));
        print(foreignKeys.isEmpty()
                  ? QStringLiteral("  foreign keys: ok")
                  : QStringLiteral("  foreign keys: ") + foreignKeys.join(QStringLiteral("; ")));
        print(QStringLiteral("  photos: %1 stored, %2 missing their file, %3 changed since "
                             "import, %4%5")
                  .arg(library.count())
                  .arg(libraryCheck.rowsWithoutFile.size())
                  .arg(libraryCheck.rowsWithChangedFile.size())
                  .arg(QObject::tr("%n unreferenced file(s)", nullptr,
                                   static_cast<int>(libraryCheck.filesWithoutRow.size())))
                  .arg(removed ? QStringLiteral(" (%1 removed)").arg(removed) : QString()));
        for (const auto &photo : libraryCheck.rowsWithoutFile) {
            print(QStringLiteral("    photo %1 of client %2: file %3 is missing")
                      .arg(photo.id)
                      .arg(photo.clientId)
                      .arg(library.absolutePath(photo)));
        }
        for (const auto &photo : libraryCheck.rowsWithChangedFile) {
            print(QStringLiteral("    photo %1 of client %2: file %3 has changed since it was "
                                 "imported (damaged or replaced); restore it from a backup, or "
                                 "import the original %4 again")
                      .arg(photo.id)
                      .arg(photo.clientId)
                      .arg(library.absolutePath(photo), photo.originalName));
        }
        print(doubtful.empty() ? QStringLiteral("  scales: ok")
                               : QStringLiteral("  scales: %1 doubtful").arg(doubtful.size()));
        for (const auto &doubt : doubtful) {
            print(QStringLiteral("    photo %1: %2 mm/px: %3 (remove it with: smp calibrate %1 "
                                 "--remove)")
                      .arg(doubt.calibration.photoId)
                      .arg(doubt.calibration.mmPerPx, 0, 'g', 4)
                      .arg(doubt.reason));
        }
        print(healthy ? QStringLiteral("OK") : QStringLiteral("PROBLEMS FOUND"));
    }
    return healthy ? 0 : 1;
}

int dbInfo(const QStringList &arguments)
{
    Invocation call(QStringLiteral("db info"),
                    QStringLiteral("Shows where the database is and what it holds."), arguments, {},
                    {});
    call.requirePositional(0);
    storage::Database &db = call.database();
    const int clients = storage::ClientStore(db).count();
    const int photos = storage::PhotoLibrary(db).count();
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("database")] = db.path();
        object[QLatin1String("photo_library")] = db.photoLibraryPath();
        object[QLatin1String("schema_version")] = db.schemaVersion();
        object[QLatin1String("clients")] = clients;
        object[QLatin1String("photos")] = photos;
        printJson(object);
    } else {
        print(QStringLiteral("Database:       %1").arg(db.path()));
        print(QStringLiteral("Photo library:  %1").arg(db.photoLibraryPath()));
        print(QStringLiteral("Schema version: %1 (this program: %2)")
                  .arg(db.schemaVersion())
                  .arg(storage::kCurrentSchemaVersion));
        print(QStringLiteral("Clients:        %1").arg(clients));
        print(QStringLiteral("Photos:         %1").arg(photos));
    }
    return 0;
}

// Says each of the library-relative `files` on standard error ("smp: photo file F what; run
// smp db check") and returns the exit code: 1 when there is any.
int sayDamagedPhotoFiles(const QStringList &files, const char *what)
{
    for (const QString &file : files)
        std::fprintf(stderr, "smp: photo file %s %s; run smp db check\n", qPrintable(file), what);
    return files.isEmpty() ? 0 : 1;
}

int dbBackup(const QStringList &arguments)
{
    Invocation call(QStringLiteral("db backup"),
                    QStringLiteral("Writes a consistent copy of the database and its photos while "
                                   "it may be in use. The backup is itself an openable database "
                                   "(FILE plus FILE.photos)."),
                    arguments, {}, {QStringLiteral("FILE The backup file to write.")});
    const auto args = call.requirePositional(1);
    const auto result = storage::backupDatabase(call.database(), args[0]);
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("file")] = result.databaseFile;
        object[QLatin1String("photo_folder")] = result.photoFolder;
        object[QLatin1String("photos_copied")] = result.photosCopied;
        object[QLatin1String("damaged_photo_files")] =
            QJsonArray::fromStringList(result.damagedPhotoFiles);
        printJson(object);
    } else {
        print(QObject::tr("Backed up to %1 (%n new photo file(s) in %2)", nullptr,
                          result.photosCopied)
                  .arg(result.databaseFile, result.photoFolder));
    }
    return sayDamagedPhotoFiles(result.damagedPhotoFiles,
                                "has changed since it was imported (damaged): not backed up, so "
                                "the backup keeps any good copy it has");
}

int dbRestore(const QStringList &arguments)
{
    Invocation call(QStringLiteral("db restore"),
                    QStringLiteral("Replaces the database's contents with a backup. The current "
                                   "state is saved first beside the database."),
                    arguments, {}, {QStringLiteral("FILE The backup file to restore.")});
    const auto args = call.requirePositional(1);
    const auto result = storage::restoreDatabase(call.database(), args[0]);
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("restored_from")] = args[0];
        object[QLatin1String("safety_copy")] = result.safetyCopy;
        object[QLatin1String("photos_copied")] = result.photosCopied;
        object[QLatin1String("schema_steps_applied")] = result.schemaStepsApplied;
        object[QLatin1String("photos_without_file")] =
            QJsonArray::fromStringList(result.photosWithoutFile);
        object[QLatin1String("backup_photo_folder_missing")] = result.backupPhotoFolderMissing;
        object[QLatin1String("damaged_photo_files")] =
            QJsonArray::fromStringList(result.damagedPhotoFiles);
        printJson(object);
    } else {
        print(QStringLiteral("Restored %1 into %2").arg(args[0], call.database().path()));
        print(QStringLiteral("The state before the restore is saved in %1").arg(result.safetyCopy));
    }
    const int damaged = sayDamagedPhotoFiles(
        result.damagedPhotoFiles, "is damaged in the backup: not copied into the library");
    const QString backupLibrary =
        storage::Database::photoLibraryPathFor(QFileInfo(args[0]).absoluteFilePath());
    for (const QString &photo : result.photosWithoutFile) {
        std::fprintf(stderr, "smp: restored %s has no file: %s\n", qPrintable(photo),
                     qPrintable(result.backupPhotoFolderMissing
                                    ? QStringLiteral("the backup's photo folder \"%1\" is "
                                                     "missing; put it beside the backup file and "
                                                     "restore again")
                                          .arg(backupLibrary)
                                    : QStringLiteral("it is in neither the backup nor the "
                                                     "library; import the original again")));
    }
    return damaged != 0 || !result.photosWithoutFile.isEmpty() ? 1 : 0;
}

int dbVerifyBackup(const QStringList &arguments)
{
    Invocation call(QStringLiteral("db verify-backup"),
                    QStringLiteral("Checks a backup without restoring it: its database (integrity "
                                   "and links, on a private copy) and every photo file in "
                                   "FILE.photos against the SHA-256 recorded at import. Exit 1 "
                                   "when it finds a problem."),
                    arguments, {}, {QStringLiteral("FILE The backup file to check.")});
    const auto args = call.requirePositional(1);
    const bool showProgress = !call.json();
    const auto check = storage::checkBackup(args[0], [showProgress](qint64 done, qint64 total) {
        if (showProgress && total > 0 && done < total && done % 100 == 0)
            std::fprintf(stderr, "[%lld/%lld] photo files\n", static_cast<long long>(done),
                         static_cast<long long>(total));
        return true;
    });
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("file")] = check.databaseFile;
        object[QLatin1String("schema_version")] = check.schemaVersion;
        object[QLatin1String("photos")] = check.photos;
        object[QLatin1String("photos_checked")] = check.photosChecked;
        object[QLatin1String("problems")] = QJsonArray::fromStringList(check.problems);
        object[QLatin1String("ok")] = check.problems.isEmpty();
        printJson(object);
    } else {
        print(QObject::tr("Backup %1 (schema version %2): database passes the integrity "
                          "check, %n photo file(s) checked",
                          nullptr, check.photosChecked)
                  .arg(check.databaseFile)
                  .arg(check.schemaVersion));
        for (const QString &problem : check.problems)
            print(QStringLiteral("  %1").arg(problem));
        print(check.problems.isEmpty() ? QStringLiteral("OK: the backup can be restored")
                                       : QStringLiteral("PROBLEMS FOUND"));
    }
    return check.problems.isEmpty() ? 0 : 1;
}

} // namespace

int runDbCommand(const QString &verb, const QStringList &arguments)
{
    if (verb == QLatin1String("check"))
        return dbCheck(arguments);
    if (verb == QLatin1String("info"))
        return dbInfo(arguments);
    if (verb == QLatin1String("backup"))
        return dbBackup(arguments);
    if (verb == QLatin1String("restore"))
        return dbRestore(arguments);
    if (verb == QLatin1String("verify-backup"))
        return dbVerifyBackup(arguments);
    throw UsageError(
        QStringLiteral("db: unknown command \"%1\" (check, info, backup, restore, verify-backup)")
            .arg(verb));
}

int runAuditCommand(const QStringList &arguments)
{
    Invocation call(QStringLiteral("audit"),
                    QStringLiteral("Shows the audit trail, newest first: who changed which record "
                                   "and when."),
                    arguments,
                    {{QStringLiteral("client"), QStringLiteral("Only this client's records."),
                      QStringLiteral("id")},
                     {QStringLiteral("limit"), QStringLiteral("At most this many entries."),
                      QStringLiteral("n"), QStringLiteral("50")}},
                    {});
    call.requirePositional(0);
    std::optional<storage::RecordId> clientId;
    if (call.isSet(QStringLiteral("client")))
        clientId = parseId(call.value(QStringLiteral("client")), QStringLiteral("--client"));
    const int limit = call.value(QStringLiteral("limit")).toInt();
    const auto entries =
        storage::AuditLog(call.database()).entries(clientId, limit > 0 ? limit : 50);
    if (call.json()) {
        QJsonArray array;
        for (const auto &entry : entries) {
            QJsonObject object;
            object[QLatin1String("at")] = entry.at.toString(Qt::ISODateWithMs);
            object[QLatin1String("actor")] = entry.actor;
            object[QLatin1String("action")] = entry.action;
            object[QLatin1String("table")] = entry.tableName;
            object[QLatin1String("record_id")] = static_cast<qint64>(entry.recordId);
            object[QLatin1String("client_id")] =
                entry.clientId ? QJsonValue(static_cast<qint64>(*entry.clientId)) : QJsonValue();
            object[QLatin1String("details")] = entry.details;
            array.append(object);
        }
        printJson(array);
        return 0;
    }
    for (const auto &entry : entries) {
        print(QStringLiteral("%1  %2  %3 %4 %5  %6")
                  .arg(entry.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                  .arg(entry.actor, -12)
                  .arg(entry.action, -6)
                  .arg(entry.tableName)
                  .arg(entry.recordId)
                  .arg(entry.details));
    }
    return 0;
}

} // namespace smp::cli
