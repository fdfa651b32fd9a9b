#include "smp/clinic/MarkerDrawing.h"

#include "smp/vision/Markers.h"

#include <QPainter>

namespace smp::clinic {

void paintMarker(QPainter &painter, int id, const QRectF &square)
{
    const auto cells = vision::markerCells(id);
    if (cells.empty())
        return;
    const double cell = square.width() / static_cast<double>(cells.size());
    painter.save();
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::black);
    for (std::size_t r = 0; r < cells.size(); ++r)
        for (std::size_t c = 0; c < cells.size(); ++c)
            if (cells[r][c])
                painter.drawRect(QRectF(square.left() + static_cast<double>(c) * cell,
                                        square.top() + static_cast<double>(r) * cell, cell, cell));
    painter.restore();
}

} // namespace smp::clinic
