#pragma once

#include <functional>
#include <span>

namespace smp::storage {

class Database;

// One schema step: turns a database at version toVersion - 1 into toVersion.
struct Migration
{
    int toVersion;
    const char *description;
    std::function<void(Database &)> apply;
};

// The schema version this program writes and the newest it can open.
inline constexpr int kCurrentSchemaVersion = 9;

// The real schema history, oldest first; migrations()[i].toVersion == i + 1.
std::span<const Migration> schemaMigrations();

// Applies the steps of `steps` above the database's PRAGMA user_version, one step per
// transaction (the step and the new user_version commit together, or neither does).
// Throws StorageError(NewerSchema) without writing anything when the database is newer than
// the last step; a failing step rolls back and throws, leaving the last good version.
// Returns the number of steps applied.
int migrate(Database &db, std::span<const Migration> steps);

// PRAGMA user_version of the database.
int userVersion(Database &db);

} // namespace smp::storage
