#include "TestSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/AuditLog.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/DraftStore.h"
#include "smp/storage/Migrations.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/ReviewStore.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

#include <catch2/catch.hpp>

#include <QFile>

#include <vector>

using namespace smp::storage;
using smp::test::ScratchDir;

namespace {

QString fixtureSql(const char *name)
{
    return QString::fromUtf8(smp::test::readAll(QStringLiteral(SMP_SOURCE_DIR "/tests/data/") +
                                                QString::fromLatin1(name)));
}

// The frozen database of schema `version` (tests/data/schema-vN.sql) written to a file in `dir`,
// as that version left it.
QString writeFixture(ScratchDir &dir, int version)
{
    const QString path = dir.file(QStringLiteral("v%1.sqlite").arg(version));
    const QByteArray name = QStringLiteral("schema-v%1.sql").arg(version).toLatin1();
    smp::test::rawExecute(path, fixtureSql(name.constData()));
    REQUIRE(smp::test::rawQueryValue(path, QStringLiteral("PRAGMA user_version")) ==
            QString::number(version));
    return path;
}

bool tableExists(Database &db, const char *table)
{
    auto query = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    query.bind(1, table);
    return query.step();
}

} // namespace

TEST_CASE("the schema history is complete and numbered one step at a time", "[migrations]")
{
    const auto steps = schemaMigrations();
    REQUIRE(steps.size() == static_cast<std::size_t>(kCurrentSchemaVersion));
    for (std::size_t i = 0; i < steps.size(); ++i)
        CHECK(steps[i].toVersion == static_cast<int>(i + 1));
}

TEST_CASE("a version 1 database from the first release migrates to the current schema with its "
          "records intact",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 1);

    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(db.foreignKeyProblems().isEmpty());
    CHECK(tableExists(db, "audit_log"));
    CHECK(tableExists(db, "settings"));

    ClientStore clients(db);
    REQUIRE(clients.count() == 2);
    const Client chidi = clients.get(1);
    CHECK(chidi.familyName == QStringLiteral("Okafor"));
    CHECK(chidi.givenName == QStringLiteral("Chidi"));
    CHECK(chidi.dateOfBirth == QDate(1979, 11, 2));
    CHECK(chidi.fitzpatrick == 5);
    CHECK(chidi.sex == Sex::Male);
    const auto screening = clients.screening(1);
    REQUIRE(screening.size() == 2);
    CHECK(screening[1].answer == ScreeningAnswer::NeedsClearance);
    CHECK(screening[1].note == QStringLiteral("warfarin"));
    CHECK(clients.consents(1).size() == 1);
    const auto photos = PhotoLibrary(db).photos(1);
    REQUIRE(photos.size() == 1);
    CHECK(photos[0].widthPx == 4032);
    CHECK(photos[0].view == PhotoView::Top);
    // Searching works on the migrated rows, accents folded.
    CHECK(clients.search(QStringLiteral("åsa")).size() == 1);

    // The upgraded database takes new records, with their audit lines.
    Client added;
    added.familyName = QStringLiteral("After Upgrade");
    const RecordId id = clients.add(added);
    CHECK(AuditLog(db).entries(id).size() == 1);
}

TEST_CASE("migrations run one step per transaction and a failing step rolls back to the last "
          "good version",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = dir.file(QStringLiteral("steps.sqlite"));
    std::vector<int> applied;
    const Migration steps[] = {
        {1, "one",
         [&](Database &db) {
             db.execute("CREATE TABLE one (x INTEGER)");
             applied.push_back(1);
         }},
        {2, "two",
         [&](Database &db) {
             db.execute("CREATE TABLE two (x INTEGER)");
             applied.push_back(2);
         }},
        {3, "three",
         [&](Database &db) {
             db.execute("CREATE TABLE three (x INTEGER)");
             applied.push_back(3);
             db.execute("INSERT INTO no_such_table VALUES (1)"); // fails half-way
         }},
    };
    // An application database serves as the connection; with its version reset to 0 the test
    // steps apply to it from the start (their tables do not clash with the real ones).
    Database db(path);
    db.execute("PRAGMA user_version = 0");

    try {
        migrate(db, steps);
        FAIL("the third step should have failed");
    } catch (const StorageError &error) {
        CHECK(error.message().contains(QStringLiteral("schema version 3")));
        CHECK(error.message().contains(QStringLiteral("left at version 2")));
    }
    CHECK(applied == std::vector<int>{1, 2, 3});
    CHECK(userVersion(db) == 2);
    CHECK(tableExists(db, "one"));
    CHECK(tableExists(db, "two"));
    CHECK_FALSE(tableExists(db, "three"));

    // Running again resumes at the failed step only.
    applied.clear();
    CHECK_THROWS(migrate(db, steps));
    CHECK(applied == std::vector<int>{3});
    CHECK(userVersion(db) == 2);

    // A database newer than the steps is refused by migrate() too, without changes.
    db.execute("PRAGMA user_version = 9");
    try {
        migrate(db, steps);
        FAIL("a newer database must be refused");
    } catch (const StorageError &error) {
        CHECK(error.kind() == ErrorKind::NewerSchema);
    }
    CHECK(userVersion(db) == 9);
}

