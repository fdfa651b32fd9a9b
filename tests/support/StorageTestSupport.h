#pragma once

// Helpers for tests that work on an smp::storage database.

#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"

namespace smp::test {

// Adds a client with only a family name and returns its id.
inline storage::RecordId addClient(storage::Database &db, const QString &familyName)
{
    storage::Client client;
    client.familyName = familyName;
    return storage::ClientStore(db).add(client);
}

} // namespace smp::test
