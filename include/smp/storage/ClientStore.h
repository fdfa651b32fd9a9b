#pragma once

#include "smp/storage/Records.h"

#include <optional>
#include <span>
#include <vector>

namespace smp::storage {

class Database;

// Clients and their screening and consents. Every change validates its fields first
// (StorageError InvalidInput naming the field), runs in one transaction and writes its audit
// line in the same transaction.
class ClientStore
{
public:
    explicit ClientStore(Database &db)
        : m_db(db)
    {}

    // Stores a new client and returns its id (client.id is ignored).
    RecordId add(const Client &client);
    // Saves all fields of an existing client. NotFound when client.id does not exist.
    void update(const Client &client);
    std::optional<Client> find(RecordId id);
    // Like find(), but throws NotFound.
    Client get(RecordId id);

    // Clients whose name, phone or e-mail contain every word of `text` (case and accents
    // ignored), sorted by family then given name. Empty text lists everyone. limit < 0: all.
    std::vector<ClientSummary> search(const QString &text, int limit = -1);
    int count();

    // Deletes the client with its screening, consents and photo rows in one transaction,
    // then the photo files no other row names (after the commit, so a failed delete loses
    // nothing). NotFound when the id does not exist.
    void remove(RecordId id);

    std::vector<ScreeningEntry> screening(RecordId clientId);
    // Stores the given answers (replacing earlier answers to the same items) in one
    // transaction. Items must come from contraindicationCatalogue().
    void setScreening(RecordId clientId, std::span<const ScreeningEntry> entries);

    std::vector<Consent> consents(RecordId clientId);
    RecordId addConsent(const Consent &consent);
    void removeConsent(RecordId consentId);

    // The normalised form used for searching: accents stripped, case folded, spaces collapsed.
    static QString searchKey(const QString &text);

private:
    void requireClient(RecordId id);

    Database &m_db;
};

// Checks a client's fields; returns the first problem as "field: what is wrong", or an empty
// string when the client is valid.
QString validateClient(const Client &client);

} // namespace smp::storage