TEST_CASE("a version 2 database migrates to the current schema: photos gain rotation and "
          "calibrations",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 2);

    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "photo_calibrations"));
    PhotoLibrary library(db);
    const auto photos = library.photos(1);
    REQUIRE(photos.size() == 1);
    CHECK(photos[0].rotationQuarterTurns == 0);
    CHECK_FALSE(photos[0].takenAtFromExif);
    CHECK_FALSE(library.currentCalibration(photos[0].id).has_value());
    // The audit trail written by version 2 is still there and still grows.
    CHECK(AuditLog(db).entries().size() == 2);
    Calibration calibration;
    calibration.photoId = photos[0].id;
    calibration.method = CalibrationMethod::Manual;
    calibration.mmPerPx = 0.1;
    calibration.uncertaintyMmPerPx = 0.001;
    library.addCalibration(calibration);
    CHECK(library.currentCalibration(photos[0].id)->mmPerPx == Approx(0.1));
    CHECK(AuditLog(db).entries().size() == 3);
}

TEST_CASE("a version 3 database migrates to the current schema: analyses can be stored",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 3);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "photo_analyses"));
    CHECK(tableExists(db, "analysis_corrections"));
    PhotoLibrary library(db);
    const auto photos = library.photos(1);
    REQUIRE(photos.size() == 1);
    CHECK(library.currentCalibration(photos[0].id)->method == CalibrationMethod::Marker);

    StoredAnalysis analysis;
    analysis.photoId = photos[0].id;
    analysis.algorithm = QStringLiteral("test");
    analysis.version = QStringLiteral("1");
    analysis.parametersJson = QStringLiteral("{}");
    analysis.summaryJson = QStringLiteral("{}");
    analysis.mapWidth = 100;
    analysis.mapHeight = 70;
    analysis.grades = QByteArray(100 * 70, '\x02');
    AnalysisStore store(db);
    const RecordId id = store.add(analysis);
    // A correction of one tile: the original stays, the corrected map shows the tile.
    store.saveCorrections(id, {GradeTile{1, 0, QByteArray(36 * 64, '\x05')}});
    const auto stored = store.latest(photos[0].id);
    REQUIRE(stored.has_value());
    CHECK(stored->grades.count('\x05') == 0);
    const QByteArray corrected = store.correctedGrades(*stored);
    CHECK(corrected.count('\x05') == 36 * 64);
    CHECK(corrected.at(64) == '\x05');
    CHECK(corrected.at(63) == '\x02');
    store.removeCorrections(id, {GradeTile{1, 0, {}}});
    CHECK(store.correctedGrades(*stored).count('\x05') == 0);
}

TEST_CASE("a version 4 database migrates to the current schema: plans can be stored",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 4);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "plans"));
    // What version 4 held is still there: the analysis and its corrected tile.
    AnalysisStore analyses(db);
    const auto analysis = analyses.latest(1);
    REQUIRE(analysis.has_value());
    CHECK(analysis->mapWidth == 32);
    CHECK(analyses.corrections(analysis->id).size() == 1);

    StoredPlan plan;
    plan.photoId = 1;
    plan.analysisId = analysis->id;
    plan.algorithm = QStringLiteral("smp-dot-plan");
    plan.version = QStringLiteral("0.1");
    plan.seed = QStringLiteral("18446744073709551615"); // 64 bits survive as text
    plan.settingsJson = QStringLiteral("{\"sessions\":3}");
    plan.summaryJson = QStringLiteral("{}");
    plan.planJson = QByteArray(200000, 'x');
    PlanStore store(db);
    const RecordId id = store.add(plan);
    const auto back = store.find(id);
    REQUIRE(back.has_value());
    CHECK(back->seed == plan.seed);
    CHECK(back->planJson == plan.planJson);
    CHECK(back->hairlineJson.isEmpty());
    CHECK(back->analysisId == analysis->id);
    const auto listed = store.plansOfClient(1);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].planJson.isEmpty()); // summaries only
    CHECK(store.latestForPhoto(1)->id == id);
    // The plan is in the audit trail, with its client.
    auto audit = db.prepare("SELECT client_id FROM audit_log WHERE table_name = 'plans'");
    REQUIRE(audit.step());
    CHECK(audit.int64(0) == 1);
    CHECK_THROWS_AS(store.add(StoredPlan{}), StorageError);
}

