#include "smp/storage/AnalysisStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <QObject>

#include <algorithm>

namespace smp::storage {

namespace {

// zlib's fastest level for the hair share: the analysis is stored on the GUI thread, and at the
// default level compressing a 1024 x 768 share took 23 ms of a 31 ms store for a blob 3%
// smaller; at level 1 the store takes 19 ms (docs/benchmarks.md).
constexpr int kHairShareCompression = 1;

const char *const kColumns =
    "id, photo_id, algorithm, version, parameters, summary, map_width, map_height, "
    "photo_px_per_map_px, grades, created_at, created_by, hair_fraction";

StoredAnalysis read(const Statement &row)
{
    StoredAnalysis a;
    a.id = row.int64(0);
    a.photoId = row.int64(1);
    a.algorithm = row.text(2);
    a.version = row.text(3);
    a.parametersJson = row.text(4);
    a.summaryJson = row.text(5);
    a.mapWidth = row.integer(6);
    a.mapHeight = row.integer(7);
    a.photoPxPerMapPx = row.real(8);
    a.grades = qUncompress(row.blob(9));
    a.createdAt = row.dateTime(10);
    a.createdBy = row.text(11);
    if (!row.isNull(12))
        a.hairFraction = qUncompress(row.blob(12));
    return a;
}

RecordId clientOfAnalysis(Database &db, RecordId analysisId)
{
    auto query =
        db.prepare("SELECT p.client_id FROM photo_analyses a JOIN photos p ON p.id = a.photo_id "
                   "WHERE a.id = ?1");
    query.bind(1, analysisId);
    if (!query.step())
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("analysis %1 does not exist").arg(analysisId));
    return query.int64(0);
}

// Upserts correction tiles and their audit line, inside the caller's transaction.
void writeCorrections(Database &db, RecordId analysisId, RecordId clientId,
                      const std::vector<GradeTile> &tiles)
{
    auto upsert = db.prepare(
        "INSERT INTO analysis_corrections (analysis_id, tile_x, tile_y, grades, updated_at, "
        "updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (analysis_id, tile_x, tile_y) "
        "DO UPDATE SET grades = excluded.grades, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const GradeTile &tile : tiles) {
        upsert.reset();
        upsert.bind(1, analysisId)
            .bind(2, tile.tileX)
            .bind(3, tile.tileY)
            .bind(4, tile.grades)
            .bind(5, now)
            .bind(6, db.actor())
            .run();
    }
    AuditLog(db).record(
        QStringLiteral("update"), QStringLiteral("analysis_corrections"), analysisId, clientId,
        QObject::tr("%n tile(s) corrected", nullptr, static_cast<int>(tiles.size())));
}

// Deletes correction tiles (the original shows again there) and, when any was stored, their
// audit line, inside the caller's transaction.
void eraseCorrections(Database &db, RecordId analysisId, RecordId clientId,
                      const std::vector<GradeTile> &tiles)
{
    auto erase = db.prepare(
        "DELETE FROM analysis_corrections WHERE analysis_id = ?1 AND tile_x = ?2 AND tile_y = ?3");
    int erased = 0;
    for (const GradeTile &tile : tiles) {
        erase.reset();
        erase.bind(1, analysisId).bind(2, tile.tileX).bind(3, tile.tileY).run();
        erased += db.changes();
    }
    if (erased > 0)
        AuditLog(db).record(QStringLiteral("delete"), QStringLiteral("analysis_corrections"),
                            analysisId, clientId,
                            QObject::tr("%n tile(s) reverted", nullptr, erased));
}

// The analysis's own grades on one tile, clipped at the map's edge as GradeTile::grades is;
// empty when the tile lies off the map or the stored map does not match its stated size.
QByteArray analysedTile(const StoredAnalysis &analysis, int tileX, int tileY)
{
    const int x0 = tileX * kAnalysisTileSize, y0 = tileY * kAnalysisTileSize;
    const int w = std::min(kAnalysisTileSize, analysis.mapWidth - x0);
    const int h = std::min(kAnalysisTileSize, analysis.mapHeight - y0);
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 ||
        analysis.grades.size() != qsizetype(analysis.mapWidth) * analysis.mapHeight)
        return {};
    QByteArray tile(qsizetype(w) * h, Qt::Uninitialized);
    for (int y = 0; y < h; ++y)
        std::copy_n(analysis.grades.constData() + qsizetype(y0 + y) * analysis.mapWidth + x0, w,
                    tile.data() + qsizetype(y) * w);
    return tile;
}

} // namespace

