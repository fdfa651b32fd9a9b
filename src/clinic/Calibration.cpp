#include "smp/clinic/Calibration.h"

#include "smp/clinic/MarkerDrawing.h"

#include "smp/imaging/PhotoFile.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"
#include "smp/vision/Markers.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QPdfWriter>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace smp::clinic {

namespace {

storage::Photo requirePhoto(storage::PhotoLibrary &library, storage::RecordId photoId)
{
    const auto photo = library.find(photoId);
    if (!photo) {
        throw storage::StorageError(storage::ErrorKind::NotFound,
                                    QStringLiteral("photo %1 does not exist").arg(photoId));
    }
    return *photo;
}

QJsonArray point(double x, double y)
{
    return QJsonArray{x, y};
}

} // namespace

std::optional<vision::MarkerMeasurement> findMarker(const QImage &upright)
{
    const QImage gray = upright.convertToFormat(QImage::Format_Grayscale8);
    const vision::GrayImage view{gray.width(), gray.height(), gray.bytesPerLine(),
                                 gray.constBits()};
    return vision::measureScale(view);
}

storage::Calibration makeMarkerCalibration(storage::RecordId photoId,
                                           const vision::MarkerMeasurement &marker)
{
    QJsonObject details;
    details[QLatin1String("marker_id")] = marker.id;
    details[QLatin1String("side_mm")] = marker.sideMm;
    details[QLatin1String("side_px")] = marker.sidePx;
    details[QLatin1String("tilt_degrees")] = marker.tiltDegrees;
    QJsonArray corners;
    for (const auto &corner : marker.cornersPx)
        corners.append(point(corner.x, corner.y));
    details[QLatin1String("corners_px")] = corners;
    QJsonArray homography;
    for (double value : marker.imageToPlaneMm)
        homography.append(value);
    details[QLatin1String("image_to_plane_mm")] = homography;

    storage::Calibration calibration;
    calibration.photoId = photoId;
    calibration.method = storage::CalibrationMethod::Marker;
    calibration.mmPerPx = marker.mmPerPx;
    calibration.uncertaintyMmPerPx = marker.uncertaintyMmPerPx;
    calibration.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    return calibration;
}

storage::Calibration storeMarkerCalibration(storage::Database &db, storage::RecordId photoId,
                                            const vision::MarkerMeasurement &marker)
{
    storage::PhotoLibrary library(db);
    library.addCalibration(makeMarkerCalibration(photoId, marker));
    return *library.currentCalibration(photoId);
}

std::optional<storage::Calibration> calibrateFromMarker(storage::Database &db,
                                                        storage::RecordId photoId)
{
    storage::PhotoLibrary library(db);
    const storage::Photo photo = requirePhoto(library, photoId);
    const auto marker = findMarker(imaging::loadUprightImage(library.verifiedPath(photo)));
    if (!marker)
        return std::nullopt;
    return storeMarkerCalibration(db, photoId, *marker);
}

storage::Calibration makeManualCalibration(const storage::Photo &photo, QPointF a, QPointF b,
                                           double lengthMm)
{
    for (const QPointF &p : {a, b}) {
        if (!(p.x() >= 0 && p.y() >= 0 && p.x() <= photo.widthPx && p.y() <= photo.heightPx)) {
            throw std::invalid_argument(
                QStringLiteral("point (%1, %2) lies outside the %3x%4 photo")
                    .arg(p.x())
                    .arg(p.y())
                    .arg(photo.widthPx)
                    .arg(photo.heightPx)
                    .toStdString());
        }
    }
    const auto scale = vision::scaleFromTwoPoints({a.x(), a.y()}, {b.x(), b.y()}, lengthMm);
    QJsonObject details;
    details[QLatin1String("points_px")] = QJsonArray{point(a.x(), a.y()), point(b.x(), b.y())};
    details[QLatin1String("length_mm")] = lengthMm;
    details[QLatin1String("distance_px")] = scale.distancePx;
    storage::Calibration calibration;
    calibration.photoId = photo.id;
    calibration.method = storage::CalibrationMethod::Manual;
    calibration.mmPerPx = scale.mmPerPx;
    calibration.uncertaintyMmPerPx = scale.uncertaintyMmPerPx;
    calibration.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    return calibration;
}

