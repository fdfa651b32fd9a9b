#include "smp/storage/DraftStore.h"

#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"

namespace smp::storage {

void DraftStore::putPlanDraft(RecordId photoId, const QByteArray &content)
{
    auto photo = m_db.prepare("SELECT 1 FROM photos WHERE id = ?1");
    photo.bind(1, photoId);
    if (!photo.step())
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(photoId));
    m_db.prepare("INSERT OR REPLACE INTO plan_drafts (photo_id, content, saved_at, saved_by) "
                 "VALUES (?1, ?2, ?3, ?4)")
        .bind(1, photoId)
        .bind(2, qCompress(content))
        .bind(3, QDateTime::currentDateTimeUtc())
        .bind(4, m_db.actor())
        .run();
}

std::optional<PlanDraft> DraftStore::planDraft(RecordId photoId)
{
    auto query = m_db.prepare("SELECT d.photo_id, p.client_id, d.content, d.saved_at FROM "
                              "plan_drafts d JOIN photos p ON p.id = d.photo_id WHERE "
                              "d.photo_id = ?1");
    query.bind(1, photoId);
    if (!query.step())
        return std::nullopt;
    PlanDraft draft;
    draft.photoId = query.int64(0);
    draft.clientId = query.int64(1);
    draft.content = qUncompress(query.blob(2));
    draft.savedAt = query.dateTime(3);
    if (draft.content.isEmpty())
        throw StorageError(
            ErrorKind::Damaged,
            QStringLiteral("the plan draft of photo %1 cannot be read (damaged)").arg(photoId));
    return draft;
}

void DraftStore::removePlanDraft(RecordId photoId)
{
    m_db.prepare("DELETE FROM plan_drafts WHERE photo_id = ?1").bind(1, photoId).run();
}

std::vector<PlanDraft> DraftStore::planDrafts()
{
    auto query = m_db.prepare("SELECT d.photo_id, p.client_id, d.saved_at FROM plan_drafts d "
                              "JOIN photos p ON p.id = d.photo_id ORDER BY d.saved_at");
    std::vector<PlanDraft> drafts;
    while (query.step()) {
        PlanDraft draft;
        draft.photoId = query.int64(0);
        draft.clientId = query.int64(1);
        draft.savedAt = query.dateTime(2);
        drafts.push_back(std::move(draft));
    }
    return drafts;
}

} // namespace smp::storage
