-- SMP Planner database at schema version 1, as the first release wrote it.
-- A frozen fixture for the migration tests: never edit it to follow later schema changes.
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
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
CREATE INDEX clients_by_name ON clients (family_name COLLATE NOCASE, given_name COLLATE NOCASE);
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
CREATE INDEX consents_by_client ON consents (client_id);
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
CREATE INDEX photos_by_client ON photos (client_id, taken_at);
CREATE INDEX photos_by_hash ON photos (sha256);
INSERT INTO meta (key, value) VALUES ('created_at', '2025-03-01T09:00:00.000Z');
INSERT INTO clients (id, family_name, given_name, date_of_birth, sex, phone, email, address,
                     fitzpatrick, hair_colour, notes, search_text, created_at, updated_at)
VALUES (1, 'Okafor', 'Chidi', '1979-11-02', 'male', '+44 20 7946 0001', 'chidi@example.com',
        '1 High Street', 5, 'black', 'Prefers Saturdays', 'chidi okafor +44 20 7946 0001 chidi@example.com',
        '2025-03-01T09:10:00.000Z', '2025-03-01T09:10:00.000Z'),
       (2, 'Lindqvist', 'Åsa', NULL, 'female', '', '', '', NULL, 'blond', '',
        'asa lindqvist  ', '2025-03-02T10:00:00.000Z', '2025-03-02T10:00:00.000Z');
INSERT INTO screening_answers (client_id, item, answer, note, answered_on, answered_by)
VALUES (1, 'keloid', 'none', '', '2025-03-01', 'tech1'),
       (1, 'anticoagulants', 'needs_clearance', 'warfarin', '2025-03-01', 'tech1');
INSERT INTO consents (id, client_id, kind, text_version, signed_on, signed_by)
VALUES (1, 1, 'treatment', '1.0', '2025-03-01', 'Chidi Okafor');
INSERT INTO photos (id, client_id, view, taken_at, imported_at, sha256, file_name, original_name,
                    format, width_px, height_px, byte_size)
VALUES (1, 1, 'top', '2025-03-01T09:20:00.000Z', '2025-03-01T09:21:00.000Z',
        'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        'aa/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg',
        'IMG_0001.JPG', 'jpeg', 4032, 3024, 2345678);
PRAGMA user_version = 1;
COMMIT;
