-- SMP Planner database at schema version 2 (the audit trail release), dumped from a database
-- that release wrote. A frozen fixture for the migration tests: never edit it.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta VALUES('created_at','2026-11-23T21:49:51.837Z');
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
INSERT INTO clients VALUES(1,'Okafor','Chidi','1979-11-02','unspecified','','','',5,'','','chidi okafor','2026-11-23T21:49:51.838Z','2026-11-23T21:49:51.838Z');
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
    notes         TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, sha256)
) STRICT;
INSERT INTO photos VALUES(1,1,'top','2026-11-23T21:40:12.096Z','2026-11-23T21:49:51.867Z','bd565a7061bde5be52abfa2d21f7ba1e2b5c73e20bf7215364ae7924eca53651','bd/bd565a7061bde5be52abfa2d21f7ba1e2b5c73e20bf7215364ae7924eca53651.jpg','sample-scalp-top.jpg','jpeg',1600,1200,500465,'');
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
INSERT INTO audit_log VALUES(1,'2026-11-23T21:49:51.838Z','fixture','insert','clients',1,1,'Chidi Okafor');
INSERT INTO audit_log VALUES(2,'2026-11-23T21:49:51.867Z','fixture','insert','photos',1,1,'sample-scalp-top.jpg (top, 1600x1200)');
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE INDEX clients_by_name ON clients (family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE INDEX consents_by_client ON consents (client_id);
CREATE INDEX photos_by_client ON photos (client_id, taken_at);
CREATE INDEX photos_by_hash ON photos (sha256);
CREATE INDEX audit_by_record ON audit_log (table_name, record_id);
CREATE INDEX audit_by_client ON audit_log (client_id);
COMMIT;
PRAGMA user_version = 2;
