#include "smp/storage/Migrations.h"

#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

namespace smp::storage {

namespace {

// Version 1: the clinic's records as first shipped.
void createVersion1(Database &db)
{
    db.execute(R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT)sql");

    db.execute(R"sql(
CREATE TABLE clients (
    id            INTEGER PRIMARY KEY,
    family_name   TEXT NOT NULL CHECK (length(trim(family_name)) > 0),
    given_name    TEXT NOT NULL DEFAULT '',
    date_of_birth TEXT CHECK (date_of_birth IS NULL OR date(date_of_birth) = date_of_birth),
    sex           TEXT NOT NULL DEFAULT 'unspecified'
                  CHECK (sex IN ('unspecified', 'female', 'male', 'other')),
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    fitzpatrick   INTEGER CHECK (fitzpatrick IS NULL OR fitzpatrick BETWEEN 1 AND 6),
    hair_colour   TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    search_text   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX clients_by_name ON clients (family_name COLLATE NOCASE, "
               "given_name COLLATE NOCASE)");

    db.execute(R"sql(
CREATE TABLE screening_answers (
    client_id   INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('none', 'needs_clearance', 'excludes')),
    note        TEXT NOT NULL DEFAULT '',
    answered_on TEXT NOT NULL CHECK (date(answered_on) = answered_on),
    answered_by TEXT NOT NULL,
    PRIMARY KEY (client_id, item)
) STRICT)sql");

    db.execute(R"sql(
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (length(kind) > 0),
    text_version TEXT NOT NULL CHECK (length(text_version) > 0),
    signed_on    TEXT NOT NULL CHECK (date(signed_on) = signed_on),
    signed_by    TEXT NOT NULL CHECK (length(signed_by) > 0)
) STRICT)sql");
    db.execute("CREATE INDEX consents_by_client ON consents (client_id)");

    db.execute(R"sql(
CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    view          TEXT NOT NULL
                  CHECK (view IN ('front', 'top', 'crown', 'back', 'left', 'right', 'other')),
    taken_at      TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    file_name     TEXT NOT NULL,
    original_name TEXT NOT NULL DEFAULT '',
    format        TEXT NOT NULL,
    width_px      INTEGER NOT NULL CHECK (width_px > 0),
    height_px     INTEGER NOT NULL CHECK (height_px > 0),
    byte_size     INTEGER NOT NULL CHECK (byte_size > 0),
    notes         TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, sha256)
) STRICT)sql");
    db.execute("CREATE INDEX photos_by_client ON photos (client_id, taken_at)");
    db.execute("CREATE INDEX photos_by_hash ON photos (sha256)");
}

// Version 2: the audit trail, and room for settings that travel with backups.
void createVersion2(Database &db)
{
    db.execute(R"sql(
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    table_name TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    client_id  INTEGER,
    details    TEXT NOT NULL DEFAULT ''
) STRICT)sql");
    db.execute("CREATE INDEX audit_by_record ON audit_log (table_name, record_id)");
    db.execute("CREATE INDEX audit_by_client ON audit_log (client_id)");

    db.execute(R"sql(
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT)sql");
}

