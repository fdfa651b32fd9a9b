#pragma once

#include "smp/storage/Records.h"

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// The audit trail: who changed which record, when, and which fields.
// record() must be called inside the transaction of the change it describes, so the change
// and its audit line commit together.
class AuditLog
{
public:
    explicit AuditLog(Database &db)
        : m_db(db)
    {}

    void record(const QString &action, const QString &tableName, RecordId recordId,
                std::optional<RecordId> clientId, const QString &details);

    // Newest first. clientId empty: all entries.
    std::vector<AuditEntry> entries(std::optional<RecordId> clientId = std::nullopt,
                                    int limit = 200);

private:
    Database &m_db;
};

} // namespace smp::storage
