#pragma once

// Helpers for tests that work on an smp::storage database.

#include "TestSupport.h"
#include "smp/clinic/PhotoImport.h"
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

// Draws a test image (writeTestImage(): `width` x `height` px, `format` "png" or "jpeg", pattern
// `seed`) at `path` and imports it for `client` as a `view` photo.
inline storage::Photo importTestImage(storage::Database &db, storage::RecordId client,
                                      const QString &path, int width, int height,
                                      const char *format, std::uint32_t seed,
                                      storage::PhotoView view = storage::PhotoView::Top)
{
    return clinic::importPhoto(db, client, writeTestImage(path, width, height, format, seed), view);
}

} // namespace smp::test
