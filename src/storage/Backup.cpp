#include "smp/storage/Backup.h"

#include "smp/storage/Database.h"
#include "smp/storage/FileWriting.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Records.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <sqlite3.h>
#include <unistd.h>

namespace smp::storage {

namespace {

constexpr int kPagesPerStep = 256;

// Closes a raw sqlite3 handle on scope exit.
struct HandleCloser
{
    sqlite3 *handle = nullptr;
    ~HandleCloser() { sqlite3_close_v2(handle); }
};

// The schema version written in the database file at `path` (PRAGMA user_version), read
// without opening it for writing: before Database upgrades a copy. 0 when it cannot be read.
int schemaVersionOf(const QString &path)
{
    HandleCloser peek;
    int version = 0;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &peek.handle, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(peek.handle, "PRAGMA user_version", -1, &statement, nullptr) ==
                SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_ROW) {
            version = sqlite3_column_int(statement, 0);
        }
        sqlite3_finalize(statement);
    }
    return version;
}

// Copies every page of `from` (schema "main") into `to` with the backup API.
// Returns false when cancelled.
bool copyPages(sqlite3 *from, sqlite3 *to, const QString &describe,
               const ProgressCallback &progress)
{
    sqlite3_backup *backup = sqlite3_backup_init(to, "main", from, "main");
    if (!backup) {
        throw StorageError(ErrorKind::Sql, QStringLiteral("%1: %2").arg(
                                               describe, QString::fromUtf8(sqlite3_errmsg(to))));
    }
    int rc = SQLITE_OK;
    bool cancelled = false;
    do {
        rc = sqlite3_backup_step(backup, kPagesPerStep);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
        if (progress) {
            const int total = sqlite3_backup_pagecount(backup);
            const int done = total - sqlite3_backup_remaining(backup);
            if (!progress(done, total)) {
                cancelled = true;
                break;
            }
        }
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (cancelled)
        return false;
    if (rc != SQLITE_DONE) {
        const QString reason = QString::fromUtf8(sqlite3_errstr(rc));
        throw StorageError((rc & 0xff) == SQLITE_FULL ? ErrorKind::DiskFull : ErrorKind::Io,
                           QStringLiteral("%1 failed: %2").arg(describe, reason));
    }
    return true;
}

// The SHA-256 a library file is named by ("ab/<sha256>.jpg"); empty for any other name.
QString addressOf(const QString &path)
{
    static const QRegularExpression sha256(QStringLiteral("^[0-9a-f]{64}$"));
    const QString name = QFileInfo(path).completeBaseName();
    return sha256.match(name).hasMatch() ? name : QString();
}

// Whether the file at `path` holds the bytes its name addresses (any other name: true).
bool holdsItsAddress(const QString &path)
{
    const QString address = addressOf(path);
    return address.isEmpty() || sha256OfFile(path) == address;
}

enum class Existing
{
    TrustBySize,
    Verify
};

// Copies the files of library `from` that `to` lacks (content-addressed: same name, same
// bytes), and with Existing::Verify also those `to` has in a damaged state (the same size but
// other bytes: a bit flipped on disk). A file of `from` that no longer holds its address (cut
// short, damaged) is not copied, so a good copy at `to` is never overwritten with it: its
// library-relative name goes to `damaged`. Returns how many were copied.
int mirrorLibrary(const QString &from, const QString &to, Existing existing, QStringList &damaged)
{
    if (!QFileInfo::exists(from))
        return 0;
    int copied = 0;
    const QDir fromDir(from);
    QDirIterator files(from, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        const QString relative = fromDir.relativeFilePath(path);
        if (relative.startsWith(QLatin1Char('.')))
            continue; // temporary files of imports in progress
        const QString target = to + QLatin1Char('/') + relative;
        const QFileInfo targetInfo(target);
        if (targetInfo.exists() && targetInfo.size() == QFileInfo(path).size() &&
            (existing == Existing::TrustBySize || holdsItsAddress(target)))
            continue;
        if (!holdsItsAddress(path)) {
            damaged << relative;
            continue;
        }
        if (!QDir().mkpath(targetInfo.absolutePath())) {
            throw StorageError(
                ErrorKind::ReadOnly,
                QStringLiteral("cannot create folder \"%1\"").arg(targetInfo.absolutePath()));
        }
        copyFileAtomically(path, target);
        ++copied;
    }
    return copied;
}

} // namespace

