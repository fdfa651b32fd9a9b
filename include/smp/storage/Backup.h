#pragma once

#include <QString>
#include <QStringList>

#include <functional>

namespace smp::storage {

class Database;

// Called with (done, total) units of work; return false to cancel. May be called often.
using ProgressCallback = std::function<bool(qint64 done, qint64 total)>;

struct BackupResult
{
    QString databaseFile; // the backup's database file
    QString photoFolder;  // the backup's photo library
    int photosCopied = 0; // files new to the backup's library
    // Library-relative names of the library's files that no longer hold the bytes they were
    // imported with (damaged since): not copied, so the backup keeps any good copy it has.
    QStringList damagedPhotoFiles;
};

// Writes a consistent copy of the open database to `destination` with SQLite's online backup
// API (other connections may keep reading and writing), through a temporary file that is
// renamed into place when complete, and mirrors the photo library into the backup's own
// library folder ("<destination>.photos"), copying only files it does not have yet. The
// backup is itself a database this program can open. Throws StorageError; a cancelled or
// failed backup leaves any earlier file at `destination` as it was.
BackupResult backupDatabase(Database &db, const QString &destination,
                            const ProgressCallback &progress = {});

struct RestoreResult
{
    QString safetyCopy;         // where the database's state before the restore was saved
    int photosCopied = 0;       // files copied from the backup's photo library
    int schemaStepsApplied = 0; // a backup from an older program is upgraded on the way
    // Library-relative names of the backup's files that no longer hold the bytes they were
    // imported with: not copied over the library's own.
    QStringList damagedPhotoFiles;
    // The restored photos whose file is in neither the library nor the backup ("photo 3 of
    // client 1 (top.jpg)"): their records are back, their pictures are not.
    QStringList photosWithoutFile;
    // The backup has no photo folder beside it (its database file copied alone): why, usually.
    bool backupPhotoFolderMissing = false;
};

// Replaces the contents of the open database with the backup at `source`. The backup is
// first validated on a private copy (SQLite file, not newer than this program, passes the
// integrity check; an older one is migrated). The current state is saved with
// backupDatabase() as "<database>.before-restore-<UTC time>" before it is overwritten, and the
// backup's photos are copied into the library, replacing library files that are missing or no
// longer hold the bytes they were imported with (each is hashed: the whole library is read);
// the photos left without a file are named (`photosWithoutFile`). Uses
// the backup API into the live connection, so other connections see the restored data at their next
// transaction.
RestoreResult restoreDatabase(Database &db, const QString &source,
                              const ProgressCallback &progress = {});

struct BackupCheck
{
    QString databaseFile;  // the backup checked
    int schemaVersion = 0; // as the backup was written (an older one is checked on a copy)
    int photos = 0;        // photo rows in the backup
    int photosChecked = 0; // of which the file was hashed before a cancel (all when not)
    bool cancelled = false;
    // One line each, naming the photo, its file and what is wrong; empty: the backup is sound.
    QStringList problems;
};

// Checks a backup without restoring it: that its database passes SQLite's full integrity and
// foreign-key checks (on a private copy in the system's temporary folder, upgraded there when
// it is older: the backup itself is never opened for writing, and may be on a read-only
// drive), and that every photo it records is in its library ("<backup>.photos") with the bytes
// it was imported with (each file hashed: about 7 ms per 12 MP JPEG). A backup trusts its own
// files by size when it is updated, so a file damaged on the backup drive is found here, not
// first when it is restored. Throws StorageError when the file is missing, not a database,
// damaged, or newer than this program; `progress` counts photo files.
BackupCheck checkBackup(const QString &backupFile, const ProgressCallback &progress = {});

} // namespace smp::storage
