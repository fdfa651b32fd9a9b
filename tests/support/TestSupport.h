#pragma once

// Helpers shared by the tests: scratch folders, image files made on the spot, raw SQLite.

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QString>
#include <QTemporaryDir>

#include <cstdint>

namespace smp::test {

// A scratch folder removed at the end of the test.
class ScratchDir
{
public:
    ScratchDir();
    QString path() const { return m_dir.path(); }
    QString file(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
};

// Writes an image of the given size and format ("png", "jpeg", ...) whose pixels depend on
// `seed`, so different seeds give different content (and different SHA-256). Returns the path.
QString writeTestImage(const QString &path, int width, int height, const char *format,
                       std::uint32_t seed = 1);

QByteArray readAll(const QString &path);
QByteArray sha256Hex(const QString &path);
void writeBytes(const QString &path, const QByteArray &bytes);

// Runs SQL on a database file through the raw C API (no migrations, no checks), e.g. to build
// fixtures or to tamper with a file. Throws std::runtime_error on failure.
void rawExecute(const QString &databasePath, const QString &sql);
// The single value of a one-row, one-column query through the raw C API.
QString rawQueryValue(const QString &databasePath, const QString &sql);

// `photo` saved as a JPEG of `quality` (1-100) and read back, as Format_RGB888.
QImage jpegRoundTrip(const QImage &photo, int quality);

// `photo` (Format_RGB888) with Gaussian noise of `sigma` (8-bit levels) added to every channel of
// every pixel, clamped to 0-255; the same noise for the same `seed`.
void addNoise(QImage &photo, double sigma, std::uint32_t seed);

// ../shared/data/hairloss/images relative to the source tree, or empty when absent.
QString sharedHairlossImages();

// A schematic front view (5 px per mm), for the guides' screenshot and the face tests: a face with
// a receded hairline. Landmarks: glabella (800, 590), outer eye corners (550, 640) and (1050, 640),
// chin (800, 1170).
QImage drawFrontView();

} // namespace smp::test
