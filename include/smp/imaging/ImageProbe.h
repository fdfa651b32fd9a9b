#pragma once

#include <QDateTime>
#include <QImage>
#include <QSize>
#include <QString>

#include <stdexcept>

namespace smp::imaging {

// Thrown when a file cannot be used as a photo. The message names the file and the reason.
class ImageError : public std::runtime_error
{
public:
    explicit ImageError(const QString &message)
        : std::runtime_error(message.toStdString())
        , m_message(message)
    {}
    const QString &message() const noexcept { return m_message; }

private:
    QString m_message;
};

struct ImageLimits
{
    qint64 maxFileBytes = 200LL * 1024 * 1024; // 200 MB
    qint64 maxPixels = 100'000'000;            // 100 megapixels
};

struct ImageInfo
{
    QString format;    // lower-case, from the content (not the file name): "jpeg", "png", ...
    QSize size;        // pixels, as stored in the file
    QDateTime takenAt; // UTC; the file's modification time (a Qt resource: now) until EXIF is read
};

// Checks that `path` is a complete image within `limits` by decoding it fully, and returns what
// the photo library needs to know. Works without a QGuiApplication (QImageReader only).
// Throws ImageError for: missing or empty files, files over the size or pixel limit, files
// that are not images, and corrupt or truncated images.
// When `pixels` is given it receives the decoded image as stored in the file (EXIF orientation
// not applied; for HEIF with its transformations applied), so callers need not decode it again.
ImageInfo probeImage(const QString &path, const ImageLimits &limits = {}, QImage *pixels = nullptr);

// The image formats probeImage() accepts, lower-case ("jpeg", "png", "tiff", "webp", "heif").
QStringList acceptedImageFormats();

} // namespace smp::imaging
