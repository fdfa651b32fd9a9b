#pragma once

// Reading and preparing the photo files a clinic takes: JPEG, PNG, TIFF, WebP and HEIC/HEIF.
// Needs no QGuiApplication. Errors throw ImageError naming the file and the reason.

#include "smp/imaging/ImageProbe.h"

#include <QImage>
#include <QSize>
#include <QString>
#include <QStringList>

namespace smp::imaging {

// A photo made ready for the library: a file with the same pixels as the user's file and no
// personal metadata (location, serial numbers, names, comments, XMP, IPTC, embedded thumbnails).
// Kept: EXIF orientation, capture time (with sub-seconds and time-zone offset), camera make and
// model, colour profile. JPEG, PNG and WebP keep their bytes of image data; a HEIC/HEIF photo is
// decoded (its rotation and mirroring applied) and stored as a lossless PNG, because HEIC cannot
// be rewritten without re-encoding it.
struct PreparedPhoto
{
    QString file;         // the prepared copy, inside the work folder given; the caller deletes it
    QString format;       // of the prepared copy: "jpeg", "png", "tiff", "webp"
    QString sourceFormat; // of the user's file, e.g. "heic"
    QSize uprightSize;    // pixels with the orientation applied
    int exifOrientation = 1;      // 1-8 as found in the source; 1 when absent
    QDateTime takenAt;            // UTC
    bool takenAtFromExif = false; // false: the file's modification time
    QStringList removedMetadata;  // human-readable list of what was dropped, e.g. "GPS position"
    QImage upright;               // the pixels, decoded once while checking, orientation applied
};

// Checks `source` completely (probeImage) and writes its prepared copy into `workFolder`
// (which must exist and be writable).
PreparedPhoto preparePhoto(const QString &source, const QString &workFolder,
                           const ImageLimits &limits = {});

// The image as the camera meant it: EXIF orientation applied, then `quarterTurns` clockwise
// quarter turns. With a valid `bound` the result fits inside it (decoded at reduced size where
// the format allows: fast for thumbnails). Throws ImageError.
QImage loadUprightImage(const QString &path, int quarterTurns = 0, QSize bound = {});

// EXIF orientation (1-8) of a file, 1 when it has none or cannot be read.
int exifOrientation(const QString &path);

// Applies an EXIF orientation value to pixels (1 = unchanged).
QImage applyExifOrientation(const QImage &image, int orientation);

// True when the file's content is HEIC/HEIF (ISO BMFF "ftyp" with a HEIF brand).
bool isHeif(const QString &path);

// Decodes the primary image of a HEIC/HEIF file with its transformations applied.
QImage decodeHeif(const QString &path);

} // namespace smp::imaging
