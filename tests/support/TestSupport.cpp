#include "TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>

#include <sqlite3.h>

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

} // namespace smp::test
