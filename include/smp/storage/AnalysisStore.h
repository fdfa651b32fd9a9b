#pragma once

#include "smp/storage/Records.h"

#include <QByteArray>

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// A stored scalp analysis: the algorithm, its version and parameters (so it can be recomputed and
// compared), the summary JSON, and the grade map as computed. The technician's corrections are
// kept apart as tiles of kAnalysisTileSize x kAnalysisTileSize map pixels; the corrected map is the
// original with the tiles laid over it.
inline constexpr int kAnalysisTileSize = 64;

struct StoredAnalysis
{
    RecordId id = 0;
    RecordId photoId = 0;
    QString algorithm;
    QString version;
    QString parametersJson;
    QString summaryJson;
    int mapWidth = 0;
    int mapHeight = 0;
    double photoPxPerMapPx = 1;
    QByteArray grades; // mapWidth * mapHeight bytes, row-major (analysis::Grade values)
    // mapWidth * mapHeight bytes, row-major: the share of each map pixel that is hair, x 255
    // (analysis::Result::hairFraction). Empty for analyses stored before schema version 9.
    QByteArray hairFraction;
    QDateTime createdAt;
    QString createdBy;
};

struct GradeTile
{
    int tileX = 0; // tile column: map x / kAnalysisTileSize
    int tileY = 0;
    QByteArray grades; // the tile's bytes, row-major, clipped at the map's edge
};

class AnalysisStore
{
public:
    explicit AnalysisStore(Database &db)
        : m_db(db)
    {}

    // Stores a new analysis (with its audit line) and returns its id; `corrections`, tiles of
    // its map (see saveCorrections), are stored with it in the same transaction.
    RecordId add(const StoredAnalysis &analysis, const std::vector<GradeTile> &corrections = {});
    std::optional<StoredAnalysis> latest(RecordId photoId);
    std::optional<StoredAnalysis> find(RecordId analysisId);

    // Replaces the given tiles of the correction layer in one transaction; a tile equal to the
    // analysis's own grades there is removed instead (only changed tiles stay stored).
    void saveCorrections(RecordId analysisId, const std::vector<GradeTile> &tiles);
    // Removes the correction of these tiles (the original shows again).
    void removeCorrections(RecordId analysisId, const std::vector<GradeTile> &tiles);
    std::vector<GradeTile> corrections(RecordId analysisId);

    // The original map with the corrections laid over it.
    QByteArray correctedGrades(const StoredAnalysis &analysis);

private:
    Database &m_db;
};

} // namespace smp::storage
