#include "smp/imaging/ImageProbe.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>

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

} // namespace

QStringList acceptedImageFormats()
{
    const QList<QByteArray> available = QImageReader::supportedImageFormats();
    QStringList formats;
    for (const char *format : kPhotoFormats) {
        if (available.contains(QByteArray(format)))
            formats << QString::fromLatin1(format);
    }
    return formats;
}

ImageInfo probeImage(const QString &path, const ImageLimits &limits)
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

    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
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
    info.takenAt = file.lastModified().toUTC();
    return info;
}

} // namespace smp::imaging
