#include "TestSupport.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <sqlite3.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace smp::test {

ScratchDir::ScratchDir()
{
    if (!m_dir.isValid())
        throw std::runtime_error("cannot create a temporary folder");
}

QString writeTestImage(const QString &path, int width, int height, const char *format,
                       std::uint32_t seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    std::mt19937 random(seed);
    image.fill(QColor(static_cast<int>(random() % 256), static_cast<int>(random() % 256),
                      static_cast<int>(random() % 256)));
    QPainter painter(&image);
    for (int i = 0; i < 40; ++i) {
        painter.setPen(QPen(QColor(static_cast<int>(random() % 256), 40, 40), 3));
        painter.drawLine(static_cast<int>(random() % static_cast<unsigned>(width)),
                         static_cast<int>(random() % static_cast<unsigned>(height)),
                         static_cast<int>(random() % static_cast<unsigned>(width)),
                         static_cast<int>(random() % static_cast<unsigned>(height)));
    }
    painter.end();
    if (!image.save(path, format, 90))
        throw std::runtime_error("cannot write test image " + path.toStdString());
    return path;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("cannot read " + path.toStdString());
    return file.readAll();
}

QByteArray sha256Hex(const QString &path)
{
    return QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256).toHex();
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        throw std::runtime_error("cannot write " + path.toStdString());
}

void rawExecute(const QString &databasePath, const QString &sql)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open(QFile::encodeName(databasePath).constData(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + databasePath.toStdString());
    }
    char *error = nullptr;
    const int rc = sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        throw std::runtime_error("SQL failed: " + message);
}

QString rawQueryValue(const QString &databasePath, const QString &sql)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(databasePath).constData(), &db, SQLITE_OPEN_READONLY,
                        nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + databasePath.toStdString());
    }
    sqlite3_stmt *statement = nullptr;
    QString value;
    if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
        value =
            QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

QString sharedHairlossImages()
{
    const QString path = QStringLiteral(SMP_SOURCE_DIR "/../shared/data/hairloss/images");
    return QDir(path).exists() ? QDir(path).absolutePath() : QString();
}

// A schematic front view (5 px per mm), for the guides' screenshot and the face tests: a face with
// a receded hairline. Landmarks: glabella (800, 590), outer eye corners (550, 640) and (1050, 640),
// chin (800, 1170).
QImage jpegRoundTrip(const QImage &photo, int quality)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    photo.save(&buffer, "JPEG", quality);
    return QImage::fromData(bytes, "JPEG").convertToFormat(QImage::Format_RGB888);
}

void addNoise(QImage &photo, double sigma, std::uint32_t seed)
{
    if (photo.format() != QImage::Format_RGB888)
        throw std::invalid_argument("addNoise: the photo must be Format_RGB888");
    std::mt19937 random(seed);
    std::normal_distribution<double> noise(0.0, sigma);
    for (int y = 0; y < photo.height(); ++y) {
        std::uint8_t *line = photo.scanLine(y);
        for (int i = 0; i < photo.width() * 3; ++i)
            line[i] = static_cast<std::uint8_t>(
                std::clamp(static_cast<double>(line[i]) + noise(random), 0.0, 255.0));
    }
}

QImage drawFrontView()
{
    QImage image(1600, 1200, QImage::Format_RGB32);
    image.fill(QColor(196, 204, 214));
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor skin(224, 182, 150), hair(52, 38, 30);
    // Ears, then the head.
    p.setPen(Qt::NoPen);
    p.setBrush(skin.darker(108));
    p.drawEllipse(QRectF(395, 560, 70, 180));
    p.drawEllipse(QRectF(1135, 560, 70, 180));
    p.setBrush(skin);
    p.drawEllipse(QRectF(425, 90, 750, 1100));
    // Hair on the sides and the top, behind a receded (Norwood 3) line.
    QPainterPath cap;
    cap.moveTo(430, 620);
    cap.cubicTo(420, 300, 560, 120, 800, 100);
    cap.cubicTo(1040, 120, 1180, 300, 1170, 620);
    cap.lineTo(1120, 620);
    cap.cubicTo(1110, 420, 1060, 300, 1010, 250);
    cap.cubicTo(950, 215, 880, 235, 800, 240);
    cap.cubicTo(720, 235, 650, 215, 590, 250);
    cap.cubicTo(540, 300, 490, 420, 480, 620);
    cap.closeSubpath();
    p.setBrush(hair);
    p.drawPath(cap);
    // Brows, eyes, nose, mouth.
    QPen brow(QColor(60, 44, 34), 14, Qt::SolidLine, Qt::RoundCap);
    p.setPen(brow);
    p.drawArc(QRectF(560, 575, 200, 60), 20 * 16, 140 * 16);
    p.drawArc(QRectF(840, 575, 200, 60), 20 * 16, 140 * 16);
    p.setPen(QPen(QColor(90, 60, 50), 3));
    p.setBrush(Qt::white);
    p.drawEllipse(QRectF(552, 622, 176, 40));
    p.drawEllipse(QRectF(872, 622, 176, 40));
    p.setBrush(QColor(70, 50, 40));
    p.drawEllipse(QPointF(640, 642), 17, 17);
    p.drawEllipse(QPointF(960, 642), 17, 17);
    p.setPen(QPen(skin.darker(135), 5, Qt::SolidLine, Qt::RoundCap));
    p.setBrush(Qt::NoBrush);
    p.drawArc(QRectF(750, 640, 100, 230), 200 * 16, 140 * 16);
    p.setPen(QPen(QColor(160, 80, 80), 8, Qt::SolidLine, Qt::RoundCap));
    p.drawArc(QRectF(700, 930, 200, 70), 200 * 16, 140 * 16);
    return image;
}

} // namespace smp::test
