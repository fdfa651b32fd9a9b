#include "smp/storage/FileWriting.h"

#include "smp/storage/StorageError.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace smp::storage {

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

[[noreturn]] void throwWriteError(int error, const QString &path, const QString &what)
{
    const QString reason = QString::fromLocal8Bit(std::strerror(error));
    if (error == ENOSPC || error == EDQUOT) {
        throw StorageError(ErrorKind::DiskFull,
                           QStringLiteral("disk full while %1 \"%2\"; nothing was saved. Free "
                                          "some space and try again.")
                               .arg(what, path));
    }
    if (error == EROFS || error == EACCES || error == EPERM) {
        throw StorageError(
            ErrorKind::ReadOnly,
            QStringLiteral("cannot write \"%1\" (%2) while %3").arg(path, reason, what));
    }
    throw StorageError(ErrorKind::Io,
                       QStringLiteral("%1 \"%2\" failed: %3").arg(what, path, reason));
}

// Owns a file descriptor; closes it on scope exit.
class FileDescriptor
{
public:
    explicit FileDescriptor(int fd)
        : m_fd(fd)
    {}
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_fd; }
    // Closes now and reports the error close() returned (0 when fine).
    int close()
    {
        const int rc = ::close(m_fd);
        m_fd = -1;
        return rc == 0 ? 0 : errno;
    }

private:
    int m_fd;
};

// Removes a temporary file unless release() was called.
class TemporaryPath
{
public:
    explicit TemporaryPath(QString path)
        : m_path(std::move(path))
    {}
    ~TemporaryPath()
    {
        if (!m_path.isEmpty())
            QFile::remove(m_path);
    }
    TemporaryPath(const TemporaryPath &) = delete;
    TemporaryPath &operator=(const TemporaryPath &) = delete;
    void release() { m_path.clear(); }

private:
    QString m_path;
};

void writeAll(int fd, const char *data, std::size_t size, const QString &path)
{
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throwWriteError(errno, path, QStringLiteral("writing"));
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

// Creates a unique temporary file in `folder`; returns its path and an open descriptor.
std::pair<QString, int> createTemporary(const QString &folder)
{
    if (!QDir().mkpath(folder)) {
        throw StorageError(ErrorKind::ReadOnly,
                           QStringLiteral("cannot create folder \"%1\"").arg(folder));
    }
    QByteArray pattern = QFile::encodeName(folder + QStringLiteral("/.tmp-XXXXXX"));
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0)
        throwWriteError(errno, folder, QStringLiteral("creating a temporary file in"));
    return {QFile::decodeName(pattern), fd};
}

// Copies everything from `sourcePath` to `fd`, feeding `hash` when given. Returns the size.
std::int64_t copyInto(const QString &sourcePath, int fd, const QString &tempPath,
                      QCryptographicHash *hash)
{
    QFile source(sourcePath);
    if (!source.open(QIODevice::ReadOnly)) {
        const ErrorKind kind = QFileInfo::exists(sourcePath) ? ErrorKind::Io : ErrorKind::NotFound;
        throw StorageError(
            kind, QStringLiteral("cannot read \"%1\": %2").arg(sourcePath, source.errorString()));
    }
    QByteArray buffer(static_cast<qsizetype>(kChunkBytes), Qt::Uninitialized);
    std::int64_t total = 0;
    for (;;) {
        const qint64 got = source.read(buffer.data(), buffer.size());
        if (got < 0) {
            throw StorageError(
                ErrorKind::Io,
                QStringLiteral("reading \"%1\" failed: %2").arg(sourcePath, source.errorString()));
        }
        if (got == 0)
            break;
        if (hash)
            hash->addData(QByteArrayView(buffer.constData(), got));
        writeAll(fd, buffer.constData(), static_cast<std::size_t>(got), tempPath);
        total += got;
    }
    if (::fsync(fd) != 0)
        throwWriteError(errno, tempPath, QStringLiteral("flushing"));
    return total;
}

} // namespace

void syncDirectory(const QString &folder)
{
    const int fd =
        ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throwWriteError(errno, folder, QStringLiteral("opening folder"));
    FileDescriptor guard(fd);
    if (::fsync(fd) != 0 && errno != EINVAL)
        throwWriteError(errno, folder, QStringLiteral("flushing folder"));
}

void renameDurably(const QString &from, const QString &to)
{
    if (::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0)
        throwWriteError(errno, to, QStringLiteral("renaming into"));
    syncDirectory(QFileInfo(to).absolutePath());
}

QString sha256OfFile(const QString &path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        return QString();
    return QString::fromLatin1(hash.result().toHex());
}

StoredFile storeContentAddressed(const QString &sourcePath, const QString &root,
                                 const std::function<QString(const QString &)> &pathForHash)
{
    auto [tempPath, fd] = createTemporary(root + QStringLiteral("/.incoming"));
    TemporaryPath cleanup(tempPath);
    FileDescriptor descriptor(fd);

    QCryptographicHash hash(QCryptographicHash::Sha256);
    StoredFile stored;
    stored.byteSize = copyInto(sourcePath, descriptor.get(), tempPath, &hash);
    if (const int error = descriptor.close(); error != 0)
        throwWriteError(error, tempPath, QStringLiteral("closing"));
    if (stored.byteSize == 0) {
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("\"%1\" is empty (0 bytes)").arg(sourcePath));
    }
    stored.sha256 = QString::fromLatin1(hash.result().toHex());
    stored.relativePath = pathForHash(stored.sha256);

    const QString finalPath = root + QLatin1Char('/') + stored.relativePath;
    const QFileInfo finalInfo(finalPath);
    if (finalInfo.exists()) {
        // Hashed only when the same content comes again, which is rare.
        if (finalInfo.size() == stored.byteSize && sha256OfFile(finalPath) == stored.sha256) {
            stored.previously = StoredFile::Previously::SameContent;
            return stored; // the temporary copy goes
        }
        stored.previously = StoredFile::Previously::Damaged;
    }
    const QString folder = finalInfo.absolutePath();
    if (!QDir().mkpath(folder)) {
        throw StorageError(ErrorKind::ReadOnly,
                           QStringLiteral("cannot create folder \"%1\"").arg(folder));
    }
    renameDurably(tempPath, finalPath);
    cleanup.release();
    return stored;
}

void copyFileAtomically(const QString &sourcePath, const QString &destination)
{
    const QString folder = QFileInfo(destination).absolutePath();
    auto [tempPath, fd] = createTemporary(folder);
    TemporaryPath cleanup(tempPath);
    FileDescriptor descriptor(fd);
    copyInto(sourcePath, descriptor.get(), tempPath, nullptr);
    if (const int error = descriptor.close(); error != 0)
        throwWriteError(error, tempPath, QStringLiteral("closing"));
    renameDurably(tempPath, destination);
    cleanup.release();
}

} // namespace smp::storage
