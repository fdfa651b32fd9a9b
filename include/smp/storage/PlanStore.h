#pragma once

#include "smp/storage/Records.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

// A stored treatment plan: for one photo (and the analysis it started from), with the planner's
// algorithm, version and seed, its settings and hairline (JSON), a summary (JSON: sessions, area,
// notices) and the whole plan JSON of smp::planning (every dot), which is stored compressed.
struct StoredPlan
{
    RecordId id = 0;
    RecordId photoId = 0;
    std::optional<RecordId> analysisId;
    QString algorithm;
    QString version;
    QString seed; // decimal, 64 bits
    QString settingsJson;
    QString hairlineJson; // empty: no designed hairline
    QString summaryJson;
    QByteArray planJson;
    QDateTime createdAt;
    QString createdBy;
};

class PlanStore
{
public:
    explicit PlanStore(Database &db)
        : m_db(db)
    {}

    // Stores a new plan (with its audit line) in one transaction and returns its id. A plan is
    // never overwritten: an edited plan is a new row, so what the client was shown stays.
    RecordId add(const StoredPlan &plan);
    std::optional<StoredPlan> find(RecordId planId);
    std::optional<StoredPlan> latestForPhoto(RecordId photoId);
    // The plans of a client's photos, newest first, without their plan JSON (summaries only).
    std::vector<StoredPlan> plansOfClient(RecordId clientId);

private:
    Database &m_db;
};

} // namespace smp::storage
