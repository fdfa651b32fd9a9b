#include "smp/storage/PlanStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

namespace smp::storage {

namespace {

const char *const kColumns = "id, photo_id, analysis_id, algorithm, version, seed, settings, "
                             "hairline, summary, created_at, created_by";

StoredPlan read(const Statement &row, bool withPlan)
{
    StoredPlan p;
    p.id = row.int64(0);
    p.photoId = row.int64(1);
    if (!row.isNull(2))
        p.analysisId = row.int64(2);
    p.algorithm = row.text(3);
    p.version = row.text(4);
    p.seed = row.text(5);
    p.settingsJson = row.text(6);
    p.hairlineJson = row.isNull(7) ? QString() : row.text(7);
    p.summaryJson = row.text(8);
    p.createdAt = row.dateTime(9);
    p.createdBy = row.text(10);
    if (withPlan) {
        p.planJson = qUncompress(row.blob(11));
        if (p.planJson.isEmpty())
            throw StorageError(
                ErrorKind::Damaged,
                QStringLiteral("plan %1: the stored plan cannot be read (damaged)").arg(p.id));
    }
    return p;
}

} // namespace

RecordId PlanStore::add(const StoredPlan &plan)
{
    if (plan.planJson.isEmpty())
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("plan of photo %1: the plan is empty").arg(plan.photoId));
    Transaction transaction(m_db);
    const RecordId clientId = clientOfPhoto(m_db, plan.photoId);
    auto insert = m_db.prepare(
        "INSERT INTO plans (photo_id, analysis_id, algorithm, version, seed, settings, hairline, "
        "summary, plan, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11)");
    insert.bind(1, plan.photoId);
    if (plan.analysisId)
        insert.bind(2, *plan.analysisId);
    else
        insert.bindNull(2);
    insert.bind(3, plan.algorithm)
        .bind(4, plan.version)
        .bind(5, plan.seed)
        .bind(6, plan.settingsJson);
    if (plan.hairlineJson.isEmpty())
        insert.bindNull(7);
    else
        insert.bind(7, plan.hairlineJson);
    insert.bind(8, plan.summaryJson)
        .bind(9, qCompress(plan.planJson))
        .bind(10, QDateTime::currentDateTimeUtc())
        .bind(11, m_db.actor())
        .run();
    const RecordId id = m_db.lastInsertId();
    AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("plans"), id, clientId,
                          QStringLiteral("photo %1: %2 %3 seed %4")
                              .arg(plan.photoId)
                              .arg(plan.algorithm, plan.version, plan.seed));
    transaction.commit();
    return id;
}

std::optional<StoredPlan> PlanStore::find(RecordId planId)
{
    auto query =
        m_db.prepare(std::string("SELECT ") + kColumns + ", plan FROM plans WHERE id = ?1");
    query.bind(1, planId);
    if (!query.step())
        return std::nullopt;
    return read(query, true);
}

std::optional<StoredPlan> PlanStore::latestForPhoto(RecordId photoId)
{
    auto query = m_db.prepare(std::string("SELECT ") + kColumns +
                              ", plan FROM plans WHERE photo_id = ?1 ORDER BY id DESC LIMIT 1");
    query.bind(1, photoId);
    if (!query.step())
        return std::nullopt;
    return read(query, true);
}

std::vector<StoredPlan> PlanStore::plansOfClient(RecordId clientId)
{
    auto query = m_db.prepare(
        "SELECT pl.id, pl.photo_id, pl.analysis_id, pl.algorithm, pl.version, pl.seed, "
        "pl.settings, pl.hairline, pl.summary, pl.created_at, pl.created_by FROM plans pl "
        "JOIN photos ph ON ph.id = pl.photo_id WHERE ph.client_id = ?1 ORDER BY pl.id DESC");
    query.bind(1, clientId);
    std::vector<StoredPlan> plans;
    while (query.step())
        plans.push_back(read(query, false));
    return plans;
}

} // namespace smp::storage
