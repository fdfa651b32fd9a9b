#pragma once

#include "smp/storage/Records.h"

#include <QByteArray>
#include <QDateTime>

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// Work in progress that is not a record yet: the design of a plan being edited in a photo
// window, as the window last wrote it (clinic::PlanDraft's bytes; stored compressed). Written as
// edits happen, so a crash or kill loses at most the last seconds; removed when the plan is saved
// or the technician discards it. Not part of the audit trail.
struct PlanDraft
{
    RecordId photoId = 0;
    RecordId clientId = 0;
    QByteArray content;
    QDateTime savedAt;
};

class DraftStore
{
public:
    explicit DraftStore(Database &db)
        : m_db(db)
    {}

    // Replaces the photo's draft (one statement, atomic). Throws StorageError (NotFound) when the
    // photo does not exist.
    void putPlanDraft(RecordId photoId, const QByteArray &content);
    std::optional<PlanDraft> planDraft(RecordId photoId);
    void removePlanDraft(RecordId photoId);
    // Every draft, oldest first, without content.
    std::vector<PlanDraft> planDrafts();

private:
    Database &m_db;
};

} // namespace smp::storage