RecordId AnalysisStore::add(const StoredAnalysis &analysis,
                            const std::vector<GradeTile> &corrections)
{
    if (analysis.mapWidth <= 0 || analysis.mapHeight <= 0 ||
        analysis.grades.size() != qsizetype(analysis.mapWidth) * analysis.mapHeight) {
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("analysis of photo %1: the grade map does not match its size")
                .arg(analysis.photoId));
    }
    if (!analysis.hairFraction.isEmpty() &&
        analysis.hairFraction.size() != analysis.grades.size()) {
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("analysis of photo %1: the hair-share map does not match its size")
                .arg(analysis.photoId));
    }
    Transaction transaction(m_db);
    const RecordId clientId = clientOfPhoto(m_db, analysis.photoId);
    auto insert = m_db.prepare(
        "INSERT INTO photo_analyses (photo_id, algorithm, version, parameters, summary, "
        "map_width, map_height, photo_px_per_map_px, grades, created_at, created_by, "
        "hair_fraction) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    insert.bind(1, analysis.photoId)
        .bind(2, analysis.algorithm)
        .bind(3, analysis.version)
        .bind(4, analysis.parametersJson)
        .bind(5, analysis.summaryJson)
        .bind(6, analysis.mapWidth)
        .bind(7, analysis.mapHeight)
        .bind(8, analysis.photoPxPerMapPx)
        .bind(9, qCompress(analysis.grades))
        .bind(10, QDateTime::currentDateTimeUtc())
        .bind(11, m_db.actor());
    if (analysis.hairFraction.isEmpty())
        insert.bindNull(12);
    else
        insert.bind(12, qCompress(analysis.hairFraction, kHairShareCompression));
    insert.run();
    const RecordId id = m_db.lastInsertId();
    AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("photo_analyses"), id, clientId,
                          QStringLiteral("photo %1: %2 %3")
                              .arg(analysis.photoId)
                              .arg(analysis.algorithm, analysis.version));
    if (!corrections.empty())
        writeCorrections(m_db, id, clientId, corrections);
    transaction.commit();
    return id;
}

std::optional<StoredAnalysis> AnalysisStore::latest(RecordId photoId)
{
    auto query = m_db.prepare(std::string("SELECT ") + kColumns +
                              " FROM photo_analyses WHERE photo_id = ?1 ORDER BY id DESC LIMIT 1");
    query.bind(1, photoId);
    if (!query.step())
        return std::nullopt;
    return read(query);
}

std::optional<StoredAnalysis> AnalysisStore::find(RecordId analysisId)
{
    auto query =
        m_db.prepare(std::string("SELECT ") + kColumns + " FROM photo_analyses WHERE id = ?1");
    query.bind(1, analysisId);
    if (!query.step())
        return std::nullopt;
    return read(query);
}

void AnalysisStore::saveCorrections(RecordId analysisId, const std::vector<GradeTile> &tiles)
{
    Transaction transaction(m_db);
    const RecordId clientId = clientOfAnalysis(m_db, analysisId);
    // A tile brought back to the analysis's own grades (a stroke undone, the eraser, Take Back All
    // Corrections) is no correction: its row goes, so that only changed tiles stay stored.
    // Only the map is read (not the hair share): this runs on the GUI thread after every stroke.
    std::optional<StoredAnalysis> analysis;
    {
        auto query =
            m_db.prepare("SELECT map_width, map_height, grades FROM photo_analyses WHERE id = ?1");
        query.bind(1, analysisId);
        if (query.step()) {
            analysis.emplace();
            analysis->mapWidth = query.integer(0);
            analysis->mapHeight = query.integer(1);
            analysis->grades = qUncompress(query.blob(2));
        }
    }
    std::vector<GradeTile> corrected, asAnalysed;
    for (const GradeTile &tile : tiles) {
        const bool original = analysis && !tile.grades.isEmpty() &&
                              tile.grades == analysedTile(*analysis, tile.tileX, tile.tileY);
        (original ? asAnalysed : corrected).push_back(tile);
    }
    if (!corrected.empty())
        writeCorrections(m_db, analysisId, clientId, corrected);
    eraseCorrections(m_db, analysisId, clientId, asAnalysed);
    transaction.commit();
}

void AnalysisStore::removeCorrections(RecordId analysisId, const std::vector<GradeTile> &tiles)
{
    Transaction transaction(m_db);
    eraseCorrections(m_db, analysisId, clientOfAnalysis(m_db, analysisId), tiles);
    transaction.commit();
}

std::vector<GradeTile> AnalysisStore::corrections(RecordId analysisId)
{
    auto query = m_db.prepare(
        "SELECT tile_x, tile_y, grades FROM analysis_corrections WHERE analysis_id = ?1");
    query.bind(1, analysisId);
    std::vector<GradeTile> tiles;
    while (query.step())
        tiles.push_back({query.integer(0), query.integer(1), query.blob(2)});
    return tiles;
}

QByteArray AnalysisStore::correctedGrades(const StoredAnalysis &analysis)
{
    QByteArray grades = analysis.grades;
    for (const GradeTile &tile : corrections(analysis.id)) {
        const int x0 = tile.tileX * kAnalysisTileSize, y0 = tile.tileY * kAnalysisTileSize;
        const int w = std::min(kAnalysisTileSize, analysis.mapWidth - x0);
        const int h = std::min(kAnalysisTileSize, analysis.mapHeight - y0);
        if (w <= 0 || h <= 0 || tile.grades.size() != qsizetype(w) * h)
            continue; // a tile that does not fit this map is ignored rather than trusted
        for (int y = 0; y < h; ++y)
            std::copy_n(tile.grades.constData() + y * w, w,
                        grades.data() + (y0 + y) * analysis.mapWidth + x0);
    }
    return grades;
}

} // namespace smp::storage