// Version 3: photos a clinic takes: rotation after import, where the capture time came from,
// and calibrations (millimetres per pixel) with their method and uncertainty.
void createVersion3(Database &db)
{
    db.execute("ALTER TABLE photos ADD COLUMN rotation_quarter_turns INTEGER NOT NULL DEFAULT 0 "
               "CHECK (rotation_quarter_turns BETWEEN 0 AND 3)");
    db.execute("ALTER TABLE photos ADD COLUMN taken_at_source TEXT NOT NULL DEFAULT 'file' "
               "CHECK (taken_at_source IN ('exif', 'file'))");
    db.execute(R"sql(
CREATE TABLE photo_calibrations (
    id                    INTEGER PRIMARY KEY,
    photo_id              INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    method                TEXT NOT NULL CHECK (method IN ('marker', 'manual')),
    mm_per_px             REAL NOT NULL CHECK (mm_per_px > 0),
    uncertainty_mm_per_px REAL NOT NULL CHECK (uncertainty_mm_per_px >= 0),
    details               TEXT NOT NULL DEFAULT '{}',
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX calibrations_by_photo ON photo_calibrations (photo_id, id)");
}

// Version 4: scalp analyses with their algorithm, version and parameters, and the technician's
// corrections to the grade map as changed tiles (the original map is kept).
void createVersion4(Database &db)
{
    db.execute(R"sql(
CREATE TABLE photo_analyses (
    id                  INTEGER PRIMARY KEY,
    photo_id            INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    algorithm           TEXT NOT NULL,
    version             TEXT NOT NULL,
    parameters          TEXT NOT NULL,
    summary             TEXT NOT NULL,
    map_width           INTEGER NOT NULL CHECK (map_width > 0),
    map_height          INTEGER NOT NULL CHECK (map_height > 0),
    photo_px_per_map_px REAL NOT NULL CHECK (photo_px_per_map_px > 0),
    grades              BLOB NOT NULL,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX analyses_by_photo ON photo_analyses (photo_id, id)");
    db.execute(R"sql(
CREATE TABLE analysis_corrections (
    analysis_id INTEGER NOT NULL REFERENCES photo_analyses (id) ON DELETE CASCADE,
    tile_x      INTEGER NOT NULL CHECK (tile_x >= 0),
    tile_y      INTEGER NOT NULL CHECK (tile_y >= 0),
    grades      BLOB NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (analysis_id, tile_x, tile_y)
) STRICT)sql");
}

// Version 5: treatment plans. The plan itself (every dot) is kept as the plan JSON of
// smp::planning (schema "smp-plan"), zlib-compressed; its settings, hairline and per-session
// summary are kept readable beside it.
void createVersion5(Database &db)
{
    db.execute(R"sql(
CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    photo_id    INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    analysis_id INTEGER REFERENCES photo_analyses (id) ON DELETE SET NULL,
    algorithm   TEXT NOT NULL,
    version     TEXT NOT NULL,
    seed        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    hairline    TEXT,
    summary     TEXT NOT NULL,
    plan        BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX plans_by_photo ON plans (photo_id, id)");
}

// Version 6: the treatment schedule. Appointments (sessions, their sittings, touch-up recalls)
// are instants in UTC with a stable UID for calendar exports and a SEQUENCE that grows with each
// change; what was done at a performed session is kept beside its appointment; a client's
// preferred days and times for booking.
void createVersion6(Database &db)
{
    db.execute(R"sql(
CREATE TABLE appointments (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    client_id  INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    plan_id    INTEGER REFERENCES plans (id) ON DELETE SET NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('session', 'recall')),
    session    INTEGER NOT NULL DEFAULT 0 CHECK (session BETWEEN 0 AND 6),
    sitting    INTEGER NOT NULL DEFAULT 1 CHECK (sitting BETWEEN 1 AND 20),
    of_sessions INTEGER NOT NULL DEFAULT 0 CHECK (of_sessions BETWEEN 0 AND 6),
    starts_at  TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
    technician TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'booked'
               CHECK (status IN ('booked', 'done', 'cancelled', 'no-show')),
    sequence   INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX appointments_by_time ON appointments (starts_at)");
    db.execute("CREATE INDEX appointments_by_client ON appointments (client_id, starts_at)");
    db.execute(R"sql(
CREATE TABLE session_records (
    appointment_id INTEGER PRIMARY KEY REFERENCES appointments (id) ON DELETE CASCADE,
    dilution       TEXT NOT NULL DEFAULT '',
    needle         TEXT NOT NULL DEFAULT '',
    minutes        INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 0 AND 1440),
    notes          TEXT NOT NULL DEFAULT '',
    after_photo_id INTEGER REFERENCES photos (id) ON DELETE SET NULL,
    recorded_at    TEXT NOT NULL,
    recorded_by    TEXT NOT NULL
) STRICT)sql");
    db.execute(R"sql(
CREATE TABLE schedule_preferences (
    client_id INTEGER PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    weekdays  TEXT NOT NULL DEFAULT '1111111'
              CHECK (length(weekdays) = 7 AND weekdays GLOB '[01][01][01][01][01][01][01]'),
    earliest  TEXT CHECK (earliest IS NULL OR time(earliest) IS NOT NULL),
    latest    TEXT CHECK (latest IS NULL OR time(latest) IS NOT NULL)
) STRICT)sql");
}

// Version 7: the clinician's reviews of before/after pairs: who, when, approved or not, notes,
// the two photos and the coverage measured when the review was made.
void createVersion7(Database &db)
{
    db.execute(R"sql(
CREATE TABLE photo_reviews (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    before_photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    after_photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    reviewer        TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    approved        INTEGER NOT NULL CHECK (approved IN (0, 1)),
    notes           TEXT NOT NULL DEFAULT '',
    coverage_before REAL,
    coverage_after  REAL,
    residual_px     REAL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
) STRICT)sql");
    db.execute("CREATE INDEX reviews_by_client ON photo_reviews (client_id, created_at)");
}

// Version 8: drafts of plans being designed (autosaved work in progress, one per photo), so a
// crash or kill loses at most the last seconds of a design. Not records: no audit lines.
void createVersion8(Database &db)
{
    db.execute(R"sql(
CREATE TABLE plan_drafts (
    photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    content  BLOB NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
) STRICT)sql");
}

// Version 9: each analysis's per-pixel hair share (NULL for analyses made before), so that the
// whole-scalp coverage can be taken again over the scalp as the technician corrects it.
void createVersion9(Database &db)
{
    db.execute("ALTER TABLE photo_analyses ADD COLUMN hair_fraction BLOB");
}

const Migration kMigrations[] = {
    {1, "clients, screening, consents, photos", createVersion1},
    {2, "audit trail and settings", createVersion2},
    {3, "photo rotation, capture-time source and calibrations", createVersion3},
    {4, "scalp analyses and their corrections", createVersion4},
    {5, "treatment plans", createVersion5},
    {6, "appointments, session records and booking preferences", createVersion6},
    {7, "clinician reviews of before/after photos", createVersion7},
    {8, "autosaved drafts of plans being designed", createVersion8},
    {9, "the hair share of each analysis's map", createVersion9},
    // A new step: add it here, bump kCurrentSchemaVersion, and add the fixture of the previous
    // version (tests/data/schema-vN.sql) to the migration tests.
};

static_assert(std::size(kMigrations) == kCurrentSchemaVersion);

} // namespace

std::span<const Migration> schemaMigrations()
{
    return kMigrations;
}

int userVersion(Database &db)
{
    auto statement = db.prepare("PRAGMA user_version");
    statement.step();
    return statement.integer(0);
}

int migrate(Database &db, std::span<const Migration> steps)
{
    const int newest = steps.empty() ? 0 : steps.back().toVersion;
    const int found = userVersion(db);
    if (found > newest) {
        throw StorageError(
            ErrorKind::NewerSchema,
            QStringLiteral("database \"%1\" has schema version %2, written by a newer SMP Planner "
                           "(this program reads up to version %3); it was not modified. Update "
                           "SMP Planner to open it.")
                .arg(db.path())
                .arg(found)
                .arg(newest));
    }

    int applied = 0;
    for (const Migration &step : steps) {
        if (step.toVersion <= found)
            continue;
        Transaction transaction(db);
        // Re-read inside the write lock: another connection may have migrated meanwhile.
        const int current = userVersion(db);
        if (current >= step.toVersion) {
            transaction.commit();
            continue;
        }
        if (current != step.toVersion - 1) {
            throw StorageError(ErrorKind::Sql,
                               QStringLiteral("database \"%1\": migration to version %2 expects "
                                              "version %3 but found %4")
                                   .arg(db.path())
                                   .arg(step.toVersion)
                                   .arg(step.toVersion - 1)
                                   .arg(current));
        }
        try {
            step.apply(db);
        } catch (const StorageError &error) {
            throw StorageError(error.kind(),
                               QStringLiteral("upgrading \"%1\" to schema version %2 (%3) failed, "
                                              "database left at version %4: %5")
                                   .arg(db.path())
                                   .arg(step.toVersion)
                                   .arg(QString::fromUtf8(step.description))
                                   .arg(current)
                                   .arg(error.message()));
        }
        db.execute("PRAGMA user_version = " + std::to_string(step.toVersion));
        transaction.commit();
        ++applied;
    }
    return applied;
}

} // namespace smp::storage
