// smp-benchmark: times the storage paths a technician waits on, at clinic scale.
// Not part of the test run. Usage: smp-benchmark [--clients N] [--photos-per-client N]
//
// Fills a fresh database with N clients (default 10,000) with 5 photo rows each (the files
// themselves are not needed for these timings), then reports the median and 95th percentile of:
// opening the database (integrity quick check included), client search, loading a client page,
// and building the main window (offscreen).

#include "smp/analysis/ScalpAnalysis.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/clinic/MarkerDrawing.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/gui/MainWindow.h"
#include "smp/gui/PhotoViewer.h"
#include "smp/imaging/Memory.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/AuditLog.h"
#include "smp/storage/Backup.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/Transaction.h"
#include "smp/vision/Markers.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QPainter>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <tuple>
#include <vector>

using namespace smp::storage;
using Clock = std::chrono::steady_clock;

namespace {

const char *const kGiven[] = {"James",    "Mary",    "Robert", "Patricia", "John",
                              "Jennifer", "Michael", "Linda",  "David",    "Elizabeth",
                              "Ahmed",    "Chen",    "Olu",    "Sofía",    "Jörg",
                              "Priya",    "Kenji",   "Fatima", "Lukas",    "Ana"};
const char *const kFamily[] = {"Smith",  "Johnson",  "Williams", "Brown",     "Jones",
                               "Garcia", "Miller",   "Davis",    "Rodriguez", "Martinez",
                               "Okafor", "Nakamura", "Müller",   "Kowalski",  "Haddad",
                               "Singh",  "Nguyen",   "Ferreira", "O'Brien",   "Lindqvist",
                               "Rossi",  "Dubois",   "Kim",      "Ivanova",   "Mensah"};

struct Timing
{
    double medianMs;
    double p95Ms;
    int runs;
};

Timing measure(int runs, const std::function<void()> &work)
{
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(runs));
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        work();
        samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples[std::min(samples.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
    };
    return {at(0.5), at(0.95), runs};
}

void report(const char *what, const Timing &timing)
{
    std::printf("| %-52s | %8.2f | %8.2f | %5d |\n", what, timing.medianMs, timing.p95Ms,
                timing.runs);
}

// Resident memory of this process in MB, from /proc/self/status: the current "VmRSS" or the
// peak "VmHWM" (since the start, or since resetPeakResident()); -1 where there is no /proc.
double residentMb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

// Sets the peak resident memory back to the current one (Linux: /proc/self/clear_refs, 5).
void resetPeakResident()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

void fill(Database &db, int clients, int photosPerClient)
{
    std::mt19937 random(42);
    Transaction transaction(db);
    auto insertClient = db.prepare(
        "INSERT INTO clients (family_name, given_name, date_of_birth, phone, email, fitzpatrick, "
        "search_text, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    auto insertPhoto =
        db.prepare("INSERT INTO photos (client_id, view, taken_at, imported_at, sha256, file_name, "
                   "original_name, format, width_px, height_px, byte_size) "
                   "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 'jpeg', 4032, 3024, 3500000)");
    auto insertAudit =
        db.prepare("INSERT INTO audit_log (at, actor, action, table_name, record_id, "
                   "client_id, details) VALUES (?1, 'bench', 'insert', 'clients', ?2, ?2, '')");
    const char *const views[] = {"front", "top", "crown", "left", "right"};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < clients; ++i) {
        const QString given = QString::fromUtf8(kGiven[random() % std::size(kGiven)]);
        const QString family = QString::fromUtf8(kFamily[random() % std::size(kFamily)]);
        const QString phone =
            QStringLiteral("+1 555 %1").arg(random() % 10000000, 7, 10, QLatin1Char('0'));
        const QString email =
            QStringLiteral("%1.%2%3@example.com").arg(given.toLower(), family.toLower()).arg(i);
        insertClient.reset();
        insertClient.bind(1, family)
            .bind(2, given)
            .bind(3, QDate(1950, 1, 1).addDays(static_cast<qint64>(random() % 20000)))
            .bind(4, phone)
            .bind(5, email)
            .bind(6, static_cast<int>(random() % 6 + 1))
            .bind(7, ClientStore::searchKey(given + QLatin1Char(' ') + family + QLatin1Char(' ') +
                                            phone + QLatin1Char(' ') + email))
            .bind(8, now)
            .run();
        const std::int64_t id = db.lastInsertId();
        insertAudit.reset();
        insertAudit.bind(1, now).bind(2, id).run();
        for (int p = 0; p < photosPerClient; ++p) {
            const QString sha = QStringLiteral("%1").arg(id * 16 + p, 64, 16, QLatin1Char('0'));
            insertPhoto.reset();
            insertPhoto.bind(1, id)
                .bind(2, views[p % 5])
                .bind(3, now.addDays(-p * 10))
                .bind(4, sha)
                .bind(5, sha.left(2) + QLatin1Char('/') + sha + QStringLiteral(".jpg"))
                .bind(6, QStringLiteral("IMG_%1.JPG").arg(p))
                .run();
        }
    }
    transaction.commit();
}

} // namespace

