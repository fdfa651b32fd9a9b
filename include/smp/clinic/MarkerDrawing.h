#pragma once

#include <QRectF>

class QImage;

class QPainter;

namespace smp::clinic {

// Paints marker `id`'s black cells into `square` (painter units; the square is the marker's black
// outline, the caller provides the white margin around it). Used by the printable sheet, the
// drawn sample photo and the test fixtures, so all show the same markers the detector looks for.
void paintMarker(QPainter &painter, int id, const QRectF &square);

// Paints the 20 mm calibration marker of the sample photo beside the drawn head, at the head's
// scale (the drawn head is about 960 px wide for a head about 160 mm wide: 6 px per mm), on a
// white card. The bundled sample photo and `smp sample-photo` both carry it.
void paintSampleMarker(QImage &image);

} // namespace smp::clinic
