#include "smp/imaging/PhotoFile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QTimeZone>

#include <exiv2/exiv2.hpp>
#include <libheif/heif.h>

#include <memory>
#include <mutex>
#include <set>

namespace smp::imaging {

namespace {

// EXIF keys a stored photo keeps. Everything else goes: GPS, maker notes (serial numbers,
// owner names), artist, copyright, descriptions, user comments, unique ids, the embedded thumbnail.
const std::set<std::string> kKeptExifKeys = {
    "Exif.Image.Orientation",
    "Exif.Photo.DateTimeOriginal",
    "Exif.Photo.SubSecTimeOriginal",
    "Exif.Photo.OffsetTimeOriginal",
    "Exif.Image.Make",
    "Exif.Image.Model",
    "Exif.Photo.ColorSpace",
    "Exif.Image.XResolution",
    "Exif.Image.YResolution",
    "Exif.Image.ResolutionUnit",
};

QString describeRemoved(const std::string &key)
{
    if (key.rfind("Exif.GPSInfo.", 0) == 0)
        return QStringLiteral("GPS position");
    if (key.find("SerialNumber") != std::string::npos)
        return QStringLiteral("serial numbers");
    if (key.find("Owner") != std::string::npos || key == "Exif.Image.Artist" ||
        key.find("XPAuthor") != std::string::npos)
        return QStringLiteral("owner or author names");
    if (key.rfind("Exif.Thumbnail.", 0) == 0)
        return QStringLiteral("embedded thumbnail");
    if (key.rfind("Exif.Image.", 0) == 0 || key.rfind("Exif.Photo.", 0) == 0)
        return QStringLiteral("other EXIF fields");
    return QStringLiteral("maker notes");
}

std::string nativePath(const QString &path)
{
    // Exiv2's XMP toolkit must be initialised once before threads use it; its log is muted
    // because every problem surfaces as an exception or an ImageError instead.
    static std::once_flag once;
    std::call_once(once, [] {
        Exiv2::XmpParser::initialize();
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    });
    return QFile::encodeName(path).toStdString();
}

// Capture time from EXIF: DateTimeOriginal ("YYYY:MM:DD HH:MM:SS") with OffsetTimeOriginal
// ("+01:00") when present, else read in the clinic computer's time zone.
QDateTime exifCaptureTime(const Exiv2::ExifData &exif)
{
    const auto date = exif.findKey(Exiv2::ExifKey("Exif.Photo.DateTimeOriginal"));
    if (date == exif.end())
        return {};
    QDateTime time = QDateTime::fromString(QString::fromStdString(date->toString()).trimmed(),
                                           QStringLiteral("yyyy:MM:dd HH:mm:ss"));
    if (!time.isValid())
        return {};
    const auto offset = exif.findKey(Exiv2::ExifKey("Exif.Photo.OffsetTimeOriginal"));
    if (offset != exif.end()) {
        const QString text = QString::fromStdString(offset->toString()).trimmed();
        const QTime hm = QTime::fromString(text.mid(1), QStringLiteral("HH:mm"));
        if (hm.isValid() &&
            (text.startsWith(QLatin1Char('+')) || text.startsWith(QLatin1Char('-')))) {
            const int seconds =
                (hm.hour() * 60 + hm.minute()) * 60 * (text.startsWith(QLatin1Char('-')) ? -1 : 1);
            time.setTimeZone(QTimeZone(seconds));
        }
    }
    return time.toUTC();
}

int orientationOf(const Exiv2::ExifData &exif)
{
    const auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
    if (it == exif.end())
        return 1;
    const long value = it->toLong();
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
}

// Closes libheif objects on scope exit.
struct HeifContext
{
    heif_context *context = heif_context_alloc();
    heif_image_handle *handle = nullptr;
    heif_image *image = nullptr;
    ~HeifContext()
    {
        heif_image_release(image);
        heif_image_handle_release(handle);
        heif_context_free(context);
    }
};

void throwHeif(const QString &path, const heif_error &error)
{
    throw ImageError(QStringLiteral("\"%1\": the HEIC/HEIF image cannot be read (%2)")
                         .arg(path, QString::fromUtf8(error.message)));
}

// EXIF capture time of a HEIC file (its orientation is carried by HEIF transformations instead).
QDateTime heifCaptureTime(const QString &path)
{
    HeifContext heif;
    if (heif_context_read_from_file(heif.context, nativePath(path).c_str(), nullptr).code !=
        heif_error_Ok)
        return {};
    if (heif_context_get_primary_image_handle(heif.context, &heif.handle).code != heif_error_Ok)
        return {};
    heif_item_id id = 0;
    if (heif_image_handle_get_list_of_metadata_block_IDs(heif.handle, "Exif", &id, 1) < 1)
        return {};
    const std::size_t size = heif_image_handle_get_metadata_size(heif.handle, id);
    std::vector<std::uint8_t> data(size);
    if (size < 8 ||
        heif_image_handle_get_metadata(heif.handle, id, data.data()).code != heif_error_Ok)
        return {};
    // The block starts with a 4-byte big-endian offset to the TIFF header.
    const std::size_t skip = 4 + ((std::size_t{data[0]} << 24) | (std::size_t{data[1]} << 16) |
                                  (std::size_t{data[2]} << 8) | std::size_t{data[3]});
    if (skip >= size)
        return {};
    try {
        Exiv2::ExifData exif;
        Exiv2::ExifParser::decode(exif, data.data() + skip,
                                  static_cast<std::uint32_t>(size - skip));
        return exifCaptureTime(exif);
    } catch (const Exiv2::Error &) {
        return {};
    }
}

} // namespace

bool isHeif(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(32);
    if (head.size() < 12 || head.mid(4, 4) != "ftyp")
        return false;
    const QByteArray brand = head.mid(8, 4);
    for (const char *heif :
         {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif"}) {
        if (brand == heif)
            return true;
    }
    return false;
}

QImage decodeHeif(const QString &path)
{
    HeifContext heif;
    heif_error error = heif_context_read_from_file(heif.context, nativePath(path).c_str(), nullptr);
    if (error.code != heif_error_Ok)
        throwHeif(path, error);
    error = heif_context_get_primary_image_handle(heif.context, &heif.handle);
    if (error.code != heif_error_Ok)
        throwHeif(path, error);
    error = heif_decode_image(heif.handle, &heif.image, heif_colorspace_RGB,
                              heif_chroma_interleaved_RGB, nullptr);
    if (error.code != heif_error_Ok)
        throwHeif(path, error);
    int stride = 0;
    const std::uint8_t *data =
        heif_image_get_plane_readonly(heif.image, heif_channel_interleaved, &stride);
    const int width = heif_image_get_width(heif.image, heif_channel_interleaved);
    const int height = heif_image_get_height(heif.image, heif_channel_interleaved);
    if (!data || width <= 0 || height <= 0)
        throw ImageError(QStringLiteral("\"%1\": the HEIC/HEIF image has no pixels").arg(path));
    // Deep copy: the libheif buffer goes with `heif`.
    return QImage(data, width, height, stride, QImage::Format_RGB888).copy();
}

int exifOrientation(const QString &path)
{
    try {
        auto image = Exiv2::ImageFactory::open(nativePath(path));
        image->readMetadata();
        return orientationOf(image->exifData());
    } catch (const Exiv2::Error &) {
        return 1;
    }
}

QImage applyExifOrientation(const QImage &image, int orientation)
{
    switch (orientation) {
    case 2:
        return image.mirrored(true, false);
    case 3:
        return image.transformed(QTransform().rotate(180));
    case 4:
        return image.mirrored(false, true);
    case 5: // transpose: mirror left-right, then rotate 90 degrees counter-clockwise
        return image.mirrored(true, false).transformed(QTransform().rotate(-90));
    case 6:
        return image.transformed(QTransform().rotate(90));
    case 7: // transverse: mirror left-right, then rotate 90 degrees clockwise
        return image.mirrored(true, false).transformed(QTransform().rotate(90));
    case 8:
        return image.transformed(QTransform().rotate(-90));
    default:
        return image;
    }
}

QImage loadUprightImage(const QString &path, int quarterTurns, QSize bound)
{
    QImage image;
    int orientation = 1;
    if (isHeif(path)) {
        image = decodeHeif(path); // transformations already applied
        if (bound.isValid() && !bound.isEmpty())
            image = image.scaled(bound, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    } else {
        orientation = exifOrientation(path);
        QImageReader reader(path);
        reader.setAutoTransform(false);
        const QSize stored = reader.size();
        if (bound.isValid() && !bound.isEmpty() && stored.isValid()) {
            // The bound applies to the upright image: swap it for orientations that transpose.
            const QSize storedBound = orientation >= 5 ? bound.transposed() : bound;
            if (stored.width() > storedBound.width() || stored.height() > storedBound.height())
                reader.setScaledSize(stored.scaled(storedBound, Qt::KeepAspectRatio));
        }
        image = reader.read();
        if (image.isNull()) {
            throw ImageError(
                QStringLiteral("\"%1\": cannot be read (%2)").arg(path, reader.errorString()));
        }
        image = applyExifOrientation(image, orientation);
    }
    const int turns = ((quarterTurns % 4) + 4) % 4;
    if (turns != 0)
        image = image.transformed(QTransform().rotate(90.0 * turns));
    return image;
}

PreparedPhoto preparePhoto(const QString &source, const QString &workFolder,
                           const ImageLimits &limits)
{
    QImage pixels;
    const ImageInfo info = probeImage(source, limits, &pixels);
    PreparedPhoto prepared;
    prepared.sourceFormat = info.format;
    prepared.takenAt = info.takenAt;
    const QString stem = QString::fromLatin1(
        QCryptographicHash::hash(
            QByteArray(source.toUtf8() + QByteArray::number(QDateTime::currentMSecsSinceEpoch())),
            QCryptographicHash::Md5)
            .toHex()
            .left(16));

    if (info.format == QLatin1String("heif")) {
        const QImage &image = pixels; // decoded by the probe, transformations applied
        prepared.file = QDir(workFolder).filePath(stem + QStringLiteral(".png"));
        prepared.format = QStringLiteral("png");
        prepared.uprightSize = image.size();
        QImageWriter writer(prepared.file, "png");
        writer.setCompression(6);
        if (!writer.write(image)) {
            throw ImageError(QStringLiteral("\"%1\": cannot write the converted copy (%2)")
                                 .arg(source, writer.errorString()));
        }
        if (const QDateTime taken = heifCaptureTime(source); taken.isValid()) {
            prepared.takenAt = taken;
            prepared.takenAtFromExif = true;
        }
        prepared.removedMetadata << QStringLiteral("all HEIF metadata (converted to PNG)");
        prepared.upright = image;
        return prepared;
    }

    prepared.format = info.format;
    prepared.file = QDir(workFolder).filePath(stem + QLatin1Char('.') + info.format);
    QFile::remove(prepared.file);
    QFile original(source);
    if (!original.copy(prepared.file)) {
        throw ImageError(QStringLiteral("\"%1\": cannot copy it for import into \"%2\" (%3)")
                             .arg(source, workFolder, original.errorString()));
    }
    QFile::setPermissions(prepared.file, QFile::ReadOwner | QFile::WriteOwner);
    try {
        auto image = Exiv2::ImageFactory::open(nativePath(prepared.file));
        image->readMetadata();
        const Exiv2::ExifData &exif = image->exifData();
        prepared.exifOrientation = orientationOf(exif);
        if (const QDateTime taken = exifCaptureTime(exif); taken.isValid()) {
            prepared.takenAt = taken;
            prepared.takenAtFromExif = true;
        }
        Exiv2::ExifData kept;
        QStringList removed;
        for (const auto &datum : exif) {
            if (kKeptExifKeys.count(datum.key()))
                kept.add(datum);
            else if (!removed.contains(describeRemoved(datum.key())))
                removed << describeRemoved(datum.key());
        }
        if (!image->iptcData().empty())
            removed << QStringLiteral("IPTC");
        if (!image->xmpData().empty() || !image->xmpPacket().empty())
            removed << QStringLiteral("XMP");
        if (!image->comment().empty())
            removed << QStringLiteral("comment");
        if (!removed.isEmpty()) {
            image->setExifData(kept);
            image->clearIptcData();
            image->clearXmpData();
            image->clearXmpPacket();
            image->clearComment();
            image->writeMetadata();
        }
        prepared.removedMetadata = removed;
    } catch (const Exiv2::Error &error) {
        // Metadata that cannot be rewritten safely: store the pixels alone, as a lossless PNG.
        const QImage clean = applyExifOrientation(pixels, exifOrientation(source));
        QFile::remove(prepared.file);
        prepared.file = QDir(workFolder).filePath(stem + QStringLiteral(".png"));
        prepared.format = QStringLiteral("png");
        prepared.exifOrientation = 1;
        if (!clean.save(prepared.file, "png")) {
            throw ImageError(
                QStringLiteral("\"%1\": its metadata cannot be removed (%2) and a clean "
                               "copy cannot be written")
                    .arg(source, QString::fromUtf8(error.what())));
        }
        prepared.removedMetadata << QStringLiteral("all metadata (rewritten as PNG: %1)")
                                        .arg(QString::fromUtf8(error.what()));
        prepared.upright = clean;
        prepared.uprightSize = clean.size();
        return prepared;
    }
    // The stored copy keeps the source's image data, so its upright pixels are these.
    prepared.upright = applyExifOrientation(pixels, prepared.exifOrientation);
    prepared.uprightSize = prepared.upright.size();
    return prepared;
}

} // namespace smp::imaging
