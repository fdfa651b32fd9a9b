#include "StorageTestSupport.h"
#include "TestSupport.h"

#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/Migrations.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <catch2/catch.hpp>

#include <QDir>
#include <QFile>

#include <sqlite3.h>
#include <unistd.h>

using namespace smp::storage;
using smp::test::addClient;
using smp::test::ScratchDir;

namespace {

// Runs `open` and returns the StorageError it throws; fails the test when it does not throw.
template <typename F> StorageError errorOf(F &&open)
{
    try {
        open();
    } catch (const StorageError &error) {
        return error;
    }
    FAIL("expected a StorageError");
    return StorageError(ErrorKind::Sql, QString());
}

} // namespace

TEST_CASE("a new database gets the current schema, WAL, foreign keys and a photo library path",
          "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("sub/folder/clinic.sqlite"));
    Database db(path);
    CHECK(db.path() ==
          QDir(dir.path()).absoluteFilePath(QStringLiteral("sub/folder/clinic.sqlite")));
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.photoLibraryPath() == db.path() + QStringLiteral(".photos"));

    auto journal = db.prepare("PRAGMA journal_mode");
    REQUIRE(journal.step());
    CHECK(journal.text(0) == QStringLiteral("wal"));
    auto keys = db.prepare("PRAGMA foreign_keys");
    REQUIRE(keys.step());
    CHECK(keys.integer(0) == 1);
    CHECK(db.integrityProblems(true).isEmpty());
}

TEST_CASE("a file that is not a SQLite database is refused and left untouched", "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("notes.sqlite"));
    const QByteArray content =
        QByteArrayLiteral("These are my notes, not a database.\n").repeated(200);
    smp::test::writeBytes(path, content);

    const StorageError error = errorOf([&] { Database db(path); });
    CHECK(error.kind() == ErrorKind::NotADatabase);
    CHECK(error.message().contains(path));
    CHECK(error.message().contains(QStringLiteral("not a SQLite")));
    CHECK(smp::test::readAll(path) == content);
    CHECK_FALSE(QFile::exists(path + QStringLiteral("-wal")));
}

TEST_CASE("another program's SQLite database is refused and left untouched", "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("other.sqlite"));
    smp::test::rawExecute(
        path, QStringLiteral("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');"));
    const QByteArray before = smp::test::readAll(path);

    const StorageError error = errorOf([&] { Database db(path); });
    CHECK(error.kind() == ErrorKind::NotADatabase);
    CHECK(error.message().contains(QStringLiteral("another program")));
    CHECK(smp::test::readAll(path) == before);
}

TEST_CASE("a database from a newer program is refused and not modified", "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    {
        Database db(path);
        addClient(db, QStringLiteral("Keep"));
    }
    smp::test::rawExecute(
        path, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE; "
                             "PRAGMA user_version = %1;")
                  .arg(kCurrentSchemaVersion + 5));
    const QByteArray before = smp::test::readAll(path);

    const StorageError error = errorOf([&] { Database db(path); });
    CHECK(error.kind() == ErrorKind::NewerSchema);
    CHECK(error.message().contains(QStringLiteral("newer SMP Planner")));
    CHECK(error.message().contains(QString::number(kCurrentSchemaVersion + 5)));
    CHECK(error.message().contains(path));
    CHECK(smp::test::readAll(path) == before);
    CHECK_FALSE(QFile::exists(path + QStringLiteral("-wal")));
}

TEST_CASE("a damaged database is refused with a clear message and not overwritten", "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    {
        Database db(path);
        for (int i = 0; i < 400; ++i)
            addClient(db, QStringLiteral("Client %1 with a long enough name to fill pages").arg(i));
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    QByteArray bytes = smp::test::readAll(path);
    REQUIRE(bytes.size() > 8 * 4096);
    // Scribble over a few pages in the middle of the file (not the header).
    for (qsizetype i = 3 * 4096; i < 6 * 4096; i += 7)
        bytes[i] = static_cast<char>(0xA5);
    smp::test::writeBytes(path, bytes);

    const StorageError error = errorOf([&] { Database db(path); });
    CHECK(error.kind() == ErrorKind::Damaged);
    CHECK(error.message().contains(QStringLiteral("damaged")));
    CHECK(error.message().contains(path));
    CHECK(smp::test::readAll(path) == bytes);
}

TEST_CASE("a read-only location gives a clear error", "[database]")
{
    SECTION("a folder that cannot be created")
    {
        // /proc is read-only for everyone, root included.
        const QString path = QStringLiteral("/proc/smp-planner-test/clinic.sqlite");
        const StorageError error = errorOf([&] { Database db(path); });
        CHECK(error.kind() == ErrorKind::ReadOnly);
        CHECK(error.message().contains(QStringLiteral("/proc/smp-planner-test")));
    }
    SECTION("a read-only folder or file")
    {
        if (::geteuid() == 0) {
            WARN("running as root: permission bits do not stop root, so this section is skipped");
            return;
        }
        ScratchDir dir;
        const QString path = dir.file(QStringLiteral("clinic.sqlite"));
        {
            Database db(path);
        }
        QFile::setPermissions(path, QFile::ReadOwner);
        StorageError error = errorOf([&] { Database db(path); });
        CHECK(error.kind() == ErrorKind::ReadOnly);
        CHECK(error.message().contains(QStringLiteral("read-only")));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner);
        error = errorOf([&] { Database db(path); });
        CHECK(error.kind() == ErrorKind::ReadOnly);
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
}

TEST_CASE("a database locked by another writer fails with a message after the busy timeout",
          "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    Database::Options options;
    options.busyTimeout = std::chrono::milliseconds(150);
    Database db(path, options);

    sqlite3 *other = nullptr;
    REQUIRE(sqlite3_open(QFile::encodeName(path).constData(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

    Client client;
    client.familyName = QStringLiteral("Waiting");
    const StorageError error = errorOf([&] { ClientStore(db).add(client); });
    CHECK(error.kind() == ErrorKind::Locked);
    CHECK(error.message().contains(QStringLiteral("locked by another program")));
    CHECK(error.message().contains(path));

    // Once the other writer is done, the same change goes through.
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    CHECK(ClientStore(db).add(client) > 0);
}

TEST_CASE("a transaction that is not committed leaves nothing behind", "[database]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    {
        Transaction transaction(db);
        auto insert = db.prepare("INSERT INTO clients (family_name, created_at, updated_at) "
                                 "VALUES ('Ghost', '2026-01-01', '2026-01-01')");
        insert.run();
    }
    CHECK(ClientStore(db).count() == 0);
}

TEST_CASE("a secondary connection needs the database at the current version", "[database]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    Database::Options secondary;
    secondary.role = Database::Role::Secondary;
    secondary.createIfMissing = false;
    CHECK(errorOf([&] { Database db(path, secondary); }).kind() == ErrorKind::NotFound);
    Database primary(path);
    Database worker(path, secondary);
    addClient(worker, QStringLiteral("From the worker"));
    CHECK(ClientStore(primary).count() == 1);
}
