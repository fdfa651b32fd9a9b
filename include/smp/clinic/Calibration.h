#pragma once

// Photo scale (millimetres per pixel): from a printed marker found in the photo, or from two
// points a known distance apart. Points are in photo pixel coordinates (see storage::Photo).

#include "smp/storage/Records.h"
#include "smp/vision/Markers.h"

#include <QImage>
#include <QPageSize>
#include <QPointF>
#include <QString>

#include <optional>
#include <vector>

namespace smp::storage {
class Database;
class PhotoLibrary;
} // namespace smp::storage

namespace smp::clinic {

// Looks for a calibration marker in the stored photo; when found, stores and returns the new
// calibration (method marker). Nothing is stored when no marker is found.
std::optional<storage::Calibration> calibrateFromMarker(storage::Database &db,
                                                        storage::RecordId photoId);

// The two halves of calibrateFromMarker, for callers that already hold the upright image (the
// importer, the viewer): findMarker() touches no database and may run on any thread;
// storeMarkerCalibration() stores the result on the database's thread.
std::optional<vision::MarkerMeasurement> findMarker(const QImage &upright);
storage::Calibration storeMarkerCalibration(storage::Database &db, storage::RecordId photoId,
                                            const vision::MarkerMeasurement &marker);

// Stores a manual calibration from two points `lengthMm` apart. Throws std::invalid_argument
// for points closer than 2 px or a length that is not positive, StorageError for a missing photo.
storage::Calibration calibrateFromPoints(storage::Database &db, storage::RecordId photoId,
                                         QPointF a, QPointF b, double lengthMm);

// The calibrations above, made but not stored (for undoable edits that store them later).
storage::Calibration makeMarkerCalibration(storage::RecordId photoId,
                                           const vision::MarkerMeasurement &marker);
storage::Calibration makeManualCalibration(const storage::Photo &photo, QPointF a, QPointF b,
                                           double lengthMm);

// Why a stored calibration should not be trusted, or nothing when there is no reason. A marker
// calibration whose stored outline vision::plausibleMarkerOutline() refuses was a false match in
// hair, made before the detector refused such outlines: its scale may be off many times over.
std::optional<QString> calibrationDoubt(const storage::Calibration &calibration);

// The scale that sizes on the photo are measured with: its current calibration unless that is
// doubtful (a doubtful scale is shown and flagged, never used for areas, windows or dots).
std::optional<storage::Calibration> scaleInUse(storage::PhotoLibrary &library,
                                               storage::RecordId photoId);

// Every photo whose current calibration is doubtful, with the reason (for `smp db check`).
struct DoubtfulCalibration
{
    storage::Calibration calibration;
    QString reason;
};
std::vector<DoubtfulCalibration> doubtfulCalibrations(storage::Database &db);

// Takes the photo's current calibration off (kept in the audit trail); the one before it, if
// any, becomes current. Returns the removed calibration, or nothing when the photo had none.
// Throws StorageError for a missing photo.
std::optional<storage::Calibration> removeCurrentCalibration(storage::Database &db,
                                                             storage::RecordId photoId);

// "0.0873 mm/px ± 0.4% (marker 30, 20 mm)" or "uncalibrated: sizes are estimates"; a doubtful
// calibration ends with "; doubtful, not used: <reason>".
QString describeCalibration(const std::optional<storage::Calibration> &calibration);

// Writes the printable calibration sheet: 10 mm markers to stick on the scalp, 20 mm markers to
// hold beside the head, and a 100 mm ruler to check that the printer did not scale the page.
// Throws std::runtime_error naming the file when it cannot be written.
void writeMarkerSheet(const QString &pdfPath, QPageSize::PageSizeId pageSize = QPageSize::A4);

} // namespace smp::clinic
