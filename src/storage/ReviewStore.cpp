#include "smp/storage/ReviewStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

namespace smp::storage {

RecordId ReviewStore::add(const PhotoReview &review)
{
    if (review.reviewer.trimmed().isEmpty())
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("reviewer: the clinician's name is needed"));
    Transaction transaction(m_db);
    RecordId clientId = 0;
    for (const RecordId photo : {review.beforePhotoId, review.afterPhotoId}) {
        const RecordId owner = clientOfPhoto(m_db, photo);
        if (clientId && owner != clientId)
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("photos %1 and %2 are of different clients")
                                   .arg(review.beforePhotoId)
                                   .arg(review.afterPhotoId));
        clientId = owner;
    }
    auto insert = m_db.prepare(
        "INSERT INTO photo_reviews (client_id, before_photo_id, after_photo_id, reviewer, "
        "approved, "
        "notes, coverage_before, coverage_after, residual_px, created_at, created_by) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert.bind(1, clientId).bind(2, review.beforePhotoId).bind(3, review.afterPhotoId);
    insert.bind(4, review.reviewer.trimmed())
        .bind(5, review.approved ? 1 : 0)
        .bind(6, review.notes);
    insert.bind(7, review.coverageBefore).bind(8, review.coverageAfter).bind(9, review.residualPx);
    insert.bind(10, QDateTime::currentDateTimeUtc()).bind(11, m_db.actor()).run();
    const RecordId id = m_db.lastInsertId();
    AuditLog(m_db).record(
        QStringLiteral("insert"), QStringLiteral("photo_reviews"), id, clientId,
        QStringLiteral("photos %1 -> %2 %3 by %4")
            .arg(review.beforePhotoId)
            .arg(review.afterPhotoId)
            .arg(review.approved ? QStringLiteral("approved") : QStringLiteral("not approved"),
                 review.reviewer.trimmed()));
    transaction.commit();
    return id;
}

std::vector<PhotoReview> ReviewStore::ofClient(RecordId clientId)
{
    auto q =
        m_db.prepare("SELECT id, client_id, before_photo_id, after_photo_id, reviewer, approved, "
                     "notes, coverage_before, coverage_after, residual_px, created_at, created_by "
                     "FROM photo_reviews WHERE client_id = ?1 ORDER BY created_at DESC, id DESC");
    q.bind(1, clientId);
    std::vector<PhotoReview> list;
    while (q.step()) {
        PhotoReview r;
        r.id = q.int64(0);
        r.clientId = q.int64(1);
        r.beforePhotoId = q.int64(2);
        r.afterPhotoId = q.int64(3);
        r.reviewer = q.text(4);
        r.approved = q.integer(5) != 0;
        r.notes = q.text(6);
        if (!q.isNull(7))
            r.coverageBefore = q.real(7);
        if (!q.isNull(8))
            r.coverageAfter = q.real(8);
        if (!q.isNull(9))
            r.residualPx = q.real(9);
        r.createdAt = q.dateTime(10);
        r.createdBy = q.text(11);
        list.push_back(r);
    }
    return list;
}

} // namespace smp::storage
