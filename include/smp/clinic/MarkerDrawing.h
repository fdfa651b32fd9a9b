#pragma once

#include <QRectF>

class QPainter;

namespace smp::clinic {

// Paints marker `id`'s black cells into `square` (painter units; the square is the marker's black
// outline, the caller provides the white margin around it). Used by the printable sheet, the
// drawn sample photo and the test fixtures, so all show the same markers the detector looks for.
void paintMarker(QPainter &painter, int id, const QRectF &square);

} // namespace smp::clinic
