// A process killed with SIGKILL in the middle of writing must leave a database that passes the
// integrity check, with no half-written rows and no photo row without its file.

#include "TestSupport.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/Transaction.h"

#include <catch2/catch.hpp>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QThread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace smp;
using namespace smp::storage;
using smp::test::ScratchDir;

namespace {

int photoRows(const QString &path)
{
    const QString value = test::rawQueryValue(path, QStringLiteral("SELECT count(*) FROM photos"));
    return value.toInt();
}

// Forks a child that runs `work` and then _exits; returns its pid.
template <typename F> pid_t forkChild(F &&work)
{
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            work();
        } catch (...) {
            ::_exit(3);
        }
        ::_exit(0);
    }
    return pid;
}

void killAndReap(pid_t pid)
{
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
}

} // namespace

TEST_CASE("SIGKILL in the middle of a large photo import leaves a sound database", "[crash]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    RecordId client = 0;
    {
        Database db(path);
        Client c;
        c.familyName = QStringLiteral("Crash Test");
        client = ClientStore(db).add(c);
    }
    // 400 distinct photos of about 200 kB each: large enough that the kill lands mid-copy.
    QDir().mkpath(dir.file(QStringLiteral("import")));
    QStringList files;
    for (int i = 0; i < 400; ++i) {
        files << test::writeTestImage(
            dir.file(QStringLiteral("import/%1.png").arg(i, 4, 10, QLatin1Char('0'))), 400, 300,
            "png", static_cast<std::uint32_t>(1000 + i));
    }

    const pid_t child = forkChild([&] {
        Database db(path);
        clinic::importPhotos(db, client, files, PhotoView::Top);
    });
    // Wait until the child is well into the import, then kill it without warning.
    for (int i = 0; i < 2000 && photoRows(path) < 25; ++i)
        QThread::msleep(5);
    killAndReap(child);
    const int rowsAtKill = photoRows(path);
    REQUIRE(rowsAtKill >= 25);
    REQUIRE(rowsAtKill < 400);

    Database db(path); // recovers the WAL, runs the integrity check
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(db.foreignKeyProblems().isEmpty());
    PhotoLibrary library(db);
    const auto photos = library.photos(client);
    CHECK(static_cast<int>(photos.size()) >= rowsAtKill);
    for (const Photo &photo : photos) {
        const QString file = library.absolutePath(photo);
        REQUIRE(QFile::exists(file));
        CHECK(QString::fromLatin1(test::sha256Hex(file)) == photo.sha256);
        CHECK(photo.widthPx == 400);
        CHECK(photo.byteSize == QFileInfo(file).size());
    }
    CHECK(library.checkLibrary().rowsWithoutFile.empty());

    // The import can simply be run again: the ones already stored are reported as duplicates.
    const auto again = clinic::importPhotos(db, client, files, PhotoView::Top);
    CHECK(again.imported.size() + photos.size() == 400);
}

TEST_CASE("SIGKILL in the middle of one large transaction leaves none of its rows", "[crash]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("clinic.sqlite"));
    {
        Database db(path);
    }

    const pid_t child = forkChild([&] {
        Database db(path);
        Transaction transaction(db);
        auto insert = db.prepare("INSERT INTO clients (family_name, created_at, updated_at) "
                                 "VALUES (?1, '2026-01-01', '2026-01-01')");
        for (int i = 0;; ++i) { // never commits: killed while writing
            insert.reset();
            insert.bind(1, QStringLiteral("Bulk client %1 ").arg(i).repeated(20)).run();
            if (i == 20000)
                test::writeBytes(path + QStringLiteral(".progress"), QByteArrayLiteral("1"));
        }
    });
    for (int i = 0; i < 4000 && !QFile::exists(path + QStringLiteral(".progress")); ++i)
        QThread::msleep(5);
    REQUIRE(QFile::exists(path + QStringLiteral(".progress")));
    killAndReap(child);

    Database db(path);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(ClientStore(db).count() == 0);
}
