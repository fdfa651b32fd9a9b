#include "smp/storage/Statement.h"

#include "smp/storage/Database.h"

#include <sqlite3.h>

#include <utility>

namespace smp::storage {

namespace {

// SQLITE_TRANSIENT without the old-style cast in its macro: SQLite copies the value.
const sqlite3_destructor_type kCopyValue =
    reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

} // namespace

Statement::Statement(const Database &db, sqlite3_stmt *stmt) noexcept
    : m_db(&db)
    , m_stmt(stmt)
{}

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
{}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement &Statement::bind(int index, std::int64_t value)
{
    const int rc = sqlite3_bind_int64(m_stmt, index, value);
    if (rc != SQLITE_OK)
        m_db->throwError(rc, QStringLiteral("binding parameter %1").arg(index));
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    const int rc = sqlite3_bind_double(m_stmt, index, value);
    if (rc != SQLITE_OK)
        m_db->throwError(rc, QStringLiteral("binding parameter %1").arg(index));
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    const int rc =
        sqlite3_bind_text64(m_stmt, index, utf8.constData(),
                            static_cast<sqlite3_uint64>(utf8.size()), kCopyValue, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        m_db->throwError(rc, QStringLiteral("binding parameter %1").arg(index));
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob)
{
    const int rc = sqlite3_bind_blob64(m_stmt, index, blob.constData(),
                                       static_cast<sqlite3_uint64>(blob.size()), kCopyValue);
    if (rc != SQLITE_OK)
        m_db->throwError(rc, QStringLiteral("binding parameter %1").arg(index));
    return *this;
}

Statement &Statement::bind(int index, const QDate &date)
{
    return date.isValid() ? bind(index, date.toString(Qt::ISODate)) : bindNull(index);
}

Statement &Statement::bind(int index, const QDateTime &dateTime)
{
    return dateTime.isValid() ? bind(index, dateTime.toUTC().toString(Qt::ISODateWithMs))
                              : bindNull(index);
}

Statement &Statement::bindNull(int index)
{
    const int rc = sqlite3_bind_null(m_stmt, index);
    if (rc != SQLITE_OK)
        m_db->throwError(rc, QStringLiteral("binding parameter %1").arg(index));
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    m_db->throwError(rc, QStringLiteral("saving or reading records"));
}

void Statement::run()
{
    while (step()) {
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

int Statement::integer(int column) const
{
    return sqlite3_column_int(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return QString::fromUtf8(data, size);
}

QByteArray Statement::blob(int column) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return QByteArray(data, size);
}

QDate Statement::date(int column) const
{
    if (isNull(column))
        return {};
    // Fast path for the stored form "YYYY-MM-DD" (lists of thousands of clients parse one each).
    const auto *c = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (sqlite3_column_bytes(m_stmt, column) == 10 && c[4] == '-' && c[7] == '-') {
        auto digits = [c](int from, int count) {
            int value = 0;
            for (int i = from; i < from + count; ++i) {
                if (c[i] < '0' || c[i] > '9')
                    return -1;
                value = value * 10 + (c[i] - '0');
            }
            return value;
        };
        const int year = digits(0, 4);
        const int month = digits(5, 2);
        const int day = digits(8, 2);
        if (year >= 0 && month >= 0 && day >= 0)
            return QDate(year, month, day); // invalid (null) for impossible dates, as fromString
    }
    return QDate::fromString(text(column), Qt::ISODate);
}

QDateTime Statement::dateTime(int column) const
{
    return isNull(column) ? QDateTime()
                          : QDateTime::fromString(text(column), Qt::ISODateWithMs).toUTC();
}

std::optional<std::int64_t> Statement::optionalInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return int64(column);
}

std::optional<double> Statement::optionalReal(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return real(column);
}

} // namespace smp::storage
