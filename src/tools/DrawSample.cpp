// Build tool: draws the bundled sample photo (smp::imaging::drawSampleScalp, with a 20 mm
// calibration marker held beside the head) to a file.
// Usage: smp-draw-sample OUT.jpg

#include "smp/clinic/MarkerDrawing.h"
#include "smp/imaging/SampleScalp.h"

#include <QCoreApplication>
#include <QImageWriter>
#include <QSaveFile>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    // An option (--help) is not a file name: until 2026-12-08 it was written as one.
    if (args.size() != 2 || args[1].startsWith(QLatin1Char('-'))) {
        std::fprintf(stderr, "usage: smp-draw-sample OUT.jpg\n");
        return 2;
    }
    QImage image = smp::imaging::drawSampleScalp();
    smp::clinic::paintSampleMarker(image);
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