TEST_CASE("a version 5 database migrates to the current schema: its plan stays, appointments "
          "can be booked",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 5);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "appointments"));
    CHECK(tableExists(db, "session_records"));
    CHECK(tableExists(db, "schedule_preferences"));
    // The version 5 plan reads back as it was stored.
    const auto plan = PlanStore(db).find(1);
    REQUIRE(plan.has_value());
    CHECK(plan->planJson.contains("\"smp-plan\""));

    AppointmentStore store(db);
    std::vector<Appointment> booked(2);
    booked[0].clientId = 1;
    booked[0].planId = 1;
    booked[0].session = 1;
    booked[0].ofSessions = 3;
    booked[0].start = QDateTime(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC);
    booked[0].minutes = 240;
    booked[1] = booked[0];
    booked[1].session = 2;
    booked[1].start = booked[0].start.addDays(11);
    store.book(booked);
    CHECK(booked[0].id > 0);
    CHECK(booked[0].uid.endsWith(QStringLiteral("@smp-planner")));
    CHECK(booked[0].uid != booked[1].uid);
    const auto back = store.find(booked[1].id);
    REQUIRE(back.has_value());
    CHECK(back->start == booked[1].start);
    CHECK(back->planId == 1);
    CHECK(store.between(booked[0].start, booked[0].start.addDays(30)).size() == 2);
    CHECK(store.between(booked[0].start.addSecs(1), booked[0].start.addDays(30)).size() == 1);

    // Moving raises the sequence (calendar programs update the event) and is audited.
    store.move({{booked[1].id, booked[1].start.addDays(1)}});
    CHECK(store.find(booked[1].id)->sequence == 1);
    CHECK(store.find(booked[1].id)->uid == booked[1].uid);
    store.setStatus(booked[1].id, AppointmentStatus::NoShow);
    CHECK(store.find(booked[1].id)->status == AppointmentStatus::NoShow);
    CHECK(store.find(booked[1].id)->sequence == 2);

    // What was done at a session; it is then done.
    SessionRecord done;
    done.appointmentId = booked[0].id;
    done.dilution = QStringLiteral("3 ml water : 1 ml pigment");
    done.needle = QStringLiteral("1RL 0.20, 3RL 0.25");
    done.minutes = 250;
    done.notes = QStringLiteral("Client tolerated well; hairline as drawn.");
    done.afterPhotoId = 1;
    store.record(done);
    CHECK(store.find(booked[0].id)->status == AppointmentStatus::Done);
    const auto record = store.sessionRecord(booked[0].id);
    REQUIRE(record.has_value());
    CHECK(record->minutes == 250);
    CHECK(record->afterPhotoId == 1);
    done.afterPhotoId = 99;
    CHECK_THROWS_AS(store.record(done), StorageError);

    // Booking preferences, checked.
    SchedulePreferences prefs;
    prefs.weekdays = QStringLiteral("0101000");
    prefs.earliest = QTime(13, 0);
    store.setPreferences(1, prefs);
    CHECK(store.preferences(1).weekdays == QStringLiteral("0101000"));
    CHECK(store.preferences(1).earliest == QTime(13, 0));
    CHECK_FALSE(store.preferences(1).latest.isValid());
    prefs.weekdays = QStringLiteral("0000000");
    CHECK_THROWS_AS(store.setPreferences(1, prefs), StorageError);
    // Unknown clients and plans are refused, and nothing of a failed booking is kept.
    std::vector<Appointment> bad(2, booked[0]);
    for (auto &a : bad)
        a.uid.clear();
    bad[1].clientId = 42;
    CHECK_THROWS_AS(store.book(bad), StorageError);
    CHECK(store.ofClient(1).size() == 2);
}

