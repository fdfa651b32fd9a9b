#pragma once

#include <QString>

#include <stdexcept>

namespace smp::storage {

// What went wrong, for callers that react differently (the GUI offers "choose another
// database" for NotADatabase, "retry" for Locked, ...). The message is always complete
// on its own: it names the file or field and what is wrong, in one line.
enum class ErrorKind
{
    NotADatabase, // the file exists but is not a SQLite database
    Damaged,      // SQLite database that fails the integrity check
    NewerSchema,  // written by a newer program; never modified
    ReadOnly,     // file or its folder cannot be written
    Locked,       // another program holds the write lock past the busy timeout
    DiskFull,     // no space left while writing
    NotFound,     // a record or file that was asked for does not exist
    InvalidInput, // a field value out of range or malformed
    Duplicate,    // the record already exists (e.g. the same photo for the same client)
    Io,           // other file-system errors
    Sql,          // any other SQLite error (a bug or an unexpected condition)
};

// Thrown by everything in smp::storage. The what() string is the UTF-8 of message().
class StorageError : public std::runtime_error
{
public:
    StorageError(ErrorKind kind, const QString &message)
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
        , m_message(message)
    {}

    ErrorKind kind() const noexcept { return m_kind; }
    const QString &message() const noexcept { return m_message; }

private:
    ErrorKind m_kind;
    QString m_message;
};

} // namespace smp::storage
