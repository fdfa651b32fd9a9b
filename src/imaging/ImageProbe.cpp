#include "smp/imaging/ImageProbe.h"

#include "smp/imaging/PhotoFile.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>

#include <libheif/heif.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>

namespace smp::imaging {

namespace {

// Photo formats a clinic meets. Other formats QImageReader knows (xpm, ico, ...) are refused.
const char *const kPhotoFormats[] = {"jpeg", "png", "tiff", "webp", "bmp"};

// JPEG decoders fill a truncated image with grey and only warn; a complete JPEG ends with
// the End Of Image marker FF D9 (some cameras pad after it with zeros).
bool jpegHasEndMarker(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const qint64 tail = std::min<qint64>(file.size(), 4096);
    file.seek(file.size() - tail);
    const QByteArray bytes = file.read(tail);
    qsizetype end = bytes.size();
    while (end > 0 && (bytes[end - 1] == '\0' || bytes[end - 1] == '\n' || bytes[end - 1] == '\r'))
        --end;
    return end >= 2 && static_cast<unsigned char>(bytes[end - 2]) == 0xFF &&
           static_cast<unsigned char>(bytes[end - 1]) == 0xD9;
}

// libpng reports a truncated or damaged PNG through its default error handler, which writes
// "libpng error: ..." to standard error itself (Qt installs a warning handler only), so such a
// file is refused before it reaches the decoder. The walk follows the PNG specification's chunk
// layout: an 8-byte signature, then chunks of length (4 bytes, big-endian), type (4), data and a
// CRC-32 over type and data (4), up to IEND. Returns what is wrong as the rest of a sentence
// that starts "the PNG image", or an empty string.
QString pngStructureProblem(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot be opened (%1)").arg(file.errorString());
    const QByteArray bytes = file.readAll();
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qint64 size = bytes.size();
    static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size < 8 || std::memcmp(data, kSignature, 8) != 0)
        return QStringLiteral("has a damaged signature");
    const auto bigEndian = [data](qint64 at) {
        return (std::uint32_t(data[at]) << 24) | (std::uint32_t(data[at + 1]) << 16) |
               (std::uint32_t(data[at + 2]) << 8) | std::uint32_t(data[at + 3]);
    };
    qint64 at = 8;
    while (true) {
        if (at + 8 > size) {
            return QStringLiteral("is truncated: the file ends at byte %1, before the "
                                  "image's end chunk")
                .arg(size);
        }
        const std::uint32_t length = bigEndian(at);
        const QString type = QString::fromLatin1(bytes.mid(at + 4, 4));
        if (length > 0x7FFFFFFFu)
            return QStringLiteral("is damaged: its %1 chunk at byte %2 has an invalid length")
                .arg(type)
                .arg(at);
        if (at + 12 + qint64(length) > size) {
            return QStringLiteral("is truncated: the file ends at byte %1, inside the %2 "
                                  "chunk that starts at byte %3")
                .arg(size)
                .arg(type)
                .arg(at);
        }
        // A critical chunk (its type's first letter upper case: IHDR, PLTE, IDAT, IEND) must
        // match its CRC; an ancillary one that does not (a text or colour note) is skipped, as
        // libpng itself skips it.
        const bool critical = (data[at + 4] & 0x20) == 0;
        const uLong crc = crc32(crc32(0L, Z_NULL, 0), data + at + 4, uInt(length + 4));
        if (critical && crc != bigEndian(at + 8 + length)) {
            return QStringLiteral("is damaged: its %1 chunk at byte %2 fails its checksum")
                .arg(type)
                .arg(at);
        }
        at += 12 + qint64(length);
        if (type == QLatin1String("IEND"))
            return {};
    }
}

// Size of the primary image of a HEIC/HEIF file without decoding it; invalid when unreadable.
QSize heifSize(const QString &path, QString *error)
{
    heif_context *context = heif_context_alloc();
    heif_image_handle *handle = nullptr;
    QSize size;
    heif_error result =
        heif_context_read_from_file(context, QFile::encodeName(path).constData(), nullptr);
    if (result.code == heif_error_Ok)
        result = heif_context_get_primary_image_handle(context, &handle);
    if (result.code == heif_error_Ok)
        size = QSize(heif_image_handle_get_width(handle), heif_image_handle_get_height(handle));
    else
        *error = QString::fromUtf8(result.message);
    heif_image_handle_release(handle);
    heif_context_free(context);
    return size;
}

void checkPixelLimit(const QString &path, QSize size, const ImageLimits &limits)
{
    const qint64 pixels = qint64(size.width()) * size.height();
    if (pixels > limits.maxPixels) {
        throw ImageError(QStringLiteral("\"%1\": the image is %2x%3 (%4 megapixels); photos over "
                                        "%5 megapixels are refused")
                             .arg(path)
                             .arg(size.width())
                             .arg(size.height())
                             .arg(static_cast<double>(pixels) / 1e6, 0, 'f', 1)
                             .arg(limits.maxPixels / 1'000'000));
    }
}

// The time a photo is dated by until its EXIF is read: the file's modification time. A Qt
// resource (":/...", the bundled sample photo) has none of its own (it reads as the time the
// program was built), so it is dated now, when it is imported.
QDateTime fileTime(const QFileInfo &file)
{
    if (file.filePath().startsWith(QLatin1Char(':')))
        return QDateTime::currentDateTimeUtc();
    return file.lastModified().toUTC();
}

} // namespace

