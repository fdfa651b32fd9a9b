#include "smp/clinic/MarkerDrawing.h"

#include "smp/vision/Markers.h"

#include <QImage>
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

void paintSampleMarker(QImage &image)
{
    constexpr int kMarkerId = 30;
    const double pxPerMm = 6.0 * image.width() / 1600.0; // the sample is drawn 1600 px wide
    const double side = vision::markerSideMm(kMarkerId) * pxPerMm;
    const QRectF square(image.width() * 0.05, image.height() * 0.07, side, side);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(246, 246, 242));
    painter.drawRoundedRect(square.adjusted(-side / 5, -side / 5, side / 5, side / 5), 6, 6);
    paintMarker(painter, kMarkerId, square);
}

} // namespace smp::clinic
