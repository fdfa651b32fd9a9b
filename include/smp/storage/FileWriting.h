#pragma once

#include <QString>

#include <cstdint>
#include <functional>

namespace smp::storage {

struct StoredFile
{
    QString sha256;       // lower-case hex
    QString relativePath; // inside the root folder
    std::int64_t byteSize = 0;
    // What was at the content address before: nothing (a new file, or one lost since it was
    // stored), the same content (this copy was dropped), or other bytes (a file damaged since it
    // was stored, which this copy replaced).
    enum class Previously
    {
        Absent,
        SameContent,
        Damaged
    };
    Previously previously = Previously::Absent;
};

// Copies `sourcePath` into `root` under the path `pathForHash(sha256)` returns: reads the
// source once (hashing as it copies) into a temporary file in "<root>/.incoming", fsyncs it,
// renames it into place and fsyncs the folder. When a file with that content already exists
// the copy is dropped; a file at that address whose bytes are not that content (damaged since)
// is replaced. Throws StorageError (NotFound, DiskFull, Io) naming the file; nothing
// is left behind on failure.
StoredFile storeContentAddressed(const QString &sourcePath, const QString &root,
                                 const std::function<QString(const QString &sha256)> &pathForHash);

// The lower-case hex SHA-256 of the file's bytes (as storeContentAddressed() names it); empty
// when the file cannot be read.
QString sha256OfFile(const QString &path);

// Copies a file to `destination` through a temporary file beside it, fsync and rename.
void copyFileAtomically(const QString &sourcePath, const QString &destination);

// Renames `from` onto `to` (same file system) and fsyncs the folder of `to`.
void renameDurably(const QString &from, const QString &to);

// fsync of a folder, so that a rename in it survives a power cut.
void syncDirectory(const QString &folder);

} // namespace smp::storage