QStringList acceptedImageFormats()
{
    const QList<QByteArray> available = QImageReader::supportedImageFormats();
    QStringList formats;
    for (const char *format : kPhotoFormats) {
        if (available.contains(QByteArray(format)))
            formats << QString::fromLatin1(format);
    }
    formats << QStringLiteral("heif");
    return formats;
}

namespace {

ImageInfo probeHeif(const QString &path, const ImageLimits &limits, QImage *pixels)
{
    QString error;
    const QSize size = heifSize(path, &error);
    if (!size.isValid() || size.isEmpty()) {
        throw ImageError(QStringLiteral("\"%1\": the HEIC/HEIF image is corrupt or truncated (%2)")
                             .arg(path, error));
    }
    checkPixelLimit(path, size, limits);
    const QImage image = decodeHeif(path); // throws for truncated or corrupt data
    ImageInfo info;
    info.format = QStringLiteral("heif");
    info.size = image.size();
    info.takenAt = fileTime(QFileInfo(path));
    if (pixels)
        *pixels = image;
    return info;
}

} // namespace

ImageInfo probeImage(const QString &path, const ImageLimits &limits, QImage *pixels)
{
    const QFileInfo file(path);
    if (!file.exists())
        throw ImageError(QStringLiteral("\"%1\": file not found").arg(path));
    if (!file.isFile())
        throw ImageError(QStringLiteral("\"%1\": not a file").arg(path));
    if (file.size() == 0)
        throw ImageError(QStringLiteral("\"%1\": the file is empty (0 bytes)").arg(path));
    if (file.size() > limits.maxFileBytes) {
        throw ImageError(QStringLiteral("\"%1\": the file is %2 MB; photos over %3 MB are refused")
                             .arg(path)
                             .arg(static_cast<double>(file.size()) / 1e6, 0, 'f', 0)
                             .arg(limits.maxFileBytes / 1024 / 1024));
    }

    if (isHeif(path))
        return probeHeif(path, limits, pixels);

    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    reader.setAutoTransform(false);
    const QString format = QString::fromLatin1(reader.format()).toLower();
    if (format.isEmpty() || !acceptedImageFormats().contains(format)) {
        throw ImageError(
            QStringLiteral("\"%1\": not an image SMP Planner can read (accepted: %2)")
                .arg(path, acceptedImageFormats().join(QStringLiteral(", ")).toUpper()));
    }
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty()) {
        throw ImageError(QStringLiteral("\"%1\": the %2 image has no valid size (corrupt header)")
                             .arg(path, format.toUpper()));
    }
    checkPixelLimit(path, size, limits);
    if (format == QLatin1String("png")) {
        const QString problem = pngStructureProblem(path);
        if (!problem.isEmpty())
            throw ImageError(QStringLiteral("\"%1\": the PNG image %2").arg(path, problem));
    }

    // Decode everything once: the only reliable test that the file is complete.
    // The limit is raised to what maxPixels needs at 4 bytes a pixel (Qt's default is 256 MB).
    const int neededMegabytes = static_cast<int>(limits.maxPixels * 4 / (1024 * 1024)) + 64;
    if (QImageReader::allocationLimit() < neededMegabytes)
        QImageReader::setAllocationLimit(neededMegabytes);
    const QImage image = reader.read();
    if (image.isNull()) {
        throw ImageError(QStringLiteral("\"%1\": the %2 image is corrupt or truncated (%3)")
                             .arg(path, format.toUpper(), reader.errorString()));
    }
    if (format == QLatin1String("jpeg") && !jpegHasEndMarker(path)) {
        throw ImageError(QStringLiteral("\"%1\": the JPEG image is truncated (its end marker is "
                                        "missing); copy it again from the camera")
                             .arg(path));
    }

    ImageInfo info;
    info.format = format;
    info.size = size;
    info.takenAt = fileTime(file);
    if (pixels)
        *pixels = image;
    return info;
}

} // namespace smp::imaging
