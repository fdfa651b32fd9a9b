#pragma once

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <optional>

struct sqlite3_stmt;

namespace smp::storage {

class Database;

// A prepared SQLite statement (RAII). Parameters are 1-based like SQLite's ?1, ?2 ...
// Dates are stored as ISO 8601 text: QDate as "YYYY-MM-DD", QDateTime as UTC
// "YYYY-MM-DDTHH:MM:SS.zzzZ"; a null QDate/QDateTime or an empty std::optional binds SQL NULL,
// a QString always binds text (a null QString binds '').
// Columns are 0-based like sqlite3_column_*.
class Statement
{
public:
    Statement(const Database &db, sqlite3_stmt *stmt) noexcept;
    ~Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&) = delete;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, const char *utf8) { return bind(index, QString::fromUtf8(utf8)); }
    Statement &bind(int index, const QByteArray &blob);
    Statement &bind(int index, const QDate &date);
    Statement &bind(int index, const QDateTime &dateTime);
    template <typename T> Statement &bind(int index, const std::optional<T> &value)
    {
        return value ? bind(index, *value) : bindNull(index);
    }
    Statement &bindNull(int index);

    // Advances to the next row; false when done. Throws on error.
    bool step();
    // For statements that return no rows: steps once and checks it finished.
    void run();
    void reset();

    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    int integer(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    QDate date(int column) const;
    QDateTime dateTime(int column) const;
    std::optional<std::int64_t> optionalInt64(int column) const;
    std::optional<double> optionalReal(int column) const;

private:
    const Database *m_db;
    sqlite3_stmt *m_stmt;
};

} // namespace smp::storage
