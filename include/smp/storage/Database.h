#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <string_view>

struct sqlite3;

namespace smp::storage {

class Statement;

// One connection to an SMP Planner database file.
//
// Opening is careful never to damage what it finds: it checks that the file is a SQLite
// database, that its schema is not newer than this program (a newer one is refused and left
// untouched), runs an integrity check, and only then switches to WAL and runs the pending
// migrations, one version step per transaction.
//
// Threads: a Database is used by one thread at a time (SQLite's multi-thread mode). Open one
// connection per thread; WAL lets readers and one writer work concurrently, and the busy
// timeout makes a writer wait for another writer instead of failing at once.
//
// Errors: every failure throws StorageError with a message naming the file.
class Database
{
public:
    enum class Role
    {
        // Checks integrity and applies migrations. The application's first connection.
        Primary,
        // A further connection to a database a Primary connection has already opened (worker
        // threads): only checks that the schema version is the current one.
        Secondary,
    };

    struct Options
    {
        Role role = Role::Primary;
        bool createIfMissing = true;
        // How long a write waits for another connection's write lock before failing.
        std::chrono::milliseconds busyTimeout{5000};
        // true: PRAGMA integrity_check on open (reads every page and index);
        // false: PRAGMA quick_check (every page, no index cross-check). See docs/architecture.md.
        bool fullIntegrityCheck = false;
    };

    explicit Database(const QString &path);
    Database(const QString &path, const Options &options);
    ~Database();

    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Absolute path of the database file.
    const QString &path() const noexcept { return m_path; }
    // The content-addressed photo library that belongs to this database: a folder next to
    // the file named "<file name>.photos".
    QString photoLibraryPath() const;
    static QString photoLibraryPathFor(const QString &databasePath);

    int schemaVersion() const;

    // The person recorded in the audit trail for changes made through this connection.
    // Defaults to the operating-system user name.
    const QString &actor() const noexcept { return m_actor; }
    void setActor(const QString &actor);

    // A prepared statement. SQL must be a single statement; values are bound, never spliced.
    Statement prepare(std::string_view sql);
    // Runs SQL without parameters or results (DDL, PRAGMAs, BEGIN/COMMIT).
    void execute(std::string_view sql);

    // Runs PRAGMA integrity_check (full) or quick_check and returns the problems found;
    // empty means the database is sound.
    QStringList integrityProblems(bool full);
    // Rows of PRAGMA foreign_key_check, as readable lines; empty means none.
    QStringList foreignKeyProblems();

    std::int64_t lastInsertId() const;
    int changes() const;

    // For code in smp::storage that talks to SQLite directly (backup API).
    sqlite3 *handle() const noexcept { return m_db; }

    // Throws the StorageError that describes SQLite result code `rc` on this connection;
    // `what` says what was being done ("saving client 12").
    [[noreturn]] void throwError(int rc, const QString &what) const;

private:
    void openChecked(const Options &options);
    void close() noexcept;

    QString m_path;
    QString m_actor;
    sqlite3 *m_db = nullptr;
};

} // namespace smp::storage
