#include "smp/storage/Database.h"

#include "smp/storage/Migrations.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <pwd.h>
#include <sqlite3.h>
#include <unistd.h>

namespace smp::storage {

namespace {

QString defaultActor()
{
    for (const char *variable : {"SMP_USER", "USER", "USERNAME", "LOGNAME"}) {
        QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    if (const passwd *entry = ::getpwuid(::getuid()); entry && entry->pw_name && *entry->pw_name)
        return QString::fromLocal8Bit(entry->pw_name);
    return QStringLiteral("unknown");
}

ErrorKind kindOf(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ErrorKind::Locked;
    case SQLITE_READONLY:
        return ErrorKind::ReadOnly;
    case SQLITE_FULL:
        return ErrorKind::DiskFull;
    case SQLITE_NOTADB:
        return ErrorKind::NotADatabase;
    case SQLITE_CORRUPT:
        return ErrorKind::Damaged;
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                   ? ErrorKind::Duplicate
                   : ErrorKind::InvalidInput;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
        return ErrorKind::Io;
    default:
        return ErrorKind::Sql;
    }
}

} // namespace

Database::Database(const QString &path)
    : Database(path, Options{})
{}

Database::Database(const QString &path, const Options &options)
    : m_path(QFileInfo(path).absoluteFilePath())
    , m_actor(defaultActor())
{
    try {
        openChecked(options);
    } catch (...) {
        close();
        throw;
    }
}

Database::~Database()
{
    close();
}

void Database::close() noexcept
{
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

QString Database::photoLibraryPathFor(const QString &databasePath)
{
    return QFileInfo(databasePath).absoluteFilePath() + QStringLiteral(".photos");
}

QString Database::photoLibraryPath() const
{
    return photoLibraryPathFor(m_path);
}

void Database::setActor(const QString &actor)
{
    const QString trimmed = actor.trimmed();
    if (trimmed.isEmpty())
        throw StorageError(ErrorKind::InvalidInput, QStringLiteral("user name is empty"));
    m_actor = trimmed;
}

void Database::openChecked(const Options &options)
{
    const QFileInfo info(m_path);
    const bool existed = info.exists();
    const QString folder = info.absolutePath();

    if (existed && info.isDir()) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("\"%1\" is a folder, not a database file").arg(m_path));
    }
    if (!existed) {
        if (!options.createIfMissing) {
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("database \"%1\" does not exist").arg(m_path));
        }
        if (!QDir().mkpath(folder)) {
            throw StorageError(ErrorKind::ReadOnly,
                               QStringLiteral("cannot create folder \"%1\" for the database (no "
                                              "permission or read-only file system)")
                                   .arg(folder));
        }
    }
    // SQLite in WAL mode needs to write the file and to create "-wal" and "-shm" files beside
    // it: say so plainly instead of letting a later write fail.
    if (!QFileInfo(folder).isWritable()) {
        throw StorageError(ErrorKind::ReadOnly,
                           QStringLiteral("folder \"%1\" is read-only: SMP Planner needs to write "
                                          "the database \"%2\" and its journal there")
                               .arg(folder, info.fileName()));
    }
    if (existed && !info.isWritable()) {
        throw StorageError(ErrorKind::ReadOnly,
                           QStringLiteral("database \"%1\" is read-only (check the file's "
                                          "permissions); it was not modified")
                               .arg(m_path));
    }

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (options.createIfMissing)
        flags |= SQLITE_OPEN_CREATE;
    const QByteArray nativePath = QFile::encodeName(m_path);
    int rc = sqlite3_open_v2(nativePath.constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK)
        throwError(rc, QStringLiteral("opening the database"));
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, static_cast<int>(options.busyTimeout.count()));

    // First read: is this a SQLite database at all, and is it ours? Nothing is written
    // before these checks pass.
    int version = 0;
    int tableCount = 0;
    try {
        version = userVersion(*this);
        auto tables = prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
        tables.step();
        tableCount = tables.integer(0);
    } catch (const StorageError &error) {
        if (error.kind() == ErrorKind::NotADatabase) {
            throw StorageError(ErrorKind::NotADatabase,
                               QStringLiteral("\"%1\" is not an SMP Planner database (not a SQLite "
                                              "file); it was left untouched")
                                   .arg(m_path));
        }
        if (error.kind() == ErrorKind::Damaged) {
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("database \"%1\" is damaged (%2); it was not "
                                              "modified. Restore it from a backup.")
                                   .arg(m_path, error.message()));
        }
        throw;
    }
    if (version == 0 && tableCount > 0) {
        throw StorageError(ErrorKind::NotADatabase,
                           QStringLiteral("\"%1\" is a SQLite database of another program, not "
                                          "of SMP Planner; it was left untouched")
                               .arg(m_path));
    }
    if (version > kCurrentSchemaVersion) {
        throw StorageError(
            ErrorKind::NewerSchema,
            QStringLiteral("database \"%1\" has schema version %2, written by a newer SMP Planner "
                           "(this program reads up to version %3); it was not modified. Update "
                           "SMP Planner to open it.")
                .arg(m_path)
                .arg(version)
                .arg(kCurrentSchemaVersion));
    }

    if (options.role == Role::Primary && version > 0) {
        QStringList problems;
        try {
            problems = integrityProblems(options.fullIntegrityCheck);
        } catch (const StorageError &error) {
            problems << error.message();
        }
        if (!problems.isEmpty()) {
            throw StorageError(ErrorKind::Damaged,
                               QStringLiteral("database \"%1\" is damaged (integrity check: %2); "
                                              "it was not modified. Restore it from a backup.")
                                   .arg(m_path, problems.first()));
        }
    }

    execute("PRAGMA foreign_keys = ON");
    {
        auto journal = prepare("PRAGMA journal_mode = WAL");
        journal.step();
        if (journal.text(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
            throw StorageError(ErrorKind::Io,
                               QStringLiteral("database \"%1\": cannot switch to WAL journal mode "
                                              "(got \"%2\"); is it on a network drive?")
                                   .arg(m_path, journal.text(0)));
        }
    }
    // Every commit reaches the disk before it returns: clinic records over speed.
    execute("PRAGMA synchronous = FULL");

    if (options.role == Role::Primary) {
        migrate(*this, schemaMigrations());
        if (version == 0) {
            auto meta = prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
            meta.bind(1, "created_at")
                .bind(2, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs))
                .run();
        }
    } else if (version != kCurrentSchemaVersion) {
        throw StorageError(ErrorKind::Sql,
                           QStringLiteral("database \"%1\" is at schema version %2, expected %3; "
                                          "open it in the application first")
                               .arg(m_path)
                               .arg(version)
                               .arg(kCurrentSchemaVersion));
    }
}

