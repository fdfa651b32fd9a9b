-- SMP Planner database at schema version 3 (photos and calibrations), dumped from a database
-- that release wrote. A frozen fixture for the migration tests: never edit it.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta VALUES('created_at','2026-11-23T22:24:15.945Z');
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
) STRICT;
INSERT INTO clients VALUES(1,'Okafor','Chidi',NULL,'unspecified','','','',NULL,'','','chidi okafor','2026-11-23T22:24:15.962Z','2026-11-23T22:24:15.962Z');
CREATE TABLE screening_answers (
    client_id   INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('none', 'needs_clearance', 'excludes')),
    note        TEXT NOT NULL DEFAULT '',
    answered_on TEXT NOT NULL CHECK (date(answered_on) = answered_on),
    answered_by TEXT NOT NULL,
    PRIMARY KEY (client_id, item)
) STRICT;
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (length(kind) > 0),
    text_version TEXT NOT NULL CHECK (length(text_version) > 0),
    signed_on    TEXT NOT NULL CHECK (date(signed_on) = signed_on),
    signed_by    TEXT NOT NULL CHECK (length(signed_by) > 0)
) STRICT;
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
    notes         TEXT NOT NULL DEFAULT '', rotation_quarter_turns INTEGER NOT NULL DEFAULT 0 CHECK (rotation_quarter_turns BETWEEN 0 AND 3), taken_at_source TEXT NOT NULL DEFAULT 'file' CHECK (taken_at_source IN ('exif', 'file')),
    UNIQUE (client_id, sha256)
) STRICT;
INSERT INTO photos VALUES(1,1,'top','2026-11-23T22:23:00.584Z','2026-11-23T22:24:15.996Z','459146a556f373faf962298b7025839a6560db0792ebde34ac21a8e197fb832e','45/459146a556f373faf962298b7025839a6560db0792ebde34ac21a8e197fb832e.jpg','sample-scalp-top.jpg','jpeg',1600,1200,525528,'',0,'file');
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    table_name TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    client_id  INTEGER,
    details    TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO audit_log VALUES(1,'2026-11-23T22:24:15.962Z','fixture','insert','clients',1,1,'Chidi Okafor');
INSERT INTO audit_log VALUES(2,'2026-11-23T22:24:15.996Z','fixture','insert','photos',1,1,'sample-scalp-top.jpg (top, 1600x1200)');
INSERT INTO audit_log VALUES(3,'2026-11-23T22:24:16.053Z','fixture','insert','photo_calibrations',1,1,'photo 1: marker, 0.166866 mm/px +- 0.000348');
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE photo_calibrations (
    id                    INTEGER PRIMARY KEY,
    photo_id              INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    method                TEXT NOT NULL CHECK (method IN ('marker', 'manual')),
    mm_per_px             REAL NOT NULL CHECK (mm_per_px > 0),
    uncertainty_mm_per_px REAL NOT NULL CHECK (uncertainty_mm_per_px >= 0),
    details               TEXT NOT NULL DEFAULT '{}',
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL
) STRICT;
INSERT INTO photo_calibrations VALUES(1,1,'marker',0.16686580377158566346,0.00034805245564980950324,'{"corners_px":[[80.0697250366211,84.071044921875],[199.9278564453125,84.07350158691406],[199.9278564453125,203.92649841308594],[80.0697250366211,203.928955078125]],"image_to_plane_mm":[0.16685595015509314,-2.351725547628467e-18,-23.359836208817,-9.885232073361585e-18,0.1668596781996053,-24.02779366074316,-3.420029482045157e-07,7.410564780228573e-19,1],"marker_id":30,"side_mm":20,"side_px":119.8567924625394,"tilt_degrees":0.38300397609817227}','2026-11-23T22:24:16.053Z','fixture');
CREATE INDEX clients_by_name ON clients (family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE INDEX consents_by_client ON consents (client_id);
CREATE INDEX photos_by_client ON photos (client_id, taken_at);
CREATE INDEX photos_by_hash ON photos (sha256);
CREATE INDEX audit_by_record ON audit_log (table_name, record_id);
CREATE INDEX audit_by_client ON audit_log (client_id);
CREATE INDEX calibrations_by_photo ON photo_calibrations (photo_id, id);
COMMIT;
PRAGMA user_version = 3;