TEST_CASE("a version 6 database migrates to the current schema: its schedule stays, reviews can "
          "be signed",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 6);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "photo_reviews"));
    // What version 6 held: the performed session, its record, the booking days.
    AppointmentStore appointments(db);
    const auto session = appointments.find(1);
    REQUIRE(session.has_value());
    CHECK(session->status == AppointmentStatus::Done);
    CHECK(session->uid == QStringLiteral("0f1e2d3c-0000-4000-8000-000000000001@smp-planner"));
    CHECK(appointments.sessionRecord(1)->minutes == 235);
    CHECK(appointments.preferences(1).weekdays == QStringLiteral("0101000"));

    ReviewStore reviews(db);
    PhotoReview review;
    review.beforePhotoId = 1;
    review.afterPhotoId = 1;
    review.reviewer = QStringLiteral("Dr. A. Lindqvist");
    review.approved = true;
    review.notes = QStringLiteral("Even density; hairline as agreed.");
    review.coverageBefore = 0.36;
    review.coverageAfter = 0.52;
    review.residualPx = 0.4;
    const RecordId id = reviews.add(review);
    const auto listed = reviews.ofClient(1);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == id);
    CHECK(listed[0].approved);
    CHECK(listed[0].coverageAfter == Approx(0.52));
    CHECK(listed[0].reviewer == QStringLiteral("Dr. A. Lindqvist"));
    // Part of the audit trail, with the client.
    auto audit =
        db.prepare("SELECT client_id, details FROM audit_log WHERE table_name = 'photo_reviews'");
    REQUIRE(audit.step());
    CHECK(audit.int64(0) == 1);
    CHECK(audit.text(1).contains(QStringLiteral("approved by Dr. A. Lindqvist")));
    review.reviewer = QStringLiteral("  ");
    CHECK_THROWS_AS(reviews.add(review), StorageError);
    review.reviewer = QStringLiteral("Dr. B");
    review.afterPhotoId = 99;
    CHECK_THROWS_AS(reviews.add(review), StorageError);
}

TEST_CASE("a version 7 database migrates to the current schema: its review stays, plan drafts can "
          "be autosaved",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 7);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(tableExists(db, "plan_drafts"));
    const auto reviews = ReviewStore(db).ofClient(1);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0].reviewer == QStringLiteral("Dr. A. Lindqvist"));
    CHECK(reviews[0].approved);

    DraftStore drafts(db);
    CHECK(drafts.planDrafts().empty());
    drafts.putPlanDraft(1, QByteArray("{\"first\": true}"));
    drafts.putPlanDraft(1, QByteArray("{\"second\": true}")); // replaces
    const auto draft = drafts.planDraft(1);
    REQUIRE(draft.has_value());
    CHECK(draft->clientId == 1);
    CHECK(draft->content == QByteArray("{\"second\": true}"));
    CHECK(drafts.planDrafts().size() == 1);
    CHECK_THROWS_AS(drafts.putPlanDraft(99, QByteArray("{}")), StorageError);
    // A draft goes with its photo.
    PhotoLibrary(db).remove(1);
    CHECK(drafts.planDrafts().empty());
}

TEST_CASE("a version 8 database migrates to the current schema: its corrected analysis keeps its "
          "coverage as analysed and says so, new analyses keep their hair share",
          "[migrations]")
{
    ScratchDir dir;
    const QString path = writeFixture(dir, 8);
    Database db(path);
    CHECK(db.schemaVersion() == kCurrentSchemaVersion);
    CHECK(db.integrityProblems(true).isEmpty());
    CHECK(db.foreignKeyProblems().isEmpty());

    // The fixture: photo 2 (the sample photo, top view) analysed by 1.20 and 3,016 map pixels
    // taken off its scalp with `smp correct`.
    AnalysisStore store(db);
    const auto analysis = store.latest(2);
    REQUIRE(analysis.has_value());
    CHECK(analysis->version == QStringLiteral("1.20"));
    CHECK(analysis->hairFraction.isEmpty());
    const QByteArray corrected = store.correctedGrades(*analysis);
    REQUIRE(corrected.size() == analysis->grades.size());
    CHECK(std::count(corrected.begin(), corrected.end(), '\0') -
              std::count(analysis->grades.begin(), analysis->grades.end(), '\0') ==
          3016);
    const smp::clinic::ScalpCoverage coverage = smp::clinic::scalpCoverage(*analysis, corrected);
    CHECK(coverage.notRetaken);
    CHECK_FALSE(coverage.overCorrectedScalp);
    CHECK(coverage.percent == Approx(64.488).margin(0.001));

    // A new analysis of the photo stores its hair share beside its grades.
    StoredAnalysis next = *analysis;
    next.hairFraction = QByteArray(next.grades.size(), char(200));
    const RecordId id = store.add(next);
    CHECK(store.find(id)->hairFraction == next.hairFraction);
    CHECK(store.find(analysis->id)->hairFraction.isEmpty());
}