storage::Calibration calibrateFromPoints(storage::Database &db, storage::RecordId photoId,
                                         QPointF a, QPointF b, double lengthMm)
{
    storage::PhotoLibrary library(db);
    const storage::Photo photo = requirePhoto(library, photoId);
    library.addCalibration(makeManualCalibration(photo, a, b, lengthMm));
    return *library.currentCalibration(photoId);
}

std::optional<QString> calibrationDoubt(const storage::Calibration &calibration)
{
    if (calibration.method != storage::CalibrationMethod::Marker)
        return std::nullopt;
    const QJsonArray corners = QJsonDocument::fromJson(calibration.details.toUtf8())
                                   .object()
                                   .value(QLatin1String("corners_px"))
                                   .toArray();
    if (corners.size() != 4)
        return std::nullopt; // nothing to check against (every version stored the corners)
    std::array<vision::Point2, 4> outline{};
    double shortest = std::numeric_limits<double>::max(), longest = 0;
    for (qsizetype k = 0; k < 4; ++k) {
        const QJsonArray xy = corners[k].toArray();
        outline[static_cast<std::size_t>(k)] = {xy.at(0).toDouble(), xy.at(1).toDouble()};
    }
    if (vision::plausibleMarkerOutline(outline))
        return std::nullopt;
    for (std::size_t k = 0; k < 4; ++k) {
        const double side = std::hypot(outline[k].x - outline[(k + 1) % 4].x,
                                       outline[k].y - outline[(k + 1) % 4].y);
        shortest = std::min(shortest, side);
        longest = std::max(longest, side);
    }
    return QStringLiteral("the marker's outline (sides %1-%2 px) cannot be a printed square; "
                          "likely a false match in the hair")
        .arg(shortest, 0, 'f', 0)
        .arg(longest, 0, 'f', 0);
}

std::optional<storage::Calibration> scaleInUse(storage::PhotoLibrary &library,
                                               storage::RecordId photoId)
{
    auto current = library.currentCalibration(photoId);
    if (current && calibrationDoubt(*current))
        return std::nullopt;
    return current;
}

std::vector<DoubtfulCalibration> doubtfulCalibrations(storage::Database &db)
{
    std::vector<DoubtfulCalibration> result;
    for (storage::Calibration &calibration : storage::PhotoLibrary(db).currentCalibrations()) {
        if (auto reason = calibrationDoubt(calibration))
            result.push_back({std::move(calibration), std::move(*reason)});
    }
    return result;
}

std::optional<storage::Calibration> removeCurrentCalibration(storage::Database &db,
                                                             storage::RecordId photoId)
{
    storage::PhotoLibrary library(db);
    requirePhoto(library, photoId);
    auto current = library.currentCalibration(photoId);
    if (current)
        library.removeCalibration(current->id);
    return current;
}

QString describeCalibration(const std::optional<storage::Calibration> &calibration)
{
    if (!calibration)
        return QStringLiteral("uncalibrated: areas and densities will be estimates");
    const QJsonObject details = QJsonDocument::fromJson(calibration->details.toUtf8()).object();
    const double percent = 100.0 * calibration->uncertaintyMmPerPx / calibration->mmPerPx;
    QString how;
    if (calibration->method == storage::CalibrationMethod::Marker) {
        how = QStringLiteral("marker %1, %2 mm")
                  .arg(details.value(QLatin1String("marker_id")).toInt())
                  .arg(details.value(QLatin1String("side_mm")).toDouble());
    } else {
        how = QStringLiteral("manual, %1 mm over %2 px")
                  .arg(details.value(QLatin1String("length_mm")).toDouble())
                  .arg(details.value(QLatin1String("distance_px")).toDouble(), 0, 'f', 1);
    }
    const auto doubt = calibrationDoubt(*calibration);
    // A marker over many pixels (a 48 MP photo) measures to under 0.05%: two decimals there
    // ("0.03%"), where one said "0.0%".
    return QStringLiteral("%1 mm/px ± %2% (%3)%4")
        .arg(calibration->mmPerPx, 0, 'f', 4)
        .arg(percent, 0, 'f', percent < 0.05 ? 2 : 1)
        .arg(how, doubt ? QStringLiteral("; doubtful, not used: ") + *doubt : QString());
}