int Database::schemaVersion() const
{
    return userVersion(const_cast<Database &>(*this));
}

Statement Database::prepare(std::string_view sql)
{
    sqlite3_stmt *statement = nullptr;
    const int rc =
        sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), 0, &statement, nullptr);
    if (rc != SQLITE_OK)
        throwError(rc, QStringLiteral("preparing a query"));
    return Statement(*this, statement);
}

void Database::execute(std::string_view sql)
{
    // sqlite3_exec needs a NUL-terminated string.
    const std::string text(sql);
    const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        throwError(rc, QStringLiteral("running \"%1\"").arg(QString::fromUtf8(text).left(60)));
}

QStringList Database::integrityProblems(bool full)
{
    auto check = prepare(full ? "PRAGMA integrity_check" : "PRAGMA quick_check");
    QStringList problems;
    while (check.step()) {
        const QString line = check.text(0);
        if (line != QLatin1String("ok"))
            problems << line;
    }
    return problems;
}

QStringList Database::foreignKeyProblems()
{
    auto check = prepare("PRAGMA foreign_key_check");
    QStringList problems;
    while (check.step()) {
        problems << QStringLiteral("table %1 row %2 refers to a missing row of %3")
                        .arg(check.text(0))
                        .arg(check.int64(1))
                        .arg(check.text(2));
    }
    return problems;
}

std::int64_t Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

void Database::throwError(int rc, const QString &what) const
{
    const QString detail =
        m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
    const ErrorKind kind = kindOf(rc);
    QString message;
    switch (kind) {
    case ErrorKind::Locked:
        message = QStringLiteral("database \"%1\" is locked by another program (%2 while %3); "
                                 "try again when it has finished")
                      .arg(m_path, detail, what);
        break;
    case ErrorKind::DiskFull:
        message = QStringLiteral("disk full while %1 in database \"%2\"; the change was not "
                                 "saved. Free some space and try again.")
                      .arg(what, m_path);
        break;
    case ErrorKind::ReadOnly:
        message = QStringLiteral("database \"%1\" cannot be written (%2) while %3")
                      .arg(m_path, detail, what);
        break;
    default:
        message = QStringLiteral("%1 while %2 (database \"%3\")").arg(detail, what, m_path);
        break;
    }
    throw StorageError(kind, message);
}

} // namespace smp::storage
