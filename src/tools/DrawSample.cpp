// Build tool: draws the bundled sample photo (smp::imaging::drawSampleScalp, with a 20 mm
// calibration marker held beside the head) to a file.
// Usage: smp-draw-sample OUT.jpg

#include "smp/clinic/MarkerDrawing.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/vision/Markers.h"

#include <QCoreApplication>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: smp-draw-sample OUT.jpg\n");
        return 2;
    }
    QImage image = smp::imaging::drawSampleScalp();
    {
        // A 20 mm calibration marker held beside the head, at the scale of a real head: the
        // drawn head is about 960 px wide for a head about 160 mm wide, so 6 px per mm.
        constexpr int kMarkerId = 30;
        constexpr double kPxPerMm = 6.0;
        const double side = smp::vision::markerSideMm(kMarkerId) * kPxPerMm;
        const QRectF square(image.width() * 0.05, image.height() * 0.07, side, side);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(246, 246, 242));
        painter.drawRoundedRect(square.adjusted(-side / 5, -side / 5, side / 5, side / 5), 6, 6);
        smp::clinic::paintMarker(painter, kMarkerId, square);
    }
    QSaveFile file(args[1]);
    if (!file.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "smp-draw-sample: cannot write %s: %s\n", qPrintable(args[1]),
                     qPrintable(file.errorString()));
        return 1;
    }
    QImageWriter writer(&file, "jpeg");
    writer.setQuality(90);
    if (!writer.write(image) || !file.commit()) {
        std::fprintf(stderr, "smp-draw-sample: cannot write %s: %s\n", qPrintable(args[1]),
                     qPrintable(writer.errorString()));
        return 1;
    }
    return 0;
}