BackupResult backupDatabase(Database &db, const QString &destination,
                            const ProgressCallback &progress)
{
    const QString target = QFileInfo(destination).absoluteFilePath();
    if (target == db.path()) {
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("backup file \"%1\" is the open database itself").arg(target));
    }
    const QString folder = QFileInfo(target).absolutePath();
    if (!QDir().mkpath(folder) || !QFileInfo(folder).isWritable()) {
        throw StorageError(
            ErrorKind::ReadOnly,
            QStringLiteral("cannot write the backup into folder \"%1\"").arg(folder));
    }
    const QString partial = target + QStringLiteral(".partial");
    QFile::remove(partial);

    HandleCloser out;
    int rc = sqlite3_open_v2(QFile::encodeName(partial).constData(), &out.handle,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        throw StorageError(ErrorKind::Io, QStringLiteral("cannot create backup file \"%1\": %2")
                                              .arg(partial, QString::fromUtf8(sqlite3_errstr(rc))));
    }
    bool complete = false;
    try {
        complete = copyPages(db.handle(), out.handle,
                             QStringLiteral("writing backup \"%1\"").arg(target), progress);
        // A backup is a plain rollback-journal file: one self-contained file to copy around.
        if (complete) {
            rc =
                sqlite3_exec(out.handle, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
            if (rc != SQLITE_OK) {
                throw StorageError(ErrorKind::Io,
                                   QStringLiteral("finishing backup \"%1\": %2")
                                       .arg(target, QString::fromUtf8(sqlite3_errmsg(out.handle))));
            }
        }
    } catch (...) {
        sqlite3_close_v2(out.handle);
        out.handle = nullptr;
        QFile::remove(partial);
        throw;
    }
    sqlite3_close_v2(out.handle);
    out.handle = nullptr;
    if (!complete) {
        QFile::remove(partial);
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("backup to \"%1\" was cancelled; nothing was written").arg(target));
    }
    {
        // Flush the finished file before it takes the backup's name.
        QFile file(partial);
        if (!file.open(QIODevice::ReadWrite) || ::fsync(file.handle()) != 0) {
            QFile::remove(partial);
            throw StorageError(ErrorKind::Io,
                               QStringLiteral("cannot flush backup \"%1\" to disk").arg(partial));
        }
    }
    renameDurably(partial, target);

    BackupResult result;
    result.databaseFile = target;
    result.photoFolder = Database::photoLibraryPathFor(target);
    // The backup's existing files are trusted by their size (hashing them all on every backup
    // would read the whole backup drive); restoring checks them.
    result.photosCopied = mirrorLibrary(db.photoLibraryPath(), result.photoFolder,
                                        Existing::TrustBySize, result.damagedPhotoFiles);
    return result;
}

RestoreResult restoreDatabase(Database &db, const QString &source, const ProgressCallback &progress)
{
    const QFileInfo sourceInfo(source);
    if (!sourceInfo.exists() || !sourceInfo.isFile()) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("backup file \"%1\" does not exist").arg(source));
    }
    if (sourceInfo.absoluteFilePath() == db.path()) {
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("backup file \"%1\" is the open database itself").arg(source));
    }

    // Validate (and, for an older backup, upgrade) a private copy: the backup file itself is
    // never modified.
    QTemporaryDir scratch(QFileInfo(db.path()).absolutePath() + QStringLiteral("/.restore-XXXXXX"));
    if (!scratch.isValid()) {
        throw StorageError(
            ErrorKind::ReadOnly,
            QStringLiteral("cannot create a work folder beside \"%1\"").arg(db.path()));
    }
    const QString copy = scratch.filePath(QStringLiteral("restore.sqlite"));
    copyFileAtomically(sourceInfo.absoluteFilePath(), copy);

    RestoreResult result;
    result.schemaStepsApplied = schemaVersionOf(copy);
    try {
        Database::Options options;
        options.fullIntegrityCheck = true;
        options.createIfMissing = false;
        const Database candidate(copy, options);
        result.schemaStepsApplied = candidate.schemaVersion() - result.schemaStepsApplied;
    } catch (const StorageError &error) {
        QString message = error.message();
        message.replace(copy, sourceInfo.absoluteFilePath());
        // SQLite's advice for a damaged database is to restore it from a backup: this is it.
        if (error.kind() == ErrorKind::Damaged)
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("cannot restore: backup \"%1\" is damaged; choose "
                                              "another backup (%2)")
                                   .arg(sourceInfo.absoluteFilePath(), message));
        throw StorageError(error.kind(), QStringLiteral("cannot restore: %1").arg(message));
    }

    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const BackupResult safety =
        backupDatabase(db, db.path() + QStringLiteral(".before-restore-") + stamp);
    result.safetyCopy = safety.databaseFile;

    {
        HandleCloser in;
        const int rc = sqlite3_open_v2(QFile::encodeName(copy).constData(), &in.handle,
                                       SQLITE_OPEN_READONLY, nullptr);
        if (rc != SQLITE_OK) {
            throw StorageError(ErrorKind::Io,
                               QStringLiteral("cannot read backup \"%1\"").arg(source));
        }
        if (!copyPages(in.handle, db.handle(),
                       QStringLiteral("restoring \"%1\" into \"%2\"").arg(source, db.path()),
                       progress)) {
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("restore was cancelled before it started writing; "
                                              "the database is unchanged"));
        }
    }
    // The library's files that do not hold their address are replaced from the backup (they
    // may have been what prompted the restore).
    const QString backupLibrary = Database::photoLibraryPathFor(sourceInfo.absoluteFilePath());
    result.photosCopied = mirrorLibrary(backupLibrary, db.photoLibraryPath(), Existing::Verify,
                                        result.damagedPhotoFiles);
    // Records restored without their pictures (the backup's photo folder left behind, most
    // often) are said, not found later one photo at a time.
    for (const Photo &photo : PhotoLibrary(db).checkLibrary().rowsWithoutFile)
        result.photosWithoutFile << QStringLiteral("photo %1 of client %2 (%3)")
                                        .arg(photo.id)
                                        .arg(photo.clientId)
                                        .arg(photo.originalName);
    result.backupPhotoFolderMissing =
        !result.photosWithoutFile.isEmpty() && !QFileInfo(backupLibrary).isDir();
    return result;
}