int main(int argc, char *argv[])
{
    // As the application does (src/app/main.cpp), so that the figures are what a user sees.
    smp::imaging::keepImageBuffersForReuse();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("smp-benchmark"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("clients"), QStringLiteral("Number of clients."),
                      QStringLiteral("n"), QStringLiteral("10000")});
    parser.addOption({QStringLiteral("photos-per-client"), QStringLiteral("Photo rows per client."),
                      QStringLiteral("n"), QStringLiteral("5")});
    parser.process(app);
    const int clients = parser.value(QStringLiteral("clients")).toInt();
    const int photos = parser.value(QStringLiteral("photos-per-client")).toInt();

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.sqlite"));
    {
        Database db(path);
        const auto start = Clock::now();
        fill(db, clients, photos);
        std::printf("Filled %d clients and %d photo rows in %.1f s\n\n", clients, clients * photos,
                    std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::printf("Machine: %s, %s, %d logical cores; %s\n\n",
                qPrintable(QSysInfo::prettyProductName()),
                qPrintable(QSysInfo::currentCpuArchitecture()), QThread::idealThreadCount(),
                qPrintable(QDateTime::currentDateTime().toString(Qt::ISODate)));
    std::printf("| %-52s | %8s | %8s | %5s |\n", "operation", "median ms", "p95 ms", "runs");
    std::printf("|%s|%s|%s|%s|\n", "------------------------------------------------------",
                "----------", "----------", "-------");

    report("open database (quick_check, WAL, migrations)", measure(10, [&] { Database db(path); }));
    Database::Options full;
    full.fullIntegrityCheck = true;
    report("open database with full integrity_check", measure(5, [&] { Database db(path, full); }));

    Database db(path);
    ClientStore store(db);
    PhotoLibrary library(db);
    std::size_t sink = 0;
    const std::pair<const char *, QString> searches[] = {
        {"search: one name fragment (\"smi\")", QStringLiteral("smi")},
        {"search: two words (\"john smith\")", QStringLiteral("john smith")},
        {"search: phone digits (\"555 01\")", QStringLiteral("555 01")},
        {"search: accented (\"müller\")", QStringLiteral("müller")},
        {"search: no match (\"zzzz\")", QStringLiteral("zzzz")},
        {"list all clients (empty search)", QString()},
    };
    for (const auto &[label, text] : searches)
        report(label, measure(50, [&] { sink += store.search(text).size(); }));

    std::mt19937 random(7);
    AuditLog audit(db);
    report("open a client page (client, screening, consents, photos, history)", measure(200, [&] {
               const RecordId id =
                   static_cast<RecordId>(random() % static_cast<unsigned>(clients)) + 1;
               sink += static_cast<std::size_t>(store.get(id).familyName.size());
               sink += store.screening(id).size() + store.consents(id).size();
               sink += library.photos(id).size() + audit.entries(id).size();
           }));

    {
        // Camera-sized JPEGs: 12 MP (4000x3000) and 24 MP (6000x4000), with a 20 mm calibration
        // marker drawn beside the head, different content for each run (no duplicates).
        auto cameraPhoto = [](int width, int height) {
            smp::imaging::SampleScalpParameters big;
            big.widthPx = width;
            big.heightPx = height;
            QImage image = smp::imaging::drawSampleScalp(big);
            QPainter painter(&image);
            const double side = width / 16.0;
            const QRectF square(width * 0.06, height * 0.08, side, side);
            painter.fillRect(square.adjusted(-side / 5, -side / 5, side / 5, side / 5), Qt::white);
            smp::clinic::paintMarker(painter, 30, square);
            return image;
        };
        Client owner;
        owner.familyName = QStringLiteral("Import Benchmark");
        const RecordId ownerId = store.add(owner);
        for (const auto &[label, width, height] :
             {std::tuple{"import a 12-megapixel JPEG (all steps, see below)", 4000, 3000},
              std::tuple{"import a 24-megapixel JPEG (all steps, see below)", 6000, 4000}}) {
            const QImage image = cameraPhoto(width, height);
            QStringList files;
            for (int i = 0; i < 5; ++i) {
                QImage variant = image.copy();
                variant.setPixel(i, 0, qRgb(i, i, i));
                files << dir.filePath(QStringLiteral("photo-%1-%2.jpg").arg(width).arg(i));
                variant.save(files.back(), "JPEG", 92);
            }
            int next = 0;
            report(label, measure(5, [&] {
                       const Photo photo =
                           smp::clinic::importPhoto(db, ownerId, files[next++], PhotoView::Top);
                       if (!library.currentCalibration(photo.id))
                           std::printf("  (marker not found in %s)\n", qPrintable(files[next - 1]));
                   }));
            if (width == 4000) {
                const QImage upright = smp::imaging::loadUprightImage(files[0]);
                report("  of which: decode + orient a 12 MP JPEG", measure(5, [&] {
                           sink += static_cast<std::size_t>(
                               smp::imaging::loadUprightImage(files[0]).width());
                       }));
                report("  of which: marker detection on a 12 MP photo", measure(5, [&] {
                           sink += smp::clinic::findMarker(upright).has_value() ? 1u : 0u;
                       }));
                // Every read of a library photo (viewer, report, compare, smp analyze) first
                // checks its file against the SHA-256 taken at import.
                const Photo first = library.photos(ownerId).front();
                report("check a 12 MP JPEG against its SHA-256 before reading it", measure(10, [&] {
                           sink += static_cast<std::size_t>(library.verifiedPath(first).size());
                       }));
                // File > Verify Backup on a backup of those five photos: its records (a private
                // copy, full integrity check) and every photo file hashed.
                Database small(dir.filePath(QStringLiteral("five.sqlite")));
                Client five;
                five.familyName = QStringLiteral("Five Photos");
                const RecordId fiveId = ClientStore(small).add(five);
                for (const QString &file : files)
                    smp::clinic::importPhoto(small, fiveId, file, PhotoView::Top);
                const QString backupFile = dir.filePath(QStringLiteral("five-backup.sqlite"));
                smp::storage::backupDatabase(small, backupFile);
                report("verify a backup of five 12 MP JPEGs (records + hashes)", measure(5, [&] {
                           sink += static_cast<std::size_t>(
                               smp::storage::checkBackup(backupFile).photosChecked);
                       }));
            }
        }
    }

    {
        // The viewer on a 24 MP photo: one full repaint of a 1100x800 window, fitted and at 100%.
        const QString file = dir.filePath(QStringLiteral("photo-6000-0.jpg"));
        const auto imported =
            library.photos(store.search(QStringLiteral("Import Benchmark")).front().id);
        const auto start = Clock::now();
        smp::gui::PhotoViewer viewer(db, imported.back().id);
        viewer.show();
        QSignalSpy loaded(&viewer, &smp::gui::PhotoViewer::loaded);
        if (!viewer.isLoaded())
            loaded.wait(30000);
        std::printf(
            "| %-52s | %8.2f | %8s | %5d |\n", "viewer: open a 24 MP photo (decode + pyramid)",
            std::chrono::duration<double, std::milli>(Clock::now() - start).count(), "-", 1);
        report("viewer: repaint, fitted to window", measure(20, [&] {
                   sink += static_cast<std::size_t>(viewer.view()->grab().width());
               }));
        viewer.view()->zoomBy(1.0 / viewer.view()->zoom());
        report("viewer: repaint at 100%", measure(20, [&] {
                   sink += static_cast<std::size_t>(viewer.view()->grab().width());
               }));
        viewer.view()->zoomBy(0.3);
        report("viewer: repaint at 30%", measure(20, [&] {
                   sink += static_cast<std::size_t>(viewer.view()->grab().width());
               }));
        (void)file;
    }

    {
        // What a process's first analysis builds on its way (OpenCV's CIELAB tables), once; the
        // application builds it at start-up off the UI thread, so the rows below leave it out.
        report("analysis tables built once per process (analysis::prepare())",
               measure(1, [] { smp::analysis::prepare(); }));
        // The rest of what the first analyzeImage() would build: the compiled-in models parsed
        // (the tables already built above). `smp analyze` and the application do both on a
        // second thread while they start and decode the photo. Parsed once per process, so this
        // row reads them only while nothing before it has analysed (it would read about 0 after).
        report("analysis models parsed once per process (clinic::prepareAnalysis())",
               measure(1, [] { smp::clinic::prepareAnalysis(); }));
        // Scalp analysis of a 12-megapixel photo (the analysis works on a copy scaled to 1024 px).
        smp::imaging::SampleScalpParameters big;
        big.widthPx = 4000;
        big.heightPx = 3000;
        const QImage photo = smp::imaging::drawSampleScalp(big);
        // Grey hair on light skin takes the colour unmixing (algorithm 1.2).
        big.skin = QColor(222, 178, 150);
        big.hair = QColor(165, 165, 160);
        const QImage greyPhoto = smp::imaging::drawSampleScalp(big);
        // Sparse grey hair on tan skin, shaded with the head: light hair on darker skin with
        // little contrast, so the colour unmixing is tried first and, the head being sparse, the
        // lightness unmixing then used (algorithm 1.9: the slowest path).
        big.skin = QColor(160, 112, 78); // the phantoms' tan skin and grey hair
        big.hair = QColor(165, 165, 160);
        big.strandsPerPixel = 0.002;
        big.shadeHairWithHead = true;
        const QImage sparsePhoto = smp::imaging::drawSampleScalp(big);
        // The phantom draws a fixed number of strands per square pixel, so the heads above, at
        // 4000 x 3000, are six times as densely covered as at 1600 px: full heads. A head as
        // dense as the 1600 px phantoms, its skin showing (docs/analysis.md, "Phantoms at 12 MP").
        smp::imaging::SampleScalpParameters realistic;
        realistic.widthPx = 4000;
        realistic.heightPx = 3000;
        realistic.strandsPerPixel *= (1600.0 / 4000.0) * (1600.0 / 4000.0);
        const QImage realisticPhoto = smp::imaging::drawSampleScalp(realistic);
        // A soft photo, as most clinic and phone photos read (docs/analysis.md, "A soft photo
        // says so"): the head drawn at 800 x 600 and scaled up to 12 MP, its strands blurred
        // over 5 px. It takes the soft-photo paths (algorithms 1.20, 1.21 and 1.23).
        smp::imaging::SampleScalpParameters small;
        small.widthPx = 800;
        small.heightPx = 600;
        const QImage softPhoto = smp::imaging::drawSampleScalp(small).scaled(
            4000, 3000, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        smp::analysis::Parameters parameters;
        parameters.mmPerPx = 0.067;
        // The memory the analyses take on top of the process's, the photos drawn: the peak
        // resident memory while they run less the resident memory before.
        const double residentBefore = residentMb("VmRSS");
        resetPeakResident();
        report("scalp analysis of a 12 MP photo (from decoded pixels)", measure(5, [&] {
                   sink += smp::clinic::analyzeImage(photo, parameters).regions.size();
               }));
        report("scalp analysis of a 12 MP photo, grey hair (colour unmixing)", measure(5, [&] {
                   sink += smp::clinic::analyzeImage(greyPhoto, parameters).regions.size();
               }));
        report("scalp analysis of a 12 MP photo, sparse grey hair on tan skin", measure(5, [&] {
                   sink += smp::clinic::analyzeImage(sparsePhoto, parameters).regions.size();
               }));
        std::printf("  (the sparse photo is read by %s)\n",
                    smp::clinic::analyzeImage(sparsePhoto, parameters).unmixing.c_str());
        report("scalp analysis of a 12 MP photo, dark hair, skin showing", measure(5, [&] {
                   sink += smp::clinic::analyzeImage(realisticPhoto, parameters).regions.size();
               }));
        report("scalp analysis of a 12 MP photo, soft (drawn at 800 px, scaled up)",
               measure(5, [&] {
                   sink += smp::clinic::analyzeImage(softPhoto, parameters).regions.size();
               }));
        std::printf("  (the soft photo's sharpness: %.2f; soft under %.1f)\n",
                    smp::clinic::analyzeImage(softPhoto, parameters).photoSharpness,
                    smp::analysis::kSoftPhotoSharpness);
        // The same head said to be seen from behind: the ears and the rim's loss come off
        // (algorithm 1.18).
        smp::analysis::Parameters back = parameters;
        back.view = smp::analysis::View::Back;
        report("scalp analysis of a 12 MP photo, skin showing, back view", measure(5, [&] {
                   sink += smp::clinic::analyzeImage(realisticPhoto, back).regions.size();
               }));
        // The texture check alone, part of each analysis above when it applies (a top view of
        // dark hair): the photo scaled to 640 px, its cells' numbers, the forest.
        const smp::analysis::Result checked = smp::clinic::analyzeImage(realisticPhoto, parameters);
        const QImage realisticRgb = realisticPhoto.convertToFormat(QImage::Format_RGB888);
        const smp::analysis::RgbImage realisticPixels{realisticRgb.width(), realisticRgb.height(),
                                                      realisticRgb.bytesPerLine(),
                                                      realisticRgb.constBits()};
        report("  of which: the texture check (cells, forest)", measure(10, [&] {
                   sink +=
                       smp::analysis::checkHairTexture(realisticPixels, parameters.view, checked)
                           .hairProbability.size();
               }));
        std::printf("| %-52s | %8.0f | %8s | %5d |\n",
                    "scalp analysis: peak memory above the process's, MB",
                    residentMb("VmHWM") - residentBefore, "-", 25);

        // A stored analysis with a corrected map, restaged as the client page, the report and
        // the viewer do (on the GUI thread): summary JSON read, regions traced, stage moved.
        const smp::analysis::Result result = smp::clinic::analyzeImage(photo, parameters);
        smp::storage::StoredAnalysis stored;
        stored.summaryJson =
            QString::fromUtf8(QJsonDocument(smp::clinic::analysisJson(result)).toJson());
        stored.mapWidth = result.mapWidth;
        stored.mapHeight = result.mapHeight;
        stored.photoPxPerMapPx = result.photoPxPerMapPx;
        stored.grades = QByteArray(reinterpret_cast<const char *>(result.grades.data()),
                                   static_cast<qsizetype>(result.grades.size()));
        QByteArray corrected = stored.grades;
        for (qsizetype i = 0; i < corrected.size() / 3; ++i) // a third of the map painted normal
            if (corrected[i] > 1)
                corrected[i] = 1;
        report("restage a corrected analysis (1024 px map; client page, report, viewer)",
               measure(10, [&] {
                   sink += static_cast<std::size_t>(
                       smp::clinic::summarizeStoredAnalysis(stored, corrected,
                                                            smp::storage::PhotoView::Top, 0, 0.067)
                           .norwood.level);
               }));
        // Storing a finished analysis (on the GUI thread): grades and the per-pixel hair share
        // compressed (schema 9), summary JSON, audit line, one transaction.
        const smp::storage::RecordId photoId =
            library.photos(store.search(QStringLiteral("Import Benchmark")).front().id).front().id;
        smp::storage::RecordId storedId = 0;
        report("store an analysis with its hair share (1024 px map)",
               measure(10, [&] { storedId = smp::clinic::storeAnalysis(db, photoId, result); }));
        smp::analysis::Result withoutShare = result; // as stored before schema 9
        withoutShare.hairFraction.clear();
        report("  the same without the hair share (before schema 9)", measure(10, [&] {
                   sink += static_cast<std::size_t>(
                       smp::clinic::storeAnalysis(db, photoId, withoutShare));
               }));
        // The whole-scalp coverage over a corrected scalp: a third of the map taken off.
        smp::storage::StoredAnalysis withShare = *smp::storage::AnalysisStore(db).find(storedId);
        QByteArray takenOff = withShare.grades;
        for (qsizetype i = 0; i < takenOff.size() / 3; ++i)
            takenOff[i] = 0;
        report("coverage over the corrected scalp (1024 px map)", measure(20, [&] {
                   sink += static_cast<std::size_t>(
                       smp::clinic::scalpCoverage(withShare, takenOff).percent);
               }));
        // Storing a brush stroke (on the GUI thread, after every stroke): the four tiles a 30 px
        // square across tile corners touches, each compared with the analysis's own map first;
        // painted and taken back in turn, so half the runs write the tiles and half delete them.
        {
            const int side = smp::storage::kAnalysisTileSize;
            const int cx = withShare.mapWidth / 2 / side * side;
            const int cy = withShare.mapHeight / 2 / side * side;
            std::vector<std::uint8_t> marked(static_cast<std::size_t>(withShare.grades.size()), 0);
            for (int y = cy - 15; y < cy + 15; ++y)
                for (int x = cx - 15; x < cx + 15; ++x)
                    marked[static_cast<std::size_t>(y * withShare.mapWidth + x)] = 1;
            const smp::clinic::GradeChange stroke = smp::clinic::gradeMarkedPixels(
                withShare.grades, withShare.mapWidth, withShare.mapHeight, marked,
                smp::analysis::Grade::NotScalp);
            smp::storage::AnalysisStore analyses(db);
            bool painted = false;
            report("store a brush stroke (4 tiles of a 1024 px map, written or taken back)",
                   measure(20, [&] {
                       analyses.saveCorrections(storedId, painted ? stroke.before : stroke.after);
                       painted = !painted;
                   }));
        }
        // The client's stage, as the client page reads it on loading the photos (on a worker
        // thread) and the reports gather it: a visit of four analysed photos (two top views, a
        // front and a back view), the latest analysis of each restaged on its map.
        const RecordId ownerId = store.search(QStringLiteral("Import Benchmark")).front().id;
        const auto owned = library.photos(ownerId);
        for (std::size_t i = 1; i < 4 && i < owned.size(); ++i)
            smp::clinic::storeAnalysis(db, owned[i].id, result);
        library.setView(owned[1].id, PhotoView::Front);
        library.setView(owned[2].id, PhotoView::Back);
        report("client's stage from a visit of 4 analysed photos", measure(10, [&] {
                   sink += static_cast<std::size_t>(
                       smp::clinic::clientStage(db, ownerId)->combined.level);
               }));
    }

    report("main window ready (list of all clients, first client shown)", measure(5, [&] {
               smp::gui::MainWindow window(db);
               window.show();
               QApplication::processEvents();
           }));
    std::printf("\n(checksum %zu)\n", sink);
    return 0;
}
