#pragma once

#include "smp/storage/Records.h"

#include <QString>

#include <optional>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

// Resource path of the bundled sample photo (drawn by smp::imaging::drawSampleScalp and
// committed as resources/sample/sample-scalp-top.jpg).
QString samplePhotoResource();

// On a database that has never held a client, adds the sample client with screening, consents
// and the sample photo, and records in the meta table that it did, so that deleting the sample
// client does not bring it back. Returns the new client's id, or nothing when it did not seed.
std::optional<storage::RecordId> seedSampleClientIfNew(storage::Database &db);

// Where the application and `smp` keep the database when no --database is given:
// <GenericDataLocation>/smp-planner/clinic.sqlite, i.e. ~/.local/share/smp-planner/clinic.sqlite
// on Linux (QStandardPaths; honours XDG_DATA_HOME).
QString defaultDatabasePath();

} // namespace smp::clinic