BackupCheck checkBackup(const QString &backupFile, const ProgressCallback &progress)
{
    const QFileInfo info(backupFile);
    if (info.isDir()) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("\"%1\" is a folder: choose the backup's database "
                                          "file (NAME.sqlite) in it")
                               .arg(backupFile));
    }
    if (!info.exists()) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("backup file \"%1\" does not exist").arg(backupFile));
    }
    BackupCheck check;
    check.databaseFile = info.absoluteFilePath();
    QTemporaryDir scratch(QDir::tempPath() + QStringLiteral("/smp-backup-check-XXXXXX"));
    if (!scratch.isValid()) {
        throw StorageError(ErrorKind::ReadOnly,
                           QStringLiteral("cannot create a work folder in \"%1\" to check the "
                                          "backup")
                               .arg(QDir::tempPath()));
    }
    const QString copy = scratch.filePath(QStringLiteral("check.sqlite"));
    copyFileAtomically(check.databaseFile, copy);
    check.schemaVersion = schemaVersionOf(copy);
    struct Row
    {
        RecordId id = 0;
        RecordId clientId = 0;
        QString sha256, fileName, originalName;
    };
    std::vector<Row> rows;
    try {
        Database::Options options;
        options.fullIntegrityCheck = true;
        options.createIfMissing = false;
        Database candidate(copy, options);
        check.problems << candidate.foreignKeyProblems();
        auto select = candidate.prepare(
            "SELECT id, client_id, sha256, file_name, original_name FROM photos ORDER BY id");
        while (select.step())
            rows.push_back(
                {select.int64(0), select.int64(1), select.text(2), select.text(3), select.text(4)});
    } catch (const StorageError &error) {
        QString message = error.message();
        message.replace(copy, check.databaseFile);
        // The database's own advice for a damaged file is to restore it from a backup: here it
        // is the backup.
        if (error.kind() == ErrorKind::Damaged)
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("backup \"%1\" is damaged and cannot be restored: "
                                              "make a new backup (%2)")
                                   .arg(check.databaseFile, message));
        throw StorageError(error.kind(),
                           QStringLiteral("backup \"%1\": %2").arg(check.databaseFile, message));
    }
    check.photos = static_cast<int>(rows.size());
    const QString library = Database::photoLibraryPathFor(check.databaseFile);
    // The usual slip: the database file copied to the backup drive without its photo folder.
    // Said once, not once per photo.
    if (!rows.empty() && !QFileInfo(library).isDir()) {
        check.problems << QStringLiteral("the backup's photo folder \"%1\" is missing, so none "
                                         "of its %2 photos can be restored: copy that folder "
                                         "beside the backup file, or back up again")
                              .arg(library)
                              .arg(check.photos);
        return check;
    }
    for (const Row &row : rows) {
        if (progress && !progress(check.photosChecked, check.photos)) {
            check.cancelled = true;
            break;
        }
        const QString path = library + QLatin1Char('/') + row.fileName;
        const QString which = QStringLiteral("photo %1 of client %2 (%3)")
                                  .arg(row.id)
                                  .arg(row.clientId)
                                  .arg(row.originalName);
        if (!QFileInfo::exists(path)) {
            check.problems << QStringLiteral("%1: its file \"%2\" is missing from the backup; "
                                             "back up again (the next backup copies it)")
                                  .arg(which, path);
        } else if (sha256OfFile(path) != row.sha256) {
            check.problems << QStringLiteral("%1: its file \"%2\" in the backup has changed "
                                             "since it was imported (damaged on the backup "
                                             "drive) and cannot be restored; make a new backup "
                                             "to another file (updating this one keeps a file "
                                             "of the same size as it is)")
                                  .arg(which, path);
        }
        ++check.photosChecked;
    }
    if (progress && !check.cancelled)
        progress(check.photosChecked, check.photos);
    return check;
}

} // namespace smp::storage