void writeMarkerSheet(const QString &pdfPath, QPageSize::PageSizeId pageSize)
{
    QPdfWriter pdf(pdfPath);
    pdf.setPageSize(QPageSize(pageSize));
    pdf.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
    pdf.setResolution(1200);
    pdf.setTitle(QStringLiteral("SMP Planner calibration markers"));
    pdf.setCreator(QStringLiteral("SMP Planner"));
    QPainter painter;
    if (!painter.begin(&pdf))
        throw std::runtime_error(QStringLiteral("cannot write \"%1\"").arg(pdfPath).toStdString());
    // Work in millimetres from the top-left of the printable area.
    const double dotsPerMm = pdf.resolution() / 25.4;
    painter.scale(dotsPerMm, dotsPerMm);
    const QRectF area(QPointF(0, 0), pdf.pageLayout().paintRect(QPageLayout::Millimeter).size());

    // Fonts are sized in points against the device; undo the mm scale for text.
    auto text = [&](const QRectF &box, const QString &words, double points,
                    int flags = Qt::AlignLeft | Qt::TextWordWrap) {
        painter.save();
        painter.scale(1 / dotsPerMm, 1 / dotsPerMm);
        painter.setPen(Qt::black);
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPointSizeF(points);
        painter.setFont(font);
        painter.drawText(QRectF(box.topLeft() * dotsPerMm, box.size() * dotsPerMm), flags, words);
        painter.restore();
    };
    text(QRectF(0, 0, area.width(), 10), QStringLiteral("SMP Planner calibration markers"), 15);
    text(QRectF(0, 9, area.width(), 16),
         QStringLiteral(
             "Print at 100% (\"actual size\", no fit to page). Check the ruler: 0 to 100 must "
             "measure exactly 100 mm. Cut out a marker with its white margin; stick a 10 mm "
             "marker flat on the scalp, or hold a 20 mm marker flat beside the head, level with "
             "the scalp, when taking the photo. Keep markers clean and uncreased."),
         9);

    auto drawMarker = [&](int id, QPointF topLeft) {
        const double side = vision::markerSideMm(id);
        const double cell = side / static_cast<double>(vision::markerCells(id).size());
        paintMarker(painter, id, QRectF(topLeft, QSizeF(side, side)));
        // Cutting guide: a thin grey square one cell outside the marker.
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(170, 170, 170), 0.1, Qt::DashLine));
        painter.drawRect(QRectF(topLeft - QPointF(cell * 1.5, cell * 1.5),
                                QSizeF(side + 3 * cell, side + 3 * cell)));
        text(QRectF(topLeft.x(), topLeft.y() + side + cell * 1.7, side + 10, 4),
             QStringLiteral("#%1 · %2 mm").arg(id).arg(side), 5);
    };

    double y = 30;
    text(QRectF(0, y, area.width(), 6), QStringLiteral("10 mm markers (stick on the scalp)"), 10);
    y += 8;
    int id = 0;
    for (int row = 0; row < 2; ++row, y += 22)
        for (double x = 3; x + 13 < area.width() && id < 25; x += 19, ++id)
            drawMarker(id, QPointF(x, y));
    y += 4;
    text(QRectF(0, y, area.width(), 6), QStringLiteral("20 mm markers (hold beside the head)"), 10);
    y += 9;
    id = 25;
    for (int row = 0; row < 2; ++row, y += 34)
        for (double x = 4; x + 25 < area.width() && id < vision::kMarkerCount; x += 32, ++id)
            drawMarker(id, QPointF(x, y));

    // The ruler: 100 mm with millimetre ticks, numbered every 10 mm.
    y += 4;
    text(QRectF(0, y, area.width(), 6), QStringLiteral("Ruler: must measure exactly 100 mm"), 10);
    y += 10;
    painter.setPen(QPen(Qt::black, 0.2));
    painter.drawLine(QPointF(5, y), QPointF(105, y));
    for (int mm = 0; mm <= 100; ++mm) {
        const double length = mm % 10 == 0 ? 5 : (mm % 5 == 0 ? 3.5 : 2);
        painter.drawLine(QPointF(5 + mm, y), QPointF(5 + mm, y + length));
        if (mm % 10 == 0)
            text(QRectF(5 + mm - 5, y + 5.5, 10, 4), QString::number(mm), 6, Qt::AlignHCenter);
    }
    if (!painter.end() || !QFileInfo::exists(pdfPath))
        throw std::runtime_error(QStringLiteral("cannot write \"%1\"").arg(pdfPath).toStdString());
}

} // namespace smp::clinic
