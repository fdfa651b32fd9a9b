#pragma once

#include <QString>

#include <optional>

namespace smp::storage {

class Database;

// The clinic's settings: text values (JSON for tables) under dotted keys such as
// "planning.dilution_table". Each change is one transaction with its audit line.
class SettingsStore
{
public:
    explicit SettingsStore(Database &db)
        : m_db(db)
    {}

    std::optional<QString> value(const QString &key);
    void setValue(const QString &key, const QString &value);
    // Back to the built-in default (the key is removed).
    void remove(const QString &key);

private:
    Database &m_db;
};

} // namespace smp::storage
