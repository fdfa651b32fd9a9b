#include "smp/storage/AuditLog.h"

#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"

namespace smp::storage {

void AuditLog::record(const QString &action, const QString &tableName, RecordId recordId,
                      std::optional<RecordId> clientId, const QString &details)
{
    auto insert = m_db.prepare("INSERT INTO audit_log (at, actor, action, table_name, record_id, "
                               "client_id, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, QDateTime::currentDateTimeUtc())
        .bind(2, m_db.actor())
        .bind(3, action)
        .bind(4, tableName)
        .bind(5, recordId)
        .bind(6, clientId)
        .bind(7, details)
        .run();
}

std::vector<AuditEntry> AuditLog::entries(std::optional<RecordId> clientId, int limit)
{
    auto query = m_db.prepare("SELECT id, at, actor, action, table_name, record_id, client_id, "
                              "details FROM audit_log WHERE ?1 IS NULL OR client_id = ?1 "
                              "ORDER BY id DESC LIMIT ?2");
    query.bind(1, clientId).bind(2, limit);
    std::vector<AuditEntry> result;
    while (query.step()) {
        AuditEntry entry;
        entry.id = query.int64(0);
        entry.at = query.dateTime(1);
        entry.actor = query.text(2);
        entry.action = query.text(3);
        entry.tableName = query.text(4);
        entry.recordId = query.int64(5);
        entry.clientId = query.optionalInt64(6);
        entry.details = query.text(7);
        result.push_back(std::move(entry));
    }
    return result;
}

} // namespace smp::storage
