#pragma once

#include "smp/storage/Records.h"

#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// A clinician's sign-off of a before/after pair, with what was measured then.
struct PhotoReview
{
    RecordId id = 0;
    RecordId clientId = 0;
    RecordId beforePhotoId = 0;
    RecordId afterPhotoId = 0;
    QString reviewer; // the clinician's name as signed
    bool approved = false;
    QString notes;
    std::optional<double> coverageBefore; // 0-1, of the treatment area
    std::optional<double> coverageAfter;
    std::optional<double> residualPx; // of the alignment
    QDateTime createdAt;
    QString createdBy; // the signed-in user
};

class ReviewStore
{
public:
    explicit ReviewStore(Database &db)
        : m_db(db)
    {}
    // Stores a review (with its audit line) and returns its id. Throws StorageError: NotFound for
    // a photo that does not exist, InvalidInput for photos of two clients or an empty reviewer.
    RecordId add(const PhotoReview &review);
    // Newest first.
    std::vector<PhotoReview> ofClient(RecordId clientId);

private:
    Database &m_db;
};

} // namespace smp::storage
