#include "smp/storage/SettingsStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"
#include "smp/storage/Transaction.h"

namespace smp::storage {

std::optional<QString> SettingsStore::value(const QString &key)
{
    auto query = m_db.prepare("SELECT value FROM settings WHERE key = ?1");
    query.bind(1, key);
    if (!query.step())
        return std::nullopt;
    return query.text(0);
}

void SettingsStore::setValue(const QString &key, const QString &value)
{
    Transaction transaction(m_db);
    auto upsert = m_db.prepare("INSERT INTO settings (key, value) VALUES (?1, ?2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, key).bind(2, value).run();
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("settings"), 0, std::nullopt,
                          key);
    transaction.commit();
}

void SettingsStore::remove(const QString &key)
{
    Transaction transaction(m_db);
    auto erase = m_db.prepare("DELETE FROM settings WHERE key = ?1");
    erase.bind(1, key).run();
    AuditLog(m_db).record(QStringLiteral("delete"), QStringLiteral("settings"), 0, std::nullopt,
                          key);
    transaction.commit();
}

} // namespace smp::storage
